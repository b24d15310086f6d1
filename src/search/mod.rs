//! The search index: one small script per language, built from the text the Markdown
//! renderer collects while it renders each page (no second reading of the HTML).
//!
//! Each page is cut into sections at its headings; each section keeps its heading, anchor, a
//! short snippet and the weighted stems of its words. The index is a `<script>` that assigns a
//! global (`window.factsheetSearch`), not a JSON file, because browsers refuse `fetch` on
//! `file://` and the site must search from a USB stick. The stemming rules travel in the index,
//! so `static/search.js` applies exactly the rules the index was built with.
//!
//! One file per job:
//! - `words`: how text is cut into words and words reduced to stems (the rules of a language);
//! - `entry`: what the search keeps of one page while the site renders ([`PageEntry`]);
//! - `varints`: the packed form of stem weights and postings, memory work for large sites;
//! - `write`: the index of a language as one script, or an entry file beside
//!   `shards` (terms) and fragments (pages) when it is large.

use std::collections::BTreeMap;

use crate::content::Page;

mod entry;
mod shards;
mod varints;
mod words;
mod write;

pub(crate) use entry::PageEntry;
pub(crate) use words::Rules;
pub(crate) use write::write_site_index;

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
