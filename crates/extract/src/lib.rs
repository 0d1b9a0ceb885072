//! # khabar-extract
//!
//! Quotations with their speakers ("who said what") and numbers, quantities and dates.
//!
//! Both extractors are rule-based and work on the token stream of a
//! `khabar_analysis::Document` (normalized words with clitic segments), one
//! left-to-right pass with bounded look-ahead and hash-table lookups.
//!
//! ```
//! use khabar_analysis::Document;
//! use khabar_ingest::Article;
//! let article = Article {
//!     id: "x".into(),
//!     title: "خبر".into(),
//!     body: "وقال وزير المالية خالد السالم إن العجز انخفض بنسبة 5 في المئة. وأضاف أن الإنفاق سيرتفع.".into(),
//!     date: Some("2015-07-21".into()),
//!     ..Default::default()
//! };
//! let doc = Document::from_article(&article);
//! let quotes = khabar_extract::extract_quotes(&doc);
//! assert_eq!(quotes.len(), 2);
//! assert_eq!(quotes[0].speaker.text, "خالد السالم");
//! assert_eq!(quotes[1].speaker.text, "خالد السالم"); // وأضاف: same speaker
//! let q = khabar_extract::extract_quantities(&doc);
//! assert_eq!(q[0].kind, "percent");
//! assert_eq!(q[0].value, 5);
//! ```

mod coref;
mod dates;
mod lex;
mod numbers;
mod quotes;

use khabar_analysis::{Chain, Document, Quantity, Quote};

pub use quotes::norm_text;

/// Coreference chains of the persons and bodies of the document (uses `doc.entities`): names,
/// surnames, roles by apposition, titles standing alone and short forms of bodies, each chain
/// with its canonical name (the fullest name the article gives) and roles.
pub fn chains(doc: &Document) -> Vec<Chain> {
    coref::chains(doc)
}

/// Resolves quotation speakers through the chains: `speaker.text` becomes the chain's
/// canonical name, `speaker.role` its role, `speaker.chain` its index; subject-less cues join the
/// previous speaker's chain as pronoun mentions.
pub fn link_speakers(doc: &mut Document) {
    coref::link_speakers(doc)
}

/// Re-ranks each quotation's speaker (after [`link_speakers`]) with the shipped speaker
/// ranker: the rules' choice against the previous speaker, the persons and bodies named nearest
/// to the cue and the article's main participant (model card: `model/SPEAKER_RANKER.md`).
pub fn rank_speakers(doc: &mut Document) {
    quotes::ranking::rank(doc)
}

#[doc(hidden)]
pub use quotes::ranking::{
    candidates as speaker_candidates, choose as choose_speaker, score as speaker_score,
    Candidate as SpeakerCandidate, FEATURES as SPEAKER_FEATURES,
};

/// Quotations of the document, in text order (uses `doc.entities` when present).
///
/// Finds direct quotes («…», "…", “…”, „…“) next to a reporting cue, reported speech
/// (قال إن …، مؤكدا أن …، بحسب …) and headline quotes ("الوزير: …"), and attributes each to a
/// speaker: the subject after the cue, the previous speaker for "وأضاف أن …", and the
/// fullest form of a name the article gives.
pub fn extract_quotes(doc: &Document) -> Vec<Quote> {
    quotes::extract(doc)
}

/// Numbers, quantities and dates of the document, in text order (dates resolve against
/// `doc.date` when it is known).
///
/// Kinds: `number`, `ordinal`, `percent`, `money` (unit: ISO 4217 code; none when a bare
/// دينار، ريال، جنيه or درهم has no country in the article), `age`, `duration`
/// (unit: year, month, week, day, hour, minute, second, decade), `year`, `date` (value: ISO
/// 8601 string; Hijri dates keep their Hijri value with unit `hijri`) and `count` (عشرات،
/// آلاف: approximate).
pub fn extract_quantities(doc: &Document) -> Vec<Quantity> {
    numbers::extract(doc)
}
