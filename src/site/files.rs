//! The files that are not pages: static files and content assets copied as they are, the
//! sitemap, robots.txt and the 404 page; none may overwrite another output file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::Page;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::Sink;

use super::Site;
use super::context::NotFoundContext;
use super::page::PageResult;

const SITEMAP: &str = "sitemap.xml";
const ROBOTS: &str = "robots.txt";
/// The origin of the files factsheet makes itself.
const GENERATED: &str = "(generated)";

/// What a file that is not a page holds.
enum Data<'r> {
    Copy(PathBuf),
    Bytes(Vec<u8>),
    /// A language's search index, made when it is written: at 10,000 pages per language
    /// each is tens of megabytes, and one at a time is enough.
    SearchIndex(&'r str, Vec<&'r crate::search::PageEntry>),
    /// Made when it is written, beside the other files.
    Sitemap,
}

/// A file that is not a page: its output path, where it comes from, what it holds.
type Extra<'r> = (String, PathBuf, Data<'r>);

impl Site {
    /// Write every file that is not a page; returns the output paths written.
    /// `statics`: [`Site::static_files`], listed once for the whole render.
    pub(super) fn write_other_files(
        &self,
        sink: &dyn Sink,
        results: &[PageResult],
        statics: Vec<(String, PathBuf)>,
        diags: &mut Diagnostics,
    ) -> HashSet<String> {
        let extras = self.other_files(results, statics, diags);
        let (mut files, to_write) = self.claim_outputs(results, extras, diags);
        files.extend(self.write_extras(sink, results, &to_write, diags));
        files
    }

