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
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;

use super::state::{Changed, Diff, LiveEvent, Served, Snapshot, State, diff, error_json, event};
use super::watch::{self, Rebuild};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::MemorySink;
use crate::site::{LoadOptions, Reload, RenderCache, Site, Strictness};

/// The result of one (re)build, for the terminal.
pub(crate) struct Outcome {
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

/// What a render did, for the summary line.
struct Rendering {
    pages: usize,
    /// Pages rendered again; the others came from the cache.
    rendered: usize,
    /// "22 pages (en 11, uk 11), 6 other files"
    report: String,
    warnings: Vec<Diagnostic>,
    /// The site was loaded whole again.
    everything: bool,
}

/// What a swap changed, for the summary line.
struct Swapped {
    /// Files changed, added or removed.
    count: usize,
    /// The first 50 of them.
    listed: Vec<String>,
    only_css: bool,
}

pub(crate) struct Builder {
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
    pub(crate) fn new(root: &Path, options: LoadOptions, state: Arc<State>) -> Builder {
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

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The site's title, once it loaded.
    pub(crate) fn title(&self) -> Option<String> {
        let site = self.site.as_ref()?;
        let c = &site.config;
        c.language(&c.default_language).map(|l| l.title.clone())
    }

    /// The first build.
    pub(crate) fn initial(&mut self) -> Outcome {
        self.run(Rebuild::Full)
    }

    /// Rebuild after `changed` (paths relative to the root) changed; `None` when none of them
    /// is part of the site.
    pub(crate) fn rebuild(&mut self, changed: &[PathBuf]) -> Option<Outcome> {
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

    /// Swap a good build in and tell the pages, then say what changed.
    fn publish(&mut self, built: Built, generation: u64, current: &Snapshot, ms: u128) -> Outcome {
        let old = &current.served.files;
        let (files, diff, rendering) = match built {
            Built::Rendered {
                files,
                reused,
                pages,
                report,
                warnings,
                everything,
            } => {
                let d = diff(old, &files, |k| reused.contains(k));
                let rendering = Rendering {
                    pages,
                    rendered: pages.saturating_sub(reused.len()),
                    report,
                    warnings,
                    everything,
                };
                (files, d, Some(rendering))
            }
            // Only some files were read again: everything else stays.
            Built::Patched(files) => {
                let d = diff(old, &files, |_| true);
                (files, d, None)
            }
        };
        let swapped = self.swap(current, files, diff, generation);
        self.summary(rendering, &swapped, current.generation == 0, ms)
    }

    /// Write the changed files into (a copy of) the served map, swap it in, and send the
    /// pages `ok`, `css` or `reload`.
    fn swap(
        &self,
        current: &Snapshot,
        mut new_files: BTreeMap<String, Vec<u8>>,
        mut diff: Diff,
        generation: u64,
    ) -> Swapped {
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
            let mut files = current.served.files.clone();
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
        Swapped {
            count: diff.changed.len() + diff.removed.len(),
            listed,
            only_css,
        }
    }

    /// The terminal's line for a good build (`first`: the server's first), and its warnings
    /// when they differ from those shown last.
    fn summary(
        &mut self,
        rendering: Option<Rendering>,
        swapped: &Swapped,
        first: bool,
        ms: u128,
    ) -> Outcome {
        let files_changed = match swapped.count {
            0 => "no file changed".to_string(),
            1 => "1 file changed".to_string(),
            n => format!("{n} files changed"),
        };
        let mut diagnostics = String::new();
        let summary = match rendering {
            Some(Rendering {
                pages,
                rendered,
                report,
                warnings,
                everything,
            }) => {
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
                if first {
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
                let which = if swapped.listed.is_empty() {
                    "nothing".to_string()
                } else {
                    swapped.listed.join(", ")
                };
                let kind = if swapped.only_css {
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
pub(crate) const TEST_PANIC_ENV: &str = "FACTSHEET_TEST_PANIC_WHILE";

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
pub(crate) const VERIFY_ENV: &str = "FACTSHEET_SERVE_VERIFY";

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
