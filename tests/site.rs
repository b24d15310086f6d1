//! The real fact sheet, built through the real pipeline: every page in both languages, with
//! review dates, the emergency box, resolving citations, correct hreflang pairs, nothing
//! loaded from another site, and readability within the limit.

use std::path::{Path, PathBuf};
use std::process::Command;

const SLUGS: [&str; 14] = [
    "",
    "mechanism/",
    "indications/",
    "risks/",
    "ukraine/",
    "help/",
    "questions/",
    "myths/",
    "glossary/",
    "sources/",
    "about/",
    "print/",
    "search/",
    "handout/",
];

/// The real site's pages: each slug in English and Ukrainian. The browser suite expects as
/// many (`tests/browser/lib/config.mjs`); `the_browser_suite_expects_every_page` keeps the
/// two in step, so a new page is one change here and one there, not a silent mismatch.
const PAGES: usize = 2 * SLUGS.len();

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn factsheet(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(args)
        .arg("--root")
        .arg(project())
        // The site's review dates are checked against this day, so that the test does not
        // start failing when they fall due: `factsheet check` on the real calendar does that.
        .env(factsheet::content::TODAY_ENV, "2026-12-07")
        .output()
        .expect("run factsheet")
}

/// Build the real site once into a temp folder, shared by the tests in this file.
fn built() -> &'static Path {
    static OUT: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let run = factsheet(&["build", "--output-dir", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "the real site must build:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        dir
    })
    .path()
}

