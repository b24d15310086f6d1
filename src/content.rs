//! Reading `content/`: files, front matter, the page model and translation pairing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::config::{SiteConfig, parse_toml};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs::{self, is_ignored_file, read_utf8};

pub(crate) use crate::page_kind::PageKind;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) weight: i64,
    pub(crate) last_reviewed: toml::value::Datetime,
    pub(crate) next_review: toml::value::Datetime,
    pub(crate) short_title: Option<String>,
    pub(crate) template: Option<String>,
    #[serde(default)]
    pub(crate) kind: PageKind,
    #[serde(default)]
    pub(crate) draft: bool,
    #[serde(default = "yes")]
    pub(crate) translation: bool,
    #[serde(default = "yes")]
    pub(crate) readability: bool,
    /// Who wrote the page.
    pub(crate) author: Option<String>,
    /// The clinician who checked the page; left out until one has.
    pub(crate) clinical_reviewer: Option<String>,
    /// On the glossary page: heading id -> the words on other pages that link to it.
    #[serde(default)]
    pub(crate) terms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(crate) extra: toml::Table,
}

fn yes() -> bool {
    true
}

/// A Markdown page in one language.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the project root, for messages (`content/risks.uk.md`).
    pub file: PathBuf,
    pub(crate) lang: String,
    /// Language-neutral identity shared by translations: `risks`, `_index`, `topics/_index`.
    pub key: String,
    /// Output folder relative to the output root, without language prefix: `risks`, `` (home).
    pub(crate) path: String,
    pub(crate) front: FrontMatter,
    pub(crate) last_reviewed: String,
    pub(crate) next_review: String,
    /// The file up to the Markdown body: the front matter between its `+++` lines. The
    /// body is read again when the page renders ([`Page::read`]): a site of 10,000 pages
    /// per language would otherwise hold 190 MB of Markdown for the whole build. Its length
    /// is the body's offset in the file.
    pub(crate) head: String,
    /// An unknown front-matter key the page was loaded without (`titel = ...`): still an
    /// error, reported with the site's other problems ([`crate::site`]'s whole-site checks),
    /// so that `check` also lists what else is wrong with the page instead of stopping here.
    pub(crate) front_matter_error: Option<Diagnostic>,
}

impl Page {
    /// The whole file, read again for rendering. An error if its front matter is no longer
    /// the one loaded: the file changed during the build, and the page would mix two versions.
    pub(crate) fn read(&self, root: &Path) -> Result<String, Diagnostic> {
        let text = read_utf8(&root.join(&self.file), &self.file)?;
        if !text.starts_with(&self.head) {
            return Err(Diagnostic::error(format!(
                "{} changed during the build",
                self.file.display()
            ))
            .in_file(&self.file)
            .with_help("build again"));
        }
        Ok(text)
    }

    /// `risks` for `content/risks.md`; "" for the home page. Used in print anchors.
    pub(crate) fn slug(&self) -> &str {
        &self.path
    }

    /// Output URL path relative to the output root, ending in `/`: `uk/risks/`, `` for home.
    pub(crate) fn url_path(&self, config: &SiteConfig) -> String {
        // Asked dozens of times per page rendered (its navigation, its versions): pushed,
        // not `format!`ted, which took six times as long.
        let mut url = String::with_capacity(self.lang.len() + self.path.len() + 2);
        config.push_lang_prefix(&mut url, &self.lang);
        if !self.path.is_empty() {
            url.push_str(&self.path);
            url.push('/');
        }
        url
    }

    pub(crate) fn output_file(&self, config: &SiteConfig) -> String {
        format!("{}index.html", self.url_path(config))
    }

    pub(crate) fn nav_title(&self) -> &str {
        self.front
            .short_title
            .as_deref()
            .unwrap_or(&self.front.title)
    }

    /// A page at the top of the navigation: directly in `content/`, or a section's index.
    pub(crate) fn is_top_level(&self) -> bool {
        !self.path.contains('/')
    }
}

/// Partial content (`content/_emergency.md`), shown on every page by the templates.
#[derive(Debug, Clone)]
pub(crate) struct Partial {
    pub(crate) file: PathBuf,
    pub(crate) name: String,
    pub(crate) lang: String,
    pub(crate) text: String,
}

/// A file in `content/` that is not Markdown, copied beside its page.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub(crate) source: PathBuf,
    pub(crate) output: String,
}

