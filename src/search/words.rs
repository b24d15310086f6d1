//! How the search cuts text into words and reduces each word to its stem. `static/search.js`
//! cuts queries the same way, with the rules the index carries.

use crate::letters::{for_each_lower, is_letter_or_digit, lower_fast};
use serde::Serialize;

/// How a language's words are reduced to stems: the first suffix of `suffixes` the word ends
/// with is replaced, if at least `min_stem` characters remain. Longest suffixes come first.
#[derive(Debug, Serialize)]
pub(crate) struct Rules {
    pub min_stem: usize,
    pub suffixes: &'static [(&'static str, &'static str)],
    /// Words too common to search for; dropped from the index and from queries.
    pub stop: &'static [&'static str],
    /// `suffixes` by their last byte, made from them at compile time.
    #[serde(skip)]
    by_last_byte: SuffixTable,
}

/// The positions in a suffix list of the suffixes ending with each byte, in list order.
/// Stemming looks only at those: a word ends with none of most suffixes, and going through
/// all of them for each of a large site's millions of words was a tenth of a build.
#[derive(Debug)]
struct SuffixTable {
    at: [[u8; SuffixTable::MAX]; 256],
    len: [u8; 256],
}

impl SuffixTable {
    /// Suffixes ending with one byte; a longer list fails to compile.
    const MAX: usize = 16;

    const fn new(suffixes: &[(&str, &str)]) -> SuffixTable {
        let mut table = SuffixTable {
            at: [[0; SuffixTable::MAX]; 256],
            len: [0; 256],
        };
        let mut i = 0;
        while i < suffixes.len() {
            let bytes = suffixes[i].0.as_bytes();
            assert!(!bytes.is_empty(), "an empty suffix");
            let last = bytes[bytes.len() - 1] as usize;
            let n = table.len[last] as usize;
            assert!(n < SuffixTable::MAX, "too many suffixes end with one byte");
            assert!(i < 256, "too many suffixes");
            table.at[last][n] = i as u8;
            table.len[last] += 1;
            i += 1;
        }
        table
    }

    fn ending_with(&self, byte: u8) -> &[u8] {
        &self.at[byte as usize][..self.len[byte as usize] as usize]
    }
}

impl Rules {
    /// A language's search rules (see [`crate::languages`]); the suffix table is made here,
    /// at compile time.
    pub(crate) const fn new(
        min_stem: usize,
        suffixes: &'static [(&'static str, &'static str)],
        stop: &'static [&'static str],
    ) -> Rules {
        Rules {
            min_stem,
            suffixes,
            stop,
            by_last_byte: SuffixTable::new(suffixes),
        }
    }
}

/// A language's search rules: its entry in [`crate::languages`], or only case folding and
/// apostrophe folding for a language without one.
pub(crate) fn rules(lang: &str) -> &'static Rules {
    crate::languages::of(lang).map_or(&crate::languages::PLAIN_SEARCH, |l| &l.search)
}

/// The apostrophes Ukrainian is written with (ʼ ' ’ and look-alikes): removed from words, so
/// `пам'ять`, `памʼять` and `пам’ять` are one word.
const APOSTROPHES: &[char] = &['\'', 'ʼ', '’', '‘', '`', 'ʹ'];
/// The stress mark some texts put on Cyrillic vowels.
const COMBINING_ACUTE: char = '\u{301}';

/// The search words of `text`, in order, as the index and `static/search.js` cut them.
#[cfg(test)]
fn tokens(text: &str, rules: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for_each_word(text, |raw| {
        if let Some(stem) = normalize(raw, rules, &mut word) {
            out.push(stem.to_string());
        }
    });
    out
}

/// The ASCII word characters: letters, digits and the two ASCII apostrophes. One look-up per
/// byte of every page's text, in place of five comparisons.
const ASCII_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'\'' || c == b'`';
        b += 1;
    }
    table
};

