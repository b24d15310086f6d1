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

/// `public/offline-manifest.json` with the hash of `url` replaced by `hash`, put back with
/// its old modification time, as `cp -p`, `mv` or `rsync -a` would.
fn put_hash_with_its_old_date(f: &Fixture, url: &str, hash: &str) {
    let path = f.path("public/offline-manifest.json");
    let mut m = manifest(f, "public");
    let lang = if url.starts_with("uk/") { "uk" } else { "en" };
    m["languages"][lang]["files"][url] = Value::String(hash.to_string());
    put_back_with_old_date(&path, &serde_json::to_vec(&m).unwrap());
}

/// `bytes` put at `path` in place of what is there, with its modification time.
fn put_back_with_old_date(path: &std::path::Path, bytes: &[u8]) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    // A new file: the one in place may be linked from an earlier build.
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, bytes).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(modified).unwrap();
}

/// Write the marker of `public/` again, as a commit does last, in a later clock tick than
/// any change made before: whatever is in `public/` now passes for that build's own.
fn commit_again(f: &Fixture) {
    use std::os::unix::fs::MetadataExt;
    let marker = f.path("public/.factsheet-output");
    let text = std::fs::read(&marker).unwrap();
    let newest = walkdir::WalkDir::new(f.path("public"))
        .into_iter()
        .map(|e| e.unwrap().metadata().unwrap())
        .map(|m| (m.ctime(), m.ctime_nsec()))
        .max()
        .unwrap();
    for _ in 0..300 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&marker, &text).unwrap();
        let m = std::fs::metadata(&marker).unwrap();
        if (m.mtime(), m.mtime_nsec()) > newest {
            return;
        }
    }
    panic!("the clock did not move on");
}

#[test]
fn a_rebuild_takes_the_hashes_of_unchanged_files_from_the_list_it_replaces() {
    let f = Fixture::new();
    f.build().assert_ok();
    // Hashing every page again was a twentieth of a rebuild. The made-up hash, in a list
    // as the last build left it, shows where the new one came from.
    put_hash_with_its_old_date(&f, "risks/", "0123456789abcdef0123456789abcdef");
    commit_again(&f);
    f.build().assert_ok();
    assert_eq!(
        files(&manifest(&f, "public"), "en")["risks/"],
        "0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn a_list_changed_since_the_build_is_not_believed_whatever_its_date() {
    let f = Fixture::new();
    f.build().assert_ok();
    // Put back with the date it had (an old copy restored with `cp -p`).
    put_hash_with_its_old_date(&f, "risks/", "0123456789abcdef0123456789abcdef");
    f.build().assert_ok();
    assert_every_hash_is_of_the_bytes_served(&f);
}

#[test]
fn a_page_changed_since_the_build_is_hashed_again_whatever_its_date() {
    let f = Fixture::new();
    f.build().assert_ok();
    // The page is fixed by hand in public/ and put back with its old date, then fixed in
    // its source the same way: the rebuild keeps the file (same bytes), but the list's
    // hash is of the bytes before the fix.
    let page = f.path("public/risks/index.html");
    let fixed = std::fs::read_to_string(&page)
        .unwrap()
        .replace("feel sleepy", "feel very sleepy");
    put_back_with_old_date(&page, fixed.as_bytes());
    f.edit("content/risks.md", "feel sleepy", "feel very sleepy");
    f.build().assert_ok();
    assert_eq!(std::fs::read_to_string(&page).unwrap(), fixed);
    assert_every_hash_is_of_the_bytes_served(&f);
    // And on the builds after: the hash taken forward is the right one.
    f.build().assert_ok();
    assert_every_hash_is_of_the_bytes_served(&f);
}

#[test]
fn a_file_named_like_a_page_is_listed_under_its_own_name() {
    let f = Fixture::new();
    f.write("static/amp-index.html", "<p>amp</p>");
    f.build().assert_ok();
    let shared = files(&manifest(&f, "public"), "shared");
    assert_eq!(
        shared.get("amp-index.html"),
        Some(&sha(b"<p>amp</p>")),
        "{shared:?}"
    );
    assert!(!shared.contains_key("amp-"), "{shared:?}");
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
