//! Markdown to HTML with pulldown-cmark, plus what the site adds on top:
//! citations (`[@S1; @S2]`), links to other pages written as paths to their Markdown file
//! (`risks.md#bladder`), stable readable heading ids, the table of contents, and the plain
//! text the readability check reads.

use std::borrow::Cow;
use std::collections::HashSet;

use pulldown_cmark::{
    BrokenLink, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::escape_html;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::callouts;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::glossary::Glossary;
use crate::links::{Recorded, Span};
use crate::phones::{self, PhoneBook};
use crate::urls;

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
    pub(crate) cut: crate::links::Cut,
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
    // About one event per 40 bytes of Markdown on the corpus and the real site.
    let mut out: Vec<Event> = Vec::with_capacity(body.len() / 32);
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut text_blocks = Vec::new();
    let mut headings = Vec::new();
    // Where the current heading's own text block goes in `text_blocks`.
    let mut heading_block = 0;
    let mut block = String::new();
    // The heading's index in `out`, its text, and where it starts in the file.
    let mut heading: Option<(usize, String, std::ops::Range<usize>)> = None;
    let mut skip_until_link_end = false;
    let mut in_code_block = false;
    // What pulldown-cmark's HTML writer will put in id, href and src attributes, in order.
    let mut links = Recorded::default();
    let mut heading_id_slot = 0;
    // Each heading's index in `out` and the ids and links recorded before it.
    let mut heading_cuts: Vec<(usize, crate::links::Cut)> = Vec::new();
    let mut links_to_pages = false;
    // Inside a link or image no glossary link may start; `(index in out, address)` of a
    // `mailto:` link still waiting for its text.
    let mut link_depth = 0usize;
    let mut mailto_fill: Option<(usize, &str)> = None;
    // The raw HTML block being read, until its end.
    let mut html_block: Option<String> = None;
    let mut glossary_linked: HashSet<usize> = HashSet::new();
    let glossary = input.glossary.filter(|g| !g.is_empty());
    // Per open quote: whether it is a callout. The title line of the callout being opened.
    let mut quotes: Vec<bool> = Vec::new();
    let mut title_line: Option<TitleLine> = None;
    let mut callout_count = 0usize;

    let error_at = |offset: usize, len: usize, message: String| {
        Diagnostic::error(message).in_file(input.file).at_offset(
            input.file_text,
            input.body_start + offset,
            len,
        )
    };

    for (event, range) in parser.into_offset_iter() {
        // Where this event's Markdown is in the file, for the link check's errors.
        let span = Span::new(input.body_start + range.start..input.body_start + range.end);
        if skip_until_link_end {
            if matches!(event, Event::End(TagEnd::Link)) {
                skip_until_link_end = false;
            }
            continue;
        }
        // Callouts and care cards (crate::callouts): the quote becomes a labelled box.
        let mut event = event;
        match &event {
            Event::Start(Tag::BlockQuote(gfm)) => {
                let line = body[range.start..].lines().next().unwrap_or("");
                let marker = callouts::marker(line);
                let kind = gfm.map(callouts::Kind::from_gfm);
                let kind = match (kind, &marker) {
                    (Some(kind), _) => Some(kind),
                    (None, Some(m)) if m.kind.is_some() => m.kind,
                    (None, Some(m)) => {
                        let at = range.start + m.range.start;
                        let mut d = error_at(
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
                        errors.push(d);
                        None
                    }
                    (None, None) => None,
                };
                quotes.push(kind.is_some());
                if let Some(kind) = kind {
                    callout_count += 1;
                    let id = unique_id(&format!("callout-{callout_count}"), &mut used_ids);
                    let at = input.body_start + range.start;
                    links.id(&id, Span::new(at..at + line.len()));
                    out.push(Event::Html(CowStr::from(kind.open_html(&id))));
                    let title = kind.default_title(input.strings);
                    match gfm {
                        // pulldown-cmark took the marker line: the title is the default.
                        Some(_) => {
                            let mut html = String::new();
                            let _ = escape_html(&mut html, &title);
                            html.push_str("</p>\n");
                            out.push(Event::Html(CowStr::from(html)));
                        }
                        // The marker is the start of the first paragraph's text.
                        None => {
                            let m = marker.as_ref().expect("a known kind has a marker");
                            title_line = Some(TitleLine {
                                marker_end: range.start + m.range.end,
                                default: title,
                                started: false,
                                written: false,
                            });
                        }
                    }
                    continue;
                }
            }
            // The guard pops every quote, a callout or not.
            Event::End(TagEnd::BlockQuote(_)) if quotes.pop() == Some(true) => {
                title_line = None;
                out.push(Event::Html(CowStr::from("</div>\n")));
                continue;
            }
            _ => {}
        }
        if let Some(t) = title_line.as_mut() {
            match &event {
                // The title's `<p>` instead of the paragraph's.
                Event::Start(Tag::Paragraph) if !t.started => {
                    t.started = true;
                    continue;
                }
                Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                    if !t.written {
                        let mut html = String::new();
                        let _ = escape_html(&mut html, &t.default);
                        out.push(Event::Html(CowStr::from(html)));
                    }
                    let more = !matches!(event, Event::End(TagEnd::Paragraph));
                    out.push(Event::Html(CowStr::from(if more {
                        "</p>\n<p>"
                    } else {
                        "</p>\n"
                    })));
                    title_line = None;
                    if input.collect_text {
                        flush_block(&mut block, &mut text_blocks);
                    }
                    continue;
                }
                // The marker's text is left out; what follows it on its line is the title.
                Event::Text(text) if !t.written => {
                    let cut = t.marker_end.saturating_sub(range.start).min(text.len());
                    let kept = text.get(cut..).unwrap_or("").trim_start();
                    if kept.is_empty() {
                        continue;
                    }
                    t.written = true;
                    event = Event::Text(CowStr::from(kept.to_string()));
                }
                _ => t.written = true,
            }
        }
        // Words never run on across blocks: "see a doctor" and a nested "if..." item are two
        // sentences, not "doctorif".
        if input.collect_text && is_text_boundary(&event) {
            flush_block(&mut block, &mut text_blocks);
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some((out.len(), String::new(), range.clone()));
                heading_block = text_blocks.len();
                heading_id_slot = links.id_slot();
                heading_cuts.push((out.len(), links.cut()));
                // `{#id href=x}`: attributes the checker would read; leave them to it.
                links.opaque |= attrs.iter().any(|(name, _)| {
                    ["id", "href", "src"]
                        .iter()
                        .any(|a| name.eq_ignore_ascii_case(a))
                });
                out.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((index, text, start)) = heading.take() {
                    // Ids are NFC, so that the same words typed decomposed (as some editors
                    // and keyboards do) give the same id, and links to them work.
                    let explicit = match &out[index] {
                        Event::Start(Tag::Heading { id, .. }) => {
                            id.as_ref().map(|s| nfc(s).into_owned())
                        }
                        _ => None,
                    };
                    // The heading's first line: a setext heading's range spans two.
                    let first_line = body[start.clone()].find('\n').unwrap_or(start.len());
                    let id = match explicit {
                        Some(explicit) => {
                            if !used_ids.insert(explicit.clone()) {
                                errors.push(
                                    error_at(
                                        start.start,
                                        first_line,
                                        format!("heading id `{explicit}` is used twice on this page"),
                                    )
                                    .with_help("give each heading its own {#id}: links to it would go to the first one"),
                                );
                            }
                            explicit
                        }
                        None => {
                            let base = slugify(&nfc(&text));
                            unique_id(&base, &mut used_ids)
                        }
                    };
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut out[index] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    // `escape_html` output decodes back to the id itself.
                    let at = input.body_start + start.start;
                    links.insert_id(heading_id_slot, &id, Span::new(at..at + first_line));
                    // The heading's text block was flushed as this event began (a block end).
                    headings.push(HeadingAt {
                        level: heading_level(level),
                        id,
                        text: text.trim().to_string(),
                        at: heading_block,
                        first_block: text_blocks.len(),
                    });
                }
                out.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let claimed = matches!(
                    link_type,
                    LinkType::ShortcutUnknown
                        | LinkType::CollapsedUnknown
                        | LinkType::ReferenceUnknown
                );
                if let Some(refs) = claimed.then_some(&*dest_url) {
                    let html = citation_html(
                        refs,
                        input,
                        known_sources,
                        citations,
                        (&mut links, span),
                        |key| {
                            let near = did_you_mean(key, known_sources.iter().copied());
                            let mut d = error_at(
                                range.start,
                                range.len(),
                                format!("unknown source `{key}`: it is not in sources.toml"),
                            );
                            if let Some(near) = near {
                                d = d.with_help(format!("did you mean `{near}`?"));
                            }
                            errors.push(d);
                        },
                    );
                    keep_with_previous_word(&mut out);
                    out.push(Event::InlineHtml(CowStr::from(html)));
                    skip_until_link_end = true;
                    continue;
                }
                link_depth += 1;
                if &*dest_url == "mailto:" {
                    let Some(address) = input.feedback_email else {
                        errors.push(
                            error_at(
                                range.start,
                                range.len(),
                                "`mailto:` link without an address, and site.toml sets no `feedback_email`".to_string(),
                            )
                            .with_help("add `feedback_email = \"...\"` to site.toml, or write the address in the link"),
                        );
                        links.href("", &dest_url, false, span);
                        out.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }));
                        continue;
                    };
                    let dest = format!("mailto:{address}");
                    links.href("", &dest, false, span);
                    mailto_fill = Some((out.len(), address));
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(dest),
                        title,
                        id,
                    }));
                    continue;
                }
                let dest = match resolve_link(&dest_url, input, pages) {
                    Ok(Some(resolved)) => {
                        links_to_pages = true;
                        CowStr::from(resolved)
                    }
                    Ok(None) => dest_url,
                    Err((message, help)) => {
                        let mut d = error_at(range.start, range.len(), message);
                        if let Some(help) = help {
                            d = d.with_help(help);
                        }
                        errors.push(d);
                        dest_url
                    }
                };
                let mailto = if link_type == LinkType::Email {
                    "mailto:"
                } else {
                    ""
                };
                links.href(mailto, &dest, false, span);
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                link_depth = link_depth.saturating_sub(1);
                // `[](mailto:)`: the address is also the link's text.
                if let Some((start, address)) = mailto_fill.take()
                    && start + 1 == out.len()
                {
                    out.push(Event::Text(CowStr::from(address.to_string())));
                    if input.collect_text {
                        block.push_str(address);
                    }
                }
                out.push(event);
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                links.href("", dest_url, true, span);
                link_depth += 1;
                out.push(event);
            }
            Event::End(TagEnd::Image) => {
                link_depth = link_depth.saturating_sub(1);
                out.push(event);
            }
            Event::FootnoteReference(ref name) => {
                let mut href = String::with_capacity(name.len() + 1);
                href.push('#');
                href.push_str(name);
                links.link(&href, false, span);
                out.push(event);
            }
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                links.id(name, span);
                out.push(event);
            }
            // An HTML block arrives a line at a time, and a comment in it may span lines:
            // the block is gathered whole so that its comments can be left out.
            Event::Start(Tag::HtmlBlock) => html_block = Some(String::new()),
            Event::Html(ref html) if html_block.is_some() => {
                if let Some(block) = html_block.as_mut() {
                    block.push_str(html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                let raw = html_block.take().unwrap_or_default();
                let kept = without_comments(&raw);
                if !kept.trim().is_empty() {
                    links.opaque = true;
                    out.push(Event::Start(Tag::HtmlBlock));
                    out.push(Event::Html(CowStr::from(kept.into_owned())));
                    out.push(Event::End(TagEnd::HtmlBlock));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // An inline comment is one event of its own.
                let kept = without_comments(&html);
                if !kept.is_empty() {
                    links.opaque = true;
                    out.push(Event::InlineHtml(CowStr::from(kept.into_owned())));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block = true;
                out.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                out.push(event);
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                if let Some((_, h, _)) = heading.as_mut() {
                    h.push_str(text);
                }
                if input.collect_text && !in_code_block && matches!(event, Event::Text(_)) {
                    block.push_str(text);
                }
                let is_text = matches!(event, Event::Text(_)) && !in_code_block;
                // Where the text is in the file: exact unless the parser changed it
                // (entities, smart quotes), then its start.
                let written = body.get(range.clone()) == Some(&**text);
                let at = |offset: usize| {
                    input.body_start + range.start + if written { offset } else { 0 }
                };
                let numbers: Vec<(std::ops::Range<usize>, &phones::Phone)> = match input.phones {
                    Some(book) if is_text => book.find(text).collect(),
                    _ => Vec::new(),
                };
                if is_text {
                    warn_unlisted_numbers(text, &numbers, &at, input, errors);
                }
                // No link inside a heading (its id, the contents list) or another link.
                let linkable = is_text && heading.is_none() && link_depth == 0;
                let numbers = if linkable { numbers } else { Vec::new() };
                let mut done = 0;
                // Text between the numbers, with its glossary terms linked.
                macro_rules! push_text {
                    ($piece:expr, $offset:expr) => {
                        match glossary {
                            Some(g) if linkable => link_terms(
                                ($piece, at($offset)),
                                (g, &mut glossary_linked),
                                input,
                                pages,
                                &mut links,
                                &mut out,
                            ),
                            _ if numbers.is_empty() => out.push(event.clone()),
                            _ => out.push(Event::Text(CowStr::from($piece.to_string()))),
                        }
                    };
                }
                for (found, phone) in &numbers {
                    if found.start > done {
                        push_text!(&text[done..found.start], done);
                    }
                    let written = &text[found.clone()];
                    out.push(Event::InlineHtml(CowStr::from(phones::link_html(
                        phone,
                        written,
                        input.lang,
                        input.call_label,
                    ))));
                    let span = Span::new(at(found.start)..at(found.end));
                    links.href("", &phone.href(), false, span);
                    done = found.end;
                }
                if done < text.len() || numbers.is_empty() {
                    push_text!(&text[done..], done);
                }
            }
            Event::SoftBreak => {
                if input.collect_text {
                    block.push(' ');
                }
                out.push(event);
            }
            other => out.push(other),
        }
    }
    flush_block(&mut block, &mut text_blocks);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    let key_facts = match wrap_key_facts(&mut out) {
        Some(after) => {
            let cut = heading_cuts
                .iter()
                .find(|(at, _)| *at == after)
                .map_or_else(|| links.cut(), |(_, cut)| *cut);
            // Both tags were inserted before `after`: the box ends where the event now at
            // `after + 2` begins to be written.
            let end = write_html_noting(&mut html, out, after + 2);
            Some(KeyFacts { end, cut })
        }
        None => {
            pulldown_cmark::html::push_html(&mut html, out.into_iter());
            None
        }
    };
    Rendered {
        html,
        toc: build_toc(&headings),
        text_blocks,
        headings,
        links,
        links_to_pages,
        key_facts,
    }
}

/// The first line of a callout whose marker is in its text (`> [!URGENT] Get help today`).
struct TitleLine {
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

/// Where the text of one block ends for the readability check: the start or end of any
/// block (paragraph, list, item, heading, quote, table cell...) and a line break, written as
/// Markdown or as `<br>`.
fn is_text_boundary(event: &Event<'_>) -> bool {
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

/// Push `text` (at byte `at` of the file) with the first use of each glossary term not yet
/// linked on this page made a link to its entry.
fn link_terms(
    (text, at): (&str, usize),
    (glossary, linked): (&Glossary, &mut HashSet<usize>),
    input: &RenderInput<'_>,
    pages: &dyn PageIndex,
    links: &mut Recorded,
    out: &mut Vec<Event<'_>>,
) {
    let mut rest = text;
    while let Some(found) = glossary.find(rest, linked) {
        let done = text.len() - rest.len();
        let Some(url) = pages.url_of(&glossary.page_key, input.lang) else {
            break;
        };
        let dest = link_url(input.from, &url, Some(found.anchor));
        if found.start > 0 {
            out.push(Event::Text(CowStr::from(rest[..found.start].to_string())));
        }
        let span = Span::new(at + done + found.start..at + done + found.end);
        links.href("", &dest, false, span);
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(dest),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        out.push(Event::Text(CowStr::from(
            rest[found.start..found.end].to_string(),
        )));
        out.push(Event::End(TagEnd::Link));
        linked.insert(found.entry);
        rest = &rest[found.end..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

/// Write `events` as HTML into `html` (as `push_html` does, in one writer: footnote numbers
/// run on), and return how long `html` was when event `mark` began to be written (its
/// length at the end when there is no such event).
fn write_html_noting(html: &mut String, events: Vec<Event<'_>>, mark: usize) -> usize {
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
fn wrap_key_facts(out: &mut Vec<Event<'_>>) -> Option<usize> {
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

fn flush_block(block: &mut String, blocks: &mut Vec<String>) {
    let trimmed = block.trim();
    if !trimmed.is_empty() {
        blocks.push(trimmed.to_string());
    }
    block.clear();
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

/// `text` in Unicode's composed form (NFC); most headings already are, and keep their text.
fn nfc(text: &str) -> Cow<'_, str> {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

fn citation_html(
    refs: &str,
    input: &RenderInput<'_>,
    known: &HashSet<&str>,
    citations: &mut Citations,
    (links, span): (&mut Recorded, Span),
    mut unknown: impl FnMut(&str),
) -> String {
    let mut html = String::from("<sup class=\"cite\">");
    let keys = refs
        .split([';', ','])
        .map(|k| k.trim().trim_start_matches('@').trim())
        .filter(|k| !k.is_empty());
    for (i, key) in keys.enumerate() {
        if !known.contains(key) {
            unknown(key);
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
        let _ = escape_html(&mut html, input.cite_label);
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
    html
}

type LinkError = (String, Option<String>);

/// Rewrite `page.md#anchor` links; `Ok(None)` leaves any other link untouched.
fn resolve_link(
    dest: &str,
    input: &RenderInput<'_>,
    pages: &dyn PageIndex,
) -> Result<Option<String>, LinkError> {
    if urls::is_external(dest) || dest.starts_with('#') {
        return Ok(None);
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let Some(stem) = path.strip_suffix(".md") else {
        return Ok(None);
    };
    let joined = urls::join_content_path(input.dir, stem)
        .ok_or_else(|| (format!("link `{dest}` leaves the content folder"), None))?;
    let (key, lang) = match joined.rsplit_once('.') {
        Some((base, suffix)) if pages.url_of(base, suffix).is_some() => {
            (base.to_string(), suffix.to_string())
        }
        _ => (joined.clone(), input.lang.to_string()),
    };
    let Some(url) = pages.url_of(&key, &lang) else {
        if let Some(file) = pages.draft(&key, &lang) {
            return Err((
                format!(
                    "link `{dest}` goes to a draft: {} has `draft = true`",
                    file.display()
                ),
                Some("publish the page (remove `draft = true`), or build with --drafts to preview it".into()),
            ));
        }
        let exists_elsewhere = pages.keys().contains(&key.as_str());
        if exists_elsewhere {
            return Err((
                format!("link `{dest}`: the page has no version in language `{lang}`"),
                None,
            ));
        }
        let help = did_you_mean(&key, pages.keys()).map(|k| format!("did you mean `{k}.md`?"));
        return Err((
            format!("link to a page that does not exist: `{dest}`"),
            help,
        ));
    };
    Ok(Some(link_url(input.from, &url, fragment)))
}

/// The `href` of a link to the page at output path `url` from the page at `from`.
fn link_url(from: &str, url: &str, fragment: Option<&str>) -> String {
    let mut u = urls::relative(from, url);
    if let Some(f) = fragment {
        u.push('#');
        u.push_str(f);
    }
    u
}

/// A readable id from heading text: lower case, letters of any script kept, words joined
/// with `-`. `Що таке кетамін?` -> `що-таке-кетамін`.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
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

fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Nest h3 under h2 and so on; the page title is the template's h1, so h2 is the top.
fn build_toc(headings: &[HeadingAt]) -> Vec<TocEntry> {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    struct Index;
    impl PageIndex for Index {
        fn url_of(&self, key: &str, lang: &str) -> Option<String> {
            let prefix = if lang == "en" { "" } else { "uk/" };
            ["risks", "_index"].contains(&key).then(|| match key {
                "_index" => prefix.to_string(),
                k => format!("{prefix}{k}/"),
            })
        }
        fn keys(&self) -> Vec<&str> {
            vec!["risks", "_index"]
        }
    }

    /// `md` rendered as a page at `from` that may cite `S1` and `S2`.
    /// The page's links as the render recorded them and as a scan of its HTML reads them,
    /// which must agree: the build trusts the record instead of reading pages back.
    fn recorded_and_read(r: &Rendered) -> (crate::links::PageLinks, crate::links::PageLinks) {
        let html = r.html.as_bytes();
        let read = crate::links::scan("x/index.html", "content/x.md".into(), html);
        let known = crate::links::scan_parts(
            "x/index.html",
            "content/x.md".into(),
            &[crate::links::Part::Known {
                html,
                recorded: &r.links,
                from: crate::links::Cut::default(),
                to: r.links.cut(),
                file: 0,
            }],
        );
        assert_eq!((&known.ids, &known.links), (&read.ids, &read.links));
        (read, known)
    }

    pub(crate) fn render_md(
        md: &str,
        lang: &str,
        from: &str,
    ) -> (Rendered, Citations, Vec<Diagnostic>) {
        let text = format!("+++\n+++\n{md}");
        let input = RenderInput {
            file_text: &text,
            body_start: 8,
            file: Path::new("content/x.md"),
            lang,
            dir: "",
            from,
            collect_text: true,
            cite_label: "Source",
            glossary: None,
            feedback_email: None,
            phones: None,
            call_label: "Call {number}: {reaches}",
            strings: None,
        };
        let known: HashSet<&str> = ["S1", "S2"].into_iter().collect();
        let mut cites = Citations::default();
        let mut errors = Vec::new();
        let r = render(&input, &Index, &known, &mut cites, &mut errors);
        (r, cites, errors)
    }

    /// `md` rendered as an English page at `x/` with 103 and 112 listed as phone numbers.
    fn render_with_phones(md: &str) -> (Rendered, Vec<Diagnostic>) {
        let phone = |n: &str, reaches: &str| crate::phones::Phone {
            number: n.into(),
            reaches: [("en".to_string(), reaches.to_string())].into(),
        };
        let book = PhoneBook::new(&[
            phone("103", "ambulance"),
            phone("112", "emergency services"),
        ]);
        let glossary = Glossary::new(
            "glossary",
            &[("overdose".to_string(), vec!["overdose".to_string()])].into(),
        );
        let text = format!("+++\n+++\n{md}");
        let input = RenderInput {
            file_text: &text,
            body_start: 8,
            file: Path::new("content/x.md"),
            lang: "en",
            dir: "",
            from: "x/",
            collect_text: true,
            cite_label: "Source",
            glossary: Some(&glossary),
            feedback_email: None,
            phones: Some(&book),
            call_label: "Call {number}: {reaches}",
            strings: None,
        };
        let mut errors = Vec::new();
        let r = render(
            &input,
            &GlossaryIndex,
            &HashSet::new(),
            &mut Citations::default(),
            &mut errors,
        );
        (r, errors)
    }

    struct GlossaryIndex;
    impl PageIndex for GlossaryIndex {
        fn url_of(&self, key: &str, _: &str) -> Option<String> {
            (key == "glossary").then(|| "glossary/".to_string())
        }
        fn keys(&self) -> Vec<&str> {
            vec!["glossary"]
        }
    }

    #[test]
    fn listed_numbers_become_tel_links_outside_headings_links_and_code() {
        let md = "## Call 103 now\n\nCall **103** (ambulance) or 112 after an overdose. \
                  [Phone 112](https://example.org/) `112`\n\n    112\n\nIn 2024, 1120 people.\n";
        let (r, errors) = render_with_phones(md);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            r.html,
            "<h2 id=\"call-103-now\">Call 103 now</h2>\n<p>Call <strong><a class=\"tel\" href=\"tel:103\" \
             aria-label=\"Call 103: ambulance\">103</a></strong> (ambulance) or <a class=\"tel\" \
             href=\"tel:112\" aria-label=\"Call 112: emergency services\">112</a> after an \
             <a href=\"../glossary/#overdose\">overdose</a>. <a href=\"https://example.org/\">Phone 112</a> \
             <code>112</code></p>\n<pre><code>112\n</code></pre>\n<p>In 2024, 1120 people.</p>\n"
        );
        // The text the readability check and the search read is unchanged.
        assert_eq!(
            r.text_blocks[1],
            "Call 103 (ambulance) or 112 after an overdose. Phone 112"
        );
        // What the link check reads is what was recorded.
        assert!(!r.links.opaque);
        let (read, _) = recorded_and_read(&r);
        assert_eq!(read.links.len(), 4);
    }

    #[test]
    fn an_unlisted_phone_number_is_a_warning_at_its_place() {
        let (r, errors) = render_with_phones(
            "Call 103.\n\nOr the line on 0 800 507-727, or +380 44 123 4567.\n\n10 000 people in 2024.\n",
        );
        let at: Vec<(usize, usize, &str)> = errors
            .iter()
            .map(|e| {
                let l = e.location.as_ref().unwrap();
                (l.line, l.column, e.message.as_str())
            })
            .collect();
        assert_eq!(at.len(), 2, "{at:?}");
        assert_eq!((at[0].0, at[0].1), (5, 16));
        assert!(
            at[0].2.starts_with(
                "`0 800 507-727` looks like a phone number but is not listed in site.toml"
            ),
            "{}",
            at[0].2
        );
        assert_eq!((at[1].0, at[1].1), (5, 34));
        assert!(errors.iter().all(|e| !e.is_error()));
        assert!(r.html.contains("0 800 507-727, or +380"), "{}", r.html);
    }

    #[test]
    fn callouts_and_care_cards_are_labelled_boxes() {
        let md = "> [!WARNING]\n> It can slow your *breathing* [@S1].\n\n\
                  > [!URGENT] Get help **today** if\n> - you bleed\n\n\
                  > [!emergency]\n> Call now.\n\n\
                  > [!NOTE] Own title\n> Text.\n\n\
                  > A plain quote.\n";
        let (r, _, errors) = render_md(md, "en", "x/");
        assert!(errors.is_empty(), "{errors:?}");
        insta::assert_snapshot!(r.html);
        // The title is a text block of its own.
        assert_eq!(r.text_blocks[1], "Get help today if");
        assert_eq!(r.text_blocks[2], "you bleed");
        // What the link check reads is what was recorded.
        let (read, _) = recorded_and_read(&r);
        assert_eq!(read.ids.len(), 5, "{:?}", read.ids);
    }

    #[test]
    fn callout_titles_come_in_the_page_language() {
        let uk: std::collections::BTreeMap<String, String> = [(
            "callout_doctor".to_string(),
            "Поговоріть зі своїм лікарем".to_string(),
        )]
        .into();
        let text = "+++\n+++\n> [!DOCTOR]\n> Текст.\n";
        let input = RenderInput {
            file_text: text,
            body_start: 8,
            file: Path::new("content/x.uk.md"),
            lang: "uk",
            dir: "",
            from: "uk/x/",
            collect_text: false,
            cite_label: "Джерело",
            glossary: None,
            feedback_email: None,
            phones: None,
            call_label: "",
            strings: Some(&uk),
        };
        let r = render(
            &input,
            &Index,
            &HashSet::new(),
            &mut Citations::default(),
            &mut Vec::new(),
        );
        assert!(
            r.html.contains("<p class=\"callout-title\" id=\"callout-1\">Поговоріть зі своїм лікарем</p>\n<p>Текст.</p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn an_unknown_callout_is_an_error_at_its_marker() {
        let (r, _, errors) = render_md("Text.\n\n> [!URGNET] Soon\n> text\n", "en", "x/");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "unknown callout `[!URGNET]`");
        let l = errors[0].location.as_ref().unwrap();
        assert_eq!((l.line, l.column), (5, 3));
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `[!URGENT]`?"));
        assert!(
            r.html.starts_with("<p>Text.</p>\n<blockquote>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn citations_are_numbered_in_order_of_first_use() {
        let (r, cites, errors) = render_md("A [@S2]. B [@S1; @S2].\n", "en", "x/");
        assert!(errors.is_empty());
        assert_eq!(cites.order, vec!["S2", "S1"]);
        assert!(
            r.html
                .contains(r##"<a href="#ref-S2" id="cite-S2-1" aria-label="Source 1">[1]</a>"##)
        );
        assert!(
            r.html
                .contains(r##"id="cite-S2-2" aria-label="Source 1">[1]</a>"##)
        );
        assert!(r.html.contains(r##"aria-label="Source 2">[2]</a>"##));
        assert_eq!(r.text_blocks, vec!["A . B ."]);
    }

    #[test]
    fn unknown_citation_points_at_the_line() {
        let (_, _, errors) = render_md("Fine.\n\nBad [@s1].\n", "en", "x/");
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!(e.message, "unknown source `s1`: it is not in sources.toml");
        assert_eq!(e.location.as_ref().unwrap().line, 5);
        assert_eq!(e.help.as_deref(), Some("did you mean `S1`?"));
    }

    #[test]
    fn md_links_follow_the_page_language() {
        let (r, _, errors) = render_md("[r](risks.md#bladder) [h](_index.md)\n", "uk", "uk/x/");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(r.html.contains(r#"href="../risks/#bladder""#), "{}", r.html);
        assert!(r.html.contains(r#"href="../""#), "{}", r.html);
        let (r, _, _) = render_md("[r](risks.uk.md)\n", "en", "x/");
        assert!(r.html.contains(r#"href="../uk/risks/""#), "{}", r.html);
    }

    #[test]
    fn broken_md_link_suggests_a_page() {
        let (_, _, errors) = render_md("[r](risk.md)\n", "en", "x/");
        assert_eq!(
            errors[0].message,
            "link to a page that does not exist: `risk.md`"
        );
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `risks.md`?"));
    }

    #[test]
    fn heading_ids_are_readable_unique_and_explicit_ids_win() {
        let (r, _, _) = render_md(
            "## Що таке кетамін?\n\n## Risks\n\n## Risks\n\n### Bladder {#bladder}\n",
            "en",
            "x/",
        );
        assert!(
            r.html.contains(r#"<h2 id="що-таке-кетамін">"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<h2 id="risks-1">"#));
        assert!(r.html.contains(r#"<h3 id="bladder">"#));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[2].children[0].id, "bladder");
    }

    /// The ids and links recorded while rendering are what the link checker would read
    /// back from the HTML (`links::Part::Known` relies on it).
    #[test]
    fn recorded_links_match_the_html() {
        let md = "## Risks\n\nSee [r](risks.md#bladder \"t\"), <me@example.org>, \
                  [q](https://x.example/?a=1&b='2' \"q\") and ![pic](<img/a b.png>).[^n]\n\n\
                  ## Risks\n\nCited [@S1; @S2] and [@S1]. [in page](#risks-1) \
                  [cyr](#%D1%80%D0%B8%D0%B7%D0%B8%D0%BA%D0%B8)\n\n\
                  ### Пам'ять & увага {#memory}\n\n[^n]: A note.\n";
        let (r, _, errors) = render_md(md, "en", "x/");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(!r.links.opaque);
        let (read, known) = recorded_and_read(&r);
        // Each link points at the Markdown that wrote it.
        let text = format!("+++\n+++\n{md}");
        let written: Vec<&str> = known
            .origins
            .iter()
            .map(|&o| match o.into() {
                crate::links::Origin::Markdown {
                    file: 0,
                    span: Some(s),
                } => &text[s.start as usize..(s.start + s.len) as usize],
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(written[0], "[r](risks.md#bladder \"t\")");
        assert_eq!(written[3], "![pic](<img/a b.png>)");
        assert_eq!(written[5], "[@S1; @S2]");
        assert_eq!(read.links.len(), 10, "{:?}", read.links);
        assert_eq!(read.ids.len(), 7, "{:?}", read.ids);
    }

    #[test]
    fn comments_are_left_out_and_their_citations_unchecked() {
        let md = "Before <!-- NOTE-A inline [@S999] --> after.\n\n\
                  <!-- NOTE-B: a block\nover two lines [@S999] -->\n\n\
                  <div class=\"x\"><!-- NOTE-C --><p>kept</p></div>\n\n\
                  Text <!-- NOTE-D\nacross a line --> end.\n\n\
                  ```html\n<!-- shown as code -->\n```\n";
        let (r, _, errors) = render_md(md, "en", "x/");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(!r.html.contains("NOTE"), "{}", r.html);
        assert!(
            r.html.contains("<div class=\"x\"><p>kept</p></div>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("&lt;!-- shown as code --&gt;"),
            "{}",
            r.html
        );
        assert!(r.html.contains("Before  after."), "{}", r.html);
        // A block that was only a comment leaves nothing for the checker to read.
        let (r, _, _) = render_md("<!-- only a note -->\n\nText.\n", "en", "x/");
        assert!(!r.links.opaque);
        assert_eq!(r.html, "<p>Text.</p>\n");
    }

    #[test]
    fn raw_html_leaves_the_links_to_the_reader() {
        for md in [
            "Text <a href=\"x\">x</a>.\n",
            "<div id=\"a\">\n\nblock\n\n</div>\n",
            "## Title {href=x}\n",
        ] {
            let (r, _, _) = render_md(md, "en", "x/");
            assert!(r.links.opaque, "{md}");
        }
    }

    #[test]
    fn readability_text_breaks_at_blocks_and_line_breaks() {
        let (r, _, _) = render_md(
            "- See a doctor\n  - if it hurts\n  - or *bleeds*\n\nOne line  \nand the next<br>third\n\n> quoted\n",
            "en",
            "x/",
        );
        assert_eq!(
            r.text_blocks,
            [
                "See a doctor",
                "if it hurts",
                "or bleeds",
                "One line",
                "and the next",
                "third",
                "quoted"
            ]
        );
        // A thousand levels of list are a thousand one-word sentences, not one word.
        let deep: String = (0..1_000)
            .map(|i| format!("{}- w{i}\n", "  ".repeat(i)))
            .collect();
        let (r, _, _) = render_md(&deep, "en", "x/");
        assert!(r.text_blocks.len() > 100, "{}", r.text_blocks.len());
        let grade = crate::readability::analyse(&r.text_blocks).grade;
        assert!(grade < 5.0, "{grade}");
    }

    #[test]
    fn a_repeated_explicit_heading_id_is_an_error() {
        let (r, _, errors) = render_md("## One {#same}\n\ntext\n\n## Two {#same}\n", "en", "x/");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].message,
            "heading id `same` is used twice on this page"
        );
        assert_eq!(errors[0].location.as_ref().unwrap().line, 7);
        assert!(!r.html.contains("same-1"), "{}", r.html);
        // Automatic ids still get a number: nobody chose them.
        let (_, _, errors) = render_md("## Risks\n\n## Risks\n", "en", "x/");
        assert!(errors.is_empty());
    }

    #[test]
    fn heading_ids_are_nfc() {
        // "й" typed as "и" + combining breve, and "é" as "e" + combining acute.
        let (r, _, _) = render_md(
            "## Кра\u{438}\u{306}\n\n## Caf\u{65}\u{301} {#caf\u{65}\u{301}}\n",
            "en",
            "x/",
        );
        assert!(r.html.contains("<h2 id=\"кра\u{439}\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"caf\u{e9}\">"), "{}", r.html);
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Who should not have it?"), "who-should-not-have-it");
        assert_eq!(slugify("Пам'ять і увага"), "память-і-увага");
        assert_eq!(slugify("!!!"), "section");
    }
}
