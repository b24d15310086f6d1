//! Rendering one page: its partials, its Markdown, its template; then the ids and links of
//! the result for the link check. [`RenderState`] holds what that needs about the whole site,
//! computed once per render.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Page, PageKind, Partial};
use crate::diagnostic::{Diagnostic, Location};
use crate::glossary::Glossary;
use crate::links::{self, PageLinks};
use crate::markdown::{self, Citations, PageIndex, RenderInput};
use crate::output::Sink;
use crate::phones::PhoneBook;
use crate::readability::{self, Readability};

use super::Site;
use super::context::{
    self, Arranged, CitedByMap, Context, Handout, HandoutSection, ListingEntry, PageParts,
    PrintSection, SourceEntry,
};
use super::print::{self, Printed, Relocation};
use super::sources_shown::SourcesShown;

/// Above this a page's file gets a warning. The fact sheet's longest page is 19 KB; the
/// new-user trial's 100 MB page built in 28 s and 882 MiB without a word.
const LONG_PAGE_BYTES: usize = 1_000_000;

fn long_page_warning(page: &Page, text: &str) -> Option<Diagnostic> {
    (text.len() > LONG_PAGE_BYTES).then(|| {
        Diagnostic::warning(format!(
            "{} is {:.1} MB: a page this long is slow to build, and too long to read on a phone",
            page.file.display(),
            text.len() as f64 / 1e6
        ))
        .in_file(&page.file)
        .with_help("split it into several pages: a patient page is rarely over 50 KB")
    })
}

/// What rendering a page found out, for the site-wide checks and the render cache.
pub(super) struct PageResult<'a> {
    pub(super) page: &'a Page,
    pub(super) citations: CitationLog,
    pub(super) links: Option<PageLinks>,
    pub(super) readability: Option<Readability>,
    /// The variants of `terms.toml` the page uses, as errors: the site-wide check grades
    /// them (a warning in `build`).
    pub(super) terms: Vec<Diagnostic>,
    /// What the search index holds of the page.
    pub(super) search: Option<crate::search::PageEntry>,
    pub(super) errors: Vec<Diagnostic>,
    /// What the print page shows of the page, where its language has one. Boxed: a
    /// site without a print page holds 20,000 empty ones at 10,000 pages per language.
    pub(super) printed: Option<Box<Printed>>,
}

/// What the print and sources pages show of the ordinary pages' results.
pub(super) struct Ordinary<'r, 'a> {
    pub(super) cited_by: CitedByMap<'a>,
    /// By page key and language.
    pub(super) printed: HashMap<(&'a str, &'a str), &'r Printed>,
}

/// Per language: source key -> the pages citing it, in page order, for the sources page.
pub(super) fn cited_by<'a>(results: &[PageResult<'a>]) -> CitedByMap<'a> {
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

impl PageResult<'_> {
    /// Sources cited in the page's own text (not in partials shown on every page), sorted,
    /// each once.
    pub(super) fn body_sources(&self) -> &[Arc<str>] {
        &self.citations.log[self.citations.body.clone()]
    }
}

#[derive(Default)]
pub(super) struct CitationLog {
    /// The keys cited by the partials, then those cited by the page's own text, each part
    /// sorted and each key once: the site-wide checks after every edit in `factsheet serve`
    /// compare these sets for every page. Keys are shared with the source list.
    pub(super) log: Vec<Arc<str>>,
    /// The part of `log` cited by the page's own text.
    pub(super) body: std::ops::Range<usize>,
    /// False when the page could not be read: its citations are unknown, not absent.
    pub(super) read: bool,
}

/// What rendering needs about the whole site, computed once per render.
pub(super) struct RenderState<'a> {
    site: &'a Site,
    /// Where each page is, for links written in Markdown.
    index: Index<'a>,
    sources: Sources<'a>,
    /// The pages as the templates arrange them: navigation, reading order, translations.
    arranged: Arranged<'a>,
    partials: Partials<'a>,
    /// Every source as `templates/source.html` shows it, per language.
    sources_shown: SourcesShown<'a>,
    /// Per language: the terms of the page whose front matter lists `terms`.
    glossaries: HashMap<&'a str, Glossary>,
    /// Files the build will surely write (see [`Site::sure_outputs`]): links to them are
    /// settled as each page is read. `None` for an offline copy, whose check of links to
    /// folders reads every link.
    outputs: Option<HashSet<String>>,
    /// The numbers that become `tel:` links.
    phones: PhoneBook,
    /// The stylesheet the pages carry inlined, read for links once.
    style: Option<super::scan::InlineStyle<'a>>,
    /// The template values pages share.
    shared: context::Shared,
}