    /// Every file that is not a page, with where it comes from.
    fn other_files<'r>(
        &'r self,
        results: &'r [PageResult],
        statics: Vec<(String, PathBuf)>,
        diags: &mut Diagnostics,
    ) -> Vec<Extra<'r>> {
        let mut extras: Vec<Extra> = Vec::new();
        for (rel, abs) in statics {
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
        let generated = PathBuf::from(GENERATED);
        extras.push((SITEMAP.into(), generated.clone(), Data::Sitemap));
        let robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}{SITEMAP}\n",
            self.config.base_url
        );
        extras.push((
            ROBOTS.into(),
            generated.clone(),
            Data::Bytes(robots.into_bytes()),
        ));
        if self.web_app() {
            let names: Vec<String> = extras.iter().map(|(rel, ..)| rel.clone()).collect();
            for (rel, json) in self.web_manifests(names.iter().map(String::as_str)) {
                extras.push((rel, generated.clone(), Data::Bytes(json)));
            }
        }
        let mut indexed =
            crate::search::by_language(results.iter().filter_map(|r| r.search.as_ref()));
        for l in &self.config.languages {
            let pages = indexed.remove(l.code.as_str()).unwrap_or_default();
            extras.push((
                crate::search::index_file(&l.code),
                generated.clone(),
                Data::SearchIndex(&l.code, pages),
            ));
        }
        // A copy on a USB stick has no server to show a 404 page.
        if self.templates.has("404.html") && !self.offline {
            match self.render_not_found() {
                Ok(html) => extras.push((
                    "404.html".into(),
                    "templates/404.html".into(),
                    Data::Bytes(html.into_bytes()),
                )),
                Err(d) => diags.push(d),
            }
        }
        extras
    }

    /// Take each file's output path, unless a page or another file has it (or a page makes
    /// a folder of that name): the paths taken, and the files to write.
    fn claim_outputs<'r>(
        &self,
        results: &[PageResult],
        extras: Vec<Extra<'r>>,
        diags: &mut Diagnostics,
    ) -> (HashSet<String>, Vec<Extra<'r>>) {
        // Who writes each output file, and each folder the pages make (`style.css/` for a
        // page content/style.css.md): a file there could not be written.
        let mut holders: HashMap<String, PathBuf> = HashMap::new();
        let mut folders: HashMap<String, &Path> = HashMap::new();
        for r in results {
            let output = r.page.output_file(&self.config);
            let mut folder = output.as_str();
            while let Some((parent, _)) = folder.rsplit_once('/') {
                folders.entry(parent.to_string()).or_insert(&r.page.file);
                folder = parent;
            }
            holders.insert(output, r.page.file.clone());
        }
        let mut files: HashSet<String> = HashSet::new();
        let mut to_write = Vec::with_capacity(extras.len());
        for (rel, origin, data) in extras {
            let clash = match (holders.get(&rel), folders.get(&rel)) {
                (Some(other), _) => Some(clash_with_file(&rel, &origin, other)),
                (None, Some(page)) => Some(clash_with_folder(&rel, &origin, page)),
                (None, None) => None,
            };
            // A split search index writes its shards in a folder beside it, which nothing
            // else may write into.
            let clash = clash.or_else(|| match &data {
                Data::SearchIndex(lang, _) => {
                    let folder = format!("{}/", crate::search::shard_folder(lang));
                    let mut inside: Vec<(&String, &PathBuf)> = holders
                        .iter()
                        .filter(|(held, _)| held.starts_with(&folder))
                        .collect();
                    inside.sort();
                    inside.first().map(|(held, other)| {
                        Diagnostic::error(format!(
                            "{} would be written as {held}, in the folder {folder} where \
                             factsheet writes the parts of the search index {rel}",
                            other.display()
                        ))
                        .in_file(*other)
                        .with_help(format!("move or rename {}", other.display()))
                    })
                }
                _ => None,
            });
            if let Some(d) = clash {
                diags.push(d);
                continue;
            }
            holders.insert(rel.clone(), origin.clone());
            files.insert(rel.clone());
            to_write.push((rel, origin, data));
        }
        (files, to_write)
    }

    /// Write the files; returns the extra paths written (a split search index's shards).
    fn write_extras(
        &self,
        sink: &dyn Sink,
        results: &[PageResult],
        to_write: &[Extra],
        diags: &mut Diagnostics,
    ) -> Vec<String> {
        // The shards and fragments of split search indexes, as they are written.
        let shards = std::sync::Mutex::new(Vec::new());
        let write = |(rel, origin, data): &Extra| {
            let written = match data {
                Data::Copy(from) => sink.copy(rel, from),
                Data::Bytes(bytes) => sink.write(rel, bytes),
                Data::Sitemap => sink.write_owned(rel, self.sitemap(results).into_bytes()),
                Data::SearchIndex(lang, pages) => sink.write_from(rel, &mut |out| {
                    crate::search::write_site_index(
                        self.offline,
                        lang,
                        pages,
                        out,
                        &|shard, bytes| {
                            sink.write(shard, bytes)?;
                            shards
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(shard.to_string());
                            Ok(())
                        },
                    )
                }),
            };
            let e = written.err()?;
            // A copy names its source, which may be what failed; the rest is the output's.
            let d = Diagnostic::cannot_write(rel, &e);
            Some(match data {
                Data::Copy(_) => d.in_file(origin),
                _ => d,
            })
        };
        // In parallel: the search indexes of the languages take as long as the rest together,
        // and `factsheet serve` writes them again after every edit. A large site's indexes
        // are split, and then hold only their postings while they are written, not a whole
        // index's sections too: both languages at once stay under the peak of memory the
        // rendering reaches.
        let failures: Vec<Diagnostic> = to_write.par_iter().filter_map(write).collect();
        diags.0.extend(failures);
        shards.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Files every successful build writes, known before any page renders: the pages, the
    /// static files and content assets, the sitemap, robots.txt and the search indexes. A
    /// file left out here is only checked later; one listed and then not written would be
    /// an error of the build anyway (a file that cannot be written or would overwrite
    /// another).
    pub(super) fn sure_outputs(&self, statics: &[(String, PathBuf)]) -> HashSet<String> {
        let pages = self
            .content
            .pages
            .iter()
            .map(|p| p.output_file(&self.config));
        let statics = statics.iter().map(|(rel, _)| rel.clone());
        let assets = self.content.assets.iter().map(|a| a.output.clone());
        let indexes = self
            .config
            .languages
            .iter()
            .map(|l| crate::search::index_file(&l.code));
        let app = self.web_app().then(|| {
            let manifests = self.config.languages.iter();
            let manifests = manifests.map(|l| super::app::web_manifest_file(&l.code));
            manifests.chain([super::app::OFFLINE_MANIFEST.to_string()])
        });
        pages
            .chain(statics)
            .chain(assets)
            .chain(indexes)
            .chain([SITEMAP, ROBOTS].map(String::from))
            .chain(app.into_iter().flatten())
            .collect()
    }

    /// The files of `static/`: output path and file.
    pub(super) fn static_files(&self, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
        let dir = self.root.join("static");
        if !dir.is_dir() {
            return Vec::new();
        }
        // `.well-known/` (security.txt, app links) and the hidden files site.toml lists
        // (`.nojekyll`, `.htaccess`); never other hidden files, nor version control folders.
        let keep =
            |rel: &str| rel == ".well-known" || self.config.publish_hidden.iter().any(|h| h == rel);
        crate::fs::walk(&self.root, "static", &keep, diags)
            .into_iter()
            // Decomposed names (as macOS tools may write them) are published composed, as
            // page names are.
            .map(|f| {
                let name = unicode_normalization::UnicodeNormalization::nfc(f.name.as_str());
                (name.collect(), f.path)
            })
            .collect()
    }

    fn render_not_found(&self) -> Result<String, Diagnostic> {
        self.templates
            .render("404.html", &NotFoundContext::new(self))
    }

    fn sitemap(&self, results: &[PageResult]) -> String {
        let mut entries: Vec<&Page> = results
            .iter()
            .map(|r| r.page)
            .filter(|p| p.front.kind.is_listed())
            .collect();
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
            let twins: Vec<&&Page> = twins.iter().filter(|t| t.front.kind.is_listed()).collect();
            if twins.len() > 1 {
                for twin in &twins {
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
}

/// What wrote a generated file, for messages.
fn generated_name(rel: &str) -> String {
    match rel {
        SITEMAP => "the sitemap factsheet makes".into(),
        ROBOTS => "the robots.txt factsheet makes".into(),
        _ => format!("the file {rel} factsheet makes"),
    }
}

fn is_generated(origin: &Path) -> bool {
    origin == Path::new(GENERATED)
}

/// `origin` would write `rel`, which `other` writes too. The error names the file to change:
/// the one that is not generated.
fn clash_with_file(rel: &str, origin: &Path, other: &Path) -> Diagnostic {
    let (file, d) = match (is_generated(origin), is_generated(other)) {
        (true, true) => (
            PathBuf::from("site.toml"),
            Diagnostic::error(format!("{rel} would be written twice")),
        ),
        (true, false) => (
            other.to_path_buf(),
            Diagnostic::error(format!(
                "{} would be overwritten by {}",
                other.display(),
                generated_name(rel)
            ))
            .with_help(format!(
                "factsheet writes {rel} itself: remove {}",
                other.display()
            )),
        ),
        (false, true) => (
            origin.to_path_buf(),
            Diagnostic::error(format!(
                "{} would overwrite {}",
                origin.display(),
                generated_name(rel)
            ))
            .with_help(format!(
                "factsheet writes {rel} itself: remove {}",
                origin.display()
            )),
        ),
        (false, false) => (
            origin.to_path_buf(),
            Diagnostic::error(format!(
                "{} and {} would both be written as {rel}",
                origin.display(),
                other.display()
            ))
            .with_help("rename or remove one of them"),
        ),
    };
    d.in_file(file)
}

/// `origin` would write the file `rel` where `page` needs a folder of that name.
fn clash_with_folder(rel: &str, origin: &Path, page: &Path) -> Diagnostic {
    let what = if is_generated(origin) {
        generated_name(rel)
    } else {
        origin.display().to_string()
    };
    Diagnostic::error(format!(
        "{} is published in a folder {rel}/, where {what} is the file {rel}",
        page.display()
    ))
    .in_file(page)
    .with_help(format!(
        "rename {} (its address would be /{rel}/), or the other file",
        page.display()
    ))
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}
