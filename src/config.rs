//! Site settings (`site.toml`), UI strings (`i18n/*.toml`) and the source list (`sources.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Language {
    /// BCP 47 code, used for `lang`, `hreflang` and the URL prefix (`uk` -> `/uk/`).
    pub code: String,
    /// The language's own name, shown in the language switcher.
    pub name: String,
    /// The site title in this language.
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SiteConfig {
    /// Absolute URL the site is published at; used only where an absolute URL is required.
    pub base_url: String,
    pub default_language: String,
    pub languages: Vec<Language>,
    /// Flesch-Kincaid grade a page may not exceed, in languages measured by it (English).
    #[serde(default = "default_grade")]
    pub readability_max_grade: f64,
    /// LIX score a page may not exceed, in languages measured by it (Ukrainian).
    #[serde(default = "default_lix")]
    pub readability_max_lix: f64,
    /// Where readers report a mistake: `[](mailto:)` in Markdown and `config.feedback_email`
    /// in templates.
    pub feedback_email: Option<String>,
    /// Every page of kind "page" must open with a `{#key-facts}` heading.
    #[serde(default)]
    pub require_key_facts: bool,
    /// Hidden files of `static/` to publish, by path within it (`.nojekyll`, `.htaccess`):
    /// other hidden files are left out, as are version control folders (`.git/`) always.
    /// `.well-known/` is always published.
    #[serde(default)]
    pub publish_hidden: Vec<String>,
    /// Numbers that become `tel:` links wherever content writes them (see [`crate::phones`]).
    #[serde(default)]
    pub phones: Vec<crate::phones::Phone>,
}

fn default_grade() -> f64 {
    8.0
}

/// Calibrated on the Ukrainian pages of this project's fact sheet (docs/authoring.md,
/// "Readability"): they scored 43.9 to 54.9 on 2026-12-07.
fn default_lix() -> f64 {
    56.0
}

impl SiteConfig {
    pub(crate) fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The URL prefix of a language's pages: "" for the default language, "uk/" for others.
    pub(crate) fn lang_prefix(&self, code: &str) -> String {
        let mut prefix = String::new();
        self.push_lang_prefix(&mut prefix, code);
        prefix
    }

    /// [`Self::lang_prefix`] written onto the end of `url`.
    pub(crate) fn push_lang_prefix(&self, url: &mut String, code: &str) {
        if code != self.default_language {
            url.push_str(code);
            url.push('/');
        }
    }

    /// The path part of `base_url` ("/" or "/repo/sub/"), for pages served at any path (404).
    pub(crate) fn base_path(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        }
    }
}

/// One entry of `sources.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Source {
    pub title: String,
    pub publisher: String,
    pub date: String,
    pub url: String,
    #[serde(default = "default_source_lang")]
    pub lang: String,
    /// Reached through a relay or mirror rather than the publisher's own page.
    #[serde(default)]
    pub secondary: bool,
    /// Publisher and date written in other languages, by language code, so a page does not
    /// show them in a language other than its own.
    #[serde(default)]
    pub translations: BTreeMap<String, SourceText>,
    /// Language of the page `url` leads to, when it differs from the title's (`hreflang`).
    pub url_lang: Option<String>,
}

/// A source's publisher and date in one more language (`[S1.translations.uk]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceText {
    pub publisher: Option<String>,
    pub date: Option<String>,
}

/// A source's text as shown on a page in `lang`: the publisher and date in that language
/// when the source gives them, otherwise as written, with the language they are in.
/// Citations give templates its fields among their own ([`LocalSource::fields`]).
#[derive(Debug)]
pub(crate) struct LocalSource<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub url_lang: Option<&'a str>,
    /// Language of the title.
    pub lang: &'a str,
    pub secondary: bool,
    pub publisher: &'a str,
    /// Set when the publisher is not in the page's language.
    pub publisher_lang: Option<&'a str>,
    pub date: &'a str,
    /// Set when the date is not in the page's language.
    pub date_lang: Option<&'a str>,
}

impl Serialize for LocalSource<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("LocalSource", 9)?;
        self.fields(&mut st)?;
        st.end()
    }
}

