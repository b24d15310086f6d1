//! Reading the ids and links of rendered HTML with lol_html; the recorded parts of a page
//! are taken as recorded, the rest is read.
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::path::PathBuf;

use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

use super::*;

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
    /// The whole text of a `<style>` element that every page prints alike (the inlined
    /// stylesheet), with the addresses it makes the browser fetch ([`css_urls`]), found once
    /// for the site: not read. It is 20 KB of every page, and reading it was a tenth of
    /// this scan (BENCHMARKS.md, "Eleventh round").
    Style {
        // Read only by debug builds' comparison with the whole page.
        #[cfg_attr(not(debug_assertions), allow(dead_code))]
        css: &'a [u8],
        urls: &'a [String],
        from: Origin,
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
pub(super) static ANY: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| selector("*"));

fn selector(css: &str) -> Selector {
    css.parse().expect("the selector is valid CSS")
}

/// A handler of the elements `selector` matches, for [`Settings`].
pub(super) fn on<'h>(
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

/// [`scan()`] of a document given in parts.
pub(crate) fn scan_parts(output: &str, source: PathBuf, parts: &[Part<'_>]) -> PageLinks {
    let scan = Scan::default();
    let mut links = Reader::new(scan.link_handlers());
    // Raw HTML from Markdown is read a second time for what the site refuses there whatever
    // it points at. Only pages with raw HTML pay for looking at every element.
    let mut raw = Reader::new(scan.refusal_handlers());
    for part in parts {
        match part {
            Part::Html(html, from) => {
                scan.origin.set(*from);
                links.write(html);
                if matches!(from, Origin::Markdown { .. }) && raw.healthy {
                    scan.raw_seen.borrow_mut().extend_from_slice(html);
                    raw.write(html);
                }
            }
            Part::Known {
                recorded,
                from,
                to,
                file,
                ..
            } => scan
                .found
                .borrow_mut()
                .recorded(recorded, *from, *to, *file),
            Part::Style { urls, from, .. } => {
                let mut found = scan.found.borrow_mut();
                for url in *urls {
                    found.link(url, true, *from);
                }
            }
        }
    }
    links.end();
    raw.end();
    let links = scan.into_page_links(output, source);
    #[cfg(debug_assertions)]
    if parts.iter().any(|p| !matches!(p, Part::Html(..))) {
        same_as_reading_the_html(&links, parts);
    }
    links
}

/// What a scan gathers while the readers run: their handlers share it.
#[derive(Default)]
struct Scan<'v> {
    found: RefCell<Found<'v>>,
    /// Where the part being read was written.
    origin: Cell<Origin>,
    /// A `<style>` element's text, which may come in several chunks.
    style_text: RefCell<String>,
    /// The raw HTML from Markdown read so far, to quote a refused start tag.
    raw_seen: RefCell<Vec<u8>>,
    refused: RefCell<Vec<(String, Origin, &'static str)>>,
}

impl<'v> Scan<'v> {
    /// The elements and attributes whose values are ids or links. One handler for each
    /// attribute, so each reads only the attribute its element is known to have; for one
    /// element they run in this order, as a reader meets id, href, src.
    fn link_handlers(&self) -> Settings<'_, 'static> {
        let link = |value: &str, loads: bool| {
            self.found
                .borrow_mut()
                .link(value, loads, self.origin.get());
        };
        let fetched = |attribute: &'static str| {
            move |el: &lol_html::html_content::Element<'_, '_>| {
                if let Some(value) = el.get_attribute(attribute) {
                    link(&decoded(value), true);
                }
            }
        };
        Settings::new()
            .append_element_content_handler(on(&WITH_ID, |el| {
                if let Some(id) = el.get_attribute("id") {
                    let origin = self.origin.get();
                    self.found.borrow_mut().id(Cow::Owned(decoded(id)), origin);
                }
            }))
            .append_element_content_handler(on(&WITH_HREF, move |el| {
                if let Some(href) = el.get_attribute("href") {
                    let tag = el.tag_name();
                    let rel = (tag == "link").then(|| el.get_attribute("rel")).flatten();
                    if let Some(loads) = link_loads(&tag, rel.as_deref()) {
                        link(&decoded(href), loads);
                    }
                }
            }))
            .append_element_content_handler(on(&WITH_SRC, fetched("src")))
            .append_element_content_handler(on(&WITH_SRCSET, move |el| {
                if let Some(set) = el.get_attribute("srcset") {
                    for url in srcset_urls(&decoded(set)) {
                        link(url, true);
                    }
                }
            }))
            .append_element_content_handler(on(&WITH_POSTER, fetched("poster")))
            .append_element_content_handler(on(&WITH_BACKGROUND, fetched("background")))
            .append_element_content_handler(on(&OBJECT_DATA, fetched("data")))
            .append_element_content_handler(on(&WITH_STYLE, move |el| {
                if let Some(style) = el.get_attribute("style") {
                    for url in css_urls(&decoded(style)) {
                        link(&url, true);
                    }
                }
            }))
            .append_element_content_handler((
                Cow::Borrowed(&*STYLE),
                ElementContentHandlers::default().text(
                    move |t: &mut lol_html::html_content::TextChunk<'_>| {
                        let mut css = self.style_text.borrow_mut();
                        css.push_str(t.as_str());
                        if t.last_in_text_node() {
                            // The inlined stylesheet, the same on every page, does not come
                            // here: it is a `Part::Style`, read once for the site.
                            for url in css_urls(&css) {
                                link(&url, true);
                            }
                            css.clear();
                        }
                        Ok(())
                    },
                ),
            ))
    }

    /// What the site refuses in raw HTML from Markdown whatever it points at: scripts,
    /// `<base>`, a refresh, event handlers.
    fn refusal_handlers(&self) -> Settings<'_, 'static> {
        let refuse = |el: &lol_html::html_content::Element<'_, '_>, why: &'static str| {
            let seen = self.raw_seen.borrow();
            let range = el.source_location().bytes();
            let tag = seen.get(range).unwrap_or_default();
            let tag = String::from_utf8_lossy(tag);
            let first_line = tag.lines().next().unwrap_or_default().to_string();
            self.refused
                .borrow_mut()
                .push((first_line, self.origin.get(), why));
        };
        Settings::new().append_element_content_handler(on(&ANY, move |el| {
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
        }))
    }

    fn into_page_links(self, output: &str, source: PathBuf) -> PageLinks {
        let mut found = self.found.into_inner();
        found.finish();
        found.links.shrink_to_fit();
        found.origins.shrink_to_fit();
        PageLinks {
            output: output.to_string(),
            source,
            ids: Ids::from_sorted(&found.ids),
            duplicate_ids: found.duplicate_ids,
            links: found.links,
            origins: found.origins,
            refused: self.refused.into_inner(),
            ..PageLinks::default()
        }
    }
}

