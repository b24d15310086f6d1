//! Checking every `href` and `src` of the rendered site: the target file exists, its
//! `#fragment` exists, ids are unique, and nothing is *loaded* from another origin (patients'
//! privacy: no fonts, scripts or images from elsewhere). Links *out* to sources are fine.

use std::borrow::{Borrow, Cow};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use lol_html::{HtmlRewriter, Settings, element};
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::urls;

/// What the checker needs to know about one rendered HTML file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLinks {
    /// Output file, from the output root: `uk/risks/index.html`.
    pub output: String,
    /// The file it was made from, for messages.
    pub source: PathBuf,
    pub ids: Ids,
    pub duplicate_ids: Vec<String>,
    pub links: Links,
    /// The page repeats other pages' content (the print page): its in-page anchors mirror
    /// links already checked, and reported with the right file, on those pages.
    pub aggregate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link<'a> {
    pub value: &'a str,
    /// The browser fetches it to show the page (src, stylesheet, icon) rather than the
    /// reader following it.
    pub loads: bool,
}

// A site keeps the ids and links of every page until all are rendered: about 150 per page,
// a few million strings at 10,000 pages per language. They are kept in one buffer per page.

/// The ids of a page, sorted, in one buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    ends: Vec<u32>,
}

impl Ids {
    /// From ids already sorted and without duplicates.
    fn from_sorted<S: AsRef<str>>(sorted: &[S]) -> Ids {
        let mut ids = Ids {
            text: String::with_capacity(sorted.iter().map(|s| s.as_ref().len()).sum()),
            ends: Vec::with_capacity(sorted.len()),
        };
        for id in sorted {
            ids.text.push_str(id.as_ref());
            ids.ends.push(offset(ids.text.len()));
        }
        ids
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn contains(&self, id: &str) -> bool {
        let (mut lo, mut hi) = (0, self.ends.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// In sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Ids {
        let mut all: Vec<S> = iter.into_iter().collect();
        all.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        all.dedup_by(|a, b| a.as_ref() == b.as_ref());
        Ids::from_sorted(&all)
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a page's ids and links take less than 4 GiB")
}

/// The links of a page, in document order, in one buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    text: String,
    ends: Vec<u32>,
    loads: Vec<bool>,
}

impl Links {
    pub fn push(&mut self, value: &str, loads: bool) {
        self.text.push_str(value);
        self.ends.push(offset(self.text.len()));
        self.loads.push(loads);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Link<'_>> {
        (0..self.ends.len()).map(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
            Link {
                value: &self.text[start..self.ends[i] as usize],
                loads: self.loads[i],
            }
        })
    }

    /// Insert `value` before the entry now at `index`.
    fn insert(&mut self, index: usize, value: &str) {
        if index >= self.len() {
            return self.push(value, false);
        }
        let at = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        self.text.insert_str(at, value);
        let grow = offset(value.len());
        for end in &mut self.ends[index..] {
            *end += grow;
        }
        self.ends.insert(index, offset(at + value.len()));
        self.loads.insert(index, false);
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.loads.shrink_to_fit();
    }
}

/// Ids and links of a piece of HTML, recorded in document order by the code that wrote it
/// (the Markdown renderer), as a reader of that HTML would find them: the checker then need
/// not read that HTML back, which was the largest single cost of a build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// `loads` is unused for ids.
    ids: Links,
    links: Links,
    /// The writer passed through markup it did not make (raw HTML in Markdown): what it
    /// recorded is incomplete, and the HTML must be read.
    pub opaque: bool,
}

impl Recorded {
    pub fn id(&mut self, id: &str) {
        self.ids.push(id, false);
    }

    /// How many ids are recorded: a slot for an id that is known only later ([`Self::insert_id`]).
    pub fn id_slot(&self) -> usize {
        self.ids.len()
    }

    /// Record `id` as if it had been recorded when `slot` was taken (a heading's id is
    /// known at its end, after the ids inside it).
    pub fn insert_id(&mut self, slot: usize, id: &str) {
        self.ids.insert(slot, id);
    }

