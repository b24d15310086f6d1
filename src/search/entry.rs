//! What the search keeps of one page while the site renders: its sections, each with its
//! heading, anchor, snippet and the weights of its stems.

// Hashing stems is a good part of the index's cost; nothing here needs protection from
// crafted keys (the text is the site's own).
use foldhash::HashMap;

use super::varints::{Varints, read_varints};
use super::words::{Rules, for_each_word, normalize_remembered, rules};
use crate::markdown::HeadingAt;

/// What the search shows and finds of one page, gathered while it renders.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageEntry {
    pub lang: String,
    pub title: String,
    pub description: String,
    /// From the output root, as the page's own links are: `risks/`, `uk/`.
    pub url: String,
    pub sections: Vec<Section>,
    /// The page's distinct stems, each followed by `\n` (which no stem contains); sections
    /// name them by position. One string a page, not one a section and stem: a site of
    /// 10,000 pages per language holds 25 million (section, stem) pairs until the index is
    /// written, and their strings were most of the build's memory (BENCHMARKS.md, "Memory
    /// at 10,000 pages per language").
    pub(super) stems: String,
}

/// A page's text from one heading to the next; the first has no heading (the page's intro).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Heading, anchor and snippet, one after the other: one allocation, not three (a site
    /// of 10,000 pages per language has 230,000 sections; BENCHMARKS.md, "Memory at 10,000
    /// pages per language").
    pub(super) text: Box<str>,
    heading_len: u32,
    anchor_len: u32,
    /// The section's stems and their weights, by position in the page's `stems`, in order
    /// of position: see [`Varints`].
    pub(super) terms: Box<[u8]>,
}

impl Section {
    fn new(heading: &str, anchor: &str, snippet: &str, terms: Varints) -> Section {
        let len = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX);
        Section {
            text: [heading, anchor, snippet].concat().into_boxed_str(),
            heading_len: len(heading),
            anchor_len: len(anchor),
            terms: terms.0.into_boxed_slice(),
        }
    }

    /// Each stem's position in the page's `stems` and its weight here.
    pub(super) fn terms(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut stem = 0;
        read_varints(&self.terms).map(move |n| {
            stem += n >> 4;
            (stem, n & MAX_STORED_WEIGHT)
        })
    }

    pub(crate) fn heading(&self) -> &str {
        &self.text[..self.heading_len as usize]
    }

    pub(crate) fn anchor(&self) -> &str {
        let start = self.heading_len as usize;
        &self.text[start..start + self.anchor_len as usize]
    }

    pub(crate) fn snippet(&self) -> &str {
        &self.text[(self.heading_len + self.anchor_len) as usize..]
    }
}

const TITLE_WEIGHT: u32 = 10;
const HEADING_WEIGHT: u32 = 5;
const DESCRIPTION_WEIGHT: u32 = 3;
/// A word repeated in a section counts at most this often, so a long section does not
/// outrank the one whose heading names the word.
const MAX_TEXT_WEIGHT: u32 = 4;
pub(super) const MAX_STORED_WEIGHT: u32 = 15;
const SNIPPET_CHARS: usize = 120;

