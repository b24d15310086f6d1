//! How plain a page reads: the Flesch-Kincaid grade of English text and the LIX score of
//! any alphabetic language (which language gets which: [`crate::languages`]).
//!
//! grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59
//! LIX = words / sentences + 100 × (words of more than six letters / words)
//!
//! Each paragraph, list item, heading and table cell ends at least one sentence: a list of
//! short fragments is easy to read, and counting it as one long sentence would punish it.

/// Pages with fewer words are not graded. Both measures are averages over sentences: on a
/// two-sentence page one long word moves Flesch-Kincaid by whole grades (the editors' review
/// saw "Sertraline is an antidepressant.", 6 words, fail at grade 9.2), and readability
/// formulas are meant for samples of 100 words or more.
pub(crate) const MIN_WORDS: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Readability {
    pub grade: f64,
    pub lix: f64,
    pub words: usize,
    /// Words of more than six letters, LIX's long words.
    pub long_words: usize,
    pub sentences: usize,
    /// The longest sentences, longest first, with their word counts.
    pub longest: Vec<(usize, String)>,
}

pub(crate) fn analyse(blocks: &[String]) -> Readability {
    let mut words = 0;
    let mut long_words = 0;
    let mut syllables = 0;
    let mut sentences = 0;
    // The three longest sentences, longest first; on a tie the earlier one stays first.
    let mut longest: Vec<(usize, &str)> = Vec::with_capacity(4);
    for block in blocks {
        for sentence in sentences_of(block) {
            let mut counted = 0;
            for_each_word(sentence, |s, letters| {
                counted += 1;
                syllables += s;
                long_words += usize::from(letters > LIX_LONG_WORD);
            });
            if counted == 0 {
                continue;
            }
            words += counted;
            sentences += 1;
            let at = longest.partition_point(|(n, _)| *n >= counted);
            if at < 3 {
                longest.insert(at, (counted, sentence.trim()));
                longest.truncate(3);
            }
        }
    }
    let (grade, lix) = if words == 0 {
        (0.0, 0.0)
    } else {
        let per_sentence = words as f64 / sentences as f64;
        (
            0.39 * per_sentence + 11.8 * (syllables as f64 / words as f64) - 15.59,
            per_sentence + 100.0 * long_words as f64 / words as f64,
        )
    };
    Readability {
        grade,
        lix,
        words,
        long_words,
        sentences,
        longest: longest
            .into_iter()
            .map(|(n, s)| (n, s.to_string()))
            .collect(),
    }
}

/// Split at `.`, `!` or `?` followed by white space (so "e.g." mid-word and "2.5" stay whole).
fn sentences_of(block: &str) -> impl Iterator<Item = &str> {
    let bytes = block.as_bytes();
    let mut start = 0;
    // The three marks are ASCII, so byte offsets are character boundaries. memchr finds
    // them several bytes at a time: a loop over every byte was a third of `analyse`.
    let mut marks = memchr::memchr3_iter(b'.', b'!', b'?', bytes);
    std::iter::from_fn(move || {
        for at in marks.by_ref() {
            if bytes.get(at + 1).is_none_or(|b| b.is_ascii_whitespace()) {
                let sentence = &block[start..=at];
                start = at + 1;
                return Some(sentence);
            }
        }
        (start < block.len()).then(|| {
            let rest = &block[start..];
            start = block.len();
            rest
        })
    })
}

/// LIX counts a word as long when it has more letters than this.
const LIX_LONG_WORD: usize = 6;

/// English syllables by vowel groups, with the usual silent-e rule. Close enough for a grade
/// level, which is itself an estimate. The build counts them in [`for_each_word`].
#[cfg(test)]
fn count_syllables(word: &str) -> usize {
    word_syllables(word).map_or(1, |(s, _)| s)
}

/// The syllables and letters of a token, or `None` if it is not a word (no letter or digit).
#[cfg(test)]
fn word_syllables(word: &str) -> Option<(usize, usize)> {
    let mut found = None;
    for_each_word(word, |s, n| found = Some((s, n)));
    found
}

