//! Phone numbers: each number listed in site.toml (`[[phones]]`) becomes a `tel:` link
//! wherever an editor writes it as plain text, with an accessible name saying what it calls;
//! a number written like a phone number but not listed gets a warning, since a reader could
//! not tap it and nobody checked what it reaches.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

/// One `[[phones]]` entry of site.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Phone {
    /// As editors write it in content: `103`, `0 800 33 20 29`. Spaces may also be written
    /// as no-break spaces, hyphens as non-breaking hyphens.
    pub number: String,
    /// What the number reaches, per language code: "ambulance". Part of the link's
    /// accessible name.
    pub reaches: BTreeMap<String, String>,
}

impl Phone {
    /// The `tel:` URL: the digits, with a leading `+` kept.
    pub(crate) fn href(&self) -> String {
        let mut href = String::from("tel:");
        if self.number.trim_start().starts_with('+') {
            href.push('+');
        }
        href.extend(self.number.chars().filter(char::is_ascii_digit));
        href
    }
}

/// The listed numbers, ready to find in text.
#[derive(Debug, Default)]
pub(crate) struct PhoneBook {
    phones: Vec<Phone>,
    /// Every listed number, longest first, so that `0 800 33 20 29` wins over a listed
    /// `33 20` written inside it.
    listed: Option<Regex>,
    /// The digits of the shortest listed number: text with fewer has none of them.
    fewest_digits: usize,
}

/// The digits of the shortest number [`PhoneBook::unlisted`] finds.
const UNLISTED_DIGITS: usize = 7;

/// How many ASCII digits `text` has. Every text of every page is searched for numbers, and
/// most of it has too few digits to hold one: counting them first skips the regexes there
/// (they were 5 % of a build's instructions, at every paragraph, item and heading).
fn ascii_digits(text: &str) -> usize {
    // Every run of text is counted, twice: summed in chunks of 255 into a byte, which the
    // compiler does 32 bytes at a time (a filtered count was a quarter of the Markdown
    // pass's own time).
    text.as_bytes()
        .chunks(255)
        .map(|chunk| {
            let n: u8 = chunk.iter().map(|b| u8::from(b.is_ascii_digit())).sum();
            usize::from(n)
        })
        .sum()
}

/// Written between the digit groups of a number: space, no-break spaces, hyphens.
const SEPARATORS: &[char] = &[' ', '\u{a0}', '\u{202f}', '-', '\u{2011}'];

/// What counts as a phone number that should have been listed: conservative, so that years,
/// quantities and thousands written with spaces (`10 000`) never warn. International numbers
/// (`+380 44 123 4567`), Ukrainian numbers with a leading 0 and an area or `800` code in
/// groups (`0 800 33 20 29`, `044 123-45-67`, `(044) 1234567`), each with 7 to 15 digits.
static UNLISTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\+\d[\d \u{a0}\u{202f}\-\u{2011}()]{5,}\d",
        r"|\(0\d{2,4}\)[ \u{a0}\u{202f}]?\d[\d \u{a0}\u{202f}\-\u{2011}]{3,}\d",
        r"|\b0[ \u{a0}\u{202f}]?\d{2,3}[ \u{a0}\u{202f}\-\u{2011}]\d[\d \u{a0}\u{202f}\-\u{2011}]{3,}\d",
        r"|\b0800\d{6}\b",
    ))
    .expect("the pattern is valid")
});

impl PhoneBook {
    pub(crate) fn new(phones: &[Phone]) -> PhoneBook {
        let mut sorted: Vec<&Phone> = phones.iter().collect();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.number.len()));
        let alternatives: Vec<String> = sorted.iter().map(|p| pattern(&p.number)).collect();
        let listed = (!alternatives.is_empty()).then(|| {
            Regex::new(&alternatives.join("|")).expect("numbers are escaped into the pattern")
        });
        PhoneBook {
            fewest_digits: phones
                .iter()
                .map(|p| digits(&p.number).len())
                .min()
                .unwrap_or(0),
            phones: phones.to_vec(),
            listed,
        }
    }

    /// Where `text` writes a listed number, standing on its own (not inside `2103` or
    /// `103.5`), and which.
    pub(crate) fn find<'s>(
        &'s self,
        text: &'s str,
    ) -> impl Iterator<Item = (Range<usize>, &'s Phone)> + 's {
        // A listed number is found by its digits, each written as it is.
        let may_hold_one = ascii_digits(text) >= self.fewest_digits;
        self.listed
            .iter()
            .filter(move |_| may_hold_one)
            .flat_map(move |re| re.find_iter(text))
            .filter(move |m| stands_alone(text, m.range()))
            .filter_map(move |m| {
                let digits = digits(m.as_str());
                let phone = self
                    .phones
                    .iter()
                    .find(|p| digits == self::digits(&p.number))?;
                Some((m.range(), phone))
            })
    }

    /// The first number written like a phone number in `text`, listed or not: callers
    /// look for it in text that had its listed numbers taken out.
    pub(crate) fn unlisted(text: &str) -> Option<Range<usize>> {
        if ascii_digits(text) < UNLISTED_DIGITS {
            return None;
        }
        UNLISTED
            .find_iter(text)
            .map(|m| {
                // A trailing separator or bracket is not part of the number.
                let trimmed = m.as_str().trim_end_matches(|c: char| !c.is_ascii_digit());
                m.start()..m.start() + trimmed.len()
            })
            .find(|r| {
                let n = digits(&text[r.clone()]).len();
                (UNLISTED_DIGITS..=15).contains(&n) && stands_alone(text, r.clone())
            })
    }

    /// `text` (plain text) as HTML with every listed number a `tel:` link named in `lang`
    /// with `label` (`Call {number}: {reaches}`).
    pub(crate) fn link_text(&self, text: &str, lang: &str, label: &str) -> String {
        let mut html = String::with_capacity(text.len() + 64);
        let mut at = 0;
        for (range, phone) in self.find(text) {
            let _ = pulldown_cmark_escape::escape_html(&mut html, &text[at..range.start]);
            html.push_str(&link_html(phone, &text[range.clone()], lang, label));
            at = range.end;
        }
        let _ = pulldown_cmark_escape::escape_html(&mut html, &text[at..]);
        html
    }
}

