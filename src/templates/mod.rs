//! Tera templates: loading them, rendering with them, the `date_words` filter, and turning
//! Tera's errors into diagnostics that point at a template line. The context they get is
//! built in [`crate::site`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::fs;

pub(crate) struct Templates {
    pub tera: Tera,
    /// Template name -> its text, to show the line of an error.
    sources: BTreeMap<String, String>,
}

impl Templates {
    /// Load every file of `templates/`.
    pub(crate) fn load(root: &Path) -> Result<Templates, Diagnostics> {
        let dir = root.join("templates");
        if !dir.is_dir() {
            return Err(
                Diagnostic::error(format!("no templates/ folder in {}", root.display())).into(),
            );
        }
        let mut sources = BTreeMap::new();
        let mut diags = Diagnostics::default();
        for found in fs::walk(root, "templates", &fs::no_hidden, &mut diags) {
            let rel = template_file(&found.name);
            match fs::read_utf8(&found.path, &rel) {
                Ok(text) => {
                    sources.insert(found.name, text);
                }
                Err(d) => diags.push(d),
            }
        }
        diags.into_result()?;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_into);
        tera.register_filter("date_words", date_words);
        tera.register_filter("safe", safe);
        tera.register_test("filled", filled);
        // Tera reports loops of `extends` and `include`, unknown filters, tests and
        // components, and components that call themselves too deep, each with its template
        // and place.
        tera.add_raw_templates(sources.iter()).map_err(|e| {
            let mut all = Diagnostics::default();
            for d in template_errors(&e, &sources, None) {
                all.push(d);
            }
            all
        })?;
        Ok(Templates { tera, sources })
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Where `needle` is written, in template `first` or else in any other: the file
    /// (`templates/base.html`) and the place.
    pub(crate) fn find(&self, first: &str, needle: &str) -> Option<(PathBuf, Location)> {
        find_in_templates(&self.sources, first, needle).map(|(name, l)| (template_file(&name), l))
    }

    pub(crate) fn render(
        &self,
        name: &str,
        context: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let bytes = self.render_over(name, tera::Context::new(), context, 0)?;
        String::from_utf8(bytes)
            .map_err(|e| Diagnostic::error(format!("template output of {name} is not UTF-8: {e}")))
    }

    /// [`Self::render`] as bytes, with `context` added to `base` (values made beforehand).
    /// Pages go to files and to the link scan as bytes, and checking again that the output
    /// is UTF-8 (it is: Tera writes only `str`s) cost about 5 % of a build.
    pub(crate) fn render_over(
        &self,
        name: &str,
        mut base: tera::Context,
        context: &impl Serialize,
        size_hint: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let ctx = tera::Context::from_serialize(context)
            .map_err(|e| Diagnostic::error(format!("cannot build the template context: {e}")))?;
        base.extend(ctx);
        self.render_context(name, &base, size_hint)
    }

    /// [`Self::render_over`] with a context already built: one that is filled once and
    /// then changed a value at a time, for a template rendered many times over.
    pub(crate) fn render_context(
        &self,
        name: &str,
        ctx: &tera::Context,
        size_hint: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(size_hint);
        self.tera.render_to(name, ctx, &mut out).map_err(|e| {
            let mut all = template_errors(&e, &self.sources, Some(name)).into_iter();
            all.next()
                .unwrap_or_else(|| Diagnostic::error(format!("template error: {e}")))
        })?;
        if memchr::memchr(0, &out).is_some() {
            // Markdown files are checked for it; this catches the rest (a `\u0000` escape in
            // front matter or a UI string, a template).
            return Err(Diagnostic::error("the page would contain a NUL character")
                .in_file(template_file(name))
                .with_help("look for \\u0000 in the page's front matter, the i18n/ strings and the templates"));
        }
        Ok(out)
    }
}

/// The stack of the threads that render. Tera 1 rendered by recursion, 20-30 KB per level of
/// nested macros in a debug build, and a 2 MiB thread (rayon's default) overflowed at fewer
/// than 100 levels. Tera 2 stops components at 20 levels ([`COMPONENT_DEPTH`]), but a
/// component still renders on the stack of the one that calls it, so the margin stays: only
/// the memory actually touched is committed.
pub(crate) const STACK_SIZE: usize = 64 << 20;