    pub fn link(&mut self, value: &str, loads: bool) {
        self.links.push(value, loads);
    }

    /// A URL that pulldown-cmark's HTML writer writes after `prefix` (`mailto:`) with its
    /// `escape_href`: recorded as a reader finds it, escaped and entities decoded.
    pub fn href(&mut self, prefix: &str, url: &str, loads: bool) {
        let mut written = String::with_capacity(prefix.len() + url.len());
        written.push_str(prefix);
        let _ = pulldown_cmark_escape::escape_href(&mut written, url);
        self.links
            .push(&html_escape::decode_html_entities(&written), loads);
    }
}

/// Collect ids and links of an HTML document with lol_html, a maintained streaming parser.
pub fn scan(output: &str, source: PathBuf, html: &[u8]) -> PageLinks {
    scan_parts(output, source, &[Part::Html(html)])
}

/// [`scan`] for a document of which the bytes `known_at` are HTML whose ids and links were
/// recorded as it was written (`known`): only the rest is read. The result is the same as
/// [`scan`]'s (debug builds check it on every page) as long as the known HTML is whole
/// elements written in the data state, which holds for Markdown without raw HTML.
pub fn scan_with_known(
    output: &str,
    source: PathBuf,
    html: &[u8],
    known_at: std::ops::Range<usize>,
    known: &Recorded,
) -> PageLinks {
    let parts = [
        Part::Html(&html[..known_at.start]),
        Part::Known(known),
        Part::Html(&html[known_at.end..]),
    ];
    let links = scan_parts(output, source, &parts);
    #[cfg(debug_assertions)]
    {
        let full = scan(output, links.source.clone(), html);
        assert_eq!(
            links, full,
            "recorded link data of {output} differs from the HTML"
        );
    }
    links
}

enum Part<'a> {
    Html(&'a [u8]),
    Known(&'a Recorded),
}

fn scan_parts(output: &str, source: PathBuf, parts: &[Part<'_>]) -> PageLinks {
    let found = RefCell::new(Found::default());
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(element!("[id], [href], [src]", |el| {
            record(&mut found.borrow_mut(), &el.tag_name(), |name| {
                el.get_attribute(name).map(Cow::Owned)
            });
            Ok(())
        })),
        |_: &[u8]| {},
    );
    // A parse failure only drops data. lol_html panics if `end` follows a failed `write`
    // (raw `<select><title>` in content does that), so end only a healthy rewriter.
    let mut healthy = true;
    for part in parts {
        match part {
            Part::Html(html) => healthy = healthy && rewriter.write(html).is_ok(),
            Part::Known(known) => {
                let mut found = found.borrow_mut();
                for id in known.ids.iter() {
                    found.id(Cow::Borrowed(id.value));
                }
                for link in known.links.iter() {
                    found.links.push(link.value, link.loads);
                }
            }
        }
    }
    if healthy {
        let _ = rewriter.end();
    } else {
        drop(rewriter);
    }
    let mut found = found.into_inner();
    found.finish();
    found.links.shrink_to_fit();
    PageLinks {
        output: output.to_string(),
        source,
        ids: Ids::from_sorted(&found.ids),
        duplicate_ids: found.duplicate_ids,
        links: found.links,
        ..PageLinks::default()
    }
}

/// What a scan finds; ids borrow from the HTML where they can.
#[derive(Default)]
struct Found<'v> {
    /// In document order until [`Found::finish`], then sorted and without duplicates.
    ids: Vec<Cow<'v, str>>,
    duplicate_ids: Vec<String>,
    links: Links,
}

impl<'v> Found<'v> {
    fn id(&mut self, id: Cow<'v, str>) {
        self.ids.push(id);
    }

