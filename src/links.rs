//! Checking every `href` and `src` of the rendered site: the target file exists, its
//! `#fragment` exists, ids are unique, and nothing is *loaded* from another origin (patients'
//! privacy: no fonts, scripts or images from elsewhere). Links *out* to sources are fine.

use std::borrow::{Borrow, Cow};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location};
use crate::urls;

/// What the checker needs to know about one rendered HTML file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageLinks {
    /// Output file, from the output root: `uk/risks/index.html`.
    pub output: String,
    /// The file it was made from, for messages.
    pub source: PathBuf,
    /// The template it was rendered with (`page.html`), to find the line of a problem
    /// the template wrote.
    pub template: String,
    /// Markdown files shown on the page besides its own (partials; on the print page, every
    /// page): [`Origin::Markdown`]'s `file` 1 is the first.
    pub shown: Vec<PathBuf>,
    pub ids: Ids,
    /// Each id written more than once, where it was written again.
    pub duplicate_ids: Vec<(String, Origin)>,
    pub links: Links,
    /// Where each of `links` was written, in the same order.
    pub origins: Vec<Packed>,
    /// The page repeats other pages' content (the print page): its in-page anchors mirror
    /// links already checked, and reported with the right file, on those pages.
    pub aggregate: bool,
    /// Set by [`PageLinks::settle_local_links`]: one bit per link as written, for the links
    /// taken out of `links`.
    settled: Vec<u64>,
    /// What was wrong with those: (position as written, link, origin, problem).
    settled_problems: Vec<(usize, String, Packed, &'static str)>,
    /// Raw HTML in Markdown that the site refuses whatever it links to (a script, an event
    /// handler, `<base>`, a refresh): the start tag's first line as written, where, and why.
    pub refused: Vec<(String, Origin, &'static str)>,
}

impl PageLinks {
    /// Check now the links whose check needs no other page, and keep only what was wrong
    /// with them: links to the page's own anchors (`#bladder`), checked against its ids, and
    /// links out of the site. They are two thirds of a page's links (contents, citations,
    /// the skip link, the sources' addresses), and a site keeps every page's links until all
    /// are rendered. The print page's in-page links are dropped unchecked, as [`check`]
    /// would skip them.
    /// Links to files in `outputs`, without a fragment, are settled too: they need no
    /// other page's ids.
    pub(crate) fn settle_local_links(&mut self, outputs: Option<&HashSet<String>>) {
        let mut settled = vec![0u64; self.links.len().div_ceil(64)];
        let mut problems = Vec::new();
        let mut any = false;
        let url = self.output.trim_end_matches("index.html");
        for (i, link) in self.links.iter().enumerate() {
            let Ok(problem) = judge_locally(self, url, &link, outputs) else {
                continue;
            };
            any = true;
            settled[i / 64] |= 1 << (i % 64);
            if let Some(problem) = problem {
                let origin = self.origins.get(i).copied().unwrap_or(Origin::Page.into());
                problems.push((i, link.value.to_string(), origin, problem));
            }
        }
        if !any {
            return;
        }
        let mut kept = Links::default();
        let mut origins = Vec::new();
        for (i, link) in self.links.iter().enumerate() {
            if settled[i / 64] & (1 << (i % 64)) == 0 {
                kept.push(link.value, link.loads);
                origins.push(self.origins.get(i).copied().unwrap_or(Origin::Page.into()));
            }
        }
        kept.shrink_to_fit();
        origins.shrink_to_fit();
        self.links = kept;
        self.origins = origins;
        self.settled = settled;
        self.settled_problems = problems;
    }

    /// Where link `i` of `links` stood among the links as written.
    fn written_at(&self, i: usize) -> usize {
        if self.settled.is_empty() {
            return i;
        }
        // The position of the `i`-th clear bit.
        let mut left = i;
        for (word_at, word) in self.settled.iter().enumerate() {
            let clear = (!word).count_ones() as usize;
            if left < clear {
                let mut word = !word;
                for _ in 0..left {
                    word &= word - 1;
                }
                return word_at * 64 + word.trailing_zeros() as usize;
            }
            left -= clear;
        }
        self.settled.len() * 64 + left
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link<'a> {
    pub value: &'a str,
    /// The browser fetches it to show the page (src, stylesheet, icon) rather than the
    /// reader following it.
    pub loads: bool,
}

// A site keeps the ids and links of every page until all are rendered: about 150 per page,
// a few million strings at 10,000 pages per language. They are kept in one buffer per page.

/// Where an id or a link of a page was written, so that a problem names the line to fix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Somewhere in the page: its parts could not be told apart (the print page, a template
    /// that does not print the content as it is).
    #[default]
    Page,
    /// By the template, around the Markdown.
    Template,
    /// In Markdown: the page's own file (`file` 0) or one it shows (1 and up, see
    /// [`PageLinks::shown`]), at a byte span of that file when it is known (raw HTML is
    /// read back, not recorded).
    Markdown { file: u16, span: Option<Span> },
}

/// An [`Origin`] in 8 bytes instead of 16: a site keeps one per link until every page is
/// rendered (about 80 per page, 25 MB at 10,000 pages per language unpacked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    /// The span's start; `u32::MAX` when there is no span.
    start: u32,
    /// The span's length, at most `u16::MAX` (only the underline is shorter).
    len: u16,
    /// The Markdown file's number, or one of the two values below.
    file: u16,
}

impl Packed {
    const PAGE: u16 = u16::MAX;
    const TEMPLATE: u16 = u16::MAX - 1;
}

impl From<Origin> for Packed {
    fn from(origin: Origin) -> Packed {
        let none = |file| Packed {
            start: u32::MAX,
            len: 0,
            file,
        };
        match origin {
            Origin::Page => none(Packed::PAGE),
            Origin::Template => none(Packed::TEMPLATE),
            // More Markdown files than that on one page: the print page of a huge site.
            Origin::Markdown { file, .. } if file >= Packed::TEMPLATE => none(Packed::PAGE),
            Origin::Markdown { file, span: None } => none(file),
            Origin::Markdown {
                file,
                span: Some(span),
            } => Packed {
                start: span.start,
                len: u16::try_from(span.len).unwrap_or(u16::MAX),
                file,
            },
        }
    }
}

