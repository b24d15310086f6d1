//! The print page: every ordinary page of its language as a section of one document, made
//! from the HTML each page rendered for itself rather than from its Markdown again.
//!
//! A section is its page's content with every id given the section's prefix (`risks-`), and
//! the links rewritten to match: same-page `#fragment`s get the prefix, links to a page of
//! the document become in-document anchors (`#risks`, `#risks-bladder`), other relative
//! links are made relative to the print page. Headings move down one level, under the
//! section's own h2. Citations keep the numbers they have on their page, and each section
//! lists its own sources (`risks-ref-S1`), so a printed part reads as the page did on screen
//! and keeps its sources when only some pages are printed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

use crate::content::Page;
use crate::links::Recorded;
use crate::markdown::{self, Citations};
use crate::urls;

/// What an ordinary page keeps of its render for the print page of its language. Pages keep
/// it only where their language has a print page: a site without one keeps nothing more.
#[derive(PartialEq)]
pub(super) struct Printed {
    /// The page's rendered Markdown, as on the page.
    pub(super) html: String,
    /// The ids and links of `html`.
    pub(super) links: Recorded,
    /// The sources the page's own text cites (not its partials), with their numbers on the
    /// page, in number order.
    pub(super) citations: Vec<(usize, String)>,
    /// Where in `html` the key facts are, inside their box and after its heading (the
    /// handout shows them under the page's title).
    pub(super) key_facts: Option<Range<usize>>,
}

impl Printed {
    /// `body` is the part of `cites`' log that the page's own text made.
    pub(super) fn new(md: markdown::Rendered, cites: &Citations, body: Range<usize>) -> Printed {
        let own: HashSet<&str> = cites.log().skip(body.start).take(body.len()).collect();
        let citations = cites
            .order
            .iter()
            .enumerate()
            .filter(|(_, key)| own.contains(key.as_str()))
            .map(|(i, key)| (i + 1, key.clone()))
            .collect();
        let key_facts = md.key_facts.and_then(|k| inside_box(&md.html[..k.end]));
        // Kept until the print page renders: without the room left to grow.
        let mut html = md.html;
        html.shrink_to_fit();
        let mut links = md.links;
        links.shrink_to_fit();
        Printed {
            html,
            links,
            citations,
            key_facts,
        }
    }

    /// The key facts, inside their box and after its heading.
    pub(super) fn key_facts(&self) -> Option<&str> {
        self.key_facts.clone().map(|r| &self.html[r])
    }
}

/// In a key facts box as the Markdown renderer writes it (`<section ...>\n<h2 ...>...</h2>\n
/// ... </section>\n`), the part between the heading and the closing tag.
fn inside_box(html: &str) -> Option<Range<usize>> {
    let heading_end = html.find("</h")?;
    let start = heading_end + html[heading_end..].find('>')? + 1;
    let start = start + usize::from(html[start..].starts_with('\n'));
    let end = html.rfind("</section>")?;
    (start <= end).then_some(start..end)
}

/// The id of a page's section on the print page: `risks`, `home` for the home page.
pub(super) fn anchor(page: &Page) -> String {
    if page.path.is_empty() {
        "home".to_string()
    } else {
        page.path.replace('/', "-")
    }
}

/// One print document: where it is, and which pages it holds.
pub(super) struct Document {
    /// The print page's URL path.
    url: String,
    /// The URL path of each page in the document -> its section's id.
    anchors: HashMap<String, String>,
}

impl Document {
    /// `pages`: (URL path, section id) of every page in the document.
    pub(super) fn new(url: &str, pages: impl Iterator<Item = (String, String)>) -> Document {
        Document {
            url: url.to_string(),
            anchors: pages.collect(),
        }
    }
}

/// Moves one page's rendered Markdown into its section of a print document.
pub(super) struct Relocation<'d> {
    /// `risks-`
    prefix: String,
    /// Links within the page lead back to the page (the handout shows only part of it),
    /// rather than to its section.
    to_page: bool,
    /// The page's URL path, which its relative links are relative to.
    from: &'d str,
    document: &'d Document,
}