    /// Sort the ids and take out the repeated ones, which are reported in the order they
    /// appear (a page has about 50 ids: sorting them is cheaper than hashing each).
    fn finish(&mut self) {
        let mut by_id: Vec<(Cow<'v, str>, usize)> = std::mem::take(&mut self.ids)
            .into_iter()
            .enumerate()
            .map(|(at, id)| (id, at))
            .collect();
        // Of equal ids, the first in the document comes first.
        by_id.sort_unstable();
        let mut repeated: Vec<(usize, String)> = by_id
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (w[1].1, w[1].0.to_string()))
            .collect();
        repeated.sort_unstable();
        self.duplicate_ids = repeated.into_iter().map(|(_, id)| id).collect();
        by_id.dedup_by(|a, b| a.0 == b.0);
        self.ids = by_id.into_iter().map(|(id, _)| id).collect();
    }
}

/// Keep the id and links of one element; `attr` gives an attribute's value as written.
fn record<'v>(found: &mut Found<'v>, tag: &str, attr: impl Fn(&str) -> Option<Cow<'v, str>>) {
    // Attribute values come as written, entities and all.
    let decoded = |name: &str| {
        attr(name).map(|v| match v {
            Cow::Borrowed(v) => html_escape::decode_html_entities(v),
            Cow::Owned(v) => Cow::Owned(html_escape::decode_html_entities(&v).into_owned()),
        })
    };
    if let Some(id) = decoded("id") {
        found.id(id);
    }
    if let Some(href) = decoded("href") {
        let loads = tag == "link"
            && attr("rel").is_some_and(|rel| {
                rel.split_whitespace().any(|r| {
                    matches!(
                        r,
                        "stylesheet"
                            | "icon"
                            | "preload"
                            | "modulepreload"
                            | "manifest"
                            | "prefetch"
                    )
                })
            });
        // Canonical and hreflang alternates are absolute by design.
        let informational = tag == "link" && !loads;
        if !informational && tag != "base" {
            found.links.push(&href, loads);
        }
    }
    if let Some(src) = decoded("src") {
        found.links.push(&src, true);
    }
}

/// Check all pages against each other and the other files written (static files, sitemap).
pub fn check<P: Borrow<PageLinks> + Sync>(
    pages: &[P],
    other_files: &HashSet<String>,
) -> Vec<Diagnostic> {
    let by_output: HashMap<&str, &PageLinks> = pages
        .iter()
        .map(|p| (p.borrow().output.as_str(), p.borrow()))
        .collect();
    // Pages are checked in parallel (`factsheet serve` checks the whole site after every
    // edit); the errors keep the order of the pages.
    let per_page: Vec<Vec<Diagnostic>> = pages
        .par_iter()
        .map(|page| check_page(page.borrow(), &by_output, other_files))
        .collect();
    per_page.into_iter().flatten().collect()
}

fn check_page(
    page: &PageLinks,
    by_output: &HashMap<&str, &PageLinks>,
    other_files: &HashSet<String>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let url = page.output.trim_end_matches("index.html");
    let at = format!("/{url}");
    for id in &page.duplicate_ids {
        errors.push(
            Diagnostic::error(format!("the id `{id}` is used twice on {at}"))
                .in_file(&page.source)
                .with_help("give one of the headings an explicit id: ## Title {#other-id}"),
        );
    }
    for link in page.links.iter() {
        if page.aggregate && link.value.starts_with('#') {
            continue;
        }
        if let Some(problem) = check_link(url, &link, page, by_output, other_files) {
            errors.push(
                Diagnostic::error(format!("{problem} on {at}: `{}`", link.value))
                    .in_file(&page.source),
            );
        }
    }
    errors
}

