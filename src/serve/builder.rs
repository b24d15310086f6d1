//! Rebuilding for `factsheet serve`. The loaded [`Site`] is kept between builds and only the
//! changed parts are read again ([`watch::plan`]): a changed Markdown file is re-read into the
//! existing content (URLs and translations re-checked). When only a page's body changed, only
//! that page (and the print and sources pages) is rendered again, the other pages' results
//! come from a [`RenderCache`]; a changed front matter, partial, template, string table or
//! source list renders every page; `site.toml` loads everything again. Every site-wide check
//! (links, citations, sources) runs on every build. The result goes into a fresh
//! [`MemorySink`]; only the files whose bytes changed are swapped into the served map, which
//! is replaced in one step before the pages are told.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::MemorySink;
use crate::site::{LoadOptions, RenderCache, Site, Strictness};
use crate::watch::{self, Rebuild, Reload};

/// The files of one successful build, as served.
pub struct Served {
    /// `<server instance>-<generation>`: pages carry it, so that a page can tell whether it is
    /// the latest build.
    pub build_id: String,
    pub files: BTreeMap<String, Bytes>,
    /// False until a build succeeded: then every path gets a "not built yet" page.
    pub built: bool,
}

/// The errors of the latest build, ready to send.
pub struct BuildErrors {
    /// The `build-error` event's JSON.
    pub json: String,
    pub count: usize,
}

/// What the server shows: the last good build and the latest errors, if any.
#[derive(Clone)]
pub struct Snapshot {
    pub served: Arc<Served>,
    pub error: Option<Arc<BuildErrors>>,
    /// The latest build attempt.
    pub generation: u64,
}

/// A message to every open page, as a Server-Sent Event.
#[derive(Clone, Debug)]
pub struct LiveEvent {
    pub name: &'static str,
    pub data: Arc<str>,
}

/// State shared by the rebuild thread and the HTTP server.
pub struct State {
    snapshot: RwLock<Snapshot>,
    pub events: broadcast::Sender<LiveEvent>,
    pub instance: String,
}

impl State {
    pub fn new() -> State {
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64 & 0xff_ffff_ffff);
        let instance = format!("{instance:x}");
        let served = Served {
            build_id: format!("{instance}-0"),
            files: BTreeMap::new(),
            built: false,
        };
        State {
            snapshot: RwLock::new(Snapshot {
                served: Arc::new(served),
                error: None,
                generation: 0,
            }),
            events: broadcast::channel(64).0,
            instance,
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swap in the new state, then tell the pages (in that order: a page that reloads on the
    /// event must get the new files).
    fn publish(&self, snapshot: Snapshot, event: Option<LiveEvent>) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
        if let Some(event) = event {
            // No receiver is not an error: no page is open.
            let _ = self.events.send(event);
        }
    }

    /// The `hello` event a page gets when it connects.
    pub fn hello(&self) -> LiveEvent {
        let s = self.snapshot();
        event(
            "hello",
            &Hello {
                build: &s.served.build_id,
                generation: s.generation,
                error: s.error.is_some(),
            },
        )
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

#[derive(Serialize)]
struct Hello<'a> {
    build: &'a str,
    generation: u64,
    error: bool,
}

#[derive(Serialize)]
struct Changed<'a> {
    build: &'a str,
    generation: u64,
    /// Output files that changed (at most 50).
    files: &'a [String],
}

#[derive(Serialize)]
struct ErrorEvent<'a> {
    generation: u64,
    count: usize,
    errors: Vec<ErrorJson<'a>>,
    /// The whole report as printed in the terminal.
    text: String,
}

/// One diagnostic for the browser overlay.
#[derive(Serialize)]
struct ErrorJson<'a> {
    severity: &'static str,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    width: Option<usize>,
    /// The line, cut to a window around the problem when it is long (see
    /// [`crate::diagnostic::Location::excerpt`]), and the caret's column in it.
    line_text: Option<String>,
    caret_column: Option<usize>,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

