//! Memory work for large sites: an [`Origin`] packed into 8 bytes, and a page's ids and
//! links each kept in one buffer instead of a `String` apiece. A site keeps every page's
//! links until all pages are rendered. They serve BENCHMARKS.md's peak-memory target at
//! 10,000 pages per language (at most 300 MiB): 295 MiB with 8-byte origins, 310-324 MiB
//! with 16-byte ones. The rules of the link check do not depend on them: they read [`Ids`]
//! and [`Links`] as lists, and [`Settled`] as a set of positions.

use super::*;

/// An [`Origin`] in 8 bytes instead of 16: a site keeps one per link until every page is
/// rendered (about 80 per page, 25 MB at 10,000 pages per language unpacked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    /// The span's start; `u32::MAX` when there is no span.
    start: u32,
    /// The span's length, at most `u16::MAX` (only the underline is shorter).
    len: u16,
    /// The Markdown file's number, or one of the two values below.
    file: u16,
}

impl Packed {
    const PAGE: u16 = u16::MAX;
    const TEMPLATE: u16 = u16::MAX - 1;
}

impl From<Origin> for Packed {
    fn from(origin: Origin) -> Packed {
        let none = |file| Packed {
            start: u32::MAX,
            len: 0,
            file,
        };
        match origin {
            Origin::Page => none(Packed::PAGE),
            Origin::Template => none(Packed::TEMPLATE),
            // More Markdown files than that on one page: the print page of a huge site.
            Origin::Markdown { file, .. } if file >= Packed::TEMPLATE => none(Packed::PAGE),
            Origin::Markdown { file, span: None } => none(file),
            Origin::Markdown {
                file,
                span: Some(span),
            } => Packed {
                start: span.start,
                len: u16::try_from(span.len).unwrap_or(u16::MAX),
                file,
            },
        }
    }
}

impl From<Packed> for Origin {
    fn from(p: Packed) -> Origin {
        match p.file {
            Packed::PAGE => Origin::Page,
            Packed::TEMPLATE => Origin::Template,
            file => Origin::Markdown {
                file,
                span: (p.start != u32::MAX).then_some(Span {
                    start: p.start,
                    len: u32::from(p.len),
                }),
            },
        }
    }
}

/// Strings kept end to end in one buffer, with where each ends: one allocation for a page's
/// ids or links instead of one each (a few million strings at 10,000 pages per language).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn with_capacity(bytes: usize, count: usize) -> Strings {
        Strings {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(offset(self.text.len()));
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Insert `value` before string `index` (`index < len`).
    fn insert(&mut self, index: usize, value: &str) {
        let at = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        self.text.insert_str(at, value);
        let grow = offset(value.len());
        for end in &mut self.ends[index..] {
            *end += grow;
        }
        self.ends.insert(index, offset(at + value.len()));
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// The ids of a page, sorted, in one buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ids(Strings);

impl Ids {
    /// From ids already sorted and without duplicates.
    pub(super) fn from_sorted<S: AsRef<str>>(sorted: &[S]) -> Ids {
        let bytes = sorted.iter().map(|s| s.as_ref().len()).sum();
        let mut ids = Strings::with_capacity(bytes, sorted.len());
        for id in sorted {
            ids.push(id.as_ref());
        }
        Ids(ids)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        // A binary search by position: the buffer holds where each id ends, not the ids, so
        // the slice's own `binary_search` has nothing to compare.
        let (mut lo, mut hi) = (0, self.0.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.0.get(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// In sorted order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Ids {
        let mut all: Vec<S> = iter.into_iter().collect();
        all.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        all.dedup_by(|a, b| a.as_ref() == b.as_ref());
        Ids::from_sorted(&all)
    }
}

pub(super) fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a page's ids and links take less than 4 GiB")
}

/// The links of a page, in document order, in one buffer, with whether each loads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Links {
    values: Strings,
    loads: Vec<bool>,
}

impl Links {
    pub(crate) fn push(&mut self, value: &str, loads: bool) {
        self.values.push(value);
        self.loads.push(loads);
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The value of link `i`.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.values.get(i)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Link<'_>> {
        self.values
            .iter()
            .zip(&self.loads)
            .map(|(value, &loads)| Link { value, loads })
    }

    /// Insert `value` before the entry now at `index`.
    pub(super) fn insert(&mut self, index: usize, value: &str) {
        if index >= self.len() {
            return self.push(value, false);
        }
        self.values.insert(index, value);
        self.loads.insert(index, false);
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        self.loads.shrink_to_fit();
    }
}

/// The links of a page settled as it was read (see [`PageLinks::settle_local_links`]), one
/// bit per link as written, so that those kept can still say where they were written. Bits,
/// not positions: settling most links as each page is read took the peak at 10,000 pages
/// per language from 384 to 302-314 MiB (BENCHMARKS.md, "Memory at 10,000 pages per
/// language", 4810806 and ccd87b4), and a list of positions would give part of that back.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Settled(Vec<u64>);

impl Settled {
    /// None settled of `len` links.
    pub(super) fn new(len: usize) -> Settled {
        Settled(vec![0; len.div_ceil(64)])
    }

    pub(super) fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub(super) fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Where the `i`-th link not settled stood among the links as written.
    pub(super) fn written_at(&self, i: usize) -> usize {
        // The position of the `i`-th clear bit.
        let mut left = i;
        for (word_at, word) in self.0.iter().enumerate() {
            let clear = (!word).count_ones() as usize;
            if left < clear {
                let mut word = !word;
                for _ in 0..left {
                    word &= word - 1;
                }
                return word_at * 64 + word.trailing_zeros() as usize;
            }
            left -= clear;
        }
        self.0.len() * 64 + left
    }
}
