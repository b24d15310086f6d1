use super::headings::slugify;
use super::*;
use std::path::Path;

struct Index;
impl PageIndex for Index {
    fn url_of(&self, key: &str, lang: &str) -> Option<String> {
        let prefix = if lang == "en" { "" } else { "uk/" };
        ["risks", "_index"].contains(&key).then(|| match key {
            "_index" => prefix.to_string(),
            k => format!("{prefix}{k}/"),
        })
    }
    fn keys(&self) -> Vec<&str> {
        vec!["risks", "_index"]
    }
}

/// `md` rendered as a page at `from` that may cite `S1` and `S2`.
/// The page's links as the render recorded them and as a scan of its HTML reads them,
/// which must agree: the build trusts the record instead of reading pages back.
fn recorded_and_read(r: &Rendered) -> (crate::links::PageLinks, crate::links::PageLinks) {
    let html = r.html.as_bytes();
    let read = crate::links::scan("x/index.html", "content/x.md".into(), html);
    let known = crate::links::scan_parts(
        "x/index.html",
        "content/x.md".into(),
        &[crate::links::Part::Known {
            html,
            recorded: &r.links,
            from: crate::links::Cut::default(),
            to: r.links.cut(),
            file: 0,
        }],
    );
    assert_eq!((&known.ids, &known.links), (&read.ids, &read.links));
    (read, known)
}

pub(crate) fn render_md(
    md: &str,
    lang: &str,
    from: &str,
) -> (Rendered, Citations, Vec<Diagnostic>) {
    let text = format!("+++\n+++\n{md}");
    let input = RenderInput {
        file_text: &text,
        body_start: 8,
        file: Path::new("content/x.md"),
        lang,
        dir: "",
        from,
        collect_text: true,
        cite_label: "Source",
        glossary: None,
        feedback_email: None,
        phones: None,
        call_label: "Call {number}: {reaches}",
        strings: None,
    };
    let known: HashSet<&str> = ["S1", "S2"].into_iter().collect();
    let mut cites = Citations::default();
    let mut errors = Vec::new();
    let r = render(&input, &Index, &known, &mut cites, &mut errors);
    (r, cites, errors)
}

/// `md` rendered as an English page at `x/` with 103 and 112 listed as phone numbers.
fn render_with_phones(md: &str) -> (Rendered, Vec<Diagnostic>) {
    let phone = |n: &str, reaches: &str| crate::phones::Phone {
        number: n.into(),
        reaches: [("en".to_string(), reaches.to_string())].into(),
    };
    let book = PhoneBook::new(&[
        phone("103", "ambulance"),
        phone("112", "emergency services"),
    ]);
    let glossary = Glossary::new(
        "glossary",
        &[("overdose".to_string(), vec!["overdose".to_string()])].into(),
    );
    let text = format!("+++\n+++\n{md}");
    let input = RenderInput {
        file_text: &text,
        body_start: 8,
        file: Path::new("content/x.md"),
        lang: "en",
        dir: "",
        from: "x/",
        collect_text: true,
        cite_label: "Source",
        glossary: Some(&glossary),
        feedback_email: None,
        phones: Some(&book),
        call_label: "Call {number}: {reaches}",
        strings: None,
    };
    let mut errors = Vec::new();
    let r = render(
        &input,
        &GlossaryIndex,
        &HashSet::default(),
        &mut Citations::default(),
        &mut errors,
    );
    (r, errors)
}

struct GlossaryIndex;
impl PageIndex for GlossaryIndex {
    fn url_of(&self, key: &str, _: &str) -> Option<String> {
        (key == "glossary").then(|| "glossary/".to_string())
    }
    fn keys(&self) -> Vec<&str> {
        vec!["glossary"]
    }
}