impl From<Packed> for Origin {
    fn from(p: Packed) -> Origin {
        match p.file {
            Packed::PAGE => Origin::Page,
            Packed::TEMPLATE => Origin::Template,
            file => Origin::Markdown {
                file,
                span: (p.start != u32::MAX).then_some(Span {
                    start: p.start,
                    len: u32::from(p.len),
                }),
            },
        }
    }
}

/// Bytes `start..start + len` of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub(crate) fn new(range: std::ops::Range<usize>) -> Span {
        Span {
            start: offset(range.start),
            len: offset(range.len()),
        }
    }
}

/// The ids of a page, sorted, in one buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ids {
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

    pub(crate) fn contains(&self, id: &str) -> bool {
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

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// In sorted order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
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
pub(crate) struct Links {
    text: String,
    ends: Vec<u32>,
    loads: Vec<bool>,
}

impl Links {
    pub(crate) fn push(&mut self, value: &str, loads: bool) {
        self.text.push_str(value);
        self.ends.push(offset(self.text.len()));
        self.loads.push(loads);
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The value of link `i`.
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Link<'_>> {
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
/// (the Markdown renderer), as a reader of that HTML would find them, with the span of the
/// source that made each: the checker then need not read that HTML back, which was the
/// largest single cost of a build, and a problem points at the Markdown line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// `loads` is unused for ids.
    ids: Links,
    id_spans: Vec<Span>,
    links: Links,
    link_spans: Vec<Span>,
    /// The writer passed through markup it did not make (raw HTML in Markdown): what it
    /// recorded is incomplete, and the HTML must be read.
    pub opaque: bool,
}

impl Recorded {
    pub(crate) fn id(&mut self, id: &str, span: Span) {
        self.ids.push(id, false);
        self.id_spans.push(span);
    }

    /// Where the next id and link will go; the ids and links recorded so far are before it.
    pub(crate) fn cut(&self) -> Cut {
        Cut {
            ids: self.ids.len(),
            links: self.links.len(),
        }
    }

    /// Whether no id or link lies between `from` and `to`.
    pub(crate) fn none_between(&self, from: Cut, to: Cut) -> bool {
        from.ids >= to.ids && from.links >= to.links
    }

    /// How many ids are recorded: a slot for an id that is known only later ([`Self::insert_id`]).
    pub(crate) fn id_slot(&self) -> usize {
        self.ids.len()
    }

    /// Record `id` as if it had been recorded when `slot` was taken (a heading's id is
    /// known at its end, after the ids inside it).
    pub(crate) fn insert_id(&mut self, slot: usize, id: &str, span: Span) {
        self.ids.insert(slot, id);
        self.id_spans.insert(slot.min(self.id_spans.len()), span);
    }

    pub(crate) fn link(&mut self, value: &str, loads: bool, span: Span) {
        self.links.push(value, loads);
        self.link_spans.push(span);
    }

    /// The same ids and links, each passed through `id` and `link` (`None` keeps a link as
    /// it is), at the same places: what [`Self`] records of HTML whose attributes were
    /// rewritten that way (the print page's sections).
    pub(crate) fn map(
        &self,
        id: impl Fn(&str) -> String,
        link: impl Fn(&str) -> Option<String>,
    ) -> Recorded {
        let mut ids = Links::default();
        for i in self.ids.iter() {
            ids.push(&id(i.value), false);
        }
        let mut links = Links::default();
        for l in self.links.iter() {
            match link(l.value) {
                Some(new) => links.push(&new, l.loads),
                None => links.push(l.value, l.loads),
            }
        }
        Recorded {
            ids,
            id_spans: self.id_spans.clone(),
            links,
            link_spans: self.link_spans.clone(),
            opaque: self.opaque,
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.id_spans.shrink_to_fit();
        self.links.shrink_to_fit();
        self.link_spans.shrink_to_fit();
    }

    /// A URL that pulldown-cmark's HTML writer writes after `prefix` (`mailto:`) with its
    /// `escape_href`: recorded as a reader finds it, escaped and entities decoded.
    pub(crate) fn href(&mut self, prefix: &str, url: &str, loads: bool, span: Span) {
        let mut written = String::with_capacity(prefix.len() + url.len());
        written.push_str(prefix);
        let _ = pulldown_cmark_escape::escape_href(&mut written, url);
        self.link(&html_escape::decode_html_entities(&written), loads, span);
    }
}

/// Collect ids and links of a whole HTML document with lol_html, a maintained streaming
/// parser.
// Release builds trust what the Markdown renderer recorded; only debug builds read the
// whole page again to compare (see the end of `scan_parts`).
#[cfg_attr(not(debug_assertions), allow(dead_code))]
pub(crate) fn scan(output: &str, source: PathBuf, html: &[u8]) -> PageLinks {
    scan_parts(output, source, &[Part::Html(html, Origin::Page)])
}

/// One stretch of a rendered page, in document order.
pub(crate) enum Part<'a> {
    /// HTML to read; what it holds was written at `Origin` (a span is found later).
    Html(&'a [u8], Origin),
    /// HTML whose ids and links were recorded as it was written, from Markdown file `file`
    /// (see [`Origin::Markdown`]): it is not read. The result is the same as reading it (debug
    /// builds check it on every page) as long as it is whole elements written in the data
    /// state, which holds for Markdown without raw HTML.
    Known {
        // Read only by debug builds' comparison with the whole page.
        #[cfg_attr(not(debug_assertions), allow(dead_code))]
        html: &'a [u8],
        recorded: &'a Recorded,
        /// The ids and links of `recorded` that `html` holds: all of them, or those on one
        /// side of a [`Cut`] (the page's key facts box is printed apart from the rest).
        from: Cut,
        to: Cut,
        file: u16,
    },
}

/// A place in a [`Recorded`]: how many ids and links were recorded before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cut {
    pub ids: usize,
    pub links: usize,
}

/// Elements with an id, an href and a src. Parsed once: parsing them for every page was
/// about a tenth of the scan.
static WITH_ID: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("[id]"));
static WITH_HREF: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("[href]"));
static WITH_SRC: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("[src]"));
// Other attributes that make the browser fetch something as the page is shown.
static WITH_SRCSET: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| selector("[srcset]"));
static WITH_POSTER: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| selector("[poster]"));
static WITH_BACKGROUND: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| selector("[background]"));
static OBJECT_DATA: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| selector("object[data]"));
static WITH_STYLE: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("[style]"));
static STYLE: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("style"));
static ANY: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("*"));

