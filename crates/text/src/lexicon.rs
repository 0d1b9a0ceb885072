//! The stem lexicon: normalized word frequencies from unlabeled news, with each word's
//! precomputed clitic split, shipped inside khabar as a compressed artifact.
//!
//! Rebuild it from the shared news with
//! `cargo run --release -p khabar-cli -- lexicon build --out crates/text/data/lexicon.tsv.zst ../shared/data/news/*.jsonl.gz`.
//!
//! File format (zstd-compressed UTF-8 text): a header line `#khabar-lexicon\t2\t<min count>\t<words>`,
//! then one `word<TAB>count<TAB>split[<TAB>name]` line per word, split as in [`Split::encode`];
//! `name` marks gazetteer names, which are never split.

use crate::normalize::{normalize_into, NormalizeOptions};
use crate::segment::{best_split, Counts, Split};
use crate::tokenize::{for_each_token, TokenKind};
use rustc_hash::FxHashMap;
use std::io::{BufRead, Read, Write};

/// The artifact shipped with khabar.
static SHIPPED: &[u8] = include_bytes!("../data/lexicon.tsv.zst");

const MAGIC: &str = "#khabar-lexicon";
const VERSION: u32 = 2;

/// Errors reading a lexicon file.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// I/O or decompression failed.
    #[error("lexicon: {0}")]
    Io(#[from] std::io::Error),
    /// The content is not a khabar lexicon of a supported version.
    #[error("lexicon line {line}: {reason}")]
    Format {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    count: u32,
    split: Split,
    /// A name from the gazetteers: kept whole.
    name: bool,
}

/// 64-bit fingerprint of a word: look-up tables key on it instead of the word, so a probe
/// reads one small entry and never chases a pointer to the word's bytes. Two lexicon words
/// with one fingerprint are detected when the tables are built (see [`Lexicon::with_words`]).
#[inline]
pub(crate) fn fingerprint(word: &str) -> u64 {
    // Eight bytes at a time (words are short), multiply-rotate mixing, then a final avalanche
    // (splitmix64) so the low bits that index the tables are well spread.
    let bytes = word.as_bytes();
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = mix_chunk(h, v);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = mix_chunk(h, u64::from_le_bytes(buf));
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[inline]
fn mix_chunk(h: u64, v: u64) -> u64 {
    let mut x = (h ^ v).wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 32;
    x.wrapping_mul(0xc4ce_b9fe_1a85_ec53)
}

/// An open-addressing table from fingerprint to entry (linear probing; fingerprint 0 marks
/// an empty slot). Written here rather than using a `HashMap` so that the slot of a
/// fingerprint is known before the probe and can be prefetched.
#[derive(Debug, Clone, Default)]
struct FingerprintTable {
    slots: Vec<(u64, Entry)>,
    mask: usize,
}

impl FingerprintTable {
    /// A table for these (distinct, non-zero) fingerprints, at most half full.
    fn new(entries: &[(u64, Entry)]) -> Self {
        let size = (entries.len() * 2).next_power_of_two().max(16);
        let mut t = FingerprintTable {
            slots: vec![(0, Entry::default()); size],
            mask: size - 1,
        };
        for &(fp, e) in entries {
            let mut i = fp as usize & t.mask;
            while t.slots[i].0 != 0 {
                i = (i + 1) & t.mask;
            }
            t.slots[i] = (fp, e);
        }
        t
    }

    #[inline]
    fn get(&self, fp: u64) -> Option<&Entry> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = fp as usize & self.mask;
        loop {
            let slot = &self.slots[i];
            if slot.0 == fp {
                return Some(&slot.1);
            }
            if slot.0 == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline]
    fn slot_address(&self, fp: u64) -> Option<*const u8> {
        self.slots
            .get(fp as usize & self.mask)
            .map(|s| s as *const (u64, Entry) as *const u8)
    }
}

/// Hints the CPU to load the cache line at `p` (no architectural effect).
#[inline]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and has no effect on program state.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Slots of the direct-mapped table of frequent words (a power of two): 16 K × 16 bytes stays
/// in L2, and in news text it answers most look-ups.
const HOT_SLOTS: usize = 1 << 14;

/// Word counts with precomputed splits.
#[derive(Debug, Default, Clone)]
pub struct Lexicon {
    /// Every word with its entry (for writing, iteration and the rare fingerprint clash).
    words: FxHashMap<Box<str>, Entry>,
    /// Entries by fingerprint (look-ups).
    by_fingerprint: FingerprintTable,
    /// Direct-mapped cache of frequent words: (fingerprint, entry), filled most frequent first.
    hot: Vec<(u64, Entry)>,
    /// Fingerprints shared by two words (those words are looked up as unknown).
    fingerprint_clashes: usize,
}

impl Counts for Lexicon {
    fn count(&self, word: &str) -> u32 {
        self.entry(word).map_or(0, |e| e.count)
    }

    fn is_name(&self, word: &str) -> bool {
        self.entry(word).is_some_and(|e| e.name)
    }
}

/// Counts plus the set of names, while a lexicon is being built.
struct BuildCounts<'a> {
    counts: &'a FxHashMap<Box<str>, u32>,
    names: &'a rustc_hash::FxHashSet<Box<str>>,
}

impl Counts for BuildCounts<'_> {
    fn count(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
    }

    fn is_name(&self, word: &str) -> bool {
        self.names.contains(word)
    }
}

