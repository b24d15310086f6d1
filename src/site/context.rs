//! The template context (documented in docs/templates.md): its types, and the code that
//! fills them from a rendered page and the site around it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Language, LocalSource, SiteConfig};
use crate::content::{Page, PageKind};
use crate::markdown::{self, Citations, TocEntry};
use crate::urls::relative;

use super::Site;
use super::sources_shown::SourcesShown;

#[derive(Serialize)]
pub(super) struct ConfigContext<'a> {
    title: &'a str,
    base_url: &'a str,
    default_language: &'a str,
    languages: &'a [Language],
    feedback_email: Option<&'a str>,
}

#[derive(Serialize, Clone)]
pub(super) struct NavItem<'a> {
    title: &'a str,
    short_title: &'a str,
    url: String,
    slug: &'a str,
    is_current: bool,
}

pub(super) struct CitationContext<'a> {
    number: usize,
    key: &'a str,
    /// title, publisher, date, url, url_lang, lang, secondary, publisher_lang, date_lang
    source: LocalSource<'a>,
    sources_url: String,
    /// The source as `templates/source.html` shows it, when the theme has that template.
    html: Option<Arc<str>>,
}

impl Serialize for CitationContext<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CitationContext", 13)?;
        st.serialize_field("number", &self.number)?;
        st.serialize_field("key", self.key)?;
        self.source.fields(&mut st)?;
        st.serialize_field("sources_url", &self.sources_url)?;
        if let Some(html) = &self.html {
            st.serialize_field("html", html)?;
        }
        st.end()
    }
}

#[derive(Serialize)]
struct TranslationLink<'a> {
    lang: &'a str,
    name: &'a str,
    title: &'a str,
    url: String,
    permalink: String,
}

#[derive(Serialize)]
struct Alternate<'a> {
    lang: &'a str,
    permalink: String,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    description: &'a str,
    slug: &'a str,
    kind: &'a str,
    weight: i64,
    last_reviewed: &'a str,
    next_review: &'a str,
    author: Option<&'a str>,
    clinical_reviewer: Option<&'a str>,
    url: &'a str,
    permalink: String,
    content: &'a str,
    /// *HTML*: the key facts box the content opens with (`<section class="key-facts">`), or
    /// nothing.
    key_facts: &'a str,
    /// *HTML*: the content after the key facts box; all of it when there is none.
    after_key_facts: &'a str,
    toc: &'a [TocEntry],
    citations: Vec<CitationContext<'a>>,
    translations: Vec<TranslationLink<'a>>,
    alternates: Vec<Alternate<'a>>,
    x_default: String,
    extra: &'a toml::Table,
    /// Not for search engines: the print page, the handout (see `PageKind::is_listed`).
    noindex: bool,
}

/// The handout: every page's key facts, and a QR code to the home page.
#[derive(Serialize)]
pub(super) struct Handout<'a> {
    pub(super) sections: Vec<HandoutSection<'a>>,
    /// *HTML*: an inline SVG image of a QR code to `home`.
    pub(super) qr: String,
    /// The language's home page, at `base_url`.
    pub(super) home: String,
    /// `home` without its scheme, as printed.
    pub(super) home_text: String,
}

/// One page's key facts on the handout.
#[derive(Serialize)]
pub(super) struct HandoutSection<'a> {
    pub(super) title: &'a str,
    pub(super) anchor: String,
    /// Relative link to the page.
    pub(super) url: String,
    /// The page at `base_url`, without its scheme: where to read more on paper.
    pub(super) address: String,
    /// *HTML*: the key facts, without their box and heading, ids prefixed `ANCHOR-`.
    pub(super) content: String,
}

/// One page of the print document.
#[derive(Serialize)]
pub(super) struct PrintSection<'a> {
    pub(super) title: &'a str,
    pub(super) slug: &'a str,
    pub(super) anchor: String,
    pub(super) last_reviewed: &'a str,
    pub(super) next_review: &'a str,
    pub(super) author: Option<&'a str>,
    pub(super) clinical_reviewer: Option<&'a str>,
    /// *HTML*: the page's content with ids prefixed `ANCHOR-` (see [`super::print`]).
    pub(super) content: String,
    /// The sources the page's own text cites, numbered as on the page.
    pub(super) citations: Vec<CitationContext<'a>>,
}

#[derive(Serialize)]
struct CitedBy<'a> {
    title: &'a str,
    url: String,
}