/// The syllables and letters of each word of `sentence` (what white space separates, as
/// `split_whitespace` would, and holds a letter or a digit), in one pass over its
/// characters: splitting first and reading each word again after was a third of `analyse`.
fn for_each_word(sentence: &str, mut found: impl FnMut(usize, usize)) {
    let mut word = Word::default();
    for c in sentence.chars() {
        // ASCII first: the same letters and white space as `is_alphabetic`,
        // `to_lowercase` and `is_whitespace`, faster.
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                word.alphanumeric = true;
                word.letter(c.to_ascii_lowercase());
            } else if c.is_ascii_digit() {
                word.alphanumeric = true;
            } else if matches!(c, ' ' | '\t'..='\r') {
                word.end(&mut found);
            }
        } else if matches!(c, '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}') {
            // A Cyrillic letter: one letter, never one of the English rules' (all ASCII), so
            // its case does not matter. The table look-ups below were about 5 % of a build.
            word.alphanumeric = true;
            word.letter(c);
        } else if matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}') {
            // Dashes, quotation marks, ellipses: General Punctuation holds no letter or
            // digit, and its white space is outside these two runs.
        } else {
            word.read_by_tables(c, &mut found);
        }
    }
    word.end(&mut found);
}

fn vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// The word being read: its lower-cased letters counted, the last three kept.
#[derive(Default)]
struct Word {
    last: [char; 3],
    letters: usize,
    vowel_groups: usize,
    after_vowel: bool,
    alphanumeric: bool,
}

impl Word {
    fn letter(&mut self, c: char) {
        let v = vowel(c);
        if v && !self.after_vowel {
            self.vowel_groups += 1;
        }
        self.after_vowel = v;
        self.last = [self.last[1], self.last[2], c];
        self.letters += 1;
    }

    /// Read any character with Unicode's tables: white space ends the word.
    fn read_by_tables(&mut self, c: char, found: &mut impl FnMut(usize, usize)) {
        if c.is_whitespace() {
            self.end(found);
        } else if c.is_alphabetic() {
            self.alphanumeric = true;
            c.to_lowercase().for_each(|l| self.letter(l));
        } else if c.is_alphanumeric() {
            self.alphanumeric = true;
        }
    }

