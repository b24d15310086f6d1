//! `factsheet build` and `factsheet check` on a small fixture site: the files written, the
//! HTML that comes out, and the guarantees around the output folder.

mod common;

use common::{Fixture, snapshot_dir};

#[test]
fn writes_pretty_urls_for_both_languages() {
    let f = Fixture::new();
    let run = f.build();
    run.assert_ok();
    for file in [
        "index.html",
        "risks/index.html",
        "sources/index.html",
        "print/index.html",
        "uk/index.html",
        "uk/risks/index.html",
        "uk/sources/index.html",
        "uk/print/index.html",
        "style.css",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        // The service worker's list of files to store, and a web app manifest per language.
        "offline-manifest.json",
        "app.en.webmanifest",
        "app.uk.webmanifest",
        ".factsheet-output",
    ] {
        assert!(f.path("public").join(file).is_file(), "missing {file}");
    }
    assert!(
        run.stdout
            .starts_with("Built 8 pages (en 4, uk 4), 9 other files in "),
        "{}",
        run.stdout
    );
}

#[test]
fn links_are_relative_and_follow_the_language() {
    let f = Fixture::new();
    f.build().assert_ok();
    let home_uk = f.read("public/uk/index.html");
    assert!(
        home_uk.contains(r#"<a href="risks/">ризики</a>"#),
        "{home_uk}"
    );
    assert!(home_uk.contains(r#"<a href="risks/#bladder">сечовий міхур</a>"#));
    assert!(home_uk.contains(r#"<link rel="stylesheet" href="../style.css">"#));
    let risks = f.read("public/risks/index.html");
    // The language switcher leads to the same page in the other language.
    assert!(
        risks.contains(r#"<a href="../uk/risks/" hreflang="uk" lang="uk">Українська</a>"#),
        "{risks}"
    );
    assert!(risks.contains(r#"<a href="./" aria-current="page">Risks</a>"#));
    assert!(risks.contains(r#"<a href="../">Home</a>"#));
}

#[test]
fn absolute_urls_only_where_required() {
    let f = Fixture::new();
    f.build().assert_ok();
    let risks = f.read("public/uk/risks/index.html");
    assert!(risks.contains(r#"<link rel="canonical" href="https://example.org/sheet/uk/risks/">"#));
    assert!(risks.contains(
        r#"<link rel="alternate" hreflang="en" href="https://example.org/sheet/risks/">"#
    ));
    assert!(risks.contains(
        r#"<link rel="alternate" hreflang="uk" href="https://example.org/sheet/uk/risks/">"#
    ));
    assert!(risks.contains(
        r#"<link rel="alternate" hreflang="x-default" href="https://example.org/sheet/risks/">"#
    ));
    let sitemap = f.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/sheet/uk/risks/</loc>\n    <lastmod>2026-11-01</lastmod>\n    <xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/sheet/risks/\"/>"));
    // 8 pages; the two print pages are `noindex`, so not in the sitemap either.
    assert_eq!(sitemap.matches("<url>").count(), 6);
    assert!(!sitemap.contains("print/"), "{sitemap}");
    assert_eq!(
        f.read("public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sheet/sitemap.xml\n"
    );
    // The 404 page is served at any path, so it links from the site's absolute path.
    let not_found = f.read("public/404.html");
    assert!(
        not_found.contains(r#"<a href="/sheet/">Page not found</a>"#),
        "{not_found}"
    );
    // --base-url moves every absolute URL and nothing else.
    f.run(&["build", "--base-url", "http://127.0.0.1:8000/a/b"])
        .assert_ok();
    let risks2 = f.read("public/uk/risks/index.html");
    assert!(risks2.contains(r#"href="http://127.0.0.1:8000/a/b/uk/risks/""#));
    assert_eq!(
        risks.replace("https://example.org/sheet/", "http://127.0.0.1:8000/a/b/"),
        risks2
    );
    assert!(f.read("public/404.html").contains(r#"href="/a/b/""#));
}

/// A partial is the same on every page unless it links to a page: then the link is relative
/// to each page that shows it.
#[test]
fn a_partial_linking_to_a_page_is_relative_on_each_page() {
    let f = Fixture::new();
    f.write(
        "content/_note.md",
        "Call for help [@A1]. Read about [risks](risks.md).\n",
    );
    f.build().assert_ok();
    assert!(
        f.read("public/index.html")
            .contains(r#"<a href="risks/">risks</a>"#)
    );
    assert!(
        f.read("public/risks/index.html")
            .contains(r#"<a href="./">risks</a>"#)
    );
    // The other language's partial has no link to a page, and is unchanged.
    assert!(!f.read("public/uk/index.html").contains(">risks</a>"));
}

#[test]
fn citations_are_numbered_and_listed_per_page() {
    let f = Fixture::new();
    f.build().assert_ok();
    let risks = f.read("public/risks/index.html");
    // The partial (shown on every page) cites A1 first, so A1 is [1] everywhere.
    // The space before a citation is a no-break space, so "[1]" never wraps onto its own line.
    let box_html = concat!(
        "<aside><p>Call for help\u{a0}<sup class=\"cite\">",
        "<a href=\"#ref-A1\" id=\"cite-A1-1\" aria-label=\"Source 1\">[1]</a></sup>.</p>"
    );
    assert!(risks.contains(box_html), "{risks}");
    assert!(risks.contains(r##"<a href="#ref-A2" id="cite-A2-1" aria-label="Source 2">[2]</a>, <a href="#ref-A1" id="cite-A1-3" aria-label="Source 1">[1]</a>"##));
    assert!(risks.contains(r#"<li id="ref-A2"><a href="https://example.com/review" lang="uk">Огляд</a> <a href="../sources/#A2">all</a></li>"#));
    let sources = f.read("public/uk/sources/index.html");
    assert!(
        sources.contains(r#"<li id="A2">Огляд: <a href="../risks/">Ризики</a> </li>"#),
        "{sources}"
    );
    let uk = f.read("public/uk/risks/index.html");
    assert!(uk.contains(r#"aria-label="Джерело 1""#));
    assert!(
        uk.contains(r#"<h2 id="у-день-лікування">"#),
        "readable Cyrillic ids: {uk}"
    );
}

#[test]
fn print_page_holds_every_page_with_unique_ids() {
    let f = Fixture::new();
    f.build().assert_ok();
    let print = f.read("public/print/index.html");
    assert!(
        print.contains(r#"<section id="home"><h2>Home</h2>"#),
        "{print}"
    );
    assert!(print.contains(r#"<section id="risks"><h2>Risks</h2>"#));
    // Links between pages become links inside the document.
    assert!(
        print.contains(
            r##"<a href="#risks">risks</a> and the <a href="#risks-bladder">bladder</a>"##
        )
    );
    assert!(print.contains(r#"<h3 id="risks-bladder">Bladder</h3>"#));
    assert!(
        !print.contains("<section id=\"print\""),
        "the print page does not include itself"
    );
}

/// A page's section of the print page is the page's own rendered content, moved into the
/// document: ids get the section's prefix and links follow them, headings go one level down,
/// and citations keep the numbers they have on the page.
#[test]
fn print_sections_are_the_pages_as_rendered() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "It can hurt",
        "See [the day](#on-the-day) and a note.[^n] It can hurt",
    );
    let risks = f.read("content/risks.md");
    f.write("content/risks.md", &format!("{risks}\n[^n]: A note.\n"));
    f.build().assert_ok();
    let between = |html: &str, start: &str, end: &str| -> String {
        let from = html
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {html}"))
            + start.len();
        let to = from
            + html[from..]
                .find(end)
                .unwrap_or_else(|| panic!("{end} in {html}"));
        html[from..to].to_string()
    };
    let page = between(
        &f.read("public/risks/index.html"),
        "</time></p>\n",
        "\n<h2>Sources",
    );
    let section = between(
        &f.read("public/print/index.html"),
        "<section id=\"risks\"><h2>Risks</h2>",
        "<ol><li id=\"risks-ref-",
    );
    assert!(
        page.contains(r#"<div class="footnote-definition" id="n">"#),
        "{page}"
    );
    assert!(page.contains(r#"aria-label="Source 2">[2]</a>"#), "{page}");
    let moved = page
        .replace(" id=\"", " id=\"risks-")
        .replace(" href=\"#", " href=\"#risks-")
        .replace("h3>", "h4>")
        .replace("<h3 ", "<h4 ")
        .replace("h2>", "h3>")
        .replace("<h2 ", "<h3 ");
    assert_eq!(section, moved);
    // Each section lists its own sources under the numbers they have on the page; the print
    // page lists those of its own text and partials.
    let print = f.read("public/print/index.html");
    assert!(
        print.contains(concat!(
            r#"<li id="risks-ref-A1" value="1">A study of cats</li>"#,
            r#"<li id="risks-ref-A2" value="2">Огляд</li></ol></section>"#
        )),
        "{print}"
    );
    assert!(
        print.contains(r#"<ol><li id="ref-A1">A study of cats</li></ol>"#),
        "{print}"
    );
}

#[test]
fn builds_are_byte_identical() {
    let f = Fixture::new();
    f.build().assert_ok();
    let first = snapshot_dir(&f.path("public"));
    f.build().assert_ok();
    assert_eq!(first, snapshot_dir(&f.path("public")));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let f = Fixture::new();
    f.build().assert_ok();
    let before = snapshot_dir(&f.path("public"));
    f.edit("content/risks.md", "[@A1]", "[@NOPE]");
    f.write("content/new.md", "+++\ntitle = \"New\"\n+++\n");
    let run = f.build();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: invalid front matter: missing field `description`\n --> content/new.md:2:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(
            "error: could not build the site: 1 error; the previous output was left as it was\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(before, snapshot_dir(&f.path("public")));
    let leftovers: Vec<String> = std::fs::read_dir(f.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn stale_files_disappear_on_rebuild() {
    let f = Fixture::new();
    f.write("static/old.css", "x");
    f.build().assert_ok();
    f.remove("static/old.css");
    f.build().assert_ok();
    assert!(!f.path("public/old.css").exists());
}

#[test]
fn refuses_output_folders_it_did_not_make() {
    let f = Fixture::new();
    f.write("notes/keep.txt", "precious");
    for dir in [".", "content", "notes", "/"] {
        let run = f.run(&["build", "--output-dir", dir]);
        assert_eq!(run.code, 2, "{dir}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "error: refusing to use {dir} as the output folder: "
            )),
            "{}",
            run.stderr
        );
    }
    assert_eq!(f.read("notes/keep.txt"), "precious");
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let run = f.run(&["build", "--output-dir", &home]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("it is your home folder")
            || run.stderr.contains("contains the project"),
        "{}",
        run.stderr
    );
    f.run(&["build", "--output-dir", "site-out"]).assert_ok();
    f.run(&["build", "--output-dir", "site-out"]).assert_ok();
}

#[test]
fn drafts_are_built_only_on_request() {
    let f = Fixture::new();
    for (file, title) in [("content/plan.md", "Plan"), ("content/plan.uk.md", "План")] {
        f.write(file, &format!("+++\ntitle = \"{title}\"\ndescription = \"d\"\nweight = 5\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\ndraft = true\n+++\n\nSoon.\n"));
    }
    f.build().assert_ok();
    assert!(!f.path("public/plan/index.html").exists());
    f.run(&["build", "--drafts"]).assert_ok();
    assert!(f.path("public/uk/plan/index.html").exists());
}

#[test]
fn check_writes_nothing_and_lists_every_problem() {
    let f = Fixture::new();
    f.run(&["check"]).assert_ok();
    assert!(!f.path("public").exists());
    f.edit("content/risks.md", "[@A2; @A1]", "[@A3]");
    f.edit("content/_index.uk.md", "risks.md#bladder", "risks.md#nope");
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: unknown source `A3`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: translation content/risks.uk.md cites A2 which the original does not"
        ),
        "{}",
        run.stderr
    );
    // It points at the citation the original lacks, not only at the file.
    assert!(
        run.stderr.contains(" --> content/risks.uk.md:16:34")
            && run.stderr.contains("the original does not cite A2"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("error: could not check the site: 2 errors\n"),
        "{}",
        run.stderr
    );
    f.edit("content/risks.md", "[@A3]", "[@A2; @A1]");
    // A translation that lacks a citation has nothing to point at: the help says where the
    // original makes it.
    f.edit("content/risks.uk.md", "[@A2; @A1]", "[@A1]");
    let run = f.run(&["check"]);
    assert!(
        run.stderr
            .contains("translation content/risks.uk.md does not cite A2")
            && run
                .stderr
                .contains("the original cites A2 at content/risks.md:16:"),
        "{}",
        run.stderr
    );
    f.edit("content/risks.uk.md", "міхур [@A1]", "міхур [@A2; @A1]");
    let run = f.run(&["check"]);
    assert_eq!(
        run.stderr,
        "error: broken anchor on /uk/: `risks/#nope`\n --> content/_index.uk.md:9:26\n  |\n9 | Про [ризики](risks.md) і [сечовий міхур](risks.md#nope).\n  |                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\nerror: could not check the site: 1 error\n"
    );
    assert!(!f.path("public").exists());
}

#[test]
fn readability_fails_check_and_warns_in_build() {
    let f = Fixture::new();
    let hard = "Administration necessitates comprehensive institutional monitoring considering potential dissociative manifestations and hypertensive complications in susceptible individuals";
    // Too short to grade (under 100 words): a two-sentence page is not a fair sample.
    f.edit(
        "content/risks.md",
        "You may feel sleepy [@A1].",
        &format!("{hard} [@A1]."),
    );
    f.run(&["check"]).assert_ok();
    // Long enough: graded, and over the limit.
    f.edit(
        "content/risks.md",
        &format!("{hard} [@A1]."),
        &format!("{hard} [@A1]. ").repeat(7),
    );
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: content/risks.md reads at grade "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("longest sentences:\n     (15 words) Administration necessitates"),
        "{}",
        run.stderr
    );
    let run = f.build();
    run.assert_ok();
    assert!(
        run.stderr
            .starts_with("warning: content/risks.md reads at grade "),
        "{}",
        run.stderr
    );
}

#[test]
fn cli_help_version_and_usage_errors() {
    let f = Fixture::new();
    for args in [&["--help"][..], &["build", "--help"], &["check", "--help"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: factsheet"));
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .arg("--version")
        .output()
        .unwrap();
    // "factsheet 0.1.0 (commit 5ae82c6, 2026-12-07)", or without the commit when built
    // outside git (build.rs).
    let version = String::from_utf8_lossy(&out.stdout);
    let bare = format!("factsheet {}", env!("CARGO_PKG_VERSION"));
    let rest = version
        .strip_prefix(&bare)
        .unwrap_or_else(|| panic!("{version}"));
    assert!(
        rest == "\n" || (rest.starts_with(" (commit ") && rest.ends_with(")\n")),
        "{version}"
    );
    assert_eq!(f.run(&["build", "--bogus"]).code, 2);
}

#[test]
fn static_and_content_assets_are_copied() {
    let f = Fixture::new();
    f.write_bytes("static/img/logo.png", &[0x89, b'P', b'N', b'G', 0, 1, 2]);
    f.write_bytes("content/chart.png", &[1, 2, 3]);
    f.build().assert_ok();
    assert_eq!(
        std::fs::read(f.path("public/img/logo.png")).unwrap(),
        vec![0x89, b'P', b'N', b'G', 0, 1, 2]
    );
    assert_eq!(
        std::fs::read(f.path("public/chart.png")).unwrap(),
        vec![1, 2, 3]
    );
}

/// Pages are read again when they render (the build does not hold every page's Markdown).
/// A body edited in between is simply rendered; a page whose front matter changed in
/// between is an error, not a page made of two versions.
#[test]
fn a_page_changed_during_the_build_is_reported() {
    use factsheet::output::NullSink;
    use factsheet::site::{LoadOptions, Site, Strictness};
    let f = Fixture::new();
    let site = Site::load(f.root(), &LoadOptions::default()).expect("the fixture loads");
    let body = f.read("content/risks.md");
    let (head, rest) = body.split_at(body.rfind("+++").unwrap());
    f.write("content/risks.md", &format!("{head}{rest}\nA new line.\n"));
    assert!(site.render(&NullSink, Strictness::Build).is_ok());
    f.write(
        "content/risks.md",
        &body.replacen("title = \"", "title = \"Changed ", 1),
    );
    let errors = site
        .render(&NullSink, Strictness::Build)
        .expect_err("front matter changed after loading");
    let messages: Vec<&str> = errors.0.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages, ["content/risks.md changed during the build"]);
}

/// A build killed before it could clean up (an abort, SIGKILL, a power cut) leaves its
/// staging folder; the next build removes it, and only folders that carry our marks.
#[test]
fn the_next_build_removes_staging_folders_a_killed_build_left() {
    let f = Fixture::new();
    // An unfinished staging folder: its lock file is there, nobody holds it.
    f.write(".public.staging-AbC123/.factsheet-staging", "");
    f.write(".public.staging-AbC123/index.html", "half");
    // A previous output moved aside by a commit that was killed before deleting it.
    f.write(".public.staging-XyZ789.old/.factsheet-output", "");
    // Look-alikes that are not ours stay.
    f.write(".public.staging-mine/notes.txt", "keep me");
    f.build().assert_ok();
    assert!(!f.path(".public.staging-AbC123").exists());
    assert!(!f.path(".public.staging-XyZ789.old").exists());
    assert_eq!(f.read(".public.staging-mine/notes.txt"), "keep me");
}

/// Ctrl-C in the middle of a build removes the staging folder (as big as the output).
#[cfg(unix)]
#[test]
fn ctrl_c_during_a_build_removes_its_staging_folder() {
    let f = Fixture::new();
    let staging = || {
        std::fs::read_dir(f.root()).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".public.staging-")
        })
    };
    // The build stops before its commit and says so: the signal surely comes mid-build.
    let paused = f.path("paused-before-commit");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["build", "--root"])
        .arg(f.root())
        .env(factsheet::output::TEST_PAUSE_ENV, &paused)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !paused.exists() && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(paused.exists(), "the build never reached its commit");
    assert!(staging(), "the build staged nothing");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(!f.path("public").exists(), "no half-written output");
    assert!(!staging(), "the staging folder was left behind");
}

/// A page whose file name is Cyrillic gets a Cyrillic folder; its canonical URL and sitemap
/// entry are percent-encoded, as URLs in XML and `<link>` must be.
#[test]
fn cyrillic_file_names_are_percent_encoded_in_absolute_urls() {
    let f = Fixture::new();
    f.write(
        "content/ризики.md",
        &f.read("content/risks.md")
            .replace("weight = 10", "weight = 20\ntranslation = false")
            .replace("{#bladder}", "{#bladder2}"),
    );
    f.build().assert_ok();
    let page = f.read("public/ризики/index.html");
    let encoded = "https://example.org/sheet/%D1%80%D0%B8%D0%B7%D0%B8%D0%BA%D0%B8/";
    assert!(
        page.contains(&format!("<link rel=\"canonical\" href=\"{encoded}\">")),
        "{page}"
    );
    let sitemap = f.read("public/sitemap.xml");
    assert!(
        sitemap.contains(&format!("<loc>{encoded}</loc>")),
        "{sitemap}"
    );
    // Links between pages stay relative, in letters: browsers encode them themselves.
    assert!(f.read("public/index.html").contains("href=\"ризики/\""));
}

/// `--quiet` prints errors only; a pipe gets no colour codes.
#[test]
fn quiet_prints_only_errors_and_pipes_get_plain_text() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "next_review = 2027-05-01",
        "next_review = 2026-12-01",
    );
    let run = f.run(&["build", "--quiet"]);
    run.assert_ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let run = f.build();
    assert!(run.stderr.starts_with("warning: "), "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    // An error and a warning: the warning goes.
    f.edit("content/risks.md", "sleepy [@A1]", "sleepy [@NOPE]");
    let run = f.run(&["build", "--quiet"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.starts_with("error: unknown source `NOPE`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// Recursion that ends is fine, up to Tera's limit of 20 nested components.
#[test]
fn deep_recursive_components_that_end_render() {
    let f = Fixture::new();
    f.call_component(
        "{% component tree(n) %}<i>{{ n }}{% if n < 20 %}{{ <tree n={n + 1}/> }}{% endif %}</i>{% endcomponent tree %}\n",
        "<tree n={1}/>",
    );
    f.build().assert_ok();
    assert!(f.read("public/risks/index.html").contains("<i>20</i>"));
}

/// Symbolic links that stay in the project are fine: a shared file linked into static/, a
/// folder linked into content/, a template linked to another.
#[cfg(unix)]
#[test]
fn symlinks_within_the_project_are_followed() {
    let f = Fixture::new();
    f.write("shared/logo.svg", "<svg/>");
    f.write(
        "shared/pages/extra.md",
        &f.read("content/risks.md")
            .replace("weight = 10", "weight = 20\ntranslation = false")
            .replace("{#bladder}", ""),
    );
    std::os::unix::fs::symlink(f.path("shared/logo.svg"), f.path("static/logo.svg")).unwrap();
    std::os::unix::fs::symlink(f.path("shared/pages"), f.path("content/more")).unwrap();
    std::os::unix::fs::symlink(
        f.path("templates/page.html"),
        f.path("templates/other.html"),
    )
    .unwrap();
    f.build().assert_ok();
    assert_eq!(f.read("public/logo.svg"), "<svg/>");
    assert!(f.path("public/more/extra/index.html").is_file());
}

/// A FIFO, a socket (or a device: `-o /dev/null` as root) at the output path was renamed
/// away and replaced by the site. Anything that is not a folder is refused and left alone.
#[cfg(unix)]
#[test]
fn an_output_path_that_is_not_a_folder_is_refused_and_left_alone() {
    use std::os::unix::fs::FileTypeExt;
    let f = Fixture::new();
    let out = tempfile::tempdir().unwrap();
    let pipe = out.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let sock = out.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    for (path, kind) in [(&pipe, "a named pipe (FIFO)"), (&sock, "a socket")] {
        let run = f.run(&["build", "--output-dir", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("it is {kind}, not a folder")),
            "{}",
            run.stderr
        );
    }
    assert!(pipe.symlink_metadata().unwrap().file_type().is_fifo());
    assert!(sock.symlink_metadata().unwrap().file_type().is_socket());
    let names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing beside them: {names:?}");
}

/// `public -> /srv/www`: the link's target was emptied and the link replaced by a folder.
/// Now the target is replaced by the new build (staged beside it) and the link stays.
#[cfg(unix)]
#[test]
fn a_symlinked_output_folder_stays_a_link_to_the_new_build() {
    let f = Fixture::new();
    let host = tempfile::tempdir().unwrap();
    let www = host.path().join("www");
    let public = host.path().join("public");
    f.run(&["build", "--output-dir", www.to_str().unwrap()])
        .assert_ok();
    std::os::unix::fs::symlink(&www, &public).unwrap();
    f.edit(
        "content/risks.md",
        "You may feel sleepy",
        "You may feel drowsy",
    );
    f.run(&["build", "--output-dir", public.to_str().unwrap()])
        .assert_ok();
    assert!(public.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_link(&public).unwrap(), www);
    let page = std::fs::read_to_string(www.join("risks/index.html")).unwrap();
    assert!(page.contains("You may feel drowsy"), "{page}");
    let mut names: Vec<_> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["public", "www"], "no staging left");
    // A link to nothing is refused, and stays.
    let dangling = host.path().join("dangling");
    std::os::unix::fs::symlink(host.path().join("gone"), &dangling).unwrap();
    let run = f.run(&["build", "--output-dir", dangling.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("which does not exist"),
        "{}",
        run.stderr
    );
    assert!(
        dangling
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A read-only `public/` (its parent writable) was replaced, but its old copy stayed beside
/// it as `.public.staging-*.old` for ever. Run as a user the permissions apply to: as root,
/// through `setpriv` as `nobody`.
#[cfg(unix)]
#[test]
fn a_read_only_output_folder_leaves_nothing_behind() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let host = tempfile::tempdir().unwrap();
    let out = host.path().join("out");
    let chmod = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let build = || {
        let mut cmd = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_factsheet"));
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        };
        let o = cmd
            .args(["build", "--root"])
            .arg(f.root())
            .arg("--output-dir")
            .arg(&out)
            .env(common::TODAY_ENV, common::TODAY)
            .output()
            .unwrap();
        common::Run::from(o)
    };
    // The user the build runs as must own the folder it builds in.
    chmod(host.path(), 0o777);
    if as_root {
        for entry in walkdir::WalkDir::new(f.root()) {
            chmod(entry.unwrap().path(), 0o777);
        }
        chmod(f.root(), 0o777);
    }
    build().assert_ok();
    chmod(&out, 0o555);
    let run = build();
    run.assert_ok();
    assert!(
        !run.stderr.contains("could not be removed"),
        "{}",
        run.stderr
    );
    let names: Vec<_> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["out"], "the old build is removed");
}

/// `--base-url` with a query and fragment, a space, a quote or no host built broken
/// canonical and sitemap URLs with exit 0.
#[test]
fn a_base_url_option_that_is_not_a_plain_address_is_a_usage_error() {
    let f = Fixture::new();
    for bad in [
        "https://example.org/sub?x=1#frag",
        "https://example.org/a b\"c/",
        "https://",
        "https://exa mple.org/",
    ] {
        for command in ["build", "check"] {
            let run = f.run(&[command, "--base-url", bad]);
            assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
            assert!(
                run.stderr.starts_with(&format!(
                    "error: --base-url must be an absolute http(s) URL, not `{bad}`: "
                )),
                "{}",
                run.stderr
            );
        }
    }
    assert!(!f.path("public").exists());
    f.run(&["build", "--base-url", "https://example.org/other"])
        .assert_ok();
    assert!(
        f.read("public/sitemap.xml")
            .contains("<loc>https://example.org/other/")
    );
}

/// The first failed build into a new folder said "the previous output was left as it was".
#[test]
fn a_first_failed_build_does_not_mention_a_previous_output() {
    let f = Fixture::new();
    f.edit("content/risks.md", "[@A1]", "[@A9]");
    let run = f.build();
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains("previous output"), "{}", run.stderr);
    f.edit("content/risks.md", "[@A9]", "[@A1]");
    f.build().assert_ok();
    f.edit("content/risks.md", "[@A1]", "[@A9]");
    let run = f.build();
    assert!(
        run.stderr
            .contains("the previous output was left as it was"),
        "{}",
        run.stderr
    );
}

/// static/ dropped `.nojekyll` and `.htaccess` yet published `.git/`, and content/.git/
/// became pages. Now: `.well-known/` and the hidden files site.toml lists, never a version
/// control folder.
#[test]
fn hidden_files_are_published_only_when_listed_and_vcs_folders_never() {
    let f = Fixture::new();
    f.write(
        "static/.well-known/security.txt",
        "Contact: mailto:a@example.org\n",
    );
    f.write("static/.nojekyll", "");
    f.write("static/.htaccess", "Options -Indexes\n");
    f.write("static/.git/config", "[core]\n");
    f.write("static/.cache/x.css", "x");
    f.write("static/docs/.svn/entries", "x");
    f.write(
        "content/.git/secret.md",
        "+++\ntitle = \"Secret\"\ndescription = \"x\"\nweight = 1\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n\nSecret.\n",
    );
    f.write("content/.git/HEAD", "ref: refs/heads/main\n");
    f.build().assert_ok();
    let published: Vec<String> = snapshot_dir(&f.path("public"))
        .into_keys()
        .filter(|k| k.split('/').any(|p| p.starts_with('.')))
        .collect();
    assert_eq!(
        published,
        [".factsheet-output", ".well-known/security.txt"],
        "unlisted hidden files and VCS folders stay out"
    );
    f.edit(
        "site.toml",
        "readability_max_grade = 8.0",
        "readability_max_grade = 8.0\npublish_hidden = [\".nojekyll\", \".htaccess\"]",
    );
    f.build().assert_ok();
    assert!(f.path("public/.nojekyll").is_file());
    assert_eq!(f.read("public/.htaccess"), "Options -Indexes\n");
    assert!(!f.path("public/.git").exists());
    f.edit(
        "site.toml",
        "\".htaccess\"]",
        "\".htaccess\", \".git/config\"]",
    );
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("publish_hidden lists `.git/config`, inside a version control folder")
            && run.stderr.contains("site.toml:4:1"),
        "{}",
        run.stderr
    );
}

/// Decomposed (NFD) names, as macOS tools may write them, were refused with a lone accent
/// and a wrong suggestion. They are published under the composed (NFC) name.
#[test]
fn decomposed_file_names_are_published_composed() {
    let f = Fixture::new();
    let nfd = "cafe\u{301}";
    std::fs::rename(
        f.path("content/risks.md"),
        f.path(&format!("content/{nfd}.md")),
    )
    .unwrap();
    std::fs::rename(
        f.path("content/risks.uk.md"),
        f.path(&format!("content/{nfd}.uk.md")),
    )
    .unwrap();
    f.write(&format!("static/{nfd}.txt"), "x");
    for file in ["content/_index.md", "content/_index.uk.md"] {
        let text = f.read(file).replace("risks.md", "caf\u{e9}.md");
        f.write(file, &text);
    }
    f.build().assert_ok();
    assert!(f.path("public/caf\u{e9}/index.html").is_file());
    assert!(f.path("public/uk/caf\u{e9}/index.html").is_file());
    assert!(f.path("public/caf\u{e9}.txt").is_file());
    assert!(f.read("public/sitemap.xml").contains("/caf%C3%A9/"));
}

/// `FACTSHEET_TODAY=yesterday` was ignored without a word.
#[test]
fn a_today_override_that_is_not_a_date_is_a_usage_error() {
    let f = Fixture::new();
    for bad in ["yesterday", "2030-13-01", "2026-12-05T10:00:00"] {
        for command in ["build", "check"] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
                .args([command, "--root"])
                .arg(f.root())
                .env(common::TODAY_ENV, bad)
                .output()
                .unwrap();
            let run = common::Run::from(o);
            assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
            assert!(
                run.stderr.starts_with(&format!(
                    "error: FACTSHEET_TODAY must be a date like 2026-12-05, not `{bad}`"
                )),
                "{}",
                run.stderr
            );
        }
    }
}

/// Listed numbers become `tel:` links named in the page's language; a number written like a
/// phone number that is not listed is a warning at its place, and stays text.
#[test]
fn listed_phone_numbers_are_tel_links_and_others_warn() {
    let f = Fixture::new();
    let toml = f.read("site.toml");
    f.write(
        "site.toml",
        &format!(
            "{toml}\n[[phones]]\nnumber = \"103\"\nreaches = {{ en = \"ambulance\", uk = \"швидка допомога\" }}\n"
        ),
    );
    f.write(
        "i18n/en.toml",
        &format!(
            "{}call_number = \"Call {{number}}: {{reaches}}\"\n",
            f.read("i18n/en.toml")
        ),
    );
    f.write(
        "i18n/uk.toml",
        &format!(
            "{}call_number = \"Зателефонувати на {{number}}: {{reaches}}\"\n",
            f.read("i18n/uk.toml")
        ),
    );
    f.edit(
        "content/risks.md",
        "\n+++\n",
        "\n+++\n\nCall 103 now, or the line on 0 800 507-727.\n",
    );
    f.edit(
        "content/risks.uk.md",
        "\n+++\n",
        "\n+++\n\nТелефонуйте 103.\n",
    );
    let run = f.build();
    run.assert_ok();
    let risks = f.read("public/risks/index.html");
    assert!(
        risks.contains(
            "Call <a class=\"tel\" href=\"tel:103\" aria-label=\"Call 103: ambulance\">103</a> now"
        ),
        "{risks}"
    );
    assert!(risks.contains("0 800 507-727."), "{risks}");
    let uk = f.read("public/uk/risks/index.html");
    assert!(
        uk.contains("<a class=\"tel\" href=\"tel:103\" aria-label=\"Зателефонувати на 103: швидка допомога\">103</a>"),
        "{uk}"
    );
    assert!(
        run.stderr.contains(
            "warning: `0 800 507-727` looks like a phone number but is not listed in site.toml"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/risks.md:"), "{}", run.stderr);
}

/// A site whose search index is above the split size gets an entry file and a folder of
/// shards and fragments beside it, each a script; two builds write the same bytes.
#[test]
fn a_large_search_index_is_split_into_shards_and_fragments() {
    let f = Fixture::new();
    // About 150,000 (section, stem) pairs a language, the most of an index's size.
    for i in 0..160 {
        let text: Vec<String> = (0..230)
            .map(|j| format!("Word{i}n{j} and common{j} text here."))
            .collect();
        let text = text.join(" ");
        for name in [
            format!("content/big{i:03}.md"),
            format!("content/big{i:03}.uk.md"),
        ] {
            f.write(
                &name,
                &format!(
                    "+++\ntitle = \"Page {i}\"\ndescription = \"Page number {i}.\"\nweight = 50\n\
                     last_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n\n\
                     ## Part one {{#one}}\n\n{text}\n\n## Part two {{#two}}\n\n{text}\n"
                ),
            );
        }
    }
    f.build().assert_ok();
    let entry = f.read("public/search-index.en.js");
    let start = &entry[..entry.len().min(400)];
    assert!(entry.contains(r#""split":{"sections":["#), "{start}");
    assert!(!entry.contains(r#""terms""#), "{start}");
    let first = common::snapshot_dir(&f.path("public"));
    let parts: Vec<&String> = first
        .keys()
        .filter(|k| k.starts_with("search-index.en/"))
        .collect();
    assert!(
        parts.iter().any(|p| *p == "search-index.en/t0.js"),
        "{parts:?}"
    );
    assert!(
        parts.iter().any(|p| *p == "search-index.en/p0.js"),
        "{parts:?}"
    );
    for part in &parts {
        let name = part
            .trim_start_matches("search-index.")
            .trim_end_matches(".js");
        let js = String::from_utf8(first[*part].clone()).unwrap();
        assert!(
            js.contains(&format!(
                "(window.factsheetSearch = window.factsheetSearch || {{}})[\"{name}\"] = "
            )),
            "{part}: {js}"
        );
    }
    // One page's words are in a shard, and its title and heading in a fragment.
    let all: String = parts
        .iter()
        .map(|p| String::from_utf8_lossy(&first[*p]).into_owned())
        .collect();
    assert!(all.contains(r#""word7n3":["#), "no shard holds word7n3");
    assert!(all.contains(r#"["Page 7","big007/","Page number 7.",["#));
    // The service worker stores a language's shards for its readers, and only for them.
    let manifest: serde_json::Value =
        serde_json::from_slice(&first["offline-manifest.json"]).unwrap();
    for (lang, other) in [("en", "uk"), ("uk", "en")] {
        let stored = manifest["languages"][lang]["files"].as_object().unwrap();
        let folder = format!("search-index.{lang}/");
        let in_folder = first.keys().filter(|k| k.starts_with(&folder)).count();
        assert!(in_folder > 0, "no {folder}");
        assert_eq!(
            stored.keys().filter(|k| k.starts_with(&folder)).count(),
            in_folder,
            "{lang} readers do not store every file of {folder}"
        );
        let theirs = format!("search-index.{other}/");
        assert!(!stored.keys().any(|k| k.starts_with(&theirs)), "{stored:?}");
    }
    let shared = manifest["shared"].as_object().unwrap();
    assert!(
        !shared.keys().any(|k| k.starts_with("search-index.")),
        "{shared:?}"
    );
    f.build().assert_ok();
    assert!(
        first == common::snapshot_dir(&f.path("public")),
        "a second build differs"
    );
}

/// The folder of a split index is the build's own, even while the index is one file.
#[test]
fn nothing_else_writes_into_the_search_index_folder() {
    let f = Fixture::new();
    f.write("static/search-index.uk/t0.js", "x");
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "static/search-index.uk/t0.js would be written as search-index.uk/t0.js, in the \
             folder search-index.uk/ where factsheet writes the parts of the search index \
             search-index.uk.js"
        ),
        "{}",
        run.stderr
    );
}

/// Word keeps `~$risks.md` beside a document it has open: a `.md` name, but not a page, and
/// the new-user trial saw it refused as "cannot be a web address".
#[test]
fn an_office_lock_file_in_content_is_not_a_page() {
    let f = Fixture::new();
    f.write("content/~$risks.md", "\u{0}\u{0}owner");
    let run = f.build();
    run.assert_ok();
    assert!(!run.stderr.contains("~$"), "{}", run.stderr);
    assert!(!f.path("public/~$risks").exists());
}

/// A page of over 1 MB still builds, with a warning naming it: the new-user trial's 100 MB
/// page took 28 s and 882 MiB without a word.
#[test]
fn a_very_long_page_builds_with_a_warning() {
    let f = Fixture::new();
    let paragraph =
        "It can hurt the bladder when it is used often and for a long time. ".repeat(20);
    let body: String = (0..800).map(|_| format!("{paragraph}\n\n")).collect();
    f.edit(
        "content/risks.md",
        "You may feel sleepy",
        &format!("{body}You may feel sleepy"),
    );
    let run = f.build();
    run.assert_ok();
    assert!(
        run.stderr
            .contains("warning: content/risks.md is 1.1 MB: a page this long is slow to build"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("content/risks.uk.md is"),
        "{}",
        run.stderr
    );
}

/// A page left untranslated (`translation = false`) is still one readers of the other
/// language may be sent to: a link to it from a Ukrainian page goes to the original, where
/// it was an error ("the page has no version in language `uk`"). Its anchors are checked as
/// any link's are, and a page that exists in no language is still an error.
#[test]
fn links_to_an_untranslated_page_go_to_its_original() {
    let f = Fixture::new();
    f.write(
        "content/about.md",
        &f.read("content/risks.md")
            .replace("weight = 10", "weight = 20\ntranslation = false")
            .replace("{#bladder}", "{#team}"),
    );
    f.edit(
        "content/_index.uk.md",
        "Про [ризики](risks.md)",
        "Про [нас](about.md#team) і [ризики](risks.md)",
    );
    f.build().assert_ok();
    let home = f.read("public/uk/index.html");
    assert!(home.contains("<a href=\"../about/#team\""), "{home}");
    f.edit("content/_index.uk.md", "about.md#team", "about.md#nope");
    let run = f.build();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("broken anchor"), "{}", run.stderr);
    f.edit("content/_index.uk.md", "about.md#nope", "abuot.md");
    let run = f.build();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("link to a page that does not exist: `abuot.md`"),
        "{}",
        run.stderr
    );
}

/// A misspelt front-matter key no longer hides the page's other problems (the new-user
/// trial's B80: a CRLF file with an unknown key and an unknown citation showed only the key).
/// Both are errors; `check` lists both, and `build` fails and leaves the last output alone.
#[test]
fn an_unknown_front_matter_key_does_not_hide_the_pages_other_problems() {
    let f = Fixture::new();
    f.build().assert_ok();
    let before = f.read("public/risks/index.html");
    let text = f
        .read("content/risks.md")
        .replace("weight = 10", "weight = 10\nshort_titel = \"R\"")
        .replace("sleepy [@A1]", "sleepy [@A9]")
        .replace('\n', "\r\n");
    f.write("content/risks.md", &text);
    for command in ["check", "build"] {
        let run = f.run(&[command]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("error: unknown front matter key `short_titel`")
                && run.stderr.contains("did you mean `short_title`?"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("error: unknown source `A9`"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(f.read("public/risks/index.html"), before);
    // Fixed, it builds.
    f.write(
        "content/risks.md",
        &text
            .replace("\r\nshort_titel = \"R\"", "")
            .replace("[@A9]", "[@A1]"),
    );
    f.build().assert_ok();
}

/// A theme's `source.html` shows each source once per language, and every list of sources
/// (a page's, the print page's sections', the sources page's) prints that as `html`.
#[test]
fn source_template_is_shown_wherever_a_source_is_listed() {
    let f = Fixture::new();
    f.write(
        "templates/source.html",
        "\n  <a href=\"{{ s.url }}\">{{ s.title }}</a> ({{ s.publisher }}, {{ lang }}, {{ t.sources }})\n",
    );
    f.edit(
        "templates/page.html",
        "<a href=\"{{ c.url }}\" lang=\"{{ c.lang }}\">{{ c.title }}</a>",
        "{{ c.html | safe }}",
    );
    f.edit(
        "templates/sources.html",
        "{{ s.title }}:",
        "{{ s.html | safe }}:",
    );
    f.edit(
        "templates/print.html",
        "value=\"{{ c.number }}\">{{ c.title }}",
        "value=\"{{ c.number }}\">{{ c.html | safe }}",
    );
    f.build().assert_ok();
    let cats = "<a href=\"https://example.com/cats\">A study of cats</a> (Journal of Cats";
    let risks = f.read("public/risks/index.html");
    assert!(
        risks.contains(&format!("<li id=\"ref-A1\">{cats}, en, Sources) <a")),
        "{risks}"
    );
    let uk = f.read("public/uk/risks/index.html");
    assert!(uk.contains(&format!("{cats}, uk, Джерела)")), "{uk}");
    let sources = f.read("public/sources/index.html");
    assert!(
        sources.contains(&format!("<li id=\"A1\">{cats}, en, Sources):")),
        "{sources}"
    );
    let print = f.read("public/print/index.html");
    assert!(
        print.contains(&format!("value=\"1\">{cats}, en, Sources)</li>")),
        "{print}"
    );
}

/// A rebuild takes the files that did not change from the build it replaces: the same file
/// (inode), so its date stays and `rsync` skips it; the page that changed is written anew,
/// and so is every page whose navigation shows its new title.
#[cfg(unix)]
#[test]
fn a_rebuild_keeps_the_files_that_did_not_change() {
    use std::os::unix::fs::MetadataExt;
    let f = Fixture::new();
    f.build().assert_ok();
    let inode = |rel: &str| std::fs::metadata(f.path(rel)).unwrap().ino();
    let (risks, style) = (inode("public/risks/index.html"), inode("public/style.css"));
    let home = inode("public/index.html");
    f.edit(
        "content/risks.md",
        "You may feel sleepy",
        "You may feel very sleepy",
    );
    f.build().assert_ok();
    assert!(
        f.read("public/risks/index.html")
            .contains("You may feel very sleepy")
    );
    assert_ne!(inode("public/risks/index.html"), risks);
    assert_eq!(inode("public/index.html"), home);
    assert_eq!(inode("public/style.css"), style);
    assert_eq!(
        std::fs::metadata(f.path("public/index.html"))
            .unwrap()
            .nlink(),
        1,
        "the previous build is gone"
    );
}
