//! The search index: one small script per language, built from the rendered pages.
//!
//! Each page is cut into sections at its headings; each section keeps its heading, anchor, a
//! short snippet and the weighted stems of its words. The index is a `<script>` that assigns a
//! global (`window.factsheetSearch`), not a JSON file, because browsers refuse `fetch` on
//! `file://` and the site must search from a USB stick. The stemming rules travel in the index,
//! so `static/search.js` applies exactly the rules the index was built with.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use lol_html::html_content::EndTag;
use lol_html::{EndTagHandler, HtmlRewriter, Settings, doc_text, element};
use serde::Serialize;

use crate::content::{Page, PageKind};
use crate::offline;
use crate::site::Site;

/// How a language's words are reduced to stems: the first suffix of `suffixes` the word ends
/// with is replaced, if at least `min_stem` characters remain. Longest suffixes come first.
#[derive(Debug, Serialize)]
pub struct Rules {
    pub min_stem: usize,
    pub suffixes: &'static [(&'static str, &'static str)],
    /// Words too common to search for; dropped from the index and from queries.
    pub stop: &'static [&'static str],
}

/// Plural endings only: enough for `risks` to find `risk`, without Porter's surprises.
const EN: Rules = Rules {
    min_stem: 3,
    suffixes: &[
        ("sses", "ss"),
        ("ies", "y"),
        ("ss", "ss"),
        ("us", "us"),
        ("is", "is"),
        ("s", ""),
    ],
    stop: &[
        "the", "and", "or", "of", "to", "in", "on", "at", "an", "is", "are", "be", "it", "for",
        "with", "as", "by", "this", "that", "from",
    ],
};

/// Ukrainian case, number, adjective and common verb endings. Stripping them makes the
/// forms of a word meet (`кетаміну`, `кетаміном` and `кетамін` all become `кетамін`); it does
/// not try to undo stem changes (`біль`/`болю`).
const UK: Rules = Rules {
    min_stem: 3,
    suffixes: &[
        ("ються", ""),
        ("ється", ""),
        ("ться", ""),
        ("ього", ""),
        ("ьому", ""),
        ("ами", ""),
        ("ями", ""),
        ("ого", ""),
        ("ому", ""),
        ("ими", ""),
        ("іми", ""),
        ("ові", ""),
        ("еві", ""),
        ("єві", ""),
        ("ати", ""),
        ("ити", ""),
        ("яти", ""),
        ("іти", ""),
        ("ють", ""),
        ("уть", ""),
        ("ать", ""),
        ("ять", ""),
        ("ить", ""),
        ("ий", ""),
        ("ій", ""),
        ("ої", ""),
        ("ою", ""),
        ("ею", ""),
        ("єю", ""),
        ("им", ""),
        ("ім", ""),
        ("их", ""),
        ("іх", ""),
        ("ом", ""),
        ("ем", ""),
        ("єм", ""),
        ("ів", ""),
        ("їв", ""),
        ("ей", ""),
        ("ах", ""),
        ("ях", ""),
        ("ам", ""),
        ("ям", ""),
        ("а", ""),
        ("я", ""),
        ("о", ""),
        ("е", ""),
        ("є", ""),
        ("у", ""),
        ("ю", ""),
        ("і", ""),
        ("ї", ""),
        ("и", ""),
        ("ь", ""),
        ("й", ""),
    ],
    stop: &[
        "та", "що", "не", "на", "це", "як", "до", "за", "від", "або", "але", "чи", "ви", "він",
        "вона", "воно", "вони", "його", "її", "їх",
    ],
};

/// Other languages: words are only case-folded.
const PLAIN: Rules = Rules {
    min_stem: 3,
    suffixes: &[],
    stop: &[],
};

pub fn rules(lang: &str) -> &'static Rules {
    match lang {
        "en" => &EN,
        "uk" => &UK,
        _ => &PLAIN,
    }
}

/// The apostrophes Ukrainian is written with (ʼ ' ’ and look-alikes): removed from words, so
/// `пам'ять`, `памʼять` and `пам’ять` are one word.
const APOSTROPHES: &[char] = &['\'', 'ʼ', '’', '‘', '`', 'ʹ'];
/// The stress mark some texts put on Cyrillic vowels.
const COMBINING_ACUTE: char = '\u{301}';