fn selector(css: &str) -> Selector {
    css.parse().expect("the selector is valid CSS")
}

/// A handler of the elements `selector` matches, for [`Settings`].
fn on<'h>(
    selector: &'static std::sync::LazyLock<Selector>,
    mut f: impl FnMut(&lol_html::html_content::Element<'_, '_>) + 'h,
) -> (Cow<'static, Selector>, ElementContentHandlers<'h>) {
    (
        Cow::Borrowed(&**selector),
        ElementContentHandlers::default().element(
            move |el: &mut lol_html::html_content::Element<'_, '_>| {
                f(el);
                Ok(())
            },
        ),
    )
}

/// [`scan`] of a document given in parts.
pub(crate) fn scan_parts(output: &str, source: PathBuf, parts: &[Part<'_>]) -> PageLinks {
    let found = RefCell::new(Found::default());
    let origin = std::cell::Cell::new(Origin::Page);
    let refused = RefCell::new(Vec::new());
    // A `<style>` element's text, which may come in several chunks.
    let style_text = RefCell::new(String::new());
    // One handler for each attribute, so each reads only the attribute its element is known
    // to have; for one element they run in this order, as a reader meets id, href, src.
    let mut rewriter = HtmlRewriter::new(
        Settings::new()
            .append_element_content_handler(on(&WITH_ID, |el| {
                if let Some(id) = el.get_attribute("id") {
                    found.borrow_mut().id(Cow::Owned(decoded(id)), origin.get());
                }
            }))
            .append_element_content_handler(on(&WITH_HREF, |el| {
                if let Some(href) = el.get_attribute("href") {
                    let tag = el.tag_name();
                    let rel = (tag == "link").then(|| el.get_attribute("rel")).flatten();
                    if let Some(loads) = link_loads(&tag, rel.as_deref()) {
                        found.borrow_mut().link(&decoded(href), loads, origin.get());
                    }
                }
            }))
            .append_element_content_handler(on(&WITH_SRC, |el| {
                if let Some(src) = el.get_attribute("src") {
                    found.borrow_mut().link(&decoded(src), true, origin.get());
                }
            }))
            .append_element_content_handler(on(&WITH_SRCSET, |el| {
                if let Some(set) = el.get_attribute("srcset") {
                    for url in srcset_urls(&decoded(set)) {
                        found.borrow_mut().link(url, true, origin.get());
                    }
                }
            }))
            .append_element_content_handler(on(&WITH_POSTER, |el| {
                if let Some(poster) = el.get_attribute("poster") {
                    found
                        .borrow_mut()
                        .link(&decoded(poster), true, origin.get());
                }
            }))
            .append_element_content_handler(on(&WITH_BACKGROUND, |el| {
                if let Some(background) = el.get_attribute("background") {
                    found
                        .borrow_mut()
                        .link(&decoded(background), true, origin.get());
                }
            }))
            .append_element_content_handler(on(&OBJECT_DATA, |el| {
                if let Some(data) = el.get_attribute("data") {
                    found.borrow_mut().link(&decoded(data), true, origin.get());
                }
            }))
            .append_element_content_handler(on(&WITH_STYLE, |el| {
                if let Some(style) = el.get_attribute("style") {
                    for url in css_urls(&decoded(style)) {
                        found.borrow_mut().link(&url, true, origin.get());
                    }
                }
            }))
            .append_element_content_handler((
                Cow::Borrowed(&*STYLE),
                ElementContentHandlers::default().text(
                    |t: &mut lol_html::html_content::TextChunk<'_>| {
                        let mut css = style_text.borrow_mut();
                        css.push_str(t.as_str());
                        if t.last_in_text_node() {
                            for url in css_urls(&css) {
                                found.borrow_mut().link(&url, true, origin.get());
                            }
                            css.clear();
                        }
                        Ok(())
                    },
                ),
            )),
        |_: &[u8]| {},
    );
    // Raw HTML from Markdown is read a second time for what the site refuses there whatever
    // it points at. Only pages with raw HTML pay for looking at every element.
    let raw_seen = RefCell::new(Vec::<u8>::new());
    let refuse = |el: &lol_html::html_content::Element<'_, '_>, why: &'static str| {
        let seen = raw_seen.borrow();
        let range = el.source_location().bytes();
        let tag = seen.get(range).unwrap_or_default();
        let tag = String::from_utf8_lossy(tag);
        let first_line = tag.lines().next().unwrap_or_default().to_string();
        refused.borrow_mut().push((first_line, origin.get(), why));
    };
    let mut raw = HtmlRewriter::new(
        Settings::new().append_element_content_handler(on(&ANY, |el| {
            let tag = el.tag_name();
            if tag == "script" {
                refuse(el, SCRIPT);
            } else if tag == "base" {
                refuse(el, BASE);
            } else if tag == "meta"
                && el
                    .get_attribute("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
            {
                refuse(el, REFRESH);
            }
            let handler = el.attributes().iter().any(|a| {
                let name = a.name();
                name.len() > 2 && name.starts_with("on")
            });
            if handler {
                refuse(el, HANDLER);
            }
        })),
        |_: &[u8]| {},
    );
    let mut raw_healthy = true;
    // A parse failure only drops data. lol_html panics if `end` follows a failed `write`
    // (raw `<select><title>` in content does that), so end only a healthy rewriter.
    let mut healthy = true;
    for part in parts {
        match part {
            Part::Html(html, from) => {
                origin.set(*from);
                healthy = healthy && rewriter.write(html).is_ok();
                if matches!(from, Origin::Markdown { .. }) && raw_healthy {
                    raw_seen.borrow_mut().extend_from_slice(html);
                    raw_healthy = raw.write(html).is_ok();
                }
            }
            Part::Known {
                recorded,
                from,
                to,
                file,
                ..
            } => {
                let mut found = found.borrow_mut();
                let at = |span: &Span| Origin::Markdown {
                    file: *file,
                    span: Some(*span),
                };
                let ids = recorded.ids.iter().zip(&recorded.id_spans);
                for (id, span) in ids.skip(from.ids).take(to.ids - from.ids) {
                    found.id(Cow::Borrowed(id.value), at(span));
                }
                let links = recorded.links.iter().zip(&recorded.link_spans);
                for (link, span) in links.skip(from.links).take(to.links - from.links) {
                    found.link(link.value, link.loads, at(span));
                }
            }
        }
    }
    if healthy {
        let _ = rewriter.end();
    } else {
        drop(rewriter);
    }
    if raw_healthy {
        let _ = raw.end();
    } else {
        drop(raw);
    }
    let mut found = found.into_inner();
    found.finish();
    found.links.shrink_to_fit();
    found.origins.shrink_to_fit();
    let links = PageLinks {
        output: output.to_string(),
        source,
        ids: Ids::from_sorted(&found.ids),
        duplicate_ids: found.duplicate_ids,
        links: found.links,
        origins: found.origins,
        refused: refused.into_inner(),
        ..PageLinks::default()
    };
    #[cfg(debug_assertions)]
    if parts.iter().any(|p| matches!(p, Part::Known { .. })) {
        let whole: Vec<u8> = parts
            .iter()
            .flat_map(|p| match p {
                Part::Html(html, _) | Part::Known { html, .. } => html.iter().copied(),
            })
            .collect();
        let read = scan(output, links.source.clone(), &whole);
        let names = |p: &PageLinks| {
            let dups: Vec<String> = p.duplicate_ids.iter().map(|(id, _)| id.clone()).collect();
            (p.ids.clone(), p.links.clone(), dups)
        };
        assert_eq!(
            names(&links),
            names(&read),
            "recorded link data of {output} differs from the HTML"
        );
    }
    links
}

