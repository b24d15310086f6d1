//! The search index: one small script per language, built from the text the Markdown
//! renderer collects while it renders each page (no second reading of the HTML).
//!
//! Each page is cut into sections at its headings; each section keeps its heading, anchor, a
//! short snippet and the weighted stems of its words. The index is a `<script>` that assigns a
//! global (`window.factsheetSearch`), not a JSON file, because browsers refuse `fetch` on
//! `file://` and the site must search from a USB stick. The stemming rules travel in the index,
//! so `static/search.js` applies exactly the rules the index was built with.

use std::collections::BTreeMap;
use std::io::Write;

// Hashing stems is a good part of the index's cost; nothing here needs protection from
// crafted keys (the text is the site's own).
use foldhash::HashMap;
use serde::Serialize;

use crate::content::Page;
use crate::markdown::HeadingAt;
use crate::offline;

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

/// Calls `f` with each run of word characters in `text` as it is written: letters and
/// digits, with the apostrophes and stress marks that do not split a word. Cut from the
/// bytes, ASCII without decoding: most text is ASCII, even Ukrainian pages' spaces and
/// punctuation.
fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let mut start = None;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let (in_word, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric() || b == b'\'' || b == b'`', 1)
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
fn normalize<'w>(raw: &str, rules: &Rules, word: &'w mut String) -> Option<&'w str> {
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
            match lower_fast(c) {
                Some(lower) => {
                    word.push(lower);
                    chars += 1;
                }
                None => {
                    for lower in c.to_lowercase() {
                        word.push(lower);
                        chars += 1;
                    }
                }
            }
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

/// The lower case of ASCII and of the Cyrillic alphabet, without a table look-up; `None` for
/// other characters (`char::to_lowercase` gives the same, more slowly).
fn lower_fast(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 0x50),
        'а'..='џ' => Some(c),
        _ => None,
    }
}

/// Stop words are short: longer words skip the comparisons (millions of words on a large site).
fn is_stop_word(word: &str, rules: &Rules) -> bool {
    let first = word.as_bytes().first();
    word.len() <= 10
        && rules
            .stop
            .iter()
            .any(|stop| stop.as_bytes().first() == first && *stop == word)
}

/// `char::is_alphanumeric` (what `[\p{Alphabetic}\p{N}]` matches in search.js), with the
/// letters of Latin and Cyrillic answered without a table look-up.
fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        // The Cyrillic block's letters (U+0482-U+0489 are a sign and combining marks).
        || ('\u{400}'..='\u{481}').contains(&c)
        || ('\u{48a}'..='\u{4ff}').contains(&c)
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
    /// written, and their strings were most of the build's memory.
    stems: String,
}

/// A page's text from one heading to the next; the first has no heading (the page's intro).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Heading, anchor and snippet, one after the other: one allocation, not three (a site
    /// of 10,000 pages per language has 230,000 sections).
    text: Box<str>,
    heading_len: u32,
    anchor_len: u32,
    /// The section's stems and their weights, by position in the page's `stems`, in order
    /// of position: see [`Varints`].
    terms: Box<[u8]>,
}

/// Numbers as LEB128 varints: 7 bits a byte, the high bit set on all but a number's last
/// byte. A site of 10,000 pages per language has 25 million (section, stem) pairs to hold
/// until its index is written; as sorted deltas most take one byte instead of four.
#[derive(Debug, Default, Clone, PartialEq)]
struct Varints(Vec<u8>);

impl Varints {
    fn push(&mut self, mut n: u32) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
}

