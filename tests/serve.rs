//! `factsheet serve` end to end: the real binary on a free port, a small project in a temp
//! folder, a real HTTP client. No timing is asserted: every wait polls up to a deadline.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use factsheet::output::MemorySink;
use factsheet::site::{LoadOptions, Site, Strictness};

const WAIT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// The fixture project

const SITE_TOML: &str = r#"base_url = "https://example.org/"
default_language = "en"

[[languages]]
code = "en"
name = "English"
title = "Test fact sheet"

[[languages]]
code = "uk"
name = "Українська"
title = "Тестова сторінка"
"#;

const BASE_HTML: &str = r#"<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ page.title }} – {{ config.title }}</title>
<link rel="stylesheet" href="{{ root }}style.css">
</head>
<body>
<nav>{% for n in nav %}<a href="{{ n.url }}">{{ n.title }}</a> {% endfor %}</nav>
<main>
<h1>{{ page.title }}</h1>
{% block main %}{% endblock main %}
</main>
</body>
</html>
"#;

const PAGE_HTML: &str = r#"{% extends "base.html" %}
{% block main %}
{{ page.content | safe }}
{%- if page.citations | length > 0 %}
<ol>{% for c in page.citations %}<li id="ref-{{ c.key }}">{{ c.title }}</li>{% endfor %}</ol>
{%- endif %}
{% endblock main %}
"#;

const NOT_FOUND_HTML: &str = r#"<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Page not found here</h1></body>
</html>
"#;

const SOURCES_TOML: &str = r#"[S1]
title = "A test source"
publisher = "Test publisher"
date = "1 January 2026"
url = "https://example.org/source"
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndescription = \"A page.\"\nweight = 10\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n{body}\n"
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", SITE_TOML);
    write(root, "sources.toml", SOURCES_TOML);
    write(root, "i18n/en.toml", "source = \"Source\"\n");
    write(root, "i18n/uk.toml", "source = \"Джерело\"\n");
    write(root, "templates/base.html", BASE_HTML);
    write(root, "templates/page.html", PAGE_HTML);
    write(root, "templates/404.html", NOT_FOUND_HTML);
    write(root, "static/style.css", "body { color: black; }\n");
    write(root, "content/_index.md", &page("Home", "Welcome home."));
    write(
        root,
        "content/_index.uk.md",
        &page("Головна", "Ласкаво просимо."),
    );
    write(
        root,
        "content/risks.md",
        &page("Risks", "Risks are low [@S1]."),
    );
    write(
        root,
        "content/risks.uk.md",
        &page("Ризики", "Ризики низькі [@S1]."),
    );
    dir
}

// ---------------------------------------------------------------------------------------------
// The server

struct Server {
    child: Child,
    base: String,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    root: PathBuf,
}