/// What a scan finds; ids borrow from the HTML where they can.
#[derive(Default)]
struct Found<'v> {
    /// In document order until [`Found::finish`], then sorted and without duplicates.
    ids: Vec<Cow<'v, str>>,
    id_origins: Vec<Origin>,
    duplicate_ids: Vec<(String, Origin)>,
    links: Links,
    origins: Vec<Packed>,
}

impl<'v> Found<'v> {
    fn id(&mut self, id: Cow<'v, str>, origin: Origin) {
        self.ids.push(id);
        self.id_origins.push(origin);
    }

    fn link(&mut self, value: &str, loads: bool, origin: Origin) {
        self.links.push(value, loads);
        self.origins.push(origin.into());
    }

    /// Sort the ids and take out the repeated ones, which are reported in the order they
    /// appear (a page has about 50 ids: sorting them is cheaper than hashing each).
    fn finish(&mut self) {
        let origins = std::mem::take(&mut self.id_origins);
        let mut by_id: Vec<(Cow<'v, str>, usize)> = std::mem::take(&mut self.ids)
            .into_iter()
            .enumerate()
            .map(|(at, id)| (id, at))
            .collect();
        // Of equal ids, the first in the document comes first.
        by_id.sort_unstable();
        let mut repeated: Vec<(usize, String, Origin)> = by_id
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| {
                // Point at the Markdown where one of the two is written there: the template
                // is the same on every page, the Markdown is what changed.
                let (first, again) = (origins[w[0].1], origins[w[1].1]);
                let origin = match (first, again) {
                    (Origin::Markdown { .. }, Origin::Template | Origin::Page) => first,
                    _ => again,
                };
                (w[1].1, w[1].0.to_string(), origin)
            })
            .collect();
        repeated.sort_unstable_by_key(|r| r.0);
        self.duplicate_ids = repeated
            .into_iter()
            .map(|(_, id, origin)| (id, origin))
            .collect();
        by_id.dedup_by(|a, b| a.0 == b.0);
        self.ids = by_id.into_iter().map(|(id, _)| id).collect();
    }
}

/// Keep the id and links of one element; `attr` gives an attribute's value as written.
/// An attribute value as a reader gets it: written with entities, which are decoded.
fn decoded(value: String) -> String {
    match html_escape::decode_html_entities(&value) {
        Cow::Borrowed(_) => value,
        Cow::Owned(v) => v,
    }
}

/// Whether an element `tag` with an href (and `rel`, on a `link`) makes a link to check, and
/// whether the browser loads it: `None` for `<base>` and for `<link>`s that only inform
/// (canonical and hreflang alternates are absolute by design).
fn link_loads(tag: &str, rel: Option<&str>) -> Option<bool> {
    if tag == "base" {
        return None;
    }
    if tag != "link" {
        // SVG's <image>, <use> and <feImage> fetch what their href names.
        return Some(matches!(tag, "image" | "use" | "feimage"));
    }
    let loads = rel.is_some_and(|rel| {
        rel.split_whitespace().any(|r| {
            matches!(
                r,
                "stylesheet"
                    | "icon"
                    | "preload"
                    | "modulepreload"
                    | "manifest"
                    | "prefetch"
                    | "prerender"
                    | "preconnect"
                    | "dns-prefetch"
            )
        })
    });
    loads.then_some(true)
}

const SCRIPT: &str = "a script in Markdown";
const HANDLER: &str = "an event handler (on...=) in Markdown";
const BASE: &str = "a <base> element in Markdown";
const REFRESH: &str = "a <meta http-equiv=refresh> in Markdown";

