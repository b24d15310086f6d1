//! Citations: `[@S1; @S2]` becomes numbered links to the page's list of sources, numbered in
//! order of first citation.

use foldhash::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event};
use pulldown_cmark_escape::escape_html;

use super::Pass;
use crate::diagnostic::did_you_mean;
use crate::links::{Recorded, Span};

impl Pass<'_, '_> {
    /// `refs` (`@S1; @S2`), claimed as a citation at `range` of the body.
    pub(super) fn citation(&mut self, refs: &str, range: Range<usize>, span: Span) {
        let (html, unknown) = citation_html(
            refs,
            self.input.cite_label,
            self.known_sources,
            self.citations,
            &mut self.links,
            span,
        );
        for key in unknown {
            let near = did_you_mean(key, self.known_sources.iter().copied());
            let mut d = self.error_at(
                range.start,
                range.len(),
                format!("unknown source `{key}`: it is not in sources.toml"),
            );
            if let Some(near) = near {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            self.errors.push(d);
        }
        keep_with_previous_word(&mut self.out);
        self.out.push(Event::InlineHtml(CowStr::from(html)));
    }
}

/// The numbering of a page's sources, in order of first citation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Citations {
    pub(crate) order: Vec<String>,
    /// How many times each key of `order` was cited so far.
    uses: Vec<usize>,
    /// Every citation made, in order, as an index into `order` (a page makes dozens; a
    /// page cites a handful of keys).
    log: Vec<u32>,
}

impl Citations {
    /// Record one use of `key`: returns its number (1-based) and which use this is.
    pub(crate) fn cite(&mut self, key: &str) -> (usize, usize) {
        let index = match self.order.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                self.order.push(key.to_string());
                self.uses.push(0);
                self.order.len() - 1
            }
        };
        self.uses[index] += 1;
        self.log
            .push(u32::try_from(index).expect("fewer than 4 billion sources on a page"));
        (index + 1, self.uses[index])
    }

    /// How many citations were made.
    pub(crate) fn log_len(&self) -> usize {
        self.log.len()
    }

    /// Every citation made, in order (a key appears once per use).
    pub(crate) fn log(&self) -> impl Iterator<Item = &str> + '_ {
        self.log.iter().map(|&i| self.order[i as usize].as_str())
    }
}

/// A citation must not wrap onto a line of its own: the space before it becomes a no-break
/// space.
fn keep_with_previous_word(out: &mut [Event<'_>]) {
    if let Some(Event::Text(text)) = out.last_mut()
        && let Some(stripped) = text.strip_suffix(' ')
    {
        let mut kept = String::with_capacity(stripped.len() + 2);
        kept.push_str(stripped);
        kept.push('\u{a0}');
        *text = CowStr::from(kept);
    }
}

/// The HTML of the citation `refs`, and the keys in it that are not sources.
fn citation_html<'r>(
    refs: &'r str,
    cite_label: &str,
    known: &HashSet<&str>,
    citations: &mut Citations,
    links: &mut Recorded,
    span: Span,
) -> (String, Vec<&'r str>) {
    let mut unknown = Vec::new();
    // Room for the usual citation of one or two keys: growing the string mid-way was a
    // fifth of a citation's time.
    let mut html = String::with_capacity(64 + 16 * refs.len() + 2 * cite_label.len());
    html.push_str("<sup class=\"cite\">");
    let keys = refs
        .split([';', ','])
        .map(|k| k.trim().trim_start_matches('@').trim())
        .filter(|k| !k.is_empty());
    for (i, key) in keys.enumerate() {
        if !known.contains(key) {
            unknown.push(key);
            continue;
        }
        let (number, nth) = citations.cite(key);
        if i > 0 {
            html.push_str(", ");
        }
        // Written in place: a page has many citations.
        html.push_str("<a href=\"#ref-");
        let _ = escape_html(&mut html, key);
        html.push_str("\" id=\"cite-");
        let _ = escape_html(&mut html, key);
        // Numbers through itoa: `write!` was a tenth of the Markdown pass.
        let mut digits = itoa::Buffer::new();
        html.push('-');
        html.push_str(digits.format(nth));
        html.push_str("\" aria-label=\"");
        let _ = escape_html(&mut html, cite_label);
        let number = digits.format(number);
        html.push(' ');
        html.push_str(number);
        html.push_str("\">[");
        html.push_str(number);
        html.push_str("]</a>");
        let mut href = String::with_capacity(key.len() + 5);
        href.push_str("#ref-");
        href.push_str(key);
        links.link(&href, false, span);
        // The id as written above, without its escaping.
        href.clear();
        href.push_str("cite-");
        href.push_str(key);
        href.push('-');
        href.push_str(itoa::Buffer::new().format(nth));
        links.id(&href, span);
    }
    html.push_str("</sup>");
    (html, unknown)
}