/// The keys of `sources.toml`.
struct Sources<'a> {
    known: foldhash::HashSet<&'a str>,
    /// The same keys, to share in the pages' citation logs.
    shared: HashMap<&'a str, Arc<str>>,
}

/// The partials, rendered once per language where that is enough.
#[derive(Default)]
struct Partials<'a> {
    /// Per language: the partials, when they are the same on every page (no links to pages,
    /// which are relative to the page), with the citations they make and the ids and links
    /// they wrote.
    same: HashMap<&'a str, (BTreeMap<&'a str, String>, Citations, PartialLinks<'a>)>,
    /// Partials render on every page, but their errors are reported once.
    errors: Vec<Diagnostic>,
}

struct Index<'a> {
    urls: HashMap<(&'a str, &'a str), String>,
    keys: Vec<&'a str>,
    drafts: HashMap<(&'a str, &'a str), &'a Path>,
    /// Pages with `translation = false`, by key: the URL of the default language's version
    /// (or of the one there is).
    originals: HashMap<&'a str, String>,
}

impl PageIndex for Index<'_> {
    fn url_of(&self, key: &str, lang: &str) -> Option<String> {
        self.urls.get(&(key, lang)).cloned()
    }
    fn keys(&self) -> Vec<&str> {
        self.keys.clone()
    }
    fn draft(&self, key: &str, lang: &str) -> Option<&Path> {
        self.drafts.get(&(key, lang)).copied()
    }
    fn original_of(&self, key: &str) -> Option<String> {
        self.originals.get(key).cloned()
    }
}

impl<'a> RenderState<'a> {
    /// What the site-wide checks need of a page's citations; `body` is the part of the
    /// log its own text made.
    fn citation_log(&self, cites: &Citations, body: std::ops::Range<usize>) -> CitationLog {
        let part = |range: std::ops::Range<usize>| {
            let mut keys: Vec<&str> = cites.log().skip(range.start).take(range.len()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys
        };
        let partials = part(0..body.start);
        let own = part(body);
        let shared = |k: &str| match self.sources.shared.get(k) {
            Some(shared) => Arc::clone(shared),
            None => Arc::from(k),
        };
        CitationLog {
            log: partials.iter().chain(&own).map(|k| shared(k)).collect(),
            body: partials.len()..partials.len() + own.len(),
            read: true,
        }
    }

    /// `statics`: [`Site::static_files`].
    pub(super) fn new(site: &'a Site, statics: &[(String, PathBuf)]) -> Self {
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
            drafts: site
                .content
                .drafts
                .iter()
                .map(|p| ((p.key.as_str(), p.lang.as_str()), p.file.as_path()))
                .collect(),
            // The default language's version last, so that it is the one kept.
            originals: pages
                .iter()
                .filter(|p| !p.front.translation && p.lang != config.default_language)
                .chain(
                    pages
                        .iter()
                        .filter(|p| !p.front.translation && p.lang == config.default_language),
                )
                .map(|p| (p.key.as_str(), p.url_path(config)))
                .collect(),
        };
        let keys = site.sources.sources.keys().map(String::as_str);
        let mut state = RenderState {
            site,
            index,
            sources: Sources {
                known: keys.clone().collect(),
                shared: keys.map(|k| (k, Arc::from(k))).collect(),
            },
            arranged: Arranged::new(site),
            partials: Partials::default(),
            sources_shown: SourcesShown::default(),
            glossaries: pages
                .iter()
                .filter(|p| !p.front.terms.is_empty())
                .map(|p| (p.lang.as_str(), Glossary::new(&p.key, &p.front.terms)))
                .collect(),
            outputs: (!site.offline).then(|| site.sure_outputs(statics)),
            phones: PhoneBook::new(&config.phones),
            style: site
                .inline_css
                .as_deref()
                .map(super::scan::InlineStyle::new),
            shared: context::Shared::new(site),
        };
        // Partials render once per language here, for their errors; without links to pages
        // (relative to the page showing them) that render is the same on every page.
        let mut partials = Partials::default();
        for lang in &config.languages {
            let mut cites = Citations::default();
            let (html, links, links_to_pages) =
                state.render_partials(&lang.code, "", &mut cites, &mut partials.errors);
            if !links_to_pages {
                partials
                    .same
                    .insert(lang.code.as_str(), (html, cites, links));
            }
        }
        state.sources_shown = SourcesShown::render(site, &mut partials.errors);
        state.partials = partials;
        state
    }