/// The words [`for_each_token`] gives, collected.
#[cfg(test)]
fn tokens(text: &str, rules: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, rules, |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each search word of `text`: lower-cased (Unicode case folding covers
/// Cyrillic), apostrophes and stress marks dropped, split at anything that is not a letter or
/// digit, stop words and one-letter words left out, each reduced to its stem.
/// `static/search.js` does the same. The word is in a reused buffer: a site of 1,000 pages has
/// two million words, and one allocation each was a third of the index's cost.
pub fn for_each_token(text: &str, rules: &Rules, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    let raw_words = text.split(|c: char| {
        !(is_letter_or_digit(c) || APOSTROPHES.contains(&c) || c == COMBINING_ACUTE)
    });
    for raw in raw_words.filter(|w| !w.is_empty()) {
        word.clear();
        for c in raw.chars() {
            if APOSTROPHES.contains(&c) || c == COMBINING_ACUTE {
                continue;
            }
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        }
        if word.chars().nth(1).is_none() || is_stop_word(&word, rules) {
            continue;
        }
        let (keep, replacement) = stem_parts(&word, rules);
        word.truncate(keep);
        word.push_str(replacement);
        f(&word);
    }
}

/// Stop words are short: longer words skip the comparisons (millions of words on a large site).
fn is_stop_word(word: &str, rules: &Rules) -> bool {
    word.len() <= 10 && rules.stop.contains(&word)
}

/// `char::is_alphanumeric` (what `[\p{Alphabetic}\p{N}]` matches in search.js), with the
/// letters of Latin and Cyrillic answered without a table look-up.
fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{410}'..='\u{44f}').contains(&c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// `word` (already lower-cased) without its ending.
#[cfg(test)]
fn stem(word: &str, rules: &Rules) -> String {
    let (keep, replacement) = stem_parts(word, rules);
    format!("{}{replacement}", &word[..keep])
}

/// How many bytes of `word` its stem keeps, and what replaces the rest.
fn stem_parts(word: &str, rules: &Rules) -> (usize, &'static str) {
    let last = word.as_bytes().last();
    for (suffix, replacement) in rules.suffixes {
        // Comparing the last byte first skips most suffixes without a string comparison.
        if suffix.as_bytes().last() == last
            && let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= rules.min_stem
        {
            return (base.len(), replacement);
        }
    }
    (word.len(), "")
}

/// What the search shows and finds of one page, gathered while it renders.
#[derive(Debug, Clone, PartialEq)]
pub struct PageEntry {
    pub lang: String,
    pub title: String,
    pub description: String,
    /// From the output root, as the page's own links are: `risks/`, `uk/`.
    pub url: String,
    pub sections: Vec<Section>,
}

/// A page's text from one heading to the next; the first has no heading (the page's intro).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub anchor: String,
    pub snippet: String,
    pub terms: Terms,
}

/// A section's stems, sorted, with their weights. One string and one byte per stem rather than
/// a `String` each: the pages of a large site hold millions of them until the index is written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Terms {
    /// The stems, each followed by `\n` (which no stem contains).
    stems: String,
    weights: Vec<u8>,
}

impl Terms {
    fn new(weights: HashMap<String, u32>) -> Terms {
        let mut list: Vec<(String, u32)> = weights.into_iter().collect();
        list.sort_unstable();
        let mut terms = Terms {
            stems: String::with_capacity(list.iter().map(|(t, _)| t.len() + 1).sum()),
            weights: Vec::with_capacity(list.len()),
        };
        for (t, w) in list {
            terms.stems.push_str(&t);
            terms.stems.push('\n');
            terms.weights.push(w.min(MAX_STORED_WEIGHT) as u8);
        }
        terms
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.stems
            .split_terminator('\n')
            .zip(self.weights.iter().map(|w| u32::from(*w)))
    }
}

const TITLE_WEIGHT: u32 = 10;
const HEADING_WEIGHT: u32 = 5;
const DESCRIPTION_WEIGHT: u32 = 3;
/// A word repeated in a section counts at most this often, so a long section does not
/// outrank the one whose heading names the word.
const MAX_TEXT_WEIGHT: u32 = 4;
const MAX_STORED_WEIGHT: u32 = 15;
const SNIPPET_CHARS: usize = 120;

