//! # khabar-keywords
//!
//! Keywords and an extractive summary of one article, scored against document frequencies
//! of a news collection ([`TermTable`], shipped, built from the shared 41k articles).
//!
//! * **Keywords** ([`keywords`]): single words and multi-word phrases (runs of content words,
//!   and the article's named entities), each scored by its weighted frequency in the article
//!   (headline and lead count more) times its rarity in the news; a word inside a chosen
//!   phrase is not repeated on its own.
//! * **Summary** ([`summary`]): k body sentences chosen by centrality (similarity of the
//!   sentence to the whole article in TF-IDF space) and lead position; a quotation spread
//!   over several sentences is taken whole or not at all.
//!
//! ```
//! use khabar_analysis::Document;
//! use khabar_ingest::Article;
//! let a = Article { id: "k".into(), title: "افتتاح سد جديد على نهر النيل".into(),
//!     body: "افتتحت الحكومة اليوم سد النهضة الجديد. ويخزن السد مياه النهر لري المزارع. وقال الوزير إن السد يوفر الكهرباء.".into(),
//!     ..Default::default() };
//! let doc = Document::from_article(&a);
//! let k = khabar_keywords::keywords(&doc, khabar_keywords::TermTable::shipped(), 5);
//! assert!(k.iter().any(|k| k.text.contains("سد")));
//! ```

mod table;

pub use table::{term_key, TableError, TermTable, COMMON_SHARE};

use khabar_analysis::{name_start, Document, Keyword};
use khabar_text::TokenKind;
use rustc_hash::FxHashMap;

/// Keywords returned by default.
pub const DEFAULT_KEYWORDS: usize = 10;
/// Summary sentences returned by default.
pub const DEFAULT_SUMMARY: usize = 3;

/// Weight of a word in the headline, in the first two body sentences, elsewhere.
const TITLE_WEIGHT: f32 = 3.0;
const LEAD_WEIGHT: f32 = 1.5;
/// Entities are what readers look for first.
const ENTITY_BOOST: f32 = 1.3;
/// Longest phrase, in words.
const MAX_PHRASE: usize = 3;

/// Each token's content term: its search key with its rarity (idf) in `table`, or `None` for
/// function words, numbers and punctuation. Keywords, the summary and story features all
/// read this one list.
pub fn content_terms<'d>(doc: &'d Document, table: &TermTable) -> Vec<Option<(&'d str, f32)>> {
    doc.tokens
        .iter()
        .map(|t| {
            term_key(t)
                .filter(|k| !table.is_common(k))
                .map(|k| (k, table.idf(k)))
        })
        .collect()
}

/// Index of the first body sentence: the headline is `text` up to the first line break.
fn first_body_sentence(doc: &Document) -> usize {
    let title_chars = doc.title.chars().count();
    if title_chars == 0 {
        return 0;
    }
    doc.sentences
        .iter()
        .position(|s| s.start > title_chars)
        .unwrap_or(doc.sentences.len())
}

/// Per-token position weight: headline, lead, rest.
fn token_weights(doc: &Document) -> Vec<f32> {
    let body = first_body_sentence(doc);
    let mut out = Vec::with_capacity(doc.tokens.len());
    let mut si = 0;
    for t in &doc.tokens {
        while si < doc.sentences.len() && doc.sentences[si].end <= t.start {
            si += 1;
        }
        out.push(if si < body {
            TITLE_WEIGHT
        } else if si < body + 2 {
            LEAD_WEIGHT
        } else {
            1.0
        });
    }
    out
}

struct Candidate {
    score: f32,
    keys: Vec<String>,
    /// A named entity of the article.
    entity: bool,
    /// Surface forms seen, with their counts: the most frequent one is shown.
    forms: FxHashMap<String, u32>,
}

