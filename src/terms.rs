//! One word for one thing: the preferred terms of each language (`terms.toml` at the site
//! root) and finding, in a page's text, the variants an editor listed to avoid.
//!
//! A variant is a phrase of words; a word ending in `*` stands for every word that starts
//! so (`тривог*`: тривога, тривоги, тривогу...), which is how one line covers the forms a
//! Ukrainian word takes. Words match whole and without regard to case; white space between
//! words may be any run of spaces or a line break; the three apostrophes (' ’ ʼ) are one,
//! and so are the double quotes (" “ ” „ « »).
//! An entry's `allow` phrases are where a variant is right (a quotation, the longer
//! preferred term it is part of): a variant overlapping one of them is not reported.
//!
//! Checked: a page's Markdown text (headings, paragraphs, lists, tables, link text, image
//! descriptions) and its `title`, `short_title` and `description`; partials too. Not
//! checked: code, raw HTML, URLs, front matter keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};
use serde::Deserialize;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

use crate::config::{SiteConfig, parse_toml};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::letters::{for_each_lower, is_letter_or_digit};

pub(crate) const TERMS_FILE: &str = "terms.toml";

/// One `[[uk]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryToml {
    preferred: Spanned<String>,
    avoid: Spanned<Vec<Spanned<String>>>,
    reason: Spanned<String>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

/// The preferred terms of every language that `terms.toml` lists.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    by_lang: BTreeMap<String, Vec<Entry>>,
}

#[derive(Debug)]
pub(crate) struct Entry {
    preferred: String,
    reason: String,
    avoid: Vec<Pattern>,
    allow: Vec<Pattern>,
}

/// A phrase: its words, lower case, apostrophes made one.
#[derive(Debug)]
struct Pattern {
    words: Vec<Word>,
}

#[derive(Debug)]
struct Word {
    chars: Vec<char>,
    /// Written with a final `*`: any word that starts with `chars`.
    stem: bool,
}

/// A variant found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Use {
    /// Byte offset in the file, and length in bytes.
    pub(crate) offset: usize,
    pub(crate) len: usize,
    /// The words as they are in the text.
    pub(crate) found: String,
    entry: usize,
}

impl Terms {
    /// The entries for `lang`, if `terms.toml` has any.
    pub(crate) fn of(&self, lang: &str) -> Option<&[Entry]> {
        self.by_lang
            .get(lang)
            .map(Vec::as_slice)
            .filter(|e| !e.is_empty())
    }
}

