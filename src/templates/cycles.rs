//! Templates that include or extend themselves, directly or through others. Tera 1 follows
//! an `include` loop until the stack overflows, which aborts the process (`build`, `check`
//! and `serve` alike), and its own check of `extends` chains loops for ever when a template
//! extends into a loop it is not part of. So the loops are found here, in the parsed
//! templates, before Tera links them or renders anything.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tera::ast::Node;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};

/// One `include` or `extends` of another template.
struct Edge<'a> {
    to: &'a str,
    extends: bool,
}

/// An error for every loop of `include`s and `extends` among `parsed`, naming the chain
/// (`a.html → b.html → a.html`) and pointing at the statement in `sources` (the templates'
/// text) that starts it.
pub(super) fn find(
    parsed: &BTreeMap<String, tera::Template>,
    sources: &BTreeMap<String, String>,
) -> Diagnostics {
    let graph: BTreeMap<&str, Vec<Edge>> = parsed
        .iter()
        .map(|(name, t)| {
            let mut edges = Vec::new();
            if let Some(parent) = &t.parent {
                edges.push(Edge {
                    to: parent.as_str(),
                    extends: true,
                });
            }
            includes(&t.ast, &mut |names| {
                // Tera renders the first of the names that exists.
                if let Some(to) = names.iter().find(|n| parsed.contains_key(n.as_str())) {
                    edges.push(Edge {
                        to: to.as_str(),
                        extends: false,
                    });
                }
            });
            (name.as_str(), edges)
        })
        .collect();

    let mut diags = Diagnostics::default();
    let mut done: Vec<&str> = Vec::new();
    for start in graph.keys() {
        let mut path = vec![*start];
        walk(&graph, &mut path, &mut done, &mut |cycle| {
            diags.push(loop_error(&graph, cycle, sources));
        });
    }
    diags
}

/// Depth-first from the last template of `path`; `on_loop` gets each chain that comes back
/// to a template already on the path. Templates in `done` have been fully explored.
fn walk<'a>(
    graph: &BTreeMap<&'a str, Vec<Edge<'a>>>,
    path: &mut Vec<&'a str>,
    done: &mut Vec<&'a str>,
    on_loop: &mut dyn FnMut(&[&'a str]),
) {
    let here = *path.last().expect("a path has a start");
    if done.contains(&here) {
        return;
    }
    for edge in graph.get(here).into_iter().flatten() {
        if let Some(i) = path.iter().position(|p| *p == edge.to) {
            let mut cycle = path[i..].to_vec();
            cycle.push(edge.to);
            on_loop(&cycle);
        } else {
            path.push(edge.to);
            walk(graph, path, done, on_loop);
            path.pop();
        }
    }
    done.push(here);
}

fn includes<'a>(nodes: &'a [Node], found: &mut dyn FnMut(&'a [String])) {
    for node in nodes {
        match node {
            Node::Include(_, names, _) => found(names),
            Node::MacroDefinition(_, m, _) => includes(&m.body, found),
            Node::Block(_, b, _) => includes(&b.body, found),
            Node::FilterSection(_, f, _) => includes(&f.body, found),
            Node::Forloop(_, f, _) => {
                includes(&f.body, found);
                if let Some(empty) = &f.empty_body {
                    includes(empty, found);
                }
            }
            Node::If(i, _) => {
                for (_, _, body) in &i.conditions {
                    includes(body, found);
                }
                if let Some((_, body)) = &i.otherwise {
                    includes(body, found);
                }
            }
            _ => {}
        }
    }
}

fn loop_error(
    graph: &BTreeMap<&str, Vec<Edge>>,
    cycle: &[&str],
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    let (from, to) = (cycle[0], cycle[1]);
    let extends = graph
        .get(from)
        .into_iter()
        .flatten()
        .find(|e| e.to == to)
        .is_some_and(|e| e.extends);
    let chain = cycle.join(" → ");
    let message = if cycle.len() == 2 {
        let verb = if extends { "extends" } else { "includes" };
        format!("template error: {from} {verb} itself: {chain}")
    } else {
        format!("template error: templates include or extend each other in a loop: {chain}")
    };
    let mut d = Diagnostic::error(message)
        .in_file(PathBuf::from("templates").join(from))
        .with_help("rendering would never end: remove one `include` or `extends` from the loop");
    if let Some(location) = sources.get(from).and_then(|text| statement(text, to)) {
        d = d.at(location);
    }
    d
}

/// Where `text` includes or extends `name`: the quoted name inside a `{% … %}` tag.
fn statement(text: &str, name: &str) -> Option<Location> {
    [format!("\"{name}\""), format!("'{name}'")]
        .iter()
        .flat_map(|quoted| text.match_indices(quoted.as_str()))
        .filter(|(i, _)| {
            let tag = text[..*i].rfind("{%").map_or("", |open| &text[open..*i]);
            !tag.contains("%}") && (tag.contains("include") || tag.contains("extends"))
        })
        .map(|(i, quoted)| Location::at(text, i, quoted.len()))
        .min_by_key(|l| (l.line, l.column))
}
