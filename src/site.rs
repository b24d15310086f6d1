//! The build as a pipeline: load config, load content, render, check links, write.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{self, SiteConfig, SourceList, Strings};
use crate::content::{self, Content, Page, PageKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::links::{self, PageLinks};
use crate::markdown::{self, Citations, LinkStyle, PageIndex, RenderInput};
use crate::output::Sink;
use crate::readability::{self, Readability};
use crate::render::{self, Templates};
use crate::urls::relative;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// Whether problems that only lower quality stop the run (`check`) or are warnings (`build`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    Build,
    Check,
}

pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub strings: Strings,
    pub sources: SourceList,
    pub content: Content,
    pub templates: Templates,
}

#[derive(Debug, Default)]
pub struct Report {
    pub pages_per_lang: BTreeMap<String, usize>,
    /// Files that are not pages: static files, sitemap, robots.txt, 404.
    pub other_files: usize,
    pub warnings: Vec<Diagnostic>,
    /// Flesch-Kincaid grade of each checked page.
    pub readability: Vec<(PathBuf, f64)>,
}

impl Report {
    pub fn page_count(&self) -> usize {
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
        let sources = config::load_sources(root).map_err(|d| diags.push(d)).ok();
        let content = content::load(root, &config, options.drafts)
            .map_err(|d| diags.extend(d))
            .ok();
        let templates = render::load_templates(root)
            .map_err(|d| diags.extend(d))
            .ok();
        match (strings, sources, content, templates) {
            (Some(strings), Some(sources), Some(content), Some(templates))
                if !diags.has_errors() =>
            {
                Ok(Site {
                    root: root.to_path_buf(),
                    config,
                    strings,
                    sources,
                    content,
                    templates,
                })
            }
            _ => Err(diags),
        }
    }

    /// Render every page and file into `sink`, then check the result as a whole.
    pub fn render(&self, sink: &dyn Sink, strictness: Strictness) -> Result<Report, Diagnostics> {
        self.render_cached(sink, strictness, &mut RenderCache::default(), None)
    }

    /// [`Site::render`] for `factsheet serve`, which re-renders only what an edit can change.
    /// Pages of kind "page" whose file is not in `dirty` are not rendered again: their results
    /// (citations, links, readability, errors) come from `cache`, and nothing is written to
    /// `sink` for them. `dirty = None` renders every page. Print and sources pages always
    /// render (they show every page). The cache is refilled with this render's results.
    ///
    /// The caller decides what is dirty (see `serve::builder`): a page's output depends on its
    /// own file and, through the navigation, translation links, partials and the page index, on
    /// every page's front matter, path and existence, and on config, strings, sources and
    /// templates. Giving a page other pages' data in its context must be reflected there.
    pub fn render_cached(
        &self,
        sink: &dyn Sink,
        strictness: Strictness,
        cache: &mut RenderCache,
        dirty: Option<&HashSet<PathBuf>>,
    ) -> Result<Report, Diagnostics> {
        let ctx = RenderState::new(self);
        let (special, normal): (Vec<&Page>, Vec<&Page>) = self
            .content
            .pages
            .iter()
            .partition(|p| p.front.kind != PageKind::Page);
        let mut reused: Vec<Option<CachedPage>> = normal
            .iter()
            .map(|p| match dirty {
                Some(d) if !d.contains(&p.file) => cache.pages.remove(&p.file),
                _ => None,
            })
            .collect();
        let mut results: Vec<PageResult> = normal
            .par_iter()
            .zip(reused.par_iter_mut())
            .map(|(page, cached)| match cached.take() {
                Some(c) => c.into_result(page),
                None => ctx.render_page(page, sink, None),
            })
            .collect();
        let cited_by = cited_by(&results);
        // The sources and print pages of a large site each have a template context the size of
        // the site (tens of MB at 10,000 pages per language): render them one at a time there,
        // so as not to add them up at the peak of memory; in parallel on smaller sites.
        let special_results: Vec<PageResult> = if self.content.pages.len() > 4_000 {
            special
                .iter()
                .map(|page| ctx.render_page(page, sink, Some(&cited_by)))
                .collect()
        } else {
            special
                .par_iter()
                .map(|page| ctx.render_page(page, sink, Some(&cited_by)))
                .collect()
        };
        results.extend(special_results);

        let mut diags = Diagnostics::default();
        for d in ctx.partial_errors() {
            diags.push(d);
        }
        let mut report = Report::default();
        let mut page_links = Vec::with_capacity(results.len());
        let mut cited: HashSet<&str> = HashSet::new();
        for r in &results {
            diags.0.extend(r.errors.iter().cloned());
            cited.extend(r.citations.log.iter().map(|k| &**k));
            if let Some(l) = &r.links {
                page_links.push(l);
            }
            *report
                .pages_per_lang
                .entry(r.page.lang.clone())
                .or_default() += 1;
        }
        let files = self.write_other_files(sink, &results, &mut diags);
        report.other_files = files.len();
        if !diags.has_errors() {
            diags.0.extend(links::check(&page_links, &files, self));
        }
        self.check_unused_sources(&cited, &mut diags);
        self.check_citation_parity(&results, &mut diags);
        self.check_readability(&results, strictness, &mut diags, &mut report);
        report.warnings = diags.take_warnings();
        cache.keep(results);
        if diags.has_errors() {
            diags.0.append(&mut report.warnings);
            return Err(diags);
        }
        Ok(report)
    }