/// The article's keywords, best first, at most `k`; scores are relative to the best (1.0).
pub fn keywords(doc: &Document, table: &TermTable, k: usize) -> Vec<Keyword> {
    if k == 0 || doc.tokens.is_empty() {
        return Vec::new();
    }
    let weights = token_weights(doc);
    let mut cands: FxHashMap<String, Candidate> = FxHashMap::default();
    let mut add = |key: String, keys: Vec<String>, form: String, w: f32, idf: f32, entity: bool| {
        let c = cands.entry(key).or_insert_with(|| Candidate {
            score: 0.0,
            keys,
            entity,
            forms: FxHashMap::default(),
        });
        c.entity |= entity;
        c.score += w * idf;
        *c.forms.entry(form).or_insert(0) += 1;
    };
    // Content words: not function words, not numbers; runs of them are phrases.
    let content = content_terms(doc, table);
    for (i, (t, &weight)) in doc.tokens.iter().zip(&weights).enumerate() {
        let Some((key, idf)) = content[i] else {
            continue;
        };
        add(
            key.to_string(),
            vec![key.to_string()],
            doc.slice(name_start(t), t.end).to_string(),
            weight,
            idf,
            false,
        );
        // phrases starting here: adjacent content words (only spaces between them)
        let mut keys = vec![key.to_string()];
        let mut idf_sum = idf;
        let mut j = i;
        while keys.len() < MAX_PHRASE && j + 1 < doc.tokens.len() {
            let next = &doc.tokens[j + 1];
            let gap = doc.slice(doc.tokens[j].end, next.start);
            if !gap.chars().all(|c| c == ' ') || gap.is_empty() {
                break;
            }
            let Some((nk, nidf)) = content[j + 1] else {
                break;
            };
            keys.push(nk.to_string());
            idf_sum += nidf;
            j += 1;
            // a phrase scores the mean rarity of its words, and more the longer it is
            let idf = idf_sum / keys.len() as f32 * (keys.len() as f32).sqrt();
            add(
                keys.join(" "),
                keys.clone(),
                doc.slice(name_start(t), next.end).to_string(),
                weight,
                idf,
                false,
            );
        }
    }
    // Entities are phrases too, whatever their words' frequencies.
    for e in &doc.entities {
        let r = doc.token_range(khabar_analysis::Span {
            start: e.start,
            end: e.end,
        });
        let keys: Vec<String> = r
            .clone()
            .filter_map(|i| term_key(&doc.tokens[i]).map(str::to_string))
            .collect();
        if keys.is_empty() || r.is_empty() {
            continue;
        }
        let idf = keys.iter().map(|k| table.idf(k)).sum::<f32>() / keys.len() as f32
            * (keys.len() as f32).sqrt()
            * ENTITY_BOOST;
        let first = &doc.tokens[r.start];
        add(
            keys.join(" "),
            keys,
            doc.slice(name_start(first).max(e.start), e.end).to_string(),
            weights[r.start],
            idf,
            true,
        );
    }
    let mut ranked: Vec<Candidate> = cands
        .into_values()
        // a phrase must recur or be an entity: a one-off word pair is a coincidence of
        // word order
        .filter(|c| c.keys.len() == 1 || c.entity || c.forms.values().sum::<u32>() >= 2)
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.keys.cmp(&b.keys))
    });
    let mut chosen: Vec<&Candidate> = Vec::new();
    for c in &ranked {
        if chosen.len() == k {
            break;
        }
        // a word of a chosen phrase, or a phrase of chosen words, says nothing new
        let covered = chosen.iter().any(|p| {
            c.keys.iter().all(|key| p.keys.contains(key))
                || (p.keys.len() == 1 && c.keys.contains(&p.keys[0]) && c.score < p.score * 1.2)
        });
        if !covered {
            chosen.push(c);
        }
    }
    let best = chosen.first().map_or(1.0, |c| c.score.max(1e-6));
    chosen
        .into_iter()
        .map(|c| {
            let text = c
                .forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(f, _)| f.clone())
                .unwrap_or_default();
            Keyword {
                text,
                score: ((c.score / best) * 1000.0).round() / 1000.0,
            }
        })
        .collect()
}

