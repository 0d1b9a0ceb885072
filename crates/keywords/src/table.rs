//! Document frequencies of search keys (folded light stems) over a news collection, shipped
//! inside khabar so that a single article is scored against a whole collection.
//!
//! Rebuild it from the shared news with
//! `cargo run --release -p khabar-cli -- train keywords --out crates/keywords/data/terms.tsv.zst ../shared/data/news/*.jsonl.gz`.
//!
//! File format (zstd-compressed UTF-8): a header `#khabar-terms<TAB>1<TAB><documents>`, then
//! one `key<TAB>document frequency` line per key.

use khabar_text::{Token, TokenKind};
use rustc_hash::FxHashMap;
use std::io::{BufRead, Read, Write};
use std::sync::OnceLock;

static SHIPPED: &[u8] = include_bytes!("../data/terms.tsv.zst");
const MAGIC: &str = "#khabar-terms";
const VERSION: u32 = 1;

/// A key in more than this share of documents is a function word here: never a keyword and
/// it breaks phrases. (Measured on the shipped table: و، في، من، الى، ان … are far above,
/// الوزير، المملكة are below.)
pub const COMMON_SHARE: f32 = 0.06;

/// Errors reading a term table.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// I/O or decompression failed.
    #[error("term table: {0}")]
    Io(#[from] std::io::Error),
    /// Not a term table of a supported version.
    #[error("term table line {line}: {reason}")]
    Format {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Document frequencies of search keys.
#[derive(Debug, Clone, Default)]
pub struct TermTable {
    documents: u32,
    df: FxHashMap<Box<str>, u32>,
}

/// The key a token contributes to keyword and story statistics: the search key of an
/// Arabic or Latin word of two chars or more; none for numbers, punctuation and the rest.
pub fn term_key(token: &Token) -> Option<&str> {
    match token.kind {
        TokenKind::Word | TokenKind::Latin if token.key.chars().nth(1).is_some() => {
            Some(&token.key)
        }
        _ => None,
    }
}

impl TermTable {
    /// The table shipped with khabar (built from the 41,191 shared news articles).
    pub fn shipped() -> &'static TermTable {
        static TABLE: OnceLock<TermTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            TermTable::read(SHIPPED).expect("the shipped term table is valid (checked by tests)")
        })
    }

    /// An empty table to fill with [`TermTable::add_document`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one document's distinct keys.
    pub fn add_document<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>) {
        self.documents += 1;
        let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
        for k in keys {
            if seen.insert(k) {
                match self.df.get_mut(k) {
                    Some(n) => *n += 1,
                    None => {
                        self.df.insert(k.into(), 1);
                    }
                }
            }
        }
    }

    /// Documents counted.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.df.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.df.is_empty()
    }

    /// Documents holding `key` (0 when unknown).
    pub fn df(&self, key: &str) -> u32 {
        self.df.get(key).copied().unwrap_or(0)
    }

    /// The idf of a given document frequency (for callers with their own counts).
    pub fn idf_of_df(&self, df: u32) -> f32 {
        ((self.documents as f32 + 1.0) / (df.max(1) as f32 + 1.0)).ln() + 1.0
    }

    /// Inverse document frequency, smoothed: `ln((N + 1) / (df + 1)) + 1`. An unknown key
    /// counts as seen once (`df = 1`): unknown words are rare names as often as typos, and
    /// should not outrank the article's known rare words.
    pub fn idf(&self, key: &str) -> f32 {
        self.idf_of_df(self.df(key))
    }

    /// True for keys in more than [`COMMON_SHARE`] of the documents.
    pub fn is_common(&self, key: &str) -> bool {
        self.df(key) as f32 > COMMON_SHARE * self.documents as f32
    }

    /// Writes the table, keeping keys seen in at least `min_df` documents.
    pub fn write(&self, out: impl Write, min_df: u32) -> std::io::Result<()> {
        let mut enc = zstd::Encoder::new(out, 19)?;
        writeln!(enc, "{MAGIC}\t{VERSION}\t{}", self.documents)?;
        let mut keys: Vec<(&str, u32)> = self
            .df
            .iter()
            .filter(|(_, &n)| n >= min_df)
            .map(|(k, &n)| (&**k, n))
            .collect();
        keys.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (k, n) in keys {
            writeln!(enc, "{k}\t{n}")?;
        }
        enc.finish()?;
        Ok(())
    }

    /// Reads a table written by [`TermTable::write`].
    pub fn read(compressed: impl Read) -> Result<TermTable, TableError> {
        let reader = std::io::BufReader::new(zstd::Decoder::new(compressed)?);
        let mut lines = reader.lines();
        let header = lines.next().transpose()?.unwrap_or_default();
        let fields: Vec<&str> = header.split('\t').collect();
        let documents = match fields.as_slice() {
            [MAGIC, v, n] if v.parse() == Ok(VERSION) => n.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| TableError::Format {
            line: 1,
            reason: format!("expected a `{MAGIC}\\t{VERSION}\\t<documents>` header"),
        })?;
        let mut df = FxHashMap::default();
        for (i, line) in lines.enumerate() {
            let line = line?;
            let bad = |reason: &str| TableError::Format {
                line: i + 2,
                reason: reason.to_string(),
            };
            let (k, n) = line
                .split_once('\t')
                .ok_or_else(|| bad("expected key<TAB>df"))?;
            let n: u32 = n
                .parse()
                .map_err(|_| bad("document frequency is not a number"))?;
            if k.is_empty() || n > documents {
                return Err(bad("empty key or frequency above the document count"));
            }
            df.insert(k.into(), n);
        }
        Ok(TermTable { documents, df })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_reads_and_separates_function_words() {
        let t = TermTable::shipped();
        assert!(t.documents() > 40_000 && t.len() > 30_000, "{}", t.len());
        for common in ["في", "من", "ان"] {
            assert!(t.is_common(common), "{common}");
        }
        for rare in ["زلزال", "كاميرون"] {
            assert!(!t.is_common(rare) && t.df(rare) > 0, "{rare}");
        }
        assert!(t.idf("زلزال") > t.idf("وزير"));
        // unknown keys count as rare, not as rarer than anything seen
        assert_eq!(t.idf("ققققق"), t.idf_of_df(1));
    }

    #[test]
    fn write_read_roundtrip_and_bad_files() {
        let mut t = TermTable::new();
        t.add_document(["سد", "نهر", "سد"]);
        t.add_document(["نهر"]);
        let mut buf = Vec::new();
        t.write(&mut buf, 1).unwrap();
        let back = TermTable::read(&buf[..]).unwrap();
        assert_eq!((back.documents(), back.df("نهر"), back.df("سد")), (2, 2, 1));
        let bad = zstd::encode_all("#khabar-terms\t1\t2\nنهر\tكثير\n".as_bytes(), 1).unwrap();
        let err = TermTable::read(&bad[..]).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        let bad = zstd::encode_all("hello\n".as_bytes(), 1).unwrap();
        assert!(TermTable::read(&bad[..]).is_err());
        assert!(TermTable::read(&b"not zstd"[..]).is_err());
    }
}
