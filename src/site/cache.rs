//! What `factsheet serve` keeps between renders: the results of ordinary pages, so that an
//! edit to one page's text renders only that page; and reading the changed parts of a loaded
//! site again, which says which pages that edit made dirty (see [`Site::render_cached`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config;
use crate::content::{FrontMatter, Page};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::links::PageLinks;
use crate::readability::Readability;
use crate::templates::Templates;

use super::Site;
use super::page::{CitationLog, PageResult};
use super::print::Printed;

/// Which parts of the loaded site to read again before re-rendering ([`Site::reload`]);
/// `factsheet serve` decides it from the changed paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reload {
    pub(crate) templates: bool,
    pub(crate) strings: bool,
    pub(crate) sources: bool,
    /// Markdown files to re-read (relative to the root): changed, added or removed.
    pub(crate) content: Vec<PathBuf>,
}

/// What re-rendering one page changed of what the pages that gather every page show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageEdit<'a> {
    pub(crate) lang: &'a str,
    /// Its text as the print page shows it (its rendered Markdown, its numbered sources).
    pub(crate) text: bool,
    /// The sources its own text cites, which the sources page lists it under.
    pub(crate) citations: bool,
}

/// The gathering pages to render again after a render of some pages' text alone
/// (their front matter, the partials, templates, strings and sources unchanged, else every
/// page renders): a language's print page when the text of one of its pages changed, its
/// sources page when their citations did. The print page of a 1,000-page language is most of
/// a rebuild after an edit. (The search page lists front matter only: it renders again only
/// with every page.)
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Gathering {
    /// Languages whose print page renders again.
    pub(crate) print: BTreeSet<String>,
    /// Languages whose sources page renders again.
    pub(crate) sources: BTreeSet<String>,
}

pub(crate) fn gathering(edits: &[PageEdit<'_>]) -> Gathering {
    let mut g = Gathering::default();
    for e in edits {
        if e.text {
            g.print.insert(e.lang.to_string());
        }
        if e.citations {
            g.sources.insert(e.lang.to_string());
        }
    }
    g
}

/// Page results kept between renders.
#[derive(Default)]
pub(crate) struct RenderCache {
    pages: HashMap<PathBuf, CachedPage>,
    /// Keeps nothing: a build renders once (keeping 20,000 results was the peak of memory).
    pub(super) transient: bool,
    /// The files the kept results' links were settled against ([`Site::sure_outputs`]).
    pub(super) outputs: Option<HashSet<String>>,
}

/// A [`PageResult`] without its page.
struct CachedPage {
    citations: CitationLog,
    links: Option<PageLinks>,
    readability: Option<Readability>,
    terms: Vec<Diagnostic>,
    search: Option<crate::search::PageEntry>,
    errors: Vec<Diagnostic>,
    printed: Option<Box<Printed>>,
}

impl RenderCache {
    /// A cache for one render, which keeps nothing.
    pub(super) fn transient() -> RenderCache {
        RenderCache {
            transient: true,
            ..RenderCache::default()
        }
    }

    /// The result of `page` from the last render, if it was rendered there.
    pub(super) fn take<'a>(&mut self, page: &'a Page) -> Option<PageResult<'a>> {
        let c = self.pages.remove(&page.file)?;
        Some(PageResult {
            page,
            citations: c.citations,
            links: c.links,
            readability: c.readability,
            terms: c.terms,
            search: c.search,
            errors: c.errors,
            printed: c.printed,
        })
    }

    /// What the last render of `page` gave that the print and sources pages show: its
    /// printed text and the sources its own text cites.
    pub(super) fn previous(
        &self,
        page: &Page,
    ) -> Option<(Option<&Printed>, &[std::sync::Arc<str>])> {
        let c = self.pages.get(&page.file)?;
        c.citations.read.then(|| {
            (
                c.printed.as_deref(),
                &c.citations.log[c.citations.body.clone()],
            )
        })
    }

    /// Keep the results of every page: ordinary pages for the next edit of another page, the
    /// print and sources pages for an edit that changes nothing they show.
    pub(super) fn keep(&mut self, results: Vec<PageResult>) {
        self.pages = results
            .into_iter()
            .map(|r| {
                let cached = CachedPage {
                    citations: r.citations,
                    links: r.links,
                    readability: r.readability,
                    terms: r.terms,
                    search: r.search,
                    errors: r.errors,
                    printed: r.printed,
                };
                (r.page.file.clone(), cached)
            })
            .collect();
    }
}