fn page(lang: &str, slug: &str) -> String {
    let prefix = if lang == "en" { "" } else { "uk/" };
    let path = built()
        .join("site")
        .join(format!("{prefix}{slug}index.html"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_pages() -> Vec<(&'static str, &'static str, String)> {
    ["en", "uk"]
        .into_iter()
        .flat_map(|lang| {
            SLUGS
                .into_iter()
                .map(move |slug| (lang, slug, page(lang, slug)))
        })
        .collect()
}

fn front_matter_date(lang: &str, slug: &str, key: &str) -> String {
    let stem = if slug.is_empty() {
        "_index"
    } else {
        slug.trim_end_matches('/')
    };
    let suffix = if lang == "en" { "" } else { ".uk" };
    let text =
        std::fs::read_to_string(project().join(format!("content/{stem}{suffix}.md"))).unwrap();
    let line = text.lines().find(|l| l.starts_with(key)).unwrap();
    line.split('=').nth(1).unwrap().trim().to_string()
}

#[test]
fn every_page_exists() {
    let pages = all_pages();
    assert_eq!(pages.len(), PAGES);
    let count = walkdir::WalkDir::new(built().join("site"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .count();
    assert_eq!(count, PAGES, "no page more, no page less");
}

#[test]
fn every_page_shows_review_dates_emergency_box_and_disclaimer() {
    for (lang, slug, html) in all_pages() {
        for key in ["last_reviewed", "next_review"] {
            let date = front_matter_date(lang, slug, key);
            assert!(
                html.contains(&format!("<time datetime=\"{date}\">")),
                "{lang} /{slug}: no {key} {date}"
            );
        }
        let emergency = html
            .find("class=\"emergency\"")
            .unwrap_or_else(|| panic!("{lang} /{slug}: no emergency box"));
        let main = html.find("<main").unwrap();
        for number in ["103", "112", "7333"] {
            assert!(
                html[emergency..].contains(&format!("href=\"tel:{number}\"")),
                "{lang} /{slug}: emergency box lacks a tel: link to {number}"
            );
        }
        // Every number in the box is a link: with the links taken out, none is left.
        let aside = &html[emergency..emergency + html[emergency..].find("</aside>").unwrap()];
        let mut rest = aside.to_string();
        while let Some(start) = rest.find("<a class=\"tel\"") {
            let end = start + rest[start..].find("</a>").unwrap() + 4;
            rest.replace_range(start..end, "");
        }
        for number in ["103", "112", "7333"] {
            assert!(
                !rest.contains(number),
                "{lang} /{slug}: {number} is not a link in {aside}"
            );
        }
        assert!(
            emergency < html.find("</main>").unwrap(),
            "the box is near the top"
        );
        let _ = main;
        let note = if lang == "en" {
            "medical advice"
        } else {
            "медичн"
        };
        assert!(
            html.contains(note),
            "{lang} /{slug}: no 'not medical advice' note"
        );
    }
}

#[test]
fn citations_resolve_to_the_page_source_list() {
    for (lang, slug, html) in all_pages() {
        let mut cited = 0;
        for part in html.split("href=\"#ref-").skip(1) {
            let key = &part[..part.find('"').unwrap()];
            assert!(
                html.contains(&format!("id=\"ref-{key}\"")),
                "{lang} /{slug}: [{key}] has no entry"
            );
            cited += 1;
        }
        assert!(cited > 0, "{lang} /{slug} cites nothing");
    }
}

#[test]
fn hreflang_pairs_point_at_the_twin() {
    let base = "https://factsheet.example.org/";
    for slug in SLUGS {
        let en = format!("{base}{slug}");
        let uk = format!("{base}uk/{slug}");
        for lang in ["en", "uk"] {
            let html = page(lang, slug);
            assert!(
                html.contains(&format!(
                    "<link rel=\"alternate\" hreflang=\"en\" href=\"{en}\">"
                )),
                "{lang} /{slug}"
            );
            assert!(
                html.contains(&format!(
                    "<link rel=\"alternate\" hreflang=\"uk\" href=\"{uk}\">"
                )),
                "{lang} /{slug}"
            );
            assert!(html.contains(&format!(
                "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{en}\">"
            )));
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")),
                "{lang} /{slug}"
            );
        }
        // The language switcher links to the same page in the other language.
        let twin = if slug.is_empty() {
            "uk/".to_string()
        } else {
            format!("../uk/{slug}")
        };
        assert!(
            page("en", slug).contains(&format!("href=\"{twin}\"")),
            "/{slug}: no switcher to {twin}"
        );
    }
}

#[test]
fn nothing_is_loaded_from_another_site() {
    for (lang, slug, html) in all_pages() {
        // The two scripts are the search box's and the one registering the service worker,
        // from this site, deferred: the page reads without them (the browser suite reads
        // every page with JavaScript off).
        let depth = slug.matches('/').count() + usize::from(lang != "en");
        let root = if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
        };
        let search_js = format!("<script src=\"{root}search.js\" defer></script>");
        let sw_js = format!("<script src=\"{root}sw-register.js\" defer></script>");
        assert_eq!(
            html.matches("<script").count(),
            2,
            "{lang} /{slug}: two scripts only"
        );
        assert!(html.contains(&search_js), "{lang} /{slug}: {search_js}");
        assert!(html.contains(&sw_js), "{lang} /{slug}: {sw_js}");
        for attr in [" src=\"http", " src=\"//", "url(http", "@import"] {
            assert!(!html.contains(attr), "{lang} /{slug}: loads {attr}");
        }
        for link in html.split("<link ").skip(1) {
            let tag = &link[..link.find('>').unwrap()];
            if tag.contains("stylesheet") || tag.contains("icon") {
                assert!(!tag.contains("href=\"http"), "{lang} /{slug}: {tag}");
            }
        }
    }
    let css = std::fs::read_to_string(project().join("static/style.css")).unwrap();
    for load in [
        "url(http",
        "url(\"http",
        "url('http",
        "url(//",
        "@import",
        "@font-face",
    ] {
        assert!(!css.contains(load), "style.css loads {load}");
    }
}

#[test]
fn the_stylesheet_comes_with_every_page() {
    // On a slow line a linked stylesheet costs the first screen a second round trip.
    let css = std::fs::read_to_string(project().join("static/style.css")).unwrap();
    // Inlined without its comments (notes for the theme's editors); this theme has no
    // `/*` inside a string, so cutting from each `/*` to its `*/` is the same here.
    let mut bare = String::new();
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        bare.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("every comment ends") + start + 2;
        rest = &rest[end..];
    }
    bare.push_str(rest);
    assert!(
        bare.len() < css.len(),
        "style.css has comments to leave out"
    );
    let style = format!("<style>{bare}</style>");
    for (lang, slug, html) in all_pages() {
        assert!(
            html.contains(&style),
            "{lang} /{slug}: no <style> with style.css"
        );
        assert!(
            !html.contains("rel=\"stylesheet\""),
            "{lang} /{slug}: links a stylesheet"
        );
    }
}

#[test]
fn check_passes_with_readability_and_parity() {
    let run = factsheet(&["check"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        format!(
            "Checked {PAGES} pages (en {0}, uk {0}), 15 other files: no problems found\n",
            SLUGS.len()
        )
    );
    assert!(
        run.stderr.is_empty(),
        "no warnings either: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_browser_suite_expects_every_page() {
    let config = std::fs::read_to_string(project().join("tests/browser/lib/config.mjs")).unwrap();
    let expected = config
        .split_once("EXPECT_PAGES ?? ")
        .and_then(|(_, rest)| rest.split(')').next())
        .and_then(|n| n.trim().parse::<usize>().ok());
    assert_eq!(
        expected,
        Some(PAGES),
        "tests/browser/lib/config.mjs: expectedPages should default to the site's {PAGES} pages"
    );
}

/// The pages the print page and the handout gather, in reading order, with their anchors
/// there (`home` for the home page).
fn gathered_pages() -> impl Iterator<Item = (&'static str, &'static str)> {
    SLUGS
        .into_iter()
        .filter(|s| !["print/", "sources/", "search/", "handout/"].contains(s))
        .map(|slug| {
            let anchor = if slug.is_empty() {
                "home"
            } else {
                slug.trim_end_matches('/')
            };
            (slug, anchor)
        })
}

#[test]
fn the_print_page_has_every_page_in_reading_order() {
    for lang in ["en", "uk"] {
        let html = page(lang, "print/");
        let mut last = 0;
        for (_, anchor) in gathered_pages() {
            let at = html
                .find(&format!("id=\"{anchor}\""))
                .unwrap_or_else(|| panic!("{lang} print page lacks {anchor}"));
            assert!(at > last, "{lang}: {anchor} out of order");
            last = at;
        }
    }
}

#[test]
fn every_content_page_opens_with_a_key_facts_box() {
    for lang in ["en", "uk"] {
        // Content pages: all but the list of sources and the print page.
        for slug in SLUGS
            .iter()
            .filter(|s| !["sources/", "print/", "search/", "handout/"].contains(s))
        {
            let html = page(lang, slug);
            let content = html.find("<div class=\"content\">").unwrap();
            let after = html[content..].trim_start_matches("<div class=\"content\">\n");
            assert!(
                after.starts_with("<section class=\"key-facts\" aria-labelledby=\"key-facts\">"),
                "{lang} /{slug}: the content does not open with the key facts box"
            );
            // "On this page" comes after the box, and does not list it.
            if let Some(toc) = html.find("class=\"toc\"") {
                assert!(toc > content, "{lang} /{slug}: contents before key facts");
                assert!(!html[toc..].starts_with("class=\"toc\" aria-labelledby=\"toc-title\">\n<h2 id=\"toc-title\">On this page</h2>\n<ul>\n<li><a href=\"#key-facts\""));
            }
        }
    }
}

#[test]
fn the_search_page_lists_every_other_page_with_its_description() {
    for lang in ["en", "uk"] {
        let html = page(lang, "search/");
        let list = &html[html.find("<section class=\"page-list\"").unwrap()..];
        for slug in SLUGS.iter().filter(|s| **s != "search/") {
            let target = if slug.is_empty() {
                "../"
            } else {
                &format!("../{slug}")
            };
            let linked = format!("<li><a href=\"{target}\">");
            assert!(list.contains(&linked), "{lang}: no {linked} in the list");
        }
        let suffix = if lang == "en" { "" } else { ".uk" };
        let risks =
            std::fs::read_to_string(project().join(format!("content/risks{suffix}.md"))).unwrap();
        let description = risks
            .lines()
            .find_map(|l| l.strip_prefix("description = \""))
            .unwrap()
            .trim_end_matches('"');
        assert!(list.contains(description), "{lang}: {description}");
    }
}

#[test]
fn footers_say_what_the_review_was_and_who_wrote_and_checked_the_page() {
    for (lang, slug, html) in all_pages() {
        let footer = &html[html.find("<footer").unwrap()..];
        let (checked, written, clinical) = if lang == "en" {
            (
                "Content last checked against sources: <time",
                "Written by: The factsheet project editors",
                "Clinical review: not yet",
            )
        } else {
            (
                "Текст сторінки востаннє звірено з джерелами: <time",
                "Текст підготували: редактори проєкту factsheet",
                "Клінічна перевірка: ще не проводилася",
            )
        };
        for text in [checked, written, clinical] {
            assert!(footer.contains(text), "{lang} /{slug}: footer lacks {text}");
        }
        assert!(!html.contains("Page last reviewed"), "{lang} /{slug}");
        assert!(
            footer.contains("<a href=\"mailto:feedback@factsheet.example.org\">"),
            "{lang} /{slug}: no way to report a mistake"
        );
    }
}

#[test]
fn the_sources_page_shows_the_emergency_box_sources_on_every_page() {
    for (lang, every) in [
        ("en", "Cited on: every page (in the emergency box)"),
        (
            "uk",
            "Де цитується: на кожній сторінці (у блоці екстреної допомоги)",
        ),
    ] {
        let html = page(lang, "sources/");
        for key in ["U13", "U14", "S19"] {
            let item = &html[html.find(&format!("<li id=\"{key}\">")).unwrap()..];
            let item = &item[..item.find("</li>").unwrap()];
            assert!(item.contains(every), "{lang}: {key}: {item}");
        }
    }
}

#[test]
fn source_details_are_in_the_language_of_the_page() {
    let uk = page("uk", "sources/");
    let list = &uk[uk.find("class=\"source-list\"").unwrap()..];
    assert!(
        !list.contains(", not dated."),
        "an English date on a Ukrainian page"
    );
    assert!(list.contains("5 березня 2019 р."));
    let en = page("en", "sources/");
    let list = &en[en.find("class=\"source-list\"").unwrap()..];
    assert!(
        !list.contains("без дати"),
        "a Ukrainian date on an English page"
    );
    assert!(list.contains("Cabinet of Ministers of Ukraine, 6 May 2000 (as amended)."));
}

#[test]
fn glossary_words_link_to_their_entry_the_first_time_only() {
    let en = page("en", "risks/");
    assert_eq!(en.matches("href=\"../glossary/#fda\"").count(), 1);
    assert!(en.contains("<a href=\"../glossary/#fda\">FDA</a>"));
    let uk = page("uk", "mechanism/");
    assert_eq!(uk.matches("href=\"../glossary/#nmda-receptor\"").count(), 1);
}

#[test]
fn ukrainian_text_uses_one_apostrophe() {
    let mut files = vec![
        project().join("i18n/uk.toml"),
        project().join("sources.toml"),
    ];
    for entry in std::fs::read_dir(project().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".uk.md") {
            files.push(path);
        }
    }
    let cyrillic = |c: char| ('\u{400}'..='\u{4ff}').contains(&c);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(3) {
            assert!(
                !(w[1] == '\'' && cyrillic(w[0]) && cyrillic(w[2])),
                "{}: write ’ in {}{}{}",
                file.display(),
                w[0],
                w[1],
                w[2]
            );
        }
    }
}

#[test]
fn each_language_has_a_search_index_of_its_pages() {
    for (lang, risks_title, bladder) in [
        ("en", "Risks and side effects", "Bladder problems"),
        (
            "uk",
            "Ризики і побічні реакції",
            "Проблеми із сечовим міхуром",
        ),
    ] {
        let path = built().join("site").join(format!("search-index.{lang}.js"));
        let js = std::fs::read_to_string(&path).unwrap();
        assert!(
            js.contains(&format!(
                "[\"{risks_title}\",\"{}risks/\"",
                if lang == "en" { "" } else { "uk/" }
            )),
            "{lang}: {risks_title}"
        );
        assert!(
            js.contains(&format!("\"{bladder}\",\"bladder\"")),
            "{lang}: {bladder}"
        );
        // The print page repeats every page and the search page lists them: neither is indexed.
        assert!(
            !js.contains("print/\""),
            "{lang}: the print page is indexed"
        );
        assert!(
            !js.contains("search/\""),
            "{lang}: the search page is indexed"
        );
        // Small enough to load over a slow connection on first use.
        assert!(
            js.len() < 200_000,
            "{lang}: the index is {} bytes",
            js.len()
        );
    }
}

/// The copy clinics hand out on USB sticks: every page of the real site, the print page with
/// its sections from all the others among them, links to files rather than folders.
#[test]
fn the_real_site_builds_as_an_offline_copy_with_no_link_to_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("offline");
    let run = factsheet(&["build", "--offline", "--output-dir", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "the offline copy must build:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let print = std::fs::read_to_string(out.join("print/index.html")).unwrap();
    // A page outside the print document, linked from a section (the home page's list).
    assert!(
        print.contains(r#"<a href="../sources/index.html">"#),
        "print page links to the sources page as a file"
    );
    for (lang, slug, _) in all_pages() {
        let prefix = if lang == "en" { "" } else { "uk/" };
        let html = std::fs::read_to_string(out.join(format!("{prefix}{slug}index.html"))).unwrap();
        for href in html
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            let href = href.replace("&#x2F;", "/");
            let path = href.split('#').next().unwrap_or("");
            if href.starts_with("http") || href.starts_with("mailto:") || path.is_empty() {
                continue;
            }
            assert!(
                !path.ends_with('/') && path != "." && path != "..",
                "{lang} {slug}: `{href}` points at a folder"
            );
        }
    }
}

#[test]
fn the_404_page_numbers_are_tel_links_in_both_languages() {
    let html = std::fs::read_to_string(built().join("site/404.html")).unwrap();
    for link in [
        "<a class=\"tel\" href=\"tel:103\" aria-label=\"Call 103: ambulance\">103</a>",
        "<a class=\"tel\" href=\"tel:112\" aria-label=\"Call 112: emergency services\">112</a>",
        "<a class=\"tel\" href=\"tel:103\" aria-label=\"Зателефонувати на 103: швидка допомога\">103</a>",
        "<a class=\"tel\" href=\"tel:112\" aria-label=\"Зателефонувати на 112: екстрені служби\">112</a>",
    ] {
        assert!(html.contains(link), "no {link} in {html}");
    }
}

#[test]
fn the_handout_has_every_pages_key_facts_a_qr_code_and_stays_out_of_search_engines() {
    let sitemap = std::fs::read_to_string(built().join("site/sitemap.xml")).unwrap();
    assert!(!sitemap.contains("handout/"), "{sitemap}");
    assert!(!sitemap.contains("print/"), "{sitemap}");
    for lang in ["en", "uk"] {
        let html = page(lang, "handout/");
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(
            html.contains("class=\"emergency\""),
            "{lang}: no emergency box"
        );
        let mut last = 0;
        for (slug, anchor) in gathered_pages() {
            let at = html
                .find(&format!("<h2 id=\"{anchor}-title\">"))
                .unwrap_or_else(|| panic!("{lang} handout lacks {anchor}"));
            assert!(at > last, "{lang}: {anchor} out of order");
            last = at;
            let prefix = if lang == "en" { "" } else { "uk/" };
            assert!(
                html.contains(&format!("factsheet.example.org/{prefix}{slug}</span>")),
                "{lang}: no address of {slug}"
            );
        }
        // The QR code is inline SVG, named, of the language's home page.
        let home = if lang == "en" {
            "https://factsheet.example.org/"
        } else {
            "https://factsheet.example.org/uk/"
        };
        let svg = html
            .find("<svg role=\"img\" aria-label=\"")
            .expect("a QR code");
        assert!(html[svg..].starts_with(&format!(
            "<svg role=\"img\" aria-label=\"{}",
            if lang == "en" {
                format!("QR code with the address {home}")
            } else {
                format!("QR-код з адресою {home}")
            }
        )));
        // Linked from the footer of every page and from the print page.
        for slug in ["", "risks/", "print/"] {
            assert!(
                page(lang, slug).contains("href=\"../handout/\"")
                    || page(lang, slug).contains("href=\"handout/\""),
                "{lang} /{slug}: no link to the handout"
            );
        }
    }
}
