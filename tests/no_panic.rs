//! Whatever an editor writes, `factsheet check` answers with the site or with errors, never
//! with a panic: random front matter and Markdown, in the fixture site, through the real
//! pipeline (load, render, link check).
//!
//! CI runs a few hundred cases; run more with `PROPTEST_CASES=10000 cargo test --release
//! --test no_panic` (see the README).

mod common;

use std::panic::AssertUnwindSafe;

use common::Fixture;
use factsheet::site::LoadOptions;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Cases when `PROPTEST_CASES` is not set: enough to catch a regression in CI in seconds.
const DEFAULT_CASES: u32 = 256;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// A TOML value: mostly plausible, sometimes wrong in the ways people get it wrong.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zа-яА-Яїієґ ,.?!'-]{0,40}".prop_map(|s| format!("\"{s}\"")),
        Just("\"\"".to_string()),
        Just("\"   \"".to_string()),
        Just("\"a\\u0000b\"".to_string()),
        Just("\"<script>alert(1)</script> & {{ x }}\"".to_string()),
        Just("\"\\u0301\\u200b\\ufeff\"".to_string()),
        "\\PC{0,30}".prop_map(|s| format!("\"{}\"", s.replace(['"', '\\'], ""))),
        (-5i64..200).prop_map(|n| n.to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("true".to_string()),
        Just("[1, \"a\"]".to_string()),
        Just("{ a = 1 }".to_string()),
        date(),
        ".{0,20}",
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1900u32..2200, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (0u32..10000, 0u32..20, 0u32..40).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        Just("2026-11-01T10:00:00Z".to_string()),
        Just("2026-11-01T10:00:00".to_string()),
        Just("10:00:00".to_string()),
        Just("\"2026-11-01\"".to_string()),
        Just("2026-02-30".to_string()),
    ]
}

fn front_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("title"),
        Just("description"),
        Just("weight"),
        Just("last_reviewed"),
        Just("next_review"),
        Just("short_title"),
        Just("template"),
        Just("kind"),
        Just("draft"),
        Just("translation"),
        Just("readability"),
        Just("titel"),
        Just("extra.note"),
    ];
    prop_oneof![
        8 => (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => prop_oneof![
            Just("kind = \"print\""),
            Just("kind = \"sources\""),
            Just("template = \"nope.html\""),
            Just("template = \"../../etc/passwd\""),
            Just("draft = true"),
            Just("translation = false"),
            Just("[extra]"),
            Just("[[extra.list]]"),
            Just("+++"),
            Just("++"),
        ]
        .prop_map(str::to_string),
        1 => ".{0,30}",
    ]
}

/// A front matter block, usually complete, sometimes broken.
fn front_matter() -> impl Strategy<Value = String> {
    let valid = "title = \"Risks\"\ndescription = \"What can go wrong.\"\nweight = 10\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n";
    (
        prop::collection::vec(front_line(), 0..8),
        any::<bool>(),
        prop_oneof![
            6 => Just("+++\n"),
            1 => Just("\u{feff}+++\n"),
            1 => Just("+++\r\n"),
            1 => Just(""),
        ],
        prop_oneof![6 => Just("+++\n"), 1 => Just("+++"), 1 => Just("")],
    )
        .prop_map(move |(lines, start_valid, open, close)| {
            let base = if start_valid { valid } else { "" };
            format!("{open}{base}{}\n{close}", lines.join("\n"))
        })
}

fn heading() -> impl Strategy<Value = String> {
    (
        1usize..8,
        "\\PC{0,20}",
        prop::option::of("[a-zA-Zа-я\\u{301}_ #{}-]{0,12}"),
    )
        .prop_map(|(level, text, id)| {
            let id = id.map_or_else(String::new, |i| format!(" {{#{i}}}"));
            format!("{} {text}{id}", "#".repeat(level))
        })
}

fn markdown_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => heading(),
        3 => "\\PC{0,60}",
        1 => ".{0,40}",
        2 => prop_oneof![
            Just("[risks](risks.md)"),
            Just("[bladder](risks.md#bladder)"),
            Just("[missing](nope.md#x)"),
            Just("[up](../../../x.md)"),
            Just("[uk](_index.uk.md)"),
            Just("[self](#on-the-day)"),
            Just("[empty]()"),
            Just("[ref][undefined]"),
            Just("<https://example.org/a?b=c&d>"),
            Just("![img](<a b.png>)"),
            Just("[@A1]"),
            Just("[@A1; @A2]"),
            Just("[@nope]"),
            Just("[@]"),
            Just("[@A1, @A1; ; @]"),
            Just("[^note]"),
            Just("[^note]: A note [@A2]."),
            Just("<br>"),
            Just("<div id=\"x\">\n\nblock\n\n</div>"),
            Just("<a href=\"../../nope/\">raw</a>"),
            Just("```\nunclosed code"),
            Just("| a | b |\n|---|---|\n| [@A1] | <br> |"),
            Just("> quote\n> > nested"),
            Just("***\n---\n___"),
            Just("\u{0}"),
            Just("{{ page.title }} {% if %}"),
            Just("+++"),
        ]
        .prop_map(str::to_string),
        1 => (1usize..60).prop_map(|depth| (0..depth)
            .map(|i| format!("{}- item {i}", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n")),
        1 => (1usize..40).prop_map(|depth| format!("{} deep", ">".repeat(depth))),
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(markdown_piece(), 0..16),
        prop_oneof![Just("\n\n"), Just("\n"), Just(" "), Just("\r\n")],
    )
        .prop_map(|(pieces, sep)| pieces.join(sep))
}

#[test]
fn random_front_matter_and_markdown_never_panic() {
    let f = Fixture::new();
    // Check against a fixed day, as the other tests do.
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var(common::TODAY_ENV, common::TODAY) };
    let options = LoadOptions::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        // A failure prints the input; shrinking is what makes it readable.
        max_shrink_iters: 2_000,
        ..Config::default()
    });
    let result = runner.run(
        &(front_matter(), markdown(), any::<bool>()),
        |(front, body, in_translation)| {
            let file = if in_translation {
                "content/risks.uk.md"
            } else {
                "content/risks.md"
            };
            f.write(file, &format!("{front}{body}"));
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                let _ = factsheet::check(f.root(), &options);
            }))
            .map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                TestCaseError::fail(format!("panicked: {message}"))
            })
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
