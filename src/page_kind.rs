//! What kind of page a Markdown file is (`kind = "..."` in its front matter), and everything
//! the build does differently for each kind. To add a kind: a variant here, an answer in each
//! method below, its template in the theme, and what it gathers (if anything) in
//! `site/page.rs` `RenderState::gathered` and `site/context.rs`.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    #[default]
    Page,
    /// Gets every page of its language, for a one-page printable handout.
    Print,
    /// Gets the whole source list with the pages citing each source.
    Sources,
    /// Gets every other page of its language with its description: what a reader without
    /// JavaScript finds behind the search box.
    Search,
    /// Gets the key facts of every page of its language and a QR code to the language's
    /// home page: a short sheet for clinics to print.
    Handout,
}

/// What a page shows of the ordinary pages of its language: `factsheet serve` renders it
/// again when an edit changes that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shows {
    /// Nothing of theirs: it renders on its own, as they do.
    Itself,
    /// Their text (the print page; the handout, their key facts).
    Text,
    /// Their citations (the sources page).
    Citations,
    /// Their titles, descriptions and addresses (the search page): a change to one of those
    /// renders every page anyway.
    Titles,
}

impl PageKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PageKind::Page => "page",
            PageKind::Print => "print",
            PageKind::Sources => "sources",
            PageKind::Search => "search",
            PageKind::Handout => "handout",
        }
    }

    /// The theme's template for this kind, used when the page names none and the theme has
    /// it (an ordinary page uses `page.html`, the home page `index.html`).
    pub(crate) fn template(self) -> Option<&'static str> {
        match self {
            PageKind::Page => None,
            PageKind::Print => Some("print.html"),
            PageKind::Sources => Some("sources.html"),
            PageKind::Search => Some("search.html"),
            PageKind::Handout => Some("handout.html"),
        }
    }

    /// What the page shows of the ordinary pages of its language.
    pub(crate) fn shows(self) -> Shows {
        match self {
            PageKind::Page => Shows::Itself,
            PageKind::Print | PageKind::Handout => Shows::Text,
            PageKind::Sources => Shows::Citations,
            PageKind::Search => Shows::Titles,
        }
    }

    /// Whether the page gathers other pages: it renders after the ordinary pages, from what
    /// they rendered.
    pub(crate) fn gathers(self) -> bool {
        self.shows() != Shows::Itself
    }

    /// Whether the page is one of the fact sheet's own: in the reading order, printed on the
    /// print page and the handout, held to `require_key_facts`, graded for readability.
    pub(crate) fn is_content(self) -> bool {
        self == PageKind::Page
    }

    /// Whether the search finds pages of this kind. The print page repeats every other page,
    /// and the search page lists them.
    pub(crate) fn is_indexed(self) -> bool {
        matches!(self, PageKind::Page | PageKind::Sources)
    }

    /// Whether pages of this kind are listed for search engines (the sitemap, no `noindex`).
    /// The print page and the handout repeat the other pages: readers should land on those.
    pub(crate) fn is_listed(self) -> bool {
        !matches!(self, PageKind::Print | PageKind::Handout)
    }

    /// Whether a top-level page of this kind is in the site's menu. The search box in every
    /// page's header leads to the search page; the print page and the footer lead to the
    /// handout.
    pub(crate) fn in_menu(self) -> bool {
        !matches!(self, PageKind::Search | PageKind::Handout)
    }

    /// Whether the page prints the ordinary pages of its language whole or in part (the
    /// print page, the handout): they keep what it needs of their render.
    pub(crate) fn prints_pages(self) -> bool {
        self.shows() == Shows::Text
    }

    /// Whether the page repeats other pages' content with their in-page anchors (the print
    /// page): those links were checked, and are reported with the right file, on the pages.
    pub(crate) fn repeats_anchors(self) -> bool {
        self == PageKind::Print
    }
}