    fn write_other_files(
        &self,
        sink: &dyn Sink,
        results: &[PageResult],
        diags: &mut Diagnostics,
    ) -> HashSet<String> {
        enum Data {
            Copy(PathBuf),
            Bytes(Vec<u8>),
        }
        let mut extras: Vec<(String, PathBuf, Data)> = Vec::new();
        for (rel, abs) in self.static_files(diags) {
            let origin = PathBuf::from("static").join(&rel);
            extras.push((rel, origin, Data::Copy(abs)));
        }
        for asset in &self.content.assets {
            let origin = asset
                .source
                .strip_prefix(&self.root)
                .unwrap_or(&asset.source);
            extras.push((
                asset.output.clone(),
                origin.to_path_buf(),
                Data::Copy(asset.source.clone()),
            ));
        }
        let generated = PathBuf::from("(generated)");
        extras.push((
            "sitemap.xml".into(),
            generated.clone(),
            Data::Bytes(self.sitemap(results).into_bytes()),
        ));
        let robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
            self.config.base_url
        );
        extras.push((
            "robots.txt".into(),
            generated,
            Data::Bytes(robots.into_bytes()),
        ));
        if self.templates.has("404.html") {
            match self.render_not_found() {
                Ok(html) => extras.push((
                    "404.html".into(),
                    "templates/404.html".into(),
                    Data::Bytes(html.into_bytes()),
                )),
                Err(d) => diags.push(d),
            }
        }

