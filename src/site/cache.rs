//! What `factsheet serve` keeps between renders: the results of ordinary pages, so that an
//! edit to one page's text renders only that page (see [`Site::render_cached`]).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::content::{Page, PageKind};
use crate::diagnostic::Diagnostic;
use crate::links::PageLinks;
use crate::readability::Readability;

#[cfg(doc)]
use super::Site;
use super::page::{CitationLog, PageResult};

/// Page results kept between renders.
#[derive(Default)]
pub(crate) struct RenderCache {
    pages: HashMap<PathBuf, CachedPage>,
}

/// A [`PageResult`] without its page.
struct CachedPage {
    citations: CitationLog,
    links: Option<PageLinks>,
    readability: Option<Readability>,
    errors: Vec<Diagnostic>,
}

impl RenderCache {
    /// The result of `page` from the last render, if it was rendered there.
    pub(super) fn take<'a>(&mut self, page: &'a Page) -> Option<PageResult<'a>> {
        let c = self.pages.remove(&page.file)?;
        Some(PageResult {
            page,
            citations: c.citations,
            links: c.links,
            readability: c.readability,
            errors: c.errors,
        })
    }

    /// Keep the results of ordinary pages (print and sources pages always render again).
    pub(super) fn keep(&mut self, results: Vec<PageResult>) {
        self.pages = results
            .into_iter()
            .filter(|r| r.page.front.kind == PageKind::Page)
            .map(|r| {
                let cached = CachedPage {
                    citations: r.citations,
                    links: r.links,
                    readability: r.readability,
                    errors: r.errors,
                };
                (r.page.file.clone(), cached)
            })
            .collect();
    }
}
