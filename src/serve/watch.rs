//! Watching the project for `factsheet serve`: which files to watch, how a burst of file
//! events becomes one rebuild, and the pure "what changed -> what to rebuild" decision
//! ([`plan`]).
//!
//! Watched: `content/`, `templates/`, `static/`, `i18n/` (recursively) and the project folder
//! itself without recursion, for `site.toml`, `sources.toml` and `terms.toml` (a file watch would be lost
//! when an editor saves by writing a temporary file and renaming it over the original). Any
//! other path, the output folder included, is never looked at.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::fs::is_ignored_file;
use crate::site::Reload;

/// The folders watched recursively, relative to the project root.
pub(super) const WATCHED_DIRS: [&str; 4] = ["content", "templates", "static", "i18n"];

/// How long a path must stay quiet before its events are passed on.
pub(super) const DEBOUNCE: Duration = Duration::from_millis(50);
/// How often the debouncer looks for quiet paths.
pub(super) const TICK: Duration = Duration::from_millis(10);
/// After a batch arrives, how long to wait for more before rebuilding: the debouncer times
/// each path on its own, so a burst over many files arrives in several batches a tick apart.
pub(super) const SETTLE: Duration = Duration::from_millis(25);
/// A burst that never settles still gets a rebuild this often.
pub(super) const MAX_WAIT: Duration = Duration::from_millis(1000);
/// How often `--poll` (and the fallback when the OS watch limit is hit) scans the project. The
/// scan compares contents too: modification times are compared to the second only.
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What one changed path is, by where it is in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ChangeKind {
    /// Not part of the site: editor swap or backup files, the output folder, anything else.
    Ignored,
    /// A stylesheet in `static/`.
    Stylesheet,
    /// Any other file in `static/`.
    Static,
    /// A Markdown page or partial in `content/`.
    Content,
    /// Something else in `content/`: an asset, or a folder added, removed or renamed.
    ContentOther,
    /// A file in `templates/`.
    Template,
    /// UI strings in `i18n/`.
    Strings,
    /// `sources.toml`.
    Sources,
    /// `site.toml`, or `terms.toml` (read with it: it names the site's languages).
    Config,
}

/// What one path is; `rel` is relative to the project root.
pub(super) fn kind_of(rel: &Path) -> ChangeKind {
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().unwrap_or("\u{fffd}"),
            _ => "..",
        })
        .collect();
    let Some((&first, _)) = parts.split_first() else {
        return ChangeKind::Ignored;
    };
    let name = parts.last().copied().unwrap_or_default();
    if parts.len() > 1 && is_ignored_file(name) {
        return ChangeKind::Ignored;
    }
    match (first, parts.len()) {
        ("site.toml" | "terms.toml", 1) => ChangeKind::Config,
        ("sources.toml", 1) => ChangeKind::Sources,
        ("content", 1) => ChangeKind::ContentOther,
        ("content", _) if name.ends_with(".md") => ChangeKind::Content,
        ("content", _) => ChangeKind::ContentOther,
        ("templates", _) => ChangeKind::Template,
        ("i18n", _) => ChangeKind::Strings,
        ("static", 1) => ChangeKind::Static,
        ("static", _) if name.ends_with(".css") => ChangeKind::Stylesheet,
        ("static", _) => ChangeKind::Static,
        _ => ChangeKind::Ignored,
    }
}

/// What to do about a set of changed paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rebuild {
    /// Nothing that is part of the site changed.
    Nothing,
    /// Only stylesheets in `static/` changed (paths relative to the root): swap their bytes
    /// in and tell the pages to reload their stylesheets, not themselves.
    Stylesheets(Vec<PathBuf>),
    /// Only files in `static/` changed, not all stylesheets: swap them in, reload pages.
    Static(Vec<PathBuf>),
    /// Re-read some parts, then render every page again.
    Render(Reload),
    /// Load the whole site again: `site.toml` changed (it decides how every file is read), or
    /// a content folder or asset was added, removed or renamed.
    Full,
}

