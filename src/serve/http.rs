//! The HTTP side of `factsheet serve`: the site from memory, the live-reload script and the
//! Server-Sent Events stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::state::{LiveEvent, State};

// The dev server's own files, under /__factsheet/ (they shadow site files of the same path).
pub(crate) const SCRIPT_PATH: &str = "/__factsheet/live.js";
pub(crate) const STYLE_PATH: &str = "/__factsheet/live.css";
pub(crate) const EVENTS_PATH: &str = "/__factsheet/events";

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

#[derive(Clone)]
struct App {
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
}

pub(crate) fn router(state: Arc<State>, shutdown: watch::Receiver<bool>) -> Router {
    Router::new()
        .route(SCRIPT_PATH, get(live_js))
        .route(STYLE_PATH, get(live_css))
        .route(EVENTS_PATH, get(events))
        .fallback(site)
        .with_state(App { state, shutdown })
}

async fn live_js() -> Response {
    file_response(StatusCode::OK, "live.js", Body::from(LIVE_JS))
}

async fn live_css() -> Response {
    file_response(StatusCode::OK, "live.css", Body::from(LIVE_CSS))
}

/// The events stream: `hello` (and the current errors, if any) at once, then every build's
/// event. Ends when the server shuts down.
async fn events(
    AxumState(app): AxumState<App>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the state: an event in between is then sent twice (pages
    // ignore a build they already have), never lost.
    let rx = app.state.events.subscribe();
    let mut first = vec![app.state.hello()];
    if let Some(error) = app.state.snapshot().error {
        first.push(LiveEvent {
            name: "build-error",
            data: error.json.as_str().into(),
        });
    }
    let state = app.state.clone();
    let live = BroadcastStream::new(rx).map(move |item| match item {
        Ok(event) => event,
        // A page that fell behind gets the current state, and reloads if it is stale.
        Err(BroadcastStreamRecvError::Lagged(_)) => state.hello(),
    });
    let mut shutdown = app.shutdown.clone();
    let stopped = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    let stream = stream::iter(first)
        .chain(live)
        .take_until(Box::pin(stopped))
        .enumerate()
        .map(|(i, e)| {
            let mut event = Event::default().event(e.name).data(&*e.data);
            if i == 0 {
                event = event.retry(Duration::from_millis(1000));
            }
            Ok(event)
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// A request path that passed the checks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file of the site (a path from the output root: `style.css`, `risks/index.html`).
    File(String),
    /// A folder (`risks/`, `` for the root): its `index.html`.
    Dir(String),
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BadPath {
    /// Not a path inside the site: `..`, `.`, empty segments, backslashes, NUL, encoded
    /// slashes, invalid UTF-8.
    Outside,
}

/// Turn the raw (still percent-encoded) request path into a path inside the site, refusing
/// everything that could name a file elsewhere. The site is served from memory, so nothing
/// outside it could be read anyway; this only makes the answer a clean 400.
pub(crate) fn resolve(raw: &str) -> Result<Target, BadPath> {
    let rest = raw.strip_prefix('/').ok_or(BadPath::Outside)?;
    let lower = rest.to_ascii_lowercase();
    // Encoded separators would let a segment carry a path of its own.
    if rest.contains('\\')
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
    {
        return Err(BadPath::Outside);
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| BadPath::Outside)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(BadPath::Outside);
    }
    if decoded.is_empty() {
        return Ok(Target::Dir(String::new()));
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let (last, dirs) = segments.split_last().ok_or(BadPath::Outside)?;
    for s in dirs.iter().chain(std::iter::once(last)) {
        if matches!(*s, "." | "..") {
            return Err(BadPath::Outside);
        }
    }
    // `//etc/passwd`, `a//b`: an empty segment anywhere but at the end.
    if dirs.iter().any(|s| s.is_empty()) {
        return Err(BadPath::Outside);
    }
    // A Windows drive (`C:`) as the first segment is an absolute path.
    let first = segments[0];
    if first.len() == 2 && first.ends_with(':') && first.as_bytes()[0].is_ascii_alphabetic() {
        return Err(BadPath::Outside);
    }
    if last.is_empty() {
        Ok(Target::Dir(decoded.into_owned()))
    } else {
        Ok(Target::File(decoded.into_owned()))
    }
}

async fn site(AxumState(app): AxumState<App>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = text_response(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        // A refused CONNECT leaves the client waiting for a tunnel otherwise.
        if method == Method::CONNECT {
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        return r;
    }
    let raw = uri.path();
    let target = match resolve(raw) {
        Ok(t) => t,
        Err(BadPath::Outside) => {
            return text_response(
                StatusCode::BAD_REQUEST,
                "400 bad request: not a path inside the site\n",
            );
        }
    };
    let snapshot = app.state.snapshot();
    let served = &snapshot.served;
    if !served.built {
        let html = NOT_BUILT.replace("{script}", &script_tag(&served.build_id));
        return file_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "index.html",
            Body::from(html),
        );
    }
    let files = &served.files;
    let found = match &target {
        Target::Dir(dir) => {
            let key = format!("{dir}index.html");
            files.get(&key).map(|b| (key, b.clone()))
        }
        Target::File(file) => files.get(file).map(|b| (file.clone(), b.clone())),
    };
    if let Some((name, bytes)) = found {
        return page_response(StatusCode::OK, &name, bytes, &served.build_id);
    }
    if let Target::File(file) = &target
        && files.contains_key(&format!("{file}/index.html"))
    {
        let location = match uri.query() {
            Some(q) => format!("{raw}/?{q}"),
            None => format!("{raw}/"),
        };
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
        let h = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&location) {
            h.insert(header::LOCATION, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return r;
    }
    match files.get("404.html") {
        Some(bytes) => page_response(
            StatusCode::NOT_FOUND,
            "404.html",
            bytes.clone(),
            &served.build_id,
        ),
        None => {
            let html = NOT_FOUND.replace("{script}", &script_tag(&served.build_id));
            file_response(StatusCode::NOT_FOUND, "404.html", Body::from(html))
        }
    }
}

const NOT_BUILT: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not built yet</title>\n</head>\n<body>\n<main>\n<h1>The site has not been built yet</h1>\n<p>It has errors: see the terminal. This page reloads by itself when they are fixed.</p>\n</main>\n{script}\n</body>\n</html>\n";

const NOT_FOUND: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n</head>\n<body>\n<main>\n<h1>Not found</h1>\n<p>The site has no file at this address (and no 404.html template).</p>\n</main>\n{script}\n</body>\n</html>\n";

fn script_tag(build_id: &str) -> String {
    // The build id is `<hex>-<number>`: nothing to escape.
    format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build_id}\" defer></script>")
}

/// A file of the site; HTML gets the live-reload script (only here, never on disk).
fn page_response(status: StatusCode, name: &str, bytes: Bytes, build_id: &str) -> Response {
    let body = if is_html(name) {
        Body::from(inject(&bytes, &script_tag(build_id)))
    } else {
        Body::from(bytes)
    };
    file_response(status, name, body)
}

fn is_html(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// Insert `tag` before the last `</body>` (any case), or at the end when there is none.
pub(crate) fn inject(html: &[u8], tag: &str) -> Vec<u8> {
    const NEEDLE: &[u8] = b"</body";
    let at = html
        .windows(NEEDLE.len())
        .rposition(|w| w.eq_ignore_ascii_case(NEEDLE))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len() + 1);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&html[at..]);
    out
}

/// The Content-Type for a file name; text types get `charset=utf-8`.
pub(crate) fn content_type(name: &str) -> String {
    let ext = name
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    let essence = match ext.as_str() {
        "js" | "mjs" => "text/javascript".to_string(),
        "webmanifest" => "application/manifest+json".to_string(),
        "" => "application/octet-stream".to_string(),
        _ => mime_guess::from_ext(&ext)
            .first_or_octet_stream()
            .essence_str()
            .to_string(),
    };
    let textual = essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence.as_str(),
            "application/json" | "application/xml" | "application/javascript"
        );
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence
    }
}

