//! Word rules per language, in one place: how search cuts a language's words to stems (its
//! suffixes, stop words; apostrophes are folded for every language) and how its readability
//! is measured, against which `site.toml` limit.
//!
//! Adding a language to a site needs no entry here: it builds, its search folds case and
//! apostrophes only, its readability is not checked, and the build says so once. To give it
//! rules, add a [`WordRules`] to [`LANGUAGES`] (docs/authoring.md, "Adding a language").

use crate::search::Rules;

/// How a language's readability is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// Flesch-Kincaid grade: syllables per word and words per sentence. An English formula,
    /// limit `readability_max_grade`.
    FleschKincaid,
    /// LIX (Björnsson): words per sentence + the percentage of words longer than six letters.
    /// It counts letters, not syllables, so it works for any alphabetic language; limit
    /// `readability_max_lix`.
    Lix,
}

/// One language's word rules.
#[derive(Debug)]
pub(crate) struct WordRules {
    pub(crate) code: &'static str,
    pub(crate) search: Rules,
    pub(crate) readability: Measure,
}

pub(crate) static LANGUAGES: &[WordRules] = &[
    WordRules {
        code: "en",
        search: Rules::new(3, EN_SUFFIXES, EN_STOP),
        readability: Measure::FleschKincaid,
    },
    WordRules {
        code: "uk",
        search: Rules::new(3, UK_SUFFIXES, UK_STOP),
        readability: Measure::Lix,
    },
];

/// The rules of a language code, if it has an entry.
pub(crate) fn of(code: &str) -> Option<&'static WordRules> {
    LANGUAGES.iter().find(|l| l.code == code)
}

/// Search for a language without an entry: words are case-folded and apostrophes folded.
pub(crate) static PLAIN_SEARCH: Rules = Rules::new(3, &[], &[]);

/// Plural endings only: enough for `risks` to find `risk`, without Porter's surprises.
const EN_SUFFIXES: &[(&str, &str)] = &[
    ("sses", "ss"),
    ("ies", "y"),
    ("ss", "ss"),
    ("us", "us"),
    ("is", "is"),
    ("s", ""),
];

const EN_STOP: &[&str] = &[
    "the", "and", "or", "of", "to", "in", "on", "at", "an", "is", "are", "be", "it", "for", "with",
    "as", "by", "this", "that", "from",
];

/// Ukrainian case, number, adjective and common verb endings. Stripping them makes the
/// forms of a word meet (`кетаміну`, `кетаміном` and `кетамін` all become `кетамін`); it does
/// not try to undo stem changes (`біль`/`болю`).
const UK_SUFFIXES: &[(&str, &str)] = &[
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
];

const UK_STOP: &[&str] = &[
    "та", "що", "не", "на", "це", "як", "до", "за", "від", "або", "але", "чи", "ви", "він", "вона",
    "воно", "вони", "його", "її", "їх",
];
