//! The build as a pipeline: load config, load content, render every page, write the other
//! files, check the site as a whole.
//!
//! - `page`: rendering one page (its Markdown, partials and template) and what rendering
//!   needs about the whole site.
//! - `context`: the template context, its types and the code that fills them.
//! - `files`: the files that are not pages: static files, sitemap, robots.txt, 404.
//! - `checks`: checks of the site as a whole: unused sources, translations citing the same
//!   sources, readability.
//! - `print`: the print page's sections, made from what the pages rendered.
//! - `cache`: what `factsheet serve` keeps between renders, and what an edit makes dirty.
//! - `style`: the stylesheet as every page carries it inline, without its comments.

mod app;
mod cache;
mod checks;
mod context;
mod files;
mod page;
mod print;
mod scan;
mod sources_shown;
mod style;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{self, SiteConfig, SourceList, Strings};
use crate::content::{self, Content, Page};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::Sink;
use crate::page_kind::Shows;
use crate::templates::Templates;
use page::{Ordinary, PageResult, RenderState};

pub(crate) use cache::{Reload, RenderCache};

/// Pages above which a site is large: the parts of a build whose memory grows with the
/// whole site (the sources and print pages, the search indexes) are done one at a time
/// instead of side by side.
const LARGE_SITE: usize = 4_000;

/// At most this many pages render one after another on a thread before it looks for more work.
const RENDER_PIECE: usize = 32;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Links point at files (`about/index.html`), for a copy opened from `file://`.
    pub offline: bool,
    /// Pages are served by `factsheet serve`: the stylesheet stays a file of its own, which
    /// it swaps on an edit, and there is no service worker to keep copies of drafts.
    pub live: bool,
}

/// Whether problems that only lower quality stop the run (`check`) or are warnings (`build`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    Build,
    Check,
}

impl Strictness {
    /// A problem that only lowers quality: a warning in `build`, an error in `check`.
    pub(crate) fn grade(self, mut d: Diagnostic) -> Diagnostic {
        d.severity = match self {
            Strictness::Build => crate::diagnostic::Severity::Warning,
            Strictness::Check => crate::diagnostic::Severity::Error,
        };
        d
    }
}

pub struct Site {
    pub(crate) root: PathBuf,
    /// Whether pages marked `draft = true` are part of the site.
    pub(crate) drafts: bool,
    pub(crate) config: SiteConfig,
    pub(crate) strings: Strings,
    pub(crate) sources: SourceList,
    pub content: Content,
    pub(crate) templates: Templates,
    /// The preferred terms of `terms.toml`; `None` when the site has none.
    pub(crate) terms: Option<crate::terms::Terms>,
    /// See [`LoadOptions::offline`].
    pub(crate) offline: bool,
    /// See [`LoadOptions::live`].
    pub(crate) live: bool,
    /// `static/style.css`, put in every page's `<head>` so that its first screen needs no
    /// second round trip; `None` under `factsheet serve` and in the offline copy (no round
    /// trips from `file://`), or when the file is missing or would end the `<style>` early.
    pub(crate) inline_css: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub(crate) pages_per_lang: BTreeMap<String, usize>,
    /// Files that are not pages: static files, sitemap, robots.txt, 404.
    pub(crate) other_files: usize,
    pub warnings: Vec<Diagnostic>,
    /// Output files of the pages whose results came from the cache: they were not rendered
    /// again and nothing was written for them (see [`Site::render_cached`]).
    pub(crate) reused: HashSet<String>,
}

impl Report {
    pub(crate) fn page_count(&self) -> usize {
        self.pages_per_lang.values().sum()
    }

    /// "22 pages (en 11, uk 11), 6 other files"
    pub fn summary(&self) -> String {
        let per_lang: Vec<String> = self
            .pages_per_lang
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        format!(
            "{} pages ({}), {} other files",
            self.page_count(),
            per_lang.join(", "),
            self.other_files
        )
    }
}