/// Calls `f` with each run of word characters in `text` as it is written: letters and
/// digits, with the apostrophes and stress marks that do not split a word. Cut from the
/// bytes, ASCII without decoding: most text is ASCII, even Ukrainian pages' spaces and
/// punctuation.
pub(super) fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let mut start = None;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let (in_word, len) = if b.is_ascii() {
            (ASCII_WORD[usize::from(b)], 1)
        } else if matches!(b, 0xD0 | 0xD1) && bytes.get(at + 1).is_some_and(|n| n & 0xC0 == 0x80) {
            // U+0400-U+047F, the Cyrillic block's first half: letters, all of them.
            (true, 2)
        } else {
            let c = text[at..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            let in_word = APOSTROPHES.contains(&c) || c == COMBINING_ACUTE || is_letter_or_digit(c);
            (in_word, c.len_utf8())
        };
        match (in_word, start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                f(&text[s..at]);
                start = None;
            }
            _ => {}
        }
        at += len;
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// The search word of one run of word characters (see [`for_each_word`]), written into
/// `word`, a reused buffer: lower-cased (Unicode case folding covers Cyrillic), apostrophes
/// and stress marks dropped, reduced to its stem; `None` for stop words and one-letter
/// words. `static/search.js` does the same.
pub(super) fn normalize<'w>(raw: &str, rules: &Rules, word: &'w mut String) -> Option<&'w str> {
    word.clear();
    let mut chars = 0usize;
    let bytes = raw.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            at += 1;
            if b.is_ascii_alphanumeric() {
                word.push(char::from(b.to_ascii_lowercase()));
                chars += 1;
            }
            // Else an apostrophe: part of the word, and left out of it.
            continue;
        }
        if matches!(b, 0xD0 | 0xD1)
            && let Some(&next) = bytes.get(at + 1)
            && let Some(lower) = char::from_u32((u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F))
                .and_then(lower_fast)
        {
            word.push(lower);
            chars += 1;
            at += 2;
            continue;
        }
        let c = raw[at..]
            .chars()
            .next()
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        at += c.len_utf8();
        if APOSTROPHES.contains(&c) || c == COMBINING_ACUTE {
            // Part of the word, and left out of it.
        } else {
            for_each_lower(c, |lower| {
                word.push(lower);
                chars += 1;
            });
        }
    }
    if chars < 2 || is_stop_word(word, rules) {
        return None;
    }
    let (keep, replacement) = stem_parts(word, rules);
    word.truncate(keep);
    word.push_str(replacement);
    Some(word)
}

/// [`normalize`] with what it gave remembered, per thread and language: a site repeats its
/// words from page to page, and lower-casing, stop words and stemming were most of the time
/// a page's first use of a word took. Writes the stem into `word` and says whether the word
/// is a search word. At most [`REMEMBERED`] words per language and thread are kept; `serve`
/// keeps them from one rebuild to the next, which is right: the rules never change.
pub(super) fn normalize_remembered(raw: &str, rules: &'static Rules, word: &mut String) -> bool {
    type Stems = foldhash::HashMap<Box<str>, Option<Box<str>>>;
    thread_local! {
        /// By the address of each language's `Rules`, which are static.
        static KNOWN: std::cell::RefCell<Vec<(usize, Stems)>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }
    let language = std::ptr::from_ref(rules) as usize;
    KNOWN.with_borrow_mut(|known| {
        let at = match known.iter().position(|(l, _)| *l == language) {
            Some(at) => at,
            None => {
                known.push((language, Stems::default()));
                known.len() - 1
            }
        };
        let stems = &mut known[at].1;
        if let Some(stem) = stems.get(raw) {
            word.clear();
            if let Some(stem) = stem {
                word.push_str(stem);
            }
            return stem.is_some();
        }
        let stem = normalize(raw, rules, word).map(Box::from);
        let found = stem.is_some();
        if stems.len() < REMEMBERED {
            stems.insert(raw.into(), stem);
        }
        found
    })
}

/// Enough for the vocabulary of a large site in one language (about 4 MB per thread).
const REMEMBERED: usize = 50_000;