        let pages: HashSet<String> = results
            .iter()
            .map(|r| r.page.output_file(&self.config))
            .collect();
        let mut files: HashSet<String> = HashSet::new();
        for (rel, origin, data) in extras {
            if pages.contains(&rel) || files.contains(&rel) {
                diags.push(
                    Diagnostic::error(format!(
                        "{} would overwrite another output file, {rel}",
                        origin.display()
                    ))
                    .in_file(&origin)
                    .with_help("rename or remove one of them"),
                );
                continue;
            }
            let written = match &data {
                Data::Copy(from) => sink.copy(&rel, from),
                Data::Bytes(bytes) => sink.write(&rel, bytes),
            };
            if let Err(e) = written {
                diags.push(Diagnostic::error(format!("cannot write {rel}: {e}")).in_file(&origin));
            }
            files.insert(rel);
        }
        files
    }

    fn static_files(&self, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
        let dir = self.root.join("static");
        if !dir.is_dir() {
            return Vec::new();
        }
        crate::fs::walk(&self.root, "static", diags)
            .into_iter()
            .map(|f| (f.name, f.path))
            .collect()
    }

    fn render_not_found(&self) -> Result<String, Diagnostic> {
        let lang = &self.config.default_language;
        let ctx = render::NotFoundContext {
            config: self.config_context(lang),
            lang,
            root: self.config.base_path(),
            t: &self.strings[lang],
            i18n: &self.strings,
        };
        self.templates.render("404.html", &ctx)
    }

    fn config_context<'a>(&'a self, lang: &str) -> render::ConfigContext<'a> {
        let language = self
            .config
            .language(lang)
            .unwrap_or(&self.config.languages[0]);
        render::ConfigContext {
            title: &language.title,
            base_url: &self.config.base_url,
            default_language: &self.config.default_language,
            languages: &self.config.languages,
        }
    }

    fn sitemap(&self, results: &[PageResult]) -> String {
        let mut entries: Vec<&Page> = results.iter().map(|r| r.page).collect();
        entries.sort_by_key(|p| p.url_path(&self.config));
        let versions = self.versions();
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
        );
        for page in entries {
            let loc = self.permalink(page);
            xml.push_str(&format!(
                "  <url>\n    <loc>{}</loc>\n    <lastmod>{}</lastmod>\n",
                xml_escape(&loc),
                page.last_reviewed
            ));
            let twins = &versions[page.key.as_str()];
            if twins.len() > 1 {
                for twin in twins {
                    xml.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                        twin.lang,
                        xml_escape(&self.permalink(twin))
                    ));
                }
                if let Some(default) = twins
                    .iter()
                    .find(|t| t.lang == self.config.default_language)
                {
                    xml.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n",
                        xml_escape(&self.permalink(default))
                    ));
                }
            }
            xml.push_str("  </url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    }

    pub fn permalink(&self, page: &Page) -> String {
        format!("{}{}", self.config.base_url, page.url_path(&self.config))
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

    fn check_unused_sources(&self, cited: &HashSet<&str>, diags: &mut Diagnostics) {
        for key in self.sources.sources.keys() {
            if !cited.contains(key.as_str()) {
                let mut d = Diagnostic::error(format!("source `{key}` is not cited by any page"))
                    .in_file(config::SOURCES_FILE)
                    .with_help(format!(
                        "cite it with [@{key}], or remove it from sources.toml"
                    ));
                if let Some(l) = self.sources.location_of(key) {
                    d = d.at(l);
                }
                diags.push(d);
            }
        }
    }

    /// A translation must cite the same sources as its original.
    fn check_citation_parity(&self, results: &[PageResult], diags: &mut Diagnostics) {
        let mut by_key: BTreeMap<&str, Vec<&PageResult>> = BTreeMap::new();
        for r in results {
            by_key.entry(r.page.key.as_str()).or_default().push(r);
        }
        for group in by_key.values() {
            let Some(reference) = group
                .iter()
                .find(|r| r.page.lang == self.config.default_language)
            else {
                continue;
            };
            if !reference.citations.read {
                continue;
            }
            let expected = reference.body_sources();
            for other in group
                .iter()
                .filter(|r| r.page.lang != reference.page.lang && r.citations.read)
            {
                let got = other.body_sources();
                let missing: Vec<&str> = expected.difference(&got).copied().collect();
                let extra: Vec<&str> = got.difference(&expected).copied().collect();
                if missing.is_empty() && extra.is_empty() {
                    continue;
                }
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("does not cite {}", missing.join(", ")));
                }
                if !extra.is_empty() {
                    parts.push(format!(
                        "cites {} which the original does not",
                        extra.join(", ")
                    ));
                }
                diags.push(
                    Diagnostic::error(format!(
                        "translation {} {} ({} is the original)",
                        other.page.file.display(),
                        parts.join(" and "),
                        reference.page.file.display()
                    ))
                    .in_file(&other.page.file)
                    .with_help("translations must carry the same facts with the same citations"),
                );
            }
        }
    }

    fn check_readability(
        &self,
        results: &[PageResult],
        strictness: Strictness,
        diags: &mut Diagnostics,
        report: &mut Report,
    ) {
        let max = self.config.readability_max_grade;
        for r in results {
            let Some(score) = &r.readability else {
                continue;
            };
            report.readability.push((r.page.file.clone(), score.grade));
            if score.grade <= max {
                continue;
            }
            let message = format!(
                "{} reads at grade {:.1}, above the limit of {max} (Flesch-Kincaid, {} words in {} sentences)",
                r.page.file.display(),
                score.grade,
                score.words,
                score.sentences
            );
            let mut d = match strictness {
                Strictness::Check => Diagnostic::error(message),
                Strictness::Build => Diagnostic::warning(message),
            }
            .in_file(&r.page.file);
            let longest: Vec<String> = score
                .longest
                .iter()
                .map(|(n, s)| format!("({n} words) {}", ellipsize(s, 120)))
                .collect();
            d = d.with_label(format!(
                "longest sentences:\n     {}",
                longest.join("\n     ")
            ));
            d = d.with_help(
                "use shorter sentences and common words; put the medical word after the plain one",
            );
            diags.push(d);
        }
    }
}