/// A `tel:` link for `phone`, showing `written` (the number as the text writes it).
pub(crate) fn link_html(phone: &Phone, written: &str, lang: &str, label: &str) -> String {
    let reaches = phone.reaches.get(lang).map_or("", String::as_str);
    let name = label
        .replace("{number}", written)
        .replace("{reaches}", reaches);
    let mut html = String::from("<a class=\"tel\" href=\"");
    let _ = pulldown_cmark_escape::escape_href(&mut html, &phone.href());
    html.push_str("\" aria-label=\"");
    let _ = pulldown_cmark_escape::escape_html(&mut html, &name);
    html.push_str("\">");
    let _ = pulldown_cmark_escape::escape_html(&mut html, written);
    html.push_str("</a>");
    html
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The regex for a number as written in site.toml: its separators match any separator.
fn pattern(number: &str) -> String {
    let mut p = String::new();
    for c in number.trim().chars() {
        if SEPARATORS.contains(&c) {
            p.push_str(r"[ \u{a0}\u{202f}\-\u{2011}]");
        } else {
            p.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    p
}

/// Whether the number at `range` of `text` is a whole number: not part of a longer one
/// (`2103`, `1 103`, `103.5`, `103 000`), of a word, or a quantity (`103 %`, `112-й`).
fn stands_alone(text: &str, range: Range<usize>) -> bool {
    let before = &text[..range.start];
    let after = &text[range.end..];
    let mut back = before.chars().rev();
    let ok_before = match back.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '+' => false,
        Some(c) if SEPARATORS.contains(&c) || c == '.' || c == ',' => {
            !back.next().is_some_and(|c| c.is_ascii_digit())
        }
        Some(_) => true,
    };
    let mut ahead = after.chars();
    let ok_after = match ahead.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || "%‰°".contains(c) => false,
        Some(c) if SEPARATORS.contains(&c) || c == '.' || c == ',' => match ahead.next() {
            Some(next) if next.is_ascii_digit() || "%‰°".contains(next) => false,
            // `112-й`: a hyphen joins an ending to the number.
            Some(next) if next.is_alphabetic() => !"-\u{2011}".contains(c),
            _ => true,
        },
        Some(_) => true,
    };
    ok_before && ok_after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> PhoneBook {
        let phone = |n: &str, en: &str| Phone {
            number: n.into(),
            reaches: [("en".to_string(), en.to_string())].into(),
        };
        PhoneBook::new(&[
            phone("103", "ambulance"),
            phone("112", "emergency services"),
            phone("0 800 33 20 29", "crisis line"),
        ])
    }

    fn found(text: &str) -> Vec<String> {
        book()
            .find(text)
            .map(|(r, _)| text[r].to_string())
            .collect()
    }

    #[test]
    fn listed_numbers_are_found_only_on_their_own() {
        assert_eq!(found("Call 103 (ambulance) or 112."), ["103", "112"]);
        assert_eq!(found("Call **103**, then"), ["103"]);
        assert_eq!(
            found("Line 0\u{a0}800\u{a0}33\u{a0}20\u{a0}29, free"),
            ["0\u{a0}800\u{a0}33\u{a0}20\u{a0}29"]
        );
        for text in [
            "In 2103 and 1103",
            "1 103 people",
            "103.5 mg",
            "103 000",
            "103%",
            "112-й",
            "A103",
            "+103",
            "1,103",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
        assert_eq!(found("(103)"), ["103"]);
        assert_eq!(found("112 - the number"), ["112"]);
    }

    #[test]
    fn digits_are_counted_across_long_texts() {
        let text = "тел. 0 800 500 335; ".repeat(40);
        assert_eq!(ascii_digits(&text), 10 * 40);
        assert_eq!(ascii_digits(&"9".repeat(1000)), 1000);
        assert_eq!(ascii_digits("٣ ３ x"), 0);
    }

    #[test]
    fn unlisted_phone_numbers_are_found_and_figures_are_not() {
        for text in [
            "call +380 44 123 4567 today",
            "line 0 800 507-727 (free)",
            "Kyiv (044) 123-45-67",
            "044 123 45 67",
            "0800507727",
        ] {
            assert!(PhoneBook::unlisted(text).is_some(), "{text}");
        }
        for text in [
            "In 2024 and 1000 people",
            "10 000 000 doses",
            "0.5 mg/kg",
            "from 2019 to 2024",
            "116 123",
            "1 000 000",
            "Between 01 02 2024",
        ] {
            assert_eq!(PhoneBook::unlisted(text), None, "{text}");
        }
        let text = "call +380 44 123 4567. Then";
        let r = PhoneBook::unlisted(text).unwrap();
        assert_eq!(&text[r], "+380 44 123 4567");
    }

    #[test]
    fn links_have_a_tel_url_and_say_what_they_call() {
        let html = book().link_text(
            "Call 103 & 0 800 33 20 29.",
            "en",
            "Call {number}: {reaches}",
        );
        assert_eq!(
            html,
            "Call <a class=\"tel\" href=\"tel:103\" aria-label=\"Call 103: ambulance\">103</a> &amp; \
             <a class=\"tel\" href=\"tel:0800332029\" aria-label=\"Call 0 800 33 20 29: crisis line\">0 800 33 20 29</a>."
        );
    }
}