/// `terms.toml`, or `None` when the site has none (then nothing is checked).
pub(crate) fn load(root: &Path, config: &SiteConfig) -> Result<Option<Terms>, Diagnostics> {
    let rel = PathBuf::from(TERMS_FILE);
    if !root.join(&rel).exists() {
        return Ok(None);
    }
    let text = crate::fs::read_utf8(&root.join(&rel), &rel)?;
    let tables: BTreeMap<Spanned<String>, Vec<EntryToml>> =
        parse_toml(&rel, &text, 0, &text, "terms.toml")?;
    let mut diags = Diagnostics::default();
    let at = |span: std::ops::Range<usize>| Location::at(&text, span.start, span.len());
    let mut terms = Terms::default();
    for (lang, entries) in tables {
        if config.language(lang.get_ref()).is_none() {
            let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
            diags.push(
                Diagnostic::error(format!(
                    "terms.toml lists terms for `{}`, which is not a language of the site",
                    lang.get_ref()
                ))
                .in_file(&rel)
                .at(at(lang.span()))
                .with_help(format!("site.toml has: {}", codes.join(", "))),
            );
            continue;
        }
        let mut list = Vec::new();
        for e in entries {
            let mut entry = Entry {
                preferred: e.preferred.get_ref().trim().to_string(),
                reason: e.reason.get_ref().trim().to_string(),
                avoid: Vec::new(),
                allow: Vec::new(),
            };
            for (field, value) in [("preferred", &e.preferred), ("reason", &e.reason)] {
                if value.get_ref().trim().is_empty() {
                    diags.push(
                        Diagnostic::error(format!("`{field}` is empty"))
                            .in_file(&rel)
                            .at(at(value.span()))
                            .with_help(match field {
                                "preferred" => "write the term pages should use",
                                _ => "say in a few words why the variants are wrong, for the next editor",
                            }),
                    );
                }
            }
            if e.avoid.get_ref().is_empty() {
                diags.push(
                    Diagnostic::error(format!(
                        "`avoid` lists no variant for `{}`",
                        entry.preferred
                    ))
                    .in_file(&rel)
                    .at(at(e.avoid.span()))
                    .with_help("list the words pages should not use, e.g. avoid = [\"тривог*\"]"),
                );
            }
            for (list, written) in [
                (&mut entry.avoid, e.avoid.get_ref()),
                (&mut entry.allow, &e.allow),
            ] {
                for phrase in written {
                    match Pattern::parse(phrase.get_ref()) {
                        Ok(p) => list.push(p),
                        Err(problem) => diags.push(
                            Diagnostic::error(problem)
                                .in_file(&rel)
                                .at(at(phrase.span()))
                                .with_help("a phrase is words separated by spaces; `*` may end a word, to match every word starting so (тривог* for тривога, тривоги...)"),
                        ),
                    }
                }
            }
            // A variant that matches the preferred term would flag every right use of it.
            if let Some(u) =
                find(&entry.preferred, &Finder::new(std::slice::from_ref(&entry))).first()
            {
                diags.push(
                    Diagnostic::error(format!(
                        "a variant to avoid matches `{}` in the preferred term `{}`",
                        u.found, entry.preferred
                    ))
                    .in_file(&rel)
                    .at(at(e.avoid.span()))
                    .with_help("make the variant longer, or add the preferred term to `allow`"),
                );
            }
            list.push(entry);
        }
        terms.by_lang.insert(lang.into_inner(), list);
    }
    diags.into_result()?;
    Ok(Some(terms))
}

impl Pattern {
    fn parse(phrase: &str) -> Result<Pattern, String> {
        let normal: String = phrase.nfc().collect();
        let mut words = Vec::new();
        for word in normal.split_whitespace() {
            let (body, stem) = match word.strip_suffix('*') {
                Some(body) => (body, true),
                None => (word, false),
            };
            if body.is_empty() || body.contains('*') {
                return Err(format!(
                    "`{phrase}`: `*` may only end a word, after at least one letter"
                ));
            }
            words.push(Word {
                chars: body
                    .chars()
                    .flat_map(char::to_lowercase)
                    .map(fold)
                    .collect(),
                stem,
            });
        }
        if words.is_empty() {
            return Err("an empty phrase".to_string());
        }
        Ok(Pattern { words })
    }

    /// Where the phrase ends (an index into `chars`) if it starts at `i`.
    fn match_at(&self, chars: &[Char], i: usize) -> Option<usize> {
        let first = self.words[0].chars[0];
        // Most places do not start with the first letter: ask that before the costlier
        // word-boundary question (every entry asks it at every character of every page).
        if chars.get(i)?.lower != first {
            return None;
        }
        if first.is_alphanumeric() && i > 0 && in_word(chars, i - 1) {
            return None;
        }
        let mut j = i;
        for (k, word) in self.words.iter().enumerate() {
            if k > 0 {
                let gap = j;
                while chars.get(j).is_some_and(|c| c.lower.is_whitespace()) {
                    j += 1;
                }
                if j == gap {
                    return None;
                }
            }
            for &want in &word.chars {
                if chars.get(j)?.lower != want {
                    return None;
                }
                j += 1;
            }
            if word.stem {
                while j < chars.len() && in_word(chars, j) {
                    j += 1;
                }
            } else if word.chars.last().is_some_and(|c| c.is_alphanumeric())
                && j < chars.len()
                && in_word(chars, j)
            {
                return None;
            }
        }
        Some(j)
    }
}

