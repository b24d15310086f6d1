//! Every kind of bad input gives a clear error naming the file (and the line and column
//! where there is one), exits 1, and never panics. The exact text is kept in snapshots
//! (tests/snapshots/), so a change in wording is a reviewed change.

mod common;

use common::Fixture;

/// Run `factsheet check`, expect exit code 1 and return what it printed.
#[track_caller]
fn check_fails(f: &Fixture) -> String {
    let run = f.run(&["check"]);
    assert_eq!(
        run.code, 1,
        "expected exit 1\nstdout:{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr
}

const RISKS_FRONT: &str = "title = \"Risks\"\ndescription = \"What can go wrong.\"";

#[test]
fn malformed_front_matter() {
    let f = Fixture::new();
    f.edit("content/risks.md", "title = \"Risks\"", "title = \"Risks");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn missing_front_matter() {
    let f = Fixture::new();
    f.write("content/risks.md", "title = \"Risks\"\n\nBody.\n");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn unclosed_front_matter() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "short_title = \"Risks\"\n+++",
        "short_title = \"Risks\"\n++",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        RISKS_FRONT,
        "titel = \"Risks\"\ndescription = \"What can go wrong.\"",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn wrong_type() {
    let f = Fixture::new();
    f.edit("content/risks.md", "weight = 10", "weight = \"ten\"");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn bad_date() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "last_reviewed = 2026-11-01",
        "last_reviewed = 2026-13-40",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn quoted_date() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "last_reviewed = 2026-11-01",
        "last_reviewed = \"2026-11-01\"",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn review_dates_out_of_order() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "next_review = 2027-05-01",
        "next_review = 2026-01-01",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn missing_template() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "short_title = \"Risks\"",
        "short_title = \"Risks\"\ntemplate = \"nope.html\"",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn template_syntax_error() {
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.title }</h1>",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn undefined_template_variable() {
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.titl }}</h1>",
    );
    // Every page using the template fails the same way: one error says so.
    insta::assert_snapshot!(check_fails(&f));
}

