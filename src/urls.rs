//! URL arithmetic. Every link the site writes is relative to the page it is on, so the same
//! output works at a domain root, under any sub-path and from `file://`.

/// The relative URL from the page at `from` to `to`, both paths from the output root.
/// A path ending in `/` is a folder (a page's pretty URL); anything else is a file.
///
/// `relative("uk/risks/", "uk/mechanism/") == "../mechanism/"`,
/// `relative("risks/", "style.css") == "../style.css"`, `relative("", "") == "./"`.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let from_dirs = if from.ends_with('/') || from.is_empty() {
        &from_dirs[..]
    } else {
        &from_dirs[..from_dirs.len().saturating_sub(1)]
    };
    let to_parts: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let to_is_dir = to.ends_with('/') || to.is_empty();
    let to_dirs = if to_is_dir {
        &to_parts[..]
    } else {
        &to_parts[..to_parts.len() - 1]
    };
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - common);
    for part in &to_parts[common..] {
        out.push_str(part);
        out.push('/');
    }
    if !to_is_dir {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// Resolve a relative link `href` found on the page at `from` to a path from the output root
/// (without query or fragment). `None` when it climbs above the root.
pub(crate) fn resolve(from: &str, href: &str) -> Option<String> {
    resolve_plain(from, href).or_else(|| resolve_segments(from, href))
}

/// [`resolve`] of the links a site mostly has: a page's folder with no empty segment, and
/// a link that climbs with `../` and then names a path with neither `.`, `..` nor empty
/// segments. The path is then the folder's start and the link's end, cut and joined
/// without going through the segments one at a time (a page has a hundred links, and
/// that was most of the link check's time). `None` for anything else, and when the link
/// climbs above the root: [`resolve_segments`] decides those.
fn resolve_plain(from: &str, href: &str) -> Option<String> {
    let mut rest = href;
    let mut climbs = 0;
    while let Some(after) = rest.strip_prefix("../") {
        rest = after;
        climbs += 1;
    }
    if !plain_path(rest) || !plain_path(from) {
        return None;
    }
    // The page's folder, with its trailing slash.
    let mut folder = &from[..from.rfind('/').map_or(0, |i| i + 1)];
    for _ in 0..climbs {
        let inner = folder.strip_suffix('/')?;
        folder = &inner[..inner.rfind('/').map_or(0, |i| i + 1)];
    }
    let mut out = String::with_capacity(folder.len() + rest.len() + 10);
    out.push_str(folder);
    out.push_str(rest);
    Some(out)
}

/// Whether `path` has no empty segment (no leading `/`, no `//`; a trailing `/` is fine)
/// and none that is `.` or `..`. One pass over the bytes: a page has a hundred links.
fn plain_path(path: &str) -> bool {
    let dots = |seg: &[u8]| !seg.is_empty() && seg.len() <= 2 && seg.iter().all(|&c| c == b'.');
    let mut segments = path.as_bytes().split(|&c| c == b'/').peekable();
    while let Some(seg) = segments.next() {
        let last = segments.peek().is_none();
        if dots(seg) || (seg.is_empty() && !last) {
            return false;
        }
    }
    true
}

/// [`resolve`] one segment at a time, for any path.
fn resolve_segments(from: &str, href: &str) -> Option<String> {
    // Room for `index.html`, which the link check adds to a folder.
    let mut out = String::with_capacity(from.len() + href.len() + 10);
    for seg in from.split('/').filter(|s| !s.is_empty()) {
        push_segment(&mut out, seg);
    }
    if !from.ends_with('/') && !from.is_empty() {
        pop_segment(&mut out);
    }
    let is_dir = href.is_empty() || href.ends_with('/') || href.ends_with("/.") || href == ".";
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if !pop_segment(&mut out) {
                    return None;
                }
            }
            s => push_segment(&mut out, s),
        }
    }
    if is_dir && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// `seg` as the last segment of the path `out` (segments hold no `/`).
fn push_segment(out: &mut String, seg: &str) {
    if !out.is_empty() {
        out.push('/');
    }
    out.push_str(seg);
}