impl LocalSource<'_> {
    /// Its fields as fields of the struct `st` is serializing. In place of `serde(flatten)`,
    /// which makes the whole struct a map with a key string made for every field of every
    /// citation, on every page.
    pub(crate) fn fields<S: serde::ser::SerializeStruct>(
        &self,
        st: &mut S,
    ) -> Result<(), S::Error> {
        st.serialize_field("title", self.title)?;
        st.serialize_field("url", self.url)?;
        st.serialize_field("url_lang", &self.url_lang)?;
        st.serialize_field("lang", self.lang)?;
        st.serialize_field("secondary", &self.secondary)?;
        st.serialize_field("publisher", self.publisher)?;
        st.serialize_field("publisher_lang", &self.publisher_lang)?;
        st.serialize_field("date", self.date)?;
        st.serialize_field("date_lang", &self.date_lang)
    }
}

impl Source {
    fn pick<'s>(
        &'s self,
        own: bool,
        translated: Option<&'s str>,
        original: &'s str,
    ) -> (&'s str, Option<&'s str>) {
        match translated {
            Some(t) => (t, None),
            None if own => (original, None),
            None => (original, Some(self.lang.as_str())),
        }
    }

    pub(crate) fn local(&self, lang: &str) -> LocalSource<'_> {
        let own = self.lang == lang;
        let text = self.translations.get(lang).filter(|_| !own);
        let (publisher, publisher_lang) = self.pick(
            own,
            text.and_then(|t| t.publisher.as_deref()),
            &self.publisher,
        );
        let (date, date_lang) = self.pick(own, text.and_then(|t| t.date.as_deref()), &self.date);
        LocalSource {
            title: &self.title,
            url: &self.url,
            url_lang: self.url_lang.as_deref(),
            lang: &self.lang,
            secondary: self.secondary,
            publisher,
            publisher_lang,
            date,
            date_lang,
        }
    }
}

fn default_source_lang() -> String {
    "en".to_string()
}

/// Parse TOML that sits at byte `start` of `file_text` (the whole file), so that error
/// positions are counted from the start of the file, not of the TOML block.
pub(crate) fn parse_toml<T: DeserializeOwned>(
    file: &Path,
    file_text: &str,
    start: usize,
    toml_text: &str,
    what: &str,
) -> Result<T, Diagnostic> {
    toml::from_str(toml_text).map_err(|e| toml_diagnostic(file, file_text, start, &e, what))
}