#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    /// Pages marked `draft = true` left out of this build: a link to one is an error that
    /// says so, rather than "does not exist".
    pub(crate) drafts: Vec<Page>,
    pub(crate) partials: Vec<Partial>,
    pub(crate) assets: Vec<Asset>,
}

/// Load every page, partial and asset under `content/`, collecting all problems.
pub(crate) fn load(root: &Path, config: &SiteConfig, drafts: bool) -> Result<Content, Diagnostics> {
    let content_dir = root.join("content");
    let mut diags = Diagnostics::default();
    let mut content = Content::default();
    if !content_dir.is_dir() {
        return Err(Diagnostic::error(format!("no content/ folder in {}", root.display())).into());
    }
    let files: Vec<PathBuf> = fs::walk(root, "content", &fs::no_hidden, &mut diags)
        .into_iter()
        .map(|f| f.path)
        .collect();
    let loaded: Vec<Result<Option<Loaded>, Diagnostic>> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|abs| load_file(root, &content_dir, abs, config))
            .collect()
    };
    content.pages.reserve(loaded.len());
    for item in loaded {
        match item {
            Ok(Some(Loaded::Page(p))) if p.front.draft && !drafts => content.drafts.push(*p),
            Ok(Some(Loaded::Page(p))) => content.pages.push(*p),
            Ok(Some(Loaded::Partial(p))) => content.partials.push(p),
            Ok(Some(Loaded::Asset(a))) => content.assets.push(a),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }
    check_loaded(&content, config, diags)?;
    Ok(content)
}

/// What holds of the content as a whole once its files are read, whether all at once
/// ([`load`]) or some again ([`Content::reload_files`]): no file failed (`diags`), there are
/// pages, a home page, one page per URL, and translations that pair up.
fn check_loaded(
    content: &Content,
    config: &SiteConfig,
    mut diags: Diagnostics,
) -> Result<(), Diagnostics> {
    diags.clone().into_result()?;
    if content.pages.is_empty() {
        return Err(Diagnostic::error("the content/ folder has no pages")
            .in_file("content")
            .with_help("add content/_index.md, the home page")
            .into());
    }
    check_home(content, config, &mut diags);
    check_unique_urls(content, config, &mut diags);
    check_translations(content, config, &mut diags);
    diags.into_result()
}

impl Content {
    /// Read some files of `content/` again after they changed on disk (`files` relative to
    /// `root`, as in `Page::file`): a changed file replaces its page, partial or asset, a new
    /// one is added, a deleted one removed; then URLs and translations are checked again, as
    /// [`load`] does. Used by `factsheet serve`. On error the content may be partly updated:
    /// load it whole again.
    pub(crate) fn reload_files(
        &mut self,
        root: &Path,
        config: &SiteConfig,
        drafts: bool,
        files: &[PathBuf],
    ) -> Result<(), Diagnostics> {
        let content_dir = root.join("content");
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut diags = Diagnostics::default();
        for rel in files {
            let abs = root.join(rel);
            self.pages.retain(|p| &p.file != rel);
            self.drafts.retain(|p| &p.file != rel);
            self.partials.retain(|p| &p.file != rel);
            self.assets.retain(|a| a.source != abs);
            if !abs.is_file() {
                continue;
            }
            // The walk refuses these; a file changed while serving is read here directly.
            if let Some(d) = fs::link_leaving(root, &canonical_root, &abs) {
                diags.push(d);
                continue;
            }
            // Keep the order `load` gives (sorted by path), so the output does not depend on
            // how the content was loaded.
            match load_file(root, &content_dir, &abs, config) {
                Ok(Some(Loaded::Page(p))) if p.front.draft && !drafts => self.drafts.push(*p),
                Ok(Some(Loaded::Page(p))) => {
                    let at = self.pages.partition_point(|q| q.file < p.file);
                    self.pages.insert(at, *p);
                }
                Ok(Some(Loaded::Partial(p))) => {
                    let at = self.partials.partition_point(|q| q.file < p.file);
                    self.partials.insert(at, p);
                }
                Ok(Some(Loaded::Asset(a))) => {
                    let at = self.assets.partition_point(|q| q.source < a.source);
                    self.assets.insert(at, a);
                }
                Ok(None) => {}
                Err(d) => diags.push(d),
            }
        }
        check_loaded(self, config, diags)
    }
}

enum Loaded {
    Page(Box<Page>),
    Partial(Partial),
    Asset(Asset),
}

