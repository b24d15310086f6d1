//! What the server shows, shared by the rebuild thread and the HTTP server: the last good
//! build's files, the latest errors, and the events that tell open pages; and how two builds'
//! files differ.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The files of one successful build, as served.
pub(crate) struct Served {
    /// `<server instance>-<generation>`: pages carry it, so that a page can tell whether it is
    /// the latest build.
    pub build_id: String,
    pub files: BTreeMap<String, Bytes>,
    /// False until a build succeeded: then every path gets a "not built yet" page.
    pub built: bool,
}

/// The errors of the latest build, ready to send.
pub(crate) struct BuildErrors {
    /// The `build-error` event's JSON.
    pub json: String,
    pub count: usize,
}

/// What the server shows: the last good build and the latest errors, if any.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub served: Arc<Served>,
    pub error: Option<Arc<BuildErrors>>,
    /// The latest build attempt.
    pub generation: u64,
}

/// A message to every open page, as a Server-Sent Event.
#[derive(Clone, Debug)]
pub(crate) struct LiveEvent {
    pub name: &'static str,
    pub data: Arc<str>,
}

/// State shared by the rebuild thread and the HTTP server.
pub(crate) struct State {
    snapshot: RwLock<Snapshot>,
    pub events: broadcast::Sender<LiveEvent>,
    pub instance: String,
}

impl State {
    pub(crate) fn new() -> State {
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

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swap in the new state, then tell the pages (in that order: a page that reloads on the
    /// event must get the new files).
    pub(super) fn publish(&self, snapshot: Snapshot, event: Option<LiveEvent>) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
        if let Some(event) = event {
            // No receiver is not an error: no page is open.
            let _ = self.events.send(event);
        }
    }

    /// The `hello` event a page gets when it connects.
    pub(crate) fn hello(&self) -> LiveEvent {
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
pub(super) struct Changed<'a> {
    pub(super) build: &'a str,
    pub(super) generation: u64,
    /// Output files that changed (at most 50).
    pub(super) files: &'a [String],
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

pub(super) fn event(name: &'static str, data: &impl Serialize) -> LiveEvent {
    LiveEvent {
        name,
        data: serde_json::to_string(data)
            .unwrap_or_else(|_| "{}".into())
            .into(),
    }
}

pub(super) fn error_json(generation: u64, diags: &Diagnostics) -> BuildErrors {
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
pub(super) struct Diff {
    /// Added or changed output files.
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Diff {
    pub(super) fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed: the pages can keep their HTML and swap their styles.
    pub(super) fn only_stylesheets(&self) -> bool {
        !self.changed.is_empty()
            && self.removed.is_empty()
            && self.changed.iter().all(|f| f.ends_with(".css"))
    }
}

/// Compare the served files with a (partial) build: `kept` says which served files that the
/// build did not produce stay anyway (pages not rendered again).
pub(super) fn diff(
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