fn read_varints(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut n = 0u32;
        let mut shift = 0;
        loop {
            let b = *bytes.get(at)?;
            at += 1;
            n |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
            shift += 7;
        }
    })
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
    fn terms(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
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
const MAX_STORED_WEIGHT: u32 = 15;
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
        let mut counter = Counter::default();
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
    stems: String,
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
    fn add_text(&mut self, text: &'t str, rules: &Rules, weight: u32) {
        for_each_word(text, |raw| {
            let id = match self.seen.get(raw) {
                Some(&id) => id,
                None => {
                    let id = normalize(raw, rules, &mut self.word)
                        .is_some()
                        .then(|| self.id_of_word());
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
    // before the punctuation that followed it.
    let mut text = String::with_capacity(2 * SNIPPET_CHARS);
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

/// Pages the search finds: ordinary pages and the sources page. The print page repeats
/// every other page, and the search page lists them.
pub(crate) fn is_indexed(page: &Page) -> bool {
    page.front.kind.is_indexed()
}

/// The indexed pages of each language.
pub(crate) fn by_language<'a>(
    entries: impl Iterator<Item = &'a PageEntry>,
) -> BTreeMap<&'a str, Vec<&'a PageEntry>> {
    let mut by_lang: BTreeMap<&str, Vec<&PageEntry>> = BTreeMap::new();
    for e in entries {
        by_lang.entry(&e.lang).or_default().push(e);
    }
    by_lang
}

/// The output file of a language's index.
pub(crate) fn index_file(lang: &str) -> String {
    format!("search-index.{lang}.js")
}

/// The folder of a language's index shards and page fragments, beside its entry file.
pub(crate) fn shard_folder(lang: &str) -> String {
    format!("search-index.{lang}")
}

/// When a language's index is split, and into what.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    /// An index estimated at up to this many bytes stays one file: one request, and the real
    /// site's index (under 100 KB) is smaller whole than as an entry file plus shards.
    pub one_file: usize,
    /// Shards of the terms are cut after this many bytes of postings.
    pub shard: usize,
    /// Fragments of the pages (titles, links, sections) are cut after this many bytes.
    pub fragment: usize,
}

impl Split {
    /// Sizes for a phone's first query: a shard or two of postings (about 15 KB compressed
    /// each) and, for each of the 20 results shown, a fragment of about 1 KB compressed.
    pub(crate) const SITE: Split = Split {
        one_file: 256 * 1024,
        shard: 48 * 1024,
        fragment: 3 * 1024,
    };
}

/// Writes a language's index as the site links it: pages by URL, or by file in an offline
/// copy. The entry file goes to `out`; a split index's shards and fragments go to `emit`
/// (output path, bytes).
pub(crate) fn write_site_index(
    offline: bool,
    lang: &str,
    pages: &[&PageEntry],
    out: &mut dyn Write,
    emit: &Emit,
) -> std::io::Result<()> {
    if offline {
        write_index(lang, pages, offline::page_file, Split::SITE, out, emit)
    } else {
        write_index(lang, pages, str::to_string, Split::SITE, out, emit)
    }
}

/// A stem's postings (held as varints: a tenth of a large site's build memory as plain
/// numbers) and the last section added to them.
#[derive(Default)]
struct Postings {
    list: Varints,
    last: usize,
}

impl Serialize for Postings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(read_varints(&self.list.0))
    }
}

/// The start of every script of the index: it adds its part to one global, under `key`.
fn script_start(out: &mut dyn Write, what: &str, lang: &str, key: &str) -> std::io::Result<()> {
    write!(
        out,
        "// Search index of this site ({lang}){what}, generated by factsheet build.\n\
         (window.factsheetSearch = window.factsheetSearch || {{}})[{key:?}] = "
    )
}

/// Writes `value` as JSON that cannot close a `<script>` element, then `;`.
fn script_json(out: &mut dyn Write, value: &impl Serialize) -> std::io::Result<()> {
    // Buffered before the escaping: serde writes a few bytes at a time, and each write
    // through `dyn Write` costs a call and a search for `<`.
    let mut json = std::io::BufWriter::with_capacity(1 << 16, NoScriptEnd(&mut *out));
    serde_json::to_writer(&mut json, value)?;
    json.flush()?;
    drop(json);
    out.write_all(b";\n")
}

/// Writes the index of one language as scripts. `link` turns a page's URL (from the output
/// root) into the link the index stores: the URL itself, or the file for an offline copy.
/// Pages are ordered by URL and terms by stem, so the same site gives the same bytes.
///
/// A small index is one script, `out`: rules, pages, sections and terms. A larger one is
/// split as `split` says: `out` is then an entry file with the rules, each page's number of
/// sections, the first stem of each shard and the number of pages in each fragment; the
/// shards (`search-index.<lang>/t<n>.js`, terms with their postings, in stem order) and
/// the fragments (`search-index.<lang>/p<n>.js`, pages with their sections, in page
/// order) go to `emit`, so a query loads the entry file, the shards of its words and the
/// fragments of the results it shows. Scripts, not JSON, so they load from `file://`.
pub(crate) fn write_index(
    lang: &str,
    pages: &[&PageEntry],
    link: impl Fn(&str) -> String + Sync,
    split: Split,
    out: &mut dyn Write,
    emit: &Emit,
) -> std::io::Result<()> {
    let mut sorted: Vec<&PageEntry> = pages.to_vec();
    sorted.sort_by(|a, b| a.url.cmp(&b.url));
    // The index's size in JSON, roughly: text, and two characters a number (the postings'
    // varints have a byte or more each).
    let estimate: usize = sorted
        .iter()
        .map(|p| {
            let sections: usize = p
                .sections
                .iter()
                .map(|s| s.text.len() + 2 * s.terms.len())
                .sum();
            p.title.len() + p.url.len() + p.description.len() + sections
        })
        .sum();
    if estimate <= split.one_file {
        let terms: BTreeMap<&str, Postings> = postings_of(&sorted).into_iter().collect();
        return write_whole(lang, &sorted, &link, terms, out);
    }
    // The shards and the fragments at once: at 10,000 pages per language each is a second
    // of work on one core.
    let (shards, fragments) = rayon::join(
        || write_shards(lang, &sorted, split, emit),
        || write_fragments(lang, &sorted, &link, split, emit),
    );
    let (shards, fragments) = (shards?, fragments?);

    #[derive(Serialize)]
    struct Entry<'a> {
        lang: &'a str,
        rules: &'a Rules,
        split: SplitEntry<'a>,
    }
    #[derive(Serialize)]
    struct SplitEntry<'a> {
        /// Each page's number of sections, in page order: sections are numbered across the
        /// pages, as in a whole index.
        sections: Vec<usize>,
        /// The first stem of each shard.
        shards: Vec<&'a str>,
        /// The number of pages of each fragment.
        fragments: Vec<usize>,
    }
    let entry = Entry {
        lang,
        rules: rules(lang),
        split: SplitEntry {
            sections: sorted.iter().map(|p| p.sections.len()).collect(),
            shards,
            fragments,
        },
    };
    script_start(out, "", lang, lang)?;
    script_json(out, &entry)
}