impl PageEntry {
    /// Cut a page into sections at its `h2`-`h4` headings. `blocks` and `headings` are the
    /// text the Markdown renderer collected: each paragraph, item, cell and heading, without
    /// citation markers (their numbers are not words a reader searches for).
    pub(crate) fn new<'t>(
        title: &'t str,
        description: &'t str,
        url: String,
        blocks: &'t [String],
        headings: &[HeadingAt],
        lang: &str,
    ) -> Self {
        let rules = rules(lang);
        let cuts: Vec<&HeadingAt> = headings
            .iter()
            .filter(|h| (2..=4).contains(&h.level))
            .collect();
        // Whitespace collapsed, kept for the whole page: the counter remembers words by
        // their place in the page's text.
        let heading_texts: Vec<String> = cuts.iter().map(|h| collapse(&h.text)).collect();
        // Sized for the page's words (about one in 8 bytes, a third of them different), so
        // that the maps seldom grow while they are filled.
        let bytes: usize = blocks.iter().map(String::len).sum();
        let mut counter = Counter::with_capacity(bytes / 24);
        let mut sections = Vec::with_capacity(cuts.len() + 1);

        // The intro; the page's title and description find it.
        let intro = &blocks[..cuts.first().map_or(blocks.len(), |h| h.at)];
        for b in intro {
            counter.add_text(b, rules, 1);
        }
        counter.cap(MAX_TEXT_WEIGHT);
        counter.add_text(title, rules, TITLE_WEIGHT);
        counter.add_text(description, rules, DESCRIPTION_WEIGHT);
        let mut snippet_text = snippet(intro.iter().map(String::as_str));
        if snippet_text.is_empty() {
            snippet_text = snippet([description]);
        }
        sections.push(Section::new("", "", &snippet_text, counter.take()));

        for (i, h) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map_or(blocks.len(), |next| next.at);
            let text = &blocks[h.first_block.min(end)..end];
            let heading = &heading_texts[i];
            if text.is_empty() && heading.is_empty() {
                continue;
            }
            for b in text {
                counter.add_text(b, rules, 1);
            }
            counter.cap(MAX_TEXT_WEIGHT);
            counter.add_text(heading, rules, HEADING_WEIGHT);
            sections.push(Section::new(
                heading,
                &h.id,
                &snippet(text.iter().map(String::as_str)),
                counter.take(),
            ));
        }
        PageEntry {
            lang: lang.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            url,
            sections,
            stems: {
                let mut stems = counter.stems;
                stems.shrink_to_fit();
                stems
            },
        }
    }

    /// A section's stems and their weights.
    #[cfg(test)]
    fn terms<'a>(&'a self, section: &'a Section) -> impl Iterator<Item = (&'a str, u32)> {
        let stems: Vec<&str> = self.stems.split_terminator('\n').collect();
        section
            .terms()
            .map(move |(stem, weight)| (stems[stem as usize], weight))
    }
}

/// Counts the stems of a page, one section at a time.
#[derive(Default)]
struct Counter<'t> {
    /// Each stem of the page and its position in `stems`.
    ids: HashMap<String, u32>,
    pub(super) stems: String,
    /// The current section's weight of each stem, by position; `touched` lists the stems
    /// with a weight (a page has hundreds of stems, a section a fraction of them).
    weights: Vec<u32>,
    touched: Vec<u32>,
    /// Each word of the page as written, and its stem's position (`None`: not a search
    /// word). A page repeats most of its words: a repeat skips lower-casing and stemming.
    seen: HashMap<&'t str, Option<u32>>,
    /// The word being normalized.
    word: String,
}

impl<'t> Counter<'t> {
    fn with_capacity(words: usize) -> Self {
        Counter {
            ids: HashMap::with_capacity_and_hasher(words, Default::default()),
            seen: HashMap::with_capacity_and_hasher(words, Default::default()),
            weights: Vec::with_capacity(words),
            ..Counter::default()
        }
    }

    fn add_text(&mut self, text: &'t str, rules: &'static Rules, weight: u32) {
        for_each_word(text, |raw| {
            let id = match self.seen.get(raw) {
                Some(&id) => id,
                None => {
                    let id =
                        normalize_remembered(raw, rules, &mut self.word).then(|| self.id_of_word());
                    self.seen.insert(raw, id);
                    id
                }
            };
            if let Some(id) = id {
                self.add(id, weight);
            }
        });
    }