impl Lexicon {
    /// The lexicon shipped inside khabar.
    pub fn shipped() -> Lexicon {
        Self::read(SHIPPED).expect("the shipped lexicon is valid (checked by tests)")
    }

    /// Number of fingerprints shared by two lexicon words (expected 0; such words lose their
    /// precomputed split and are segmented as unknown words).
    pub fn fingerprint_clashes(&self) -> usize {
        self.fingerprint_clashes
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How often `word` (normalized) was seen.
    pub fn count(&self, word: &str) -> u32 {
        Counts::count(self, word)
    }

    #[inline]
    fn entry(&self, word: &str) -> Option<&Entry> {
        if self.words.is_empty() {
            return None;
        }
        let fp = fingerprint(word);
        let slot = &self.hot[fp as usize & (HOT_SLOTS - 1)];
        if slot.0 == fp && slot.0 != 0 {
            return Some(&slot.1);
        }
        self.by_fingerprint.get(fp)
    }

    /// Prefetches the table slots a look-up of a word with fingerprint `fp` will read.
    #[inline]
    pub(crate) fn prefetch(&self, fp: u64) {
        if let Some(slot) = self.hot.get(fp as usize & (HOT_SLOTS - 1)) {
            prefetch(slot as *const (u64, Entry) as *const u8);
        }
        if let Some(p) = self.by_fingerprint.slot_address(fp) {
            prefetch(p);
        }
    }

    /// Builds the look-up tables from `words`. Words whose fingerprints clash (vanishingly
    /// rare) are dropped from the fingerprint tables and treated as unknown, which only means
    /// their split is recomputed.
    fn with_words(words: FxHashMap<Box<str>, Entry>) -> Lexicon {
        let mut by_count: Vec<(&str, &Entry)> = words.iter().map(|(w, e)| (&**w, e)).collect();
        by_count.sort_unstable_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
        seen.reserve(by_count.len());
        for (w, _) in &by_count {
            *seen.entry(fingerprint(w)).or_default() += 1;
        }
        let fingerprint_clashes = seen.values().filter(|&&n| n > 1).count();
        let unique: Vec<(u64, Entry)> = by_count
            .iter()
            .map(|(w, e)| (fingerprint(w), **e))
            .filter(|(fp, _)| *fp != 0 && seen.get(fp) == Some(&1))
            .collect();
        let by_fingerprint = FingerprintTable::new(&unique);
        let mut hot = vec![(0u64, Entry::default()); HOT_SLOTS];
        for (w, _) in &by_count {
            let fp = fingerprint(w);
            let slot = &mut hot[fp as usize & (HOT_SLOTS - 1)];
            if slot.0 == 0 {
                if let Some(e) = by_fingerprint.get(fp) {
                    *slot = (fp, *e);
                }
            }
        }
        Lexicon {
            words,
            by_fingerprint,
            hot,
            fingerprint_clashes,
        }
    }

    /// The split of a normalized word and whether it is a gazetteer name, in one probe.
    /// `may_split` false (the word can carry no clitic) skips the segmenter for unknown words.
    #[inline]
    pub fn split_and_name(&self, word: &str, may_split: bool) -> (Split, bool) {
        match self.entry(word) {
            Some(e) => (if may_split { e.split } else { Split::WHOLE }, e.name),
            None if may_split => (best_split(word, self), false),
            None => (Split::WHOLE, false),
        }
    }

    /// The split of a normalized word: precomputed for known words, computed for others.
    #[inline]
    pub fn split(&self, word: &str) -> Split {
        match self.entry(word) {
            Some(e) => e.split,
            None => best_split(word, self),
        }
    }

    /// Builds a lexicon from word counts, keeping words seen at least `min_count` times, and
    /// the given names (normalized single words from gazetteers), which are never split.
    pub fn from_counts(
        counts: FxHashMap<Box<str>, u32>,
        names: &rustc_hash::FxHashSet<Box<str>>,
        min_count: u32,
    ) -> Lexicon {
        let kept: FxHashMap<Box<str>, u32> = counts
            .into_iter()
            .filter(|(w, c)| *c >= min_count || names.contains(w))
            .collect();
        let mut all = kept.clone();
        for n in names {
            all.entry(n.clone()).or_insert(0);
        }
        let build = BuildCounts {
            counts: &kept,
            names,
        };
        let words = all
            .iter()
            .map(|(w, &count)| {
                let split = best_split(w, &build);
                let name = names.contains(w);
                (w.clone(), Entry { count, split, name })
            })
            .collect();
        Lexicon::with_words(words)
    }

    /// Reads a zstd-compressed lexicon.
    pub fn read(compressed: impl Read) -> Result<Lexicon, LexiconError> {
        let reader = std::io::BufReader::new(zstd::Decoder::new(compressed)?);
        let mut lines = reader.lines();
        let header = lines.next().transpose()?.unwrap_or_default();
        let fields: Vec<&str> = header.split('\t').collect();
        if fields.first() != Some(&MAGIC) {
            return Err(LexiconError::Format {
                line: 1,
                reason: "not a khabar lexicon (missing #khabar-lexicon header)".into(),
            });
        }
        if fields.get(1).and_then(|v| v.parse::<u32>().ok()) != Some(VERSION) {
            return Err(LexiconError::Format {
                line: 1,
                reason: format!(
                    "unsupported lexicon version (this khabar reads version {VERSION})"
                ),
            });
        }
        let expected: usize = fields.get(3).and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut words = FxHashMap::default();
        words.reserve(expected);
        for (i, line) in lines.enumerate() {
            let line = line?;
            let bad = |reason: &str| LexiconError::Format {
                line: i + 2,
                reason: reason.to_string(),
            };
            let mut parts = line.split('\t');
            let (Some(word), Some(count), Some(split)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("expected word<TAB>count<TAB>split[<TAB>name]"));
            };
            let count = count.parse().map_err(|_| bad("bad count"))?;
            let split = Split::decode(split).ok_or_else(|| bad("bad split"))?;
            let name = match parts.next() {
                None => false,
                Some("name") => true,
                Some(_) => return Err(bad("bad flag (expected `name`)")),
            };
            words.insert(Box::from(word), Entry { count, split, name });
        }
        if words.len() != expected {
            return Err(LexiconError::Format {
                line: expected + 2,
                reason: format!(
                    "truncated: header says {expected} words, found {}",
                    words.len()
                ),
            });
        }
        Ok(Lexicon::with_words(words))
    }