/// Where a split index's shards and fragments go: output path and bytes.
pub(crate) type Emit<'e> = dyn Fn(&str, &[u8]) -> std::io::Result<()> + Sync + 'e;

/// Each stem of the pages (sorted by URL) and its postings, sections numbered across the
/// pages, in no order.
fn postings_of<'a>(sorted: &[&'a PageEntry]) -> Vec<(&'a str, Postings)> {
    // Each stem of the language, by its position in `postings`; `local` is the current
    // page's stems by that position.
    let mut positions: HashMap<&str, u32> = HashMap::default();
    let mut postings: Vec<Postings> = Vec::new();
    let mut local: Vec<u32> = Vec::new();
    let mut n = 0;
    for page in sorted {
        local.clear();
        for stem in page.stems.split_terminator('\n') {
            let next = u32::try_from(postings.len()).unwrap_or(u32::MAX);
            let at = *positions.entry(stem).or_insert(next);
            if at == next {
                postings.push(Postings::default());
            }
            local.push(at);
        }
        for s in &page.sections {
            for (stem, weight) in s.terms() {
                let list = &mut postings[local[stem as usize] as usize];
                let step = u32::try_from(n - list.last).unwrap_or(u32::MAX >> 4);
                list.list.push(step * (MAX_STORED_WEIGHT + 1) + weight);
                list.last = n;
            }
            n += 1;
        }
    }
    positions
        .into_iter()
        .map(|(stem, at)| (stem, std::mem::take(&mut postings[at as usize])))
        .collect()
}