/// What to do about a problem, where there is more to say than its name.
fn help_for(problem: &str) -> Option<&'static str> {
    Some(match problem {
        SCRIPT | HANDLER => {
            "the site runs no script but its own (the templates'): remove it from the Markdown"
        }
        BASE => "it changes where every link on the page leads: remove it",
        REFRESH => "it sends readers to another address: link to it instead",
        "loads a resource from another site" => {
            "patients' privacy: nothing is loaded from another site (images, styles, fonts, \
             frames); put the file in static/ or content/ and link to it there"
        }
        _ => return None,
    })
}

/// The addresses of a `srcset` (`a.png 1x, b.png 2x`): each candidate is an address and an
/// optional descriptor, separated by commas.
fn srcset_urls(set: &str) -> impl Iterator<Item = &str> {
    set.split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
}

/// The addresses a piece of CSS (a `style` attribute or element) makes the browser fetch:
/// `url(...)`, `@import "..."`, `image-set("...")`, read with cssparser (Servo's tokenizer).
fn css_urls(css: &str) -> Vec<String> {
    let mut input = cssparser::ParserInput::new(css);
    let mut parser = cssparser::Parser::new(&mut input);
    let mut urls = Vec::new();
    css_walk(&mut parser, false, &mut urls);
    urls
}

fn css_walk(
    parser: &mut cssparser::Parser<'_, '_>,
    strings_are_urls: bool,
    urls: &mut Vec<String>,
) {
    use cssparser::Token;
    let mut importing = false;
    while let Ok(token) = parser.next() {
        let token = token.clone();
        let nested = match &token {
            Token::UnquotedUrl(url) => {
                urls.push(url.to_string());
                None
            }
            Token::QuotedString(s) if strings_are_urls || importing => {
                urls.push(s.to_string());
                importing = false;
                None
            }
            Token::AtKeyword(k) => {
                importing = k.eq_ignore_ascii_case("import");
                None
            }
            Token::Semicolon => {
                importing = false;
                None
            }
            Token::Function(name) => {
                let name = name.to_ascii_lowercase();
                Some(name == "url" || name == "src" || name.ends_with("image-set"))
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                Some(false)
            }
            _ => None,
        };
        if let Some(strings_are_urls) = nested {
            let _ = parser.parse_nested_block(|p| {
                css_walk(p, strings_are_urls, urls);
                Ok::<(), cssparser::ParseError<'_, ()>>(())
            });
        }
    }
}

/// What the checker reads to point at the line that wrote a broken link or a repeated id.
pub(crate) trait Sources: Sync {
    /// The whole text of a Markdown file (`content/risks.md`).
    fn markdown(&self, file: &Path) -> Option<String>;
    /// Where the templates write `needle`, looking in `template` (a page's template) first:
    /// the template file (`templates/base.html`) and the place in it.
    fn in_templates(&self, template: &str, needle: &str) -> Option<(PathBuf, Location)>;
}

/// Check all pages against each other and the other files written (static files, sitemap).
/// A problem written once and shown on many pages (by a template or a partial) is reported
/// once, against the line that wrote it, with the number of pages.
pub(crate) fn check<P: Borrow<PageLinks> + Sync>(
    pages: &[P],
    other_files: &HashSet<String>,
    sources: &dyn Sources,
) -> Vec<Diagnostic> {
    let by_output: HashMap<&str, &PageLinks> = pages
        .iter()
        .map(|p| (p.borrow().output.as_str(), p.borrow()))
        .collect();
    // Pages are checked in parallel (`factsheet serve` checks the whole site after every
    // edit); the errors keep the order of the pages.
    // A template writes the same links on every page of a language, relative to each: the
    // navigation, the footer, the stylesheet. Each target is checked once. The pages' own
    // lists of them are gathered a block of pages at a time: at 10,000 pages per language
    // all of them at once were a fifth of the build's peak memory.
    const BLOCK: usize = 512;
    let mut by_target: HashMap<Target, Vec<(u32, u32)>> = HashMap::new();
    let mut per_page: Vec<Vec<Problem>> = Vec::with_capacity(pages.len());
    for block in pages.chunks(BLOCK) {
        let checked: Vec<(Vec<Problem>, Vec<Deferred>)> = block
            .par_iter()
            .map(|page| check_page(page.borrow(), &by_output, other_files))
            .collect();
        for (own, deferred) in checked {
            let page = u32::try_from(per_page.len()).expect("fewer than 4 billion pages");
            for (target, link) in deferred {
                let link = u32::try_from(link).expect("fewer than 4 billion links on a page");
                by_target.entry(target).or_default().push((page, link));
            }
            per_page.push(own);
        }
    }
    let mut found: Vec<(u32, u32, &'static str)> = by_target
        .into_par_iter()
        .filter_map(|(target, uses)| {
            let problem = check_target(&target, &by_output, other_files)?;
            Some(
                uses.into_iter()
                    .map(move |(page, link)| (page, link, problem)),
            )
        })
        .flatten_iter()
        .collect();
    found.sort_unstable();
    let mut found = found.into_iter().peekable();
    let mut problems = Vec::new();
    for (i, mut own) in per_page.drain(..).enumerate() {
        let page = pages[i].borrow();
        while let Some((_, link, problem)) = found.next_if(|f| f.0 as usize == i) {
            let link = link as usize;
            let value = page.links.get(link);
            own.push(Problem {
                page,
                order: page.written_at(link) + 1,
                link: Some(problem),
                value,
                origin: page.origins.get(link).map_or(Origin::Page, |&o| o.into()),
            });
        }
        own.sort_by_key(|p| p.order);
        problems.extend(own);
    }
    report(problems.into_iter(), sources)
}

/// A template's link to another file of the site, resolved: the file from the output root
/// and the fragment.
type Target = (String, Option<String>);

/// A template's link on a page, checked with every page's: its target and its index.
type Deferred = (Target, usize);

/// One problem on one page.
struct Problem<'p> {
    page: &'p PageLinks,
    /// Where it stands on the page: 0 for repeated ids, then 1 + the link's index.
    order: usize,
    /// "broken link", or `None` for an id written twice.
    link: Option<&'static str>,
    /// The link or the id.
    value: &'p str,
    origin: Origin,
}