impl Site {
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Diagnostics> {
        let config = config::load_config(root, options.base_url.as_deref())?;
        let mut diags = Diagnostics::default();
        let strings = config::load_strings(root, &config)
            .map_err(|d| diags.extend(d))
            .ok();
        let sources = config::load_sources(root, &config)
            .map_err(|d| diags.push(d))
            .ok();
        let content = content::load(root, &config, options.drafts)
            .map_err(|d| diags.extend(d))
            .ok();
        if let Some(content) = &content {
            for d in crate::theme_pages::missing(root, &config, content) {
                diags.push(d);
            }
        }
        let templates = Templates::load(root).map_err(|d| diags.extend(d)).ok();
        let terms = crate::terms::load(root, &config)
            .map_err(|d| diags.extend(d))
            .ok();
        match (strings, sources, content, templates, terms) {
            (Some(strings), Some(sources), Some(content), Some(templates), Some(terms))
                if !diags.has_errors() =>
            {
                Ok(Site {
                    root: root.to_path_buf(),
                    drafts: options.drafts,
                    config,
                    strings,
                    sources,
                    content,
                    templates,
                    terms,
                    offline: options.offline,
                    live: options.live,
                    inline_css: (!options.live && !options.offline)
                        .then(|| std::fs::read_to_string(root.join("static/style.css")).ok())
                        .flatten()
                        .filter(|css| !css.to_ascii_lowercase().contains("</style"))
                        .map(|css| style::without_comments(&css)),
                })
            }
            _ => Err(diags),
        }
    }

    /// Render every page and file into `sink`, then check the result as a whole.
    pub fn render(&self, sink: &dyn Sink, strictness: Strictness) -> Result<Report, Diagnostics> {
        self.render_cached(sink, strictness, &mut RenderCache::transient(), None)
    }

    /// [`Site::render`] for `factsheet serve`, which re-renders only what an edit can change.
    /// Pages of kind "page" whose file is not in `dirty` are not rendered again: their results
    /// (citations, links, readability, errors) come from `cache`, and nothing is written to
    /// `sink` for them ([`Report::reused`] lists them). `dirty = None` renders every page.
    /// Print and sources pages show every page: they render again when what they show of a
    /// re-rendered page changed ([`cache::gathering`]), else come from the cache too.
    /// The cache is refilled with this render's results.
    ///
    /// What is dirty comes from [`Site::reload`]: a page's output depends on its own file and,
    /// through the navigation, translation links, partials and the page index, on every
    /// page's front matter, path and existence, and on config, strings, sources and templates.
    /// Giving a page other pages' data in its context must be reflected there.
    pub(crate) fn render_cached(
        &self,
        sink: &dyn Sink,
        strictness: Strictness,
        cache: &mut RenderCache,
        dirty: Option<&HashSet<PathBuf>>,
    ) -> Result<Report, Diagnostics> {
        crate::templates::on_render_threads(|| {
            self.render_on_this_thread(sink, strictness, cache, dirty)
        })
    }