fn spawn(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .arg("serve")
        .arg("--root")
        .arg(root)
        .args(["--port", "0"])
        .args(extra)
        // Check every partial rebuild against a full one (differences go to stderr).
        .env("FACTSHEET_SERVE_VERIFY", "1")
        .env(factsheet::content::TODAY_ENV, "2026-12-07")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start factsheet serve")
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    fn start_with(root: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(root, extra, &[])
    }

    fn start_with_env(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = spawn(root, extra, env);
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let lines = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let text = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(err);
            let mut buf = String::new();
            while let Ok(n) = r.read_line(&mut buf) {
                if n == 0 {
                    break;
                }
                text.lock().unwrap().push_str(&buf);
                buf.clear();
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            port: 0,
            stdout,
            stderr,
            root: root.to_path_buf(),
        };
        let line = server
            .wait_for_line(|l| l.starts_with("Serving "))
            .unwrap_or_else(|| {
                panic!(
                    "no Serving line; stdout: {:?}; stderr: {}",
                    server.lines(),
                    server.stderr()
                )
            });
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a URL in the Serving line")
            .to_string();
        server.base = url.trim_end_matches('/').to_string();
        server.port = server.base.rsplit(':').next().unwrap().parse().unwrap();
        assert_ne!(server.port, 0);
        server
    }

    fn lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// A burst of changes since `before` rebuild lines gave one rebuild, or a few at most
    /// (a burst may straddle the debounce window), never one per file.
    #[track_caller]
    fn assert_burst_rebuilt_since(&self, before: usize) {
        let (lines, fence_alone) = self.rebuild_lines_through_fence(before);
        // The fence's own rebuild is not the burst's, unless the burst's last files came in it.
        let rebuilds = lines.len() - usize::from(fence_alone);
        assert!(
            (1..=3).contains(&rebuilds),
            "{rebuilds} rebuilds: {lines:?}"
        );
    }

    /// Write a new file whose path sorts before any other the tests change (an asset in
    /// content/: the site reloads), and wait for its rebuild line. The watcher hands changes
    /// on in order and one thread rebuilds, so every rebuild of an earlier change has printed
    /// its line by then. Returns the rebuild lines since `before`, the fence's last, and
    /// whether the fence's rebuild was for the fence alone.
    #[track_caller]
    fn rebuild_lines_through_fence(&self, before: usize) -> (Vec<String>, bool) {
        let fence = format!("content/0fence-{before}.txt");
        self.edit(&fence, "fence");
        let seen = self.wait_for_line(|l| l.starts_with('[') && l.contains(&fence));
        assert!(seen.is_some(), "no rebuild for {fence}: {:?}", self.lines());
        let lines = self.rebuild_lines();
        let end = lines.iter().rposition(|l| l.contains(&fence)).unwrap();
        let alone = lines[end].contains(&format!("] {fence} changed -> "));
        (lines[before..=end].to_vec(), alone)
    }

    /// The per-rebuild lines: `[19:07:12] content/risks.md changed -> ...`.
    fn rebuild_lines(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| l.starts_with('['))
            .collect()
    }

    fn wait_for_line(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(l) = self.lines().into_iter().find(|l| pred(l)) {
                return Some(l);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str) -> Reply {
        get(&self.url(path))
    }

    /// Poll `path` until its body satisfies `pred`.
    fn wait_for_body(&self, path: &str, pred: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = self.get(path);
            if pred(&r) || Instant::now() > deadline {
                return r;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn events(&self) -> Events {
        Events::open(&self.url("/__factsheet/events"))
    }

    fn edit(&self, rel: &str, text: &str) {
        write(&self.root, rel, text);
    }

    /// Partial rebuilds gave the same files as full ones.
    fn assert_consistent(&self) {
        let err = self.stderr();
        assert!(!err.contains("internal error"), "{err}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}

fn get(url: &str) -> Reply {
    let mut r = agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

/// One Server-Sent Events connection, read on its own thread.
struct Events {
    rx: mpsc::Receiver<(String, String)>,
}

#[derive(Debug)]
struct Event {
    name: String,
    data: serde_json::Value,
}

impl Events {
    fn open(url: &str) -> Events {
        let (tx, rx) = mpsc::channel();
        let url = url.to_string();
        std::thread::spawn(move || {
            let agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .new_agent();
            let Ok(r) = agent.get(&url).header("Accept", "text/event-stream").call() else {
                return;
            };
            assert!(
                r.headers()
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/event-stream"))
            );
            let reader = BufReader::new(r.into_body().into_reader());
            let (mut name, mut data) = (String::new(), String::new());
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if line.is_empty() {
                    if !data.is_empty() || !name.is_empty() {
                        let n = if name.is_empty() {
                            "message".to_string()
                        } else {
                            std::mem::take(&mut name)
                        };
                        if tx.send((n, std::mem::take(&mut data))).is_err() {
                            break;
                        }
                    }
                } else if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim_start().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(v.strip_prefix(' ').unwrap_or(v));
                }
            }
        });
        Events { rx }
    }

    /// The next event, whatever it is.
    fn next(&self) -> Option<Event> {
        let (name, data) = self.rx.recv_timeout(WAIT).ok()?;
        let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
        Some(Event { name, data })
    }

    /// Skip events until one named `name`; the skipped ones are returned too.
    fn until(&self, name: &str) -> (Option<Event>, Vec<Event>) {
        let deadline = Instant::now() + WAIT;
        let mut skipped = Vec::new();
        while Instant::now() < deadline {
            match self.rx.recv_timeout(deadline - Instant::now()) {
                Ok((n, d)) => {
                    let e = Event {
                        name: n,
                        data: serde_json::from_str(&d).unwrap_or(serde_json::Value::Null),
                    };
                    if e.name == name {
                        return (Some(e), skipped);
                    }
                    skipped.push(e);
                }
                Err(_) => break,
            }
        }
        (None, skipped)
    }

    /// Connected: the `hello` event arrived.
    fn hello(&self) -> Event {
        let e = self.next().expect("a hello event");
        assert_eq!(e.name, "hello", "{e:?}");
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn serves_exactly_what_build_writes() {
    let dir = fixture();
    let server = Server::start(dir.path());

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.headers["content-type"], "text/html; charset=utf-8");
    assert!(home.body.contains("Welcome home."), "{}", home.body);
    // The live-reload script, same-origin, before </body>.
    let script = home
        .body
        .find("<script src=\"/__factsheet/live.js\"")
        .expect("script injected");
    assert!(script < home.body.rfind("</body>").unwrap());

    let risks = server.get("/risks/");
    assert_eq!(risks.status, 200);
    assert!(risks.body.contains("Risks are low"), "{}", risks.body);
    let uk = server.get("/uk/risks/");
    assert_eq!(uk.status, 200);
    assert!(uk.body.contains("Ризики низькі"));
    assert!(server.get("/uk/").body.contains("Ласкаво просимо"));

    // A folder without its slash redirects to the slash form.
    let r = server.get("/risks");
    assert!(matches!(r.status, 301 | 302 | 307 | 308), "{}", r.status);
    assert_eq!(r.headers["location"], "/risks/");
    let r = server.get("/uk/risks?x=1");
    assert_eq!(r.headers["location"], "/uk/risks/?x=1");

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.body, "body { color: black; }\n");
    assert!(
        server.get("/robots.txt").headers["content-type"].starts_with("text/plain; charset=utf-8")
    );
    assert!(server.get("/sitemap.xml").headers["content-type"].ends_with("charset=utf-8"));

    // The 404 page, with its status, and the live script (it reloads when the page appears).
    for missing in ["/nope/", "/nope.html", "/uk/nope/", "/__factsheet/nope"] {
        let r = server.get(missing);
        assert_eq!(r.status, 404, "{missing}");
        assert!(
            r.body.contains("Page not found here"),
            "{missing}: {}",
            r.body
        );
        assert!(r.body.contains("/__factsheet/live.js"));
    }

    let js = server.get("/__factsheet/live.js");
    assert_eq!(js.status, 200);
    assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert!(js.body.contains("EventSource"));
    assert!(
        !js.body.contains("innerHTML"),
        "the overlay is built with DOM APIs only"
    );
    assert_eq!(
        server.get("/__factsheet/live.css").headers["content-type"],
        "text/css; charset=utf-8"
    );

    // serve writes nothing to disk; build writes the same files without the script.
    assert!(!dir.path().join("public").exists());
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--output-dir")
        .arg(out.path().join("public"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let built: Vec<String> = walkdir::WalkDir::new(out.path().join("public"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(out.path().join("public"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != ".factsheet-output")
        // The service worker's list and the web app manifests: `serve` registers no worker,
        // so that no browser keeps a stored copy of a draft.
        .filter(|p| p != "offline-manifest.json" && !p.ends_with(".webmanifest"))
        .collect();
    assert!(built.len() >= 6, "{built:?}");
    for rel in &built {
        let on_disk = std::fs::read_to_string(out.path().join("public").join(rel)).unwrap();
        assert!(
            !on_disk.contains("__factsheet"),
            "{rel} on disk has the live script"
        );
        let served = server.get(&format!("/{rel}"));
        assert_eq!(served.status, 200, "{rel}");
        if rel.ends_with(".html") {
            let mut stripped = served.body.clone();
            let start = stripped
                .find("<script src=\"/__factsheet/live.js\"")
                .expect("script");
            let end = start + stripped[start..].find("</script>\n").unwrap() + "</script>\n".len();
            stripped.replace_range(start..end, "");
            assert_eq!(stripped, on_disk, "{rel}");
        } else {
            assert_eq!(served.body, on_disk, "{rel}");
        }
    }
}

#[test]
fn paths_outside_the_site_are_refused() {
    let dir = fixture();
    let server = Server::start(dir.path());
    for bad in [
        "/../site.toml",
        "/risks/../../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsite.toml",
        "/%2e%2e%2fsite.toml",
        "/risks/..%2F..%2Fsite.toml",
        "/..%5csite.toml",
        "/%5c..%5csite.toml",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/%00",
        "/./index.html",
    ] {
        let r = server.get(bad);
        assert!(matches!(r.status, 400 | 404), "{bad}: {}", r.status);
        assert!(!r.body.contains("example.org/"), "{bad} leaked site.toml");
        assert!(!r.body.contains("root:"), "{bad} leaked /etc/passwd");
    }
    // Still fine afterwards.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn edits_reload_errors_show_and_clear() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    let hello = events.hello();
    assert_eq!(hello.data["error"], false);

    // An edit: the new text is served and a reload event arrives.
    server.edit(
        "content/risks.md",
        &page("Risks", "Version two of the risks [@S1]."),
    );
    let (reload, skipped) = events.until("reload");
    let reload = reload.unwrap_or_else(|| {
        panic!(
            "no reload event; got {skipped:?}; stdout {:?}",
            server.lines()
        )
    });
    assert!(
        reload.data["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "risks/index.html"),
        "{reload:?}"
    );
    let r = server.get("/risks/");
    assert!(r.body.contains("Version two"), "{}", r.body);
    assert!(r.body.contains(&format!(
        "data-build=\"{}\"",
        reload.data["build"].as_str().unwrap()
    )));
    let line = server
        .wait_for_line(|l| l.contains("content/risks.md changed -> rebuilt"))
        .unwrap_or_else(|| panic!("no rebuild line: {:?}", server.lines()));
    assert!(line.contains(" ms"), "{line}");

    // A bad edit: the last good build stays, the error arrives with its file and line.
    let bad = "+++\ntitle = \"Risks\"\ntitel = \"oops\"\ndescription = \"A page.\"\nweight = 10\nlast_reviewed = 2026-01-01\nnext_review = 2026-07-01\n+++\nBroken version.\n";
    server.edit("content/risks.md", bad);
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("no build-error event; got {skipped:?}"));
    // The page is still checked past its misspelt key: its text no longer cites S1, which
    // its translation does.
    assert_eq!(error.data["count"], 2, "{error:?}");
    let errors = error.data["errors"].as_array().unwrap();
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("cites S1 which the original does not"),
        "{error:?}"
    );
    let e = &errors[1];
    assert_eq!(e["file"], "content/risks.md", "{error:?}");
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 1);
    assert!(e["message"].as_str().unwrap().contains("titel"), "{e}");
    assert!(
        server.get("/risks/").body.contains("Version two"),
        "the last good build is still served"
    );
    server
        .wait_for_line(|l| l.contains("-> error (2), still serving the last good build"))
        .unwrap_or_else(|| panic!("no error line: {:?}", server.lines()));
    let deadline = Instant::now() + WAIT;
    while !server.stderr().contains("--> content/risks.md:3:1") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        server.stderr().contains("--> content/risks.md:3:1"),
        "{}",
        server.stderr()
    );

    // A page opened now gets the error at once.
    let late = server.events();
    let hello = late.hello();
    assert_eq!(hello.data["error"], true);
    let first = late.next().expect("the current error on connect");
    assert_eq!(first.name, "build-error");
    assert_eq!(first.data["errors"][1]["file"], "content/risks.md");

    // The fix: a reload follows, and the new text is served.
    server.edit("content/risks.md", &page("Risks", "Version three [@S1]."));
    let (reload, skipped) = events.until("reload");
    assert!(reload.is_some(), "no reload after the fix; got {skipped:?}");
    assert!(server.get("/risks/").body.contains("Version three"));
    let (reload, _) = late.until("reload");
    assert!(reload.is_some());

    // A new title shows in every page's navigation, not only on the page.
    server.edit("content/risks.md", &page("Hazards", "Version three [@S1]."));
    assert!(events.until("reload").0.is_some());
    assert!(
        server.get("/").body.contains(">Hazards</a>"),
        "{}",
        server.get("/").body
    );
    let line = server
        .wait_for_line(|l| l.contains("rebuilt 4 pages"))
        .expect("a full render line");
    assert!(line.contains("content/risks.md changed"), "{line}");
    // A body-only change renders only that page.
    server.edit("content/risks.md", &page("Hazards", "Version four [@S1]."));
    assert!(events.until("reload").0.is_some());
    server
        .wait_for_line(|l| l.contains("rebuilt 1 of 4 pages"))
        .unwrap_or_else(|| panic!("{:?}", server.lines()));
    server.assert_consistent();
}

#[test]
fn stylesheet_changes_swap_styles_without_reloading() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    server.edit("static/style.css", "body { color: navy; }\n");
    let e = events.next().expect("an event after the CSS change");
    assert_eq!(e.name, "css", "{e:?}");
    assert_eq!(e.data["files"][0], "style.css");
    assert!(e.data["generation"].as_u64().unwrap() >= 2);
    assert_eq!(server.get("/style.css").body, "body { color: navy; }\n");
    server
        .wait_for_line(|l| l.contains("static/style.css changed ->"))
        .expect("a rebuild line");

    // A new static file is not CSS-only for the pages that could link to it: a reload.
    server.edit("static/extra.txt", "hello\n");
    let (reload, skipped) = events.until("reload");
    assert!(reload.is_some(), "{skipped:?}");
    assert_eq!(server.get("/extra.txt").body, "hello\n");
}

#[test]
fn removing_a_static_file_the_pages_link_to_is_an_error_until_it_is_back() {
    // Pages reused from the last render had their link to the stylesheet settled against
    // the files of that render: when a file goes, they are checked again.
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    let css = dir.path().join("static/style.css");
    let text = std::fs::read_to_string(&css).unwrap();
    std::fs::remove_file(&css).unwrap();
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("no build-error event; got {skipped:?}"));
    let message = error.data["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("broken link") && message.contains("style.css"),
        "{error:?}"
    );
    // Back as it was: the error clears, and nothing served changed.
    std::fs::write(&css, text).unwrap();
    let (ok, skipped) = events.until("ok");
    assert!(ok.is_some(), "no ok once the file is back; got {skipped:?}");
    assert_eq!(server.get("/style.css").status, 200);
}

#[test]
fn a_burst_of_changes_is_one_rebuild_and_files_come_and_go() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    let before = server.rebuild_lines().len();

    // 50 new files at once (25 pages and their translations), as a checkout would write them.
    for i in 0..25 {
        server.edit(
            &format!("content/new{i}.md"),
            &page(&format!("New {i}"), "New page."),
        );
        server.edit(
            &format!("content/new{i}.uk.md"),
            &page(&format!("Нова {i}"), "Нова сторінка."),
        );
    }
    let r = server.wait_for_body("/new24/", |r| r.status == 200);
    assert_eq!(
        r.status,
        200,
        "new pages served; stdout {:?}",
        server.lines()
    );
    assert_eq!(server.get("/uk/new0/").status, 200);
    server.assert_burst_rebuilt_since(before);

    // And all removed again.
    let before = server.rebuild_lines().len();
    for i in 0..25 {
        std::fs::remove_file(dir.path().join(format!("content/new{i}.md"))).unwrap();
        std::fs::remove_file(dir.path().join(format!("content/new{i}.uk.md"))).unwrap();
    }
    let r = server.wait_for_body("/new0/", |r| r.status == 404);
    assert_eq!(r.status, 404);
    assert_eq!(server.get("/uk/new24/").status, 404);
    server.assert_burst_rebuilt_since(before);

    // Editor droppings never trigger a rebuild.
    let before = server.rebuild_lines().len();
    server.edit("content/.risks.md.swp", "x");
    server.edit("content/risks.md~", "x");
    server.edit("content/4913", "");
    // Had they been taken for changes, their rebuild would come before the fence's, or in it.
    let (lines, fence_alone) = server.rebuild_lines_through_fence(before);
    assert!(lines.len() == 1 && fence_alone, "{lines:?}");

    // A rename (save through a temporary file): one rebuild, the new text.
    std::fs::write(
        dir.path().join("content/.risks.md.tmp"),
        page("Risks", "Renamed in [@S1]."),
    )
    .unwrap();
    std::fs::rename(
        dir.path().join("content/.risks.md.tmp"),
        dir.path().join("content/risks.md"),
    )
    .unwrap();
    let r = server.wait_for_body("/risks/", |r| r.body.contains("Renamed in"));
    assert!(r.body.contains("Renamed in"));
    let mut names = Vec::new();
    while let Ok(e) = events.rx.try_recv() {
        names.push(e.0);
    }
    assert!(!names.iter().any(|n| n == "build-error"), "{names:?}");
    server.assert_consistent();
}

#[test]
fn many_open_pages_all_get_the_reload() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let tabs: Vec<Events> = (0..50).map(|_| server.events()).collect();
    for t in &tabs {
        t.hello();
    }
    server.edit("content/_index.md", &page("Home", "Welcome back."));
    for (i, t) in tabs.iter().enumerate() {
        let (e, skipped) = t.until("reload");
        assert!(e.is_some(), "tab {i}: {skipped:?}");
    }
    assert!(server.get("/").body.contains("Welcome back."));
}

#[test]
fn starts_with_a_broken_site_and_recovers() {
    let dir = fixture();
    write(
        dir.path(),
        "content/risks.uk.md",
        &page("Ризики", "Немає цитати."),
    );
    let server = Server::start(dir.path());
    assert!(
        server.lines().iter().any(|l| l.contains("errors")),
        "{:?}",
        server.lines()
    );
    let r = server.get("/risks/");
    assert_eq!(r.status, 503);
    assert!(r.body.contains("/__factsheet/live.js"));
    let events = server.events();
    assert_eq!(events.hello().data["error"], true);
    let e = events.next().unwrap();
    assert_eq!(e.name, "build-error");
    assert!(
        e.data["text"].as_str().unwrap().contains("risks.uk.md"),
        "{e:?}"
    );

    server.edit(
        "content/risks.uk.md",
        &page("Ризики", "Ризики низькі [@S1]."),
    );
    let (reload, skipped) = events.until("reload");
    assert!(reload.is_some(), "{skipped:?}; {:?}", server.lines());
    assert_eq!(server.get("/risks/").status, 200);
}

#[test]
fn templates_and_config_rebuild_everything() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    server.edit(
        "templates/page.html",
        &PAGE_HTML.replace("{% block main %}", "{% block main %}<p>New template</p>"),
    );
    let (reload, skipped) = events.until("reload");
    assert!(reload.is_some(), "{skipped:?}");
    assert!(server.get("/risks/").body.contains("New template"));
    assert!(server.get("/uk/risks/").body.contains("New template"));

    // A template error points at the template; fixing it recovers.
    server.edit("templates/page.html", "{% extends \"base.html\" %}\n{% block main %}{{ page.content | nosuchfilter }}{% endblock main %}\n");
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("{skipped:?}"));
    assert!(
        error.data["text"]
            .as_str()
            .unwrap()
            .contains("templates/page.html"),
        "{error:?}"
    );
    server.edit("templates/page.html", PAGE_HTML);
    assert!(events.until("reload").0.is_some());

    server.edit(
        "site.toml",
        &SITE_TOML.replace("Test fact sheet", "Renamed sheet"),
    );
    assert!(events.until("reload").0.is_some());
    assert!(server.get("/").body.contains("Renamed sheet"));
    server
        .wait_for_line(|l| l.contains("site.toml changed -> reloaded the site"))
        .expect("line");
}

