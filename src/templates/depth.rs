//! A limit on how deep template macros may call each other. Tera 1 has none: a macro that
//! calls itself without end overflows the stack, which aborts the process (`build` exits with
//! "stack overflow", `serve` dies and closes its port). Every macro body is wrapped in calls
//! to two template functions that keep the stack of macros being rendered on this thread;
//! past [`MAX_DEPTH`] the render fails, and [`overflow`] turns that into an error naming the
//! template and the macro.
//!
//! The wrapping edits the parsed templates (`Tera::templates`, public though hidden from
//! Tera's docs), after Tera has checked them: their text, and so every line and column in
//! Tera's messages, stays the template's own.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use tera::Value;
use tera::ast::{Expr, ExprVal, FunctionCall, Node, WS};

use crate::diagnostic::{Diagnostic, Location};

/// Macros nested deeper than this stop the render. A table of contents nests six deep; the
/// render threads' stack ([`super::STACK_SIZE`]) holds several times this many.
pub(super) const MAX_DEPTH: usize = 64;

const ENTER: &str = "__factsheet_macro_enter";
const LEAVE: &str = "__factsheet_macro_leave";

thread_local! {
    /// The macros being rendered on this thread, outermost first: (template, macro).
    static STACK: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// Wrap every macro of every template in the depth count.
pub(super) fn instrument(tera: &mut tera::Tera) {
    let call = |function: &str, args: HashMap<String, Expr>| {
        Node::VariableBlock(
            WS::default(),
            Expr::new(ExprVal::FunctionCall(FunctionCall {
                name: function.to_string(),
                args,
            })),
        )
    };
    for (template, parsed) in tera.templates.iter_mut() {
        for (name, definition) in parsed.macros.iter_mut() {
            let args = HashMap::from([
                (
                    "template".to_string(),
                    Expr::new(ExprVal::String(template.clone())),
                ),
                ("name".to_string(), Expr::new(ExprVal::String(name.clone()))),
            ]);
            definition.body.insert(0, call(ENTER, args));
            definition.body.push(call(LEAVE, HashMap::new()));
        }
    }
    tera.register_function(ENTER, enter);
    tera.register_function(LEAVE, leave);
}

fn enter(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let arg = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    STACK.with_borrow_mut(|stack| {
        stack.push((arg("template"), arg("name")));
        if stack.len() > MAX_DEPTH {
            Err(tera::Error::msg(format!(
                "macros nested more than {MAX_DEPTH} deep"
            )))
        } else {
            Ok(Value::String(String::new()))
        }
    })
}

fn leave(_: &HashMap<String, Value>) -> tera::Result<Value> {
    STACK.with_borrow_mut(|stack| stack.pop());
    Ok(Value::String(String::new()))
}

/// Start a render with no macro open (a failed render leaves its stack behind).
pub(super) fn reset() {
    STACK.with_borrow_mut(Vec::clear);
}

/// After a failed render on this thread: the error for macros nested too deep, if that is
/// why it failed, pointing at the macro's definition.
pub(super) fn overflow(sources: &BTreeMap<String, String>) -> Option<Diagnostic> {
    let stack = STACK.with_borrow(|stack| (stack.len() > MAX_DEPTH).then(|| stack.clone()))?;
    let (template, name) = stack.last()?;
    let calls_itself = stack
        .iter()
        .rev()
        .take(4)
        .all(|(t, n)| t == template && n == name);
    let message = if calls_itself {
        format!("template error: macro `{name}` calls itself more than {MAX_DEPTH} levels deep")
    } else {
        format!("template error: macros nested more than {MAX_DEPTH} levels deep, in `{name}`")
    };
    let recent: Vec<&str> = stack
        .iter()
        .rev()
        .take(6)
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let help = if calls_itself {
        "make sure the recursion ends: an `if` that stops it, and less to do at each call"
            .to_string()
    } else {
        format!(
            "the innermost calls: … → {}; make sure the recursion ends",
            recent.join(" → ")
        )
    };
    let mut d = Diagnostic::error(message)
        .in_file(PathBuf::from("templates").join(template))
        .with_help(help);
    let definition = format!("macro {name}");
    if let Some(location) = sources
        .get(template)
        .and_then(|text| Location::find(text, &definition))
    {
        d = d.at(location).with_label("defined here");
    }
    Some(d)
}
