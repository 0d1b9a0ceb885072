//! The stem lexicon: normalized word frequencies from unlabeled news, with each word's
//! precomputed clitic split, shipped inside khabar as a compressed artifact.
//!
//! Rebuild it from the shared news with
//! `cargo run --release -p khabar-cli -- lexicon build --out crates/text/data/lexicon.tsv.zst ../shared/data/news/*.jsonl.gz`.
//!
//! File format (zstd-compressed UTF-8 text): a header line `#khabar-lexicon\t1\t<min count>\t<words>`,
//! then one `word<TAB>count<TAB>split` line per word, split as in [`Split::encode`].

use crate::normalize::{normalize_into, NormalizeOptions};
use crate::segment::{best_split, Counts, Split};
use crate::tokenize::{for_each_token, TokenKind};
use rustc_hash::FxHashMap;
use std::io::{BufRead, Read, Write};

/// The artifact shipped with khabar.
static SHIPPED: &[u8] = include_bytes!("../data/lexicon.tsv.zst");

const MAGIC: &str = "#khabar-lexicon";
const VERSION: u32 = 1;

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

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    split: Split,
}

/// Word counts with precomputed splits.
#[derive(Debug, Default, Clone)]
pub struct Lexicon {
    words: FxHashMap<Box<str>, Entry>,
}

impl Counts for Lexicon {
    fn count(&self, word: &str) -> u32 {
        self.words.get(word).map_or(0, |e| e.count)
    }
}

impl Lexicon {
    /// The lexicon shipped inside khabar.
    pub fn shipped() -> Lexicon {
        Self::read(SHIPPED).expect("the shipped lexicon is valid (checked by tests)")
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

    /// The split of a normalized word: precomputed for known words, computed for others.
    #[inline]
    pub fn split(&self, word: &str) -> Split {
        match self.words.get(word) {
            Some(e) => e.split,
            None => best_split(word, self),
        }
    }

    /// Builds a lexicon from word counts, keeping words seen at least `min_count` times.
    pub fn from_counts(counts: FxHashMap<Box<str>, u32>, min_count: u32) -> Lexicon {
        let kept: FxHashMap<Box<str>, u32> =
            counts.into_iter().filter(|(_, c)| *c >= min_count).collect();
        let words = kept
            .iter()
            .map(|(w, &count)| {
                let split = best_split(w, &kept);
                (w.clone(), Entry { count, split })
            })
            .collect();
        Lexicon { words }
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
                reason: format!("unsupported lexicon version (this khabar reads version {VERSION})"),
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
                return Err(bad("expected word<TAB>count<TAB>split"));
            };
            let count = count.parse().map_err(|_| bad("bad count"))?;
            let split = Split::decode(split).ok_or_else(|| bad("bad split"))?;
            words.insert(Box::from(word), Entry { count, split });
        }
        if words.len() != expected {
            return Err(LexiconError::Format {
                line: expected + 2,
                reason: format!("truncated: header says {expected} words, found {}", words.len()),
            });
        }
        Ok(Lexicon { words })
    }

    /// Writes the lexicon zstd-compressed, words sorted by descending count (deterministic).
    pub fn write(&self, out: impl Write, min_count: u32) -> std::io::Result<()> {
        let mut enc = zstd::Encoder::new(out, 19)?;
        let mut entries: Vec<(&str, &Entry)> = self.words.iter().map(|(w, e)| (&**w, e)).collect();
        entries.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        writeln!(enc, "{MAGIC}\t{VERSION}\t{min_count}\t{}", entries.len())?;
        for (w, e) in entries {
            writeln!(enc, "{w}\t{}\t{}", e.count, e.split.encode())?;
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