    /// Writes the lexicon zstd-compressed, words sorted by descending count (deterministic).
    pub fn write(&self, out: impl Write, min_count: u32) -> std::io::Result<()> {
        let mut enc = zstd::Encoder::new(out, 19)?;
        let mut entries: Vec<(&str, &Entry)> = self.words.iter().map(|(w, e)| (&**w, e)).collect();
        entries.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        writeln!(enc, "{MAGIC}\t{VERSION}\t{min_count}\t{}", entries.len())?;
        for (w, e) in entries {
            let flag = if e.name { "\tname" } else { "" };
            writeln!(enc, "{w}\t{}\t{}{flag}", e.count, e.split.encode())?;
        }
        enc.finish()?;
        Ok(())
    }
}

/// Counts normalized Arabic words over many texts, for [`Lexicon::from_counts`].
#[derive(Debug, Default)]
pub struct WordCounter {
    counts: FxHashMap<Box<str>, u32>,
    buf: String,
}

impl WordCounter {
    /// Adds the Arabic words of `text`.
    pub fn add_text(&mut self, text: &str) {
        let options = NormalizeOptions::default();
        for_each_token(text, |t| {
            if t.kind != TokenKind::Word {
                return;
            }
            self.buf.clear();
            normalize_into(t.text(text), &options, &mut self.buf);
            if let Some(c) = self.counts.get_mut(self.buf.as_str()) {
                *c += 1;
            } else {
                self.counts.insert(Box::from(self.buf.as_str()), 1);
            }
        });
    }