/// One character of the text, lowered: where it was in the text (bytes).
struct Char {
    start: usize,
    end: usize,
    lower: char,
    /// `lower.is_alphanumeric()`, asked once: outside ASCII it is a table search.
    alnum: bool,
}

/// Typed variants of the same mark, made one: apostrophes, hyphens and double quotes (so
/// that `"reset"` in `allow` is the typographic “reset” and «reset» of the page).
fn fold(c: char) -> char {
    match c {
        '\'' | 'ʼ' => '’',
        '\u{2010}' | '\u{2011}' => '-',
        '“' | '”' | '„' | '«' | '»' => '"',
        _ => c,
    }
}

/// A letter or digit, or an apostrophe between two of them (м’язи is one word).
fn in_word(chars: &[Char], j: usize) -> bool {
    let alnum = |k: usize| chars.get(k).is_some_and(|c| c.alnum);
    alnum(j) || (chars[j].lower == '’' && j > 0 && alnum(j - 1) && alnum(j + 1))
}

/// The entries of a language, with the characters their phrases start with: each entry's
/// phrases can only start at a character they start with, and most characters of a page
/// start none. One pass over the text finds each entry's candidates (without it the check
/// was a third of the real site's build). Made once per page, not once per run of text.
struct Finder<'e> {
    entries: &'e [Entry],
    /// (first character, entry), sorted.
    starts: Vec<(char, usize)>,
    /// Below U+0500 (Latin and Cyrillic), a bit per character that starts a phrase: the
    /// other characters are turned away without a search.
    low: [u64; 20],
}

impl<'e> Finder<'e> {
    fn new(entries: &'e [Entry]) -> Finder<'e> {
        let mut starts: Vec<(char, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(n, e)| {
                e.avoid
                    .iter()
                    .chain(&e.allow)
                    .map(move |p| (p.words[0].chars[0], n))
            })
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let mut low = [0u64; 20];
        for &(c, _) in &starts {
            if let Some(word) = low.get_mut(c as usize / 64) {
                *word |= 1 << (c as usize % 64);
            }
        }
        Finder {
            entries,
            starts,
            low,
        }
    }

    /// The entries with a phrase starting with `c`.
    fn starting_with(&self, c: char) -> impl Iterator<Item = usize> + '_ {
        let i = c as usize;
        let maybe = self
            .low
            .get(i / 64)
            .is_none_or(|word| word & (1 << (i % 64)) != 0);
        let from = if maybe {
            self.starts.partition_point(|&(f, _)| f < c)
        } else {
            self.starts.len()
        };
        self.starts[from..]
            .iter()
            .take_while(move |&&(f, _)| f == c)
            .map(|&(_, n)| n)
    }
}

/// The variants in `text`, at byte offsets of `text`; at most one per entry at a place (the
/// longest).
fn find(text: &str, finder: &Finder) -> Vec<Use> {
    let mut chars: Vec<Char> = Vec::with_capacity(text.len());
    for (start, c) in text.char_indices() {
        let end = start + c.len_utf8();
        // Unicode's tables only outside Latin and Cyrillic: they were a third of this check.
        for_each_lower(c, |l| {
            chars.push(Char {
                start,
                end,
                lower: fold(l),
                alnum: is_letter_or_digit(l),
            });
        });
    }
    let entries = finder.entries;
    let mut candidates: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for (i, c) in chars.iter().enumerate() {
        for n in finder.starting_with(c.lower) {
            candidates[n].push(i);
        }
    }
    let mut uses = Vec::new();
    for (n, (entry, at)) in entries.iter().zip(&candidates).enumerate() {
        let mut allowed: Vec<(usize, usize)> = Vec::new();
        for &i in at {
            for p in &entry.allow {
                if let Some(end) = p.match_at(&chars, i) {
                    allowed.push((i, end));
                }
            }
        }
        // A use ends where the next may start: uses of one entry do not overlap.
        let mut next = 0;
        for &i in at {
            if i < next {
                continue;
            }
            let end = entry
                .avoid
                .iter()
                .filter_map(|p| p.match_at(&chars, i))
                .max();
            if let Some(end) = end
                && !allowed.iter().any(|&(a, b)| a < end && i < b)
            {
                let (start, stop) = (chars[i].start, chars[end - 1].end);
                uses.push(Use {
                    offset: start,
                    len: stop - start,
                    found: text[start..stop].to_string(),
                    entry: n,
                });
                next = end;
            }
        }
    }
    uses.sort_by_key(|u| u.offset);
    uses
}

