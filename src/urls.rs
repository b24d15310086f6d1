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
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !href[..colon].contains('/')
        }
        None => false,
    }
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

    #[test]
    fn external_links() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.example.org/x.js"));
        assert!(!is_external("../risks/"));
        assert!(!is_external("#bladder"));
        assert!(!is_external("a/b:c"));
    }
}
