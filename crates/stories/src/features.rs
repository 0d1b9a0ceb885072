//! What the clustering needs of one article, computed from its analysis while indexing and
//! stored compactly (a few hundred bytes) beside it.

use crate::minhash::{signature, stable_hash};
use khabar_analysis::Document;
use khabar_keywords::TermTable;
use khabar_text::TokenKind;
use rustc_hash::FxHashMap;

/// Content terms kept per article (the rest weigh little in a cosine).
const MAX_TERMS: usize = 80;
/// Headline words count this many times.
const TITLE_COUNT: f32 = 2.0;
/// Summary sentences kept for story summaries; keywords kept for story keywords.
const MAX_SUMMARY: usize = 3;
const MAX_KEYWORDS: usize = 10;

/// Story features of one article.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// Content terms (hashed search keys) with their counts, headline
    /// words counted [`TITLE_COUNT`] times; sorted by hash.
    pub terms: Vec<(u32, f32)>,
    /// Hashed headline terms, sorted, distinct.
    pub title: Vec<u32>,
    /// Hashed specific numbers with their units (amounts, counts, percentages, dates),
    /// sorted, distinct.
    pub numbers: Vec<u32>,
    /// MinHash signature of the body's words (empty for an empty body).
    pub signature: Vec<u32>,
    /// The article's keywords with their scores.
    pub keywords: Vec<(String, f32)>,
    /// The article's summary sentences, in text order.
    pub summary: Vec<String>,
}

/// A stored feature record that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturesError(pub String);

impl std::fmt::Display for FeaturesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "story features: {}", self.0)
    }
}

impl std::error::Error for FeaturesError {}

/// The hash of a term key (32 bits: 41k articles hold ~200k distinct keys, so two keys
/// share a hash about once, and a cosine barely notices).
pub(crate) fn term_hash(key: &str) -> u32 {
    stable_hash(key) as u32
}

/// A feature for a number with its unit, kept when specific enough to tie two reports of
/// one event (not a year, not a count of ten or less).
fn quantity_key(kind: &str, value: &serde_json::Value, unit: Option<&str>) -> Option<String> {
    match kind {
        "year" | "ordinal" | "duration" | "age" => None,
        _ => {
            if let Some(x) = value.as_f64() {
                if x.abs() <= 10.0 {
                    return None;
                }
            }
            Some(format!("#{value}{}", unit.unwrap_or("")))
        }
    }
}

impl Features {
    /// The features of an analyzed document (its keyword and summary layers included when
    /// present).
    pub fn from_document(doc: &Document, table: &TermTable) -> Features {
        let title_chars = doc.title.chars().count();
        let mut counts: FxHashMap<u32, (f32, f32)> = FxHashMap::default();
        let mut title = Vec::new();
        let mut body_words: Vec<u64> = Vec::new();
        let content = khabar_keywords::content_terms(doc, table);
        for (t, term) in doc.tokens.iter().zip(content) {
            let in_title = t.end <= title_chars;
            if !in_title
                && matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::Latin | TokenKind::Number
                )
            {
                body_words.push(stable_hash(&t.norm));
            }
            let Some((key, idf)) = term else {
                continue;
            };
            let h = term_hash(key);
            counts.entry(h).or_insert((0.0, idf)).0 += if in_title { TITLE_COUNT } else { 1.0 };
            if in_title {
                title.push(h);
            }
        }
        let mut numbers: Vec<u32> = doc
            .quantities
            .iter()
            .filter_map(|q| quantity_key(&q.kind, &q.value, q.unit.as_deref()))
            .map(|k| term_hash(&k))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut ranked: Vec<(u32, f32, f32)> = counts
            .into_iter()
            .map(|(h, (n, idf))| (h, n, n * idf))
            .collect();
        if ranked.len() > MAX_TERMS {
            // the heaviest by count × rarity in the shipped table; ties by hash
            ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            ranked.truncate(MAX_TERMS);
        }
        let mut terms: Vec<(u32, f32)> = ranked.into_iter().map(|(h, n, _)| (h, n)).collect();
        terms.sort_by_key(|t| t.0);
        title.sort_unstable();
        title.dedup();
        let summary = doc
            .summary
            .iter()
            .take(MAX_SUMMARY)
            .filter_map(|&i| doc.sentences.get(i))
            .map(|s| doc.slice(s.start, s.end).to_string())
            .collect();
        Features {
            terms,
            title,
            numbers,
            signature: signature(&body_words),
            keywords: doc
                .keywords
                .iter()
                .take(MAX_KEYWORDS)
                .map(|k| (k.text.clone(), k.score))
                .collect(),
            summary,
        }
    }

    /// The compact binary form stored in the corpus.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.terms.len() * 8 + self.signature.len() * 4);
        out.push(1u8); // format version
        put_len(&mut out, self.terms.len());
        for (h, w) in &self.terms {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&w.to_le_bytes());
        }
        put_len(&mut out, self.title.len());
        for h in &self.title {
            out.extend_from_slice(&h.to_le_bytes());
        }
        put_len(&mut out, self.numbers.len());
        for h in &self.numbers {
            out.extend_from_slice(&h.to_le_bytes());
        }
        put_len(&mut out, self.signature.len());
        for h in &self.signature {
            out.extend_from_slice(&h.to_le_bytes());
        }
        put_len(&mut out, self.keywords.len());
        for (k, s) in &self.keywords {
            put_str(&mut out, k);
            out.extend_from_slice(&s.to_le_bytes());
        }
        put_len(&mut out, self.summary.len());
        for s in &self.summary {
            put_str(&mut out, s);
        }
        out
    }

    /// Reads [`Features::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Features, FeaturesError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.u8()? != 1 {
            return Err(FeaturesError("unknown format version".into()));
        }
        let mut f = Features::default();
        for _ in 0..r.len()? {
            f.terms.push((r.u32()?, r.f32()?));
        }
        for _ in 0..r.len()? {
            f.title.push(r.u32()?);
        }
        for _ in 0..r.len()? {
            f.numbers.push(r.u32()?);
        }
        for _ in 0..r.len()? {
            f.signature.push(r.u32()?);
        }
        for _ in 0..r.len()? {
            f.keywords.push((r.string()?, r.f32()?));
        }
        for _ in 0..r.len()? {
            f.summary.push(r.string()?);
        }
        if r.pos != bytes.len() {
            return Err(FeaturesError("trailing bytes".into()));
        }
        Ok(f)
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], FeaturesError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| FeaturesError("truncated record".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FeaturesError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, FeaturesError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, FeaturesError> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn len(&mut self) -> Result<usize, FeaturesError> {
        let n = self.u32()? as usize;
        // every element takes at least 4 bytes: a larger count is a corrupt record
        if n > (self.bytes.len() - self.pos) / 4 {
            return Err(FeaturesError("count larger than the record".into()));
        }
        Ok(n)
    }
    fn string(&mut self) -> Result<String, FeaturesError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| FeaturesError("invalid UTF-8".into()))
    }
}