/// A sparse TF-IDF vector of the content terms of some tokens.
fn tfidf<'d>(terms: &[Option<(&'d str, f32)>]) -> FxHashMap<&'d str, f32> {
    let mut v: FxHashMap<&str, f32> = FxHashMap::default();
    for &(key, idf) in terms.iter().flatten() {
        *v.entry(key).or_insert(0.0) += idf;
    }
    v
}

fn cosine(a: &FxHashMap<&str, f32>, b: &FxHashMap<&str, f32>) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dot: f32 = small
        .iter()
        .filter_map(|(k, x)| large.get(k).map(|y| x * y))
        .sum();
    let n = |v: &FxHashMap<&str, f32>| v.values().map(|x| x * x).sum::<f32>().sqrt();
    let d = n(a) * n(b);
    if d > 0.0 {
        dot / d
    } else {
        0.0
    }
}

/// Shortest and longest sentence (in words) worth putting in a summary.
const MIN_SUMMARY_WORDS: usize = 5;
const MAX_SUMMARY_WORDS: usize = 90;

/// Indices (into `doc.sentences`, in text order) of at most `k` body sentences that sum the
/// article up: the most central ones, the lead favoured; never the headline, never part of a
/// quotation without the rest of it.
pub fn summary(doc: &Document, table: &TermTable, k: usize) -> Vec<usize> {
    let body = first_body_sentence(doc);
    if k == 0 || body >= doc.sentences.len() {
        return Vec::new();
    }
    // Units: runs of sentences a quotation spans are taken together.
    // The sentences each quotation spans, by first sentence: one sweep, not a pass over all
    // quotations per sentence (quadratic on a long text full of quotations).
    let mut spans: Vec<(usize, usize)> = doc
        .quotes
        .iter()
        .filter_map(|q| {
            let (qs, qe) = (
                q.content.start.min(q.cue.start),
                q.content.end.max(q.cue.end),
            );
            let s0 = doc.sentence_at(qs)?;
            Some((s0, doc.sentence_at(qe.saturating_sub(1)).unwrap_or(s0)))
        })
        .collect();
    spans.sort_unstable();
    let mut units: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = body;
    let mut j = 0;
    while i < doc.sentences.len() {
        let mut end = i + 1;
        while j < spans.len() && spans[j].0 < end {
            if spans[j].1 >= i {
                end = end.max(spans[j].1 + 1);
            }
            j += 1;
        }
        units.push(i..end.min(doc.sentences.len()));
        i = end;
    }
    let terms = content_terms(doc, table);
    let all = tfidf(&terms);
    let mut scored: Vec<(f32, usize)> = Vec::new();
    for (ui, u) in units.iter().enumerate() {
        let span = khabar_analysis::Span {
            start: doc.sentences[u.start].start,
            end: doc.sentences[u.end - 1].end,
        };
        let tokens = doc.token_range(span);
        let words = doc.tokens[tokens.clone()]
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Latin))
            .count();
        if !(MIN_SUMMARY_WORDS..=MAX_SUMMARY_WORDS * u.len()).contains(&words) {
            continue;
        }
        let centrality = cosine(&tfidf(&terms[tokens]), &all);
        // News puts the essentials first: the lead sentence counts double.
        let lead = 1.0 + 1.0 / (1.0 + ui as f32);
        scored.push((centrality * lead, ui));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<usize> = Vec::new();
    for (_, ui) in scored {
        if chosen.len() + units[ui].len() > k {
            continue;
        }
        chosen.extend(units[ui].clone());
    }
    chosen.sort_unstable();
    chosen
}

/// Fills `doc.keywords` and `doc.summary` with the default sizes.
pub fn annotate(doc: &mut Document, table: &TermTable) {
    doc.keywords = keywords(doc, table, DEFAULT_KEYWORDS);
    doc.summary = summary(doc, table, DEFAULT_SUMMARY);
}

#[cfg(test)]
mod tests;
