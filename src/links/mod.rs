//! Checking every `href` and `src` of the rendered site: the target file exists, its
//! `#fragment` exists, ids are unique, and nothing is *loaded* from another origin (patients'
//! privacy: no fonts, scripts or images from elsewhere). Links *out* to sources are fine.

use std::collections::HashSet;
use std::path::PathBuf;

/// What the checker needs to know about one rendered HTML file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageLinks {
    /// Output file, from the output root: `uk/risks/index.html`.
    pub output: String,
    /// The file it was made from, for messages.
    pub source: PathBuf,
    /// The template it was rendered with (`page.html`), to find the line of a problem
    /// the template wrote.
    pub template: String,
    /// Markdown files shown on the page besides its own (partials; on the print page, every
    /// page): [`Origin::Markdown`]'s `file` 1 is the first.
    pub shown: Vec<PathBuf>,
    pub ids: Ids,
    /// Each id written more than once, where it was written again.
    pub duplicate_ids: Vec<(String, Origin)>,
    pub links: Links,
    /// Where each of `links` was written, in the same order.
    pub origins: Vec<Packed>,
    /// The page repeats other pages' content (the print page): its in-page anchors mirror
    /// links already checked, and reported with the right file, on those pages.
    pub aggregate: bool,
    /// Set by [`PageLinks::settle_local_links`]: the links taken out of `links`.
    settled: Settled,
    /// What was wrong with those: (position as written, link, origin, problem).
    settled_problems: Vec<(usize, String, Packed, &'static str)>,
    /// Raw HTML in Markdown that the site refuses whatever it links to (a script, an event
    /// handler, `<base>`, a refresh): the start tag's first line as written, where, and why.
    pub refused: Vec<(String, Origin, &'static str)>,
}

impl PageLinks {
    /// Check now the links whose check needs no other page, and keep only what was wrong
    /// with them: links to the page's own anchors (`#bladder`), checked against its ids, and
    /// links out of the site. They are two thirds of a page's links (contents, citations,
    /// the skip link, the sources' addresses), and a site keeps every page's links until all
    /// are rendered. The print page's in-page links are dropped unchecked, as [`check()`]
    /// would skip them.
    /// Links to files in `outputs`, without a fragment, are settled too: they need no
    /// other page's ids.
    pub(crate) fn settle_local_links(&mut self, outputs: Option<&HashSet<String>>) {
        let mut settled = Settled::new(self.links.len());
        let mut problems = Vec::new();
        let mut any = false;
        let url = self.output.trim_end_matches("index.html");
        for (i, link) in self.links.iter().enumerate() {
            let Ok(problem) = judge_locally(self, url, &link, outputs) else {
                continue;
            };
            any = true;
            settled.insert(i);
            if let Some(problem) = problem {
                let origin = self.origins.get(i).copied().unwrap_or(Origin::Page.into());
                problems.push((i, link.value.to_string(), origin, problem));
            }
        }
        if !any {
            return;
        }
        let mut kept = Links::default();
        let mut origins = Vec::new();
        for (i, link) in self.links.iter().enumerate() {
            if !settled.contains(i) {
                kept.push(link.value, link.loads);
                origins.push(self.origins.get(i).copied().unwrap_or(Origin::Page.into()));
            }
        }
        kept.shrink_to_fit();
        origins.shrink_to_fit();
        self.links = kept;
        self.origins = origins;
        self.settled = settled;
        self.settled_problems = problems;
    }

    /// Where link `i` of `links` stood among the links as written.
    fn written_at(&self, i: usize) -> usize {
        self.settled.written_at(i)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link<'a> {
    pub value: &'a str,
    /// The browser fetches it to show the page (src, stylesheet, icon) rather than the
    /// reader following it.
    pub loads: bool,
}

// A site keeps the ids and links of every page until all are rendered: about 150 per page,
// a few million strings at 10,000 pages per language. They are kept in one buffer per page.

/// Where an id or a link of a page was written, so that a problem names the line to fix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Somewhere in the page: its parts could not be told apart (the print page, a template
    /// that does not print the content as it is).
    #[default]
    Page,
    /// By the template, around the Markdown.
    Template,
    /// In Markdown: the page's own file (`file` 0) or one it shows (1 and up, see
    /// [`PageLinks::shown`]), at a byte span of that file when it is known (raw HTML is
    /// read back, not recorded).
    Markdown { file: u16, span: Option<Span> },
}

/// Bytes `start..start + len` of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub(crate) fn new(range: std::ops::Range<usize>) -> Span {
        Span {
            start: offset(range.start),
            len: offset(range.len()),
        }
    }
}