fn event(name: &'static str, data: &impl Serialize) -> LiveEvent {
    LiveEvent {
        name,
        data: serde_json::to_string(data)
            .unwrap_or_else(|_| "{}".into())
            .into(),
    }
}

fn error_json(generation: u64, diags: &Diagnostics) -> BuildErrors {
    let errors: Vec<ErrorJson> = diags
        .0
        .iter()
        .filter(|d| d.is_error())
        .map(|d: &Diagnostic| {
            let excerpt = d.location.as_ref().map(|l| l.excerpt());
            ErrorJson {
                severity: if d.is_error() { "error" } else { "warning" },
                message: &d.message,
                file: d
                    .file
                    .as_ref()
                    .map(|f| f.display().to_string().replace('\\', "/")),
                line: d.location.as_ref().map(|l| l.line),
                column: d.location.as_ref().map(|l| l.column),
                width: excerpt.as_ref().map(|e| e.2),
                caret_column: excerpt.as_ref().map(|e| e.1),
                line_text: excerpt.map(|e| e.0),
                label: d.label.as_deref(),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let count = errors.len();
    let json = serde_json::to_string(&ErrorEvent {
        generation,
        count,
        errors,
        text: diags.to_string(),
    })
    .unwrap_or_else(|_| "{}".into());
    BuildErrors { json, count }
}

/// How the output changed between two builds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Added or changed output files.
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed: the pages can keep their HTML and swap their styles.
    pub fn only_stylesheets(&self) -> bool {
        !self.changed.is_empty()
            && self.removed.is_empty()
            && self.changed.iter().all(|f| f.ends_with(".css"))
    }
}

/// Compare the served files with a (partial) build: `kept` says which served files that the
/// build did not produce stay anyway (pages not rendered again).
pub fn diff(
    old: &BTreeMap<String, Bytes>,
    new: &BTreeMap<String, Vec<u8>>,
    kept: impl Fn(&str) -> bool,
) -> Diff {
    let changed = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_none_or(|o| o.as_ref() != v.as_slice()))
        .map(|(k, _)| k.clone())
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k) && !kept(k))
        .cloned()
        .collect();
    Diff { changed, removed }
}

/// The result of one (re)build, for the terminal.
pub struct Outcome {
    /// What happened, after the arrow: "rebuilt 22 pages in 35 ms".
    pub summary: String,
    /// Diagnostics to print (errors, or warnings not printed before).
    pub diagnostics: String,
    pub ok: bool,
}

/// What a build produced before it is compared with what is served.
enum Built {
    /// Every file, rendered.
    Rendered {
        files: BTreeMap<String, Vec<u8>>,
        /// Page files not rendered again (absent from `files`, unchanged).
        reused: HashSet<String>,
        pages: usize,
        /// "22 pages (en 11, uk 11), 6 other files"
        report: String,
        warnings: Vec<Diagnostic>,
        everything: bool,
    },
    /// Only some static files, read again.
    Patched(BTreeMap<String, Vec<u8>>),
}

pub struct Builder {
    root: PathBuf,
    options: LoadOptions,
    site: Option<Site>,
    cache: RenderCache,
    state: Arc<State>,
    generation: u64,
    warnings_shown: Vec<String>,
}