    /// The files this render counted on being written (see [`RenderState::outputs`]).
    pub(super) fn outputs(&self) -> Option<&HashSet<String>> {
        self.outputs.as_ref()
    }

    /// Errors in partials, found once for every page they are shown on.
    pub(super) fn partial_errors(&self) -> &[Diagnostic] {
        &self.partials.errors
    }

    fn call_label(&self, lang: &str) -> &str {
        call_label(self.site, lang)
    }

    fn cite_label(&self, lang: &str) -> &str {
        self.site.strings[lang]
            .get("source")
            .map_or("Source", String::as_str)
    }

    /// `text` is the page's file, from [`Page::read`]; `from` its URL path.
    fn page_input<'b>(&'b self, page: &'b Page, text: &'b str, from: &'b str) -> RenderInput<'b> {
        RenderInput {
            file_text: text,
            body_start: page.head.len(),
            file: &page.file,
            lang: &page.lang,
            dir: page.key.rsplit_once('/').map_or("", |(d, _)| d),
            from,
            collect_text: is_graded(page) || crate::search::is_indexed(page),
            cite_label: self.cite_label(&page.lang),
            glossary: self
                .glossaries
                .get(page.lang.as_str())
                .filter(|g| g.page_key != page.key),
            feedback_email: self.site.config.feedback_email.as_deref(),
            phones: Some(&self.phones),
            call_label: self.call_label(&page.lang),
            strings: self.site.strings.get(&page.lang),
        }
    }