/// Run `f` (and the parallel work it starts) on the render threads, whose stacks are
/// [`STACK_SIZE`]: the threads of rayon's global pool and the main thread are smaller.
pub(crate) fn on_render_threads<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("factsheet-render-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        // No threads to be had: render here, as before.
        None => f(),
    }
}

/// Tera's default escaper also turns `/` into `&#x2F;`, which bloats every URL and makes the
/// output hard to read; `/` is harmless in text and in quoted attributes.
pub(crate) fn escape_html(input: &str) -> String {
    html_escape::encode_quoted_attribute(input).into_owned()
}

/// [`escape_html`] as Tera calls it, into the page being written.
fn escape_into(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(html_escape::encode_quoted_attribute(input).as_bytes())
}

/// `{{ page.content | safe }}`: Tera's own `safe` copies the string into a new value; a
/// string is only marked here, shared with the context. Every page prints about 35 KB
/// through it (the stylesheet, the content, the partials); anything else is written out as
/// Tera writes it, and a value that is not there is an error.
fn safe(value: Value, _: Kwargs, _: &State) -> TeraResult<Value> {
    if value.is_string() {
        Ok(value.mark_safe())
    } else if value.is_undefined() {
        // Tera's own `safe` prints nothing for it, so a misspelt `page.contnet | safe` left
        // the page empty without a word.
        Err(tera::Error::message(
            "`safe` was given a value that is not defined (a misspelt name?)",
        ))
    } else {
        Ok(Value::safe_string(&value.to_string()))
    }
}

/// `{% if page.key_facts is filled %}`: the value is there, and not false, zero or empty;
/// what `{% if page.key_facts %}` means. Kept for themes written for factsheet's first
/// template engine, where the bare `if` copied and escaped the whole value.
fn filled(value: &Value, _: Kwargs, _: &State) -> bool {
    value.is_truthy()
}

/// `{{ "2026-11-20" | date_words(months=t.months, year_suffix=t.year_suffix) }}` is
/// "20 November 2026": the day, a no-break space, the month's name from the comma-separated
/// `months`, the year and `year_suffix` (Ukrainian writes "20 листопада 2026 р."). A filter
/// rather than a component of `split` and `nth`: every page prints two dates.
fn date_words(iso: &str, args: Kwargs, _: &State) -> TeraResult<String> {
    let months: &str = args.must_get("months")?;
    let suffix: &str = args.get("year_suffix")?.unwrap_or("");
    date_in_words(iso, months, suffix).ok_or_else(|| {
        tera::Error::message(format!(
            "date_words: `{iso}` is not a date like 2026-11-20, or `{months}` has no month of it"
        ))
    })
}

/// "2026-11-20" as [`date_words`] writes it; `None` if it is not a date or `months` lacks its
/// month.
pub(crate) fn date_in_words(iso: &str, months: &str, suffix: &str) -> Option<String> {
    let mut parts = iso.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let month: usize = month.parse().ok()?;
    let day: u32 = day.parse().ok()?;
    let name = months.split(',').nth(month.wrapping_sub(1))?;
    Some(format!("{day}\u{a0}{} {year}{suffix}", name.trim()))
}