impl Builder {
    /// `root` should be absolute and canonical: watched paths are made relative to it.
    pub fn new(root: &Path, options: LoadOptions, state: Arc<State>) -> Builder {
        Builder {
            root: root.to_path_buf(),
            options,
            site: None,
            cache: RenderCache::default(),
            state,
            generation: 0,
            warnings_shown: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The site's title, once it loaded.
    pub fn title(&self) -> Option<String> {
        let site = self.site.as_ref()?;
        let c = &site.config;
        c.language(&c.default_language).map(|l| l.title.clone())
    }

    /// The first build.
    pub fn initial(&mut self) -> Outcome {
        self.run(Rebuild::Full)
    }

    /// Rebuild after `changed` (paths relative to the root) changed; `None` when none of them
    /// is part of the site.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Option<Outcome> {
        match watch::plan(changed) {
            Rebuild::Nothing => None,
            plan => Some(self.run(plan)),
        }
    }

    fn run(&mut self, plan: Rebuild) -> Outcome {
        let start = Instant::now();
        self.generation += 1;
        let generation = self.generation;
        let current = self.state.snapshot();
        let healthy = current.error.is_none() && current.served.built && self.site.is_some();
        // A bug in a rebuild must not end the server: it keeps serving the last good build and
        // shows the panic like any other error.
        let built = std::panic::catch_unwind(AssertUnwindSafe(|| {
            test_panic(&self.root);
            match plan {
                Rebuild::Nothing => unreachable!("handled by rebuild"),
                Rebuild::Stylesheets(paths) | Rebuild::Static(paths) if healthy => {
                    match self.patch_static(&paths, &current.served.files) {
                        Some(files) => Ok(Built::Patched(files)),
                        None => self.render(Reload::default()),
                    }
                }
                Rebuild::Stylesheets(_) | Rebuild::Static(_) => self.render(Reload::default()),
                Rebuild::Render(reload) => self.render(reload),
                Rebuild::Full => {
                    self.site = None;
                    self.render(Reload::default())
                }
            }
        }));
        let result = built.unwrap_or_else(|panic| {
            // What the panic left half-updated is dropped: the next build loads everything.
            self.site = None;
            self.cache = RenderCache::default();
            Err(Diagnostic::error(format!(
                "internal error: the build panicked: {}",
                panic_message(panic.as_ref())
            ))
            .with_help("this is a bug in factsheet, please report it with the change that caused it; the last good build is still served, and the next change rebuilds everything")
            .into())
        });
        let ms = start.elapsed().as_millis();
        match result {
            Ok(built) => self.publish(built, generation, &current, ms),
            Err(diags) => {
                let errors = Arc::new(error_json(generation, &diags));
                let count = errors.count;
                let event = LiveEvent {
                    name: "build-error",
                    data: errors.json.as_str().into(),
                };
                self.state.publish(
                    Snapshot {
                        served: current.served.clone(),
                        error: Some(errors),
                        generation,
                    },
                    Some(event),
                );
                let kept = if current.served.built {
                    "still serving the last good build"
                } else {
                    "nothing to serve until it is fixed"
                };
                Outcome {
                    summary: format!("error ({count}), {kept}"),
                    diagnostics: diags.to_string(),
                    ok: false,
                }
            }
        }
    }

    fn publish(&mut self, built: Built, generation: u64, current: &Snapshot, ms: u128) -> Outcome {
        let old = &current.served.files;
        let (new_files, mut diff, rendered) = match built {
            Built::Rendered {
                files,
                reused,
                pages,
                report,
                warnings,
                everything,
            } => {
                let d = diff(old, &files, |k| reused.contains(k));
                let rendered = pages.saturating_sub(reused.len());
                (
                    files,
                    d,
                    Some((pages, rendered, report, warnings, everything)),
                )
            }
            // Only some files were read again: everything else stays.
            Built::Patched(files) => {
                let d = diff(old, &files, |_| true);
                (files, d, None)
            }
        };
        if !current.served.built {
            // The first good build: every page must reload, whatever it showed.
            diff.changed.push(String::new());
        }
        let unchanged = diff.is_empty();
        let only_css = diff.only_stylesheets();
        let served = if unchanged {
            current.served.clone()
        } else {
            // Start from the served map and write only what changed.
            let mut files = old.clone();
            let mut new_files = new_files;
            for k in &diff.removed {
                files.remove(k);
            }
            for k in diff.changed.iter().filter(|k| !k.is_empty()) {
                if let Some(bytes) = new_files.remove(k) {
                    files.insert(k.clone(), Bytes::from(bytes));
                }
            }
            Arc::new(Served {
                build_id: format!("{}-{generation}", self.state.instance),
                files,
                built: true,
            })
        };
        diff.changed.retain(|k| !k.is_empty());
        let listed: Vec<String> = diff
            .changed
            .iter()
            .chain(&diff.removed)
            .take(50)
            .cloned()
            .collect();
        let payload = Changed {
            build: &served.build_id,
            generation,
            files: &listed,
        };
        let event = if unchanged {
            event("ok", &payload)
        } else if only_css {
            event("css", &payload)
        } else {
            event("reload", &payload)
        };
        self.state.publish(
            Snapshot {
                served: served.clone(),
                error: None,
                generation,
            },
            Some(event),
        );

        let n = diff.changed.len() + diff.removed.len();
        let files_changed = match n {
            0 => "no file changed".to_string(),
            1 => "1 file changed".to_string(),
            n => format!("{n} files changed"),
        };
        let mut diagnostics = String::new();
        let summary = match rendered {
            Some((pages, rendered, report, warnings, everything)) => {
                let texts: Vec<String> = warnings.iter().map(ToString::to_string).collect();
                if texts != self.warnings_shown {
                    diagnostics = texts.join("\n");
                    self.warnings_shown = texts;
                }
                let warned = match warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_string(),
                    n => format!(", {n} warnings"),
                };
                let what = if everything {
                    "reloaded the site and rebuilt"
                } else {
                    "rebuilt"
                };
                if current.generation == 0 {
                    format!("built {report} in {ms} ms{warned}")
                } else if rendered < pages {
                    format!(
                        "{what} {rendered} of {pages} pages in {ms} ms ({files_changed}{warned})"
                    )
                } else {
                    format!("{what} {pages} pages in {ms} ms ({files_changed}{warned})")
                }
            }
            None => {
                let which = if listed.is_empty() {
                    "nothing".to_string()
                } else {
                    listed.join(", ")
                };
                let kind = if only_css {
                    "stylesheet only"
                } else {
                    "pages reloaded"
                };
                format!("updated {which} in {ms} ms ({kind})")
            }
        };
        Outcome {
            summary,
            diagnostics,
            ok: true,
        }
    }

