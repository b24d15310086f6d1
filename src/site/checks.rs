//! Checks of the site as a whole, after every page rendered, all behind
//! [`Site::check_whole_site`]: every source is cited, each translation cites the sources of
//! its original, pages read at the grade set, `terms.toml`'s preferred words, review dates,
//! the links (and with `--offline`, links to folders); and where the link check finds the
//! Markdown or template line behind a problem. To add a check: a method here, called from
//! `check_whole_site`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config;
use crate::content::{self, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::languages::Measure;
use crate::links;

use super::page::PageResult;
use super::{Site, Strictness};

impl Site {
    /// Every check of the site as a whole. `write_files` writes the files that are not pages
    /// (the search indexes take seconds on a large site) while the checks that need no list
    /// of files run; it returns that list, or `None` when the pages or files have errors
    /// and the links are not worth checking. The link problems come first.
    pub(super) fn check_whole_site(
        &self,
        results: &[PageResult],
        strictness: Strictness,
        write_files: impl FnOnce() -> Option<HashSet<String>> + Send,
    ) -> Diagnostics {
        let (files, mut checked) = rayon::join(write_files, || {
            let mut checked = Diagnostics::default();
            let cited: HashSet<&str> = results
                .iter()
                .flat_map(|r| r.citations.log.iter().map(|k| &**k))
                .collect();
            self.check_unused_sources(&cited, &mut checked);
            self.check_citation_parity(results, &mut checked);
            self.check_readability(results, strictness, &mut checked);
            self.languages_without_rules(&mut checked);
            self.check_terms(results, strictness, &mut checked);
            for d in review_date_problems(&self.content.pages, &content::today()) {
                checked.push(strictness.grade(d));
            }
            // Loaded without an unknown key so that the rest could be checked: still errors.
            let pages = self.content.pages.iter().chain(&self.content.drafts);
            for d in pages.filter_map(|p| p.front_matter_error.clone()) {
                checked.push(d);
            }
            checked
        });
        let mut diags = Diagnostics::default();
        if let Some(files) = files {
            let page_links: Vec<&links::PageLinks> =
                results.iter().filter_map(|r| r.links.as_ref()).collect();
            diags.0.extend(links::check(&page_links, &files, self));
            if self.offline {
                diags.0.extend(
                    page_links
                        .iter()
                        .flat_map(|l| crate::offline::check_folder_links(l)),
                );
            }
        }
        diags.0.append(&mut checked.0);
        diags
    }

    fn check_unused_sources(&self, cited: &HashSet<&str>, diags: &mut Diagnostics) {
        for key in self.sources.sources.keys() {
            if !cited.contains(key.as_str()) {
                let mut d = Diagnostic::error(format!("source `{key}` is not cited by any page"))
                    .in_file(config::SOURCES_FILE)
                    .with_help(format!(
                        "cite it with [@{key}], or remove it from sources.toml"
                    ));
                if let Some(l) = self.sources.location_of(key) {
                    d = d.at(l);
                }
                diags.push(d);
            }
        }
    }

    /// A translation must cite the same sources as its original.
    fn check_citation_parity(&self, results: &[PageResult], diags: &mut Diagnostics) {
        let mut by_key: BTreeMap<&str, Vec<&PageResult>> = BTreeMap::new();
        for r in results {
            by_key.entry(r.page.key.as_str()).or_default().push(r);
        }
        for group in by_key.values() {
            let Some(reference) = group
                .iter()
                .find(|r| r.page.lang == self.config.default_language)
            else {
                continue;
            };
            if !reference.citations.read {
                continue;
            }
            let expected = reference.body_sources();
            for other in group
                .iter()
                .filter(|r| r.page.lang != reference.page.lang && r.citations.read)
            {
                let got = other.body_sources();
                let missing = not_in(expected, got);
                let extra = not_in(got, expected);
                if missing.is_empty() && extra.is_empty() {
                    continue;
                }
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("does not cite {}", missing.join(", ")));
                }
                if !extra.is_empty() {
                    parts.push(format!(
                        "cites {} which the original does not",
                        extra.join(", ")
                    ));
                }
                let mut d = Diagnostic::error(format!(
                    "translation {} {} ({} is the original)",
                    other.page.file.display(),
                    parts.join(" and "),
                    reference.page.file.display()
                ))
                .in_file(&other.page.file)
                .with_help("translations must carry the same facts with the same citations");
                // Point at the first citation the original lacks; when the translation only
                // lacks one, there is nothing in it to point at, so say where the original
                // cites it instead.
                let text = links::Sources::markdown(self, &other.page.file);
                if let Some((key, at)) = extra
                    .iter()
                    .find_map(|k| Some((k, citation_of(text.as_deref()?, k)?)))
                {
                    d = d
                        .at(at)
                        .with_label(format!("the original does not cite {key}"));
                } else if let Some(key) = missing.first() {
                    let original = links::Sources::markdown(self, &reference.page.file);
                    if let Some(at) = original.as_deref().and_then(|t| citation_of(t, key)) {
                        d = d.with_help(format!(
                            "the original cites {key} at {}:{}:{}; translations must carry the same facts with the same citations",
                            reference.page.file.display(),
                            at.line,
                            at.column
                        ));
                    }
                }
                diags.push(d);
            }
        }
    }

    /// One line for each language of the site without word rules: it builds, but less is
    /// done for it, and an editor adding a language should know.
    fn languages_without_rules(&self, diags: &mut Diagnostics) {
        for lang in &self.config.languages {
            if crate::languages::of(&lang.code).is_none() {
                diags.push(Diagnostic::info(format!(
                    "language `{}` has no word rules: its search only folds case and apostrophes, and its readability is not checked",
                    lang.code
                ))
                .with_help("factsheet's guide, docs/authoring.md \"Adding a language\", says how to give it rules in src/languages.rs"));
            }
        }
    }

    fn check_readability(
        &self,
        results: &[PageResult],
        strictness: Strictness,
        diags: &mut Diagnostics,
    ) {
        for r in results {
            let Some(score) = &r.readability else {
                continue;
            };
            if score.words < crate::readability::MIN_WORDS {
                continue;
            }
            let Some(rules) = crate::languages::of(&r.page.lang) else {
                continue;
            };
            let message = match rules.readability {
                Measure::FleschKincaid => {
                    let max = self.config.readability_max_grade;
                    if score.grade <= max {
                        continue;
                    }
                    format!(
                        "{} reads at grade {:.1}, above the limit of {max} (Flesch-Kincaid, {} words in {} sentences)",
                        r.page.file.display(),
                        score.grade,
                        score.words,
                        score.sentences
                    )
                }
                Measure::Lix => {
                    let max = self.config.readability_max_lix;
                    if score.lix <= max {
                        continue;
                    }
                    format!(
                        "{} has a LIX of {:.1}, above the limit of {max} (readability_max_lix: {:.1} words a sentence, {:.0} % of words longer than six letters; {} words in {} sentences)",
                        r.page.file.display(),
                        score.lix,
                        score.words as f64 / score.sentences.max(1) as f64,
                        100.0 * score.long_words as f64 / score.words.max(1) as f64,
                        score.words,
                        score.sentences
                    )
                }
            };
            let mut d = strictness
                .grade(Diagnostic::error(message))
                .in_file(&r.page.file);
            let longest: Vec<String> = score
                .longest
                .iter()
                .map(|(n, s)| format!("({n} words) {}", ellipsize(s, 120)))
                .collect();
            d = d.with_label(format!(
                "longest sentences:\n     {}",
                longest.join("\n     ")
            ));
            d = d.with_help(
                "use shorter sentences and common words; put the medical word after the plain one",
            );
            diags.push(d);
        }
    }

    /// The variants of `terms.toml` that pages and partials use: a warning in `build`, an
    /// error in `check`, as readability.
    fn check_terms(&self, results: &[PageResult], strictness: Strictness, diags: &mut Diagnostics) {
        let Some(terms) = &self.terms else {
            return;
        };
        for partial in &self.content.partials {
            if let Some(entries) = terms.of(&partial.lang) {
                for u in crate::terms::scan(&partial.text, 0, entries) {
                    diags.push(strictness.grade(u.diagnostic(
                        entries,
                        &partial.file,
                        &partial.text,
                    )));
                }
            }
        }
        for r in results {
            for d in &r.terms {
                diags.push(strictness.grade(d.clone()));
            }
        }
    }
}