    /// The render as named steps: the ordinary pages, the pages that gather them, the other
    /// files, and the checks of the site as a whole.
    fn render_on_this_thread(
        &self,
        sink: &dyn Sink,
        strictness: Strictness,
        cache: &mut RenderCache,
        dirty: Option<&HashSet<PathBuf>>,
    ) -> Result<Report, Diagnostics> {
        let hashing = self.web_app().then(|| app::HashingSink::new(sink));
        let output = sink;
        let sink: &dyn Sink = match &hashing {
            Some(h) => h,
            None => sink,
        };
        let mut walk_errors = Diagnostics::default();
        let statics = self.static_files(&mut walk_errors);
        let state = RenderState::new(self, &statics);
        // Reused pages had their links to these files settled: when the files change (a
        // page or a static file comes or goes), every page is rendered and checked again.
        let dirty = dirty.filter(|_| cache.outputs.as_ref() == state.outputs());
        let (gathering, ordinary): (Vec<&Page>, Vec<&Page>) = self
            .content
            .pages
            .iter()
            .partition(|p| p.front.kind.gathers());
        let mut report = Report::default();
        let mut results =
            self.render_ordinary_pages(&state, sink, ordinary, cache, dirty, &mut report);
        let gathering = self.reuse_gathering_pages(gathering, &results, cache, dirty, &mut report);
        let gathered = self.render_gathering_pages(&state, sink, gathering, &results);
        results.extend(gathered);

        let mut diags = Diagnostics::default();
        diags.0.extend(state.partial_errors().iter().cloned());
        for r in &results {
            diags.0.extend(r.errors.iter().cloned());
            *report
                .pages_per_lang
                .entry(r.page.lang.clone())
                .or_default() += 1;
        }
        diags.0.append(&mut walk_errors.0);
        let mut checked = self.check_whole_site(&results, strictness, || {
            let mut files = self.write_other_files(sink, &results, statics, &mut diags);
            if let Some(hashing) = &hashing
                && !diags.has_errors()
            {
                self.write_offline_manifest(output, &results, hashing, &mut files, &mut diags);
            }
            report.other_files = files.len();
            #[cfg(debug_assertions)]
            if !diags.has_errors() {
                self.assert_counted_on_written(&state, &results, &files);
            }
            // The links are checked only when the pages and files are sound.
            (!diags.has_errors()).then_some(files)
        });
        diags.0.append(&mut checked.0);
        diags.merge_repeats();
        report.warnings = diags.take_warnings();
        if !cache.transient {
            cache.keep(results);
            cache.outputs = state.outputs().cloned();
        }
        if diags.has_errors() {
            diags.0.append(&mut report.warnings);
            return Err(diags);
        }
        Ok(report)
    }