/// Writes the terms in shards of about `split.shard` bytes; returns each shard's first stem.
fn write_shards<'a>(
    lang: &str,
    sorted: &[&'a PageEntry],
    split: Split,
    emit: &Emit,
) -> std::io::Result<Vec<&'a str>> {
    let mut terms = postings_of(sorted);
    // In the order of JavaScript's `<` (UTF-16 code units), by which search.js finds a
    // word's shard; UTF-8's order differs above U+FFFF.
    terms.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut buf: Vec<u8> = Vec::with_capacity(2 * split.shard);
    let mut shards: Vec<&str> = Vec::new();
    let mut json = Vec::new();
    let mut first = None;
    let close_shard = |buf: &mut Vec<u8>, i: usize| {
        let mut file = Vec::with_capacity(buf.len() + 200);
        script_start(&mut file, " shard", lang, &format!("{lang}/t{i}"))?;
        file.push(b'{');
        file.append(buf);
        file.extend_from_slice(b"};\n");
        emit(&format!("{}/t{i}.js", shard_folder(lang)), &file)
    };
    for (stem, postings) in &terms {
        if buf.len() >= split.shard
            && let Some(first) = first.take()
        {
            close_shard(&mut buf, shards.len())?;
            shards.push(first);
        }
        if !buf.is_empty() {
            buf.push(b',');
        }
        first.get_or_insert(*stem);
        json.clear();
        serde_json::to_writer(&mut json, stem)?;
        buf.extend_from_slice(&json);
        buf.push(b':');
        serde_json::to_writer(&mut buf, postings)?;
    }
    if let Some(first) = first.take() {
        close_shard(&mut buf, shards.len())?;
        shards.push(first);
    }
    Ok(shards)
}

/// Writes the pages in fragments of about `split.fragment` bytes: title, link, description
/// and sections (heading, anchor, snippet) of each page. Returns each fragment's number of
/// pages.
fn write_fragments(
    lang: &str,
    sorted: &[&PageEntry],
    link: &(impl Fn(&str) -> String + Sync),
    split: Split,
    emit: &Emit,
) -> std::io::Result<Vec<usize>> {
    type PageData<'a> = (&'a str, String, &'a str, Vec<(&'a str, &'a str, &'a str)>);
    let mut fragments: Vec<usize> = Vec::new();
    let mut group: Vec<PageData> = Vec::new();
    let mut size = 0;
    let close_fragment =
        |group: &mut Vec<PageData>, fragments: &mut Vec<usize>| -> std::io::Result<()> {
            let i = fragments.len();
            fragments.push(group.len());
            let mut file = Vec::with_capacity(2 * split.fragment);
            script_start(&mut file, " pages", lang, &format!("{lang}/p{i}"))?;
            script_json(&mut file, group)?;
            group.clear();
            emit(&format!("{}/p{i}.js", shard_folder(lang)), &file)
        };
    for page in sorted {
        if size >= split.fragment {
            close_fragment(&mut group, &mut fragments)?;
            size = 0;
        }
        size += page.title.len() + page.url.len() + page.description.len();
        size += page
            .sections
            .iter()
            .map(|s| s.text.len() + 12)
            .sum::<usize>();
        group.push((
            &page.title,
            link(&page.url),
            &page.description,
            page.sections
                .iter()
                .map(|s| (s.heading(), s.anchor(), s.snippet()))
                .collect(),
        ));
    }
    if !group.is_empty() {
        close_fragment(&mut group, &mut fragments)?;
    }
    Ok(fragments)
}