    /// Give the word's syllables and letters to `found` (if it is one), and start again.
    fn end(&mut self, found: &mut impl FnMut(usize, usize)) {
        let word = std::mem::take(self);
        if !word.alphanumeric {
            return;
        }
        let n = word.letters;
        if n == 0 {
            return found(1, 0); // a number read aloud: count one
        }
        let mut count = word.vowel_groups;
        // The last three letters, when there are more than two.
        let [w3, w2, w1] = word.last;
        // A final consonant + e is silent ("make"), except consonant + le ("table").
        let silent_e = n > 2 && w1 == 'e' && !vowel(w2);
        let consonant_le = n > 2 && w2 == 'l' && !vowel(w3);
        if silent_e && !consonant_le {
            count -= 1;
        }
        if n > 2
            && w1 == 's'
            && w2 == 'e'
            && !vowel(w3)
            && !matches!(w3, 'c' | 'g' | 's' | 'x' | 'z')
        {
            count -= 1;
        }
        found(count.max(1), n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `for_each_word` with Unicode's tables alone, without its short cuts.
    fn for_each_word_by_tables(sentence: &str, mut found: impl FnMut(usize, usize)) {
        let mut word = Word::default();
        for c in sentence.chars() {
            word.read_by_tables(c, &mut found);
        }
        word.end(&mut found);
    }

    /// Every character of the Latin and Cyrillic blocks, General Punctuation and some
    /// beyond, in words of one to seven characters, give the same syllables and letters with
    /// the short cuts as with Unicode's tables.
    #[test]
    fn the_short_cuts_count_as_the_tables_would() {
        let mut chars: Vec<char> = ('\0'..='\u{52f}').collect();
        chars.extend('\u{2000}'..='\u{206f}');
        chars.extend(['ß', 'İ', '\u{2071}', '\u{207f}']);
        chars.extend(['\u{1f600}', '\u{0660}', '\u{4e2d}', '\u{3000}', '\u{0301}']);
        let mut text = String::new();
        let mut state = 7u32;
        for (i, c) in chars.iter().enumerate() {
            text.push(*c);
            // A deterministic shuffle of word lengths.
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            if i % 7 == 0 || state >> 29 == 0 {
                text.push(' ');
            }
            if i % 3 == 0 {
                text.push(chars[(state as usize >> 8) % chars.len()]);
            }
        }
        let mut short_cuts = Vec::new();
        for_each_word(&text, |s, n| short_cuts.push((s, n)));
        let mut by_tables = Vec::new();
        for_each_word_by_tables(&text, |s, n| by_tables.push((s, n)));
        assert!(by_tables.len() > 250, "{}", by_tables.len());
        assert_eq!(short_cuts, by_tables);
    }

    /// The Cyrillic short cut in `for_each_word` holds only if every character it takes is
    /// one letter whose lower case is one character outside ASCII.
    #[test]
    fn the_cyrillic_short_cut_counts_as_the_tables_would() {
        for c in ('\u{0400}'..='\u{0481}').chain('\u{048A}'..='\u{04FF}') {
            assert!(c.is_alphabetic(), "{c:?}");
            let lower: Vec<char> = c.to_lowercase().collect();
            assert!(lower.len() == 1 && !lower[0].is_ascii(), "{c:?}");
        }
        assert_eq!(word_syllables("Кетамін"), Some((1, 7)));
        assert_eq!(word_syllables("ҐРУНТ"), Some((1, 5)));
    }

    #[test]
    fn syllables() {
        for (w, n) in [
            ("cat", 1),
            ("table", 2),
            ("make", 1),
            ("ketamine", 3),
            ("depression", 3),
            ("anaesthetic", 4),
            ("takes", 1),
            ("doses", 2),
            ("2019", 1),
        ] {
            assert_eq!(count_syllables(w), n, "{w}");
        }
    }

    /// Words are what `split_whitespace` separates, whatever the white space (a no-break
    /// space, a vertical tab, a thin space), and count only with a letter or a digit.
    #[test]
    fn words_are_split_at_any_white_space() {
        for text in [
            "Take\u{a0}it with\u{b}food\u{2009}today",
            "  — 5 mg, (see   above) …  ",
            "Кетамін\u{202f}— це\tліки.",
            "ǅemal İstanbul ﬁne",
        ] {
            let mut words = Vec::new();
            for_each_word(text, |_, letters| words.push(letters));
            let expected: Vec<usize> = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .map(|w| {
                    w.chars()
                        .filter(|c| c.is_alphabetic())
                        .flat_map(char::to_lowercase)
                        .count()
                })
                .collect();
            assert_eq!(words, expected, "{text:?}");
        }
    }

    #[test]
    fn simple_text_scores_low_and_hard_text_high() {
        let easy = analyse(&["The cat sat on the mat. It was warm.".to_string()]);
        assert!(easy.grade < 3.0, "{easy:?}");
        let hard = analyse(&[
            "Esketamine administration necessitates comprehensive institutional monitoring \
             considering potential dissociative manifestations and hypertensive complications."
                .to_string(),
        ]);
        assert!(hard.grade > 16.0, "{hard:?}");
        assert_eq!(hard.longest[0].0, 13);
    }

    #[test]
    fn lix_counts_sentence_length_and_long_words_in_any_alphabet() {
        // 6 words in 1 sentence, 2 of more than six letters: 6 + 100 × 2/6.
        let uk = analyse(&["Лікар перевірить ваш тиск після процедури.".to_string()]);
        assert_eq!((uk.words, uk.long_words, uk.sentences), (6, 2, 1));
        assert!((uk.lix - (6.0 + 100.0 * 2.0 / 6.0)).abs() < 1e-9, "{uk:?}");
        let hard = analyse(&[
            "Застосування ескетаміну передбачає обовʼязковий моніторинг пацієнта медичним \
             персоналом протягом щонайменше двох годин після введення препарату."
                .to_string(),
        ]);
        assert!(hard.lix > 60.0, "{hard:?}");
    }

    #[test]
    fn each_block_ends_a_sentence() {
        let r = analyse(&["Headache".to_string(), "Feeling sick".to_string()]);
        assert_eq!(r.sentences, 2);
    }
}
