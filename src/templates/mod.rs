//! Tera templates: loading them, rendering with them, the `date_words` filter, and turning
//! Tera's errors into diagnostics that point at a template line. The context they get is
//! built in [`crate::site`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::Tera;

mod cycles;
mod depth;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::fs;

pub(crate) struct Templates {
    pub tera: Tera,
    /// Template name -> its text, to find lines for render errors.
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
            let rel = PathBuf::from("templates").join(&found.name);
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
        tera.set_escape_fn(escape_html);
        tera.register_filter("date_words", date_words);
        tera.register_tester("filled", filled);
        // What `Tera::add_raw_templates` does, with the loop check between parsing and
        // linking: Tera's linking of `extends` chains itself never ends on some loops.
        let mut parsed = BTreeMap::new();
        for (name, text) in &sources {
            let template = tera::Template::new(name, None, text).map_err(|e| {
                let e = tera::Error::chain(format!("Failed to parse '{name}'"), e);
                Diagnostics::from(template_error(&e, &sources, None))
            })?;
            parsed.insert(name.clone(), template);
        }
        cycles::find(&parsed, &sources).into_result()?;
        tera.templates.extend(parsed);
        tera.build_inheritance_chains()
            .and_then(|()| tera.check_macro_files())
            .map_err(|e| Diagnostics::from(template_error(&e, &sources, None)))?;
        depth::instrument(&mut tera);
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
        find_in_templates(&self.sources, first, needle)
            .map(|(name, l)| (PathBuf::from("templates").join(name), l))
    }

    pub(crate) fn render(
        &self,
        name: &str,
        context: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let bytes = self.render_bytes(name, context, 0)?;
        String::from_utf8(bytes)
            .map_err(|e| Diagnostic::error(format!("template output of {name} is not UTF-8: {e}")))
    }

    /// [`Self::render`] as bytes. Pages go to files and to the link scan as bytes, and
    /// checking again that the output is UTF-8 (it is: Tera writes only `str`s) cost about
    /// 5 % of a build.
    pub(crate) fn render_bytes(
        &self,
        name: &str,
        context: &impl Serialize,
        size_hint: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let ctx = tera::Context::from_serialize(context)
            .map_err(|e| Diagnostic::error(format!("cannot build the template context: {e}")))?;
        self.render_context(name, &ctx, size_hint)
    }

    /// [`Self::render_bytes`] with a context already built: one that is filled once and
    /// then changed a value at a time, for a template rendered many times over.
    pub(crate) fn render_context(
        &self,
        name: &str,
        ctx: &tera::Context,
        size_hint: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(size_hint);
        depth::reset();
        self.tera.render_to(name, ctx, &mut out).map_err(|e| {
            depth::overflow(&self.sources)
                .unwrap_or_else(|| template_error(&e, &self.sources, Some(name)))
        })?;
        if memchr::memchr(0, &out).is_some() {
            // Markdown files are checked for it; this catches the rest (a `\u0000` escape in
            // front matter or a UI string, a template).
            return Err(Diagnostic::error("the page would contain a NUL character")
                .in_file(PathBuf::from("templates").join(name))
                .with_help("look for \\u0000 in the page's front matter, the i18n/ strings and the templates"));
        }
        Ok(out)
    }
}

/// The stack of the threads that render: Tera renders by recursion, about 20-30 KB per level
/// of nested macros in a debug build. With the real theme a 2 MiB thread (rayon's default)
/// overflowed at fewer than 100 levels; 64 MiB held more than 3,000, far above
/// [`depth::MAX_DEPTH`]. Only the memory actually touched is committed.
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

/// `{% if page.key_facts is filled %}`: what `{% if page.key_facts %}` means (the value is
/// there, and not false, zero or empty), without its cost. Tera 1 evaluates a bare `if` as an
/// expression, so it copies and HTML-escapes a string only to ask whether it is empty: the
/// inlined stylesheet (24 KB) on every page, the key facts and the emergency box, about 5 %
/// of a build's instructions (callgrind, 100-page corpus).
fn filled(value: Option<&tera::Value>, _args: &[tera::Value]) -> tera::Result<bool> {
    use tera::Value;
    Ok(match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    })
}

/// `{{ "2026-11-20" | date_words(months=t.months, year_suffix=t.year_suffix) }}` is
/// "20 November 2026": the day, a no-break space, the month's name from the comma-separated
/// `months`, the year and `year_suffix` (Ukrainian writes "20 листопада 2026 р."). A filter
/// rather than a macro of `split` and `nth`: every page prints two dates, and the macro was
/// about 5 % of a build.
fn date_words(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let arg = |name: &str| {
        args.get(name)
            .and_then(tera::Value::as_str)
            .ok_or_else(|| tera::Error::msg(format!("date_words needs `{name}`, a string")))
    };
    let months = arg("months")?;
    let suffix = args
        .get("year_suffix")
        .and_then(tera::Value::as_str)
        .unwrap_or("");
    let iso = value.as_str().unwrap_or("");
    date_in_words(iso, months, suffix).ok_or_else(|| {
        tera::Error::msg(format!(
            "date_words: `{iso}` is not a date like 2026-11-20, or `{months}` has no month of it"
        ))
    })
    .map(tera::Value::String)
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

/// The chain of Tera's messages, outermost first.
fn error_chain(e: &tera::Error) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push(s.to_string());
        source = s.source();
    }
    out
}

fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    let rest = &text[start..];
    let quote = rest.chars().next()?;
    let rest = &rest[quote.len_utf8()..];
    rest.find(quote).map(|end| &rest[..end])
}

fn template_error(
    e: &tera::Error,
    sources: &BTreeMap<String, String>,
    rendering: Option<&str>,
) -> Diagnostic {
    let chain = error_chain(e);
    let joined = chain.join("\n");
    // Which template: Tera names it in its outer message.
    let name = ["Failed to parse ", "while rendering ", "Failed to render "]
        .iter()
        .find_map(|p| joined.lines().find_map(|l| quoted_after(l, p)))
        .map(str::to_string)
        .or_else(|| rendering.map(str::to_string));
    if let Some(missing) = joined
        .lines()
        .find_map(|l| quoted_after(l, "Template '").or_else(|| quoted_after(l, "template '")))
        .filter(|_| joined.contains("not found"))
    {
        return Diagnostic::error(format!("template `{missing}` not found")).with_help(format!(
            "templates/ has: {}",
            sources.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let inner = chain.last().cloned().unwrap_or_default();
    let mut d = Diagnostic::error(format!("template error: {}", first_meaningful_line(&inner)));
    if let Some(name) = &name {
        d = d.in_file(PathBuf::from("templates").join(name));
        let text = sources.get(name.as_str());
        // Parse errors carry " --> line:col"; render errors name the variable instead.
        if let (Some(text), Some((line, col))) = (text, parse_position(&joined)) {
            d = d.at(location_at(text, line, col));
        } else if let Some((kind, used)) = ["Filter ", "Tester ", "Function "]
            .iter()
            .find_map(|k| Some((k.trim(), quoted_after(&joined, k)?)))
            .filter(|_| joined.contains("not found"))
        {
            // Tera names only the template it was asked for, which may be a child of the
            // one that uses the filter: look where it is written.
            if let Some((file, loc)) = find_in_templates(sources, name, used) {
                d = d.in_file(PathBuf::from("templates").join(file)).at(loc);
            }
            d = d.with_help(format!(
                "`{used}` is not a {} Tera or factsheet knows; see docs/templates.md",
                kind.to_lowercase()
            ));
        } else if let Some(var) = quoted_after(&joined, "Variable ") {
            if let Some((file, loc)) = find_in_templates(sources, name, var) {
                d = d.in_file(PathBuf::from("templates").join(file)).at(loc);
            }
            d = d.with_help(format!(
                "`{var}` is not in the template context; see docs/templates.md"
            ));
        }
    }
    d
}

fn first_meaningful_line(s: &str) -> String {
    // Tera's parse errors end with "= expected ..." under a code frame: that is the reason.
    if let Some(reason) = s.lines().map(str::trim).find_map(|l| l.strip_prefix("= ")) {
        return reason.to_string();
    }
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("-->") && !l.starts_with('|'))
        .unwrap_or(s)
        .to_string()
}

fn parse_position(text: &str) -> Option<(usize, usize)> {
    let at = text.find("--> ")? + 4;
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

fn location_at(text: &str, line: usize, col: usize) -> Location {
    let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    Location {
        line,
        column: col.max(1),
        width: 1,
        line_text: line_text.to_string(),
    }
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
        let args = |months: &str, suffix: &str| {
            [
                ("months".to_string(), tera::Value::from(months)),
                ("year_suffix".to_string(), tera::Value::from(suffix)),
            ]
            .into_iter()
            .collect()
        };
        let en = args(
            "January,February,March,April,May,June,July,August,September,October,November,December",
            "",
        );
        assert_eq!(
            date_words(&"2026-11-02".into(), &en).unwrap(),
            tera::Value::from("2\u{a0}November 2026")
        );
        let uk = args(
            "січня,лютого,березня,квітня,травня,червня,липня,серпня,вересня,жовтня,листопада,грудня",
            "\u{a0}р.",
        );
        assert_eq!(
            date_words(&"2027-05-21".into(), &uk).unwrap(),
            tera::Value::from("21\u{a0}травня 2027\u{a0}р.")
        );
        assert!(date_words(&"2026-13-01".into(), &en).is_err());
        assert!(date_words(&"soon".into(), &en).is_err());
    }

    #[test]
    fn finds_positions_in_tera_messages() {
        assert_eq!(parse_position("x\n --> 3:9\n  |"), Some((3, 9)));
        assert_eq!(
            quoted_after("Failed to parse 'page.html'", "Failed to parse "),
            Some("page.html")
        );
    }
}