    /// The position of the stem in `word`, given one the first time.
    fn id_of_word(&mut self) -> u32 {
        let stem = self.word.as_str();
        match self.ids.get(stem) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX >> 4);
                self.ids.insert(stem.to_string(), id);
                self.stems.push_str(stem);
                self.stems.push('\n');
                self.weights.push(0);
                id
            }
        }
    }

    fn add(&mut self, id: u32, weight: u32) {
        let w = &mut self.weights[id as usize];
        if *w == 0 {
            self.touched.push(id);
        }
        *w += weight;
    }

    fn cap(&mut self, max: u32) {
        for &id in &self.touched {
            let w = &mut self.weights[id as usize];
            *w = (*w).min(max);
        }
    }

    /// The section's terms (see [`Section::terms`]): each stem's distance from the previous
    /// one times 16 plus its weight. Counting starts again from zero.
    fn take(&mut self) -> Varints {
        self.touched.sort_unstable();
        let mut terms = Varints(Vec::with_capacity(
            self.touched.len() + self.touched.len() / 4,
        ));
        let mut previous = 0;
        for id in self.touched.drain(..) {
            let w = std::mem::take(&mut self.weights[id as usize]);
            terms.push(((id - previous) << 4) | w.min(MAX_STORED_WEIGHT));
            previous = id;
        }
        terms
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first words of a section's text (its `blocks`), cut at a word boundary.
fn snippet<'t>(blocks: impl IntoIterator<Item = &'t str>) -> String {
    // The start of the text with its whitespace collapsed, up to the first word past the
    // snippet's length: sections can be long. A citation marker left out leaves its space
    // before the punctuation that followed it: such a word is glued to the one before, and
    // the two are kept or cut together.
    let mut text = String::with_capacity(2 * SNIPPET_CHARS);
    let mut chars = 0;
    // The length of `text` up to the end of its last whole group of glued words that
    // leaves room for the ellipsis.
    let mut fits = 0;
    for block in blocks {
        for word in block.split_whitespace() {
            if !text.is_empty() && !word.starts_with(['.', ',', ';', ':', '!', '?', ')']) {
                if chars < SNIPPET_CHARS {
                    fits = text.len();
                }
                text.push(' ');
                chars += 1;
            }
            text.push_str(word);
            chars += word.chars().count();
            if chars > SNIPPET_CHARS {
                text.truncate(fits);
                text.push('…');
                return text;
            }
        }
    }
    text
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::search::words::tests::all;

    /// The search entry of a page written in `md`, at `url`.
    pub(in crate::search) fn entry(
        title: &str,
        description: &str,
        url: &str,
        md: &str,
        lang: &str,
    ) -> PageEntry {
        let (r, _, errors) = crate::markdown::tests::render_md(md, lang, url);
        assert!(errors.is_empty(), "{errors:?}");
        PageEntry::new(
            title,
            description,
            url.into(),
            &r.text_blocks,
            &r.headings,
            lang,
        )
    }

    pub(in crate::search) fn many_pages() -> Vec<PageEntry> {
        let words = [
            "кетамін",
            "сечовий міхур",
            "передозування",
            "лікарня",
            "допомога",
            "біль",
            "серце",
            "тиск",
            "сон",
            "пам'ять",
        ];
        (0..40)
            .map(|i| {
                let md = format!(
                    "Про {} і {}.\n\n## Розділ {i} {{#s{i}}}\n\n{} {} {}.\n",
                    words[i % 10],
                    words[(i * 3) % 10],
                    words[(i * 7) % 10],
                    words[(i + 1) % 10],
                    "слово".repeat(i % 3 + 1),
                );
                entry(
                    &format!("Сторінка {i}"),
                    "Опис.",
                    &format!("p{i:02}/"),
                    &md,
                    "uk",
                )
            })
            .collect()
    }

    #[test]
    fn sections_follow_headings() {
        let md = "Intro about ketamine [@S1].\n\n## Bladder problems {#bladder}\n\n\
                  Pain &amp; blood.\n\n- one\n- two\n\n### Getting help {#help}\n\nCall 103.\n";
        let page = entry("Risks", "What can go wrong.", "risks/", md, "en");
        let headings: Vec<(&str, &str)> = page
            .sections
            .iter()
            .map(|s| (s.heading(), s.anchor()))
            .collect();
        assert_eq!(
            headings,
            [
                ("", ""),
                ("Bladder problems", "bladder"),
                ("Getting help", "help")
            ]
        );
        assert_eq!(page.sections[0].snippet(), "Intro about ketamine.");
        assert_eq!(page.sections[1].snippet(), "Pain & blood. one two");
        let weight = |s: usize, t: &str| {
            page.terms(&page.sections[s])
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
    fn repeated_words_count_each_time_in_every_section() {
        // The counter remembers each word as written: a repeat, a new spelling of the same
        // stem, a stop word seen before and a word in a later section must count as the
        // first reading did.
        let md = "Ketamine, ketamine and KETAMINE; the the пам'ять памʼять.\n\n\
                  ## Ketamine again {#again}\n\nKetamines and ketamine.\n";
        let page = entry("Title", "About it.", "k/", md, "uk");
        let weight = |s: usize, t: &str| {
            page.terms(&page.sections[s])
                .find(|(x, _)| *x == t)
                .map(|(_, w)| w)
        };
        assert_eq!(weight(0, "ketamine"), Some(3));
        assert_eq!(weight(0, "пам'ять"), None, "apostrophes are left out");
        assert_eq!(weight(0, "пам"), Some(2), "{:?}", all("пам'ять", "uk"));
        assert_eq!(
            weight(0, "the"),
            Some(2),
            "`the` is an English stop word only"
        );
        assert_eq!(weight(1, "ketamine"), Some(HEADING_WEIGHT + 1));
        assert_eq!(weight(1, "ketamines"), Some(1));
        let en = entry("Title", "About it.", "k/", md, "en");
        let weight = |s: usize, t: &str| {
            en.terms(&en.sections[s])
                .find(|(x, _)| *x == t)
                .map(|(_, w)| w)
        };
        assert_eq!(weight(0, "the"), None);
        assert_eq!(weight(1, "ketamine"), Some(HEADING_WEIGHT + 2));
    }

    /// The snippet as it was made before, in two passes: the text up to the first word
    /// past the length, then its words again up to the length.
    fn snippet_in_two_passes(blocks: &[&str]) -> String {
        let mut text = String::new();
        let mut chars = 0;
        'blocks: for block in blocks {
            for word in block.split_whitespace() {
                if !text.is_empty() && !word.starts_with(['.', ',', ';', ':', '!', '?', ')']) {
                    text.push(' ');
                    chars += 1;
                }
                text.push_str(word);
                chars += word.chars().count();
                if chars > SNIPPET_CHARS {
                    break 'blocks;
                }
            }
        }
        if chars <= SNIPPET_CHARS {
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

    /// Snippets of texts around the length, with glued punctuation, Cyrillic and words
    /// longer than a snippet, are what the two passes made.
    #[test]
    fn snippets_in_one_pass_are_those_of_two() {
        let words = [
            "a",
            "is",
            "the",
            "кетамін",
            "ліки",
            ".",
            ",",
            ");",
            "?",
            "(S1)",
            "\u{a0}",
            "word",
            "ketamine's",
            "—",
            "x",
        ];
        let long = "л".repeat(SNIPPET_CHARS + 3);
        let mut state = 1u32;
        let mut next = |n: usize| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 8) as usize % n
        };
        let mut cut = 0;
        for case in 0..3000 {
            let mut blocks = Vec::new();
            for _ in 0..1 + next(3) {
                let mut block = String::new();
                for _ in 0..next(60) {
                    let w = if case % 50 == 0 && next(20) == 0 {
                        long.as_str()
                    } else {
                        words[next(words.len())]
                    };
                    block.push_str(w);
                    block.push_str(if next(4) == 0 { "  " } else { " " });
                }
                blocks.push(block);
            }
            let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
            let expected = snippet_in_two_passes(&blocks);
            cut += usize::from(expected.ends_with('…'));
            assert_eq!(snippet(blocks.iter().copied()), expected, "{blocks:?}");
        }
        // Both kinds of text were tried: cut and whole.
        assert!((500..2500).contains(&cut), "{cut}");
    }

    #[test]
    fn snippets_stop_at_a_word() {
        let long = "word ".repeat(100);
        let s = snippet([long.as_str()]);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
    }
}