#[test]
fn listed_numbers_become_tel_links_outside_headings_links_and_code() {
    let md = "## Call 103 now\n\nCall **103** (ambulance) or 112 after an overdose. \
              [Phone 112](https://example.org/) `112`\n\n    112\n\nIn 2024, 1120 people.\n";
    let (r, errors) = render_with_phones(md);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        r.html,
        "<h2 id=\"call-103-now\">Call 103 now</h2>\n<p>Call <strong><a class=\"tel\" href=\"tel:103\" \
         aria-label=\"Call 103: ambulance\">103</a></strong> (ambulance) or <a class=\"tel\" \
         href=\"tel:112\" aria-label=\"Call 112: emergency services\">112</a> after an \
         <a href=\"../glossary/#overdose\">overdose</a>. <a href=\"https://example.org/\">Phone 112</a> \
         <code>112</code></p>\n<pre><code>112\n</code></pre>\n<p>In 2024, 1120 people.</p>\n"
    );
    // The text the readability check and the search read is unchanged.
    assert_eq!(
        r.text_blocks[1],
        "Call 103 (ambulance) or 112 after an overdose. Phone 112"
    );
    // What the link check reads is what was recorded.
    assert!(!r.links.opaque);
    let (read, _) = recorded_and_read(&r);
    assert_eq!(read.links.len(), 4);
}

#[test]
fn an_unlisted_phone_number_is_a_warning_at_its_place() {
    let (r, errors) = render_with_phones(
        "Call 103.\n\nOr the line on 0 800 507-727, or +380 44 123 4567.\n\n10 000 people in 2024.\n",
    );
    let at: Vec<(usize, usize, &str)> = errors
        .iter()
        .map(|e| {
            let l = e.location.as_ref().unwrap();
            (l.line, l.column, e.message.as_str())
        })
        .collect();
    assert_eq!(at.len(), 2, "{at:?}");
    assert_eq!((at[0].0, at[0].1), (5, 16));
    assert!(
        at[0].2.starts_with(
            "`0 800 507-727` looks like a phone number but is not listed in site.toml"
        ),
        "{}",
        at[0].2
    );
    assert_eq!((at[1].0, at[1].1), (5, 34));
    assert!(errors.iter().all(|e| !e.is_error()));
    assert!(r.html.contains("0 800 507-727, or +380"), "{}", r.html);
}

#[test]
fn callouts_and_care_cards_are_labelled_boxes() {
    let md = "> [!WARNING]\n> It can slow your *breathing* [@S1].\n\n\
              > [!URGENT] Get help **today** if\n> - you bleed\n\n\
              > [!emergency]\n> Call now.\n\n\
              > [!NOTE] Own title\n> Text.\n\n\
              > A plain quote.\n";
    let (r, _, errors) = render_md(md, "en", "x/");
    assert!(errors.is_empty(), "{errors:?}");
    insta::assert_snapshot!(r.html);
    // The title is a text block of its own.
    assert_eq!(r.text_blocks[1], "Get help today if");
    assert_eq!(r.text_blocks[2], "you bleed");
    // What the link check reads is what was recorded.
    let (read, _) = recorded_and_read(&r);
    assert_eq!(read.ids.len(), 5, "{:?}", read.ids);
}

#[test]
fn callout_titles_come_in_the_page_language() {
    let uk: std::collections::BTreeMap<String, String> = [(
        "callout_doctor".to_string(),
        "Поговоріть зі своїм лікарем".to_string(),
    )]
    .into();
    let text = "+++\n+++\n> [!DOCTOR]\n> Текст.\n";
    let input = RenderInput {
        file_text: text,
        body_start: 8,
        file: Path::new("content/x.uk.md"),
        lang: "uk",
        dir: "",
        from: "uk/x/",
        collect_text: false,
        cite_label: "Джерело",
        glossary: None,
        feedback_email: None,
        phones: None,
        call_label: "",
        strings: Some(&uk),
    };
    let r = render(
        &input,
        &Index,
        &HashSet::default(),
        &mut Citations::default(),
        &mut Vec::new(),
    );
    assert!(
        r.html.contains("<p class=\"callout-title\" id=\"callout-1\">Поговоріть зі своїм лікарем</p>\n<p>Текст.</p>"),
        "{}",
        r.html
    );
}