/// One source of the sources page, with the pages citing it.
pub(super) struct SourceEntry<'a> {
    key: &'a str,
    /// title, publisher, date, url, url_lang, lang, secondary, publisher_lang, date_lang
    source: LocalSource<'a>,
    /// As for [`CitationContext`].
    html: Option<Arc<str>>,
    cited_by: Vec<CitedBy<'a>>,
    /// Cited by a partial (the emergency box), which every page shows.
    every_page: bool,
}

impl Serialize for SourceEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SourceEntry", 13)?;
        st.serialize_field("key", self.key)?;
        self.source.fields(&mut st)?;
        if let Some(html) = &self.html {
            st.serialize_field("html", html)?;
        }
        st.serialize_field("cited_by", &self.cited_by)?;
        st.serialize_field("every_page", &self.every_page)?;
        st.end()
    }
}

/// One page of the search page's list.
#[derive(Serialize)]
pub(super) struct ListingEntry<'a> {
    title: &'a str,
    description: &'a str,
    url: String,
}

/// What every page's template gets, besides [`Shared`].
#[derive(Serialize)]
pub(super) struct Context<'a> {
    lang: &'a str,
    root: String,
    lang_root: String,
    /// Read again after rendering, to find the partials in the page.
    pub(super) partials: BTreeMap<&'a str, String>,
    page: PageContext<'a>,
    /// Read again after rendering, to find the print page's sections in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pages: Option<Vec<PrintSection<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<Vec<SourceEntry<'a>>>,
    /// Search pages: every other page of the language.
    #[serde(skip_serializing_if = "Option::is_none")]
    listing: Option<Vec<ListingEntry<'a>>>,
    /// The handout of the page's language, relative to the page.
    handout_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    handout: Option<Handout<'a>>,
    /// Whether the page links its language's web app manifest and registers the service
    /// worker: in `factsheet build`, not in the offline copy nor under `factsheet serve`.
    web_app: bool,
}

/// The part of every page's context made into template values beforehand, which the page
/// shares instead of converting it again: what is the same on every page of a language
/// (`t` alone is some sixty strings), and the navigation, the same for the pages of a folder.
pub(super) struct Shared {
    by_lang: HashMap<String, tera::Context>,
    nav: NavValues,
}

#[derive(Serialize)]
struct SharedFields<'a> {
    config: ConfigContext<'a>,
    t: &'a BTreeMap<String, String>,
    /// *CSS*: `static/style.css`, for a `<style>` element in place of a link to it (see
    /// [`Site::inline_css`]); nothing under `factsheet serve`.
    inline_css: Option<&'a str>,
}

impl Shared {
    pub(super) fn new(site: &Site) -> Self {
        let by_lang = site
            .config
            .languages
            .iter()
            .map(|l| {
                let lang = l.code.as_str();
                let fields = SharedFields {
                    config: ConfigContext::new(&site.config, lang),
                    t: &site.strings[lang],
                    inline_css: site.inline_css.as_deref(),
                };
                let context = tera::Context::from_serialize(&fields)
                    .expect("strings and options make template values");
                (lang.to_string(), context)
            })
            .collect();
        Shared {
            by_lang,
            nav: NavValues::default(),
        }
    }

    /// The shared part of the context of a page in `lang` whose navigation is `nav`.
    pub(super) fn of(&self, lang: &str, nav: &[NavItem<'_>]) -> tera::Context {
        let mut context = self.by_lang.get(lang).cloned().unwrap_or_default();
        self.nav.add_to(&mut context, lang, nav);
        context
    }
}

/// `nav` and `by_slug` as template values, kept for the pages that have the same ones: the
/// pages of one folder (a section's pages) link to the same pages by the same relative
/// URLs. Converting them was most of a page's context.
#[derive(Default)]
struct NavValues {
    kept: std::sync::Mutex<HashMap<String, [tera::Value; 2]>>,
}

impl NavValues {
    /// Enough for every folder of a large site; past it, values are made for each page.
    const KEEP: usize = 4096;