/// The pure decision: from the changed paths (relative to the project root, in any order,
/// with duplicates) to the cheapest rebuild that is still correct.
pub(super) fn plan(changed: &[PathBuf]) -> Rebuild {
    let relevant: BTreeSet<(ChangeKind, &PathBuf)> = changed
        .iter()
        .map(|p| (kind_of(p), p))
        .filter(|(k, _)| *k != ChangeKind::Ignored)
        .collect();
    if relevant.is_empty() {
        return Rebuild::Nothing;
    }
    let has = |kind: ChangeKind| relevant.iter().any(|(k, _)| *k == kind);
    if has(ChangeKind::Config) || has(ChangeKind::ContentOther) {
        return Rebuild::Full;
    }
    let paths_of = |kinds: &[ChangeKind]| -> Vec<PathBuf> {
        let sorted: BTreeSet<&PathBuf> = relevant
            .iter()
            .filter(|(k, _)| kinds.contains(k))
            .map(|(_, p)| *p)
            .collect();
        sorted.into_iter().cloned().collect()
    };
    let statics = [ChangeKind::Stylesheet, ChangeKind::Static];
    if relevant.iter().all(|(k, _)| *k == ChangeKind::Stylesheet) {
        return Rebuild::Stylesheets(paths_of(&statics));
    }
    if relevant.iter().all(|(k, _)| statics.contains(k)) {
        return Rebuild::Static(paths_of(&statics));
    }
    // Static files are read again by every render, so they need no flag here.
    Rebuild::Render(Reload {
        templates: has(ChangeKind::Template),
        strings: has(ChangeKind::Strings),
        sources: has(ChangeKind::Sources),
        content: paths_of(&[ChangeKind::Content]),
    })
}

/// The paths of a batch worth mentioning to the user, in order, without duplicates.
pub(super) fn relevant_paths(changed: &[PathBuf]) -> Vec<PathBuf> {
    let set: BTreeSet<&PathBuf> = changed
        .iter()
        .filter(|p| kind_of(p) != ChangeKind::Ignored)
        .collect();
    set.into_iter().cloned().collect()
}

/// What the watcher sends to the rebuild loop.
pub(super) enum WatchMessage {
    /// Changed paths, relative to the project root.
    Changed(Vec<PathBuf>),
    /// The watcher reported a problem (printed as a warning).
    Error(notify::Error),
    /// The server is stopping.
    Stop,
}

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// A running watcher; dropping it stops it.
pub(super) struct ProjectWatcher {
    backend: Backend,
    root: PathBuf,
    /// What the root and each of [`WATCHED_DIRS`] were when they were watched.
    watched: Vec<Option<Identity>>,
}

/// Which folder a path is: a folder put back in its place (deleted and made again, or a
/// copy moved there) is another folder, which no watch follows.
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// The root, then each of [`WATCHED_DIRS`].
fn identities(root: &Path) -> Vec<Option<Identity>> {
    std::iter::once(identity(root))
        .chain(WATCHED_DIRS.iter().map(|d| identity(&root.join(d))))
        .collect()
}

/// How often the rebuild loop looks whether the watched folders are still the ones watched,
/// when no change arrives: the whole project deleted and restored sends nothing to a watch.
pub(super) const RECHECK: Duration = Duration::from_secs(1);

/// Which watched folders must be watched anew, relative to the root: those named among
/// `changed` (a watch on a folder ends when it is moved away or deleted, and nothing
/// watches it again when it comes back), and those that are no longer the folder watched
/// (`then` and `now` from [`identities`]). When the root itself changed, all of them.
pub(super) fn to_rearm(
    changed: &[PathBuf],
    then: &[Option<Identity>],
    now: &[Option<Identity>],
) -> Vec<PathBuf> {
    if then.first() != now.first() {
        return WATCHED_DIRS.iter().map(PathBuf::from).collect();
    }
    WATCHED_DIRS
        .iter()
        .enumerate()
        .filter(|(i, d)| {
            then.get(i + 1) != now.get(i + 1) || changed.iter().any(|p| p == Path::new(d))
        })
        .map(|(_, d)| PathBuf::from(d))
        .collect()
}