/// Text that reads on, gathered from several pieces of the file (pulldown-cmark cuts text at
/// escapes, entities and typographic quotes), with where each piece came from.
#[derive(Default)]
struct Run {
    text: String,
    /// (start in `text`, start in the file, whether the piece is the file's own bytes)
    pieces: Vec<(usize, usize, bool)>,
}

impl Run {
    fn push(&mut self, text: &str, at: usize, exact: bool) {
        self.pieces.push((self.text.len(), at, exact));
        self.text.push_str(text);
    }

    /// The variants found, as byte ranges of the file.
    fn flush(&mut self, finder: &Finder, uses: &mut Vec<Use>) {
        if !self.text.trim().is_empty() {
            for mut u in find(&self.text, finder) {
                let piece = self.pieces[self.pieces.partition_point(|p| p.0 <= u.offset) - 1];
                let (from, at, exact) = piece;
                if exact {
                    u.offset = at + (u.offset - from);
                } else {
                    u.offset = at;
                    u.len = 1;
                }
                uses.push(u);
            }
        }
        self.text.clear();
        self.pieces.clear();
    }
}

/// The variants in a Markdown file whose body starts at byte `body_start`; `title`,
/// `short_title` and `description` lines before it are read as text too.
pub(crate) fn scan(file_text: &str, body_start: usize, entries: &[Entry]) -> Vec<Use> {
    let mut uses = Vec::new();
    let mut run = Run::default();
    let finder = Finder::new(entries);
    scan_front_matter(&file_text[..body_start], &finder, &mut run, &mut uses);
    let body = &file_text[body_start..];
    let base = body.as_ptr() as usize;
    let mut in_code = false;
    // Per open link: whether its text is its address (an autolink), which is not prose.
    let mut links: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Text(text) if !in_code && !links.iter().any(|&a| a) => {
                let (at, exact) = match &text {
                    CowStr::Borrowed(s) => (s.as_ptr() as usize - base, true),
                    _ => (range.start, false),
                };
                run.push(&text, body_start + at, exact);
            }
            Event::Text(_) => {}
            // Words and phrases run on over a line break inside a paragraph.
            Event::SoftBreak => run.push(" ", body_start + range.start, false),
            Event::Start(Tag::Link { link_type, .. }) => {
                links.push(matches!(link_type, LinkType::Autolink | LinkType::Email));
            }
            Event::End(TagEnd::Link) => {
                links.pop();
            }
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Image { .. },
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Image,
            ) => {}
            other => {
                run.flush(&finder, &mut uses);
                match other {
                    Event::Start(Tag::CodeBlock(_)) => in_code = true,
                    Event::End(TagEnd::CodeBlock) => in_code = false,
                    _ => {}
                }
            }
        }
    }
    run.flush(&finder, &mut uses);
    uses
}

/// The values of the front matter's text fields, each read as a run of its own: the title
/// is the page's heading, and the description its summary in search results.
fn scan_front_matter(head: &str, finder: &Finder, run: &mut Run, uses: &mut Vec<Use>) {
    let mut at = 0;
    for line in head.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if !matches!(key.trim(), "title" | "short_title" | "description") {
            continue;
        }
        let value_start = start + key.len() + 1;
        // One-line basic or literal strings: the text between the quotes.
        let trimmed = value.trim_start();
        let Some(quote) = trimmed.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let inner = &trimmed[1..];
        let Some(close) = inner.rfind(quote) else {
            continue;
        };
        let offset = value_start + (value.len() - trimmed.len()) + 1;
        run.push(&inner[..close], offset, true);
        run.flush(finder, uses);
    }
}