/// The index of one language as one script.
fn write_whole(
    lang: &str,
    sorted: &[&PageEntry],
    link: &impl Fn(&str) -> String,
    terms: BTreeMap<&str, Postings>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
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
        terms: BTreeMap<&'a str, Postings>,
    }
    let mut index = Index {
        lang,
        rules: rules(lang),
        pages: Vec::with_capacity(sorted.len()),
        sections: Vec::new(),
        terms,
    };
    for (p, page) in sorted.iter().enumerate() {
        index
            .pages
            .push((&page.title, link(&page.url), &page.description));
        for s in &page.sections {
            index
                .sections
                .push((p, s.heading(), s.anchor(), s.snippet()));
        }
    }
    script_start(out, "", lang, lang)?;
    script_json(out, &index)
}

/// Writes JSON with `<` as `\u003c`: serialized JSON only has `<` inside strings, where the
/// escape means the same, and the index then cannot close a `<script>` element if it is
/// ever inlined into a page. Escaped while writing: the index of a large site is tens of
/// megabytes, too much to copy.
struct NoScriptEnd<W>(W);

impl<W: Write> Write for NoScriptEnd<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = memchr::memchr(b'<', rest) {
            self.0.write_all(&rest[..at])?;
            self.0.write_all(b"\\u003c")?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_give_back_what_was_pushed() {
        let numbers = [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 27, u32::MAX];
        let mut v = Varints::default();
        for n in numbers {
            v.push(n);
        }
        // One byte up to 127, two up to 16,383, 7 bits more for each byte after.
        assert_eq!(v.0.len(), 3 + 2 * 3 + 3 + 4 + 5);
        assert_eq!(read_varints(&v.0).collect::<Vec<_>>(), numbers);
    }