    fn partial_input<'b>(&'b self, partial: &'b Partial, from: &'b str) -> RenderInput<'b> {
        RenderInput {
            file_text: &partial.text,
            body_start: 0,
            file: &partial.file,
            lang: &partial.lang,
            dir: "",
            from,
            collect_text: false,
            cite_label: self.cite_label(&partial.lang),
            // The emergency box is read in a hurry: no links but its own.
            glossary: None,
            feedback_email: self.site.config.feedback_email.as_deref(),
            phones: Some(&self.phones),
            call_label: self.call_label(&partial.lang),
            strings: self.site.strings.get(&partial.lang),
        }
    }

    fn render_partials(
        &self,
        lang: &str,
        from: &str,
        cites: &mut Citations,
        errors: &mut Vec<Diagnostic>,
    ) -> (BTreeMap<&'a str, String>, PartialLinks<'a>, bool) {
        let mut out = BTreeMap::new();
        let mut links = BTreeMap::new();
        let mut links_to_pages = false;
        for partial in self.site.content.partials.iter().filter(|p| p.lang == lang) {
            let input = self.partial_input(partial, from);
            let r = markdown::render(&input, &self.index, &self.sources.known, cites, errors);
            links_to_pages |= r.links_to_pages;
            out.insert(partial.name.as_str(), r.html);
            links.insert(partial.name.as_str(), (partial.file.as_path(), r.links));
        }
        (out, links, links_to_pages)
    }

    /// Render one page as named steps: its partials, its Markdown, what it gathers of the
    /// other pages, its template and file, then what the site-wide checks need of it.
    pub(super) fn render_page(
        &self,
        page: &'a Page,
        sink: &dyn Sink,
        ordinary: Option<&Ordinary<'_, 'a>>,
    ) -> PageResult<'a> {
        let site = self.site;
        let config = &site.config;
        let lang = page.lang.as_str();
        let url = page.url_path(config);
        let mut errors = Vec::new();
        let (partials, mut cites, partial_links) = self.partials_for(lang, &url);
        let body_from = cites.log_len();
        // The sources the partials cite come first in the page's numbering.
        let partial_sources = cites.order.len();
        let text = match page.read(&site.root) {
            Ok(text) => text,
            Err(d) => {
                errors.push(d);
                return PageResult {
                    page,
                    citations: CitationLog::default(),
                    links: None,
                    readability: None,
                    terms: Vec::new(),
                    search: None,
                    errors,
                    printed: None,
                };
            }
        };
        errors.extend(long_page_warning(page, &text));
        let input = self.page_input(page, &text, &url);
        let md = markdown::render(
            &input,
            &self.index,
            &self.sources.known,
            &mut cites,
            &mut errors,
        );
        let body = body_from..cites.log_len();
        if config.require_key_facts && page.front.kind.is_content() && md.key_facts.is_none() {
            errors.push(no_key_facts(page, &text));
        }
        let gathered = self.gathered(page, &url, ordinary, &cites, partial_sources, &mut errors);
        let readability = is_graded(page).then(|| readability::analyse(&md.text_blocks));
        let terms = match site.terms.as_ref().and_then(|t| t.of(lang)) {
            Some(entries) => crate::terms::scan(&text, page.head.len(), entries)
                .iter()
                .map(|u| u.diagnostic(entries, &page.file, &text))
                .collect(),
            None => Vec::new(),
        };
        let links = self.template_for(page, &mut errors).and_then(|template| {
            let parts = PageParts {
                page,
                url: &url,
                md: &md,
                cites: &cites,
                partials,
                pages: gathered.pages,
                sources: gathered.sources,
                listing: gathered.listing,
                handout: gathered.handout,
            };
            let shown = (partial_links.as_ref(), gathered.section_links.as_slice());
            self.write_page(parts, template, shown, sink, &mut errors)
        });
        let search = crate::search::is_indexed(page).then(|| {
            crate::search::PageEntry::new(
                &page.front.title,
                &page.front.description,
                url.clone(),
                &md.text_blocks,
                &md.headings,
                lang,
            )
        });
        let printed = (page.front.kind.is_content() && self.arranged.has_print_page(lang))
            .then(|| Box::new(Printed::new(md, &cites, body.clone())));
        PageResult {
            page,
            citations: self.citation_log(&cites, body),
            links,
            readability,
            terms,
            search,
            errors,
            printed,
        }
    }

    /// The partials of `lang` as shown on the page at `url`: rendered once per language
    /// when they link to no page, else for this page.
    fn partials_for(
        &self,
        lang: &str,
        url: &str,
    ) -> (
        BTreeMap<&'a str, String>,
        Citations,
        Cow<'_, PartialLinks<'a>>,
    ) {
        match self.partials.same.get(lang) {
            Some((html, cites, links)) => (html.clone(), cites.clone(), Cow::Borrowed(links)),
            None => {
                let mut cites = Citations::default();
                let (html, links, _) = self.render_partials(lang, url, &mut cites, &mut Vec::new());
                (html, cites, Cow::Owned(links))
            }
        }
    }

    /// What a gathering page shows of the other pages of its language (see
    /// [`PageKind::gathers`](crate::page_kind::PageKind::gathers)); nothing for the others.
    fn gathered(
        &self,
        page: &'a Page,
        url: &str,
        ordinary: Option<&Ordinary<'_, 'a>>,
        cites: &Citations,
        partial_sources: usize,
        errors: &mut Vec<Diagnostic>,
    ) -> Gathered<'a> {
        let site = self.site;
        let lang = page.lang.as_str();
        let printed = ordinary.map(|o| &o.printed);
        let mut gathered = Gathered::default();
        match page.front.kind {
            PageKind::Page => {}
            PageKind::Print => {
                let (sections, links) = self.print_sections(page, url, printed);
                gathered.pages = Some(sections);
                gathered.section_links = links;
            }
            PageKind::Sources => {
                let in_partials = &cites.order[..partial_sources];
                let cited_by = ordinary.map(|o| &o.cited_by);
                gathered.sources = Some(SourceEntry::list(
                    site,
                    &self.sources_shown,
                    lang,
                    url,
                    cited_by,
                    in_partials,
                ));
            }
            PageKind::Search => gathered.listing = Some(ListingEntry::list(site, page, url)),
            PageKind::Handout => gathered.handout = Some(self.handout(page, url, printed, errors)),
        }
        gathered
    }

    /// Fill the page's template, write the result into `sink`, and read the ids and links
    /// of what was written. `shown`: the ids and links of the partials and print sections.
    fn write_page(
        &self,
        parts: PageParts<'a, '_>,
        template: &str,
        (partial_links, section_links): (&PartialLinks<'a>, &[ShownMarkdown<'a>]),
        sink: &dyn Sink,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<PageLinks> {
        let site = self.site;
        let (page, md) = (parts.page, parts.md);
        // The template adds the stylesheet where it is inlined (20 KB), and several
        // kilobytes around the content: the head, the navigation, the list of sources.
        // Short of that, the buffer grew twice on every page.
        let css = site.inline_css.as_ref().map_or(0, String::len);
        let size_hint = md.html.len() + css + 16 * 1024;
        let nav = self.arranged.nav_items(page, parts.url, &site.config);
        let shared = self.shared.of(&page.lang, &nav);
        let context = Context::new(site, &self.arranged, &self.sources_shown, parts);
        let html = match site
            .templates
            .render_over(template, shared, &context, size_hint)
        {
            Ok(html) => html,
            Err(d) => {
                errors.push(d.with_label(format!("while rendering {}", page.file.display())));
                return None;
            }
        };
        let html = if site.offline {
            crate::offline::rewrite(&html)
        } else {
            html
        };
        let output = page.output_file(&site.config);
        if let Err(e) = sink.write(&output, &html) {
            errors.push(Diagnostic::cannot_write(&output, &e));
        }
        // The Markdown shown on the page besides its own, as rendered into it.
        let shown: Vec<(&str, &Path, &links::Recorded)> =
            partial_links
                .iter()
                .filter_map(|(name, (file, recorded))| {
                    Some((context.partials.get(name)?.as_str(), *file, recorded))
                })
                .chain(
                    context.pages.iter().flatten().zip(section_links).map(
                        |(section, (file, recorded))| (section.content.as_str(), *file, recorded),
                    ),
                )
                .collect();
        let mut scanned =
            super::scan::scan_page(page, &output, &html, md, &shown, self.style.as_ref());
        scanned.template = template.to_string();
        scanned.aggregate = page.front.kind.repeats_anchors();
        scanned.settle_local_links(self.outputs.as_ref());
        Some(scanned)
    }

    fn template_for(&self, page: &Page, errors: &mut Vec<Diagnostic>) -> Option<&'a str> {
        let templates = &self.site.templates;
        // Without an explicit template, a page kind or the home page uses its own template
        // when the theme has one.
        let preferred =
            (page.front.kind.template()).or_else(|| (page.key == "_index").then_some("index.html"));
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

    /// The handout of `page`'s language: each page's key facts (from what the pages rendered,
    /// ids prefixed as on the print page, links within a page leading to it), where to read
    /// each page, and a QR code to the language's home page at `base_url`.
    fn handout(
        &self,
        page: &Page,
        url: &str,
        printed: Option<&HashMap<(&'a str, &'a str), &Printed>>,
        errors: &mut Vec<Diagnostic>,
    ) -> Handout<'a> {
        let config = &self.site.config;
        let lang = page.lang.as_str();
        let document = print::Document::new(url, std::iter::empty());
        let without_scheme = |u: &str| u.split_once("://").map_or(u, |(_, rest)| rest).to_string();
        let sections = self
            .arranged
            .reading_order(lang)
            .iter()
            .filter_map(|p| {
                let shown = printed?.get(&(p.key.as_str(), p.lang.as_str()))?;
                let key_facts = shown.key_facts()?;
                let from = p.url_path(config);
                let anchor = print::anchor(p);
                let content = Relocation::excerpt(&document, &from, &anchor).html(key_facts);
                Some(HandoutSection {
                    title: &p.front.title,
                    url: crate::urls::relative(url, &from),
                    address: without_scheme(&self.site.permalink(p)),
                    content,
                    anchor,
                })
            })
            .collect();
        let home = format!(
            "{}{}",
            config.base_url,
            crate::urls::encode_path(&config.lang_prefix(lang))
        );
        let label = self.site.strings[lang]
            .get("handout_qr")
            .map_or("{url}", String::as_str)
            .replace("{url}", &home);
        let qr = match qr_svg(&home, &label) {
            Ok(svg) => svg,
            Err(e) => {
                errors.push(
                    Diagnostic::error(format!("cannot make a QR code of {home}: {e}"))
                        .in_file(&page.file),
                );
                String::new()
            }
        };
        Handout {
            sections,
            qr,
            home_text: without_scheme(&home),
            home,
        }
    }

    /// Every page of the print page's language as a section of one document, made from what
    /// the pages rendered (see [`mod@print`]), with their ids and links.
    fn print_sections(
        &self,
        print_page: &Page,
        url: &str,
        printed: Option<&HashMap<(&'a str, &'a str), &Printed>>,
    ) -> (Vec<PrintSection<'a>>, Vec<ShownMarkdown<'a>>) {
        let config = &self.site.config;
        let lang = print_page.lang.as_str();
        let pages = self.arranged.reading_order(lang);
        let urls: Vec<String> = pages.iter().map(|p| p.url_path(config)).collect();
        let document = print::Document::new(
            url,
            pages
                .iter()
                .zip(&urls)
                .map(|(p, u)| (u.clone(), print::anchor(p))),
        );
        let sources_url = self.arranged.sources_url(lang, url);
        pages
            .par_iter()
            .zip(&urls)
            .filter_map(|(p, from)| {
                // A page that could not be read has nothing to show; it is reported when
                // it renders itself.
                let shown = printed?.get(&(p.key.as_str(), p.lang.as_str()))?;
                let anchor = print::anchor(p);
                let relocation = Relocation::new(&document, from, &anchor);
                let numbered = shown.citations.iter().map(|(n, k)| (*n, k.as_str()));
                let section = PrintSection {
                    title: &p.front.title,
                    slug: p.slug(),
                    last_reviewed: &p.last_reviewed,
                    next_review: &p.next_review,
                    author: p.front.author.as_deref(),
                    clinical_reviewer: p.front.clinical_reviewer.as_deref(),
                    content: relocation.html(&shown.html),
                    citations: context::citations(
                        self.site,
                        &self.sources_shown,
                        lang,
                        numbered,
                        sources_url.as_deref(),
                    ),
                    anchor,
                };
                Some((
                    section,
                    (p.file.as_path(), relocation.recorded(&shown.links)),
                ))
            })
            .unzip()
    }
}