fn check_page<'p>(
    page: &'p PageLinks,
    by_output: &HashMap<&str, &PageLinks>,
    other_files: &HashSet<String>,
) -> (Vec<Problem<'p>>, Vec<Deferred>) {
    let mut problems = Vec::new();
    let mut deferred = Vec::new();
    for (id, origin) in &page.duplicate_ids {
        problems.push(Problem {
            page,
            order: 0,
            link: None,
            value: id,
            origin: *origin,
        });
    }
    for (value, origin, problem) in &page.refused {
        problems.push(Problem {
            page,
            order: 0,
            link: Some(problem),
            value,
            origin: *origin,
        });
    }
    for (at, value, origin, problem) in &page.settled_problems {
        problems.push(Problem {
            page,
            order: at + 1,
            link: Some(problem),
            value,
            origin: (*origin).into(),
        });
    }
    let url = page.output.trim_end_matches("index.html");
    for (i, link) in page.links.iter().enumerate() {
        let origin = page.origins.get(i).map_or(Origin::Page, |&o| o.into());
        let problem = match judge_locally(page, url, &link, None) {
            Ok(problem) => problem,
            Err((target, fragment)) if origin == Origin::Template => {
                deferred.push(((target, fragment.map(Cow::into_owned)), i));
                None
            }
            Err((target, fragment)) => check_target(
                &(target, fragment.map(Cow::into_owned)),
                by_output,
                other_files,
            ),
        };
        if let Some(problem) = problem {
            problems.push(Problem {
                page,
                order: page.written_at(i) + 1,
                link: Some(problem),
                value: link.value,
                origin,
            });
        }
    }
    (problems, deferred)
}

/// What can be told of link `link` of `page` (at `url`) without other pages: `Ok` with its
/// problem, if any; else the file it leads to, and the fragment. In-page links of the print
/// page are not checked (see [`PageLinks::aggregate`]); links to files in `outputs` without
/// a fragment are fine.
fn judge_locally<'v>(
    page: &PageLinks,
    url: &str,
    link: &Link<'v>,
    outputs: Option<&HashSet<String>>,
) -> Result<Option<&'static str>, (String, Option<Cow<'v, str>>)> {
    match leads(url, link) {
        Leads::Here(_) if page.aggregate && link.value.starts_with('#') => Ok(None),
        Leads::Here(fragment) => Ok(check_anchor(page, fragment.as_deref())),
        Leads::Decided(problem) => Ok(problem),
        Leads::There(target, None) if outputs.is_some_and(|o| o.contains(&target)) => Ok(None),
        Leads::There(target, fragment) => Err((target, fragment)),
    }
}

/// Problems that point at the same place (a line of a template or partial, on every page
/// that shows it) become one diagnostic, in the order they were first found.
fn report<'p>(
    problems: impl Iterator<Item = Problem<'p>>,
    sources: &dyn Sources,
) -> Vec<Diagnostic> {
    struct Group<'p> {
        first: Problem<'p>,
        file: PathBuf,
        location: Option<Location>,
        pages: Vec<&'p str>,
    }
    let mut groups: Vec<Group> = Vec::new();
    // File, line and column, the problem, and what tells problems at one place apart.
    type Place<'v> = (
        PathBuf,
        Option<(usize, usize)>,
        Option<&'static str>,
        &'v str,
    );
    let mut by_place: HashMap<Place, usize> = HashMap::new();
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for problem in problems {
        let (file, location) = place(&problem, sources, &mut texts);
        // A template writes different relative URLs on pages at different depths: the
        // place is what they share. Elsewhere the value tells problems at one place apart.
        // Markdown shown on several pages (a partial, the print page) writes relative URLs
        // that differ with the page's depth: a span of Markdown tells problems apart with
        // the fragment (a citation's span writes a link per source).
        let told_apart_by = match (problem.origin, &location) {
            (Origin::Template, Some(_)) => "",
            (Origin::Markdown { .. }, Some(_)) => {
                problem.value.split_once('#').map_or("", |(_, f)| f)
            }
            _ => problem.value,
        };
        let key = (
            file.clone(),
            location.as_ref().map(|l| (l.line, l.column)),
            problem.link,
            told_apart_by,
        );
        let at = problem.page.output.trim_end_matches("index.html");
        match by_place.get(&key) {
            Some(&i) => groups[i].pages.push(at),
            None => {
                by_place.insert(key, groups.len());
                groups.push(Group {
                    first: problem,
                    file,
                    location,
                    pages: vec![at],
                });
            }
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let on = match g.pages.len() {
                1 => format!("/{}", g.pages[0]),
                n => format!("{n} pages"),
            };
            let mut d = match g.first.link {
                Some(problem) => {
                    let d = Diagnostic::error(format!("{problem} on {on}: `{}`", g.first.value));
                    match help_for(problem) {
                        Some(help) => d.with_help(help),
                        None => d,
                    }
                }
                None => {
                    Diagnostic::error(format!("the id `{}` is used twice on {on}", g.first.value))
                        .with_help(match g.first.origin {
                            Origin::Template => {
                                "an id must be unique on a page: rename one of the two"
                            }
                            _ => "ids must be unique on a page: give the heading another one: ## Title {#other-id}",
                        })
                }
            }
            .in_file(&g.file);
            if let Some(l) = g.location {
                d = d.at(l);
            }
            if g.pages.len() > 1 {
                let shown: Vec<String> = g.pages.iter().take(3).map(|p| format!("/{p}")).collect();
                let more = match g.pages.len() - shown.len() {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                d = d.with_label(format!("on {}{more}", shown.join(", ")));
            }
            d
        })
        .collect()
}

