//! Flesch-Kincaid grade level of English text, so that editors keep patient pages plain.
//!
//! grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59
//!
//! Each paragraph, list item, heading and table cell ends at least one sentence: a list of
//! short fragments is easy to read, and counting it as one long sentence would punish it.

#[derive(Debug, Clone, PartialEq)]
pub struct Readability {
    pub grade: f64,
    pub words: usize,
    pub sentences: usize,
    /// The longest sentences, longest first, with their word counts.
    pub longest: Vec<(usize, String)>,
}

pub fn analyse(blocks: &[String]) -> Readability {
    let mut words = 0;
    let mut syllables = 0;
    let mut sentences: Vec<(usize, String)> = Vec::new();
    for block in blocks {
        for sentence in split_sentences(block) {
            let counted: Vec<&str> = sentence.split_whitespace().filter(|w| is_word(w)).collect();
            if counted.is_empty() {
                continue;
            }
            words += counted.len();
            syllables += counted.iter().map(|w| count_syllables(w)).sum::<usize>();
            sentences.push((counted.len(), sentence.trim().to_string()));
        }
    }
    let grade = if words == 0 {
        0.0
    } else {
        0.39 * (words as f64 / sentences.len() as f64) + 11.8 * (syllables as f64 / words as f64)
            - 15.59
    };
    let n = sentences.len();
    sentences.sort_by_key(|s| std::cmp::Reverse(s.0));
    sentences.truncate(3);
    Readability {
        grade,
        words,
        sentences: n,
        longest: sentences,
    }
}

fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// Split at `.`, `!` or `?` followed by white space (so "e.g." mid-word and "2.5" stay whole).
fn split_sentences(block: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = block.as_bytes();
    for (i, c) in block.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let next = bytes.get(i + 1).copied();
            if next.is_none() || next.is_some_and(|b| b.is_ascii_whitespace()) {
                out.push(&block[start..=i]);
                start = i + 1;
            }
        }
    }
    if start < block.len() {
        out.push(&block[start..]);
    }
    out
}

/// English syllables by vowel groups, with the usual silent-e rule. Close enough for a grade
/// level, which is itself an estimate.
pub fn count_syllables(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if w.is_empty() {
        return 1; // a number read aloud: count one
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let mut count = 0;
    let mut prev = false;
    for &c in &w {
        let v = vowel(c);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let n = w.len();
    // A final consonant + e is silent ("make"), except consonant + le ("table").
    let silent_e = n > 2 && w[n - 1] == 'e' && !vowel(w[n - 2]);
    let consonant_le = n > 2 && w[n - 2] == 'l' && !vowel(w[n - 3]);
    if silent_e && !consonant_le {
        count -= 1;
    }
    if n > 2
        && w[n - 1] == 's'
        && w[n - 2] == 'e'
        && !vowel(w[n - 3])
        && !"cgsxz".contains(w[n - 3])
    {
        count -= 1;
    }
    count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn each_block_ends_a_sentence() {
        let r = analyse(&["Headache".to_string(), "Feeling sick".to_string()]);
        assert_eq!(r.sentences, 2);
    }
}
