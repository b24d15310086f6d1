//! What `factsheet build` writes for readers who lose their connection: the list of files the
//! service worker stores (with the hash of each), and a web app manifest per language. The
//! browser suite (tests/browser/checks/sw.mjs) checks the worker itself.

mod common;

use std::collections::BTreeMap;

use common::{Fixture, TODAY};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn manifest(f: &Fixture, dir: &str) -> Value {
    let text = f.read(&format!("{dir}/offline-manifest.json"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"))
}

/// URL (from the site root) -> hash, for the shared files or a language's.
fn files(m: &Value, part: &str) -> BTreeMap<String, String> {
    let files = if part == "shared" {
        &m["shared"]
    } else {
        &m["languages"][part]["files"]
    };
    files
        .as_object()
        .unwrap_or_else(|| panic!("no {part} files in {m}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn with_note_strings(f: &Fixture) {
    f.write(
        "i18n/en.toml",
        "source = \"Source\"\nsources = \"Sources\"\nnot_found = \"Page not found\"\nmonths = \"January,February,March,April,May,June,July,August,September,October,November,December\"\nyear_suffix = \"\"\noffline_note = \"Saved copy from {date} – you are offline\"\n",
    );
    f.write(
        "i18n/uk.toml",
        "source = \"Джерело\"\nsources = \"Джерела\"\nnot_found = \"Сторінку не знайдено\"\nmonths = \"січня,лютого,березня,квітня,травня,червня,липня,серпня,вересня,жовтня,листопада,грудня\"\nyear_suffix = \" р.\"\noffline_note = \"Збережена копія від {date} – ви не в мережі\"\n",
    );
}

#[test]
fn the_list_names_every_page_of_each_language_with_the_hash_of_its_bytes() {
    let f = Fixture::new();
    with_note_strings(&f);
    f.write(
        "static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    f.build().assert_ok();
    let m = manifest(&f, "public");
    assert_eq!(m["format"], 1);
    assert_eq!(m["built"], TODAY);
    assert_eq!(
        m["languages"]["en"]["note"],
        "Saved copy from 7\u{a0}December 2026 – you are offline"
    );
    assert_eq!(
        m["languages"]["uk"]["note"],
        "Збережена копія від 7\u{a0}грудня 2026 р. – ви не в мережі"
    );
    let en = files(&m, "en");
    let uk = files(&m, "uk");
    let shared = files(&m, "shared");
    let en_pages: Vec<&str> = en
        .keys()
        .map(String::as_str)
        .filter(|k| k.is_empty() || k.ends_with('/'))
        .collect();
    let uk_pages: Vec<&str> = uk
        .keys()
        .map(String::as_str)
        .filter(|k| k.ends_with('/'))
        .collect();
    assert_eq!(en_pages, ["", "print/", "risks/", "sources/"]);
    assert_eq!(uk_pages, ["uk/", "uk/print/", "uk/risks/", "uk/sources/"]);
    assert!(en.contains_key("search-index.en.js") && en.contains_key("app.en.webmanifest"));
    assert!(uk.contains_key("search-index.uk.js") && uk.contains_key("app.uk.webmanifest"));
    assert_eq!(
        shared.keys().collect::<Vec<_>>(),
        ["favicon.svg", "style.css"],
        "shared files: never the 404 page, the sitemap, robots.txt or the list itself"
    );
    assert_every_hash_is_of_the_bytes_served(&f);
}

/// Each hash of the list in `public/` is of the bytes the server sends for that address.
fn assert_every_hash_is_of_the_bytes_served(f: &Fixture) {
    let m = manifest(f, "public");
    let (en, uk, shared) = (files(&m, "en"), files(&m, "uk"), files(&m, "shared"));
    for (url, hash) in en.iter().chain(&uk).chain(&shared) {
        let file = if url.is_empty() || url.ends_with('/') {
            format!("public/{url}index.html")
        } else {
            format!("public/{url}")
        };
        let bytes = std::fs::read(f.path(&file)).unwrap();
        assert_eq!(hash, &sha(&bytes), "{url}");
    }
}

/// `public/offline-manifest.json` with the hash of `url` replaced by `hash`, its date of
/// change kept: a list that only this build could have written.
fn put_hash_as_if_built(f: &Fixture, url: &str, hash: &str) {
    let path = f.path("public/offline-manifest.json");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut m = manifest(f, "public");
    let lang = if url.starts_with("uk/") { "uk" } else { "en" };
    m["languages"][lang]["files"][url] = Value::String(hash.to_string());
    // A new file: the one in place may be linked from an earlier build.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(modified).unwrap();
}

/// Mark `rel` as changed a second after the build that wrote it.
fn later(f: &Fixture, rel: &str) {
    let built = std::fs::metadata(f.path("public/.factsheet-output"))
        .and_then(|m| m.modified())
        .unwrap();
    let file = std::fs::File::options()
        .write(true)
        .open(f.path(rel))
        .unwrap();
    file.set_modified(built + std::time::Duration::from_secs(1))
        .unwrap();
}

#[test]
fn a_rebuild_takes_the_hashes_of_unchanged_files_from_the_list_it_replaces() {
    let f = Fixture::new();
    f.build().assert_ok();
    // Only a list the last build wrote is believed: hashing every page again was a
    // twentieth of a rebuild. The made-up hash shows where the new one came from.
    put_hash_as_if_built(&f, "risks/", "0123456789abcdef0123456789abcdef");
    f.build().assert_ok();
    assert_eq!(
        files(&manifest(&f, "public"), "en")["risks/"],
        "0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn a_list_changed_by_hand_is_not_believed() {
    let f = Fixture::new();
    f.build().assert_ok();
    put_hash_as_if_built(&f, "risks/", "0123456789abcdef0123456789abcdef");
    // Changed after the build, as an editor saving it would.
    later(&f, "public/offline-manifest.json");
    f.build().assert_ok();
    assert_every_hash_is_of_the_bytes_served(&f);
}

#[test]
fn a_page_changed_by_hand_in_the_output_is_hashed_again() {
    let f = Fixture::new();
    f.build().assert_ok();
    // The page is fixed by hand in public/, then in its source the same way: the
    // rebuild keeps the file (same bytes), but the list's old hash is of other bytes.
    let page = f.path("public/risks/index.html");
    let fixed = std::fs::read_to_string(&page)
        .unwrap()
        .replace("feel sleepy", "feel very sleepy");
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, &fixed).unwrap();
    // A second later, as a person would: within the tick the build ended in, the file
    // system cannot tell the two apart.
    later(&f, "public/risks/index.html");
    f.edit("content/risks.md", "feel sleepy", "feel very sleepy");
    f.build().assert_ok();
    assert_eq!(std::fs::read_to_string(&page).unwrap(), fixed);
    assert_every_hash_is_of_the_bytes_served(&f);
}

#[test]
fn a_new_build_changes_the_hashes_of_what_changed_only() {
    let f = Fixture::new();
    f.build().assert_ok();
    let before = manifest(&f, "public");
    f.build().assert_ok();
    assert_eq!(
        f.read("public/offline-manifest.json"),
        serde_json::to_string(&before).unwrap(),
        "the same sources give the same list"
    );
    f.edit(
        "content/risks.uk.md",
        "відчувати сонливість",
        "відчувати сильну сонливість",
    );
    f.build().assert_ok();
    let after = manifest(&f, "public");
    assert_ne!(
        files(&before, "uk")["uk/risks/"],
        files(&after, "uk")["uk/risks/"]
    );
    assert_eq!(files(&before, "en"), files(&after, "en"));
    assert_eq!(files(&before, "shared"), files(&after, "shared"));
    assert_eq!(files(&before, "uk")["uk/"], files(&after, "uk")["uk/"]);
}

#[test]
fn each_language_has_a_web_app_manifest_starting_at_its_home_page() {
    let f = Fixture::new();
    f.write("static/icon-192.png", "not really a PNG");
    f.build().assert_ok();
    let uk: Value = serde_json::from_str(&f.read("public/app.uk.webmanifest")).unwrap();
    assert_eq!(uk["name"], "Тестовий лист");
    assert_eq!(uk["lang"], "uk");
    // Relative to the manifest at the site root: the same build works under a sub-path.
    assert_eq!(uk["start_url"], "uk/");
    assert_eq!(uk["scope"], "./");
    assert_eq!(uk["icons"][0]["src"], "icon-192.png");
    assert_eq!(uk["icons"][0]["sizes"], "192x192");
    let en: Value = serde_json::from_str(&f.read("public/app.en.webmanifest")).unwrap();
    assert_eq!(en["start_url"], "./");
    assert_eq!(en["lang"], "en");
}

#[test]
fn the_offline_copy_has_no_service_worker_list_nor_web_app_manifest() {
    let f = Fixture::new();
    f.run(&["build", "--offline"]).assert_ok();
    for file in [
        "offline-manifest.json",
        "app.en.webmanifest",
        "app.uk.webmanifest",
    ] {
        assert!(!f.path("public-offline").join(file).exists(), "{file}");
    }
    assert!(f.path("public-offline/uk/risks/index.html").is_file());
}

#[test]
fn a_static_file_may_not_take_the_lists_name() {
    let f = Fixture::new();
    f.write("static/offline-manifest.json", "{}");
    let run = f.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("static/offline-manifest.json")
            && run.stderr.contains("would overwrite"),
        "{}",
        run.stderr
    );
}
