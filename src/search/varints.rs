//! Numbers packed as varints, for the search's stem weights and postings. Memory work for
//! large sites: it serves BENCHMARKS.md's peak-memory target at 10,000 pages per language
//! ("Memory at 10,000 pages per language": search terms and postings as varints took the
//! peak from 497 to 436 MiB, 156da7f). The search's rules read plain numbers through
//! [`read_varints`].

use serde::Serialize;

use super::entry::MAX_STORED_WEIGHT;

/// Numbers as LEB128 varints: 7 bits a byte, the high bit set on all but a number's last
/// byte. A site of 10,000 pages per language has 25 million (section, stem) pairs to hold
/// until its index is written; as sorted deltas most take one byte instead of four.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Varints(pub(super) Vec<u8>);

impl Varints {
    pub(super) fn push(&mut self, mut n: u32) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
}

pub(super) fn read_varints(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
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

/// A stem's postings (held as varints: a tenth of a large site's build memory as plain
/// numbers) and the last section added to them.
#[derive(Default)]
pub(super) struct Postings {
    list: Varints,
    last: usize,
}

impl Postings {
    /// Adds section `section` (numbered across the language's pages, each added after the
    /// previous one) with the stem's `weight` there: the distance from the previous section
    /// times 16, plus the weight (at most 15), as the index stores it.
    pub(super) fn add(&mut self, section: usize, weight: u32) {
        let step = u32::try_from(section - self.last).unwrap_or(u32::MAX >> 4);
        self.list.push(step * (MAX_STORED_WEIGHT + 1) + weight);
        self.last = section;
    }
}

impl Serialize for Postings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(read_varints(&self.list.0))
    }
}

#[cfg(test)]
pub(super) mod tests {
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
}
