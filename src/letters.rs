//! Lower case and "letter or digit" for the scripts of the fact sheet (Latin and Cyrillic)
//! without Unicode's table look-ups, which the search index and the terms check otherwise
//! make for every character of every page; other characters take the standard library's
//! answer.

/// The lower case of ASCII and of the Cyrillic alphabet; `None` for other characters
/// (`char::to_lowercase` gives the same, more slowly).
pub(crate) fn lower_fast(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 0x50),
        'а'..='џ' => Some(c),
        _ => None,
    }
}

/// Each character of `c`'s lower case (`char::to_lowercase`), to `f`: one character, found
/// without a table look-up, for Latin and Cyrillic.
pub(crate) fn for_each_lower(c: char, f: impl FnMut(char)) {
    match lower_fast(c) {
        Some(lower) => std::iter::once(lower).for_each(f),
        None => c.to_lowercase().for_each(f),
    }
}

/// `char::is_alphanumeric` (what `[\p{Alphabetic}\p{N}]` matches in search.js), with the
/// letters of Latin and Cyrillic answered without a table look-up.
pub(crate) fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        // The Cyrillic block's letters (U+0482-U+0489 are a sign and combining marks).
        || ('\u{400}'..='\u{481}').contains(&c)
        || ('\u{48a}'..='\u{4ff}').contains(&c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_paths_agree_with_unicode() {
        for c in ('\0'..='\u{7f}').chain('\u{400}'..='\u{52f}') {
            if let Some(lower) = lower_fast(c) {
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    lower.to_string(),
                    "{c}"
                );
            }
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
        for c in ('\0'..='\u{52f}').chain(['İ', 'ẞ', 'Ω', '\u{1f600}']) {
            let mut lower = String::new();
            for_each_lower(c, |l| lower.push(l));
            assert_eq!(lower, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }
}
