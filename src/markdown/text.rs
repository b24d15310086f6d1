//! Text: listed phone numbers become `tel:` links, the first use of each glossary term a
//! link to its entry, and the words are gathered into blocks for the readability check and
//! the search index.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use super::resolve::link_url;
use super::{Pass, RenderInput};
use crate::diagnostic::Diagnostic;
use crate::glossary::Glossary;
use crate::links::Span;
use crate::phones::{self, PhoneBook};

impl<'a> Pass<'a, '_> {
    /// A text or inline code event at `range` of the body.
    pub(super) fn text(&mut self, event: Event<'a>, range: Range<usize>) {
        let (text, is_text) = match &event {
            Event::Text(text) => (text, !self.in_code_block),
            Event::Code(text) => (text, false),
            _ => return,
        };
        if let Some((_, h, _)) = self.heading.as_mut() {
            h.push_str(text);
        }
        if self.input.collect_text && is_text {
            self.block.push_str(text);
        }
        // Where the text is in the file: exact unless the parser changed it (entities, smart
        // quotes), then its start.
        let written = self.body.get(range.clone()) == Some(&**text);
        let start = self.input.body_start + range.start;
        let at = |offset: usize| start + if written { offset } else { 0 };
        let numbers: Vec<(Range<usize>, &phones::Phone)> = match self.input.phones {
            Some(book) if is_text => book.find(text).collect(),
            _ => Vec::new(),
        };
        if is_text {
            warn_unlisted_numbers(text, &numbers, &at, self.input, self.errors);
        }
        // No link inside a heading (its id, the contents list) or another link.
        let linkable = is_text && self.heading.is_none() && self.link_depth == 0;
        let numbers = if linkable { numbers } else { Vec::new() };
        let whole = numbers.is_empty();
        let mut done = 0;
        for (found, phone) in &numbers {
            if found.start > done {
                self.push_text(&event, &text[done..found.start], at(done), linkable, whole);
            }
            let written = &text[found.clone()];
            self.out
                .push(Event::InlineHtml(CowStr::from(phones::link_html(
                    phone,
                    written,
                    self.input.lang,
                    self.input.call_label,
                ))));
            let span = Span::new(at(found.start)..at(found.end));
            self.links.href("", &phone.href(), false, span);
            done = found.end;
        }
        if done < text.len() || whole {
            self.push_text(&event, &text[done..], at(done), linkable, whole);
        }
    }

    /// Text between phone numbers (`whole`: there are none, and `piece` is all of `event`),
    /// at byte `at` of the file, with its glossary terms linked when it is `linkable`.
    fn push_text(
        &mut self,
        event: &Event<'a>,
        piece: &str,
        at: usize,
        linkable: bool,
        whole: bool,
    ) {
        match self.glossary {
            Some(glossary) if linkable => self.link_terms(glossary, piece, at),
            _ if whole => self.out.push(event.clone()),
            _ => self.out.push(Event::Text(CowStr::from(piece.to_string()))),
        }
    }

    /// Push `text` (at byte `at` of the file) with the first use of each glossary term not
    /// yet linked on this page made a link to its entry.
    fn link_terms(&mut self, glossary: &Glossary, text: &str, at: usize) {
        let mut rest = text;
        while let Some(found) = glossary.find(rest, &self.glossary_linked) {
            let done = text.len() - rest.len();
            let Some(url) = self.pages.url_of(&glossary.page_key, self.input.lang) else {
                break;
            };
            let dest = link_url(self.input.from, &url, Some(found.anchor));
            if found.start > 0 {
                self.out
                    .push(Event::Text(CowStr::from(rest[..found.start].to_string())));
            }
            let span = Span::new(at + done + found.start..at + done + found.end);
            self.links.href("", &dest, false, span);
            self.out.push(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::from(dest),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }));
            self.out.push(Event::Text(CowStr::from(
                rest[found.start..found.end].to_string(),
            )));
            self.out.push(Event::End(TagEnd::Link));
            self.glossary_linked.insert(found.entry);
            rest = &rest[found.end..];
        }
        if !rest.is_empty() {
            self.out.push(Event::Text(CowStr::from(rest.to_string())));
        }
    }
}

/// Where the text of one block ends for the readability check: the start or end of any
/// block (paragraph, list, item, heading, quote, table cell...) and a line break, written as
/// Markdown or as `<br>`.
pub(super) fn is_text_boundary(event: &Event<'_>) -> bool {
    match event {
        Event::HardBreak | Event::Rule => true,
        Event::InlineHtml(html) | Event::Html(html) => {
            let tag = html.trim_start_matches('<').trim_start_matches('/');
            tag.get(..2).is_some_and(|t| t.eq_ignore_ascii_case("br"))
                || tag.get(..1).is_some_and(|t| t.eq_ignore_ascii_case("p"))
                || tag.get(..2).is_some_and(|t| t.eq_ignore_ascii_case("li"))
        }
        Event::Start(tag) => !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(tag) => !matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        _ => false,
    }
}

/// Warn about each number in `text` written like a phone number that is not one of the
/// listed numbers (`listed`, where `text` has them): nobody checked what it reaches, and
/// readers cannot tap it.
fn warn_unlisted_numbers(
    text: &str,
    listed: &[(std::ops::Range<usize>, &phones::Phone)],
    at: &dyn Fn(usize) -> usize,
    input: &RenderInput<'_>,
    errors: &mut Vec<Diagnostic>,
) {
    let mut from = 0;
    let ends = listed
        .iter()
        .map(|(r, _)| r.clone())
        .chain(std::iter::once(text.len()..text.len()));
    for next in ends {
        let mut rest = from;
        while let Some(found) = PhoneBook::unlisted(&text[rest..next.start]) {
            let (start, end) = (rest + found.start, rest + found.end);
            errors.push(
                Diagnostic::warning(format!(
                    "`{}` looks like a phone number but is not listed in site.toml: it will not be a link readers can tap",
                    &text[start..end]
                ))
                .in_file(input.file)
                .at_offset(input.file_text, at(start), end - start)
                .with_help(
                    "add it to site.toml as `[[phones]]` with `number` and what it `reaches` in each language",
                ),
            );
            rest = end;
        }
        from = next.end;
    }
}

pub(super) fn flush_block(block: &mut String, blocks: &mut Vec<String>) {
    let trimmed = block.trim();
    if !trimmed.is_empty() {
        blocks.push(trimmed.to_string());
    }
    block.clear();
}