/// A rewriter that reads parts until one fails to parse. A parse failure only drops data;
/// lol_html panics if `end` follows a failed `write` (raw `<select><title>` in content does
/// that), so only a healthy rewriter is ended.
struct Reader<'h> {
    rewriter: HtmlRewriter<'h, fn(&[u8])>,
    healthy: bool,
}

impl<'h> Reader<'h> {
    fn new(settings: Settings<'h, 'static>) -> Reader<'h> {
        let ignore: fn(&[u8]) = |_| {};
        Reader {
            rewriter: HtmlRewriter::new(settings, ignore),
            healthy: true,
        }
    }

    fn write(&mut self, html: &[u8]) {
        self.healthy = self.healthy && self.rewriter.write(html).is_ok();
    }

    fn end(self) {
        if self.healthy {
            let _ = self.rewriter.end();
        }
    }
}

/// Debug builds' oracle: what was taken as recorded is what reading the whole page finds.
#[cfg(debug_assertions)]
fn same_as_reading_the_html(links: &PageLinks, parts: &[Part<'_>]) {
    let whole: Vec<u8> = parts
        .iter()
        .flat_map(|p| match p {
            Part::Html(html, _) | Part::Known { html, .. } | Part::Style { css: html, .. } => {
                html.iter().copied()
            }
        })
        .collect();
    let read = scan(&links.output, links.source.clone(), &whole);
    let names = |p: &PageLinks| {
        let dups: Vec<String> = p.duplicate_ids.iter().map(|(id, _)| id.clone()).collect();
        (p.ids.clone(), p.links.clone(), dups)
    };
    assert_eq!(
        names(links),
        names(&read),
        "recorded link data of {} differs from the HTML",
        links.output
    );
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

    /// The ids and links of `recorded` between `from` and `to`, taken as recorded from
    /// Markdown file `file`.
    fn recorded(&mut self, recorded: &'v Recorded, from: Cut, to: Cut, file: u16) {
        let at = |span: &Span| Origin::Markdown {
            file,
            span: Some(*span),
        };
        let ids = recorded.ids.iter().zip(&recorded.id_spans);
        for (id, span) in ids.skip(from.ids).take(to.ids - from.ids) {
            self.id(Cow::Borrowed(id.value), at(span));
        }
        let links = recorded.links.iter().zip(&recorded.link_spans);
        for (link, span) in links.skip(from.links).take(to.links - from.links) {
            self.link(link.value, link.loads, at(span));
        }
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
pub(super) fn help_for(problem: &str) -> Option<&'static str> {
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
pub(crate) fn css_urls(css: &str) -> Vec<String> {
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
