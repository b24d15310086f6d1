//! Pages the theme links to itself: `templates/base.html` links every page to
//! `{{ lang_root }}search/`. Without `content/search.md` that link was broken on every page,
//! one error per page; this names the missing page once, and how to make it.

use std::path::Path;

use crate::config::SiteConfig;
use crate::content::{Content, PageKind};
use crate::diagnostic::{Diagnostic, Location};

const LINK_START: &str = "{{ lang_root }}";

/// One error for each page that a template links to through `{{ lang_root }}SLUG/` and that
/// is missing in some language (or only a draft).
pub(crate) fn missing(root: &Path, config: &SiteConfig, content: &Content) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(root.join("templates")) else {
        return out;
    };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    for name in names {
        let rel = Path::new("templates").join(&name);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        for (at, _) in text.match_indices(LINK_START) {
            let after = &text[at + LINK_START.len()..];
            let Some(end) = after.find(['/', '"', '#', '\'']) else {
                continue;
            };
            let slug = &after[..end];
            if slug.is_empty()
                || !after[end..].starts_with('/')
                || !slug
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
                || !seen.insert(slug.to_string())
            {
                continue;
            }
            let has = |code: &str| {
                content
                    .pages
                    .iter()
                    .any(|p| p.path == slug && p.lang == code)
            };
            let lacking: Vec<String> = config
                .languages
                .iter()
                .filter(|l| !has(&l.code))
                .map(|l| {
                    if l.code == config.default_language {
                        format!("content/{slug}.md")
                    } else {
                        format!("content/{slug}.{}.md", l.code)
                    }
                })
                .collect();
            if lacking.is_empty() {
                continue;
            }
            let kind = [PageKind::Search, PageKind::Sources, PageKind::Print]
                .into_iter()
                .map(PageKind::as_str)
                .find(|k| *k == slug);
            let command = match kind {
                Some(k) => format!("factsheet new {slug} --kind {k}"),
                None => format!("factsheet new {slug}"),
            };
            let drafted = content.drafts.iter().any(|p| p.path == slug);
            let plural = lacking.len() > 1;
            let (state, help) = if drafted {
                (
                    if plural {
                        "are only drafts"
                    } else {
                        "is only a draft"
                    },
                    "delete its `draft = true` line when it is ready".to_string(),
                )
            } else {
                (
                    if plural {
                        "do not exist"
                    } else {
                        "does not exist"
                    },
                    format!(
                        "create it with `{command}` (it writes every language's file), then delete its `draft = true` line"
                    ),
                )
            };
            out.push(
                Diagnostic::error(format!(
                    "the theme links every page to the `{slug}` page, but {} {state}",
                    lacking.join(" and ")
                ))
                .in_file(&rel)
                .at(Location::at(&text, at, LINK_START.len() + end))
                .with_label("linked here")
                .with_help(help),
            );
        }
    }
    out
}
