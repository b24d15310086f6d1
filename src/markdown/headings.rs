//! Headings: readable, unique, NFC ids; the table of contents; the key facts box a page
//! may open with.

use foldhash::HashSet;
use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use pulldown_cmark_escape::escape_html;
use unicode_normalization::UnicodeNormalization;

use super::{HeadingAt, Pass, TocEntry};
use crate::links::Span;

impl<'a> Pass<'a, '_> {
    pub(super) fn heading_start(&mut self, event: Event<'a>, range: Range<usize>) {
        let Event::Start(Tag::Heading { ref attrs, .. }) = event else {
            return;
        };
        self.heading = Some((self.out.len(), String::new(), range));
        self.heading_block = self.text_blocks.len();
        self.heading_id_slot = self.links.id_slot();
        self.heading_cuts.push((self.out.len(), self.links.cut()));
        // `{#id href=x}`: attributes the checker would read; leave them to it.
        self.links.opaque |= attrs.iter().any(|(name, _)| {
            ["id", "href", "src"]
                .iter()
                .any(|a| name.eq_ignore_ascii_case(a))
        });
        self.out.push(event);
    }

    pub(super) fn heading_end(&mut self, level: HeadingLevel) {
        if let Some((index, text, start)) = self.heading.take() {
            // Ids are NFC, so that the same words typed decomposed (as some editors and
            // keyboards do) give the same id, and links to them work.
            let explicit = match &self.out[index] {
                Event::Start(Tag::Heading { id, .. }) => id.as_ref().map(|s| nfc(s).into_owned()),
                _ => None,
            };
            // The heading's first line: a setext heading's range spans two.
            let first_line = self.body[start.clone()].find('\n').unwrap_or(start.len());
            let id = match explicit {
                Some(explicit) => {
                    if !self.used_ids.insert(explicit.clone()) {
                        let d = self
                            .error_at(
                                start.start,
                                first_line,
                                format!("heading id `{explicit}` is used twice on this page"),
                            )
                            .with_help("give each heading its own {#id}: links to it would go to the first one");
                        self.errors.push(d);
                    }
                    explicit
                }
                None => unique_id(&slugify(&nfc(&text)), &mut self.used_ids),
            };
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut self.out[index] {
                *slot = Some(CowStr::from(id.clone()));
            }
            // `escape_html` output decodes back to the id itself.
            let at = self.input.body_start + start.start;
            self.links
                .insert_id(self.heading_id_slot, &id, Span::new(at..at + first_line));
            // The heading's text block was flushed as this event began (a block end).
            self.headings.push(HeadingAt {
                level: level as u8,
                id,
                text: text.trim().to_string(),
                at: self.heading_block,
                first_block: self.text_blocks.len(),
            });
        }
        self.out.push(Event::End(TagEnd::Heading(level)));
    }
}

/// Write `events` as HTML into `html` (as `push_html` does, in one writer: footnote numbers
/// run on), and return how long `html` was when event `mark` began to be written (its
/// length at the end when there is no such event).
pub(super) fn write_html_noting(html: &mut String, events: Vec<Event<'_>>, mark: usize) -> usize {
    struct Tally<'s> {
        html: &'s mut String,
        len: &'s std::cell::Cell<usize>,
    }
    impl std::fmt::Write for Tally<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.html.push_str(s);
            self.len.set(self.html.len());
            Ok(())
        }
    }
    let len = std::cell::Cell::new(html.len());
    let noted = std::cell::Cell::new(None);
    // The writer asks for an event only once it has written the one before.
    let events = events.into_iter().enumerate().map(|(i, event)| {
        if i == mark {
            noted.set(Some(len.get()));
        }
        event
    });
    let tally = Tally { html, len: &len };
    pulldown_cmark::html::write_html_fmt(tally, events).expect("writing to a String");
    noted.get().unwrap_or(len.get())
}

/// A page that opens with a `{#key-facts}` heading gets that section (up to the next
/// heading of the same level) wrapped in a box: `<section class="key-facts">`. Returns the
/// index in `out`, before the wrapping, of the first event after the box.
pub(super) fn wrap_key_facts(out: &mut Vec<Event<'_>>) -> Option<usize> {
    let (level, id) = match out.first() {
        Some(Event::Start(Tag::Heading {
            level,
            id: Some(id),
            ..
        })) if &**id == "key-facts" => (*level, id.to_string()),
        _ => return None,
    };
    let end = out
        .iter()
        .skip(1)
        .position(|e| matches!(e, Event::Start(Tag::Heading { level: l, .. }) if *l <= level))
        .map_or(out.len(), |i| i + 1);
    out.insert(end, Event::Html(CowStr::from("</section>\n")));
    let mut open = String::from("<section class=\"key-facts\" aria-labelledby=\"");
    let _ = escape_html(&mut open, &id);
    open.push_str("\">\n");
    out.insert(0, Event::Html(CowStr::from(open)));
    Some(end)
}

/// `text` in Unicode's composed form (NFC); most headings already are, and keep their text.
fn nfc(text: &str) -> Cow<'_, str> {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// A readable id from heading text: lower case, letters of any script kept, words joined
/// with `-`. `Що таке кетамін?` -> `що-таке-кетамін`.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        // Latin and Cyrillic without Unicode's tables (`letters`): a third of the time of a
        // heading's end went to those look-ups.
        if crate::letters::is_letter_or_digit(c) {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            crate::letters::for_each_lower(c, |lower| slug.push(lower));
        } else if c.is_whitespace() || c == '-' || c == '_' || c == '/' {
            pending_dash = true;
        }
        // Other punctuation, including apostrophes (`пам'ять`), is dropped.
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

pub(super) fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Nest h3 under h2 and so on; the page title is the template's h1, so h2 is the top.
pub(super) fn build_toc(headings: &[HeadingAt]) -> Vec<TocEntry> {
    fn insert(list: &mut Vec<TocEntry>, entry: TocEntry) {
        match list.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => list.push(entry),
        }
    }
    let mut toc = Vec::new();
    for h in headings {
        insert(
            &mut toc,
            TocEntry {
                level: h.level,
                id: h.id.clone(),
                title: h.text.clone(),
                children: Vec::new(),
            },
        );
    }
    toc
}