impl Site {
    /// Read again the parts of the site that `reload` names. Returns the pages to render
    /// again: `None` for every page, else the changed Markdown files whose front matter, path
    /// and existence stayed the same (only their own page changes, and the print and sources
    /// pages, which always render). On error the site may be partly updated: load it whole
    /// again.
    pub(crate) fn reload(
        &mut self,
        reload: &Reload,
    ) -> Result<Option<HashSet<PathBuf>>, Diagnostics> {
        let mut diags = Diagnostics::default();
        let mut everything = reload.templates || reload.strings || reload.sources;
        if reload.templates {
            match Templates::load(&self.root) {
                Ok(t) => self.templates = t,
                Err(d) => diags.extend(d),
            }
        }
        if reload.strings {
            match config::load_strings(&self.root, &self.config) {
                Ok(s) => self.strings = s,
                Err(d) => diags.extend(d),
            }
        }
        if reload.sources {
            match config::load_sources(&self.root, &self.config) {
                Ok(s) => self.sources = s,
                Err(d) => diags.push(d),
            }
        }
        if !reload.content.is_empty() {
            let before: Vec<Header> = reload.content.iter().map(|f| self.header(f)).collect();
            match self.reload_content(&reload.content) {
                Ok(()) => {
                    let after: Vec<Header> =
                        reload.content.iter().map(|f| self.header(f)).collect();
                    let partial = before.iter().chain(&after).any(|h| *h == Header::Partial);
                    everything |= partial || before != after;
                }
                Err(d) => diags.extend(d),
            }
        }
        // As in Site::load: a page the theme links to that is gone (or a template that now
        // links to one) is one error, not a broken link on every page.
        if !diags.has_errors() && (reload.templates || !reload.content.is_empty()) {
            for d in crate::theme_pages::missing(&self.root, &self.config, &self.content) {
                diags.push(d);
            }
        }
        diags.into_result()?;
        Ok((!everything).then(|| reload.content.iter().cloned().collect()))
    }

    /// Read some files of `content/` again (paths relative to the root, as in `Page::file`);
    /// see `Content::reload_files`.
    pub fn reload_content(&mut self, files: &[PathBuf]) -> Result<(), Diagnostics> {
        self.content
            .reload_files(&self.root, &self.config, self.drafts, files)
    }

    fn header(&self, file: &Path) -> Header {
        if self.content.partials.iter().any(|p| p.file == file) {
            return Header::Partial;
        }
        match self.content.pages.iter().find(|p| p.file == file) {
            Some(p) => Header::Page {
                key: p.key.clone(),
                lang: p.lang.clone(),
                path: p.path.clone(),
                front: Box::new(p.front.clone()),
            },
            None => Header::Absent,
        }
    }
}

/// What other pages can see of a content file: a page's identity and front matter (titles
/// and order in the navigation, translation links, URLs), or that it is a partial (shown on
/// every page).
#[derive(PartialEq)]
enum Header {
    Absent,
    Partial,
    Page {
        key: String,
        lang: String,
        path: String,
        front: Box<FrontMatter>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_and_sources_pages_render_only_for_what_changed() {
        let edit = |lang, text, citations| PageEdit {
            lang,
            text,
            citations,
        };
        let set = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        // Saved without a change: neither.
        assert_eq!(gathering(&[edit("en", false, false)]), Gathering::default());
        // A sentence reworded: that language's print page only.
        assert_eq!(
            gathering(&[edit("en", true, false)]),
            Gathering {
                print: set(&["en"]),
                sources: set(&[]),
            }
        );
        // A citation added in Ukrainian, a sentence in English.
        assert_eq!(
            gathering(&[edit("uk", true, true), edit("en", true, false)]),
            Gathering {
                print: set(&["en", "uk"]),
                sources: set(&["uk"]),
            }
        );
        assert_eq!(gathering(&[]), Gathering::default());
    }
}
