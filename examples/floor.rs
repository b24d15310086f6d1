//! The floor the build is compared with: the least a static site generator must do.
//!
//! ```text
//! cargo run --release --example floor -- --root DIR --out OUT
//! ```
//!
//! Walks `DIR/content`, splits each page's `+++` front matter from its body, renders the body
//! with pulldown-cmark (the options of `src/markdown.rs`) and writes it as a bare HTML file at
//! the page's URL, as the build does (`topics/a.uk.md` -> `OUT/uk/topics/a/index.html`: one
//! folder per page), in parallel on all cores with rayon, like the build. No templates, no
//! front-matter parsing, no partials, no link checking, no citations: a build within a small
//! factor of this spends little on anything but the unavoidable. The previous output folder is
//! removed first, as the build replaces its previous output.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

// The build's allocator, so that the ratio compares work, not allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut root = None;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => root = it.next().map(PathBuf::from),
            "--out" => out = it.next().map(PathBuf::from),
            _ => {
                eprintln!("usage: floor --root DIR --out OUT");
                std::process::exit(2);
            }
        }
    }
    let (Some(root), Some(out)) = (root, out) else {
        eprintln!("usage: floor --root DIR --out OUT");
        std::process::exit(2);
    };
    let content = root.join("content");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("remove the previous output");
    }
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        // Partials (`_emergency.md`) are not pages.
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            !name.starts_with('_') || name.starts_with("_index.")
        })
        .map(walkdir::DirEntry::into_path)
        .collect();
    let bytes: usize = files.par_iter().map(|f| render(&content, f, &out)).sum();
    println!(
        "floor: {} pages, {} bytes of HTML -> {}",
        files.len(),
        bytes,
        out.display()
    );
}

fn render(content: &Path, file: &Path, out: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("read a page");
    let body = split_front_matter(&text);
    let parser = pulldown_cmark::Parser::new_ext(body, factsheet::markdown::options());
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    let target = out.join(output_path(file.strip_prefix(content).unwrap_or(file)));
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).expect("create an output folder");
    }
    std::fs::write(&target, html.as_bytes()).expect("write a page");
    html.len()
}

/// `risks.md` -> `risks/index.html`, `topics/_index.uk.md` -> `uk/topics/index.html`: a
/// two-letter suffix is a language other than the default.
fn output_path(rel: &Path) -> PathBuf {
    let rel = rel.to_string_lossy().replace('\\', "/");
    let stem = rel.strip_suffix(".md").unwrap_or(&rel);
    let (key, prefix) = match stem.rsplit_once('.') {
        Some((key, lang)) if lang.len() == 2 && !lang.contains('/') => (key, format!("{lang}/")),
        _ => (stem, String::new()),
    };
    let dir = key
        .strip_suffix("_index")
        .unwrap_or(key)
        .trim_end_matches('/');
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    PathBuf::from(format!("{prefix}{dir}index.html"))
}

/// The body after the `+++` front matter (the whole text if there is none).
fn split_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return text;
    };
    match rest.find("\n+++\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}