/// Where the link check finds the text behind a problem, to point at its line.
impl links::Sources for Site {
    fn markdown(&self, file: &Path) -> Option<String> {
        match self.content.partials.iter().find(|p| p.file == file) {
            Some(partial) => Some(partial.text.clone()),
            None => std::fs::read_to_string(self.root.join(file)).ok(),
        }
    }

    fn in_templates(&self, template: &str, needle: &str) -> Option<(PathBuf, Location)> {
        self.templates.find(template, needle)
    }
}

/// Review dates an editor must act on: a `next_review` that has passed (the page is overdue
/// for review) and a `last_reviewed` in the future (a typo, or a review not yet done). As
/// warnings; `check` makes them errors.
fn review_date_problems(pages: &[Page], today: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for page in pages {
        let at = |field: &str| crate::diagnostic::Location::find(&page.head, field);
        let mut push = |field: &str, message: String, help: &str| {
            let mut d = Diagnostic::warning(message)
                .in_file(&page.file)
                .with_help(help.to_string());
            if let Some(l) = at(field) {
                d = d.at(l);
            }
            out.push(d);
        };
        if page.next_review.as_str() < today {
            push(
                "next_review",
                format!(
                    "{} is overdue for review: next_review was {} (today is {today})",
                    page.file.display(),
                    page.next_review
                ),
                "review the page against its sources, then set last_reviewed to today and next_review to the next date",
            );
        }
        if page.last_reviewed.as_str() > today {
            push(
                "last_reviewed",
                format!(
                    "{}: last_reviewed is in the future ({}; today is {today})",
                    page.file.display(),
                    page.last_reviewed
                ),
                "set it to the day the page was last reviewed",
            );
        }
    }
    out
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Where `text` first cites `key` (`[@S4]`, `[@S1; @S4]`), outside HTML comments, whose
/// citations are not published; `@S4` does not match `@S45`.
fn citation_of(text: &str, key: &str) -> Option<Location> {
    let needle = format!("@{key}");
    text.match_indices(&needle)
        .find(|&(at, _)| {
            let after = text[at + needle.len()..].chars().next();
            let whole = !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
            let before = &text[..at];
            let in_comment = before
                .rfind("<!--")
                .is_some_and(|open| before.rfind("-->").is_none_or(|close| close < open));
            whole && !in_comment
        })
        .map(|(at, _)| Location::at(text, at, needle.len()))
}

/// The keys of `keys` that `other` lacks; both sorted, as [`PageResult::body_sources`] is.
fn not_in<'k>(keys: &'k [Arc<str>], other: &[Arc<str>]) -> Vec<&'k str> {
    keys.iter()
        .filter(|k| other.binary_search(k).is_err())
        .map(|k| &**k)
        .collect()
}
