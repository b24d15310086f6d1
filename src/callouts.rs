//! Callouts and care cards: a quote that opens with a marker, `> [!WARNING]`, is a labelled
//! box. GitHub's five alert kinds come from pulldown-cmark (`Options::ENABLE_GFM`); the three
//! care cards for the levels of urgency are the site's own. A title may follow the marker
//! on its line: `> [!URGENT] Get help today`; without one the box gets its kind's title
//! from the UI strings of the page's language.

use std::collections::BTreeMap;

use pulldown_cmark::BlockQuoteKind;

/// The kinds, as written in the marker (upper case) and in the box's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
    /// Call an ambulance now.
    Emergency,
    /// Get help today.
    Urgent,
    /// Talk to your doctor.
    Doctor,
}

const ALL: [Kind; 8] = [
    Kind::Note,
    Kind::Tip,
    Kind::Important,
    Kind::Warning,
    Kind::Caution,
    Kind::Emergency,
    Kind::Urgent,
    Kind::Doctor,
];

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Tip => "tip",
            Kind::Important => "important",
            Kind::Warning => "warning",
            Kind::Caution => "caution",
            Kind::Emergency => "emergency",
            Kind::Urgent => "urgent",
            Kind::Doctor => "doctor",
        }
    }

    pub(crate) fn from_gfm(kind: BlockQuoteKind) -> Kind {
        match kind {
            BlockQuoteKind::Note => Kind::Note,
            BlockQuoteKind::Tip => Kind::Tip,
            BlockQuoteKind::Important => Kind::Important,
            BlockQuoteKind::Warning => Kind::Warning,
            BlockQuoteKind::Caution => Kind::Caution,
        }
    }

    fn is_card(self) -> bool {
        matches!(self, Kind::Emergency | Kind::Urgent | Kind::Doctor)
    }

    /// The title a box gets when its marker has none: the UI string `callout_<kind>` of the
    /// page's language, or English where the theme has no such string.
    pub(crate) fn default_title(self, strings: Option<&BTreeMap<String, String>>) -> String {
        let key = format!("callout_{}", self.name());
        if let Some(title) = strings.and_then(|s| s.get(&key)) {
            return title.clone();
        }
        match self {
            Kind::Note => "Note",
            Kind::Tip => "Tip",
            Kind::Important => "Important",
            Kind::Warning => "Warning",
            Kind::Caution => "Caution",
            Kind::Emergency => "Call an ambulance now",
            Kind::Urgent => "Get help today",
            Kind::Doctor => "Talk to your doctor",
        }
        .to_string()
    }

    /// The box's opening tags up to its title's text: a note labelled by its title, which is
    /// visible text (the kind is never told by colour alone).
    pub(crate) fn open_html(self, id: &str) -> String {
        let mut html = format!(
            "<div class=\"callout callout-{}{}\" role=\"note\" aria-labelledby=\"",
            self.name(),
            if self.is_card() { " care-card" } else { "" }
        );
        let _ = pulldown_cmark_escape::escape_html(&mut html, id);
        html.push_str("\">\n<p class=\"callout-title\" id=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut html, id);
        html.push_str("\">");
        html
    }
}

/// A marker at the start of a quote's first line (`> [!URGENT] Get help today`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marker<'a> {
    /// `URGENT`, as written.
    pub(crate) word: &'a str,
    /// Where `[!URGENT]` is in the line.
    pub(crate) range: std::ops::Range<usize>,
    pub(crate) kind: Option<Kind>,
}

/// The marker `line` (a quote's first line, from its `>`) opens with, if any.
pub(crate) fn marker(line: &str) -> Option<Marker<'_>> {
    let after_quote = line.trim_start().strip_prefix('>')?;
    let start = line.len() - after_quote.trim_start().len();
    let rest = line[start..].strip_prefix("[!")?;
    let end = rest.find(']')?;
    let word = &rest[..end];
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let kind = ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(word));
    Some(Marker {
        word,
        range: start..start + end + 3,
        kind,
    })
}

/// Every marker, as editors write them, for help text.
pub(crate) fn all_markers() -> String {
    ALL.iter()
        .map(|k| format!("[!{}]", k.name().to_ascii_uppercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_with_their_kind() {
        let m = marker("> [!Urgent] Get help today").unwrap();
        assert_eq!(
            (m.word, m.range, m.kind),
            ("Urgent", 2..11, Some(Kind::Urgent))
        );
        let m = marker(">[!FOO]").unwrap();
        assert_eq!((m.word, m.kind), ("FOO", None));
        assert_eq!(marker("> [link](x)"), None);
        assert_eq!(marker("> [!not a marker]"), None);
        assert_eq!(marker("> text [!NOTE]"), None);
    }
}
