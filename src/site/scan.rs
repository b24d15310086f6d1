//! The splice of recorded links: the Markdown renderer recorded the ids and links its HTML
//! holds (`markdown::Rendered::links`); here that HTML is found again in the page the
//! template wrote, so that the link check reads only the rest of the page
//! (`links::Part::Known`). A speed trade: reading every page back whole was a quarter of the
//! CPU of a 1,000-page build (`4b2e677`). Kept apart so that the render reads as the rules. It lives in `site`,
//! not in `links`: it takes `markdown::Rendered`, and `markdown` already uses `links`.

use std::path::Path;

use crate::content::Page;
use crate::links::{self, PageLinks};
use crate::markdown;

/// The ids and links of a rendered page. The Markdown renderer recorded those of the page's
/// content and of the partials; where the template printed them as they are, only the rest
/// of the page is read (a third of it on a typical page), and a problem in them points at
/// their Markdown.
pub(super) fn scan_page(
    page: &Page,
    output: &str,
    html: &[u8],
    md: &markdown::Rendered,
    shown: &[(&str, &Path, &links::Recorded)],
    style: Option<&InlineStyle<'_>>,
) -> PageLinks {
    use links::Cut;
    /// Rendered Markdown found in the page: its range in `html`, its recorded links, the
    /// part of them in that range, and its file's number (0 the page, then partials).
    type Known<'r> = (std::ops::Range<usize>, &'r links::Recorded, (Cut, Cut), u16);
    let mut known: Vec<Known> = Vec::new();
    // What is neither the page's Markdown nor other Markdown shown on it. Where the
    // content is not found as it was rendered (a template that changes it), its links
    // cannot be told apart from the template's.
    let mut rest = links::Origin::Template;
    // The key facts box and the rest of the content are printed apart.
    let (key_facts, after) = md.split_key_facts();
    let cut = md.key_facts.map_or(Cut::default(), |k| k.cut);
    let pieces = [
        (key_facts, Cut::default(), cut),
        (after, cut, md.links.cut()),
    ];
    for (text, from, to) in pieces {
        if text.is_empty() {
            continue;
        }
        match find(html, text) {
            Some(start) => known.push((start..start + text.len(), &md.links, (from, to), 0)),
            None if md.links.none_between(from, to) => {}
            None => rest = links::Origin::Page,
        }
    }
    let mut files = Vec::new();
    for (text, file, recorded) in shown {
        let Some(start) = (!text.is_empty()).then(|| find(html, text)).flatten() else {
            continue;
        };
        let range = start..start + text.len();
        if known
            .iter()
            .any(|(r, ..)| r.start < range.end && range.start < r.end)
        {
            continue;
        }
        files.push(file.to_path_buf());
        let number = u16::try_from(files.len()).unwrap_or(u16::MAX);
        known.push((range, recorded, (Cut::default(), recorded.cut()), number));
    }
    // The inlined stylesheet, where the template printed it as a style element's whole
    // text, and before the first rendered Markdown (in the head).
    let style = style
        .and_then(|s| Some((s.find(html)?, s)))
        .filter(|(r, _)| known.iter().all(|(k, ..)| r.end <= k.start));
    known.sort_by_key(|(r, ..)| r.start);
    let mut parts = Vec::with_capacity(2 * known.len() + 3);
    let mut at = 0;
    if let Some((range, style)) = style {
        parts.push(links::Part::Html(&html[..range.start], rest));
        parts.push(links::Part::Style {
            css: &html[range.clone()],
            urls: &style.urls,
            from: rest,
        });
        at = range.end;
    }
    for (range, recorded, (from, to), file) in &known {
        parts.push(links::Part::Html(&html[at..range.start], rest));
        let html = &html[range.clone()];
        parts.push(if recorded.opaque {
            // Raw HTML: read, but still known to come from this file.
            links::Part::Html(
                html,
                links::Origin::Markdown {
                    file: *file,
                    span: None,
                },
            )
        } else {
            links::Part::Known {
                html,
                recorded,
                from: *from,
                to: *to,
                file: *file,
            }
        });
        at = range.end;
    }
    parts.push(links::Part::Html(&html[at..], rest));
    let mut scanned = links::scan_parts(output, page.file.clone(), &parts);
    scanned.shown = files;
    scanned
}

/// Where `needle` (a page's content, kilobytes long) stands in `html`. Searching for a short
/// prefix and comparing the rest is several times cheaper than preparing a search for the
/// whole needle.
fn find(html: &[u8], needle: &str) -> Option<usize> {
    let mut prefix_len = needle.len().min(64);
    while !needle.is_char_boundary(prefix_len) {
        prefix_len -= 1;
    }
    memchr::memmem::find_iter(html, &needle.as_bytes()[..prefix_len])
        .find(|&at| html[at..].starts_with(needle.as_bytes()))
}

/// The stylesheet every page carries in a `<style>` element, and the addresses in it, found
/// once for the site (see [`links::Part::Style`]).
pub(super) struct InlineStyle<'a> {
    css: &'a str,
    urls: Vec<String>,
}

impl<'a> InlineStyle<'a> {
    pub(super) fn new(css: &'a str) -> InlineStyle<'a> {
        InlineStyle {
            css,
            urls: links::css_urls(css),
        }
    }

    /// Where the stylesheet is in `html` as the whole text of a `<style>` element (the
    /// element has no attributes: anything else is read as the rest of the page is).
    fn find(&self, html: &[u8]) -> Option<std::ops::Range<usize>> {
        const OPEN: &[u8] = b"<style>";
        let start = memchr::memmem::find(html, OPEN)? + OPEN.len();
        let end = start + self.css.len();
        let whole =
            html.get(start..end)? == self.css.as_bytes() && html[end..].starts_with(b"</style>");
        whole.then_some(start..end)
    }
}
