//! `factsheet build --offline`: a copy whose links point at files, for `file://`.

mod common;

use common::{Fixture, snapshot_dir};

/// Every `href` and `src` value of an HTML file.
fn links(html: &str) -> Vec<&str> {
    html.split(" href=\"")
        .chain(html.split(" src=\""))
        .filter(|part| !part.starts_with('<') && !part.starts_with("<!"))
        .filter_map(|part| part.split('"').next())
        .collect()
}

#[test]
fn links_point_at_index_files() {
    let f = Fixture::new();
    f.run(&["build", "--offline"]).assert_ok();
    let home_uk = f.read("public-offline/uk/index.html");
    assert!(
        home_uk.contains(r#"<a href="risks/index.html">ризики</a>"#),
        "{home_uk}"
    );
    assert!(home_uk.contains(r#"<a href="risks/index.html#bladder">сечовий міхур</a>"#));
    // Files keep their links.
    assert!(home_uk.contains(r#"<link rel="stylesheet" href="../style.css">"#));
    let risks = f.read("public-offline/risks/index.html");
    assert!(
        risks
            .contains(r#"<a href="../uk/risks/index.html" hreflang="uk" lang="uk">Українська</a>"#),
        "{risks}"
    );
    assert!(risks.contains(r#"<a href="index.html" aria-current="page">Risks</a>"#));
    assert!(risks.contains(r#"<a href="../index.html">Home</a>"#));
    // Canonical and hreflang URLs still name the published site.
    assert!(risks.contains(r#"<link rel="canonical" href="https://example.org/sheet/risks/">"#));
    // The sources page's links back to the pages citing a source.
    let sources = f.read("public-offline/uk/sources/index.html");
    assert!(
        sources.contains(r#"<a href="../risks/index.html">Ризики</a>"#),
        "{sources}"
    );
}

#[test]
fn no_link_of_the_copy_points_at_a_folder() {
    let f = Fixture::new();
    f.run(&["build", "--offline"]).assert_ok();
    let out = f.path("public-offline");
    let mut pages = 0;
    for (rel, bytes) in snapshot_dir(&out) {
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        for link in links(&html) {
            if link.starts_with("http") || link.starts_with('#') {
                continue;
            }
            let path = link.split('#').next().unwrap();
            assert!(
                path.ends_with(".html") || path.ends_with(".css"),
                "{rel}: `{link}` does not name a file"
            );
        }
    }
    assert_eq!(
        pages, 8,
        "every page, and no 404 page: nothing serves it from a stick"
    );
    assert!(!out.join("404.html").exists());
}

#[test]
fn the_normal_build_keeps_pretty_urls_and_its_own_folder() {
    let f = Fixture::new();
    f.run(&["build", "--offline"]).assert_ok();
    f.build().assert_ok();
    assert!(
        f.read("public/risks/index.html")
            .contains(r#"<a href="../">Home</a>"#)
    );
    assert!(f.path("public-offline/risks/index.html").is_file());
    let js = f.read("public/search-index.en.js");
    assert!(
        js.contains(r#"["Risks","risks/","What can go wrong."]"#),
        "{js}"
    );
    let offline = f.read("public-offline/search-index.en.js");
    assert!(
        offline.contains(r#"["Risks","risks/index.html","What can go wrong."]"#),
        "{offline}"
    );
    assert!(
        offline.contains(r#"["Home","index.html","The home page."]"#),
        "{offline}"
    );
}

#[test]
fn offline_builds_are_checked_and_byte_identical() {
    let f = Fixture::new();
    let out = f.path("copy");
    let out = out.to_str().unwrap();
    f.run(&["build", "--offline", "--output-dir", out])
        .assert_ok();
    let first = snapshot_dir(&f.path("copy"));
    f.run(&["build", "--offline", "--output-dir", out])
        .assert_ok();
    assert_eq!(first, snapshot_dir(&f.path("copy")));

    // A link to a missing page is caught on the offline links too.
    f.edit(
        "templates/base.html",
        "<main id=\"main\">",
        "<a href=\"{{ root }}missing/\">x</a><main id=\"main\">",
    );
    let run = f.run(&["build", "--offline", "--output-dir", out]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: broken link on /risks/: `../missing/index.html`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        first,
        snapshot_dir(&f.path("copy")),
        "the last good copy stays"
    );
}