/// A Tera error as diagnostics. Tera says which template and where for syntax and rendering
/// errors, and writes its checks of the templates as a whole (unknown filters, tests,
/// components, templates) as one report per mistake: each becomes a diagnostic of its own.
fn template_errors(
    e: &tera::Error,
    sources: &BTreeMap<String, String>,
    rendering: Option<&str>,
) -> Vec<Diagnostic> {
    use tera::ErrorKind;
    let in_file = |d: Diagnostic, name: &str| d.in_file(template_file(name));
    // Errors that do not say where: the template being rendered, if any.
    let in_rendered = |d: Diagnostic| match rendering {
        Some(name) => in_file(d, name),
        None => d,
    };
    let one = match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let (message, help) = explained(first_line(report.message()), sources);
            let name = report.filename();
            let text = sources.get(name);
            let span = report.span();
            // "Field `titel` is not defined" says `s.titel`, as the template writes it.
            let message = match (message.strip_prefix("Field `"), text) {
                (Some(_), Some(text)) => text
                    .get(..span.range.end)
                    .map(|before| {
                        let path = before
                            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                            .next()
                            .unwrap_or("");
                        format!("`{path}` is not defined")
                    })
                    .unwrap_or_else(|| message.to_string()),
                _ => message.to_string(),
            };
            let mut d = Diagnostic::error(format!("template error: {message}"));
            if !name.is_empty() {
                d = in_file(d, name);
                if let Some(text) = text {
                    d = d.at(Location::at(text, span.range.start, span.range.len()));
                }
            } else {
                d = in_rendered(d);
            }
            if let Some(help) = help {
                d = d.with_help(help);
            }
            d
        }
        ErrorKind::TemplateNotFound(missing) => missing_template(missing, sources),
        ErrorKind::MissingParent { current, parent } => {
            let d = in_file(missing_template(parent, sources), current);
            match sources
                .get(current)
                .and_then(|text| name_written(text, parent))
            {
                Some(loc) => d.at(loc),
                None => d,
            }
        }
        ErrorKind::CircularExtend {
            inheritance_chain: chain,
            ..
        } => template_loop(chain, "extends", sources),
        ErrorKind::CircularInclude {
            include_chain: chain,
            ..
        } => template_loop(chain, "includes", sources),
        ErrorKind::Msg(text) if text.contains("\n") && text.starts_with("error: ") => {
            return reports(text, sources);
        }
        ErrorKind::Msg(text) if text.contains("recursion depth for components") => {
            self_calling_component(sources).unwrap_or_else(|| {
                in_rendered(Diagnostic::error(format!(
                    "template error: a component calls itself more than {COMPONENT_DEPTH} levels deep"
                )))
            })
        }
        _ => {
            let mut chain = vec![e.to_string()];
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                chain.push(s.to_string());
                source = s.source();
            }
            in_rendered(Diagnostic::error(format!(
                "template error: {}",
                chain.join(": ")
            )))
        }
    };
    vec![one]
}

/// `templates/NAME`, as diagnostics name a template.
fn template_file(name: &str) -> PathBuf {
    PathBuf::from("templates").join(name)
}

/// The help of a template that is not there: the ones that are.
fn templates_there(sources: &BTreeMap<String, String>) -> String {
    let names: Vec<&str> = sources.keys().map(String::as_str).collect();
    format!("templates/ has: {}", names.join(", "))
}

/// How deep components may call components: Tera's limit.
const COMPONENT_DEPTH: usize = 20;

fn missing_template(missing: &str, sources: &BTreeMap<String, String>) -> Diagnostic {
    Diagnostic::error(format!("template `{missing}` not found")).with_help(templates_there(sources))
}

/// Where template `name` is named in `text`, quoted as `extends` and `include` name it.
fn name_written(text: &str, name: &str) -> Option<Location> {
    ['"', '\'']
        .iter()
        .find_map(|q| Location::find(text, &format!("{q}{name}{q}")))
}

/// `a.html → b.html → a.html`: pointed at the `include` or `extends` in the first template
/// that names the second.
fn template_loop(chain: &[String], verb: &str, sources: &BTreeMap<String, String>) -> Diagnostic {
    let first = chain.first().map_or("", String::as_str);
    // Tera names the templates of an `extends` loop once each; an `include` loop, with the
    // first again at the end.
    let mut chain = chain.to_vec();
    if chain.len() == 1 || chain.last().map(String::as_str) != Some(first) {
        chain.push(first.to_string());
    }
    let shown = chain.join(" → ");
    let message = if chain.len() == 2 {
        format!("template error: {first} {verb} itself: {shown}")
    } else {
        format!("template error: templates include or extend each other in a loop: {shown}")
    };
    let mut d = Diagnostic::error(message)
        .in_file(template_file(first))
        .with_help("rendering would never end: remove one `include` or `extends` from the loop");
    if let Some(loc) = chain
        .get(1)
        .and_then(|next| name_written(sources.get(first)?, next))
    {
        d = d.at(loc);
    }
    d
}