fn check_link(
    from: &str,
    link: &Link<'_>,
    page: &PageLinks,
    pages: &HashMap<&str, &PageLinks>,
    files: &HashSet<String>,
) -> Option<&'static str> {
    let value = link.value.trim();
    if urls::is_external(value) {
        let scheme_ok = !value.to_ascii_lowercase().starts_with("javascript:");
        return match (link.loads, scheme_ok) {
            (true, _) => Some("loads a resource from another site"),
            (false, false) => Some("javascript: link"),
            _ => None,
        };
    }
    let (rest, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (value, None),
    };
    let path = rest.split('?').next().unwrap_or(rest);
    let target_page: &PageLinks = if path.is_empty() {
        page
    } else {
        let Some(target) = urls::resolve(from, &decode(path)) else {
            return Some("link climbs above the site root");
        };
        let folder = target.is_empty() || target.ends_with('/');
        let mut as_page = target;
        if folder {
            as_page.push_str("index.html");
        }
        let target = &as_page[..as_page.len() - if folder { "index.html".len() } else { 0 }];
        match pages.get(as_page.as_str()) {
            Some(p) => p,
            None if files.contains(&as_page) => return None,
            None if pages.contains_key(format!("{target}/index.html").as_str()) => {
                return Some("link to a folder without a trailing slash (breaks relative links)");
            }
            None => return Some("broken link"),
        }
    };
    match fragment {
        Some(f) if !f.is_empty() && f != "top" && !target_page.ids.contains(&f) => {
            Some("broken anchor")
        }
        _ => None,
    }
}

fn decode(s: &str) -> Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(output: &str, html: &str) -> PageLinks {
        scan(output, PathBuf::from("content/x.md"), html.as_bytes())
    }

    #[test]
    fn finds_broken_links_and_anchors() {
        let a = page(
            "index.html",
            r##"<a href="risks/#bladder">ok</a><a href="risks/#nope">x</a><a href="gone/">x</a><link rel="stylesheet" href="style.css"><a href="#main">s</a><main id="main"></main>"##,
        );
        let b = page(
            "risks/index.html",
            r#"<h2 id="bladder">B</h2><a href="../">home</a>"#,
        );
        let files: HashSet<String> = ["style.css".to_string()].into();
        let errors = check(&[a, b], &files);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            vec![
                "broken anchor on /: `risks/#nope`",
                "broken link on /: `gone/`"
            ]
        );
    }

    #[test]
    fn external_loads_are_errors_but_links_out_are_not() {
        let a = page(
            "index.html",
            r#"<a href="https://www.nice.org.uk/">NICE</a><img src="https://cdn.example/x.png" alt=""><link rel="stylesheet" href="https://fonts.example/css"><link rel="canonical" href="https://example.org/">"#,
        );
        let errors = check(&[a], &HashSet::new());
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.message.starts_with("loads a resource from another site"))
        );
    }

    #[test]
    fn cyrillic_fragments_are_decoded() {
        let a = page(
            "index.html",
            "<a href=\"#%D1%80%D0%B8%D0%B7%D0%B8%D0%BA%D0%B8\">x</a><h2 id=\"ризики\">Ризики</h2>",
        );
        assert!(check(&[a], &HashSet::new()).is_empty());
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let a = page("index.html", r#"<h2 id="a">1</h2><h2 id="a">2</h2>"#);
        assert_eq!(
            check(&[a], &HashSet::new())[0].message,
            "the id `a` is used twice on /"
        );
    }

    #[test]
    fn repeated_ids_are_listed_in_document_order() {
        let a = page(
            "index.html",
            r#"<p id="z"></p><p id="b"></p><p id="z"></p><p id="a"></p><p id="b"></p><p id="z"></p>"#,
        );
        assert_eq!(a.duplicate_ids, ["z", "b", "z"]);
        assert_eq!(a.ids.iter().collect::<Vec<_>>(), ["a", "b", "z"]);
    }

    /// The fast tokenizer reads what lol_html reads, or leaves the page to it.
    #[test]
    fn html_that_trips_the_parser_is_not_fatal() {
        // lol_html rejects this; the scan must return, not panic.
        let p = page(
            "index.html",
            "<select><title>x</title></select><h2 id=\"a\">A</h2>",
        );
        assert!(p.duplicate_ids.is_empty());
    }

    #[test]
    fn ids_are_kept_sorted_in_one_buffer() {
        let ids: Ids = ["b", "a", "c", "a"].into_iter().collect();
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(ids.contains("a") && ids.contains("c") && !ids.contains("") && !ids.contains("d"));
    }
}