fn load_file(
    root: &Path,
    content_dir: &Path,
    abs: &Path,
    config: &SiteConfig,
) -> Result<Option<Loaded>, Diagnostic> {
    let rel_to_content = abs.strip_prefix(content_dir).unwrap_or(abs);
    let rel = abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
    let name = rel_to_content
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if is_ignored_file(name) {
        return Ok(None);
    }
    // macOS tools may write names decomposed (NFD: `e` + U+0301 for `é`); the URL, and links
    // to the page written in an editor, use the composed form (NFC).
    let rel_str: String = unicode_normalization::UnicodeNormalization::nfc(
        rel_to_content.to_string_lossy().replace('\\', "/").as_str(),
    )
    .collect();
    let Some(stem_path) = rel_str.strip_suffix(".md") else {
        return Ok(Some(Loaded::Asset(Asset {
            source: abs.to_path_buf(),
            output: rel_str,
        })));
    };
    let (key, lang) = split_language(stem_path, config);
    let text = read_utf8(abs, &rel)?;
    if let Some(at) = text.find('\0') {
        // pulldown-cmark passes raw HTML through as it is: the NUL would reach the page.
        return Err(Diagnostic::error("the file contains a NUL character")
            .in_file(&rel)
            .at_offset(&text, at, 1)
            .with_help(
                "delete it: it is invisible in most editors, and not allowed in a web page",
            ));
    }
    let file_name = key.rsplit('/').next().unwrap_or(&key);
    if file_name.starts_with('_') && file_name != "_index" {
        return Ok(Some(Loaded::Partial(Partial {
            file: rel,
            name: file_name.trim_start_matches('_').to_string(),
            lang,
            text,
        })));
    }
    check_url_safe(&rel, &key)?;
    let (front_start, front_text, body_start) = split_front_matter(&rel, &text)?;
    let (front, front_matter_error) = read_front_matter(&rel, &text, front_start, front_text)?;
    let field_offset = |field: &str| front_start + front_text.find(field).unwrap_or(0);
    for (field, value) in [
        ("title", Some(&front.title)),
        ("short_title", front.short_title.as_ref()),
    ] {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Err(Diagnostic::error(format!("`{field}` is empty"))
                .in_file(&rel)
                .at_offset(&text, field_offset(field), field.len())
                .with_help("every page needs a title: it is the page's heading, its name in the browser tab and in the navigation"));
        }
    }
    let date = |field: &str, value: &toml::value::Datetime| -> Result<String, Diagnostic> {
        match (&value.date, &value.time) {
            (Some(d), None) => Ok(d.to_string()),
            _ => Err(Diagnostic::error(format!(
                "`{field}` must be a date like 2026-11-20, not `{value}`"
            ))
            .in_file(&rel)
            .at_offset(&text, field_offset(field), field.len())),
        }
    };
    let last_reviewed = date("last_reviewed", &front.last_reviewed)?;
    let next_review = date("next_review", &front.next_review)?;
    if next_review <= last_reviewed {
        let offset = field_offset("next_review");
        return Err(Diagnostic::error(format!(
            "next_review ({next_review}) must come after last_reviewed ({last_reviewed})"
        ))
        .in_file(&rel)
        .at_offset(&text, offset, "next_review".len()));
    }
    let path = match key.strip_suffix("_index") {
        Some(dir) => dir.trim_end_matches('/').to_string(),
        None => key.clone(),
    };
    Ok(Some(Loaded::Page(Box::new(Page {
        file: rel,
        lang,
        key,
        path,
        front,
        last_reviewed,
        next_review,
        head: text[..body_start].to_string(),
        front_matter_error,
    }))))
}

/// The page's front matter, and the error of an unknown key it was read without (see
/// [`Page::front_matter_error`]); any other problem is the page's error.
fn read_front_matter(
    rel: &Path,
    text: &str,
    front_start: usize,
    front_text: &str,
) -> Result<(FrontMatter, Option<Diagnostic>), Diagnostic> {
    match parse_toml::<FrontMatter>(rel, text, front_start, front_text, "front matter") {
        Ok(front) => Ok((front, None)),
        Err(d) => match without_unknown_keys(front_text) {
            Some(front) if d.message.starts_with("unknown front matter key") => {
                Ok((front, Some(d)))
            }
            _ => Err(d),
        },
    }
}