/// Tera's reports of the templates' checks, `error: MESSAGE` then ` --> NAME:LINE:COLUMN`,
/// the line and a `^^^` under the place, one after another.
fn reports(text: &str, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let (message, help) = explained(message, sources);
        let mut d = Diagnostic::error(format!("template error: {message}"));
        let place = lines
            .get(i + 1)
            .and_then(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|p| {
                let (rest, col) = p.rsplit_once(':')?;
                let (name, line) = rest.rsplit_once(':')?;
                Some((
                    name,
                    line.parse::<usize>().ok()?,
                    col.parse::<usize>().ok()?,
                ))
            });
        if let Some((name, line, col)) = place {
            d = d.in_file(template_file(name));
            // The code frame: ` |`, `N | the line`, then ` | ^^^` under the place.
            let width = lines
                .get(i + 4)
                .and_then(|l| l.trim().strip_prefix('|'))
                .map(str::trim)
                .filter(|marks| !marks.is_empty() && marks.chars().all(|c| c == '^'))
                .map_or(1, str::len);
            if let Some(text) = sources.get(name) {
                d = d.at(location_of(text, line, col, width));
            }
        }
        if let Some(help) = help {
            d = d.with_help(help);
        }
        out.push(d);
    }
    if out.is_empty() {
        out.push(Diagnostic::error(format!("template error: {text}")));
    }
    out
}

/// Line `line` (1-based), character `col` (1-based) of `text`, underlining `width`
/// characters.
fn location_of(text: &str, line: usize, col: usize, width: usize) -> Location {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let offset = rest
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    let len = rest[offset..]
        .char_indices()
        .nth(width)
        .map_or(rest.len() - offset, |(i, _)| i);
    Location::at(text, line_start + offset, len)
}

/// The component whose body calls itself, pointed at its name: Tera stops a component that
/// calls itself too deep without saying which.
fn self_calling_component(sources: &BTreeMap<String, String>) -> Option<Diagnostic> {
    for (file, text) in sources {
        for (name, at, body) in component_definitions(text) {
            if calls(body, name) {
                return Some(
                    Diagnostic::error(format!(
                        "template error: component `{name}` calls itself more than {COMPONENT_DEPTH} levels deep"
                    ))
                    .in_file(template_file(file))
                    .at(Location::at(text, at, name.len()))
                    .with_help("give its call to itself a condition that ends it"),
                );
            }
        }
    }
    None
}

/// Each `{% component NAME(...) %}` of `text`: its name, where the name stands, and the text
/// up to its `endcomponent`.
fn component_definitions(text: &str) -> impl Iterator<Item = (&str, usize, &str)> {
    text.match_indices("component ")
        .filter_map(move |(at, word)| {
            // Opened by `{%` or `{%-` and white space, so not `endcomponent` or text.
            let before = text[..at].trim_end();
            if !(before.ends_with("{%") || before.ends_with("{%-")) {
                return None;
            }
            let start = at + word.len();
            let rest = &text[start..];
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let end = rest.find("endcomponent").unwrap_or(rest.len());
            (len > 0).then(|| (&rest[..len], start, &rest[..end]))
        })
}

/// Whether `body` calls component `name`: `{{ <name .../> }}` or `{% <name> %}`, not an
/// HTML element of the same name.
fn calls(body: &str, name: &str) -> bool {
    let call = format!("<{name}");
    body.match_indices(&call).any(|(at, _)| {
        let next = body[at + call.len()..].chars().next();
        let ends_name = next.is_none_or(|c| c.is_whitespace() || c == '/' || c == '>');
        let before = body[..at].trim_end();
        let opened = ["{{", "{{-", "{%", "{%-"]
            .iter()
            .any(|o| before.ends_with(o));
        ends_name && opened
    })
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Tera's message, and what to do about it. Tera lists the names a value does have after
/// "Available fields:"; they differ from one kind of page to another, and the same mistake
/// met on every page is reported once ([`Diagnostics::merge_repeats`]), so the list is left
/// out and only the nearest name is suggested.
fn explained<'m>(
    message: &'m str,
    sources: &BTreeMap<String, String>,
) -> (&'m str, Option<String>) {
    let see = "docs/templates.md lists what templates are given";
    for marker in [". Available fields: ", ". Available variables: "] {
        if let Some((head, names)) = message.split_once(marker) {
            let used = head.split('`').nth(1).unwrap_or("");
            let near = crate::diagnostic::did_you_mean(used, names.split(", ").map(str::trim));
            let help = match near {
                Some(near) => format!("did you mean `{near}`? {see}"),
                None => format!("`{used}` is not given to this template; {see}"),
            };
            return (head, Some(help));
        }
    }
    let lower = message.to_lowercase();
    let kinds = ["filter", "test", "function", "component"];
    if let Some(kind) = kinds
        .iter()
        .find(|k| lower.starts_with(&format!("unknown {k} ")))
    {
        let help = format!("that is not a {kind} Tera or factsheet knows; see docs/templates.md");
        return (message, Some(help));
    }
    if lower.starts_with("unknown template ") {
        return (message, Some(templates_there(sources)));
    }
    (message, None)
}