impl ProjectWatcher {
    /// Start watching `root` (absolute). With `poll`, or when the OS refuses more watches,
    /// scan the files every [`POLL_INTERVAL`] instead; the returned message says why.
    pub(super) fn start(
        root: &Path,
        poll: bool,
        tx: mpsc::Sender<WatchMessage>,
    ) -> Result<(ProjectWatcher, Option<String>), notify::Error> {
        if poll {
            let w = Self::start_poll(root, tx)?;
            return Ok((w, None));
        }
        match Self::start_native(root, tx.clone()) {
            Ok(w) => Ok((w, None)),
            Err(e) => match limit_message(&e) {
                Some(message) => {
                    let w = Self::start_poll(root, tx)?;
                    Ok((w, Some(message)))
                }
                None => Err(e),
            },
        }
    }

    /// Switch to polling (after the OS watch limit was hit while running).
    pub(super) fn fall_back_to_polling(
        &mut self,
        tx: mpsc::Sender<WatchMessage>,
    ) -> Result<(), notify::Error> {
        if matches!(self.backend, Backend::Poll(_)) {
            return Ok(());
        }
        let poll = Self::start_poll(&self.root, tx)?;
        *self = poll;
        Ok(())
    }

    pub(super) fn is_polling(&self) -> bool {
        matches!(self.backend, Backend::Poll(_))
    }

    /// After `changed`: start the native watcher again when a watched folder came back (see
    /// [`to_rearm`]). Returns the folders to treat as changed, so that the site is loaded
    /// again: what was written while nothing watched is read then. Polling needs none of
    /// this: it looks at the paths every time.
    pub(super) fn rearm_if_needed(
        &mut self,
        changed: &[PathBuf],
        tx: mpsc::Sender<WatchMessage>,
    ) -> Result<Vec<PathBuf>, notify::Error> {
        if self.is_polling() {
            return Ok(Vec::new());
        }
        let again = to_rearm(changed, &self.watched, &identities(&self.root));
        if again.is_empty() {
            return Ok(again);
        }
        // The new watcher starts before the old one ends: nothing is missed in between.
        let new = Self::start_native(&self.root, tx)?;
        std::mem::replace(self, new).stop();
        Ok(again)
    }

    fn start_native(
        root: &Path,
        tx: mpsc::Sender<WatchMessage>,
    ) -> Result<ProjectWatcher, notify::Error> {
        let handler = handler(root, tx);
        let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
            DEBOUNCE,
            Some(TICK),
            handler,
            RecommendedCache::new(),
            notify::Config::default(),
        )?;
        // Read before watching: a folder replaced in between is then seen as replaced.
        let watched = identities(root);
        for (path, mode) in watch_list(root) {
            debouncer.watch(&path, mode)?;
        }
        Ok(ProjectWatcher {
            backend: Backend::Native(debouncer),
            root: root.to_path_buf(),
            watched,
        })
    }

    fn start_poll(
        root: &Path,
        tx: mpsc::Sender<WatchMessage>,
    ) -> Result<ProjectWatcher, notify::Error> {
        let handler = handler(root, tx);
        let config = notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        let mut debouncer = new_debouncer_opt::<_, PollWatcher, NoCache>(
            DEBOUNCE,
            Some(TICK),
            handler,
            NoCache,
            config,
        )?;
        for (path, mode) in watch_list(root) {
            debouncer.watch(&path, mode)?;
        }
        Ok(ProjectWatcher {
            backend: Backend::Poll(debouncer),
            root: root.to_path_buf(),
            watched: identities(root),
        })
    }

    /// Stop watching and wait for the watcher's thread to end.
    pub(super) fn stop(self) {
        match self.backend {
            Backend::Native(d) => d.stop(),
            Backend::Poll(d) => d.stop(),
        }
    }
}