impl PageEntry {
    /// Cut `content` (the page's rendered Markdown) into sections at its `h2`-`h4` headings.
    pub fn new(title: &str, description: &str, url: String, content: &str, lang: &str) -> Self {
        let rules = rules(lang);
        let mut sections: Vec<Section> = raw_sections(content)
            .into_iter()
            .filter(|s| !s.text.trim().is_empty() || !s.heading.is_empty())
            .map(|s| {
                // Hash maps, sorted once at the end: a site of 1,000 pages has millions of
                // words, and a sorted map compares strings at every insert.
                let mut weights: HashMap<String, u32> = HashMap::new();
                for_each_token(&s.text, rules, |t| add(&mut weights, t, 1));
                for n in weights.values_mut() {
                    *n = (*n).min(MAX_TEXT_WEIGHT);
                }
                for_each_token(&s.heading, rules, |t| {
                    add(&mut weights, t, HEADING_WEIGHT);
                });
                Section {
                    heading: collapse(&s.heading),
                    anchor: s.anchor,
                    snippet: snippet(&s.text),
                    terms: Terms::new(weights),
                }
            })
            .collect();
        if sections.first().is_none_or(|s| !s.heading.is_empty()) {
            sections.insert(
                0,
                Section {
                    heading: String::new(),
                    anchor: String::new(),
                    snippet: String::new(),
                    terms: Terms::default(),
                },
            );
        }
        // The page's title and description find its first section.
        let intro = &mut sections[0];
        let mut weights: HashMap<String, u32> = intro
            .terms
            .iter()
            .map(|(t, w)| (t.to_string(), w))
            .collect();
        for_each_token(title, rules, |t| add(&mut weights, t, TITLE_WEIGHT));
        for_each_token(description, rules, |t| {
            add(&mut weights, t, DESCRIPTION_WEIGHT);
        });
        intro.terms = Terms::new(weights);
        if intro.snippet.is_empty() {
            intro.snippet = snippet(description);
        }
        PageEntry {
            lang: lang.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            url,
            sections,
        }
    }
}

/// Adds `weight` to `term`, allocating only for a term the map does not have yet.
fn add(weights: &mut HashMap<String, u32>, term: &str, weight: u32) {
    match weights.get_mut(term) {
        Some(w) => *w += weight,
        None => {
            weights.insert(term.to_string(), weight);
        }
    }
}

#[derive(Default)]
struct RawSection {
    heading: String,
    anchor: String,
    text: String,
}

/// Headings and the text under each. Citation markers (`<sup>`) are left out: their numbers
/// are not words a reader searches for.
fn raw_sections(content: &str) -> Vec<RawSection> {
    #[derive(Default)]
    struct State {
        sections: Vec<RawSection>,
        in_heading: bool,
        skip_depth: usize,
    }
    // End-tag handlers outlive the element handler that adds them: they share the state.
    let state = Rc::new(RefCell::new(State {
        sections: vec![RawSection::default()],
        ..State::default()
    }));
    let on_end = |f: fn(&mut State)| -> EndTagHandler<'static> {
        let state = Rc::clone(&state);
        Box::new(move |_: &mut EndTag<'_>| {
            f(&mut state.borrow_mut());
            Ok(())
        })
    };
    let mut rewriter = HtmlRewriter::new(
        Settings::new()
            .append_element_content_handler(element!("h2, h3, h4", |el| {
                let mut s = state.borrow_mut();
                s.sections.push(RawSection {
                    anchor: el.get_attribute("id").unwrap_or_default(),
                    ..RawSection::default()
                });
                s.in_heading = true;
                if let Some(end) = el.end_tag_handlers() {
                    end.push(on_end(|s| s.in_heading = false));
                }
                Ok(())
            }))
            .append_element_content_handler(element!("sup, script, style", |el| {
                state.borrow_mut().skip_depth += 1;
                if let Some(end) = el.end_tag_handlers() {
                    end.push(on_end(|s| s.skip_depth -= 1));
                }
                Ok(())
            }))
            // Block ends separate words that the markup alone keeps apart.
            .append_element_content_handler(element!("p, li, td, th, dt, dd, h2, h3, h4", |el| {
                if let Some(end) = el.end_tag_handlers() {
                    end.push(on_end(|s| push_text(&mut s.sections, false, " ")));
                }
                Ok(())
            }))
            .append_document_content_handler(doc_text!(|t| {
                let mut s = state.borrow_mut();
                if s.skip_depth == 0 {
                    let text = html_escape::decode_html_entities(t.as_str()).into_owned();
                    let in_heading = s.in_heading;
                    push_text(&mut s.sections, in_heading, &text);
                }
                Ok(())
            })),
        |_: &[u8]| {},
    );
    // Rendered Markdown always parses; on a failure the index only misses words.
    if rewriter.write(content.as_bytes()).is_ok() {
        let _ = rewriter.end();
    }
    std::mem::take(&mut state.borrow_mut().sections)
}