    /// `nav` (what [`Arranged::nav_items`] gives for a page in `lang`) and the same entries
    /// by slug, so a template can link to one page (`by_slug.about.url`) without filtering
    /// `nav` (Tera copies the list for each `filter`), put into `context`.
    fn add_to(&self, context: &mut tera::Context, lang: &str, nav: &[NavItem<'_>]) {
        // What differs between two pages' lists of one language: the URLs, and which
        // one is the page itself.
        let mut key = String::with_capacity(lang.len() + 24 * nav.len());
        key.push_str(lang);
        for item in nav {
            key.push(if item.is_current { '\u{1}' } else { '\u{0}' });
            key.push_str(&item.url);
        }
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let [nav_value, by_slug] = kept.unwrap_or_else(|| {
            let by_slug: BTreeMap<&str, &NavItem> = nav.iter().map(|n| (n.slug, n)).collect();
            let values = [
                tera::Value::from_serializable(nav),
                tera::Value::from_serializable(&by_slug),
            ];
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if kept.len() < Self::KEEP {
                kept.insert(key, values.clone());
            }
            values
        });
        context.insert_value("nav", nav_value);
        context.insert_value("by_slug", by_slug);
    }
}

/// The 404 page: served at any path, so its links are absolute paths from the site root.
#[derive(Serialize)]
pub(super) struct NotFoundContext<'a> {
    config: ConfigContext<'a>,
    lang: &'a str,
    root: String,
    t: &'a BTreeMap<String, String>,
    i18n: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// Per language: `emergency_short` as HTML, its listed numbers `tel:` links.
    emergency_short: BTreeMap<&'a str, String>,
}

/// What rendering one page produced, for its template.
pub(super) struct PageParts<'a, 'b> {
    pub(super) page: &'a Page,
    /// The page's URL path, which its links are relative to.
    pub(super) url: &'b str,
    pub(super) md: &'b markdown::Rendered,
    /// The page's citations: partials, then its own text.
    pub(super) cites: &'b Citations,
    pub(super) partials: BTreeMap<&'a str, String>,
    /// Print pages: every page, as sections of one document.
    pub(super) pages: Option<Vec<PrintSection<'a>>>,
    /// Sources pages: every source with the pages citing it.
    pub(super) sources: Option<Vec<SourceEntry<'a>>>,
    /// Search pages: every other page of the language.
    pub(super) listing: Option<Vec<ListingEntry<'a>>>,
    /// Handouts: every page's key facts.
    pub(super) handout: Option<Handout<'a>>,
}

/// The site's pages as the templates arrange them, per language.
pub(super) struct Arranged<'a> {
    /// Top-level pages in navigation order.
    nav: HashMap<&'a str, Vec<&'a Page>>,
    /// The pages the print page contains, in reading order.
    reading_order: HashMap<&'a str, Vec<&'a Page>>,
    /// Every language version of each page key.
    versions: HashMap<&'a str, Vec<&'a Page>>,
    /// The URL path of the sources page.
    sources_page: HashMap<&'a str, String>,
    /// The languages with a print page or a handout.
    print_page: HashSet<&'a str>,
    /// The URL path of the handout.
    handout: HashMap<&'a str, String>,
}

impl<'a> Arranged<'a> {
    pub(super) fn new(site: &'a Site) -> Self {
        let order = |list: &mut Vec<&Page>| list.sort_by_key(|p| (p.front.weight, p.key.clone()));
        let mut nav: HashMap<&str, Vec<&Page>> = HashMap::new();
        let mut reading_order: HashMap<&str, Vec<&Page>> = HashMap::new();
        let mut sources_page = HashMap::new();
        let mut print_page = HashSet::new();
        let mut handout = HashMap::new();
        for p in &site.content.pages {
            if p.is_top_level() && p.front.kind.in_menu() {
                nav.entry(p.lang.as_str()).or_default().push(p);
            }
            if p.front.kind.is_content() {
                reading_order.entry(p.lang.as_str()).or_default().push(p);
            }
            if p.front.kind == PageKind::Sources {
                sources_page.insert(p.lang.as_str(), p.url_path(&site.config));
            }
            if p.front.kind.prints_pages() {
                print_page.insert(p.lang.as_str());
            }
            if p.front.kind == PageKind::Handout {
                handout.insert(p.lang.as_str(), p.url_path(&site.config));
            }
        }
        nav.values_mut().for_each(order);
        reading_order.values_mut().for_each(order);
        Arranged {
            nav,
            reading_order,
            versions: site.versions(),
            sources_page,
            print_page,
            handout,
        }
    }

