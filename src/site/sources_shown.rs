//! `templates/source.html`: how one source is shown (linked title, publisher, date, the
//! "secondary" mark), rendered once per source and language and given to every page that
//! cites it as `html`, like Hugo's cached partials. A source looks the same on every page of
//! a language, and writing it out in the page template cost about a tenth of a build: each
//! of a page's citations took some thirty variable look-ups in Tera (callgrind, 100-page
//! corpus: 107 of 253 M instructions of template rendering).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::config::LocalSource;
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

#[derive(Serialize)]
struct SourceContext<'a> {
    s: LocalSource<'a>,
    lang: &'a str,
    t: &'a BTreeMap<String, String>,
}

impl<'a> SourcesShown<'a> {
    /// Render every source in every language. A template error is reported once, at the
    /// template's line, and the sources then show as nothing.
    pub(super) fn render(site: &'a Site, errors: &mut Vec<Diagnostic>) -> Self {
        if !site.templates.has(TEMPLATE) {
            return Self::default();
        }
        let mut shown = HashMap::new();
        for lang in &site.config.languages {
            let lang = lang.code.as_str();
            let Some(t) = site.strings.get(lang) else {
                continue;
            };
            let mut of_lang = HashMap::with_capacity(site.sources.sources.len());
            for (key, source) in &site.sources.sources {
                let context = SourceContext {
                    s: source.local(lang),
                    lang,
                    t,
                };
                match site.templates.render(TEMPLATE, &context) {
                    // The markup is put inside other markup: the file's last line break and
                    // any indentation around it are not part of it.
                    Ok(html) => {
                        of_lang.insert(key.as_str(), Arc::from(html.trim()));
                    }
                    Err(e) => {
                        errors.push(e);
                        return SourcesShown {
                            shown: HashMap::new(),
                            failed: Some(Arc::from("")),
                        };
                    }
                }
            }
            shown.insert(lang, of_lang);
        }
        SourcesShown {
            shown,
            failed: None,
        }
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