impl Use {
    /// The problem, as an error: `check` keeps it one, `build` makes it a warning.
    pub(crate) fn diagnostic(&self, entries: &[Entry], file: &Path, file_text: &str) -> Diagnostic {
        let entry = &entries[self.entry];
        Diagnostic::error(format!(
            "`{}` is a variant to avoid: this site writes `{}`",
            self.found, entry.preferred
        ))
        .in_file(file)
        .at_offset(file_text, self.offset, self.len)
        .with_label(format!("listed in {TERMS_FILE}"))
        .with_help(format!("write `{}`: {}", entry.preferred, entry.reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(preferred: &str, avoid: &[&str], allow: &[&str]) -> Entry {
        let parse = |list: &[&str]| list.iter().map(|p| Pattern::parse(p).unwrap()).collect();
        Entry {
            preferred: preferred.to_string(),
            reason: "why".to_string(),
            avoid: parse(avoid),
            allow: parse(allow),
        }
    }

    fn found(text: &str, e: &Entry) -> Vec<String> {
        find(text, &Finder::new(std::slice::from_ref(e)))
            .into_iter()
            .map(|u| u.found)
            .collect()
    }

    #[test]
    fn a_stem_matches_every_ending_and_only_whole_words() {
        let e = entry("тривожність", &["тривог*"], &[]);
        assert_eq!(
            found("Тривога, тривогу й ТРИВОГОЮ; тривожність", &e),
            ["Тривога", "тривогу", "ТРИВОГОЮ"]
        );
        // Inside a longer word it is not the variant.
        assert!(found("антитривога", &e).is_empty());
        let exact = entry("пресреліз", &["прес-реліз"], &[]);
        assert!(found("прес-релізи", &exact).is_empty());
        assert_eq!(found("Прес-реліз.", &exact), ["Прес-реліз"]);
    }

    #[test]
    fn phrases_run_over_any_space_and_apostrophes_are_one() {
        let e = entry("місце приєднання", &["місц* зв'язування"], &[]);
        assert_eq!(
            found("«Місце\u{a0}зв’язування» і місця  зв'язування", &e),
            ["Місце\u{a0}зв’язування", "місця  зв'язування"]
        );
    }

    #[test]
    fn an_allowed_phrase_and_the_longer_preferred_term_are_left_alone() {
        let e = entry(
            "терапевтично резистентна депресія",
            &["резистентн* депресі*", "резистентн* до лікування"],
            &["терапевтично резистентн*"],
        );
        assert!(found("Терапевтично резистентною депресією", &e).is_empty());
        assert_eq!(
            found(
                "резистентна депресія або резистентною до лікування депресією",
                &e
            ),
            ["резистентна депресія", "резистентною до лікування"]
        );
    }

    #[test]
    fn a_word_is_not_cut_at_an_apostrophe() {
        let e = entry("x", &["язи"], &[]);
        assert!(found("м’язи", &e).is_empty());
        assert_eq!(found("'язи'", &e), ["язи"]);
    }

    #[test]
    fn offsets_are_in_the_file_and_code_and_urls_are_not_text() {
        let e = entry("тривожність", &["тривог*"], &[]);
        let file = "+++\ntitle = \"Тривога\"\nweight = 1\n+++\n\nЦе `тривога` і <https://x.org/тривога>.\n\n    тривога\n\nА тут &amp; тривога.\n";
        let body = file.find("\n\nЦе").unwrap() + 1;
        let uses = scan(file, body, std::slice::from_ref(&e));
        let at: Vec<&str> = uses
            .iter()
            .map(|u| &file[u.offset..u.offset + u.len])
            .collect();
        assert_eq!(at, ["Тривога", "тривога"]);
        assert_eq!(uses[1].offset, file.rfind("тривога").unwrap());
    }

    #[test]
    fn bad_phrases_are_refused() {
        assert!(Pattern::parse("три*вога").is_err());
        assert!(Pattern::parse(" * ").is_err());
        assert!(Pattern::parse("   ").is_err());
    }
}