fn toml_diagnostic(
    file: &Path,
    file_text: &str,
    start: usize,
    e: &toml::de::Error,
    what: &str,
) -> Diagnostic {
    let raw = e.message().trim().to_string();
    let mut d = match parse_unknown_field(&raw) {
        Some((field, expected)) => {
            let mut d = Diagnostic::error(format!("unknown {what} key `{field}`"));
            if let Some(near) = did_you_mean(&field, expected.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{near}`?"));
            } else if !expected.is_empty() {
                d = d.with_help(format!("valid keys are: {}", expected.join(", ")));
            }
            d
        }
        None => Diagnostic::error(format!("invalid {what}: {}", plain_types(first_line(&raw)))),
    };
    if raw.contains("expected a date") || raw.contains("datetime") {
        d = d.with_help("write dates as TOML dates, without quotes: last_reviewed = 2026-11-20");
    }
    d = d.in_file(file);
    if let Some(span) = e.span() {
        d = d.at(Location::at(file_text, start + span.start, span.len()));
    }
    d
}

/// serde names Rust types; editors know TOML values.
fn plain_types(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false")
        .replace("expected a TOML datetime", "expected a date")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`").
fn parse_unknown_field(msg: &str) -> Option<(String, Vec<String>)> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((field.to_string(), expected))
}

fn read_text(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    crate::fs::read_utf8(&root.join(rel), rel)
}

/// A folder without `site.toml` is not a project: every command says so the same way, as a
/// usage error (exit 2), since it is the command line that named the wrong folder.
pub(crate) fn check_project(root: &Path) -> Result<(), Diagnostic> {
    if root.join("site.toml").is_file() {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "no site.toml in {}: is this a factsheet project?",
        root.display()
    ))
    .with_help("pass the project folder with --root DIR"))
}

pub(crate) fn load_config(root: &Path, base_url: Option<&str>) -> Result<SiteConfig, Diagnostic> {
    let rel = PathBuf::from("site.toml");
    check_project(root)?;
    let text = read_text(root, &rel)?;
    let mut config: SiteConfig = parse_toml(&rel, &text, 0, &text, "site.toml")?;
    if let Some(url) = base_url {
        config.base_url = url.to_string();
    }
    if !config.base_url.ends_with('/') {
        config.base_url.push('/');
    }
    let url_problem = base_url_problem(&config.base_url);
    let problem = if let Some(why) = &url_problem {
        Some(format!(
            "base_url must be an absolute http(s) URL, not `{}`: {why}",
            config.base_url
        ))
    } else if config.languages.is_empty() {
        Some("site.toml lists no languages".to_string())
    } else if config.language(&config.default_language).is_none() {
        Some(format!(
            "default_language `{}` is not one of the languages",
            config.default_language
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        let url_ok = url_problem.is_none();
        let needle = if url_ok {
            "default_language"
        } else {
            "base_url"
        };
        let mut d = Diagnostic::error(problem).in_file(&rel);
        if let Some(l) = Location::find(&text, needle).filter(|_| base_url.is_none() || url_ok) {
            d = d.at(l);
        }
        return Err(d);
    }
    if let Some(vcs) = config.publish_hidden.iter().find(|h| {
        h.split('/')
            .any(|part| crate::fs::VCS_FOLDERS.contains(&part))
    }) {
        let mut d = Diagnostic::error(format!(
            "publish_hidden lists `{vcs}`, inside a version control folder: those are never published"
        ))
        .in_file(&rel)
        .with_help("remove it from the list");
        if let Some(l) = Location::find(&text, "publish_hidden") {
            d = d.at(l);
        }
        return Err(d);
    }
    for (i, lang) in config.languages.iter().enumerate() {
        if !is_language_code(&lang.code) {
            let what = if lang.code.is_empty() {
                "a language code is empty".to_string()
            } else {
                format!(
                    "language code `{}` is not a lower-case language tag",
                    lang.code
                )
            };
            let mut d = Diagnostic::error(what)
            .in_file(&rel)
            .with_help("write codes like en, uk or pt-br: they name the pages' folders (/uk/) and files (i18n/uk.toml)");
            if let Some(offset) = language_code_offset(&text, i) {
                d = d.at_offset(&text, offset, "code".len());
            }
            return Err(d);
        }
    }
    check_phones(&config, &rel, &text)?;
    if let Some(d) = repeated_language(&rel, &text, &config) {
        return Err(d);
    }
    Ok(config)
}

/// A language code is the URL prefix of its pages and part of file names, so it must be a
/// plain path segment: a lower-case tag as BCP 47 writes it (`en`, `uk`, `pt-br`,
/// `zh-hant`). `""` once made a build write to `/`. The rule is this site's, narrower
/// than BCP 47 (no upper case, no private use), so no BCP 47 parser is needed for it.
pub(crate) fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| {
            (1..=8).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Where the `code` key of the `index`-th `[[languages]]` table is written.
fn language_code_offset(text: &str, index: usize) -> Option<usize> {
    let (table, _) = text.match_indices("[[languages]]").nth(index)?;
    let after = &text[table..];
    after
        .match_indices("code")
        .find(|(i, _)| after[..*i].ends_with(['\n', ' ', '\t']))
        .map(|(i, _)| table + i)
}

/// Why `url` (ending in `/`) cannot be the address the site is published at, if it cannot:
/// every absolute URL (canonical, hreflang, sitemap) and the 404 page's paths start with it.
pub(crate) fn base_url_problem(url: &str) -> Option<String> {
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Some(format!("{e}")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some("it must start with http:// or https://".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Some("it has no host name".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Some("it has a query (?) or a fragment (#): page paths are added after it".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("it holds a user name or password".into());
    }
    if parsed.as_str() != url {
        return Some(format!(
            "it is not written as a URL is (spaces, quotes and some other characters must be encoded); as a URL it reads `{}`",
            parsed.as_str()
        ));
    }
    None
}

/// Each listed number has digits, and says what it reaches in every language: its link's
/// accessible name needs it.
fn check_phones(config: &SiteConfig, rel: &Path, text: &str) -> Result<(), Diagnostic> {
    for phone in &config.phones {
        let at = |d: Diagnostic| match Location::find(text, &format!("\"{}\"", phone.number)) {
            Some(l) => d.in_file(rel).at(l),
            None => d.in_file(rel),
        };
        let digits = phone.number.chars().filter(char::is_ascii_digit).count();
        let allowed = |c: char| c.is_ascii_digit() || " +-()\u{a0}\u{202f}\u{2011}".contains(c);
        if digits < 3 || !phone.number.chars().all(allowed) {
            return Err(at(Diagnostic::error(format!(
                "phone number `{}` is not a phone number",
                phone.number
            )))
            .with_help(
                "write it as readers see it: digits, with spaces, hyphens, brackets or a leading +",
            ));
        }
        let missing: Vec<&str> = config
            .languages
            .iter()
            .map(|l| l.code.as_str())
            .filter(|code| !phone.reaches.contains_key(*code))
            .collect();
        if !missing.is_empty() {
            return Err(at(Diagnostic::error(format!(
                "phone number `{}` does not say what it reaches in {}",
                phone.number,
                missing.join(", ")
            )))
            .with_help(format!(
                "add `reaches = {{ {} }}`: the link's accessible name says what it calls",
                config
                    .languages
                    .iter()
                    .map(|l| format!("{} = \"...\"", l.code))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// A language listed twice: its pages, search index and UI strings would be written twice.
/// Points at the second `code = "..."`.
fn repeated_language(rel: &Path, text: &str, config: &SiteConfig) -> Option<Diagnostic> {
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let (_, code) = codes
        .iter()
        .enumerate()
        .find(|(i, c)| codes[..*i].contains(c))?;
    let mut d = Diagnostic::error(format!("the language `{code}` is listed twice"))
        .in_file(rel)
        .with_help("each [[languages]] entry needs its own code: remove or change one of them");
    // The `code = "uk"` lines, in order; the repeated language's is the (i+1)-th of them.
    let quoted = format!("\"{code}\"");
    let second = text
        .match_indices(&quoted)
        .filter(|(at, _)| {
            let line_start = text[..*at].rfind('\n').map_or(0, |n| n + 1);
            text[line_start..*at].trim_start().starts_with("code")
        })
        .nth(1);
    if let Some((at, _)) = second {
        d = d.at(Location::at(text, at, quoted.len()));
    }
    Some(d)
}

/// Schemes a source's address may have: it is a link readers follow to the publisher.
fn source_url_ok(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// UI strings per language code.
pub(crate) type Strings = BTreeMap<String, BTreeMap<String, String>>;

/// Load `i18n/<code>.toml` for every language; a key missing in any language is an error.
pub(crate) fn load_strings(root: &Path, config: &SiteConfig) -> Result<Strings, Diagnostics> {
    let mut strings = Strings::new();
    let mut diags = Diagnostics::default();
    for lang in &config.languages {
        let rel = PathBuf::from("i18n").join(format!("{}.toml", lang.code));
        if !root.join(&rel).is_file() {
            diags.push(
                Diagnostic::error(format!(
                    "missing UI strings for language `{}`: {} does not exist",
                    lang.code,
                    rel.display()
                ))
                .with_help("copy the default language's file and translate it"),
            );
            continue;
        }
        let parsed = read_text(root, &rel).and_then(|text| {
            parse_toml::<BTreeMap<String, String>>(&rel, &text, 0, &text, "UI strings")
        });
        match parsed {
            Ok(table) => {
                strings.insert(lang.code.clone(), table);
            }
            Err(d) => diags.push(d),
        }
    }
    diags.clone().into_result()?;
    let all_keys: std::collections::BTreeSet<&String> =
        strings.values().flat_map(|t| t.keys()).collect();
    for (code, table) in &strings {
        for key in &all_keys {
            if !table.contains_key(*key) {
                let defined_in: Vec<&str> = strings
                    .iter()
                    .filter(|(_, t)| t.contains_key(*key))
                    .map(|(c, _)| c.as_str())
                    .collect();
                diags.push(
                    Diagnostic::error(format!("UI string `{key}` is missing in language `{code}`"))
                        .in_file(PathBuf::from("i18n").join(format!("{code}.toml")))
                        .with_help(format!(
                            "it is defined in {}; add `{key} = \"...\"`",
                            defined_in.join(", ")
                        )),
                );
            }
        }
    }
    diags.into_result()?;
    Ok(strings)
}

/// The site's sources by key, plus the file text (to point at a key's line in errors).
pub(crate) struct SourceList {
    pub sources: BTreeMap<String, Source>,
    pub text: String,
}

pub(crate) const SOURCES_FILE: &str = "sources.toml";

pub(crate) fn load_sources(root: &Path, config: &SiteConfig) -> Result<SourceList, Diagnostic> {
    let rel = PathBuf::from(SOURCES_FILE);
    if !root.join(&rel).is_file() {
        return Ok(SourceList {
            sources: BTreeMap::new(),
            text: String::new(),
        });
    }
    let text = read_text(root, &rel)?;
    let sources: BTreeMap<String, Source> = parse_toml(&rel, &text, 0, &text, "source")?;
    // A translation into a language the site does not have would never be shown.
    for (key, source) in &sources {
        if let Some(lang) = source
            .translations
            .keys()
            .find(|l| config.language(l).is_none())
        {
            let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
            let mut d = Diagnostic::error(format!(
                "source `{key}` has a translation into `{lang}`, which is not a language of the site"
            ))
            .in_file(&rel)
            .with_help(format!("site.toml has: {}", codes.join(", ")));
            if let Some(l) = Location::find(&text, &format!("[{key}.translations.{lang}]")) {
                d = d.at(l);
            }
            return Err(d);
        }
        if !source_url_ok(&source.url) {
            let mut d = Diagnostic::error(format!(
                "source `{key}` has the address `{}`, which is not a web page",
                source.url
            ))
            .in_file(&rel)
            .with_help("a source's url must start with https:// (or http://)");
            let section = text.find(&format!("[{key}]")).unwrap_or(0);
            if let Some(at) = text[section..].find(source.url.as_str()) {
                d = d.at(Location::at(&text, section + at, source.url.len()));
            }
            return Err(d);
        }
    }
    Ok(SourceList { sources, text })
}

impl SourceList {
    /// Where `[KEY]` is defined in sources.toml, for "unused source" errors.
    pub(crate) fn location_of(&self, key: &str) -> Option<Location> {
        Location::find(&self.text, &format!("[{key}]"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_message_is_parsed() {
        let (f, e) =
            parse_unknown_field("unknown field `titel`, expected one of `title`, `weight`")
                .unwrap();
        assert_eq!(f, "titel");
        assert_eq!(e, vec!["title", "weight"]);
    }

    #[test]
    fn language_codes_are_lower_case_tags() {
        for good in ["en", "uk", "pt-br", "zh-hant", "ast", "es-419"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in [
            "", "e", "EN", "pt-BR", "../x", "en/", "en-", "-en", "en--gb", ".", "en gb",
        ] {
            assert!(!is_language_code(bad), "{bad:?}");
        }
    }

    #[test]
    fn base_urls_must_be_plain_http_addresses() {
        for good in ["https://example.org/", "http://x.github.io/repo/sub/"] {
            assert_eq!(base_url_problem(good), None, "{good}");
        }
        for bad in [
            "https://example.org/a b\"c/",
            "https://example.org/sub?x=1#frag/",
            "https://example.org/sub#frag/",
            "https:///",
            "https://exa mple.org/",
            "javascript:alert(1)//",
            "ftp://example.org/",
            "https://user:pw@example.org/",
            "example.org/",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn base_path_comes_from_base_url() {
        let mut c = SiteConfig {
            base_url: "https://x.github.io/repo/".into(),
            default_language: "en".into(),
            languages: vec![],
            readability_max_grade: 8.0,
            readability_max_lix: 56.0,
            feedback_email: None,
            require_key_facts: false,
            publish_hidden: vec![],
            phones: vec![],
        };
        assert_eq!(c.base_path(), "/repo/");
        c.base_url = "https://example.org/".into();
        assert_eq!(c.base_path(), "/");
    }
}