    /// The navigation of `page`'s language, with links relative to `url`.
    pub(super) fn nav_items(
        &self,
        page: &Page,
        url: &str,
        config: &SiteConfig,
    ) -> Vec<NavItem<'a>> {
        let Some(list) = self.nav.get(page.lang.as_str()) else {
            return Vec::new();
        };
        list.iter()
            .map(|p| NavItem {
                title: &p.front.title,
                short_title: p.nav_title(),
                url: relative(url, &p.url_path(config)),
                slug: p.slug(),
                is_current: p.key == page.key,
            })
            .collect()
    }

    /// Every language version of `page`, itself included.
    fn versions_of(&self, page: &Page) -> &[&'a Page] {
        self.versions
            .get(page.key.as_str())
            .map_or(&[], Vec::as_slice)
    }

    /// The handout of `lang`, relative to the page at `from`.
    pub(super) fn handout_url(&self, lang: &str, from: &str) -> Option<String> {
        self.handout.get(lang).map(|s| relative(from, s))
    }

    /// Whether `lang` has a print page or a handout, which show its ordinary pages.
    pub(super) fn has_print_page(&self, lang: &str) -> bool {
        self.print_page.contains(lang)
    }

    /// The sources page of `lang`, relative to the page at `from`.
    pub(super) fn sources_url(&self, lang: &str, from: &str) -> Option<String> {
        self.sources_page.get(lang).map(|s| relative(from, s))
    }

    /// The ordinary pages of `lang`, in the order of the navigation.
    pub(super) fn reading_order(&self, lang: &str) -> &[&'a Page] {
        self.reading_order.get(lang).map_or(&[], Vec::as_slice)
    }
}

impl<'a> ConfigContext<'a> {
    pub(super) fn new(config: &'a SiteConfig, lang: &str) -> Self {
        let language = config.language(lang).unwrap_or(&config.languages[0]);
        ConfigContext {
            title: &language.title,
            base_url: &config.base_url,
            default_language: &config.default_language,
            languages: &config.languages,
            feedback_email: config.feedback_email.as_deref(),
        }
    }
}

impl<'a> NotFoundContext<'a> {
    pub(super) fn new(site: &'a Site) -> Self {
        let lang = &site.config.default_language;
        NotFoundContext {
            config: ConfigContext::new(&site.config, lang),
            lang,
            root: site.config.base_path(),
            t: &site.strings[lang],
            i18n: &site.strings,
            emergency_short: {
                let phones = crate::phones::PhoneBook::new(&site.config.phones);
                site.strings
                    .iter()
                    .map(|(code, t)| {
                        let text = t.get("emergency_short").map_or("", String::as_str);
                        let label = super::page::call_label(site, code);
                        (code.as_str(), phones.link_text(text, code, label))
                    })
                    .collect()
            },
        }
    }
}

impl<'b> Context<'b> {
    pub(super) fn new<'a: 'b>(
        site: &'a Site,
        arranged: &'b Arranged<'a>,
        shown: &SourcesShown,
        parts: PageParts<'a, 'b>,
    ) -> Self {
        let PageParts {
            page,
            url,
            md,
            cites,
            partials,
            pages,
            sources,
            listing,
            handout,
        } = parts;
        let config = &site.config;
        let lang = page.lang.as_str();
        Context {
            lang,
            root: relative(url, ""),
            lang_root: relative(url, &config.lang_prefix(lang)),
            partials,
            page: PageContext::new(site, arranged, shown, page, url, md, cites),
            pages,
            sources,
            listing,
            handout_url: arranged
                .handout_url(lang, url)
                .filter(|_| page.front.kind != PageKind::Handout),
            handout,
            web_app: site.web_app(),
        }
    }
}

