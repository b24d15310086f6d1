//! Blocks the site gives a meaning of its own: quotes that are callouts and care cards
//! (crate::callouts), and raw HTML, whose comments are left out.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::escape_html;

use super::Pass;
use super::text::flush_block;
use crate::callouts;
use crate::diagnostic::did_you_mean;
use crate::links::Span;

impl<'a> Pass<'a, '_> {
    /// A quote opening or closing: a callout's is replaced by its box. Returns whether the
    /// event was taken.
    pub(super) fn callout_edge(&mut self, event: &Event<'a>, range: &Range<usize>) -> bool {
        match event {
            Event::Start(Tag::BlockQuote(gfm)) => self.quote_start(*gfm, range),
            // The guard pops every quote, a callout or not.
            Event::End(TagEnd::BlockQuote(_)) if self.quotes.pop() == Some(true) => {
                self.title_line = None;
                self.out.push(Event::Html(CowStr::from("</div>\n")));
                true
            }
            _ => false,
        }
    }

    fn quote_start(&mut self, gfm: Option<BlockQuoteKind>, range: &Range<usize>) -> bool {
        let line = self.body[range.start..].lines().next().unwrap_or("");
        let marker = callouts::marker(line);
        let kind = gfm.map(callouts::Kind::from_gfm);
        let kind = match (kind, &marker) {
            (Some(kind), _) => Some(kind),
            (None, Some(m)) if m.kind.is_some() => m.kind,
            (None, Some(m)) => {
                let at = range.start + m.range.start;
                let mut d = self.error_at(
                    at,
                    m.range.len(),
                    format!("unknown callout `[!{}]`", m.word),
                );
                let names = [
                    "NOTE",
                    "TIP",
                    "IMPORTANT",
                    "WARNING",
                    "CAUTION",
                    "EMERGENCY",
                    "URGENT",
                    "DOCTOR",
                ];
                d = d.with_help(match did_you_mean(&m.word.to_ascii_uppercase(), names) {
                    Some(near) => format!("did you mean `[!{near}]`?"),
                    None => format!("use one of {}", callouts::all_markers()),
                });
                self.errors.push(d);
                None
            }
            (None, None) => None,
        };
        self.quotes.push(kind.is_some());
        let Some(kind) = kind else {
            return false;
        };
        self.callout_count += 1;
        let id = super::headings::unique_id(
            &format!("callout-{}", self.callout_count),
            &mut self.used_ids,
        );
        let at = self.input.body_start + range.start;
        self.links.id(&id, Span::new(at..at + line.len()));
        self.out
            .push(Event::Html(CowStr::from(kind.open_html(&id))));
        let title = kind.default_title(self.input.strings);
        match gfm {
            // pulldown-cmark took the marker line: the title is the default.
            Some(_) => {
                let mut html = String::new();
                let _ = escape_html(&mut html, &title);
                html.push_str("</p>\n");
                self.out.push(Event::Html(CowStr::from(html)));
            }
            // The marker is the start of the first paragraph's text.
            None => {
                let m = marker.as_ref().expect("a known kind has a marker");
                self.title_line = Some(TitleLine {
                    marker_end: range.start + m.range.end,
                    default: title,
                    started: false,
                    written: false,
                });
            }
        }
        true
    }

    /// Inside a callout's title line: its paragraph tag and marker are taken, and the line
    /// ends the title. Returns the event to go on with, if any.
    pub(super) fn title_line(
        &mut self,
        event: Event<'a>,
        range: &Range<usize>,
    ) -> Option<Event<'a>> {
        let Some(t) = self.title_line.as_mut() else {
            return Some(event);
        };
        match &event {
            // The title's `<p>` instead of the paragraph's.
            Event::Start(Tag::Paragraph) if !t.started => {
                t.started = true;
                return None;
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                if !t.written {
                    let mut html = String::new();
                    let _ = escape_html(&mut html, &t.default);
                    self.out.push(Event::Html(CowStr::from(html)));
                }
                let more = !matches!(event, Event::End(TagEnd::Paragraph));
                self.out.push(Event::Html(CowStr::from(if more {
                    "</p>\n<p>"
                } else {
                    "</p>\n"
                })));
                self.title_line = None;
                if self.input.collect_text {
                    flush_block(&mut self.block, &mut self.text_blocks);
                }
                return None;
            }
            // The marker's text is left out; what follows it on its line is the title.
            Event::Text(text) if !t.written => {
                let cut = t.marker_end.saturating_sub(range.start).min(text.len());
                let kept = text.get(cut..).unwrap_or("").trim_start();
                if kept.is_empty() {
                    return None;
                }
                t.written = true;
                return Some(Event::Text(CowStr::from(kept.to_string())));
            }
            _ => t.written = true,
        }
        Some(event)
    }

    /// Raw HTML, without its comments. An HTML block arrives a line at a time, and a comment
    /// in it may span lines: the block is gathered whole so that its comments can be left
    /// out.
    pub(super) fn raw_html(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::Html(ref html) if self.html_block.is_some() => {
                if let Some(block) = self.html_block.as_mut() {
                    block.push_str(html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                let raw = self.html_block.take().unwrap_or_default();
                let kept = without_comments(&raw);
                if !kept.trim().is_empty() {
                    self.links.opaque = true;
                    self.out.push(Event::Start(Tag::HtmlBlock));
                    self.out.push(Event::Html(CowStr::from(kept.into_owned())));
                    self.out.push(Event::End(TagEnd::HtmlBlock));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // An inline comment is one event of its own.
                let kept = without_comments(&html);
                if !kept.is_empty() {
                    self.links.opaque = true;
                    self.out
                        .push(Event::InlineHtml(CowStr::from(kept.into_owned())));
                }
            }
            other => self.out.push(other),
        }
    }
}

/// The first line of a callout whose marker is in its text (`> [!URGENT] Get help today`).
pub(super) struct TitleLine {
    /// Where the marker ends, in the Markdown.
    marker_end: usize,
    /// The kind's title, for a marker with none of its own.
    default: String,
    /// The title's `<p>` is open.
    started: bool,
    /// Something of the title's own was written.
    written: bool,
}

/// Raw HTML without its comments: an editor's note (`<!-- check this dose -->`) is not for
/// patients, and would be readable in the page's source.
fn without_comments(html: &str) -> Cow<'_, str> {
    if !html.contains("<!") && !html.contains("<?") {
        return Cow::Borrowed(html);
    }
    let settings = lol_html::RewriteStrSettings::new().append_document_content_handler(
        lol_html::doc_comments!(|c| {
            c.remove();
            Ok(())
        }),
    );
    match lol_html::rewrite_str(html, settings) {
        Ok(kept) => Cow::Owned(kept),
        Err(_) => Cow::Borrowed(html),
    }
}
