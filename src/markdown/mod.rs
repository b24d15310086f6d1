//! Markdown to HTML with pulldown-cmark, plus what the site adds on top:
//! citations (`[@S1; @S2]`), links to other pages written as paths to their Markdown file
//! (`risks.md#bladder`), stable readable heading ids, the table of contents, and the plain
//! text the readability check reads.
//!
//! `render` feeds each event of the parser to a `Pass`, which keeps what the page has
//! seen so far and has one method per family of events, each in the file named for it:
//! - `blocks`: callouts and care cards, raw HTML;
//! - `headings`: heading ids, the table of contents, the key facts box;
//! - `resolve`: links and images, `page.md` links and `mailto:`;
//! - `cite`: citations and their numbering;
//! - `text`: text, phone numbers, glossary links and the text blocks for readability.

mod blocks;
mod cite;
mod headings;
mod resolve;
mod text;

// Hashed with foldhash: the sources and ids are asked once per citation and heading.
use foldhash::HashSet;
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::glossary::Glossary;
use crate::links::{Cut, Recorded, Span};
use crate::phones::PhoneBook;

pub(crate) use cite::Citations;

/// Finds pages for links written as `something.md`.
pub(crate) trait PageIndex: Sync {
    /// The output URL path (`uk/risks/`) of the page with `key` in `lang`, if it exists.
    fn url_of(&self, key: &str, lang: &str) -> Option<String>;
    /// Every page key, for "did you mean" suggestions.
    fn keys(&self) -> Vec<&str>;
    /// The file of the draft left out of this build with `key` in `lang`, if there is one.
    fn draft(&self, key: &str, lang: &str) -> Option<&std::path::Path> {
        let _ = (key, lang);
        None
    }
    /// The output URL path of the page with `key` left untranslated on purpose
    /// (`translation = false`), where a link from a language it lacks goes instead.
    fn original_of(&self, key: &str) -> Option<String> {
        let _ = key;
        None
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct TocEntry {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) children: Vec<TocEntry>,
}

pub(crate) struct RenderInput<'a> {
    /// The whole file, so that errors point at lines of the file.
    pub(crate) file_text: &'a str,
    /// Where the Markdown starts in `file_text`.
    pub(crate) body_start: usize,
    pub(crate) file: &'a std::path::Path,
    pub(crate) lang: &'a str,
    /// Folder of the file relative to `content/` (`` or `topics`), for relative `.md` links.
    pub(crate) dir: &'a str,
    /// URL path of the page showing the HTML: links to other pages are relative to it.
    pub(crate) from: &'a str,
    /// Collect the plain text, for the readability check and the search index.
    pub(crate) collect_text: bool,
    /// Accessible name of a citation link, before the number: "Source".
    pub(crate) cite_label: &'a str,
    /// Link the first use of each of its terms to the glossary page (not on that page).
    pub(crate) glossary: Option<&'a Glossary>,
    /// The address a `[](mailto:)` link gets (`feedback_email` in site.toml).
    pub(crate) feedback_email: Option<&'a str>,
    /// The numbers that become `tel:` links (site.toml `[[phones]]`).
    pub(crate) phones: Option<&'a PhoneBook>,
    /// A `tel:` link's accessible name: `Call {number}: {reaches}`.
    pub(crate) call_label: &'a str,
    /// The UI strings of the page's language: callouts' default titles.
    pub(crate) strings: Option<&'a std::collections::BTreeMap<String, String>>,
}

pub(crate) struct Rendered {
    pub(crate) html: String,
    pub(crate) toc: Vec<TocEntry>,
    /// Text of each paragraph, list item, heading and table cell, for readability (empty
    /// unless `collect_text`).
    pub(crate) text_blocks: Vec<String>,
    /// Each heading, with where its text blocks start in `text_blocks` (0 unless
    /// `collect_text`): the search index cuts the page into sections with them.
    pub(crate) headings: Vec<HeadingAt>,
    /// The ids and links of `html`, for the link check (see [`crate::links::Part::Known`]).
    pub(crate) links: Recorded,
    /// A link to another page was written relative to [`RenderInput`]'s `from`: the same
    /// Markdown renders differently on pages in other folders.
    pub(crate) links_to_pages: bool,
    /// The page opens with a `{#key-facts}` heading, rendered as a key facts box.
    pub(crate) key_facts: Option<KeyFacts>,
}