impl<'b> PageContext<'b> {
    /// The page itself: its front matter, its rendered Markdown, the sources it cites and
    /// its versions in other languages, with links relative to `url`.
    fn new(
        site: &'b Site,
        arranged: &'b Arranged<'_>,
        shown: &SourcesShown,
        page: &'b Page,
        url: &str,
        md: &'b markdown::Rendered,
        cites: &'b Citations,
    ) -> Self {
        let lang = page.lang.as_str();
        let sources_url = arranged.sources_url(lang, url);
        let numbered = cites
            .order
            .iter()
            .enumerate()
            .map(|(i, k)| (i + 1, k.as_str()));
        let twins = arranged.versions_of(page);
        let (key_facts, after_key_facts) = md.split_key_facts();
        PageContext {
            title: &page.front.title,
            description: &page.front.description,
            slug: page.slug(),
            kind: page.front.kind.as_str(),
            weight: page.front.weight,
            last_reviewed: &page.last_reviewed,
            next_review: &page.next_review,
            author: page.front.author.as_deref(),
            clinical_reviewer: page.front.clinical_reviewer.as_deref(),
            url: "./",
            permalink: site.permalink(page),
            content: &md.html,
            key_facts,
            after_key_facts,
            toc: &md.toc,
            citations: citations(site, shown, lang, numbered, sources_url.as_deref()),
            translations: TranslationLink::of(site, twins, page, url),
            alternates: twins
                .iter()
                .map(|t| Alternate {
                    lang: &t.lang,
                    permalink: site.permalink(t),
                })
                .collect(),
            x_default: twins
                .iter()
                .find(|t| t.lang == site.config.default_language)
                .map_or_else(|| site.permalink(page), |t| site.permalink(t)),
            extra: &page.front.extra,
            noindex: !page.front.kind.is_listed(),
        }
    }
}

impl<'a> TranslationLink<'a> {
    /// Links from `page`, at `url`, to its versions in other languages (`twins`).
    fn of(site: &'a Site, twins: &[&'a Page], page: &Page, url: &str) -> Vec<Self> {
        twins
            .iter()
            .filter(|t| t.lang != page.lang)
            .map(|t| TranslationLink {
                lang: &t.lang,
                name: site
                    .config
                    .language(&t.lang)
                    .map_or(t.lang.as_str(), |l| l.name.as_str()),
                title: &t.front.title,
                url: relative(url, &t.url_path(&site.config)),
                permalink: site.permalink(t),
            })
            .collect()
    }
}

/// Numbered sources as a source list shows them; `sources_url` is the sources page's.
pub(super) fn citations<'a, 'k>(
    site: &'a Site,
    shown: &SourcesShown,
    lang: &str,
    numbered: impl Iterator<Item = (usize, &'k str)>,
    sources_url: Option<&str>,
) -> Vec<CitationContext<'a>> {
    numbered
        .filter_map(|(number, key)| {
            let (key, source) = site.sources.sources.get_key_value(key)?;
            Some(CitationContext {
                number,
                key,
                source: source.local(lang),
                sources_url: sources_url.map_or_else(String::new, |u| format!("{u}#{key}")),
                html: shown.get(lang, key),
            })
        })
        .collect()
}

/// Per language: source key -> the pages citing it, in page order.
pub(super) type CitedByMap<'a> = HashMap<&'a str, BTreeMap<String, Vec<&'a Page>>>;

impl<'a> SourceEntry<'a> {
    /// Every source, with the pages of `lang` citing it, linked from the page at `url`;
    /// `in_partials`: the sources the partials of `lang` cite, which every page shows.
    pub(super) fn list(
        site: &'a Site,
        shown: &SourcesShown,
        lang: &str,
        url: &str,
        cited_by: Option<&CitedByMap<'a>>,
        in_partials: &[String],
    ) -> Vec<SourceEntry<'a>> {
        let by_key = cited_by.and_then(|m| m.get(lang));
        site.sources
            .sources
            .iter()
            .map(|(key, s)| SourceEntry {
                key,
                source: s.local(lang),
                html: shown.get(lang, key),
                every_page: in_partials.contains(key),
                cited_by: by_key
                    .and_then(|m| m.get(key))
                    .map(|pages| {
                        pages
                            .iter()
                            .map(|p| CitedBy {
                                title: &p.front.title,
                                url: relative(url, &p.url_path(&site.config)),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }
}

impl<'a> ListingEntry<'a> {
    /// Every page of `search_page`'s language but itself, in reading order, linked from it.
    pub(super) fn list(site: &'a Site, search_page: &Page, url: &str) -> Vec<ListingEntry<'a>> {
        let mut pages: Vec<&Page> = site
            .content
            .pages
            .iter()
            .filter(|p| p.lang == search_page.lang && p.key != search_page.key)
            .collect();
        pages.sort_by_key(|p| (p.front.weight, p.key.as_str()));
        pages
            .into_iter()
            .map(|p| ListingEntry {
                title: &p.front.title,
                description: &p.front.description,
                url: relative(url, &p.url_path(&site.config)),
            })
            .collect()
    }
}
