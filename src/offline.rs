//! The offline copy (`factsheet build --offline`): the same site with every link to a folder
//! pointing at the folder's `index.html`. A web server turns `about/` into `about/index.html`;
//! a browser opening files from `file://` shows a folder listing instead.

use std::cell::RefCell;

use lol_html::{HtmlRewriter, Settings, element};

use crate::diagnostic::Diagnostic;
use crate::links::PageLinks;
use crate::urls;

/// The link to the file behind `href`: `about/#bladder` -> `about/index.html#bladder`,
/// `../` -> `../index.html`, `./` -> `index.html`. `None` when `href` already names a file, is
/// only a fragment, or leaves the site.
pub(crate) fn file_link(href: &str) -> Option<String> {
    if href.is_empty() || href.starts_with('#') || href.starts_with('/') || urls::is_external(href)
    {
        return None;
    }
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let (path, rest) = href.split_at(end);
    let file = if path.ends_with('/') {
        if path == "./" {
            "index.html".to_string()
        } else {
            format!("{path}index.html")
        }
    } else if path == "." || path == ".." || path.ends_with("/.") || path.ends_with("/..") {
        format!("{path}/index.html")
    } else {
        return None;
    };
    Some(format!("{file}{rest}"))
}

/// The page at a URL path from the output root, as the offline copy links to it:
/// `risks/` -> `risks/index.html`, `` -> `index.html`.
pub(crate) fn page_file(url: &str) -> String {
    format!("{url}index.html")
}

/// `html` with every `href` and `src` that points at a folder pointing at its `index.html`.
pub(crate) fn rewrite(html: &[u8]) -> Vec<u8> {
    let out = RefCell::new(Vec::with_capacity(html.len() + 1024));
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(element!("[href], [src]", |el| {
            for name in ["href", "src"] {
                // Values come as written, entities and all (`..&#x2F;sources&#x2F;` is a
                // folder too); they go back escaped as the templates escape them.
                if let Some(value) = el.get_attribute(name)
                    && let Some(file) = file_link(&html_escape::decode_html_entities(&value))
                {
                    el.set_attribute(name, &crate::templates::escape_html(&file))?;
                }
            }
            Ok(())
        })),
        |chunk: &[u8]| out.borrow_mut().extend_from_slice(chunk),
    );
    // lol_html only fails on memory limits or encoding errors, neither of which a rendered
    // page reaches; the page is then kept as rendered and the folder-link check reports it.
    if rewriter.write(html).is_err() || rewriter.end().is_err() {
        return html.to_vec();
    }
    out.into_inner()
}

/// Links of the offline copy that still point at a folder, which `file://` cannot open.
/// A template that builds a URL the rewriter does not see (in a `srcset`, say) ends up here.
pub(crate) fn check_folder_links(page: &PageLinks) -> Vec<Diagnostic> {
    let from = page.output.trim_end_matches("index.html");
    page.links
        .iter()
        .filter(|link| {
            let value = link.value.trim();
            !value.starts_with('#')
                && !urls::is_external(value)
                && file_link(value).is_some()
                && urls::resolve(from, value.split(['?', '#']).next().unwrap_or("")).is_some()
        })
        .map(|link| {
            Diagnostic::error(format!(
                "link to a folder in the offline copy on /{from}: `{}`",
                link.value
            ))
            .in_file(&page.source)
            .with_help("from file:// a folder opens as a listing; link to its index.html")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_links_point_at_index_files() {
        assert_eq!(
            file_link("about/#bladder").as_deref(),
            Some("about/index.html#bladder")
        );
        assert_eq!(file_link("../").as_deref(), Some("../index.html"));
        assert_eq!(file_link("./").as_deref(), Some("index.html"));
        assert_eq!(file_link("..").as_deref(), Some("../index.html"));
        assert_eq!(
            file_link("../../uk/risks/?x=1").as_deref(),
            Some("../../uk/risks/index.html?x=1")
        );
    }

    #[test]
    fn other_links_are_left_alone() {
        for href in [
            "#bladder",
            "../style.css",
            "risks/index.html#x",
            "https://example.org/a/",
            "mailto:a@b.c",
            "/absolute/",
            "",
        ] {
            assert_eq!(file_link(href), None, "{href}");
        }
    }

    #[test]
    fn rewrite_changes_only_folder_links() {
        let html = br#"<link rel="stylesheet" href="../style.css"><a href="../">Home</a> <a href="../risks/#bladder">x</a><img src="../img/a.png" alt=""><a href="https://example.org/">o</a>"#;
        let out = String::from_utf8(rewrite(html)).unwrap();
        assert_eq!(
            out,
            r#"<link rel="stylesheet" href="../style.css"><a href="../index.html">Home</a> <a href="../risks/index.html#bladder">x</a><img src="../img/a.png" alt=""><a href="https://example.org/">o</a>"#
        );
    }
}