    /// Read changed files of `static/` again into a copy of the served files, when they all
    /// already exist there (a new or deleted file needs a render: it may collide, or links to
    /// it may break).
    fn patch_static(
        &self,
        paths: &[PathBuf],
        served: &BTreeMap<String, Bytes>,
    ) -> Option<BTreeMap<String, Vec<u8>>> {
        let mut out = BTreeMap::new();
        for rel in paths {
            let in_static = rel.strip_prefix("static").ok()?;
            let key = in_static.to_string_lossy().replace('\\', "/");
            let abs = self.root.join(rel);
            // A symbolic link goes through the full render, whose walk checks where it points.
            let link = abs
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink());
            if link || !abs.is_file() || !served.contains_key(&key) {
                return None;
            }
            out.insert(key, std::fs::read(&abs).ok()?);
        }
        Some(out)
    }

    /// Bring the loaded site up to date (loading it whole when there is none), then render
    /// into memory every page the change can affect.
    fn render(&mut self, reload: Reload) -> Result<Built, Diagnostics> {
        let loaded_whole = self.site.is_none();
        let (site, dirty) = match self.site.take() {
            None => (Site::load(&self.root, &self.options)?, None),
            Some(mut site) => {
                // A failure here drops the site: the next build loads it whole.
                let dirty = site.reload(&reload)?;
                (site, dirty)
            }
        };
        // Pages can be reused only from a render whose files are the ones served.
        let dirty = dirty.filter(|_| self.state.snapshot().error.is_none());
        let site = self.site.insert(site);
        let sink = MemorySink::default();
        let report =
            site.render_cached(&sink, Strictness::Build, &mut self.cache, dirty.as_ref())?;
        let files = sink.into_files();
        if dirty.is_some() && std::env::var_os(VERIFY_ENV).is_some() {
            verify(
                site,
                &files,
                &report.reused,
                &self.state.snapshot().served.files,
            );
        }
        Ok(Built::Rendered {
            files,
            pages: report.page_count(),
            report: report.summary(),
            reused: report.reused,
            warnings: report.warnings,
            everything: loaded_whole,
        })
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// Debug builds only, for the tests: a build panics while the file named by this variable
/// (relative to the project) exists. No real input is known to panic, and the server's
/// recovery from one must still be tested.
pub const TEST_PANIC_ENV: &str = "FACTSHEET_TEST_PANIC_WHILE";

fn test_panic(root: &Path) {
    if cfg!(debug_assertions)
        && let Some(file) = std::env::var_os(TEST_PANIC_ENV)
        && root.join(file).exists()
    {
        panic!("{TEST_PANIC_ENV} is set and its file exists");
    }
}

/// Set (to anything) to check every partial rebuild against a full one: differences are
/// printed as internal errors. For tests.
pub const VERIFY_ENV: &str = "FACTSHEET_SERVE_VERIFY";

/// Render everything again and compare with the partial rebuild.
fn verify(
    site: &Site,
    files: &BTreeMap<String, Vec<u8>>,
    reused: &HashSet<String>,
    served: &BTreeMap<String, Bytes>,
) {
    let sink = MemorySink::default();
    if let Err(e) = site.render(&sink, Strictness::Build) {
        eprintln!("internal error: a full render failed where the partial one worked:\n{e}");
        return;
    }
    for (k, full) in sink.into_files() {
        let partial = files.get(&k).map(Vec::as_slice).or_else(|| {
            reused
                .contains(&k)
                .then(|| served.get(&k).map(|b| b.as_ref()))
                .flatten()
        });
        if partial != Some(full.as_slice()) {
            eprintln!("internal error: the partial rebuild differs from a full one for {k}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(files: &[(&str, &str)]) -> BTreeMap<String, Bytes> {
        files
            .iter()
            .map(|(k, v)| (k.to_string(), Bytes::from(v.to_string())))
            .collect()
    }

    fn new(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn diff_finds_changed_added_and_removed_files() {
        let a = old(&[("index.html", "a"), ("style.css", "x"), ("gone.html", "g")]);
        let b = new(&[("index.html", "a"), ("style.css", "y"), ("new.html", "n")]);
        let d = diff(&a, &b, |_| false);
        assert_eq!(d.changed, ["new.html", "style.css"]);
        assert_eq!(d.removed, ["gone.html"]);
        assert!(!d.only_stylesheets());
        // A partial build: pages not rendered again are kept, not removed.
        let d = diff(&a, &new(&[("style.css", "x")]), |k| k.ends_with(".html"));
        assert!(d.changed.is_empty(), "{d:?}");
        assert_eq!(d.removed, Vec::<String>::new());
    }

    #[test]
    fn stylesheet_only_changes_are_recognised() {
        let a = old(&[("index.html", "a"), ("style.css", "x")]);
        let d = diff(&a, &new(&[("index.html", "a"), ("style.css", "y")]), |_| {
            false
        });
        assert!(d.only_stylesheets());
        let d = diff(&a, &new(&[("index.html", "a"), ("style.css", "x")]), |_| {
            false
        });
        assert!(d.is_empty() && !d.only_stylesheets());
    }

    #[test]
    fn error_json_carries_file_line_and_column() {
        let text = "+++\ntitel = 1\n+++\n";
        let d = Diagnostic::error("unknown front matter key `titel`")
            .in_file("content/risks.md")
            .at_offset(text, 4, 5)
            .with_help("did you mean `title`?");
        let e = error_json(7, &Diagnostics::from(d));
        let v: serde_json::Value = serde_json::from_str(&e.json).unwrap();
        assert_eq!(v["count"], 1);
        assert_eq!(v["generation"], 7);
        assert_eq!(v["errors"][0]["file"], "content/risks.md");
        assert_eq!(v["errors"][0]["line"], 2);
        assert_eq!(v["errors"][0]["column"], 1);
        assert_eq!(v["errors"][0]["line_text"], "titel = 1");
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains("--> content/risks.md:2:1")
        );
    }
}