/// The front matter read without its unknown keys, when that is all that is wrong with it: a
/// misspelt key (`titel`) should not keep the rest of the page from being checked.
fn without_unknown_keys(front_text: &str) -> Option<FrontMatter> {
    let mut table: toml::Table = toml::from_str(front_text).ok()?;
    // Each attempt names one unknown key; a page has a handful of keys at most.
    for _ in 0..=table.len() {
        match FrontMatter::deserialize(toml::Value::Table(table.clone())) {
            Ok(front) => return Some(front),
            Err(e) => {
                let message = e.message().to_string();
                let field = message.strip_prefix("unknown field `")?.split('`').next()?;
                table.remove(field)?;
            }
        }
    }
    None
}

/// A page's path becomes its URL: refuse characters that would end it (`#`, `?`), that need
/// escaping everywhere (space, `%`, quotes...), or that hosts treat differently. Letters of
/// any script, digits, `-`, `_` and `.` are fine (non-ASCII letters are percent-encoded in
/// canonical URLs and the sitemap).
pub(crate) fn check_url_safe(rel: &Path, key: &str) -> Result<(), Diagnostic> {
    let bad = key
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')));
    let Some(bad) = bad else { return Ok(()) };
    let shown = match bad {
        ' ' => "a space".to_string(),
        c if unicode_normalization::char::is_combining_mark(c) => {
            format!("the accent U+{:04X} on no letter it can join", c as u32)
        }
        c if c.is_control() || c.is_whitespace() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    };
    let suggestion: String = key
        .chars()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '.' | '/') {
                c
            } else {
                '-'
            }
        })
        .collect();
    Err(Diagnostic::error(format!(
        "{} cannot be a web address: its name has {shown}",
        rel.display()
    ))
    .in_file(rel)
    .with_help(format!(
        "rename it with letters, digits, - and _ only, e.g. content/{suggestion}.md"
    )))
}

fn is_plain_date(d: &str) -> bool {
    toml::value::Datetime::from_str(d).is_ok_and(|d| d.date.is_some() && d.time.is_none())
}

/// A [`TODAY_ENV`] that is set but not a date was ignored without a word, and the review
/// dates were checked against the real today.
pub(crate) fn check_today_env() -> Result<(), Diagnostic> {
    match std::env::var(TODAY_ENV) {
        Ok(d) if !is_plain_date(&d) => Err(Diagnostic::error(format!(
            "{TODAY_ENV} must be a date like 2026-12-05, not `{d}`"
        ))
        .with_help(format!("unset {TODAY_ENV} to use today's date"))),
        _ => Ok(()),
    }
}

/// Today as `YYYY-MM-DD`, or the date in [`TODAY_ENV`] (for tests).
pub(crate) fn today() -> String {
    std::env::var(TODAY_ENV)
        .ok()
        .filter(|d| is_plain_date(d))
        .unwrap_or_else(|| {
            chrono::Local::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string()
        })
}

/// Set to a date (`2026-12-05`) to make the build believe that is today: for tests, so that
/// review dates do not make them fail as the calendar moves on.
pub const TODAY_ENV: &str = "FACTSHEET_TODAY";

/// `risks.uk` -> (`risks`, `uk`); `risks` -> (`risks`, default language).
pub(crate) fn split_language(stem: &str, config: &SiteConfig) -> (String, String) {
    if let Some((base, suffix)) = stem.rsplit_once('.')
        && config.language(suffix).is_some()
    {
        return (base.to_string(), suffix.to_string());
    }
    (stem.to_string(), config.default_language.clone())
}

/// Find the `+++` block: returns (start of TOML, the TOML, start of body).
fn split_front_matter<'a>(
    rel: &Path,
    text: &'a str,
) -> Result<(usize, &'a str, usize), Diagnostic> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line = text[bom..].lines().next().unwrap_or("");
    if first_line.trim_end() != "+++" {
        return Err(Diagnostic::error("missing front matter: the file must start with a `+++` line")
            .in_file(rel)
            .at_offset(text, bom, first_line.len())
            .with_help("start the file with +++, the TOML front matter (title, description, weight, last_reviewed, next_review), and +++"));
    }
    let toml_start = bom + first_line.len() + 1;
    let mut offset = toml_start.min(text.len());
    for line in text[offset..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body = (offset + line.len()).min(text.len());
            return Ok((toml_start, &text[toml_start..offset], body));
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error("front matter is not closed: no second `+++` line")
            .in_file(rel)
            .at_offset(text, bom, 3)
            .with_label("front matter opened here")
            .with_help("add a line with +++ after the front matter"),
    )
}