impl links::Sources for Site {
    fn markdown(&self, file: &Path) -> Option<String> {
        match self.content.partials.iter().find(|p| p.file == file) {
            Some(partial) => Some(partial.text.clone()),
            None => std::fs::read_to_string(self.root.join(file)).ok(),
        }
    }

    fn in_templates(&self, template: &str, needle: &str) -> Option<(PathBuf, Location)> {
        self.templates.find(template, needle)
    }
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// Per-language: source key -> the pages citing it, in page order.
type CitedByMap<'a> = HashMap<&'a str, BTreeMap<String, Vec<&'a Page>>>;

fn cited_by<'a>(results: &[PageResult<'a>]) -> CitedByMap<'a> {
    let mut map: CitedByMap = HashMap::new();
    let mut sorted: Vec<&PageResult> = results.iter().collect();
    sorted.sort_by_key(|r| (r.page.front.weight, r.page.key.as_str()));
    for r in sorted {
        for key in r.body_sources() {
            map.entry(r.page.lang.as_str())
                .or_default()
                .entry(key.to_string())
                .or_default()
                .push(r.page);
        }
    }
    map
}

struct PageResult<'a> {
    page: &'a Page,
    citations: CitationLog,
    links: Option<PageLinks>,
    readability: Option<Readability>,
    errors: Vec<Diagnostic>,
}

/// Page results kept between renders: see [`Site::render_cached`].
#[derive(Default)]
pub struct RenderCache {
    pages: HashMap<PathBuf, CachedPage>,
}

/// A [`PageResult`] without its page.
struct CachedPage {
    citations: CitationLog,
    links: Option<PageLinks>,
    readability: Option<Readability>,
    errors: Vec<Diagnostic>,
}

impl CachedPage {
    fn into_result(self, page: &Page) -> PageResult<'_> {
        PageResult {
            page,
            citations: self.citations,
            links: self.links,
            readability: self.readability,
            errors: self.errors,
        }
    }
}

impl RenderCache {
    /// Keep the results of ordinary pages (print and sources pages always render again).
    fn keep(&mut self, results: Vec<PageResult>) {
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

impl PageResult<'_> {
    /// Sources cited in the page's own text (not in partials shown on every page).
    fn body_sources(&self) -> BTreeSet<&str> {
        self.citations.log[self.citations.body.clone()]
            .iter()
            .map(|k| &**k)
            .collect()
    }
}

#[derive(Default)]
struct CitationLog {
    /// Every key cited, in order: partials, the page's own text, then (print page) the
    /// pages it contains. Keys are shared with the source list (a large site keeps about a
    /// million of them).
    log: Vec<Arc<str>>,
    /// The part of `log` cited by the page's own text.
    body: std::ops::Range<usize>,
    /// False when the page could not be read: its citations are unknown, not absent.
    read: bool,
}

/// What rendering needs about the whole site, computed once per render.
struct RenderState<'a> {
    site: &'a Site,
    index: Index<'a>,
    known_sources: HashSet<&'a str>,
    /// The same keys, to share in the pages' citation logs.
    source_keys: HashMap<&'a str, Arc<str>>,
    /// Per language: top-level pages in navigation order.
    nav: HashMap<&'a str, Vec<&'a Page>>,
    /// Per language: the pages the print page contains, in reading order.
    reading_order: HashMap<&'a str, Vec<&'a Page>>,
    versions: HashMap<&'a str, Vec<&'a Page>>,
    sources_page: HashMap<&'a str, String>,
    /// Per language: the partials, when they are the same on every page (no links to pages,
    /// which are relative to the page), with the citations they make.
    same_partials: HashMap<&'a str, (BTreeMap<&'a str, String>, Citations, PartialLinks<'a>)>,
}

struct Index<'a> {
    urls: HashMap<(&'a str, &'a str), String>,
    keys: Vec<&'a str>,
}

impl PageIndex for Index<'_> {
    fn url_of(&self, key: &str, lang: &str) -> Option<String> {
        self.urls.get(&(key, lang)).cloned()
    }
    fn keys(&self) -> Vec<&str> {
        self.keys.clone()
    }
}