/// Where a variable is used: in the template itself or, failing that, the templates it
/// names (the parent it extends, imports, includes, theirs in turn), then any other.
fn find_in_templates(
    sources: &BTreeMap<String, String>,
    first: &str,
    var: &str,
) -> Option<(String, Location)> {
    let mut order: Vec<&str> = vec![first];
    let mut i = 0;
    while i < order.len() {
        let text = sources.get(order[i]).map_or("", String::as_str);
        for name in sources.keys() {
            let named =
                text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'"));
            if named && !order.contains(&name.as_str()) {
                order.push(name);
            }
        }
        i += 1;
    }
    for name in sources.keys() {
        if !order.contains(&name.as_str()) {
            order.push(name);
        }
    }
    order.into_iter().find_map(|name| {
        let loc = Location::find(sources.get(name)?, var)?;
        Some((name.to_string(), loc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words() {
        let en =
            "January,February,March,April,May,June,July,August,September,October,November,December";
        assert_eq!(
            date_in_words("2026-11-02", en, "").as_deref(),
            Some("2\u{a0}November 2026")
        );
        let uk = "січня,лютого,березня,квітня,травня,червня,липня,серпня,вересня,жовтня,листопада,грудня";
        assert_eq!(
            date_in_words("2027-05-21", uk, "\u{a0}р.").as_deref(),
            Some("21\u{a0}травня 2027\u{a0}р.")
        );
        assert_eq!(date_in_words("2026-13-01", en, ""), None);
        assert_eq!(date_in_words("soon", en, ""), None);
    }

    /// `safe` as the theme uses it: strings unescaped, other values written as Tera writes
    /// them, and escaping unchanged where it is not asked for.
    #[test]
    fn safe_marks_without_changing_what_is_printed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/t.html"),
            "{{ a | safe }}|{{ n | safe }}|{{ list | safe }}|{{ a }}|{{ a | safe | upper }}",
        )
        .unwrap();
        let templates = Templates::load(dir.path()).unwrap();
        let context = serde_json::json!({"a": "<b>x</b>", "n": 3, "list": [1, 2]});
        assert_eq!(
            templates.render("t.html", &context).unwrap(),
            "<b>x</b>|3|[1, 2]|&lt;b&gt;x&lt;/b&gt;|<B>X</B>"
        );
    }

    #[test]
    fn a_component_that_calls_itself_is_found_by_its_calls() {
        let one = |text: &str| {
            let sources = BTreeMap::from([("c.html".to_string(), text.to_string())]);
            self_calling_component(&sources).map(|d| d.message)
        };
        // An HTML element of the same name is not a call.
        assert_eq!(
            one("{% component a(href) %}<a href=\"{{ href }}\">x</a>{% endcomponent a %}"),
            None
        );
        // `{%-`, a later `{% component`, and a call with no space after the name.
        let tree = one(
            "{%- component tree(n) -%}<i>{{ <tree/> }}</i>{%- endcomponent tree %}\n\
             {% component ok() %}ok{% endcomponent ok %}",
        )
        .unwrap();
        assert!(tree.contains("component `tree` calls itself"), "{tree}");
        assert!(one("{% component b() %}{% <b> %}x{% </b> %}{% endcomponent b %}").is_some());
        assert_eq!(
            one("{% component ok() %}{{ <other/> }}{% endcomponent ok %}"),
            None
        );
        assert_eq!(one("text that names a component and <ok/>"), None);
    }

    /// The underline is read from Tera's code frame, not from a `^` in the template's line.
    #[test]
    fn a_report_is_underlined_as_wide_as_tera_underlines_it() {
        let text = "a[href^=\"http\"]{{ y | shout }}\n";
        let sources = BTreeMap::from([("p.html".to_string(), text.to_string())]);
        let report = "error: Unknown filter `shout`\n --> p.html:1:25\n  |\n1 | a[href^=\"http\"]{{ y | shout }}\n  |                         ^^^^^";
        let d = reports(report, &sources).remove(0);
        let loc = d.location.unwrap();
        assert_eq!((loc.line, loc.column, loc.width), (1, 25, 5));
    }
}