/// Where the key facts box ends: templates print the box and the rest apart, with "On this
/// page" between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyFacts {
    /// In `html`: the box is `html[..end]`, closing tag and line break included.
    pub(crate) end: usize,
    /// In `links`: the ids and links inside the box are those before `cut`.
    pub(crate) cut: Cut,
}

impl Rendered {
    /// The key facts box, and the content after it (all of it when there is no box).
    pub(crate) fn split_key_facts(&self) -> (&str, &str) {
        self.html.split_at(self.key_facts.map_or(0, |k| k.end))
    }
}

/// A heading among a page's text blocks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadingAt {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) text: String,
    /// Where the heading's own text block is (or would be: a heading of code only has none).
    pub(crate) at: usize,
    /// The first text block after the heading's own.
    pub(crate) first_block: usize,
}

pub fn options() -> Options {
    // GFM: alerts (`> [!NOTE]`), see crate::callouts.
    Options::ENABLE_GFM
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Render Markdown; `known_sources` are the valid citation keys. Errors are collected, not
/// fatal: the HTML is still produced so that every problem of a page is reported at once.
pub(crate) fn render<'a>(
    input: &RenderInput<'a>,
    pages: &dyn PageIndex,
    known_sources: &HashSet<&str>,
    citations: &mut Citations,
    errors: &mut Vec<Diagnostic>,
) -> Rendered {
    let body = &input.file_text[input.body_start..];
    // `[@S1]` is a shortcut reference link with no definition: claim it as a citation. Its
    // destination is the reference itself, borrowed (a page has dozens of citations); only
    // links claimed here have a link type `*Unknown`.
    let callback = |link: BrokenLink<'a>| -> Option<(CowStr<'a>, CowStr<'a>)> {
        let reference = match link.reference {
            CowStr::Borrowed(r) => CowStr::Borrowed(r.trim()),
            other => CowStr::from(other.trim().to_string()),
        };
        let claimed = reference.starts_with('@');
        claimed.then_some((reference, CowStr::Borrowed("")))
    };
    let parser = Parser::new_with_broken_link_callback(body, options(), Some(callback));
    let mut pass = Pass::new(input, body, pages, known_sources, citations, errors);
    for (event, range) in parser.into_offset_iter() {
        pass.event(event, range);
    }
    pass.finish()
}

/// What one Markdown pass over a page has seen so far, and the events it hands on to
/// pulldown-cmark's HTML writer.
struct Pass<'a, 'p> {
    input: &'p RenderInput<'a>,
    /// The Markdown, `input.file_text` after the front matter.
    body: &'a str,
    pages: &'p dyn PageIndex,
    known_sources: &'p HashSet<&'p str>,
    citations: &'p mut Citations,
    errors: &'p mut Vec<Diagnostic>,
    glossary: Option<&'a Glossary>,
    out: Vec<Event<'a>>,
    used_ids: HashSet<String>,
    // What pulldown-cmark's HTML writer will put in id, href and src attributes, in order.
    links: Recorded,
    links_to_pages: bool,
    // Headings: the open one's index in `out`, its text, and where it starts in the body;
    // where its id goes among `links`; each heading's index in `out` and the ids and links
    // recorded before it.
    heading: Option<(usize, String, Range<usize>)>,
    heading_id_slot: usize,
    heading_cuts: Vec<(usize, Cut)>,
    headings: Vec<HeadingAt>,
    // Text blocks for readability: the one being read, those done, and where the current
    // heading's own block goes.
    block: String,
    text_blocks: Vec<String>,
    heading_block: usize,
    // Links: a citation's text is skipped; inside a link or image no glossary link may
    // start; `(index in out, address)` of a `mailto:` link still waiting for its text.
    skip_until_link_end: bool,
    link_depth: usize,
    mailto_fill: Option<(usize, &'a str)>,
    glossary_linked: std::collections::HashSet<usize>,
    in_code_block: bool,
    // The raw HTML block being read, until its end.
    html_block: Option<String>,
    // Per open quote: whether it is a callout. The title line of the callout being opened.
    quotes: Vec<bool>,
    title_line: Option<blocks::TitleLine>,
    callout_count: usize,
}

impl<'a, 'p> Pass<'a, 'p> {
    fn new(
        input: &'p RenderInput<'a>,
        body: &'a str,
        pages: &'p dyn PageIndex,
        known_sources: &'p HashSet<&'p str>,
        citations: &'p mut Citations,
        errors: &'p mut Vec<Diagnostic>,
    ) -> Self {
        Pass {
            input,
            body,
            pages,
            known_sources,
            citations,
            errors,
            glossary: input.glossary.filter(|g| !g.is_empty()),
            // About one event per 19 bytes of Markdown on the corpus, 23 on the real site:
            // room for one per 16 means the list seldom grows (and copies itself) mid-page.
            out: Vec::with_capacity(body.len() / 16),
            used_ids: HashSet::default(),
            links: Recorded::default(),
            links_to_pages: false,
            heading: None,
            heading_id_slot: 0,
            heading_cuts: Vec::new(),
            headings: Vec::new(),
            block: String::new(),
            text_blocks: Vec::new(),
            heading_block: 0,
            skip_until_link_end: false,
            link_depth: 0,
            mailto_fill: None,
            glossary_linked: std::collections::HashSet::new(),
            in_code_block: false,
            html_block: None,
            quotes: Vec::new(),
            title_line: None,
            callout_count: 0,
        }
    }