#[test]
fn polling_sees_changes_too() {
    let dir = fixture();
    let server = Server::start_with(dir.path(), &["--poll"]);
    let events = server.events();
    events.hello();
    server.edit("content/risks.md", &page("Risks", "Polled change [@S1]."));
    assert!(events.until("reload").0.is_some(), "{:?}", server.lines());
    assert!(server.get("/risks/").body.contains("Polled change"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let dir = fixture();
    let mut server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = status.expect("serve exits after SIGINT");
    assert!(status.success(), "{status:?}; stderr {}", server.stderr());
    assert!(
        server.wait_for_line(|l| l == "Stopped.").is_some(),
        "{:?}",
        server.lines()
    );
}

#[test]
fn a_port_in_use_is_a_clear_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = fixture();
    let out = Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["serve", "--port", &port, "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("port {port}")), "{err}");
    assert!(err.contains("--port"), "{err}");
    // One message, not followed by a summary that repeats it.
    assert!(!err.contains("could not serve"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["serve", "--port", "0", "--root"])
        .arg(dir.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// Reloading some content files gives the same site as loading it whole.

fn render_all(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let sink = MemorySink::default();
    site.render(&sink, Strictness::Build).expect("renders");
    sink.into_files()
}

fn reload(site: &mut Site, files: &[&str]) -> Result<(), factsheet::diagnostic::Diagnostics> {
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    site.reload_content(&files)
}

fn assert_same_as_fresh(site: &Site, root: &Path) {
    let fresh = Site::load(root, &LoadOptions::default()).expect("loads");
    let a = render_all(site);
    let b = render_all(&fresh);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs");
    }
}

#[test]
fn reloading_content_files_matches_a_fresh_load() {
    let dir = fixture();
    let root = dir.path().canonicalize().unwrap();
    let mut site = Site::load(&root, &LoadOptions::default()).unwrap();

    write(
        &root,
        "content/risks.md",
        &page("Risks, edited", "Edited [@S1]."),
    );
    reload(&mut site, &["content/risks.md"]).unwrap();
    assert_same_as_fresh(&site, &root);

    // Added: a page pair and a partial.
    write(&root, "content/aaa.md", &page("First", "First page."));
    write(
        &root,
        "content/aaa.uk.md",
        &page("Перша", "Перша сторінка."),
    );
    write(&root, "content/_note.md", "A note.\n");
    write(&root, "content/_note.uk.md", "Примітка.\n");
    reload(
        &mut site,
        &[
            "content/aaa.md",
            "content/aaa.uk.md",
            "content/_note.md",
            "content/_note.uk.md",
        ],
    )
    .unwrap();
    assert!(site.content.pages.windows(2).all(|w| w[0].file < w[1].file));
    assert_same_as_fresh(&site, &root);

    // A translation missing is an error, as in a full load.
    std::fs::remove_file(root.join("content/aaa.uk.md")).unwrap();
    let err = reload(&mut site, &["content/aaa.uk.md"]).unwrap_err();
    assert!(err.to_string().contains("translation"), "{err}");
    std::fs::remove_file(root.join("content/aaa.md")).unwrap();
    reload(&mut site, &["content/aaa.md"]).unwrap();
    assert_same_as_fresh(&site, &root);

    // Two pages with one URL.
    write(&root, "content/risks/_index.md", &page("Dup", "Dup."));
    assert!(reload(&mut site, &["content/risks/_index.md"]).is_err());
    std::fs::remove_dir_all(root.join("content/risks")).unwrap();
    reload(&mut site, &["content/risks/_index.md"]).unwrap();

    // A page turned into a draft disappears.
    let draft =
        page("Risks", "Draft [@S1].").replacen("weight = 10\n", "weight = 10\ndraft = true\n", 1);
    write(&root, "content/risks.md", &draft);
    write(&root, "content/risks.uk.md", &draft);
    write(&root, "content/_index.md", &page("Home", "Home [@S1]."));
    write(
        &root,
        "content/_index.uk.md",
        &page("Головна", "Головна [@S1]."),
    );
    reload(
        &mut site,
        &[
            "content/risks.md",
            "content/risks.uk.md",
            "content/_index.md",
            "content/_index.uk.md",
        ],
    )
    .unwrap();
    assert!(site.content.pages.iter().all(|p| p.key != "risks"));
    assert_same_as_fresh(&site, &root);
}

/// A panic in a rebuild (a bug) used to end the rebuild thread: the server kept answering but
/// never rebuilt again. Now it is an error like any other, shown over the page, with the last
/// good build still served, and the next change rebuilds.
#[test]
fn a_panic_in_a_rebuild_keeps_the_last_good_build() {
    let dir = fixture();
    let server = Server::start_with_env(
        dir.path(),
        &[],
        &[("FACTSHEET_TEST_PANIC_WHILE", "content/panic.txt")],
    );
    let events = server.events();
    events.hello();
    server.edit("content/panic.txt", "panic");
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("no build-error event; got {skipped:?}"));
    let message = error.data["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("internal error: the build panicked: "),
        "{message}"
    );
    assert!(server.get("/risks/").body.contains("Risks are low"));
    server
        .wait_for_line(|l| l.contains("-> error (1), still serving the last good build"))
        .unwrap_or_else(|| panic!("no error line: {:?}", server.lines()));

    std::fs::remove_file(dir.path().join("content/panic.txt")).unwrap();
    server.edit("content/risks.md", &page("Risks", "Risks are lower [@S1]."));
    let (reload, skipped) = events.until("reload");
    assert!(
        reload.is_some(),
        "no reload after the panic; got {skipped:?}"
    );
    assert!(server.get("/risks/").body.contains("Risks are lower"));
}

/// A component that calls itself without end used to overflow the stack and end the server.
#[test]
fn a_recursive_component_is_an_error_and_the_server_stays_up() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    server.edit(
        "templates/extra.html",
        "{% component loop(n) %}{{ <loop n={n}/> }}{% endcomponent loop %}\n",
    );
    server
        .wait_for_line(|l| l.contains("templates/extra.html changed"))
        .unwrap_or_else(|| panic!("no rebuild line: {:?}", server.lines()));
    server.edit(
        "templates/page.html",
        &PAGE_HTML.replace("{% block main %}", "{% block main %}{{ <loop n={1}/> }}"),
    );
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("no build-error event; got {skipped:?}"));
    let e = &error.data["errors"][0];
    assert_eq!(
        e["message"],
        "template error: component `loop` calls itself more than 20 levels deep"
    );
    assert_eq!(e["file"], "templates/extra.html");
    assert!(server.get("/risks/").body.contains("Risks are low"));
    // Back to the template of the last good build: the same pages, the error clears.
    server.edit("templates/page.html", PAGE_HTML);
    let (ok, skipped) = events.until("ok");
    assert!(ok.is_some(), "no ok event; got {skipped:?}");
}

/// A template that includes itself overflowed the stack and aborted the server (SIGABRT).
/// Now the loop is an error in the overlay and the last good build is still served.
#[test]
fn a_template_include_loop_is_an_error_and_the_server_stays_up() {
    let dir = fixture();
    let server = Server::start(dir.path());
    let events = server.events();
    events.hello();
    server.edit("templates/loop.html", "{% include \"loop.html\" %}\n");
    server
        .wait_for_line(|l| l.contains("templates/loop.html"))
        .unwrap_or_else(|| panic!("no rebuild line: {:?}", server.lines()));
    let (error, skipped) = events.until("build-error");
    let error = error.unwrap_or_else(|| panic!("no build-error event; got {skipped:?}"));
    let e = &error.data["errors"][0];
    assert_eq!(
        e["message"],
        "template error: loop.html includes itself: loop.html → loop.html"
    );
    assert_eq!(e["file"], "templates/loop.html");
    assert!(server.get("/risks/").body.contains("Risks are low"));
    server.edit("templates/loop.html", "fine\n");
    let (ok, skipped) = events.until("ok");
    assert!(ok.is_some(), "no ok event; got {skipped:?}");
}

/// After a watched folder is moved away and back, deleted and made again, or the whole
/// project goes and comes back (a `git stash`, a branch switch, a sync tool), later saves
/// are still seen without `--poll` (trial 2026-12-07 finding 4, W05, W06, W14).
#[cfg(unix)]
#[test]
fn edits_are_seen_after_watched_folders_come_back() {
    let dir = fixture();
    let root = dir.path().canonicalize().unwrap();
    let server = Server::start(&root);
    let gone = root.with_file_name(format!(
        "{}.away",
        root.file_name().unwrap().to_string_lossy()
    ));
    let edit_and_see = |marker: &str| {
        server.edit(
            "content/risks.md",
            &page("Risks", &format!("{marker} [@S1].")),
        );
        let r = server.wait_for_body("/risks/", |r| r.body.contains(marker));
        assert!(
            r.body.contains(marker),
            "{marker} never served; stdout {:?}; stderr {}",
            server.lines(),
            server.stderr()
        );
    };
    // Each swap is followed by two edits: the first is seen by the folder's return alone.
    let settle = || std::thread::sleep(Duration::from_millis(300));

    std::fs::rename(root.join("content"), root.join("content.bak")).unwrap();
    settle();
    std::fs::rename(root.join("content.bak"), root.join("content")).unwrap();
    settle();
    edit_and_see("MovedBackOne");
    edit_and_see("MovedBackTwo");

    let templates = std::fs::read_to_string(root.join("templates/page.html")).unwrap();
    std::fs::remove_dir_all(root.join("templates")).unwrap();
    settle();
    write(&root, "templates/page.html", &templates);
    write(&root, "templates/base.html", BASE_HTML);
    write(&root, "templates/404.html", NOT_FOUND_HTML);
    settle();
    edit_and_see("TemplatesBackOne");
    server.edit(
        "templates/page.html",
        &templates.replace("{% block main %}", "{% block main %}<p>TemplateEdit</p>"),
    );
    let r = server.wait_for_body("/risks/", |r| r.body.contains("TemplateEdit"));
    assert!(r.body.contains("TemplateEdit"), "{:?}", server.lines());

    // The whole project deleted and restored from a copy: every folder is a new one.
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let to = gone.join(entry.path().strip_prefix(&root).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
    settle();
    std::fs::rename(&gone, &root).unwrap();
    settle();
    edit_and_see("ProjectBackOne");
    edit_and_see("ProjectBackTwo");
    server.assert_consistent();
}

/// Hundreds of idle connections do not stop the server answering, and a connection that
/// sends nothing, or stops half-way through its headers, is closed by the server (trial
/// 2026-12-07 finding 8). 127.0.0.1 only.
#[test]
fn idle_and_half_sent_connections_do_not_stop_the_server() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let dir = fixture();
    let server = Server::start(dir.path());
    let addr = format!("127.0.0.1:{}", server.port);
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&addr).expect("connect"));
    }
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A new request is answered while they are all open.
    let r = server.get("/risks/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Risks are low"));
    // The server ends both kinds of connection itself: reading gives end of file (or a
    // reset), not a timeout of this test's own.
    for stream in [&mut idle[0], &mut half] {
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut buf = [0u8; 512];
        let mut total = Vec::new();
        let closed = loop {
            match stream.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => total.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        assert!(
            closed,
            "still open; got {:?}",
            String::from_utf8_lossy(&total)
        );
    }
    // And it still answers.
    assert_eq!(server.get("/").status, 200);
}