/// The file and, where it can be found, the place that wrote a problem.
fn place(
    problem: &Problem<'_>,
    sources: &dyn Sources,
    texts: &mut HashMap<PathBuf, Option<String>>,
) -> (PathBuf, Option<Location>) {
    let page = problem.page;
    let value = problem.value;
    match problem.origin {
        Origin::Page => (page.source.clone(), None),
        Origin::Markdown { file, span } => {
            let file = match file {
                0 => &page.source,
                n => page.shown.get(usize::from(n) - 1).unwrap_or(&page.source),
            };
            let text = texts
                .entry(file.clone())
                .or_insert_with(|| sources.markdown(file));
            let location = text.as_deref().and_then(|text| match span {
                Some(span) => Some(Location::at(text, span.start as usize, span.len as usize)),
                // Raw HTML: the value is written there as it is, usually.
                None => problem
                    .link
                    .is_none()
                    .then(|| Location::find(text, &format!("id=\"{value}\"")))
                    .flatten()
                    .or_else(|| Location::find(text, value))
                    .or_else(|| find_attribute(text, value)),
            });
            (file.clone(), location)
        }
        Origin::Template => {
            let candidates: Vec<Cow<str>> = match problem.link {
                None => vec![format!("id=\"{value}\"").into(), value.into()],
                // `{{ root }}nope/` writes `../nope/`; `{{ url }}#x` writes `../about/#x`.
                Some(_) => {
                    let mut stripped = value;
                    while let Some(rest) = stripped
                        .strip_prefix("../")
                        .or_else(|| stripped.strip_prefix("./"))
                    {
                        stripped = rest;
                    }
                    let mut c: Vec<Cow<str>> = vec![value.into(), stripped.into()];
                    if let Some((_, fragment)) = value.split_once('#') {
                        c.push(format!("#{fragment}").into());
                    }
                    c
                }
            };
            candidates
                .iter()
                .filter(|c| !c.is_empty())
                .find_map(|c| sources.in_templates(&page.template, c))
                .map_or_else(
                    || (PathBuf::from("templates").join(&page.template), None),
                    |(file, l)| (file, Some(l)),
                )
        }
    }
}

/// The start tag, in the raw HTML of a Markdown file, with an attribute that holds `value`
/// once its entities are decoded (`href="&#106;avascript:..."`, a `srcset` or `style` naming
/// the address among others).
fn find_attribute(text: &str, value: &str) -> Option<Location> {
    let at = std::cell::Cell::new(None);
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(on(&ANY, |el| {
            if at.get().is_some() {
                return;
            }
            let range = el.source_location().bytes();
            let holds = el
                .attributes()
                .iter()
                .any(|a| html_escape::decode_html_entities(&a.value()).contains(value));
            if holds {
                at.set(Some((range.start, range.end)));
            }
        })),
        |_: &[u8]| {},
    );
    if rewriter.write(text.as_bytes()).is_ok() {
        let _ = rewriter.end();
    }
    let (start, end) = at.get()?;
    let tag = text.get(start..end)?;
    Some(Location::at(
        text,
        start,
        tag.find('\n').unwrap_or(tag.len()),
    ))
}

/// Where a link leads, as far as can be told from the link alone.
enum Leads<'v> {
    /// Nowhere to look: fine, or a problem.
    Decided(Option<&'static str>),
    /// The page itself, at a fragment.
    Here(Option<Cow<'v, str>>),
    /// Another file of the site (from the output root, `index.html` added to a folder), at
    /// a fragment.
    There(String, Option<Cow<'v, str>>),
}

fn leads<'v>(from: &str, link: &Link<'v>) -> Leads<'v> {
    let value = link.value.trim();
    if urls::is_external(value) {
        let scheme_ok = !value.to_ascii_lowercase().starts_with("javascript:");
        return Leads::Decided(match (link.loads, scheme_ok) {
            (true, _) => Some("loads a resource from another site"),
            (false, false) => Some("javascript: link"),
            _ => None,
        });
    }
    let (rest, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (value, None),
    };
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() {
        return Leads::Here(fragment);
    }
    let Some(mut target) = urls::resolve(from, &decode(path)) else {
        return Leads::Decided(Some("link climbs above the site root"));
    };
    if target.is_empty() || target.ends_with('/') {
        target.push_str("index.html");
    }
    Leads::There(target, fragment)
}

fn check_target(
    (as_page, fragment): &Target,
    pages: &HashMap<&str, &PageLinks>,
    files: &HashSet<String>,
) -> Option<&'static str> {
    match pages.get(as_page.as_str()) {
        Some(p) => check_anchor(p, fragment.as_deref()),
        None if files.contains(as_page) => None,
        None => {
            // `risks` where `risks/index.html` is a page.
            let is_folder = as_page == "index.html" || as_page.ends_with("/index.html");
            if !is_folder && pages.contains_key(format!("{as_page}/index.html").as_str()) {
                Some("link to a folder without a trailing slash (breaks relative links)")
            } else {
                Some("broken link")
            }
        }
    }
}

