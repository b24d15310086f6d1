//! The glossary page's term list (`terms` in its front matter), and finding the first use
//! of each term in a page's text so that the Markdown renderer can link it to its entry.

use std::collections::{BTreeMap, HashSet};

/// The terms of one language's glossary page.
#[derive(Debug, Clone)]
pub(crate) struct Glossary {
    /// Key of the glossary page (`glossary`): its entries are linked as `glossary.md#id`.
    pub page_key: String,
    /// Longest form first, so that `NMDA receptors` wins over `NMDA` at the same place.
    terms: Vec<Term>,
    anchors: Vec<String>,
}

#[derive(Debug, Clone)]
struct Term {
    /// Lower case, compared with the text lowered the same way.
    form: Vec<char>,
    /// Index into `anchors`: every form of an entry shares it, so an entry is linked once.
    entry: usize,
}

/// One use of a term found in a piece of text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Found<'g> {
    /// Byte range of the term in the text.
    pub start: usize,
    pub end: usize,
    /// The heading id of its entry on the glossary page.
    pub anchor: &'g str,
    /// Which entry: pass it back to [`Glossary::find`] in `linked` once linked.
    pub entry: usize,
}

impl Glossary {
    /// `terms`: heading id -> the forms that link to it (a Ukrainian word in each case it
    /// is used in, for example).
    pub(crate) fn new(page_key: &str, terms: &BTreeMap<String, Vec<String>>) -> Glossary {
        let mut list = Vec::new();
        let mut anchors = Vec::new();
        for (entry, (anchor, forms)) in terms.iter().enumerate() {
            anchors.push(anchor.clone());
            for form in forms.iter().filter(|f| !f.trim().is_empty()) {
                list.push(Term {
                    form: form.trim().chars().flat_map(char::to_lowercase).collect(),
                    entry,
                });
            }
        }
        list.sort_by_key(|t| std::cmp::Reverse(t.form.len()));
        Glossary {
            page_key: page_key.to_string(),
            terms: list,
            anchors,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The first use in `text` of an entry not in `linked`: a form that starts and ends at
    /// a word boundary, matched without regard to case.
    pub(crate) fn find(&self, text: &str, linked: &HashSet<usize>) -> Option<Found<'_>> {
        let mut previous: Option<char> = None;
        for (start, c) in text.char_indices() {
            if previous.is_none_or(|p| !p.is_alphanumeric()) && c.is_alphanumeric() {
                // Only terms that start with this word's first letter can match here: asking
                // that first skips lowering the text and the hash look-up for all the others.
                let first = c.to_lowercase().next();
                for term in self
                    .terms
                    .iter()
                    .filter(|t| t.form.first() == first.as_ref() && !linked.contains(&t.entry))
                {
                    if let Some(end) = match_at(text, start, &term.form) {
                        return Some(Found {
                            start,
                            end,
                            anchor: &self.anchors[term.entry],
                            entry: term.entry,
                        });
                    }
                }
            }
            previous = Some(c);
        }
        None
    }
}

/// Where `form` (lower case) ends if it is at `start` of `text` and a word ends there.
fn match_at(text: &str, start: usize, form: &[char]) -> Option<usize> {
    let mut lowered = text[start..]
        .char_indices()
        .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, c, l)));
    let mut end = start;
    for &want in form {
        let (i, c, got) = lowered.next()?;
        if got != want {
            return None;
        }
        end = start + i + c.len_utf8();
    }
    let next = text[end..].chars().next();
    next.is_none_or(|n| !n.is_alphanumeric()).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glossary() -> Glossary {
        let mut terms = BTreeMap::new();
        terms.insert("nmda".to_string(), vec!["NMDA receptor".into()]);
        terms.insert("off-label".to_string(), vec!["off-label".into()]);
        terms.insert(
            "withdrawal".to_string(),
            vec!["симптоми відміни".into(), "симптомів відміни".into()],
        );
        Glossary::new("glossary", &terms)
    }

    #[test]
    fn finds_the_first_term_at_word_boundaries_in_any_case() {
        let g = glossary();
        let none = HashSet::new();
        let text = "Its use is Off-label here.";
        let f = g.find(text, &none).unwrap();
        assert_eq!(&text[f.start..f.end], "Off-label");
        assert_eq!(f.anchor, "off-label");
        // Inside a longer word it is not the term.
        assert_eq!(g.find("xoff-labels", &none), None);
    }

    #[test]
    fn every_listed_form_links_and_an_entry_is_found_once_linked_no_more() {
        let g = glossary();
        let text = "можуть виникнути симптоми відміни. Без симптомів відміни";
        let f = g.find(text, &HashSet::new()).unwrap();
        assert_eq!(&text[f.start..f.end], "симптоми відміни");
        let linked: HashSet<usize> = [f.entry].into_iter().collect();
        assert_eq!(g.find(&text[f.end..], &linked), None);
    }
}