/// Stop words are short: longer words skip the comparisons (millions of words on a large site).
fn is_stop_word(word: &str, rules: &Rules) -> bool {
    let first = word.as_bytes().first();
    word.len() <= 10
        && rules
            .stop
            .iter()
            .any(|stop| stop.as_bytes().first() == first && *stop == word)
}

/// `word` (already lower-cased) without its ending.
#[cfg(test)]
fn stem(word: &str, rules: &Rules) -> String {
    let (keep, replacement) = stem_parts(word, rules);
    format!("{}{replacement}", &word[..keep])
}

/// How many bytes of `word` its stem keeps, and what replaces the rest.
fn stem_parts(word: &str, rules: &Rules) -> (usize, &'static str) {
    let Some(&last) = word.as_bytes().last() else {
        return (0, "");
    };
    for &i in rules.by_last_byte.ending_with(last) {
        let (suffix, replacement) = rules.suffixes[i as usize];
        if let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= rules.min_stem
        {
            return (base.len(), replacement);
        }
    }
    (word.len(), "")
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::search) fn all(text: &str, lang: &str) -> Vec<String> {
        tokens(text, rules(lang))
    }

    /// A remembered word gives what `normalize` gives, the second time too, in each
    /// language's own way: "ліки" and "medicines" are stemmed by both languages' rules.
    #[test]
    fn remembered_words_are_normalized_as_new_ones() {
        let words = [
            "Medicines",
            "medicines",
            "ліки",
            "Ліками",
            "the",
            "та",
            "x",
            "ketamine",
        ];
        for lang in ["en", "uk", "en", "uk"] {
            for raw in words {
                let mut expected = String::new();
                let expected = normalize(raw, rules(lang), &mut expected).map(str::to_string);
                let mut word = String::from("left over");
                let found = normalize_remembered(raw, rules(lang), &mut word);
                assert_eq!(found.then_some(word), expected, "{raw} in {lang}");
            }
        }
    }

    /// Tokens cut the plain way, char by char: what `for_each_word` and `normalize`, with
    /// their byte-level fast paths, must give.
    fn reference_tokens(text: &str, rules: &Rules) -> Vec<String> {
        let mut out = Vec::new();
        let raw_words = text.split(|c: char| {
            !(c.is_alphanumeric() || APOSTROPHES.contains(&c) || c == COMBINING_ACUTE)
        });
        for raw in raw_words {
            let word: String = raw
                .chars()
                .filter(|c| !APOSTROPHES.contains(c) && *c != COMBINING_ACUTE)
                .flat_map(char::to_lowercase)
                .collect();
            if word.chars().count() < 2 || rules.stop.contains(&word.as_str()) {
                continue;
            }
            out.push(stem(&word, rules));
        }
        out
    }

    #[test]
    fn tokens_match_a_char_by_char_reading() {
        let texts = [
            "Don't mix KETAMINE with alcohol; it's risky (COVID-19, 2.5 mg).",
            "Кетамін — ЛІКАРСЬКИЙ засіб. Ґанок, ґудзик, Єва, Їжак, Ієрогліф, м’яч, пам'ять, ВʼЯЗ.",
            "Наголо\u{301}шений склад; Ѐ Ѝ Ѡѡ Ѻ ҐРУНТ; ß Straße İstanbul ǅ ﬁle ½ ٣ 日本語",
            "a b c я ю і the and та що не",
            "",
            "'''' ``` ’’’ `a` 'б'",
        ];
        for text in texts {
            for lang in ["en", "uk", "de"] {
                assert_eq!(
                    tokens(text, rules(lang)),
                    reference_tokens(text, rules(lang)),
                    "{text:?} in {lang}"
                );
            }
        }
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
    fn capitals_and_small_letters_find_the_same_words() {
        assert_eq!(
            all("ҐАНОК Ґанок ЄВРОПА Їжа", "uk"),
            all("ґанок ґанок європа їжа", "uk")
        );
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
}