impl<'a> RenderState<'a> {
    fn new(site: &'a Site) -> Self {
        let config = &site.config;
        let pages = &site.content.pages;
        let mut keys: Vec<&str> = pages.iter().map(|p| p.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let index = Index {
            urls: pages
                .iter()
                .map(|p| ((p.key.as_str(), p.lang.as_str()), p.url_path(config)))
                .collect(),
            keys,
        };
        let order = |list: &mut Vec<&Page>| list.sort_by_key(|p| (p.front.weight, p.key.clone()));
        let mut nav: HashMap<&str, Vec<&Page>> = HashMap::new();
        let mut reading_order: HashMap<&str, Vec<&Page>> = HashMap::new();
        let mut sources_page = HashMap::new();
        for p in pages {
            if p.is_top_level() {
                nav.entry(p.lang.as_str()).or_default().push(p);
            }
            if p.front.kind == PageKind::Page {
                reading_order.entry(p.lang.as_str()).or_default().push(p);
            }
            if p.front.kind == PageKind::Sources {
                sources_page.insert(p.lang.as_str(), p.url_path(config));
            }
        }
        nav.values_mut().for_each(order);
        reading_order.values_mut().for_each(order);
        let mut state = RenderState {
            site,
            index,
            known_sources: site.sources.sources.keys().map(String::as_str).collect(),
            source_keys: site
                .sources
                .sources
                .keys()
                .map(|k| (k.as_str(), Arc::from(k.as_str())))
                .collect(),
            nav,
            reading_order,
            versions: site.versions(),
            sources_page,
            same_partials: HashMap::new(),
        };
        // A link to a page differs between a page at the root and one two folders down; a
        // partial that renders the same from both has none and is rendered once.
        for lang in &config.languages {
            let render_from = |from: &str| {
                let mut cites = Citations::default();
                let (html, links) =
                    state.render_partials(&lang.code, from, &mut cites, &mut Vec::new());
                (html, cites, links)
            };
            let (at_root, cites, links) = render_from("");
            if at_root == render_from("a/b/").0 {
                state
                    .same_partials
                    .insert(lang.code.as_str(), (at_root, cites, links));
            }
        }
        state
    }

    fn cite_label(&self, lang: &str) -> &str {
        self.site.strings[lang]
            .get("source")
            .map_or("Source", String::as_str)
    }

    /// `text` is the page's file, from [`Page::read`].
    fn page_input<'b>(
        &'b self,
        page: &'b Page,
        text: &'b str,
        links: LinkStyle<'b>,
        id_prefix: &'b str,
    ) -> RenderInput<'b> {
        RenderInput {
            file_text: text,
            body_start: page.head.len(),
            file: &page.file,
            lang: &page.lang,
            dir: page.key.rsplit_once('/').map_or("", |(d, _)| d),
            links,
            id_prefix,
            // Inside the print document each page is a section under its own h2.
            heading_shift: u8::from(!id_prefix.is_empty()),
            collect_text: id_prefix.is_empty() && is_graded(page),
            cite_label: self.cite_label(&page.lang),
        }
    }

    fn partial_input<'b>(
        &'b self,
        partial: &'b content::Partial,
        from: &'b str,
    ) -> RenderInput<'b> {
        RenderInput {
            file_text: &partial.text,
            body_start: 0,
            file: &partial.file,
            lang: &partial.lang,
            dir: "",
            links: LinkStyle::Relative { from },
            id_prefix: "",
            heading_shift: 0,
            collect_text: false,
            cite_label: self.cite_label(&partial.lang),
        }
    }

    /// Partials render on every page (their links are relative to it), but their errors
    /// are reported once, here.
    fn partial_errors(&self) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        for lang in &self.site.config.languages {
            let mut cites = Citations::default();
            self.render_partials(&lang.code, "", &mut cites, &mut errors);
        }
        errors
    }

    fn render_partials(
        &self,
        lang: &str,
        from: &str,
        cites: &mut Citations,
        errors: &mut Vec<Diagnostic>,
    ) -> (BTreeMap<&'a str, String>, PartialLinks<'a>) {
        let mut out = BTreeMap::new();
        let mut links = BTreeMap::new();
        for partial in self.site.content.partials.iter().filter(|p| p.lang == lang) {
            let input = self.partial_input(partial, from);
            let r = markdown::render(&input, &self.index, &self.known_sources, cites, errors);
            out.insert(partial.name.as_str(), r.html);
            links.insert(partial.name.as_str(), (partial.file.as_path(), r.links));
        }
        (out, links)
    }

    fn render_page(
        &self,
        page: &'a Page,
        sink: &dyn Sink,
        cited_by: Option<&CitedByMap<'a>>,
    ) -> PageResult<'a> {
        let site = self.site;
        let config = &site.config;
        let lang = page.lang.as_str();
        let url = page.url_path(config);
        let mut errors = Vec::new();
        let (partials, mut cites, partial_links) = match self.same_partials.get(lang) {
            Some((html, cites, links)) => (html.clone(), cites.clone(), Cow::Borrowed(links)),
            None => {
                let mut cites = Citations::default();
                let (html, links) = self.render_partials(lang, &url, &mut cites, &mut Vec::new());
                (html, cites, Cow::Owned(links))
            }
        };
        let body_from = cites.log_len();
        let text = match page.read(&site.root) {
            Ok(text) => text,
            Err(d) => {
                errors.push(d);
                return PageResult {
                    page,
                    citations: CitationLog::default(),
                    links: None,
                    readability: None,
                    errors,
                };
            }
        };
        let input = self.page_input(page, &text, LinkStyle::Relative { from: &url }, "");
        let md = markdown::render(
            &input,
            &self.index,
            &self.known_sources,
            &mut cites,
            &mut errors,
        );
        let body = body_from..cites.log_len();
        let (print_sections, section_links) = match page.front.kind {
            PageKind::Print => {
                let (sections, links) = self.print_sections(page, &url, &mut cites);
                (Some(sections), links)
            }
            _ => (None, Vec::new()),
        };
        let sources = (page.front.kind == PageKind::Sources)
            .then(|| self.source_entries(lang, &url, cited_by));
        let readability = is_graded(page).then(|| readability::analyse(&md.text_blocks));

        let template = self.template_for(page, &mut errors);
        let mut links = None;
        if let Some(template) = template {
            let context = self.context(page, &url, &md, &cites, partials, print_sections, sources);
            // The template adds a few kilobytes to the content.
            let size_hint = md.html.len() + 8 * 1024;
            match site.templates.render_bytes(template, &context, size_hint) {
                Ok(html) => {
                    let output = page.output_file(config);
                    if let Err(e) = sink.write(&output, &html) {
                        errors.push(
                            Diagnostic::error(format!("cannot write {output}: {e}"))
                                .in_file(&page.file),
                        );
                    }
                    // The Markdown shown on the page besides its own, as rendered into it.
                    let shown: Vec<(&str, &Path, &links::Recorded)> = partial_links
                        .iter()
                        .filter_map(|(name, (file, recorded))| {
                            Some((context.partials.get(name)?.as_str(), *file, recorded))
                        })
                        .chain(context.pages.iter().flatten().zip(&section_links).map(
                            |(section, (file, recorded))| {
                                (section.content.as_str(), *file, recorded)
                            },
                        ))
                        .collect();
                    let mut scanned = scan_page(page, &output, &html, &md, &shown);
                    scanned.template = template.to_string();
                    scanned.aggregate = page.front.kind == PageKind::Print;
                    links = Some(scanned);
                }
                Err(d) => {
                    errors.push(d.with_label(format!("while rendering {}", page.file.display())))
                }
            }
        }
        PageResult {
            page,
            citations: CitationLog {
                log: cites
                    .log()
                    .map(|k| match self.source_keys.get(k) {
                        Some(shared) => Arc::clone(shared),
                        None => Arc::from(k),
                    })
                    .collect(),
                body,
                read: true,
            },
            links,
            readability,
            errors,
        }
    }

    fn template_for(&self, page: &Page, errors: &mut Vec<Diagnostic>) -> Option<&'a str> {
        let templates = &self.site.templates;
        // Without an explicit template, a page kind or the home page uses its own template
        // when the theme has one.
        let preferred = match page.front.kind {
            PageKind::Print => Some("print.html"),
            PageKind::Sources => Some("sources.html"),
            PageKind::Page if page.key == "_index" => Some("index.html"),
            PageKind::Page => None,
        };
        let name: &str = match (&page.front.template, preferred) {
            (Some(t), _) => t,
            (None, Some(p)) if templates.has(p) => p,
            (None, _) => "page.html",
        };
        if templates.has(name) {
            return templates.names().find(|n| *n == name);
        }
        let mut d = Diagnostic::error(format!("template `{name}` not found"))
            .in_file(&page.file)
            .with_help(format!(
                "templates/ has: {}",
                templates.names().collect::<Vec<_>>().join(", ")
            ));
        if page.front.template.is_some()
            && let Some(offset) = page.head.find("template")
        {
            d = d.at(Location::at(&page.head, offset, "template".len()));
        }
        errors.push(d);
        None
    }

    fn print_sections(
        &self,
        print_page: &Page,
        url: &str,
        cites: &mut Citations,
    ) -> (Vec<render::PrintSection<'a>>, Vec<ShownMarkdown<'a>>) {
        let pages = self
            .reading_order
            .get(print_page.lang.as_str())
            .cloned()
            .unwrap_or_default();
        let anchors: HashMap<String, String> = pages
            .iter()
            .map(|p| (p.key.clone(), print_anchor(p)))
            .collect();
        pages
            .iter()
            .filter_map(|p| {
                let anchor = print_anchor(p);
                let prefix = format!("{anchor}-");
                // A page that cannot be read is reported when it renders itself.
                let text = p.read(&self.site.root).ok()?;
                let input = self.page_input(
                    p,
                    &text,
                    LinkStyle::Document {
                        from: url,
                        anchors: &anchors,
                    },
                    &prefix,
                );
                // Errors in these pages are reported when the pages themselves render.
                let md = markdown::render(
                    &input,
                    &self.index,
                    &self.known_sources,
                    cites,
                    &mut Vec::new(),
                );
                let section = render::PrintSection {
                    title: &p.front.title,
                    slug: p.slug(),
                    anchor,
                    last_reviewed: &p.last_reviewed,
                    next_review: &p.next_review,
                    content: md.html,
                };
                Some((section, (p.file.as_path(), md.links)))
            })
            .unzip()
    }

    fn source_entries(
        &self,
        lang: &str,
        url: &str,
        cited_by: Option<&CitedByMap<'a>>,
    ) -> Vec<render::SourceEntry<'a>> {
        let by_key = cited_by.and_then(|m| m.get(lang));
        self.site
            .sources
            .sources
            .iter()
            .map(|(key, s)| render::SourceEntry {
                key,
                source: s,
                cited_by: by_key
                    .and_then(|m| m.get(key))
                    .map(|pages| {
                        pages
                            .iter()
                            .map(|p| render::CitedBy {
                                title: &p.front.title,
                                url: relative(url, &p.url_path(&self.site.config)),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn context<'b>(
        &'b self,
        page: &'a Page,
        url: &'b str,
        md: &'b markdown::Rendered,
        cites: &'b Citations,
        partials: BTreeMap<&'a str, String>,
        pages: Option<Vec<render::PrintSection<'a>>>,
        sources: Option<Vec<render::SourceEntry<'a>>>,
    ) -> render::Context<'b>
    where
        'a: 'b,
    {
        let site = self.site;
        let config = &site.config;
        let lang = page.lang.as_str();
        let nav: Vec<render::NavItem> = self
            .nav
            .get(lang)
            .map(|list| {
                list.iter()
                    .map(|p| render::NavItem {
                        title: &p.front.title,
                        short_title: p.nav_title(),
                        url: relative(url, &p.url_path(config)),
                        slug: p.slug(),
                        is_current: p.key == page.key,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let by_slug = nav.iter().map(|n| (n.slug, n.clone())).collect();
        let sources_url = self.sources_page.get(lang).map(|s| relative(url, s));
        let citations = cites
            .order
            .iter()
            .enumerate()
            .filter_map(|(i, key)| {
                let s = site.sources.sources.get(key)?;
                Some(render::CitationContext {
                    number: i + 1,
                    key,
                    source: s,
                    sources_url: sources_url
                        .as_ref()
                        .map_or_else(String::new, |u| format!("{u}#{key}")),
                })
            })
            .collect();
        let twins = self
            .versions
            .get(page.key.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let translations = twins
            .iter()
            .filter(|t| t.lang != page.lang)
            .map(|t| render::TranslationLink {
                lang: &t.lang,
                name: config
                    .language(&t.lang)
                    .map_or(t.lang.as_str(), |l| l.name.as_str()),
                title: &t.front.title,
                url: relative(url, &t.url_path(config)),
                permalink: site.permalink(t),
            })
            .collect();
        let alternates = twins
            .iter()
            .map(|t| render::Alternate {
                lang: &t.lang,
                permalink: site.permalink(t),
            })
            .collect();
        let x_default = twins
            .iter()
            .find(|t| t.lang == config.default_language)
            .map_or_else(|| site.permalink(page), |t| site.permalink(t));
        render::Context {
            config: site.config_context(lang),
            lang,
            t: &site.strings[lang],
            root: relative(url, ""),
            lang_root: relative(url, &config.lang_prefix(lang)),
            nav,
            by_slug,
            partials,
            page: render::PageContext {
                title: &page.front.title,
                description: &page.front.description,
                slug: page.slug(),
                kind: page.front.kind.as_str(),
                weight: page.front.weight,
                last_reviewed: &page.last_reviewed,
                next_review: &page.next_review,
                url: "./",
                permalink: site.permalink(page),
                content: &md.html,
                toc: &md.toc,
                citations,
                translations,
                alternates,
                x_default,
                extra: &page.front.extra,
            },
            pages,
            sources,
        }
    }
}

/// A Markdown file and the ids and links it wrote, as rendered to be shown on a page
/// (a partial; a page's section of the print page).
type ShownMarkdown<'a> = (&'a Path, links::Recorded);

/// Per partial name: its file and the ids and links its Markdown wrote.
type PartialLinks<'a> = BTreeMap<&'a str, ShownMarkdown<'a>>;

/// The ids and links of a rendered page. The Markdown renderer recorded those of the page's
/// content and of the partials; where the template printed them as they are, only the rest
/// of the page is read (a third of it on a typical page), and a problem in them points at
/// their Markdown.
fn scan_page(
    page: &Page,
    output: &str,
    html: &[u8],
    md: &markdown::Rendered,
    shown: &[(&str, &Path, &links::Recorded)],
) -> PageLinks {
    // (range in `html`, recorded links, Markdown file number: 0 the page, then partials)
    let mut known: Vec<(std::ops::Range<usize>, &links::Recorded, u16)> = Vec::new();
    // What is neither the page's Markdown nor other Markdown shown on it. Where the
    // content is not found as it was rendered (a template that changes it), its links
    // cannot be told apart from the template's.
    let mut rest = links::Origin::Template;
    if !md.html.is_empty() {
        match find(html, &md.html) {
            Some(start) => known.push((start..start + md.html.len(), &md.links, 0)),
            None if md.links == links::Recorded::default() => {}
            None => rest = links::Origin::Page,
        }
    }
    let mut files = Vec::new();
    for (text, file, recorded) in shown {
        let Some(start) = (!text.is_empty()).then(|| find(html, text)).flatten() else {
            continue;
        };
        let range = start..start + text.len();
        if known
            .iter()
            .any(|(r, ..)| r.start < range.end && range.start < r.end)
        {
            continue;
        }
        files.push(file.to_path_buf());
        let number = u16::try_from(files.len()).unwrap_or(u16::MAX);
        known.push((range, recorded, number));
    }
    known.sort_by_key(|(r, ..)| r.start);
    let mut parts = Vec::with_capacity(2 * known.len() + 1);
    let mut at = 0;
    for (range, recorded, file) in &known {
        parts.push(links::Part::Html(&html[at..range.start], rest));
        let html = &html[range.clone()];
        parts.push(if recorded.opaque {
            // Raw HTML: read, but still known to come from this file.
            links::Part::Html(
                html,
                links::Origin::Markdown {
                    file: *file,
                    span: None,
                },
            )
        } else {
            links::Part::Known {
                html,
                recorded,
                file: *file,
            }
        });
        at = range.end;
    }
    parts.push(links::Part::Html(&html[at..], rest));
    let mut scanned = links::scan_parts(output, page.file.clone(), &parts);
    scanned.shown = files;
    scanned
}

/// Where `needle` (a page's content, kilobytes long) stands in `html`. Searching for a short
/// prefix and comparing the rest is several times cheaper than preparing a search for the
/// whole needle.
fn find(html: &[u8], needle: &str) -> Option<usize> {
    let mut prefix_len = needle.len().min(64);
    while !needle.is_char_boundary(prefix_len) {
        prefix_len -= 1;
    }
    memchr::memmem::find_iter(html, &needle.as_bytes()[..prefix_len])
        .find(|&at| html[at..].starts_with(needle.as_bytes()))
}

/// Pages whose reading grade is checked: ordinary English pages that have not opted out.
/// Flesch-Kincaid is a formula for English.
fn is_graded(page: &Page) -> bool {
    page.front.kind == PageKind::Page && page.front.readability && page.lang == "en"
}

/// The id of a page's section on the print page: `risks`, `home` for the home page.
fn print_anchor(page: &Page) -> String {
    if page.path.is_empty() {
        "home".to_string()
    } else {
        page.path.replace('/', "-")
    }
}