fn push_text(sections: &mut [RawSection], in_heading: bool, text: &str) {
    if let Some(last) = sections.last_mut() {
        if in_heading {
            last.heading.push_str(text);
        } else {
            last.text.push_str(text);
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first words of a section, cut at a word boundary.
fn snippet(text: &str) -> String {
    // Sections can be long; the snippet needs only their start.
    let start = match text.char_indices().nth(4 * SNIPPET_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    // A citation marker left out leaves its space before the punctuation that followed it.
    let mut text = collapse(start);
    for p in [".", ",", ";", ":", "!", "?", ")"] {
        text = text.replace(&format!(" {p}"), p);
    }
    if text.chars().count() <= SNIPPET_CHARS {
        return text;
    }
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if chars + n + 1 > SNIPPET_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        chars += n + 1;
    }
    out.push('…');
    out
}

/// Pages the search finds: ordinary pages and the sources page. The print page repeats
/// every other page, and the search page lists them.
pub fn is_indexed(page: &Page) -> bool {
    matches!(page.front.kind, PageKind::Page | PageKind::Sources)
}

/// Each language's index file and script, in site.toml's language order.
pub fn index_scripts<'a>(
    site: &Site,
    entries: impl Iterator<Item = &'a PageEntry>,
) -> Vec<(String, String)> {
    let mut by_lang: BTreeMap<&str, Vec<&PageEntry>> = BTreeMap::new();
    for e in entries {
        by_lang.entry(&e.lang).or_default().push(e);
    }
    site.config
        .languages
        .iter()
        .map(|l| {
            let pages = by_lang.remove(l.code.as_str()).unwrap_or_default();
            let script = if site.offline {
                index_script(&l.code, &pages, offline::page_file)
            } else {
                index_script(&l.code, &pages, str::to_string)
            };
            (index_file(&l.code), script)
        })
        .collect()
}

/// The output file of a language's index.
pub fn index_file(lang: &str) -> String {
    format!("search-index.{lang}.js")
}

/// The index of one language as a script. `link` turns a page's URL (from the output root)
/// into the link the index stores: the URL itself, or the file for an offline copy. Pages
/// are ordered by URL and terms by stem, so the same site gives the same bytes.
pub fn index_script(lang: &str, pages: &[&PageEntry], link: impl Fn(&str) -> String) -> String {
    #[derive(Serialize)]
    struct Index<'a> {
        lang: &'a str,
        rules: &'a Rules,
        /// title, link, description
        pages: Vec<(&'a str, String, &'a str)>,
        /// page number, heading, anchor, snippet
        sections: Vec<(usize, &'a str, &'a str, &'a str)>,
        /// stem -> one number per section holding the stem, in section order: the distance
        /// from the previous one times 16, plus the stem's weight there (at most 15). Half
        /// the size of plain pairs on a large site.
        terms: BTreeMap<&'a str, Vec<u32>>,
    }
    /// A stem's postings and the last section added to them.
    #[derive(Default)]
    struct Postings {
        list: Vec<u32>,
        last: usize,
    }
    let mut sorted: Vec<&PageEntry> = pages.to_vec();
    sorted.sort_by(|a, b| a.url.cmp(&b.url));
    let mut index = Index {
        lang,
        rules: rules(lang),
        pages: Vec::with_capacity(sorted.len()),
        sections: Vec::new(),
        terms: BTreeMap::new(),
    };
    let mut terms: HashMap<&str, Postings> = HashMap::new();
    for (p, page) in sorted.iter().enumerate() {
        index
            .pages
            .push((&page.title, link(&page.url), &page.description));
        for s in &page.sections {
            let n = index.sections.len();
            index.sections.push((p, &s.heading, &s.anchor, &s.snippet));
            for (term, weight) in s.terms.iter() {
                let postings = terms.entry(term).or_default();
                let step = u32::try_from(n - postings.last).unwrap_or(u32::MAX >> 4);
                postings.list.push(step * (MAX_STORED_WEIGHT + 1) + weight);
                postings.last = n;
            }
        }
    }
    index.terms = terms.into_iter().map(|(t, p)| (t, p.list)).collect();
    // Written in place: the index of a large site is tens of megabytes.
    let mut out = format!(
        "// Search index of this site ({lang}), generated by factsheet build.\n\
         (window.factsheetSearch = window.factsheetSearch || {{}})[{lang:?}] = "
    )
    .into_bytes();
    // Serializing plain strings and numbers into memory cannot fail.
    let _ = serde_json::to_writer(&mut out, &index);
    out.extend_from_slice(b";\n");
    // Serialized JSON only has `<` inside strings, where `\u003c` means the same; escaped,
    // the index cannot close a <script> element if it is ever inlined into a page.
    let out = String::from_utf8(out).unwrap_or_default();
    if out.contains('<') {
        out.replace('<', "\\u003c")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, lang: &str) -> Vec<String> {
        tokens(text, rules(lang))
    }

    #[test]
    fn ukrainian_forms_of_a_word_meet() {
        assert_eq!(all("кетамін", "uk"), ["кетамін"]);
        assert_eq!(all("кетаміну", "uk"), ["кетамін"]);
        assert_eq!(all("Кетаміном", "uk"), ["кетамін"]);
        assert_eq!(all("ЕСКЕТАМІНУ", "uk"), ["ескетамін"]);
        assert_eq!(all("сечового міхура", "uk"), all("сечовий міхур", "uk"));
        assert_eq!(all("ліків", "uk"), all("ліки", "uk"));
    }

    #[test]
    fn apostrophes_and_stress_marks_do_not_split_words() {
        let plain = all("пам'ять", "uk");
        assert_eq!(plain.len(), 1);
        assert_eq!(all("памʼять", "uk"), plain);
        assert_eq!(all("пам’ять", "uk"), plain);
        assert_eq!(all("кета\u{301}мін", "uk"), ["кетамін"]);
    }

    #[test]
    fn english_plurals_and_stop_words() {
        assert_eq!(all("Risks of the bladder", "en"), ["risk", "bladder"]);
        assert_eq!(all("studies", "en"), ["study"]);
        assert_eq!(all("virus this", "en"), ["virus"]);
        // Short words keep their ending.
        assert_eq!(all("has gas", "en"), ["has", "gas"]);
        assert_eq!(all("a I 1", "en"), Vec::<String>::new());
    }

    #[test]
    fn longer_suffixes_are_tried_first() {
        for r in [rules("en"), rules("uk")] {
            let lengths: Vec<usize> = r.suffixes.iter().map(|(s, _)| s.chars().count()).collect();
            assert!(lengths.is_sorted_by(|a, b| a >= b), "{lengths:?}");
        }
    }

    #[test]
    fn stems_keep_a_minimum_length() {
        assert_eq!(stem("мої", rules("uk")), "мої");
        assert_eq!(stem("кома", rules("uk")), "ком");
    }

    #[test]
    fn sections_follow_headings() {
        let html = "<p>Intro about ketamine<sup><a href=\"#c1\">1</a></sup>.</p>\n\
                    <h2 id=\"bladder\">Bladder problems</h2>\n<p>Pain &amp; blood.</p><ul><li>one</li><li>two</li></ul>\n\
                    <h3 id=\"help\">Getting help</h3><p>Call 103.</p>";
        let page = PageEntry::new("Risks", "What can go wrong.", "risks/".into(), html, "en");
        let headings: Vec<(&str, &str)> = page
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.anchor.as_str()))
            .collect();
        assert_eq!(
            headings,
            [
                ("", ""),
                ("Bladder problems", "bladder"),
                ("Getting help", "help")
            ]
        );
        assert_eq!(page.sections[0].snippet, "Intro about ketamine.");
        assert_eq!(page.sections[1].snippet, "Pain & blood. one two");
        let weight = |s: usize, t: &str| {
            page.sections[s]
                .terms
                .iter()
                .find(|(x, _)| *x == t)
                .map(|(_, w)| w)
        };
        assert_eq!(weight(0, "risk"), Some(TITLE_WEIGHT));
        assert_eq!(weight(0, "1"), None, "citation numbers are not indexed");
        assert_eq!(weight(1, "bladder"), Some(HEADING_WEIGHT));
        assert_eq!(weight(1, "pain"), Some(1));
        assert_eq!(weight(2, "103"), Some(1));
    }

    #[test]
    fn snippets_stop_at_a_word() {
        let long = "word ".repeat(100);
        let s = snippet(&long);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn the_index_is_the_same_whatever_the_page_order() {
        let a = PageEntry::new("A", "First.", "a/".into(), "<p>alpha beta</p>", "en");
        let b = PageEntry::new("B", "Second.", "b/".into(), "<h2 id=\"x\">Beta</h2>", "en");
        let one = index_script("en", &[&a, &b], str::to_string);
        let two = index_script("en", &[&b, &a], str::to_string);
        assert_eq!(one, two);
        assert!(one.starts_with("// Search index"));
        assert!(
            one.contains(r#"(window.factsheetSearch = window.factsheetSearch || {})["en"] = {"#)
        );
        // "beta": section 0 with weight 1, then section 2 (0 + 2) with weight 5.
        assert!(one.contains(r#""beta":[1,37]"#), "{one}");
    }

    #[test]
    fn the_index_cannot_close_a_script_element() {
        let a = PageEntry::new(
            "</script>",
            "x",
            "a/".into(),
            "<p>&lt;/script&gt;</p>",
            "en",
        );
        let js = index_script("en", &[&a], str::to_string);
        assert!(!js.contains("</"), "{js}");
    }
}
