//! Authoring features as readers see them in the built HTML: glossary terms linked on first
//! use, the key facts box, the report-a-mistake address, author and clinical-review lines,
//! and source details in the page's own language.

mod common;

use common::Fixture;

const GLOSSARY_EN: &str = "+++\ntitle = \"Glossary\"\ndescription = \"Words explained.\"\nweight = 50\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n\n[terms]\nbladder = [\"bladder\"]\nsleepy = [\"sedation\", \"sleepy\"]\n+++\n\n## Bladder {#bladder}\n\nThe bladder holds urine [@A1].\n\n## Sedation {#sleepy}\n\nFeeling sleepy [@A1].\n";
const GLOSSARY_UK: &str = "+++\ntitle = \"Словник\"\ndescription = \"Пояснення слів.\"\nweight = 50\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n\n[terms]\nbladder = [\"сечовий міхур\", \"сечового міхура\"]\nsleepy = [\"сонливість\"]\n+++\n\n## Сечовий міхур {#bladder}\n\nСечовий міхур збирає сечу [@A1].\n\n## Сонливість {#sleepy}\n\nСонливість [@A1].\n";

/// Build the fixture, which must succeed, and read one output file.
#[track_caller]
fn build_and_read(f: &Fixture, rel: &str) -> String {
    let run = f.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    f.read(rel)
}

fn with_glossary() -> Fixture {
    let f = Fixture::new();
    f.write("content/glossary.md", GLOSSARY_EN);
    f.write("content/glossary.uk.md", GLOSSARY_UK);
    f
}

#[test]
fn the_first_use_of_a_glossary_term_links_to_its_entry_in_both_languages() {
    let f = with_glossary();
    f.edit(
        "content/risks.md",
        "It can hurt the bladder [@A2; @A1].",
        "It can hurt the Bladder [@A2; @A1]. A [bladder](glossary.md) link. The bladder again.",
    );
    let risks = build_and_read(&f, "public/risks/index.html");
    // Not in the heading "Bladder", and only once: the first use in running text.
    assert!(risks.contains("<h2 id=\"bladder\">Bladder</h2>"), "{risks}");
    assert!(
        risks.contains("It can hurt the <a href=\"../glossary/#bladder\">Bladder</a>"),
        "{risks}"
    );
    assert_eq!(risks.matches("glossary/#bladder").count(), 1, "{risks}");
    assert!(risks.contains("You may feel <a href=\"../glossary/#sleepy\">sleepy</a>"));
    // Ukrainian: the form as listed, in the case the sentence uses.
    let uk = f.read("public/uk/risks/index.html");
    assert!(
        uk.contains("Це може пошкодити <a href=\"../glossary/#bladder\">сечовий міхур</a>"),
        "{uk}"
    );
    assert!(uk.contains("<a href=\"../glossary/#sleepy\">сонливість</a>"));
    // The glossary does not link to itself, and the home page has no term.
    let glossary = f.read("public/glossary/index.html");
    assert!(!glossary.contains("href=\"#bladder\""), "{glossary}");
    assert!(!glossary.contains("glossary/#"), "{glossary}");
    // In the one-page print document the link stays inside the document.
    let print = f.read("public/print/index.html");
    assert!(
        print.contains("<a href=\"#glossary-bladder\">Bladder</a>"),
        "{print}"
    );
}

#[test]
fn a_glossary_term_with_no_entry_is_a_broken_link_error() {
    let f = with_glossary();
    f.edit(
        "content/glossary.md",
        "sleepy = [\"sedation\", \"sleepy\"]",
        "drowsy = [\"sleepy\"]",
    );
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("#drowsy"), "{}", run.stderr);
}

#[test]
fn a_page_opening_with_key_facts_gets_the_box() {
    let f = Fixture::new();
    f.edit(
        "content/risks.md",
        "+++\n\n## On the day",
        "+++\n\n## Key facts {#key-facts}\n\n- It can make you sleepy [@A1].\n\n## On the day",
    );
    let risks = build_and_read(&f, "public/risks/index.html");
    assert!(
        risks.contains(
            "<section class=\"key-facts\" aria-labelledby=\"key-facts\">\n<h2 id=\"key-facts\">Key facts</h2>\n<ul>\n<li>It can make you sleepy"
        ),
        "{risks}"
    );
    // The box ends before the next section's heading.
    let end = risks.find("</section>").unwrap();
    assert!(end < risks.find("On the day").unwrap(), "{risks}");
    // Only a page that opens with it: the Ukrainian page has none, and none is required.
    assert!(!f.read("public/uk/risks/index.html").contains("key-facts"));
}

#[test]
fn mailto_links_get_the_configured_address() {
    let f = Fixture::new();
    f.edit(
        "site.toml",
        "readability_max_grade = 8.0\n",
        "readability_max_grade = 8.0\nfeedback_email = \"fix@example.org\"\n",
    );
    f.edit(
        "content/risks.md",
        "You may feel sleepy [@A1].",
        "You may feel sleepy [@A1]. Write to [](mailto:) or [email us](mailto:).",
    );
    let risks = build_and_read(&f, "public/risks/index.html");
    assert!(
        risks.contains(
            "Write to <a href=\"mailto:fix@example.org\">fix@example.org</a> or <a href=\"mailto:fix@example.org\">email us</a>."
        ),
        "{risks}"
    );
}

#[test]
fn source_details_follow_the_page_language_and_partial_sources_are_on_every_page() {
    let f = Fixture::new();
    f.edit(
        "sources.toml",
        "url = \"https://example.com/cats\"\n",
        "url = \"https://example.com/cats\"\n\n[A1.translations.uk]\ndate = \"2020 р.\"\n",
    );
    f.write(
        "templates/sources.html",
        "{% extends \"base.html\" %}\n{% block main %}<h1>{{ page.title }}</h1>\n<ol>{% for s in sources %}<li id=\"{{ s.key }}\">{{ s.title }} | {{ s.publisher }} ({{ s.publisher_lang }}) | {{ s.date }} ({{ s.date_lang }}) | every page: {{ s.every_page }}: {% for p in s.cited_by %}<a href=\"{{ p.url }}\">{{ p.title }}</a> {% endfor %}</li>\n{% endfor %}</ol>\n<ol>{% for c in page.citations %}<li id=\"ref-{{ c.key }}\">{{ c.title }}</li>{% endfor %}</ol>{% endblock %}\n",
    );
    let uk = build_and_read(&f, "public/uk/sources/index.html");
    // A1 is English with a Ukrainian date: the publisher stays English, marked as such.
    assert!(
        uk.contains("A study of cats | Journal of Cats (en) | 2020 р. () | every page: true"),
        "{uk}"
    );
    // A2 is Ukrainian: on the English page its text is marked Ukrainian.
    let en = f.read("public/sources/index.html");
    assert!(
        en.contains("Огляд | Журнал (uk) | 2021 (uk) | every page: false"),
        "{en}"
    );
    assert!(
        en.contains("A study of cats | Journal of Cats () | 2020 () | every page: true"),
        "{en}"
    );
}