mod check;
mod packed;
mod recorded;
mod scan;

use check::judge_locally;
use packed::offset;
use scan::{ANY, help_for, on};

pub(crate) use check::{Sources, check};
use packed::Settled;
pub(crate) use packed::{Ids, Links, Packed};
pub(crate) use recorded::Recorded;
#[cfg(test)]
pub(crate) use scan::scan;
pub(crate) use scan::{Cut, Part, css_urls, scan_parts};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use std::path::Path;

    fn page(output: &str, html: &str) -> PageLinks {
        scan(output, PathBuf::from("content/x.md"), html.as_bytes())
    }

    /// No files to read: problems name the page's file only.
    struct NoSources;
    impl Sources for NoSources {
        fn markdown(&self, _: &Path) -> Option<String> {
            None
        }
        fn in_templates(&self, _: &str, _: &str) -> Option<(PathBuf, Location)> {
            None
        }
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
        let errors = check(&[a, b], &files, &NoSources);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            vec![
                "broken anchor on /: `risks/#nope`",
                "broken link on /: `gone/`"
            ]
        );
    }

    /// Links whose check needs no other page are checked as the page is read and dropped;
    /// problems come out as before, in the order the links were written, across 64-link
    /// blocks.
    #[test]
    fn settled_links_report_as_before() {
        let mut html = String::from(r#"<h2 id="here">H</h2>"#);
        for i in 0..150 {
            html.push_str(&match i % 5 {
                0 => r##"<a href="#here">ok</a>"##.to_string(),
                1 => format!(r##"<a href="#gone-{i}">x</a>"##),
                2 => format!(r#"<a href="missing-{i}/">x</a>"#),
                3 => format!(r#"<a href="https://example.org/{i}">out</a>"#),
                _ => format!(r#"<a href="../../../up-{i}/">x</a>"#),
            });
        }
        html.push_str(r#"<script src="https://cdn.example/x.js"></script>"#);
        let read = page("a/b/index.html", &html);
        let mut settled = read.clone();
        settled.settle_local_links(None);
        // Only the links to other files of the site are left.
        assert_eq!(settled.links.len(), 30);
        for i in 0..30 {
            assert_eq!(settled.written_at(i), 5 * i + 2);
            assert_eq!(settled.links.get(i), read.links.get(5 * i + 2));
        }
        let files = HashSet::new();
        let messages = |p: PageLinks| -> Vec<String> {
            check(&[p], &files, &NoSources)
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        let before = messages(read);
        assert_eq!(before.len(), 91);
        assert_eq!(before[0], "broken anchor on /a/b/: `#gone-1`");
        assert_eq!(before[1], "broken link on /a/b/: `missing-2/`");
        assert_eq!(
            before[2],
            "link climbs above the site root on /a/b/: `../../../up-4/`"
        );
        assert_eq!(
            before[90],
            "loads a resource from another site on /a/b/: `https://cdn.example/x.js`"
        );
        assert_eq!(messages(settled), before);
    }

    /// With the files the build will surely write, links to them without a fragment are
    /// settled too; links with a fragment, and to files not in the list, are left for the
    /// site-wide check, which reports them as before.
    #[test]
    fn links_to_sure_outputs_are_settled() {
        let html = r##"<a href="../ok/">a</a><a href="../missing/">b</a><a href="../ok/#part">c</a><link rel="stylesheet" href="../style.css"><a href="../ok">d</a>"##;
        let read = page("x/index.html", html);
        let outputs: HashSet<String> = ["ok/index.html", "x/index.html", "style.css"]
            .map(String::from)
            .into();
        let mut settled = read.clone();
        settled.settle_local_links(Some(&outputs));
        let left: Vec<&str> = settled.links.iter().map(|l| l.value).collect();
        assert_eq!(left, ["../missing/", "../ok/#part", "../ok"]);
        let target = page("ok/index.html", r#"<h2 id="other">O</h2>"#);
        let files: HashSet<String> = ["style.css".to_string()].into();
        let messages = |p: PageLinks| -> Vec<String> {
            check(&[p, target.clone()], &files, &NoSources)
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        let before = messages(read);
        assert_eq!(
            before,
            [
                "broken link on /x/: `../missing/`",
                "broken anchor on /x/: `../ok/#part`",
                "link to a folder without a trailing slash (breaks relative links) on /x/: `../ok`"
            ]
        );
        assert_eq!(messages(settled), before);
    }

    /// Template links are checked once per target, yet every page that has a broken one
    /// counts, in page order, after the page's own problems that come before it.
    #[test]
    fn template_links_are_checked_once_per_target_for_every_page() {
        let template = |output: &str, html: &str| {
            let mut p = scan_parts(
                output,
                PathBuf::from("content/x.md"),
                &[Part::Html(html.as_bytes(), Origin::Template)],
            );
            p.template = "page.html".into();
            p
        };
        let home = template(
            "index.html",
            r##"<a href="gone/">g</a><a href="a/#nope">n</a><a href="#main">m</a>"##,
        );
        let a = template(
            "a/index.html",
            r##"<a href="../gone/">g</a><a href="./#nope">n</a><a href="../a">f</a><main id="main"></main>"##,
        );
        let errors = check(&[home, a], &HashSet::new(), &NoSources);
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            messages,
            [
                // Found nowhere in the templates: one error per value, with its pages.
                "broken link on /: `gone/`",
                "broken anchor on /: `a/#nope`",
                "broken anchor on /: `#main`",
                "broken link on /a/: `../gone/`",
                "broken anchor on /a/: `./#nope`",
                "link to a folder without a trailing slash (breaks relative links) on /a/: `../a`",
            ]
        );
    }

    #[test]
    fn external_loads_are_errors_but_links_out_are_not() {
        let a = page(
            "index.html",
            r#"<a href="https://www.nice.org.uk/">NICE</a><img src="https://cdn.example/x.png" alt=""><link rel="stylesheet" href="https://fonts.example/css"><link rel="canonical" href="https://example.org/">"#,
        );
        let errors = check(&[a], &HashSet::new(), &NoSources);
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
        assert!(check(&[a], &HashSet::new(), &NoSources).is_empty());
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let a = page("index.html", r#"<h2 id="a">1</h2><h2 id="a">2</h2>"#);
        assert_eq!(
            check(&[a], &HashSet::new(), &NoSources)[0].message,
            "the id `a` is used twice on /"
        );
    }

    #[test]
    fn repeated_ids_are_listed_in_document_order() {
        let a = page(
            "index.html",
            r#"<p id="z"></p><p id="b"></p><p id="z"></p><p id="a"></p><p id="b"></p><p id="z"></p>"#,
        );
        let repeated: Vec<&str> = a.duplicate_ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(repeated, ["z", "b", "z"]);
        assert_eq!(a.ids.iter().collect::<Vec<_>>(), ["a", "b", "z"]);
    }

    #[test]
    fn html_that_trips_the_parser_is_not_fatal() {
        // lol_html rejects this; the scan must return, not panic.
        let p = page(
            "index.html",
            "<select><title>x</title></select><h2 id=\"a\">A</h2>",
        );
        assert!(p.duplicate_ids.is_empty());
    }

    #[test]
    fn origins_pack_into_eight_bytes_and_back() {
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        let span = |start, len| Some(Span { start, len });
        for origin in [
            Origin::Page,
            Origin::Template,
            Origin::Markdown {
                file: 0,
                span: None,
            },
            Origin::Markdown {
                file: 3,
                span: span(70_000, 12),
            },
        ] {
            assert_eq!(Origin::from(Packed::from(origin)), origin);
        }
        // Only the underline of a longer span is shorter.
        let long = Origin::Markdown {
            file: 0,
            span: span(1, 70_000),
        };
        assert_eq!(
            Origin::from(Packed::from(long)),
            Origin::Markdown {
                file: 0,
                span: span(1, u32::from(u16::MAX))
            }
        );
    }

    #[test]
    fn ids_are_kept_sorted_in_one_buffer() {
        let ids: Ids = ["b", "a", "c", "a"].into_iter().collect();
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(ids.contains("a") && ids.contains("c") && !ids.contains("") && !ids.contains("d"));
    }
}
