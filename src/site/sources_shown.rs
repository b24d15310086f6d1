//! `templates/source.html`: how one source is shown (linked title, publisher, date, the
//! "secondary" mark), rendered once per source and language and given to every page that
//! cites it as `html`, like Hugo's cached partials. A source looks the same on every page of
//! a language, and writing it out in the page template cost about a tenth of a build: each
//! of a page's citations took some thirty variable look-ups in Tera (callgrind, 100-page
//! corpus: 107 of 253 M instructions of template rendering).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;

use super::Site;

/// The template, when the theme has one. Without it, `html` is not in the context and the
/// theme writes each source out itself.
pub(super) const TEMPLATE: &str = "source.html";

/// Per language, per source key: the source as `source.html` shows it.
#[derive(Default)]
pub(super) struct SourcesShown<'a> {
    shown: HashMap<&'a str, HashMap<&'a str, Arc<str>>>,
    /// The template failed (reported once): every source shows as nothing, so that the
    /// templates printing `html` do not fail on every page as well.
    failed: Option<Arc<str>>,
}

impl<'a> SourcesShown<'a> {
    /// Render every source in every language, the languages side by side. A template error
    /// is reported once, at the template's line, and the sources then show as nothing.
    pub(super) fn render(site: &'a Site, errors: &mut Vec<Diagnostic>) -> Self {
        if !site.templates.has(TEMPLATE) {
            return Self::default();
        }
        let rendered: Vec<Result<_, Diagnostic>> = site
            .config
            .languages
            .par_iter()
            .filter_map(|lang| {
                let lang = lang.code.as_str();
                let t = site.strings.get(lang)?;
                Some(Self::render_language(site, lang, t).map(|shown| (lang, shown)))
            })
            .collect();
        // The first language's error, whichever thread finished first.
        match rendered.into_iter().collect::<Result<HashMap<_, _>, _>>() {
            Ok(shown) => SourcesShown {
                shown,
                failed: None,
            },
            Err(e) => {
                errors.push(e);
                SourcesShown {
                    shown: HashMap::new(),
                    failed: Some(Arc::from("")),
                }
            }
        }
    }

    /// Every source in `lang`. The context is built once, with `lang` and `t` (the UI
    /// strings), and only `s` changes from one source to the next: building it anew for each
    /// source copied every UI string each time, most of the cost.
    fn render_language(
        site: &'a Site,
        lang: &'a str,
        t: &BTreeMap<String, String>,
    ) -> Result<HashMap<&'a str, Arc<str>>, Diagnostic> {
        let mut context = tera::Context::new();
        context.insert("lang", lang);
        context.insert("t", t);
        let mut shown = HashMap::with_capacity(site.sources.sources.len());
        for (key, source) in &site.sources.sources {
            context.insert("s", &source.local(lang));
            let html = site.templates.render_context(TEMPLATE, &context, 512)?;
            // Tera writes only `str`s, so the bytes are UTF-8.
            let html = String::from_utf8_lossy(&html);
            // The markup is put inside other markup: the file's last line break and any
            // indentation around it are not part of it.
            shown.insert(key.as_str(), Arc::from(html.trim()));
        }
        Ok(shown)
    }

    /// `key` as shown in `lang`, if the theme has the template. Shared, not copied: a page
    /// context takes it for each citation.
    pub(super) fn get(&self, lang: &str, key: &str) -> Option<Arc<str>> {
        if let Some(nothing) = &self.failed {
            return Some(Arc::clone(nothing));
        }
        self.shown.get(lang)?.get(key).cloned()
    }
}