/// A refused CONNECT ends the connection instead of leaving the client waiting.
#[test]
fn a_refused_connect_closes_the_connection() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let dir = fixture();
    let server = Server::start(dir.path());
    let mut s = TcpStream::connect(format!("127.0.0.1:{}", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(b"CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)
        .expect("the server closes the connection");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
}

/// An edit re-renders the print page of its language only when the page's text changed, and
/// the sources page only when its citations did (issue 21 #14); what is served is the same
/// as a full build either way (FACTSHEET_SERVE_VERIFY reports any difference).
#[test]
fn print_and_sources_pages_render_again_only_when_they_change() {
    let dir = fixture();
    let root = dir.path();
    write(
        root,
        "templates/print.html",
        "{% extends \"base.html\" %}\n{% block main %}{% for p in pages %}<section id=\"{{ p.anchor }}\">{{ p.content | safe }}</section>\n{% endfor %}{% endblock main %}\n",
    );
    write(
        root,
        "templates/sources.html",
        "{% extends \"base.html\" %}\n{% block main %}<ol>{% for s in sources %}<li id=\"{{ s.key }}\">{{ s.title }}:{% for p in s.cited_by %} <a href=\"{{ p.url }}\">{{ p.title }}</a>{% endfor %}</li>\n{% endfor %}</ol>{% endblock main %}\n",
    );
    write(
        root,
        "templates/search.html",
        "{% extends \"base.html\" %}\n{% block main %}<ul>{% for e in listing %}<li><a href=\"{{ e.url }}\">{{ e.title }}</a> {{ e.description }}</li>{% endfor %}</ul>{% endblock main %}\n",
    );
    let with_front = |title: &str, body: &str, front: &str| {
        page(title, body).replacen("+++\n", &format!("+++\n{front}\n"), 1)
    };
    for (file, title, kind) in [
        ("print.md", "Print", "print"),
        ("print.uk.md", "Друк", "print"),
        ("sources.md", "Sources", "sources"),
        ("sources.uk.md", "Джерела", "sources"),
        ("search.md", "Search", "search"),
        ("search.uk.md", "Пошук", "search"),
    ] {
        let front = format!("kind = \"{kind}\"\ntemplate = \"{kind}.html\"");
        write(
            root,
            &format!("content/{file}"),
            &with_front(title, "Gathered.", &front),
        );
    }
    write(
        root,
        "sources.toml",
        &format!(
            "{SOURCES_TOML}\n[S2]\ntitle = \"Another source\"\npublisher = \"P\"\ndate = \"2026\"\nurl = \"https://example.org/two\"\n"
        ),
    );
    write(
        root,
        "content/_index.md",
        &page("Home", "Welcome home [@S2]."),
    );
    write(
        root,
        "content/_index.uk.md",
        &page("Головна", "Ласкаво просимо [@S2]."),
    );
    // English only: its citations can change without its translation's.
    let notes = |body: &str| with_front("Notes", body, "translation = false");
    write(root, "content/notes.md", &notes("Notes [@S1]."));
    let server = Server::start(root);
    let next_rebuild = |before: usize| {
        let deadline = Instant::now() + WAIT;
        while server.rebuild_lines().len() <= before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        server
            .rebuild_lines()
            .get(before)
            .cloned()
            .unwrap_or_else(|| panic!("{:?}\n{}", server.lines(), server.stderr()))
    };

    // Reworded: the page and the English print page, not the sources or search pages.
    let before = server.rebuild_lines().len();
    server.edit(
        "content/risks.md",
        &page("Risks", "Risks are very low [@S1]."),
    );
    let line = next_rebuild(before);
    assert!(line.contains("rebuilt 2 of 11 pages"), "{line}");
    let print = server.get("/print/");
    assert!(print.body.contains("very low"), "{}", print.body);

    // A new citation: the English sources page too.
    let before = server.rebuild_lines().len();
    server.edit("content/notes.md", &notes("Notes [@S1; @S2]."));
    let line = next_rebuild(before);
    assert!(line.contains("rebuilt 3 of 11 pages"), "{line}");
    let sources = server.get("/sources/");
    let s2 = sources
        .body
        .lines()
        .find(|l| l.contains("id=\"S2\""))
        .unwrap_or_default();
    assert!(s2.contains(">Notes</a>"), "{}", sources.body);

    // Saved again unchanged: only the page itself.
    let before = server.rebuild_lines().len();
    server.edit("content/notes.md", &notes("Notes [@S1; @S2]."));
    let line = next_rebuild(before);
    assert!(line.contains("rebuilt 1 of 11 pages"), "{line}");
    server.assert_consistent();
}
