//! The ids and links the Markdown renderer records as it writes HTML, so that the link
//! check need not read that HTML back (see `site/scan.rs`).

use super::*;

/// Ids and links of a piece of HTML, recorded in document order by the code that wrote it
/// (the Markdown renderer), as a reader of that HTML would find them, with the span of the
/// source that made each: the checker then need not read that HTML back, which was the
/// largest single cost of a build, and a problem points at the Markdown line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// `loads` is unused for ids.
    pub(super) ids: Links,
    pub(super) id_spans: Vec<Span>,
    pub(super) links: Links,
    pub(super) link_spans: Vec<Span>,
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