/// What a gathering page shows of the other pages of its language, for its context.
#[derive(Default)]
struct Gathered<'a> {
    /// The print page's sections, and the ids and links of each.
    pages: Option<Vec<PrintSection<'a>>>,
    section_links: Vec<ShownMarkdown<'a>>,
    sources: Option<Vec<SourceEntry<'a>>>,
    listing: Option<Vec<ListingEntry<'a>>>,
    handout: Option<Handout<'a>>,
}

/// A Markdown file and the ids and links it wrote, as rendered to be shown on a page
/// (a partial; a page's section of the print page).
type ShownMarkdown<'a> = (&'a Path, links::Recorded);

/// Per partial name: its file and the ids and links its Markdown wrote.
type PartialLinks<'a> = BTreeMap<&'a str, ShownMarkdown<'a>>;

/// A QR code of `url` as an inline SVG image named `label`, black on white in any colour
/// scheme (scanners need the contrast), with its quiet zone.
fn qr_svg(url: &str, label: &str) -> Result<String, qrcode::types::QrError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M)?;
    let svg = code
        .render::<svg::Color>()
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .build();
    // Inline in HTML: no XML declaration; an image with a name.
    let svg = svg.find("<svg").map_or(svg.as_str(), |at| &svg[at..]);
    let mut named = String::from("<svg role=\"img\" aria-label=\"");
    let _ = pulldown_cmark_escape::escape_html(&mut named, label);
    named.push('"');
    named.push_str(&svg["<svg".len()..]);
    Ok(named)
}

/// The accessible name of a `tel:` link in `lang` (`call_number` of the UI strings).
pub(super) fn call_label<'s>(site: &'s Site, lang: &str) -> &'s str {
    site.strings[lang]
        .get("call_number")
        .map_or("{number}: {reaches}", String::as_str)
}

/// Pages whose readability is checked: ordinary pages that have not opted out, in a language
/// with a readability measure ([`crate::languages`]).
fn is_graded(page: &Page) -> bool {
    page.front.kind.is_content()
        && page.front.readability
        && crate::languages::of(&page.lang).is_some()
}

/// A content page that does not open with `## Key facts {#key-facts}` (site.toml's
/// `require_key_facts`), pointing at the line it opens with instead.
fn no_key_facts(page: &Page, text: &str) -> Diagnostic {
    let body = &text[page.head.len()..];
    let start = page.head.len() + body.len() - body.trim_start().len();
    let first_line = text[start..].lines().next().map_or(0, str::len);
    Diagnostic::error("the page does not open with a key facts box")
        .in_file(&page.file)
        .at(Location::at(text, start, first_line))
        .with_help(
            "start the page with a heading `## Key facts {#key-facts}` and a short list \
             (site.toml sets require_key_facts)",
        )
}