/// Every page links to the home page: without one, that is one clear error instead of a
/// broken link on every page. (A home page in one language only is a missing translation.)
fn check_home(content: &Content, config: &SiteConfig, diags: &mut Diagnostics) {
    if content.pages.iter().any(|p| p.key == "_index") {
        return;
    }
    let files: Vec<String> = config
        .languages
        .iter()
        .map(|l| {
            let suffix = if l.code == config.default_language {
                String::new()
            } else {
                format!(".{}", l.code)
            };
            format!("content/_index{suffix}.md")
        })
        .collect();
    let mut files = files;
    // The default language's home page, which has no language in its name, first.
    files.sort_by_key(|f| f != "content/_index.md");
    let file = files
        .first()
        .cloned()
        .unwrap_or_else(|| "content/_index.md".into());
    diags.push(
        Diagnostic::error(format!("the site has no home page: {file} does not exist"))
            .in_file(&file)
            .with_help(format!(
                "add {}: every page links to the home page",
                files.join(" and ")
            )),
    );
}

fn check_unique_urls(content: &Content, config: &SiteConfig, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, &Page> = HashMap::new();
    // The offline copy goes on USB sticks (FAT, exFAT) and to Windows and macOS, whose file
    // systems do not tell `Risks/` from `risks/`: the two folders would merge.
    let mut folded: HashMap<String, (String, String)> = HashMap::new();
    let pages = content
        .pages
        .iter()
        .map(|p| (p.output_file(config), p.file.display().to_string()));
    let assets = content
        .assets
        .iter()
        .map(|a| (a.output.clone(), format!("content/{}", a.output)));
    for (output, file) in pages.chain(assets) {
        match folded.get(&output.to_lowercase()) {
            // The same output twice is a duplicate URL, reported below.
            Some((other_output, other_file)) if *other_output != output => diags.push(
                Diagnostic::error(format!(
                    "{other_file} and {file} have names that differ only in upper and lower case"
                ))
                .in_file(&file)
                .with_help("rename one of them: on USB sticks (FAT, exFAT), Windows and macOS the two would be one"),
            ),
            Some(_) => {}
            None => {
                folded.insert(output.to_lowercase(), (output, file));
            }
        }
    }
    for page in &content.pages {
        let url = page.url_path(config);
        if let Some(other) = seen.get(&url) {
            diags.push(
                Diagnostic::error(format!(
                    "two pages have the same URL /{url}: {} and {}",
                    other.file.display(),
                    page.file.display()
                ))
                .in_file(&page.file)
                .with_help("rename or move one of them"),
            );
        } else {
            seen.insert(url, page);
        }
    }
}

fn check_translations(content: &Content, config: &SiteConfig, diags: &mut Diagnostics) {
    let mut by_key: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for page in &content.pages {
        by_key.entry(&page.key).or_default().push(page);
    }
    for pages in by_key.values() {
        let Some(first) = pages.first() else { continue };
        if pages.iter().any(|p| !p.front.translation) {
            continue;
        }
        for lang in &config.languages {
            if pages.iter().any(|p| p.lang == lang.code) {
                continue;
            }
            let expected = expected_file(first, &lang.code, config);
            diags.push(
                Diagnostic::error(format!(
                    "{} has no `{}` ({}) translation (expected {})",
                    first.file.display(),
                    lang.code,
                    lang.name,
                    expected.display()
                ))
                .in_file(&first.file)
                .with_help("add the translation, or set `translation = false` in the front matter if the page has none"),
            );
        }
    }
}

fn expected_file(page: &Page, lang: &str, config: &SiteConfig) -> PathBuf {
    let suffix = if lang == config.default_language {
        String::new()
    } else {
        format!(".{lang}")
    };
    PathBuf::from("content").join(format!("{}{suffix}.md", page.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split_reports_positions() {
        let text = "+++\ntitle = \"x\"\n+++\nbody\n";
        let (start, toml, body) = split_front_matter(Path::new("a.md"), text).unwrap();
        assert_eq!(&text[start..start + toml.len()], "title = \"x\"\n");
        assert_eq!(&text[body..], "body\n");
    }

    #[test]
    fn missing_closing_fence_is_an_error() {
        let err = split_front_matter(Path::new("a.md"), "+++\ntitle = 1\n").unwrap_err();
        assert!(err.message.contains("not closed"));
    }
}