fn file_response(status: StatusCode, name: &str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h: &mut HeaderMap = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type(name)) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Always ask again: a reload must show the new build.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn text_response(status: StatusCode, text: &'static str) -> Response {
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_site_resolve() {
        assert_eq!(resolve("/"), Ok(Target::Dir(String::new())));
        assert_eq!(resolve("/risks/"), Ok(Target::Dir("risks/".into())));
        assert_eq!(resolve("/uk/risks/"), Ok(Target::Dir("uk/risks/".into())));
        assert_eq!(resolve("/style.css"), Ok(Target::File("style.css".into())));
        assert_eq!(resolve("/risks"), Ok(Target::File("risks".into())));
        assert_eq!(
            resolve("/%D0%BF%D1%80%D0%BE/"),
            Ok(Target::Dir("про/".into()))
        );
        assert_eq!(resolve("/a%20b.txt"), Ok(Target::File("a b.txt".into())));
        assert_eq!(resolve("/..."), Ok(Target::File("...".into())));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/risks/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/.%2e/x",
            "/..%2fetc%2fpasswd",
            "/..%2Fetc",
            "/%5c..%5cetc",
            "/..\\etc\\passwd",
            "//etc/passwd",
            "/risks//x",
            "/C:/Windows/win.ini",
            "/c:",
            "/./index.html",
            "/a/./b",
            "/%00",
            "/a%00.html",
            "/%ff%fe",
            "relative",
            "/..",
            "/risks/..",
        ] {
            assert_eq!(resolve(bad), Err(BadPath::Outside), "{bad}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>&lt;/body&gt; </p></BODY></html>";
        let out = String::from_utf8(inject(html, "<script></script>")).unwrap();
        assert_eq!(
            out,
            "<html><body><p>&lt;/body&gt; </p><script></script>\n</BODY></html>"
        );
        let out = String::from_utf8(inject(b"<p>no body end", "<s>")).unwrap();
        assert_eq!(out, "<p>no body end<s>\n");
    }

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("live.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("data.json"), "application/json; charset=utf-8");
        assert_eq!(
            content_type("site.webmanifest"),
            "application/manifest+json; charset=utf-8"
        );
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