    /// The search entry of a page written in `md`, at `url`.
    fn entry(title: &str, description: &str, url: &str, md: &str, lang: &str) -> PageEntry {
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

    fn index_script(
        lang: &str,
        pages: &[&PageEntry],
        link: impl Fn(&str) -> String + Sync,
    ) -> String {
        let mut out = Vec::new();
        let emit = |rel: &str, _: &[u8]| panic!("{rel}: a small index is split");
        write_index(lang, pages, link, Split::SITE, &mut out, &emit).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The files of an index split at `split`: the entry file under its own name, then the
    /// shards and fragments by name.
    fn split_files(pages: &[&PageEntry], split: Split) -> Vec<(String, String)> {
        let mut entry = Vec::new();
        let files = std::sync::Mutex::new(Vec::new());
        let emit = |rel: &str, bytes: &[u8]| {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            files.lock().unwrap().push((rel.to_string(), text));
            Ok(())
        };
        write_index("uk", pages, str::to_string, split, &mut entry, &emit).unwrap();
        let mut files = files.into_inner().unwrap();
        // Shards and fragments are written at once, in either order.
        files.sort();
        files.insert(0, (index_file("uk"), String::from_utf8(entry).unwrap()));
        files
    }

    /// The JSON a script of the index assigns, and the key it assigns it to.
    fn assigned(js: &str) -> (String, serde_json::Value) {
        let (head, json) = js.split_once("] = ").unwrap();
        let key = head.rsplit_once("[").unwrap().1;
        let key: String = serde_json::from_str(key).unwrap();
        (
            key,
            serde_json::from_str(json.trim_end().trim_end_matches(';')).unwrap(),
        )
    }

    fn many_pages() -> Vec<PageEntry> {
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

    fn all(text: &str, lang: &str) -> Vec<String> {
        tokens(text, rules(lang))
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

    #[test]
    fn snippets_stop_at_a_word() {
        let long = "word ".repeat(100);
        let s = snippet([long.as_str()]);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn the_index_is_the_same_whatever_the_page_order() {
        let a = entry("A", "First.", "a/", "alpha beta", "en");
        let b = entry("B", "Second.", "b/", "## Beta {#x}", "en");
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
        let a = entry("</script>", "x", "a/", "&lt;/script&gt;", "en");
        let js = index_script("en", &[&a], str::to_string);
        assert!(!js.contains("</"), "{js}");
    }

    const SMALL: Split = Split {
        one_file: 0,
        shard: 200,
        fragment: 300,
    };

    #[test]
    fn a_split_index_is_the_same_whatever_the_page_order() {
        let pages = many_pages();
        let forward: Vec<&PageEntry> = pages.iter().collect();
        let backward: Vec<&PageEntry> = pages.iter().rev().collect();
        let one = split_files(&forward, SMALL);
        assert_eq!(one, split_files(&backward, SMALL));
        assert!(one.len() > 4, "{one:?}");
    }

    #[test]
    fn a_split_index_holds_every_term_and_page_once() {
        let pages = many_pages();
        let refs: Vec<&PageEntry> = pages.iter().collect();
        let whole = index_script("uk", &refs, str::to_string);
        let (_, whole) = assigned(&whole);
        let files = split_files(&refs, SMALL);
        let (key, entry) = assigned(&files[0].1);
        assert_eq!(key, "uk");
        assert_eq!(entry["rules"], whole["rules"]);
        let split = &entry["split"];
        let bounds: Vec<&str> = split["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(bounds.len() > 1, "{bounds:?}");

        // The shards together are the whole index's terms, each in the shard its first stem
        // names, as search.js looks for it.
        let mut terms = serde_json::Map::new();
        for (i, first) in bounds.iter().enumerate() {
            let name = format!("search-index.uk/t{i}.js");
            let (_, js) = files.iter().find(|(rel, _)| *rel == name).unwrap();
            let (key, shard) = assigned(js);
            assert_eq!(key, format!("uk/t{i}"));
            for (stem, postings) in shard.as_object().unwrap() {
                assert!(stem.as_str() >= *first, "{stem} in shard {i} ({first})");
                if let Some(next) = bounds.get(i + 1) {
                    assert!(stem.as_str() < *next, "{stem} in shard {i}, before {next}");
                }
                assert!(terms.insert(stem.clone(), postings.clone()).is_none());
            }
        }
        assert_eq!(&serde_json::Value::Object(terms), &whole["terms"]);

        // The fragments together are the whole index's pages and sections, in order.
        let counts: Vec<u64> = split["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert!(counts.len() > 1, "{counts:?}");
        let mut listed = Vec::new();
        let mut sections = Vec::new();
        for (i, count) in counts.iter().enumerate() {
            let name = format!("search-index.uk/p{i}.js");
            let (_, js) = files.iter().find(|(rel, _)| *rel == name).unwrap();
            let (key, fragment) = assigned(js);
            assert_eq!(key, format!("uk/p{i}"));
            let fragment = fragment.as_array().unwrap();
            assert_eq!(fragment.len() as u64, *count);
            for page in fragment {
                let p = listed.len();
                listed.push(serde_json::json!([page[0], page[1], page[2]]));
                for s in page[3].as_array().unwrap() {
                    sections.push(serde_json::json!([p, s[0], s[1], s[2]]));
                }
            }
        }
        assert_eq!(serde_json::Value::Array(listed), whole["pages"]);
        assert_eq!(
            serde_json::Value::Array(sections.clone()),
            whole["sections"]
        );
        let per_page: u64 = split["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(per_page as usize, sections.len());
        // Nothing else was written.
        assert_eq!(files.len(), 1 + bounds.len() + counts.len());
    }

    #[test]
    fn shards_follow_javascript_string_order() {
        // U+FF58 sorts before U+1D400 in UTF-8 and after it in UTF-16 (a surrogate pair), as
        // JavaScript compares.
        let a = entry("A", "x", "a/", "ｘｘｘ 𝐀𝐀𝐀", "en");
        let files = split_files(
            &[&a],
            Split {
                one_file: 0,
                shard: 1,
                fragment: 1,
            },
        );
        let (_, entry) = assigned(&files[0].1);
        assert_eq!(
            entry["split"]["shards"],
            serde_json::json!(["𝐀𝐀𝐀", "ｘｘｘ"])
        );
    }

    #[test]
    fn the_real_sizes_keep_a_small_index_whole() {
        let pages = many_pages();
        let refs: Vec<&PageEntry> = pages.iter().collect();
        let js = index_script("uk", &refs, str::to_string);
        assert!(js.contains(r#""terms":{"#), "{js}");
    }
}