/// Elements whose attributes or name a relocation changes. Parsed once.
static RELOCATED: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| {
    "[id], [href], [src], [aria-labelledby], [aria-describedby], h1, h2, h3, h4, h5"
        .parse()
        .expect("the selector is valid CSS")
});

impl<'d> Relocation<'d> {
    /// For the page at URL path `from` whose section has the id `anchor`.
    pub(super) fn new(document: &'d Document, from: &'d str, anchor: &str) -> Self {
        Relocation {
            prefix: format!("{anchor}-"),
            to_page: false,
            from,
            document,
        }
    }

    /// For part of the page at `from` shown on the page `document` (the handout): its
    /// same-page links lead to the page itself.
    pub(super) fn excerpt(document: &'d Document, from: &'d str, anchor: &str) -> Self {
        Relocation {
            to_page: true,
            ..Relocation::new(document, from, anchor)
        }
    }

    /// An id of the page, as its section writes it.
    pub(super) fn id(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    /// A link of the page (as a reader finds it: entities decoded), as its section writes
    /// it; `None` where it stays as it is.
    pub(super) fn link(&self, href: &str) -> Option<String> {
        if let Some(fragment) = href.strip_prefix('#') {
            if self.to_page {
                return Some(format!(
                    "{}{href}",
                    urls::relative(&self.document.url, self.from)
                ));
            }
            return (!fragment.is_empty()).then(|| format!("#{}{fragment}", self.prefix));
        }
        if href.is_empty() || href.starts_with('/') || urls::is_external(href) {
            return None;
        }
        let end = href.find(['?', '#']).unwrap_or(href.len());
        let (path, rest) = href.split_at(end);
        let target = urls::resolve(self.from, path)?;
        if let Some(anchor) = self.document.anchors.get(&target) {
            match rest.strip_prefix('#') {
                Some(fragment) if !fragment.is_empty() => {
                    return Some(format!("#{anchor}-{fragment}"));
                }
                Some(_) => return Some(format!("#{anchor}")),
                None if rest.is_empty() => return Some(format!("#{anchor}")),
                // A query: the page as a file, not its section.
                None => {}
            }
        }
        let mut moved = urls::relative(&self.document.url, &target);
        moved.push_str(rest);
        (moved != href).then_some(moved)
    }

    /// The ids and links of the section, from those of the page.
    pub(super) fn recorded(&self, page: &Recorded) -> Recorded {
        page.map(|id| self.id(id), |href| self.link(href))
    }

    /// The section's HTML, from the page's. Attributes left as they are keep their bytes.
    pub(super) fn html(&self, html: &str) -> String {
        let mut out = Vec::with_capacity(html.len() + html.len() / 16);
        let mut rewriter = HtmlRewriter::new(
            Settings::new().append_element_content_handler((
                Cow::Borrowed(&*RELOCATED),
                ElementContentHandlers::default().element(|el: &mut Element<'_, '_>| {
                    self.relocate(el);
                    Ok(())
                }),
            )),
            |chunk: &[u8]| out.extend_from_slice(chunk),
        );
        // Rewriting only fails on an error from a handler, and these return none.
        let written = rewriter
            .write(html.as_bytes())
            .and_then(|()| rewriter.end());
        match (written, String::from_utf8(out)) {
            (Ok(()), Ok(section)) => section,
            // Not reached: what lol_html writes is what it was given, edited as UTF-8.
            _ => html.to_string(),
        }
    }

    fn relocate(&self, el: &mut Element<'_, '_>) {
        // Attribute values come as written, entities and all; they are written back
        // escaped (lol_html escapes the double quotes).
        let decoded = |el: &Element, name: &str| {
            el.get_attribute(name)
                .map(|v| html_escape::decode_html_entities(&v).into_owned())
        };
        let escaped = crate::templates::escape_html;
        if let Some(id) = decoded(el, "id") {
            let _ = el.set_attribute("id", &escaped(&self.id(&id)));
        }
        // Attributes naming ids of the page (the key facts box is labelled by its heading).
        for name in ["aria-labelledby", "aria-describedby"] {
            if let Some(ids) = decoded(el, name) {
                let ids: Vec<String> = ids.split_whitespace().map(|id| self.id(id)).collect();
                let _ = el.set_attribute(name, &escaped(&ids.join(" ")));
            }
        }
        for name in ["href", "src"] {
            if let Some(new) = decoded(el, name).and_then(|v| self.link(&v)) {
                let _ = el.set_attribute(name, &escaped(&new));
            }
        }
        let tag = el.tag_name();
        if let [b'h', level @ b'1'..=b'5'] = tag.as_bytes() {
            let _ = el.set_tag_name(&format!("h{}", char::from(level + 1)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Document {
        Document::new(
            "print/",
            [
                ("", "home"),
                ("risks/", "risks"),
                ("topics/dose/", "topics-dose"),
            ]
            .into_iter()
            .map(|(u, a)| (u.to_string(), a.to_string())),
        )
    }

    #[test]
    fn links_follow_the_page_into_the_document() {
        let doc = document();
        let r = Relocation::new(&doc, "topics/dose/", "topics-dose");
        let cases = [
            ("#side-effects", Some("#topics-dose-side-effects")),
            ("#", None),
            ("../../risks/#bladder", Some("#risks-bladder")),
            ("../../risks/", Some("#risks")),
            ("../../", Some("#home")),
            ("./", Some("#topics-dose")),
            // Not in the document: relative to the print page now.
            ("../../sources/#S1", Some("../sources/#S1")),
            ("../../uk/risks/", Some("../uk/risks/")),
            ("img/a%20b.png", Some("../topics/dose/img/a%20b.png")),
            ("../../risks/?q=1", Some("../risks/?q=1")),
            ("https://example.org/", None),
            ("mailto:a@example.org", None),
            ("/abs/", None),
        ];
        for (href, expected) in cases {
            assert_eq!(r.link(href).as_deref(), expected, "{href}");
        }
        // A page at the print page's depth keeps its other relative links as they are.
        let r = Relocation::new(&doc, "risks/", "risks");
        assert_eq!(r.link("../sources/#S1"), None);
    }

    #[test]
    fn html_gets_prefixed_ids_moved_links_and_lower_headings() {
        let doc = document();
        let r = Relocation::new(&doc, "risks/", "risks");
        let page = concat!(
            "<section class=\"key-facts\" aria-labelledby=\"key-facts\">\n<h2 id=\"key-facts\">Key facts</h2>\n",
            "<p>See <a href=\"#key-facts\">above</a>, <a href=\"../#why&amp;how\">home</a>",
            "<sup class=\"cite\"><a href=\"#ref-S1\" id=\"cite-S1-1\" aria-label=\"Source 5\">[5]</a></sup>.</p>\n",
            "<h6 id=\"deep\">Deep</h6><img src=\"../sources/a.png\" alt=\"\">\n",
        );
        assert_eq!(
            r.html(page),
            concat!(
                "<section class=\"key-facts\" aria-labelledby=\"risks-key-facts\">\n<h3 id=\"risks-key-facts\">Key facts</h3>\n",
                "<p>See <a href=\"#risks-key-facts\">above</a>, <a href=\"#home-why&amp;how\">home</a>",
                "<sup class=\"cite\"><a href=\"#risks-ref-S1\" id=\"risks-cite-S1-1\" aria-label=\"Source 5\">[5]</a></sup>.</p>\n",
                "<h6 id=\"risks-deep\">Deep</h6><img src=\"../sources/a.png\" alt=\"\">\n",
            )
        );
    }
}