    /// Render the ordinary pages in parallel; with `dirty`, those not in it come from `cache`.
    fn render_ordinary_pages<'a>(
        &'a self,
        state: &RenderState<'a>,
        sink: &dyn Sink,
        pages: Vec<&'a Page>,
        cache: &mut RenderCache,
        dirty: Option<&HashSet<PathBuf>>,
        report: &mut Report,
    ) -> Vec<PageResult<'a>> {
        // Boxed: a result is most of a kilobyte, and a full build reuses none (at 10,000
        // pages per language a list of empty results held 15 MiB to the end).
        let mut reused: Vec<Option<Box<PageResult>>> = pages
            .iter()
            .map(|p| match dirty {
                Some(d) if !d.contains(&p.file) => cache.take(p).map(Box::new),
                _ => None,
            })
            .collect();
        report.reused = reused
            .iter()
            .flatten()
            .map(|r| r.page.output_file(&self.config))
            .collect();
        // Room for the print and sources pages too: growing a list of 20,000 results
        // copies it, and for a moment holds it twice.
        let mut results: Vec<PageResult> = Vec::with_capacity(self.content.pages.len());
        pages
            .par_iter()
            .zip(reused.par_iter_mut())
            // Small pieces: rayon otherwise hands a thread hundreds of pages at the end, and at
            // 10,000 pages per language one core sat idle for a quarter of a second while the
            // other finished them (perf, samples by thread and time).
            .with_max_len(RENDER_PIECE)
            .map(|(page, cached)| match cached.take() {
                Some(result) => *result,
                None => state.render_page(page, sink, None),
            })
            .collect_into_vec(&mut results);
        results
    }

    /// Each gathering page with its result from the cache where it need not render: what
    /// the re-rendered ordinary pages changed decides which render again.
    fn reuse_gathering_pages<'a>(
        &'a self,
        pages: Vec<&'a Page>,
        results: &[PageResult<'a>],
        cache: &mut RenderCache,
        dirty: Option<&HashSet<PathBuf>>,
        report: &mut Report,
    ) -> Vec<(&'a Page, Option<PageResult<'a>>)> {
        let gather = dirty.map(|d| {
            let edits: Vec<cache::PageEdit> = results
                .iter()
                .filter(|r| d.contains(&r.page.file))
                .map(|r| {
                    let (text, citations) = match cache.previous(r.page) {
                        Some((printed, cited)) => (
                            printed != r.printed.as_deref(),
                            cited != r.body_sources() || !r.citations.read,
                        ),
                        None => (true, true),
                    };
                    cache::PageEdit {
                        lang: &r.page.lang,
                        text,
                        citations,
                    }
                })
                .collect();
            cache::gathering(&edits)
        });
        pages
            .into_iter()
            .map(|page| {
                let Some((gather, dirty)) = gather.as_ref().zip(dirty) else {
                    return (page, None);
                };
                let needed = dirty.contains(&page.file)
                    || match page.front.kind.shows() {
                        Shows::Text => gather.print.contains(&page.lang),
                        Shows::Citations => gather.sources.contains(&page.lang),
                        Shows::Titles => false,
                        Shows::Itself => true,
                    };
                let cached = if needed { None } else { cache.take(page) };
                if cached.is_some() {
                    report.reused.insert(page.output_file(&self.config));
                }
                (page, cached)
            })
            .collect()
    }

    /// Render the pages that gather the ordinary ones (`ordinary`), unless they came from
    /// the cache.
    fn render_gathering_pages<'a>(
        &'a self,
        state: &RenderState<'a>,
        sink: &dyn Sink,
        pages: Vec<(&'a Page, Option<PageResult<'a>>)>,
        ordinary: &[PageResult<'a>],
    ) -> Vec<PageResult<'a>> {
        let ordinary = Ordinary {
            cited_by: page::cited_by(ordinary),
            printed: ordinary
                .iter()
                .filter_map(|r| {
                    let printed: &print::Printed = r.printed.as_ref()?;
                    Some(((r.page.key.as_str(), r.page.lang.as_str()), printed))
                })
                .collect(),
        };
        // The sources and print pages of a large site each have a template context the size of
        // the site (tens of MB at 10,000 pages per language): render them one at a time there,
        // so as not to add them up at the peak of memory; in parallel on smaller sites.
        let render = |(page, cached)| match cached {
            Some(result) => result,
            None => state.render_page(page, sink, Some(&ordinary)),
        };
        if self.content.pages.len() > LARGE_SITE {
            pages.into_iter().map(render).collect()
        } else {
            pages.into_par_iter().map(render).collect()
        }
    }

    /// Links to the files this render counted on were settled as pages were read: each must
    /// have been written.
    #[cfg(debug_assertions)]
    fn assert_counted_on_written(
        &self,
        state: &RenderState,
        results: &[PageResult],
        files: &HashSet<String>,
    ) {
        let Some(outputs) = state.outputs() else {
            return;
        };
        let pages: HashSet<String> = results
            .iter()
            .map(|r| r.page.output_file(&self.config))
            .collect();
        for o in outputs {
            assert!(
                pages.contains(o) || files.contains(o),
                "{o} was counted on but not written"
            );
        }
    }

    /// The page's absolute URL, percent-encoded (a Cyrillic file name gives `%D1%80...`), as
    /// canonical links, `hreflang` and the sitemap need.
    pub(crate) fn permalink(&self, page: &Page) -> String {
        format!(
            "{}{}",
            self.config.base_url,
            crate::urls::encode_path(&page.url_path(&self.config))
        )
    }

    /// Every language version of each page key, in site.toml language order.
    fn versions(&self) -> HashMap<&str, Vec<&Page>> {
        let mut map: HashMap<&str, Vec<&Page>> = HashMap::new();
        for page in &self.content.pages {
            map.entry(page.key.as_str()).or_default().push(page);
        }
        let order = |p: &&Page| self.config.languages.iter().position(|l| l.code == p.lang);
        for v in map.values_mut() {
            v.sort_by_key(order);
        }
        map
    }
}