/// `source.html` renders once per source and language: its error is reported once, at its
/// line, not once per page listing a source.
#[test]
fn error_in_the_source_template() {
    let f = Fixture::new();
    f.write(
        "templates/source.html",
        "{# one source #}\n<a href=\"{{ s.url }}\">{{ s.titel }}</a>\n",
    );
    // The page template prints what source.html makes: that is not a second error.
    f.edit(
        "templates/page.html",
        "<a href=\"{{ c.url }}\" lang=\"{{ c.lang }}\">{{ c.title }}</a>",
        "{{ c.html | safe }}",
    );
    let stderr = check_fails(&f);
    assert!(stderr.contains("templates/source.html:2:"), "{stderr}");
    assert!(
        stderr.contains("could not check the site: 1 error"),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn link_to_a_missing_page() {
    let f = Fixture::new();
    f.edit("content/_index.md", "(risks.md)", "(risk.md)");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn link_to_a_missing_anchor() {
    let f = Fixture::new();
    f.edit("content/_index.md", "risks.md#bladder", "risks.md#kidney");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn broken_anchors_in_markdown_point_at_the_line() {
    let f = Fixture::new();
    // An in-page anchor, a plain relative link, and an anchor in a partial shown on every
    // page of its language.
    f.edit(
        "content/risks.md",
        "It can hurt the bladder",
        "See [the day](#on-teh-day) and [home](../#top-of-page).\n\nIt can hurt the bladder",
    );
    f.write(
        "content/_note.md",
        "Call for help [@A1].\n\n[Risks](risks.md#kidney)\n",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn broken_anchors_around_a_key_facts_box_point_at_the_line() {
    // page.html prints the box and the rest of the content apart, with "On this page"
    // between them: links on both sides still point at their Markdown line.
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "{{ page.content | safe }}",
        "{% if page.key_facts %}{{ page.key_facts | safe }}<nav id=\"toc\"></nav>\n\
         {{ page.after_key_facts | safe }}{% else %}{{ page.content | safe }}{% endif %}",
    );
    f.edit(
        "content/risks.md",
        "+++\n\n## On the day",
        "+++\n\n## Key facts {#key-facts}\n\n- See [the day](#on-teh-day) [@A1].\n\n## On the day",
    );
    f.edit(
        "content/risks.md",
        "It can hurt the bladder",
        "Go [home](../#top-of-page).\n\nIt can hurt the bladder",
    );
    let err = check_fails(&f);
    assert!(err.contains("--> content/risks.md:12:7"), "{err}");
    assert!(err.contains("[the day](#on-teh-day)"), "{err}");
    assert!(err.contains("--> content/risks.md:20:4"), "{err}");
    assert!(!err.contains("--> content/risks.md\n"), "{err}");
}

#[test]
fn duplicate_id_in_markdown_points_at_the_heading() {
    let f = Fixture::new();
    // The template writes `<main id="main">`.
    f.edit(
        "content/risks.md",
        "## Bladder {#bladder}",
        "## Main part {#main}",
    );
    f.edit("content/_index.md", "(risks.md#bladder)", "(risks.md)");
    f.edit("content/_index.uk.md", "(risks.md#bladder)", "(risks.md)");
    f.edit("content/risks.uk.md", "{#bladder}", "{#main-part}");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn broken_link_in_a_template_is_reported_once_against_the_template() {
    let f = Fixture::new();
    f.edit(
        "templates/base.html",
        "<main id=\"main\">",
        "<p><a href=\"no-such-dir/\">Help</a> <a href=\"{{ root }}gone/\">Gone</a></p>\n<main id=\"main\">",
    );
    let stderr = check_fails(&f);
    assert_eq!(stderr.matches("error: broken link").count(), 2, "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn broken_url_in_the_inlined_stylesheet_is_found_on_every_page_it_breaks() {
    // The stylesheet comes inside every page, so its relative addresses are relative to
    // each page: the image is there for the home pages and missing for the others. The
    // stylesheet is read for addresses once (links::Part::Style), not on every page.
    let f = Fixture::new();
    f.edit(
        "templates/base.html",
        "<head><meta charset=\"utf-8\">",
        "<head><meta charset=\"utf-8\"><style>{{ inline_css | safe }}</style>",
    );
    f.write(
        "static/style.css",
        "body { background: url(img/paper.png) }\n",
    );
    f.write_bytes("static/img/paper.png", b"\x89PNG");
    let stderr = check_fails(&f);
    // One error per template that shows the stylesheet, naming the pages.
    let pages: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once("note: on ").map(|(_, pages)| pages))
        .flat_map(|pages| pages.split(", "))
        .collect();
    assert_eq!(
        stderr.matches("error: broken link").count(),
        stderr.matches("`img/paper.png`").count(),
        "{stderr}"
    );
    for page in ["/uk/", "/risks/", "/uk/risks/", "/print/", "/uk/sources/"] {
        assert!(pages.contains(&page), "{page} not named:\n{stderr}");
    }
    assert!(
        !pages.contains(&"/"),
        "the home page has the image:\n{stderr}"
    );
}

#[test]
fn unknown_citation_key() {
    let f = Fixture::new();
    f.edit("content/risks.md", "sleepy [@A1]", "sleepy [@a1]");
    f.edit(
        "content/risks.uk.md",
        "сонливість [@A1]",
        "сонливість [@A9]",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn unused_source() {
    let f = Fixture::new();
    f.write(
        "sources.toml",
        &(f.read("sources.toml") + "\n[B7]\ntitle = \"Never cited\"\npublisher = \"P\"\ndate = \"2020\"\nurl = \"https://example.com/b7\"\n"),
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn missing_translation_string() {
    let f = Fixture::new();
    f.edit("i18n/uk.toml", "sources = \"Джерела\"\n", "");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn missing_page_translation() {
    let f = Fixture::new();
    f.remove("content/risks.uk.md");
    f.edit(
        "content/_index.uk.md",
        "[ризики](risks.md) і [сечовий міхур](risks.md#bladder)",
        "ризики",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn duplicate_url() {
    let f = Fixture::new();
    f.write("content/risks/_index.md", &f.read("content/risks.md"));
    f.write("content/risks/_index.uk.md", &f.read("content/risks.uk.md"));
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn non_utf8_file() {
    let f = Fixture::new();
    let mut bytes = f.read("content/risks.md").into_bytes();
    let at = bytes.len() - 10;
    bytes.insert(at, 0xff);
    f.write_bytes("content/risks.md", &bytes);
    insta::assert_snapshot!(check_fails(&f));
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    let f = Fixture::new();
    // A dangling link cannot be read even by root, unlike a file without read permission.
    std::os::unix::fs::symlink(f.path("nowhere.md"), f.path("content/ghost.md")).unwrap();
    insta::assert_snapshot!(check_fails(&f));
}

#[cfg(unix)]
#[test]
fn symlink_loop() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path("content/more")).unwrap();
    std::os::unix::fs::symlink(f.path("content"), f.path("content/more/again")).unwrap();
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn empty_content_folder() {
    let f = Fixture::new();
    std::fs::remove_dir_all(f.path("content")).unwrap();
    std::fs::create_dir_all(f.path("content")).unwrap();
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn invalid_site_toml() {
    let f = Fixture::new();
    f.edit(
        "site.toml",
        "default_language = \"en\"",
        "default_lang = \"en\"",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn site_toml_syntax_error() {
    let f = Fixture::new();
    f.edit(
        "site.toml",
        "base_url = \"https://example.org/sheet/\"",
        "base_url = https://example.org/sheet/",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn not_a_project() {
    // The same error and exit code (2: the command line named the wrong folder) from every
    // command.
    let dir = tempfile::tempdir().unwrap();
    for command in ["build", "check", "serve"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
            .args([command, "--root"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: no site.toml in {}", dir.path().display())),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("help: pass the project folder with --root DIR"),
            "{command}: {stderr}"
        );
    }
    assert!(!dir.path().join("public").exists());
}

#[test]
fn several_problems_are_reported_together() {
    let f = Fixture::new();
    f.edit("content/risks.md", "weight = 10", "weight = \"ten\"");
    f.edit(
        "content/_index.uk.md",
        "title = \"Головна\"",
        "tytle = \"Головна\"",
    );
    f.edit("i18n/en.toml", "not_found = \"Page not found\"\n", "");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn review_overdue() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "next_review = 2027-05-01",
        "next_review = 2026-12-01",
    );
    insta::assert_snapshot!(check_fails(&f));
    // `build` warns and builds: the page is still right, only due for a look.
    let run = f.build();
    run.assert_ok();
    assert!(
        run.stderr
            .starts_with("warning: content/risks.md is overdue for review"),
        "{}",
        run.stderr
    );
}

#[test]
fn last_reviewed_in_the_future() {
    let f = Fixture::new();
    f.edit(
        "content/risks.uk.md",
        "last_reviewed = 2026-11-01",
        "last_reviewed = 2026-12-24",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn empty_title() {
    let f = Fixture::new();
    f.edit("content/risks.md", "title = \"Risks\"", "title = \"  \"");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn duplicate_explicit_heading_id() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "## On the day",
        "## On the day {#bladder}",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn nul_character() {
    let f = Fixture::new();
    f.edit("content/risks.md", "You may feel", "You may\0 feel");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn nul_character_from_a_front_matter_escape() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "description = \"What can go wrong.\"",
        "description = \"What can\\u0000 go wrong.\"",
    );
    f.edit(
        "templates/base.html",
        "<meta charset=\"utf-8\">",
        "<meta charset=\"utf-8\"><meta name=\"description\" content=\"{{ page.description }}\">",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn file_name_that_cannot_be_a_url() {
    let f = Fixture::new();
    f.write(
        "content/a#b?c.md",
        &f.read("content/risks.md").replace("[@A2; @A1]", "[@A1]"),
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn link_to_a_draft() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "weight = 10",
        "weight = 10\ndraft = true",
    );
    f.edit(
        "content/risks.uk.md",
        "weight = 10",
        "weight = 10\ndraft = true",
    );
    let stderr = check_fails(&f);
    insta::assert_snapshot!(stderr);
}

/// A component that calls itself without end used to overflow the stack and abort the
/// process.
#[test]
fn recursive_component() {
    let f = Fixture::new();
    f.call_component(
        "{% component tree(n) %}<ul><li>{{ n }}{{ <tree n={n + 1}/> }}</li></ul>{% endcomponent tree %}\n",
        "<tree n={1}/>",
    );
    insta::assert_snapshot!(check_fails(&f));
}

/// `static/env.txt -> /proc/self/environ` put the build's environment (CI secrets) on the
/// site. A link whose target is outside the project is an error naming both.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_project() {
    let f = Fixture::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    std::fs::create_dir_all(outside.path().join("folder")).unwrap();
    std::fs::write(outside.path().join("folder/a.css"), "secret").unwrap();
    std::fs::write(outside.path().join("part.html"), "secret").unwrap();
    let link = |target: &std::path::Path, at: &str| {
        std::os::unix::fs::symlink(target, f.path(at)).unwrap();
    };
    link(&outside.path().join("secret.txt"), "static/env.txt");
    link(&outside.path().join("folder"), "static/theme");
    link(&outside.path().join("secret.txt"), "content/notes.txt");
    link(&outside.path().join("part.html"), "templates/part.html");
    let outside_name = outside.path().display().to_string();
    let shown = check_fails(&f).replace(&outside_name, "OUTSIDE");
    insta::assert_snapshot!("symlinks_out_of_content_and_templates", shown);
    // static/ is read once content and templates are fine.
    f.remove("content/notes.txt");
    f.remove("templates/part.html");
    let shown = check_fails(&f).replace(&outside_name, "OUTSIDE");
    insta::assert_snapshot!("symlinks_out_of_static", shown);
    // Nothing of it reached an output.
    assert_eq!(f.build().code, 1);
    assert!(!f.path("public").exists());
    // A link to the process's environment, the case that leaked secrets.
    f.remove("static/env.txt");
    f.remove("static/theme");
    std::os::unix::fs::symlink("/proc/self/environ", f.path("static/env.txt")).unwrap();
    assert!(
        check_fails(&f)
            .starts_with("error: static/env.txt is a symbolic link to /proc/self/environ (/proc/")
    );
}

/// A 1 MB line (a pasted blob, minified HTML) with a problem at its end: the error shows 150
/// characters around it, not the whole line.
#[test]
fn long_line_is_cut_around_the_problem() {
    let f = Fixture::new();
    let blob = "word ".repeat(200_000);
    f.edit(
        "content/risks.md",
        "You may feel sleepy [@A1].",
        &format!("You may feel sleepy [@A1]. {blob}[@nope]"),
    );
    let stderr = check_fails(&f);
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
    insta::assert_snapshot!(stderr);
}

#[test]
fn page_without_key_facts_when_the_site_requires_them() {
    let f = Fixture::new();
    f.edit(
        "site.toml",
        "readability_max_grade = 8.0\n",
        "readability_max_grade = 8.0\nrequire_key_facts = true\n",
    );
    // The home pages open with one; the risks pages do not. Print and sources pages are
    // not content pages and need none.
    for file in ["content/_index.md", "content/_index.uk.md"] {
        f.edit(
            file,
            "+++\n\n",
            "+++\n\n## Key facts {#key-facts}\n\n- Read on.\n\n",
        );
    }
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn mailto_link_without_an_address() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "You may feel sleepy [@A1].",
        "You may feel sleepy [@A1]. Write to [](mailto:).",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn source_translation_into_a_language_the_site_does_not_have() {
    let f = Fixture::new();
    f.edit(
        "sources.toml",
        "url = \"https://example.com/cats\"\n",
        "url = \"https://example.com/cats\"\n\n[A1.translations.de]\ndate = \"2020\"\n",
    );
    insta::assert_snapshot!(check_fails(&f));
}

const TERMS: &str = "[[uk]]\npreferred = \"тривожність\"\navoid = [\"тривог*\"]\nreason = \"the side effect is «тривожність»\"\n";

/// The fixture's Ukrainian risks page with a variant (inflected) in its text and in a code
/// span, and a terms.toml that lists it.
fn with_terms() -> Fixture {
    let f = Fixture::new();
    f.edit(
        "content/risks.uk.md",
        "Ви можете відчувати сонливість [@A1].",
        "Ви можете відчувати сонливість і\nтривогу [@A1]. Слово `тривога` тут лише код.",
    );
    f
}

#[test]
fn a_term_to_avoid_is_an_error_in_check_at_its_line_and_column() {
    let f = with_terms();
    // Without terms.toml nothing is checked.
    f.run(&["check"]).assert_ok();
    f.write("terms.toml", TERMS);
    let out = check_fails(&f);
    // Only the inflected form in the text: the code span is not text.
    assert_eq!(out.matches("is a variant to avoid").count(), 1, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_term_to_avoid_is_a_warning_in_build() {
    let f = with_terms();
    f.write("terms.toml", TERMS);
    let run = f.build();
    run.assert_ok();
    assert!(
        run.stderr.starts_with(
            "warning: `тривогу` is a variant to avoid: this site writes `тривожність`\n  --> content/risks.uk.md:13:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= help: write `тривожність`: the side effect is «тривожність»"),
        "{}",
        run.stderr
    );
    // The page is still built as written.
    assert!(f.read("public/uk/risks/index.html").contains("тривогу"));
}

#[test]
fn a_term_in_a_title_or_a_partial_is_found_and_an_allowed_phrase_is_not() {
    let f = Fixture::new();
    f.edit(
        "content/risks.uk.md",
        "title = \"Ризики\"",
        "title = \"Ризики і тривога\"",
    );
    f.write(
        "content/_note.uk.md",
        "Кличте допомогу, якщо тривога сильна [@A1].\n",
    );
    f.edit(
        "content/risks.uk.md",
        "Ви можете відчувати сонливість [@A1].",
        "Реклама обіцяє «зняти тривогу» [@A1].",
    );
    f.write(
        "terms.toml",
        &format!("{TERMS}allow = [\"«зняти тривогу»\"]\n"),
    );
    let out = check_fails(&f);
    assert!(out.contains("--> content/risks.uk.md:2:19"), "{out}");
    assert!(out.contains("--> content/_note.uk.md:1:23"), "{out}");
    assert_eq!(out.matches("is a variant to avoid").count(), 2, "{out}");
}

#[test]
fn bad_terms_toml() {
    let f = Fixture::new();
    f.write(
        "terms.toml",
        "[[uk]]\npreferred = \"тривожність\"\navoid = [\"три*вога\"]\nreason = \"x\"\n\n[[de]]\npreferred = \"Angst\"\navoid = [\"Furcht\"]\nreason = \"x\"\n",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn terms_toml_with_an_unknown_key() {
    let f = Fixture::new();
    f.write(
        "terms.toml",
        "[[uk]]\npreferred = \"тривожність\"\navoids = [\"тривог*\"]\nreason = \"x\"\n",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn a_variant_that_matches_the_preferred_term_is_refused() {
    let f = Fixture::new();
    f.write(
        "terms.toml",
        "[[uk]]\npreferred = \"терапевтично резистентна депресія\"\navoid = [\"резистентн* депресі*\"]\nreason = \"x\"\n",
    );
    let out = check_fails(&f);
    assert!(out.contains("--> terms.toml:3:9"), "{out}");
    assert!(
        out.contains("a variant to avoid matches `резистентна депресія` in the preferred term"),
        "{out}"
    );
}

/// `{% include "loop.html" %}` in loop.html overflowed the stack (exit 134).
#[test]
fn template_that_includes_itself() {
    let f = Fixture::new();
    f.write("templates/loop.html", "<p>\n{% include \"loop.html\" %}\n");
    f.edit(
        "templates/page.html",
        "{% block main %}",
        "{% block main %}{% include \"loop.html\" %}",
    );
    insta::assert_snapshot!(check_fails(&f));
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("loop.html → loop.html"),
        "{}",
        run.stderr
    );
}

/// base.html extending page.html, which extends base.html: a stack overflow in about half
/// the runs, depending on the order Tera looked at the templates.
#[test]
fn templates_that_extend_each_other_in_a_loop() {
    let f = Fixture::new();
    f.write(
        "templates/base.html",
        "{% extends \"page.html\" %}\n{% block main %}{% endblock main %}\n",
    );
    let first = check_fails(&f);
    for _ in 0..4 {
        assert_eq!(check_fails(&f), first);
    }
    insta::assert_snapshot!(first);
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
}

/// An include loop through two files, one of them included from inside an `if`.
#[test]
fn templates_that_include_each_other() {
    let f = Fixture::new();
    f.write("templates/a.html", "{% include \"b.html\" %}");
    f.write(
        "templates/b.html",
        "{% if true %}\n  {% include 'a.html' %}\n{% endif %}",
    );
    insta::assert_snapshot!(check_fails(&f));
}

/// `code = ""` made the build write the language's pages at `/` (the file system's root).
#[test]
fn language_code_that_is_not_a_tag() {
    let f = Fixture::new();
    f.edit("site.toml", "code = \"uk\"", "code = \"\"");
    f.write("i18n/.toml", &f.read("i18n/uk.toml"));
    insta::assert_snapshot!(check_fails(&f));
    f.edit("site.toml", "code = \"\"", "code = \"../../escape\"");
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("language code `../../escape` is not a lower-case language tag")
            && run.stderr.contains("site.toml:11:1"),
        "{}",
        run.stderr
    );
}

/// A base URL with a query, a fragment, a space or no host gave broken canonical and
/// sitemap URLs.
#[test]
fn base_url_in_site_toml_that_is_not_a_plain_address() {
    let f = Fixture::new();
    f.edit(
        "site.toml",
        "https://example.org/sheet/",
        "https://example.org/sheet?x=1#top",
    );
    insta::assert_snapshot!(check_fails(&f));
}

/// `Risks.md` beside `risks.md` built `Risks/` and `risks/`, which merge on FAT and exFAT
/// USB sticks and on case-insensitive hosts.
#[test]
fn page_names_that_differ_only_in_case() {
    let f = Fixture::new();
    f.write("content/Risks.md", &f.read("content/risks.md"));
    f.write("content/Risks.uk.md", &f.read("content/risks.uk.md"));
    insta::assert_snapshot!(check_fails(&f));
}

/// An accent that no letter can take (`x` + U+0301 stays two characters in NFC) was shown
/// bare, with a suggestion that turned it into `-`.
#[test]
fn file_name_with_an_accent_on_no_letter() {
    let f = Fixture::new();
    f.write("content/x\u{301}.md", &f.read("content/risks.md"));
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn a_phone_number_must_say_what_it_reaches_in_every_language() {
    let f = Fixture::new();
    let toml = f.read("site.toml");
    f.write(
        "site.toml",
        &format!("{toml}\n[[phones]]\nnumber = \"103\"\nreaches = {{ en = \"ambulance\" }}\n"),
    );
    insta::assert_snapshot!(check_fails(&f));
}

/// Raw HTML that loads from another site, runs a script or sends readers away (trial
/// 2026-12-07 finding 6): each form is an error at its line in the Markdown.
#[test]
fn raw_html_that_loads_elsewhere_or_runs_scripts() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "It can hurt the bladder [@A2; @A1].\n",
        "It can hurt the bladder [@A2; @A1].\n\n\
         <img srcset=\"https://evil.example/a.png 2x\" alt=\"\">\n\n\
         <video poster=\"https://evil.example/p.png\"></video>\n\n\
         <object data=\"https://evil.example/o.swf\"></object>\n\n\
         <embed src=\"https://evil.example/e.swf\">\n\n\
         <p style=\"background: url(https://evil.example/bg.png)\">styled</p>\n\n\
         <style>\n@import url(\"https://evil.example/x.css\");\n@import 'https://evil.example/y.css';\n\
         p { background-image: image-set(\"https://evil.example/i.png\" 1x); }\n</style>\n\n\
         <base href=\"https://evil.example/\">\n\n\
         <meta http-equiv=\"Refresh\" content=\"0; url=https://evil.example/\">\n\n\
         <script>alert(1)</script>\n\n\
         Text with <svg onload=\"alert(2)\"></svg> and <b onclick=\"x()\">bold</b>.\n\n\
         <a href=\"&#106;avascript:alert(3)\">encoded</a>\n",
    );
    insta::assert_snapshot!(check_fails(&f));
}

/// An HTML comment is an editor's note: not published, its citations not checked.
#[test]
fn html_comments_are_not_published() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "You may feel sleepy [@A1].\n",
        "You may feel sleepy [@A1]. <!-- SECRET-NOTE inline [@S999] -->\n\n\
         <!-- SECRET-NOTE: draft dose\nto check [@S999] -->\n",
    );
    f.build().assert_ok();
    for file in ["public/risks/index.html", "public/print/index.html"] {
        let html = f.read(file);
        assert!(!html.contains("SECRET"), "{file}: {html}");
        assert!(!html.contains("<!--"), "{file}: {html}");
    }
}

// Six errors that pointed at the wrong place or none (trial 2026-12-07 B20, B25, B42, B75,
// B76, B78): each now names the file to change, and its line where it has one.

#[test]
fn javascript_address_in_sources_toml() {
    let f = Fixture::new();
    f.edit(
        "sources.toml",
        "url = \"https://example.com/cats\"",
        "url = \"javascript:alert(1)\"",
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn language_listed_twice() {
    let f = Fixture::new();
    let site = f.read("site.toml");
    f.write(
        "site.toml",
        &format!("{site}\n[[languages]]\ncode = \"uk\"\nname = \"Again\"\ntitle = \"Again\"\n"),
    );
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn no_home_page() {
    let f = Fixture::new();
    f.remove("content/_index.md");
    f.remove("content/_index.uk.md");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn static_file_named_like_a_generated_one() {
    let f = Fixture::new();
    f.write("static/sitemap.xml", "<urlset/>\n");
    insta::assert_snapshot!(check_fails(&f));
}

#[test]
fn page_whose_folder_is_a_static_file() {
    let f = Fixture::new();
    f.write("content/style.css.md", &f.read("content/risks.md"));
    f.write("content/style.css.uk.md", &f.read("content/risks.uk.md"));
    let out = check_fails(&f);
    // `build` says the same, before writing anything.
    let build = f.build();
    assert_eq!(build.code, 1, "{}", build.stderr);
    assert!(
        build.stderr.contains("content/style.css.md"),
        "{}",
        build.stderr
    );
    assert!(
        build.stderr.contains("static/style.css"),
        "{}",
        build.stderr
    );
    insta::assert_snapshot!(out);
}

/// Tera checks every template before anything renders: each unknown filter, test, component
/// and included template is an error of its own, at its place, found in one run.
#[test]
fn every_unknown_name_in_the_templates_is_its_own_error() {
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "{{ page.content | safe }}",
        "{{ page.content | shout }}{{ <card/> }}{% include \"parts/nav.html\" %}",
    );
    f.edit(
        "templates/base.html",
        "<title>{{ page.title }}",
        "<title>{% if lang is french %}{% endif %}{{ page.title }}",
    );
    let out = check_fails(&f);
    assert!(out.contains("4 errors"), "{out}");
    insta::assert_snapshot!(out);
}

/// `{{ page.contnet | safe }}` printed nothing under Tera 2's own `safe`: the page lost its
/// content without a word.
#[test]
fn a_misspelt_name_given_to_safe_is_an_error() {
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "{{ page.content | safe }}",
        "{{ page.contnet | safe }}",
    );
    let out = check_fails(&f);
    assert!(
        out.contains("`safe` was given a value that is not defined"),
        "{out}"
    );
    assert!(out.contains("--> templates/page.html:4:"), "{out}");
}

#[test]
fn unknown_filter_points_at_its_line() {
    let f = Fixture::new();
    f.edit(
        "templates/page.html",
        "{{ page.content | safe }}",
        "{{ page.content | nosuchfilter }}",
    );
    insta::assert_snapshot!(check_fails(&f));
}
