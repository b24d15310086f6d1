//! Checking every `href` and `src` of the rendered site: the target file exists, its
//! `#fragment` exists, ids are unique, and nothing is *loaded* from another origin (patients'
//! privacy: no fonts, scripts or images from elsewhere). Links *out* to sources are fine.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use lol_html::{HtmlRewriter, Settings, element};
use percent_encoding::percent_decode_str;

use crate::diagnostic::Diagnostic;
use crate::urls;

/// What the checker needs to know about one rendered HTML file.
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    /// Output file, from the output root: `uk/risks/index.html`.
    pub output: String,
    /// The file it was made from, for messages.
    pub source: PathBuf,
    pub ids: HashSet<String>,
    pub duplicate_ids: Vec<String>,
    pub links: Vec<Link>,
    /// The page repeats other pages' content (the print page): its in-page anchors mirror
    /// links already checked, and reported with the right file, on those pages.
    pub aggregate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub value: String,
    /// The browser fetches it to show the page (src, stylesheet, icon) rather than the
    /// reader following it.
    pub loads: bool,
}

/// Collect ids and links of an HTML document.
pub fn scan(output: &str, source: PathBuf, html: &str) -> PageLinks {
    let mut page = PageLinks {
        output: output.to_string(),
        source,
        ..PageLinks::default()
    };
    {
        let (ids, dups, links) = (&mut page.ids, &mut page.duplicate_ids, &mut page.links);
        let mut rewriter = HtmlRewriter::new(
            Settings::new().append_element_content_handler(element!("[id], [href], [src]", |el| {
                // lol_html gives attribute values as written, entities and all.
                let attr = |name: &str| {
                    el.get_attribute(name)
                        .map(|v| html_escape::decode_html_entities(&v).into_owned())
                };
                if let Some(id) = attr("id")
                    && !ids.insert(id.clone())
                {
                    dups.push(id);
                }
                let tag = el.tag_name();
                if let Some(href) = attr("href") {
                    let loads = tag == "link"
                        && el.get_attribute("rel").is_some_and(|rel| {
                            rel.split_whitespace().any(|r| {
                                matches!(
                                    r,
                                    "stylesheet"
                                        | "icon"
                                        | "preload"
                                        | "modulepreload"
                                        | "manifest"
                                        | "prefetch"
                                )
                            })
                        });
                    // Canonical and hreflang alternates are absolute by design.
                    let informational = tag == "link" && !loads;
                    if !informational && tag != "base" {
                        links.push(Link { value: href, loads });
                    }
                }
                if let Some(src) = attr("src") {
                    links.push(Link {
                        value: src,
                        loads: true,
                    });
                }
                Ok(())
            })),
            |_: &[u8]| {},
        );
        // The HTML is our own output; a parse failure would only drop data, never panic.
        let _ = rewriter.write(html.as_bytes());
        let _ = rewriter.end();
    }
    page
}

/// Check all pages against each other and the other files written (static files, sitemap).
pub fn check(pages: &[&PageLinks], other_files: &HashSet<String>) -> Vec<Diagnostic> {
    let by_output: HashMap<&str, &PageLinks> =
        pages.iter().map(|p| (p.output.as_str(), *p)).collect();
    let mut errors = Vec::new();
    for page in pages {
        let url = page.output.trim_end_matches("index.html");
        let at = format!("/{url}");
        for id in &page.duplicate_ids {
            errors.push(
                Diagnostic::error(format!("the id `{id}` is used twice on {at}"))
                    .in_file(&page.source)
                    .with_help("give one of the headings an explicit id: ## Title {#other-id}"),
            );
        }
        for link in &page.links {
            if page.aggregate && link.value.starts_with('#') {
                continue;
            }
            if let Some(problem) = check_link(url, link, page, &by_output, other_files) {
                errors.push(
                    Diagnostic::error(format!("{problem} on {at}: `{}`", link.value))
                        .in_file(&page.source),
                );
            }
        }
    }
    errors
}

fn check_link(
    from: &str,
    link: &Link,
    page: &PageLinks,
    pages: &HashMap<&str, &PageLinks>,
    files: &HashSet<String>,
) -> Option<&'static str> {
    let value = link.value.trim();
    if urls::is_external(value) {
        let scheme_ok = !value.to_ascii_lowercase().starts_with("javascript:");
        return match (link.loads, scheme_ok) {
            (true, _) => Some("loads a resource from another site"),
            (false, false) => Some("javascript: link"),
            _ => None,
        };
    }
    let (rest, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (value, None),
    };
    let path = rest.split('?').next().unwrap_or(rest);
    let target_page: &PageLinks = if path.is_empty() {
        page
    } else {
        let Some(target) = urls::resolve(from, &decode(path)) else {
            return Some("link climbs above the site root");
        };
        let as_page = if target.is_empty() || target.ends_with('/') {
            format!("{target}index.html")
        } else {
            target.clone()
        };
        match pages.get(as_page.as_str()) {
            Some(p) => p,
            None if files.contains(&as_page) => return None,
            None if pages.contains_key(format!("{target}/index.html").as_str()) => {
                return Some("link to a folder without a trailing slash (breaks relative links)");
            }
            None => return Some("broken link"),
        }
    };
    match fragment {
        Some(f) if !f.is_empty() && f != "top" && !target_page.ids.contains(&f) => {
            Some("broken anchor")
        }
        _ => None,
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(output: &str, html: &str) -> PageLinks {
        scan(output, PathBuf::from("content/x.md"), html)
    }

    #[test]
    fn finds_broken_links_and_anchors() {
        let a = page(
            "index.html",
            r##"<a href="risks/#bladder">ok</a><a href="risks/#nope">x</a><a href="gone/">x</a><link rel="stylesheet" href="style.css"><a href="#main">s</a><main id="main"></main>"##,
        );
        let b = page(
            "risks/index.html",
            r#"<h2 id="bladder">B</h2><a href="../">home</a>"#,
        );
        let files: HashSet<String> = ["style.css".to_string()].into();
        let errors = check(&[&a, &b], &files);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            vec![
                "broken anchor on /: `risks/#nope`",
                "broken link on /: `gone/`"
            ]
        );
    }

    #[test]
    fn external_loads_are_errors_but_links_out_are_not() {
        let a = page(
            "index.html",
            r#"<a href="https://www.nice.org.uk/">NICE</a><img src="https://cdn.example/x.png" alt=""><link rel="stylesheet" href="https://fonts.example/css"><link rel="canonical" href="https://example.org/">"#,
        );
        let errors = check(&[&a], &HashSet::new());
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.message.starts_with("loads a resource from another site"))
        );
    }

    #[test]
    fn cyrillic_fragments_are_decoded() {
        let a = page(
            "index.html",
            "<a href=\"#%D1%80%D0%B8%D0%B7%D0%B8%D0%BA%D0%B8\">x</a><h2 id=\"ризики\">Ризики</h2>",
        );
        assert!(check(&[&a], &HashSet::new()).is_empty());
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let a = page("index.html", r#"<h2 id="a">1</h2><h2 id="a">2</h2>"#);
        assert_eq!(
            check(&[&a], &HashSet::new())[0].message,
            "the id `a` is used twice on /"
        );
    }
}