/// The last segment of `out` taken off; false when there is none.
fn pop_segment(out: &mut String) -> bool {
    if out.is_empty() {
        return false;
    }
    let keep = out.rfind('/').unwrap_or(0);
    out.truncate(keep);
    true
}

/// Join a path relative to `content/` (the folder of the current file) with a link path.
pub(crate) fn join_content_path(dir: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Percent-encode a URL path from the output root (`ризики/` -> `%D1%80...%B8/`): what a
/// sitemap and canonical links must hold. `/` stays; names are already URL-safe ASCII or
/// letters (see `content::check_url_safe`).
pub(crate) fn encode_path(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, SEGMENT).to_string()
}

/// True for links that leave the site: `https:`, `mailto:`, `//host`...
pub(crate) fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    // A scheme: letters, digits, `+`, `-` and `.` before the first colon (so no `/`).
    memchr::memchr(b':', href.as_bytes()).is_some_and(|colon| {
        let scheme = &href.as_bytes()[..colon];
        !scheme.is_empty()
            && scheme
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_between_pages() {
        assert_eq!(relative("uk/risks/", "uk/mechanism/"), "../mechanism/");
        assert_eq!(relative("risks/", "style.css"), "../style.css");
        assert_eq!(relative("uk/risks/", "risks/"), "../../risks/");
        assert_eq!(relative("", ""), "./");
        assert_eq!(relative("", "uk/"), "uk/");
        assert_eq!(relative("uk/", ""), "../");
        assert_eq!(relative("risks/", "risks/"), "./");
        assert_eq!(relative("a/b/", "a/"), "../");
    }

    #[test]
    fn resolve_is_the_inverse_of_relative() {
        for (from, to) in [
            ("uk/risks/", "uk/mechanism/"),
            ("risks/", "style.css"),
            ("", "uk/"),
            ("uk/", ""),
            ("a/b/", "a/"),
        ] {
            assert_eq!(resolve(from, &relative(from, to)).as_deref(), Some(to));
        }
        assert_eq!(resolve("risks/", "../../x"), None);
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(encode_path("uk/risks/"), "uk/risks/");
        assert_eq!(
            encode_path("uk/ризик/"),
            "uk/%D1%80%D0%B8%D0%B7%D0%B8%D0%BA/"
        );
    }

    /// The rule as first written: a list of segments, joined at the end.
    fn resolve_by_list(from: &str, href: &str) -> Option<String> {
        let mut parts: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
        if !from.ends_with('/') && !from.is_empty() {
            parts.pop();
        }
        let is_dir = href.is_empty() || href.ends_with('/') || href.ends_with("/.") || href == ".";
        for seg in href.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        let mut out = parts.join("/");
        if is_dir && !out.is_empty() {
            out.push('/');
        }
        Some(out)
    }

    #[test]
    fn resolving_in_one_string_is_resolving_by_a_list() {
        // Every path of up to three pieces, as page and as link.
        let pieces = ["", "/", "a", "..", ".", "ри", "//", "b/", "../", "./"];
        let mut paths = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| pieces.iter().map(move |x| format!("{p}{x}")))
                .collect();
            paths.extend(longer);
            paths.sort();
            paths.dedup();
        }
        assert!(paths.len() > 500, "{}", paths.len());
        // The short cut takes a good share of them, and every link of a built site.
        let plain = paths
            .iter()
            .filter(|h| resolve_plain("a/b/", h).is_some())
            .count();
        assert!(plain > 50, "{plain}");
        for from in paths.iter().step_by(3) {
            for href in &paths {
                assert_eq!(
                    resolve(from, href),
                    resolve_by_list(from, href),
                    "{from:?} {href:?}"
                );
                assert_eq!(
                    resolve_segments(from, href),
                    resolve_by_list(from, href),
                    "{from:?} {href:?}"
                );
            }
        }
    }

    #[test]
    fn external_links() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.example.org/x.js"));
        assert!(!is_external("../risks/"));
        assert!(!is_external("#bladder"));
        assert!(!is_external("a/b:c"));
        assert!(!is_external(":no-scheme"));
        assert!(!is_external("ри:x"));
        assert!(is_external("web+app.x-1:thing"));
    }
}