#[test]
fn an_unknown_callout_is_an_error_at_its_marker() {
    let (r, _, errors) = render_md("Text.\n\n> [!URGNET] Soon\n> text\n", "en", "x/");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "unknown callout `[!URGNET]`");
    let l = errors[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.column), (5, 3));
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `[!URGENT]`?"));
    assert!(
        r.html.starts_with("<p>Text.</p>\n<blockquote>"),
        "{}",
        r.html
    );
}

#[test]
fn citations_are_numbered_in_order_of_first_use() {
    let (r, cites, errors) = render_md("A [@S2]. B [@S1; @S2].\n", "en", "x/");
    assert!(errors.is_empty());
    assert_eq!(cites.order, vec!["S2", "S1"]);
    assert!(
        r.html
            .contains(r##"<a href="#ref-S2" id="cite-S2-1" aria-label="Source 1">[1]</a>"##)
    );
    assert!(
        r.html
            .contains(r##"id="cite-S2-2" aria-label="Source 1">[1]</a>"##)
    );
    assert!(r.html.contains(r##"aria-label="Source 2">[2]</a>"##));
    assert_eq!(r.text_blocks, vec!["A . B ."]);
}

#[test]
fn unknown_citation_points_at_the_line() {
    let (_, _, errors) = render_md("Fine.\n\nBad [@s1].\n", "en", "x/");
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.message, "unknown source `s1`: it is not in sources.toml");
    assert_eq!(e.location.as_ref().unwrap().line, 5);
    assert_eq!(e.help.as_deref(), Some("did you mean `S1`?"));
}

#[test]
fn md_links_follow_the_page_language() {
    let (r, _, errors) = render_md("[r](risks.md#bladder) [h](_index.md)\n", "uk", "uk/x/");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(r.html.contains(r#"href="../risks/#bladder""#), "{}", r.html);
    assert!(r.html.contains(r#"href="../""#), "{}", r.html);
    let (r, _, _) = render_md("[r](risks.uk.md)\n", "en", "x/");
    assert!(r.html.contains(r#"href="../uk/risks/""#), "{}", r.html);
}

#[test]
fn broken_md_link_suggests_a_page() {
    let (_, _, errors) = render_md("[r](risk.md)\n", "en", "x/");
    assert_eq!(
        errors[0].message,
        "link to a page that does not exist: `risk.md`"
    );
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `risks.md`?"));
}

#[test]
fn heading_ids_are_readable_unique_and_explicit_ids_win() {
    let (r, _, _) = render_md(
        "## Що таке кетамін?\n\n## Risks\n\n## Risks\n\n### Bladder {#bladder}\n",
        "en",
        "x/",
    );
    assert!(
        r.html.contains(r#"<h2 id="що-таке-кетамін">"#),
        "{}",
        r.html
    );
    assert!(r.html.contains(r#"<h2 id="risks-1">"#));
    assert!(r.html.contains(r#"<h3 id="bladder">"#));
    assert_eq!(r.toc.len(), 3);
    assert_eq!(r.toc[2].children[0].id, "bladder");
}

/// The ids and links recorded while rendering are what the link checker would read
/// back from the HTML (`links::Part::Known` relies on it).
#[test]
fn recorded_links_match_the_html() {
    let md = "## Risks\n\nSee [r](risks.md#bladder \"t\"), <me@example.org>, \
              [q](https://x.example/?a=1&b='2' \"q\") and ![pic](<img/a b.png>).[^n]\n\n\
              ## Risks\n\nCited [@S1; @S2] and [@S1]. [in page](#risks-1) \
              [cyr](#%D1%80%D0%B8%D0%B7%D0%B8%D0%BA%D0%B8)\n\n\
              ### Пам'ять & увага {#memory}\n\n[^n]: A note.\n";
    let (r, _, errors) = render_md(md, "en", "x/");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!r.links.opaque);
    let (read, known) = recorded_and_read(&r);
    // Each link points at the Markdown that wrote it.
    let text = format!("+++\n+++\n{md}");
    let written: Vec<&str> = known
        .origins
        .iter()
        .map(|&o| match o.into() {
            crate::links::Origin::Markdown {
                file: 0,
                span: Some(s),
            } => &text[s.start as usize..(s.start + s.len) as usize],
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(written[0], "[r](risks.md#bladder \"t\")");
    assert_eq!(written[3], "![pic](<img/a b.png>)");
    assert_eq!(written[5], "[@S1; @S2]");
    assert_eq!(read.links.len(), 10, "{:?}", read.links);
    assert_eq!(read.ids.len(), 7, "{:?}", read.ids);
}

#[test]
fn comments_are_left_out_and_their_citations_unchecked() {
    let md = "Before <!-- NOTE-A inline [@S999] --> after.\n\n\
              <!-- NOTE-B: a block\nover two lines [@S999] -->\n\n\
              <div class=\"x\"><!-- NOTE-C --><p>kept</p></div>\n\n\
              Text <!-- NOTE-D\nacross a line --> end.\n\n\
              ```html\n<!-- shown as code -->\n```\n";
    let (r, _, errors) = render_md(md, "en", "x/");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!r.html.contains("NOTE"), "{}", r.html);
    assert!(
        r.html.contains("<div class=\"x\"><p>kept</p></div>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("&lt;!-- shown as code --&gt;"),
        "{}",
        r.html
    );
    assert!(r.html.contains("Before  after."), "{}", r.html);
    // A block that was only a comment leaves nothing for the checker to read.
    let (r, _, _) = render_md("<!-- only a note -->\n\nText.\n", "en", "x/");
    assert!(!r.links.opaque);
    assert_eq!(r.html, "<p>Text.</p>\n");
}

#[test]
fn raw_html_leaves_the_links_to_the_reader() {
    for md in [
        "Text <a href=\"x\">x</a>.\n",
        "<div id=\"a\">\n\nblock\n\n</div>\n",
        "## Title {href=x}\n",
    ] {
        let (r, _, _) = render_md(md, "en", "x/");
        assert!(r.links.opaque, "{md}");
    }
}

#[test]
fn readability_text_breaks_at_blocks_and_line_breaks() {
    let (r, _, _) = render_md(
        "- See a doctor\n  - if it hurts\n  - or *bleeds*\n\nOne line  \nand the next<br>third\n\n> quoted\n",
        "en",
        "x/",
    );
    assert_eq!(
        r.text_blocks,
        [
            "See a doctor",
            "if it hurts",
            "or bleeds",
            "One line",
            "and the next",
            "third",
            "quoted"
        ]
    );
    // A thousand levels of list are a thousand one-word sentences, not one word.
    let deep: String = (0..1_000)
        .map(|i| format!("{}- w{i}\n", "  ".repeat(i)))
        .collect();
    let (r, _, _) = render_md(&deep, "en", "x/");
    assert!(r.text_blocks.len() > 100, "{}", r.text_blocks.len());
    let grade = crate::readability::analyse(&r.text_blocks).grade;
    assert!(grade < 5.0, "{grade}");
}

#[test]
fn a_repeated_explicit_heading_id_is_an_error() {
    let (r, _, errors) = render_md("## One {#same}\n\ntext\n\n## Two {#same}\n", "en", "x/");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message,
        "heading id `same` is used twice on this page"
    );
    assert_eq!(errors[0].location.as_ref().unwrap().line, 7);
    assert!(!r.html.contains("same-1"), "{}", r.html);
    // Automatic ids still get a number: nobody chose them.
    let (_, _, errors) = render_md("## Risks\n\n## Risks\n", "en", "x/");
    assert!(errors.is_empty());
}

#[test]
fn heading_ids_are_nfc() {
    // "й" typed as "и" + combining breve, and "é" as "e" + combining acute.
    let (r, _, _) = render_md(
        "## Кра\u{438}\u{306}\n\n## Caf\u{65}\u{301} {#caf\u{65}\u{301}}\n",
        "en",
        "x/",
    );
    assert!(r.html.contains("<h2 id=\"кра\u{439}\">"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"caf\u{e9}\">"), "{}", r.html);
}

#[test]
fn slugs() {
    assert_eq!(slugify("Who should not have it?"), "who-should-not-have-it");
    assert_eq!(slugify("Пам'ять і увага"), "память-і-увага");
    assert_eq!(slugify("!!!"), "section");
}