fn check_anchor(page: &PageLinks, fragment: Option<&str>) -> Option<&'static str> {
    match fragment {
        Some(f) if !f.is_empty() && f != "top" && !page.ids.contains(f) => Some("broken anchor"),
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

    /// No files to read: problems name the page's file only.
    struct NoSources;
    impl Sources for NoSources {
        fn markdown(&self, _: &Path) -> Option<String> {
            None
        }
        fn in_templates(&self, _: &str, _: &str) -> Option<(PathBuf, Location)> {
            None
        }
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
        let errors = check(&[a, b], &files, &NoSources);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            vec![
                "broken anchor on /: `risks/#nope`",
                "broken link on /: `gone/`"
            ]
        );
    }

    /// Links whose check needs no other page are checked as the page is read and dropped;
    /// problems come out as before, in the order the links were written, across 64-link
    /// blocks.
    #[test]
    fn settled_links_report_as_before() {
        let mut html = String::from(r#"<h2 id="here">H</h2>"#);
        for i in 0..150 {
            html.push_str(&match i % 5 {
                0 => r##"<a href="#here">ok</a>"##.to_string(),
                1 => format!(r##"<a href="#gone-{i}">x</a>"##),
                2 => format!(r#"<a href="missing-{i}/">x</a>"#),
                3 => format!(r#"<a href="https://example.org/{i}">out</a>"#),
                _ => format!(r#"<a href="../../../up-{i}/">x</a>"#),
            });
        }
        html.push_str(r#"<script src="https://cdn.example/x.js"></script>"#);
        let read = page("a/b/index.html", &html);
        let mut settled = read.clone();
        settled.settle_local_links(None);
        // Only the links to other files of the site are left.
        assert_eq!(settled.links.len(), 30);
        for i in 0..30 {
            assert_eq!(settled.written_at(i), 5 * i + 2);
            assert_eq!(settled.links.get(i), read.links.get(5 * i + 2));
        }
        let files = HashSet::new();
        let messages = |p: PageLinks| -> Vec<String> {
            check(&[p], &files, &NoSources)
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        let before = messages(read);
        assert_eq!(before.len(), 91);
        assert_eq!(before[0], "broken anchor on /a/b/: `#gone-1`");
        assert_eq!(before[1], "broken link on /a/b/: `missing-2/`");
        assert_eq!(
            before[2],
            "link climbs above the site root on /a/b/: `../../../up-4/`"
        );
        assert_eq!(
            before[90],
            "loads a resource from another site on /a/b/: `https://cdn.example/x.js`"
        );
        assert_eq!(messages(settled), before);
    }

    /// With the files the build will surely write, links to them without a fragment are
    /// settled too; links with a fragment, and to files not in the list, are left for the
    /// site-wide check, which reports them as before.
    #[test]
    fn links_to_sure_outputs_are_settled() {
        let html = r##"<a href="../ok/">a</a><a href="../missing/">b</a><a href="../ok/#part">c</a><link rel="stylesheet" href="../style.css"><a href="../ok">d</a>"##;
        let read = page("x/index.html", html);
        let outputs: HashSet<String> = ["ok/index.html", "x/index.html", "style.css"]
            .map(String::from)
            .into();
        let mut settled = read.clone();
        settled.settle_local_links(Some(&outputs));
        let left: Vec<&str> = settled.links.iter().map(|l| l.value).collect();
        assert_eq!(left, ["../missing/", "../ok/#part", "../ok"]);
        let target = page("ok/index.html", r#"<h2 id="other">O</h2>"#);
        let files: HashSet<String> = ["style.css".to_string()].into();
        let messages = |p: PageLinks| -> Vec<String> {
            check(&[p, target.clone()], &files, &NoSources)
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        let before = messages(read);
        assert_eq!(
            before,
            [
                "broken link on /x/: `../missing/`",
                "broken anchor on /x/: `../ok/#part`",
                "link to a folder without a trailing slash (breaks relative links) on /x/: `../ok`"
            ]
        );
        assert_eq!(messages(settled), before);
    }

    /// Template links are checked once per target, yet every page that has a broken one
    /// counts, in page order, after the page's own problems that come before it.
    #[test]
    fn template_links_are_checked_once_per_target_for_every_page() {
        let template = |output: &str, html: &str| {
            let mut p = scan_parts(
                output,
                PathBuf::from("content/x.md"),
                &[Part::Html(html.as_bytes(), Origin::Template)],
            );
            p.template = "page.html".into();
            p
        };
        let home = template(
            "index.html",
            r##"<a href="gone/">g</a><a href="a/#nope">n</a><a href="#main">m</a>"##,
        );
        let a = template(
            "a/index.html",
            r##"<a href="../gone/">g</a><a href="./#nope">n</a><a href="../a">f</a><main id="main"></main>"##,
        );
        let errors = check(&[home, a], &HashSet::new(), &NoSources);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            [
                // Found nowhere in the templates: one error per value, with its pages.
                "broken link on /: `gone/`",
                "broken anchor on /: `a/#nope`",
                "broken anchor on /: `#main`",
                "broken link on /a/: `../gone/`",
                "broken anchor on /a/: `./#nope`",
                "link to a folder without a trailing slash (breaks relative links) on /a/: `../a`",
            ]
        );
    }

    #[test]
    fn external_loads_are_errors_but_links_out_are_not() {
        let a = page(
            "index.html",
            r#"<a href="https://www.nice.org.uk/">NICE</a><img src="https://cdn.example/x.png" alt=""><link rel="stylesheet" href="https://fonts.example/css"><link rel="canonical" href="https://example.org/">"#,
        );
        let errors = check(&[a], &HashSet::new(), &NoSources);
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
        assert!(check(&[a], &HashSet::new(), &NoSources).is_empty());
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let a = page("index.html", r#"<h2 id="a">1</h2><h2 id="a">2</h2>"#);
        assert_eq!(
            check(&[a], &HashSet::new(), &NoSources)[0].message,
            "the id `a` is used twice on /"
        );
    }

    #[test]
    fn repeated_ids_are_listed_in_document_order() {
        let a = page(
            "index.html",
            r#"<p id="z"></p><p id="b"></p><p id="z"></p><p id="a"></p><p id="b"></p><p id="z"></p>"#,
        );
        let repeated: Vec<&str> = a.duplicate_ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(repeated, ["z", "b", "z"]);
        assert_eq!(a.ids.iter().collect::<Vec<_>>(), ["a", "b", "z"]);
    }

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
    fn origins_pack_into_eight_bytes_and_back() {
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        let span = |start, len| Some(Span { start, len });
        for origin in [
            Origin::Page,
            Origin::Template,
            Origin::Markdown {
                file: 0,
                span: None,
            },
            Origin::Markdown {
                file: 3,
                span: span(70_000, 12),
            },
        ] {
            assert_eq!(Origin::from(Packed::from(origin)), origin);
        }
        // Only the underline of a longer span is shorter.
        let long = Origin::Markdown {
            file: 0,
            span: span(1, 70_000),
        };
        assert_eq!(
            Origin::from(Packed::from(long)),
            Origin::Markdown {
                file: 0,
                span: span(1, u32::from(u16::MAX))
            }
        );
    }

    #[test]
    fn ids_are_kept_sorted_in_one_buffer() {
        let ids: Ids = ["b", "a", "c", "a"].into_iter().collect();
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(ids.contains("a") && ids.contains("c") && !ids.contains("") && !ids.contains("d"));
    }
}