/// The paths to watch: the watched folders that exist, recursively, and the root itself.
fn watch_list(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut list: Vec<(PathBuf, RecursiveMode)> = WATCHED_DIRS
        .iter()
        .map(|d| root.join(d))
        .filter(|p| p.is_dir())
        .map(|p| (p, RecursiveMode::Recursive))
        .collect();
    list.push((root.to_path_buf(), RecursiveMode::NonRecursive));
    list
}

fn handler(
    root: &Path,
    tx: mpsc::Sender<WatchMessage>,
) -> impl FnMut(DebounceEventResult) + Send + 'static {
    let root = root.to_path_buf();
    move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths: Vec<PathBuf> = events
                .iter()
                .filter(|e| is_change(&e.event.kind))
                .flat_map(|e| e.event.paths.iter())
                .filter_map(|p| p.strip_prefix(&root).ok())
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .collect();
            if !paths.is_empty() {
                let _ = tx.send(WatchMessage::Changed(paths));
            }
        }
        Err(errors) => {
            for e in errors {
                let _ = tx.send(WatchMessage::Error(e));
            }
        }
    }
}

/// Whether an event kind can mean that a file's content or name changed. Opening or reading
/// a file is not a change: the build itself reads every file, and counting that would
/// rebuild for ever.
pub(super) fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Receive the next burst of changes: wait for the first batch (an empty burst after
/// [`RECHECK`] without one), then keep collecting while more batches arrive within [`SETTLE`]
/// (at most [`MAX_WAIT`]). Watcher errors are handed to
/// `on_error`. `None` when asked to stop or when the watcher is gone.
pub(super) fn next_burst(
    rx: &mpsc::Receiver<WatchMessage>,
    on_error: &mut dyn FnMut(notify::Error),
) -> Option<Vec<PathBuf>> {
    let mut paths = Vec::new();
    loop {
        match rx.recv_timeout(RECHECK) {
            Ok(WatchMessage::Changed(p)) => {
                paths.extend(p);
                break;
            }
            Ok(WatchMessage::Error(e)) => on_error(e),
            Ok(WatchMessage::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            // Nothing changed: an empty burst, so that the caller can look at the folders.
            Err(mpsc::RecvTimeoutError::Timeout) => return Some(paths),
        }
    }
    let start = Instant::now();
    while start.elapsed() < MAX_WAIT {
        match rx.recv_timeout(SETTLE) {
            Ok(WatchMessage::Changed(p)) => paths.extend(p),
            Ok(WatchMessage::Error(e)) => on_error(e),
            Ok(WatchMessage::Stop) => return None,
            Err(mpsc::RecvTimeoutError::Timeout) => break,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(paths)
}

/// When `e` means the OS limit on file watches was reached: what to tell the user, naming the
/// limit to raise.
pub(super) fn limit_message(e: &notify::Error) -> Option<String> {
    let which = match &e.kind {
        notify::ErrorKind::MaxFilesWatch => "max_user_watches",
        // inotify_init fails with EMFILE when the per-user number of inotify instances is used up.
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(24) => "max_user_instances",
        _ => return None,
    };
    Some(limit_text(which))
}

fn limit_text(which: &str) -> String {
    if cfg!(target_os = "linux") {
        let value = if which == "max_user_watches" {
            524288
        } else {
            512
        };
        format!(
            "the system limit on file watches was reached (fs.inotify.{which}); watching by polling every {} ms instead\n  = help: raise the limit with `sudo sysctl fs.inotify.{which}={value}` (add `fs.inotify.{which}={value}` to /etc/sysctl.conf to keep it), or pass --poll to silence this",
            POLL_INTERVAL.as_millis()
        )
    } else {
        format!(
            "the system limit on file watches or open files was reached; watching by polling every {} ms instead\n  = help: raise the open-file limit (e.g. `ulimit -n 10240`), or pass --poll to silence this",
            POLL_INTERVAL.as_millis()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn kinds_by_location() {
        let cases = [
            ("site.toml", ChangeKind::Config),
            ("sources.toml", ChangeKind::Sources),
            ("terms.toml", ChangeKind::Config),
            ("content/risks.md", ChangeKind::Content),
            ("content/topics/_index.uk.md", ChangeKind::Content),
            ("content/_emergency.md", ChangeKind::Content),
            ("content/img/chart.svg", ChangeKind::ContentOther),
            ("content/topics", ChangeKind::ContentOther),
            ("content", ChangeKind::ContentOther),
            ("templates/base.html", ChangeKind::Template),
            ("i18n/uk.toml", ChangeKind::Strings),
            ("static/style.css", ChangeKind::Stylesheet),
            ("static/css/print.css", ChangeKind::Stylesheet),
            ("static/favicon.svg", ChangeKind::Static),
            ("static", ChangeKind::Static),
            ("public/index.html", ChangeKind::Ignored),
            ("public", ChangeKind::Ignored),
            (".public.staging-x1/a.html", ChangeKind::Ignored),
            ("target/debug/x", ChangeKind::Ignored),
            ("README.md", ChangeKind::Ignored),
            ("content/sub/site.toml", ChangeKind::ContentOther),
            ("docs/site.toml", ChangeKind::Ignored),
        ];
        for (path, kind) in cases {
            assert_eq!(kind_of(Path::new(path)), kind, "{path}");
        }
    }

    #[test]
    fn editor_files_are_ignored() {
        for p in [
            "content/.risks.md.swp",
            "content/risks.md~",
            "content/#risks.md#",
            "content/4913",
            "content/.risks.md.tmp.1234",
            "static/style.css~",
            "templates/.base.html.swx",
            "i18n/en.toml.bak",
        ] {
            assert_eq!(kind_of(Path::new(p)), ChangeKind::Ignored, "{p}");
        }
        assert_eq!(
            plan(&paths(&["content/.risks.md.swp", "content/4913"])),
            Rebuild::Nothing
        );
        assert_eq!(plan(&[]), Rebuild::Nothing);
    }

    #[test]
    fn css_only_changes_swap_stylesheets() {
        assert_eq!(
            plan(&paths(&[
                "static/style.css",
                "static/style.css",
                "static/.style.css.swp"
            ])),
            Rebuild::Stylesheets(paths(&["static/style.css"]))
        );
    }

    #[test]
    fn other_static_changes_reload_pages() {
        assert_eq!(
            plan(&paths(&["static/style.css", "static/favicon.svg"])),
            Rebuild::Static(paths(&["static/favicon.svg", "static/style.css"]))
        );
    }

    #[test]
    fn content_changes_reload_only_those_files() {
        // A save through a temporary file and a rename: the temporary name is ignored.
        assert_eq!(
            plan(&paths(&[
                "content/.risks.md.tmp",
                "content/risks.md",
                "content/risks.md"
            ])),
            Rebuild::Render(Reload {
                content: paths(&["content/risks.md"]),
                ..Reload::default()
            })
        );
        // A rename: both names are re-read (the old one is removed, the new one added).
        assert_eq!(
            plan(&paths(&[
                "content/old.md",
                "content/new.md",
                "static/style.css"
            ])),
            Rebuild::Render(Reload {
                content: paths(&["content/new.md", "content/old.md"]),
                ..Reload::default()
            })
        );
    }

    #[test]
    fn templates_strings_and_sources_reload_their_part() {
        assert_eq!(
            plan(&paths(&["templates/base.html", "content/risks.md"])),
            Rebuild::Render(Reload {
                templates: true,
                content: paths(&["content/risks.md"]),
                ..Reload::default()
            })
        );
        assert_eq!(
            plan(&paths(&["i18n/uk.toml", "sources.toml"])),
            Rebuild::Render(Reload {
                strings: true,
                sources: true,
                ..Reload::default()
            })
        );
    }

    #[test]
    fn config_and_content_folders_reload_everything() {
        assert_eq!(
            plan(&paths(&["site.toml", "static/style.css"])),
            Rebuild::Full
        );
        assert_eq!(
            plan(&paths(&["content/topics", "content/topics/a.md"])),
            Rebuild::Full
        );
        assert_eq!(plan(&paths(&["content/chart.png"])), Rebuild::Full);
    }

    #[test]
    fn a_checkout_of_many_files_is_one_plan() {
        let mut many: Vec<PathBuf> = (0..200)
            .map(|i| PathBuf::from(format!("content/p{i}.md")))
            .collect();
        many.push("templates/page.html".into());
        many.push("public/index.html".into());
        match plan(&many) {
            Rebuild::Render(r) => {
                assert!(r.templates);
                assert_eq!(r.content.len(), 200);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relevant_paths_are_sorted_and_unique() {
        assert_eq!(
            relevant_paths(&paths(&[
                "content/b.md",
                "content/a.md~",
                "content/b.md",
                "content/a.md"
            ])),
            paths(&["content/a.md", "content/b.md"])
        );
    }

    #[test]
    fn reading_is_not_changing() {
        use notify::event::{CreateKind, DataChange, ModifyKind, RemoveKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Read)));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(is_change(&EventKind::Remove(RemoveKind::File)));
        assert!(is_change(&EventKind::Any));
    }

    #[test]
    fn watch_limit_names_the_setting() {
        let e = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let m = limit_message(&e).unwrap();
        assert!(m.contains("polling"), "{m}");
        if cfg!(target_os = "linux") {
            assert!(m.contains("fs.inotify.max_user_watches"), "{m}");
            assert!(m.contains("sudo sysctl"), "{m}");
        }
        let e = notify::Error::io(std::io::Error::from_raw_os_error(24));
        let m = limit_message(&e).unwrap();
        if cfg!(target_os = "linux") {
            assert!(m.contains("fs.inotify.max_user_instances"), "{m}");
        }
        assert!(limit_message(&notify::Error::path_not_found()).is_none());
    }

    #[test]
    fn folders_that_come_back_are_watched_again() {
        let a = Some((1, 10));
        let (c, t) = (Some((1, 20)), Some((1, 30)));
        let then = [a, c, t, None, None];
        // An ordinary edit: nothing to do.
        assert!(to_rearm(&paths(&["content/risks.md"]), &then, &then).is_empty());
        // content/ moved away and back: the same folder, but its watch ended.
        assert_eq!(
            to_rearm(&paths(&["content", "content/risks.md"]), &then, &then),
            paths(&["content"])
        );
        // templates/ deleted and made again: another folder.
        let now = [a, c, Some((1, 31)), None, None];
        assert_eq!(to_rearm(&[], &then, &now), paths(&["templates"]));
        // static/ appeared where there was none.
        let now = [a, c, t, Some((1, 40)), None];
        assert_eq!(to_rearm(&[], &then, &now), paths(&["static"]));
        // The whole project restored: everything.
        let now = [Some((1, 11)), c, t, None, None];
        assert_eq!(to_rearm(&[], &then, &now).len(), WATCHED_DIRS.len());
    }

    #[test]
    fn the_output_folder_is_never_watched() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["content", "templates", "public", "static"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let list = watch_list(dir.path());
        assert!(list.iter().all(|(p, _)| !p.ends_with("public")));
        let recursive: Vec<_> = list
            .iter()
            .filter(|(_, m)| *m == RecursiveMode::Recursive)
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(recursive, ["content", "templates", "static"]);
        assert!(list.contains(&(dir.path().to_path_buf(), RecursiveMode::NonRecursive)));
    }
}