    /// The counts so far.
    pub fn into_counts(self) -> FxHashMap<Box<str>, u32> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Lexicon {
        let mut counter = WordCounter::default();
        counter.add_text(&"القوات قوات لقوات قوات تدريب التدريب وقال قال ".repeat(6));
        let names: rustc_hash::FxHashSet<Box<str>> = ["ليبيا".into()].into_iter().collect();
        Lexicon::from_counts(counter.into_counts(), &names, 3)
    }

    #[test]
    fn write_read_roundtrip() {
        let lex = small();
        let mut buf = Vec::new();
        lex.write(&mut buf, 3).unwrap();
        let back = Lexicon::read(&buf[..]).unwrap();
        assert_eq!(back.len(), lex.len());
        assert_eq!(back.count("قوات"), 12);
        assert_eq!(back.split("لقوات").encode(), "1-0");
        assert!(back.is_name("ليبيا"));
        // a name is a stem after a proclitic even when rare, and is never split itself
        assert_eq!(back.split("وليبيا").encode(), "1-0");
        assert!(back.split("ليبيا").is_whole());
    }

    #[test]
    fn rejects_bad_files() {
        let compress = |s: &str| zstd::encode_all(s.as_bytes(), 1).unwrap();
        let err = Lexicon::read(&compress("hello\n")[..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a khabar lexicon"), "{err}");
        let err = Lexicon::read(&compress("#khabar-lexicon\t99\t3\t0\n")[..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported lexicon version"), "{err}");
        let err = Lexicon::read(&compress("#khabar-lexicon\t2\t3\t2\nقوات\t5\t-0\n")[..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = Lexicon::read(&compress("#khabar-lexicon\t2\t3\t1\nقوات\tx\t-0\n")[..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("bad count"), "{err}");
        assert!(Lexicon::read(&b"not zstd at all"[..]).is_err());
    }

    #[test]
    fn shipped_lexicon_loads() {
        let lex = Lexicon::shipped();
        assert!(lex.len() > 100_000);
        assert_eq!(lex.fingerprint_clashes(), 0);
        assert!(lex.count("قال") > 1000);
    }
}
