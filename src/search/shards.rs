//! A large index in pieces: the terms in shards by stem, the pages in fragments, so that a
//! query loads only the shards of its words and the fragments of the results it shows.

use super::entry::PageEntry;
use super::shard_folder;
use super::write::{Emit, Split, postings_of, script_json, script_start};

/// Writes the terms in shards of about `split.shard` bytes; returns each shard's first stem.
pub(super) fn write_shards<'a>(
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
pub(super) fn write_fragments(
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::search::entry::tests::{entry, many_pages};
    use crate::search::index_file;
    use crate::search::write::tests::index_script;
    use crate::search::write::write_index;

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
}
