//! `factsheet new SLUG [--kind KIND]`: a new page and its twin in every language, as drafts.
//!
//! The page is `draft = true` so an unfinished page is never published by mistake; its
//! front matter is filled in (a title to replace, today's review dates, the next weight) and
//! it refuses a slug the build would refuse, or one that is taken in any language.

use std::path::{Path, PathBuf};

use crate::config::{self, SiteConfig};
use crate::content::PageKind;
use crate::diagnostic::Diagnostic;

/// Write `content/SLUG.md` and `content/SLUG.CODE.md` for each other language of the site at
/// `root`. Returns the files written, relative to `root`.
pub fn new_page(root: &Path, slug: &str, kind: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let config = config::load_config(root, None)?;
    let kind = parse_kind(kind)?;
    check_slug(slug, &config)?;
    let files: Vec<(String, PathBuf)> = config
        .languages
        .iter()
        .map(|l| {
            let name = if l.code == config.default_language {
                format!("{slug}.md")
            } else {
                format!("{slug}.{}.md", l.code)
            };
            (l.code.clone(), Path::new("content").join(name))
        })
        .collect();
    // `content/topics/_index.md` is published at the same address as `content/topics.md`.
    let twin_address = |f: &PathBuf| {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let section = name.as_deref().and_then(|n| {
            let (stem, rest) = n.split_once('.')?;
            Some(f.with_file_name(stem).join(format!("_index.{rest}")))
        });
        section.filter(|s| !slug.ends_with("_index") && root.join(s).exists())
    };
    let taken = files.iter().find_map(|(_, f)| {
        if root.join(f).exists() {
            Some(f.clone())
        } else {
            twin_address(f)
        }
    });
    if let Some(taken) = taken {
        return Err(Diagnostic::error(format!(
            "{} already exists: `{slug}` is taken",
            taken.display()
        ))
        .with_help("choose another slug, or edit the page that is there"));
    }
    let weight = next_weight(&root.join("content"));
    let today = crate::content::today();
    let next = crate::init::review_after(&today);
    let key_facts = kind.is_content() && config.require_key_facts;
    for (code, rel) in &files {
        let text = page_text(code, kind, weight, &today, &next, key_facts);
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        }
        // create_new: a file that appeared since the check above is not overwritten.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| io_error(&path, &e))?;
    }
    Ok(files.into_iter().map(|(_, f)| f).collect())
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write {}: {e}", path.display()))
}

fn parse_kind(kind: &str) -> Result<PageKind, Diagnostic> {
    let all = [
        PageKind::Page,
        PageKind::Search,
        PageKind::Sources,
        PageKind::Print,
    ];
    all.into_iter().find(|k| k.as_str() == kind).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
        Diagnostic::error(format!("`{kind}` is not a kind of page"))
            .with_help(format!("kinds are: {}", names.join(", ")))
    })
}

/// The build's own rules: a name it would refuse as a web address, a partial (`_x`), or a
/// name that ends in a language code (`risks.uk` is the Ukrainian twin of `risks`).
fn check_slug(slug: &str, config: &SiteConfig) -> Result<(), Diagnostic> {
    let refuse = |why: String, help: &str| Err(Diagnostic::error(why).with_help(help.to_string()));
    if slug.is_empty()
        || slug.starts_with('/')
        || slug.ends_with('/')
        || slug
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return refuse(
            format!("`{slug}` cannot be a page's name"),
            "give a name like side-effects, or topics/side-effects for a page in a section",
        );
    }
    if slug.ends_with(".md") {
        return refuse(
            format!("give the page's name without .md: `{slug}`"),
            "factsheet new side-effects writes content/side-effects.md",
        );
    }
    let file = Path::new("content").join(format!("{slug}.md"));
    crate::content::check_url_safe(&file, slug)?;
    let last = slug.rsplit('/').next().unwrap_or(slug);
    if last.starts_with('_') && last != "_index" {
        return refuse(
            format!("`{slug}` starts with _, which makes it a partial, not a page"),
            "partials such as _emergency.md are written by hand; give a page name without _",
        );
    }
    let (key, lang) = crate::content::split_language(slug, config);
    if key != slug {
        return refuse(
            format!("`{slug}` ends in .{lang}, which names the {lang} twin of `{key}`"),
            &format!("give the page's name alone: factsheet new {key}"),
        );
    }
    Ok(())
}

/// Ten more than the highest weight in `content/`, so the page comes last in the menu.
fn next_weight(content: &Path) -> i64 {
    let mut max = 0;
    for entry in walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let weight = text
            .strip_prefix("+++")
            .and_then(|rest| rest.split_once("\n+++"))
            .and_then(|(front, _)| toml::from_str::<toml::Table>(front).ok())
            .and_then(|t| t.get("weight").and_then(toml::Value::as_integer));
        if let Some(w) = weight {
            max = max.max(w);
        }
    }
    (max / 10 + 1) * 10
}

fn page_text(
    lang: &str,
    kind: PageKind,
    weight: i64,
    today: &str,
    next: &str,
    key_facts: bool,
) -> String {
    let uk = lang == "uk";
    let (title, description, facts, body) = if uk {
        (
            "НАЗВА: замініть її",
            "Одне речення про те, що є на цій сторінці.",
            "Головне",
            "Напишіть тут текст сторінки. Коли вона готова, видаліть рядок draft = true.",
        )
    } else {
        (
            "TITLE: replace it",
            "One sentence on what this page covers.",
            "Key facts",
            "Write the page here. When it is ready, delete the line draft = true.",
        )
    };
    let mut out = format!(
        "+++\ntitle = \"{title}\"\ndescription = \"{description}\"\nweight = {weight}\n\
         last_reviewed = {today}\nnext_review = {next}\n"
    );
    if kind != PageKind::Page {
        out.push_str(&format!("kind = \"{}\"\n", kind.as_str()));
    }
    out.push_str("draft = true\n+++\n\n");
    if key_facts {
        out.push_str(&format!("## {facts} {{#key-facts}}\n\n- \n\n"));
    }
    out.push_str(body);
    out.push('\n');
    out
}