    /// An error at `offset..offset + len` of the body.
    fn error_at(&self, offset: usize, len: usize, message: String) -> Diagnostic {
        Diagnostic::error(message)
            .in_file(self.input.file)
            .at_offset(self.input.file_text, self.input.body_start + offset, len)
    }

    /// One event of the parser, at `range` of the body.
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if self.skip_until_link_end {
            if matches!(event, Event::End(TagEnd::Link)) {
                self.skip_until_link_end = false;
            }
            return;
        }
        if self.callout_edge(&event, &range) {
            return;
        }
        let Some(event) = self.title_line(event, &range) else {
            return;
        };
        // Words never run on across blocks: "see a doctor" and a nested "if..." item are two
        // sentences, not "doctorif".
        if self.input.collect_text && text::is_text_boundary(&event) {
            text::flush_block(&mut self.block, &mut self.text_blocks);
        }
        // Where this event's Markdown is in the file, for the link check's errors.
        let span =
            Span::new(self.input.body_start + range.start..self.input.body_start + range.end);
        match event {
            Event::Start(Tag::Heading { .. }) => self.heading_start(event, range),
            Event::End(TagEnd::Heading(level)) => self.heading_end(level),
            Event::Start(Tag::Link { .. }) => self.link_start(event, range, span),
            Event::End(TagEnd::Link) => self.link_end(event),
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                self.links.href("", dest_url, true, span);
                self.link_depth += 1;
                self.out.push(event);
            }
            Event::End(TagEnd::Image) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.out.push(event);
            }
            Event::FootnoteReference(ref name) => {
                let mut href = String::with_capacity(name.len() + 1);
                href.push('#');
                href.push_str(name);
                self.links.link(&href, false, span);
                self.out.push(event);
            }
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                self.links.id(name, span);
                self.out.push(event);
            }
            Event::Start(Tag::HtmlBlock)
            | Event::End(TagEnd::HtmlBlock)
            | Event::Html(_)
            | Event::InlineHtml(_) => self.raw_html(event),
            Event::Start(Tag::CodeBlock(_)) => {
                self.in_code_block = true;
                self.out.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code_block = false;
                self.out.push(event);
            }
            Event::Text(_) | Event::Code(_) => self.text(event, range),
            Event::SoftBreak => {
                if self.input.collect_text {
                    self.block.push(' ');
                }
                self.out.push(event);
            }
            other => self.out.push(other),
        }
    }

    /// The HTML, and what the rest of the site needs to know about the page.
    fn finish(mut self) -> Rendered {
        text::flush_block(&mut self.block, &mut self.text_blocks);
        let mut html = String::with_capacity(self.body.len() * 3 / 2);
        let key_facts = match headings::wrap_key_facts(&mut self.out) {
            Some(after) => {
                let cut = self
                    .heading_cuts
                    .iter()
                    .find(|(at, _)| *at == after)
                    .map_or_else(|| self.links.cut(), |(_, cut)| *cut);
                // Both tags were inserted before `after`: the box ends where the event now at
                // `after + 2` begins to be written.
                let end = headings::write_html_noting(&mut html, self.out, after + 2);
                Some(KeyFacts { end, cut })
            }
            None => {
                pulldown_cmark::html::push_html(&mut html, self.out.into_iter());
                None
            }
        };
        Rendered {
            html,
            toc: headings::build_toc(&self.headings),
            text_blocks: self.text_blocks,
            headings: self.headings,
            links: self.links,
            links_to_pages: self.links_to_pages,
            key_facts,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
