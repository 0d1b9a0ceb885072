//! Quotation extraction on the token stream: cues, contents and speakers.
//!
//! The pass is linear in the number of tokens: every token is looked up once in the cue
//! table; a cue then looks ahead (or back) a bounded number of tokens for its subject and
//! its content. Speakers are resolved afterwards, in text order, so that subject-less cues
//! ("وأضاف أن …") can take the previous speaker and descriptions ("الرجل", "الأمين العام")
//! can be linked to the name the article gives elsewhere.
//!
//! The stages, one module each, in pipeline order:
//!
//! 1. [`context`]: the per-document [`Ctx`](context::Ctx): tokens by sentence, the kept
//!    quotation marks, each token's cue class, the clause breaks, and the lazily built word
//!    index and memos the later stages share.
//! 2. [`cues`]: cue detection. Each reporting verb, participle, nominal attribution
//!    (بحسب، وفقا ل), transmission verb (نقل عن), "جاء في", elided wire lead and headline
//!    colon yields a [`Raw`] quotation: its content and where its speaker comes from.
//! 3. [`spans`]: the content of a cue: quoted spans, a colon or a complementizer (أن، إن)
//!    up to the clause end; then overlapping quotations are trimmed or dropped.
//! 4. [`candidates`]: the speaker phrase of a cue: the subject noun phrase after it, one
//!    placed before it, the sentence subject, or a name earlier in the sentence.
//! 5. [`resolution`]: each candidate becomes a speaker in text order: the fullest form of
//!    the name the article gives, a title or body linked to its name, else the previous
//!    speaker.
//! 6. [`ranking`]: after the chains are linked ([`crate::link_speakers`]), a trained
//!    log-linear model chooses each speaker among the rules' choice and the other persons and
//!    bodies on offer (the previous speaker, the nearest named in the sentence, the main
//!    participant).

mod candidates;
mod context;
mod cues;
pub(crate) mod ranking;
mod resolution;
mod spans;

use crate::lex::CueClass;
use context::{Ctx, Scratch};
use khabar_analysis::{Document, Quote, QuoteKind};
use khabar_text::TokenKind;

/// Where a quotation's speaker comes from, before resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    /// A subject noun phrase: token range.
    Np(usize, usize),
    /// Sentence-initial cue without a subject (وأضاف أن): the previous speaker. Holds the cue token.
    Prev(usize),
    /// Cue inside a sentence without a subject (… وقال:): a name earlier in the sentence,
    /// else the sentence's subject. Holds the cue token.
    Mid(usize),
    /// Participle (…، مؤكدا أن): the sentence's subject, else a name before it.
    Participle(usize),
}

/// A quotation found at a cue, before its speaker is resolved (char spans, token source).
#[derive(Debug, Clone)]
struct Raw {
    kind: QuoteKind,
    class: CueClass,
    cue: (usize, usize),
    content: (usize, usize),
    src: Src,
    /// A nominal attribution whose content follows it (وبحسب المصدر، فإن …).
    fronted: bool,
}

impl Raw {
    /// A quotation whose content follows its cue (the usual order).
    fn new(
        kind: QuoteKind,
        class: CueClass,
        cue: (usize, usize),
        content: (usize, usize),
        src: Src,
    ) -> Raw {
        Raw {
            kind,
            class,
            cue,
            content,
            src,
            fronted: false,
        }
    }
}

/// Normalizes free text the way token norms are (for comparing speaker names).
///
/// ```
/// assert_eq!(khabar_extract::norm_text("أحمد  إبراهيم"), "احمد ابراهيم");
/// ```
pub fn norm_text(s: &str) -> String {
    s.split_whitespace()
        .map(khabar_text::normalize_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Extracts the quotations of a document.
pub fn extract(doc: &Document) -> Vec<Quote> {
    if doc.tokens.is_empty() {
        return Vec::new();
    }
    let cx = Ctx::new(doc, Scratch::take());
    let out = extract_with(&cx);
    cx.recycle();
    out
}

/// The pipeline: cues (each finding its content and subject), overlaps, speakers.
fn extract_with(cx: &Ctx<'_>) -> Vec<Quote> {
    let doc = cx.doc;
    let mut raw: Vec<Raw> = Vec::new();
    cx.headline(&mut raw);
    cx.elided_lead(&mut raw);
    let title_end = doc.title.chars().count();
    for &i in &cx.candidates {
        let i = i as usize;
        let t = &cx.toks[i];
        if t.kind != TokenKind::Word || cx.in_quote(i).is_some() {
            continue;
        }
        // The title's own cue is not searched when the headline quote was found.
        if t.end <= title_end && raw.first().is_some_and(|q| q.cue.0 < title_end) {
            continue;
        }
        let w = t.norm.as_str();
        if matches!(w, "جاء" | "وجاء") {
            cx.came_in_cue(i, &mut raw);
            continue;
        }
        let Some(class) = cx.cue_at(i) else { continue };
        match class {
            CueClass::Verb => cx.verb_cue(i, &mut raw),
            CueClass::Participle => cx.participle_cue(i, &mut raw),
            CueClass::Nominal => cx.nominal_cue(i, &mut raw),
            CueClass::Transmit => cx.transmit_cue(i, &mut raw),
        }
    }
    raw.sort_by_key(|q| q.cue.0);
    let raw = spans::resolve_overlaps(cx, raw);
    let mut quotes = resolution::build(cx, raw);
    // Last guard: quotations never overlap (a nested or crossing one that the rules above let
    // through is dropped; the one whose cue comes first stays).
    // Kept spans by start, disjoint: a new span is free when the kept span starting before
    // its end ends before its start (a log-time check, the layer stays linear).
    let mut kept: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    quotes.retain(|q| {
        let (s, e) = (q.content.start, q.content.end);
        let free = kept.range(..e).next_back().is_none_or(|(_, &b)| b <= s);
        if free {
            kept.insert(s, e);
        }
        free
    });
    quotes
}

/// A document of `body` alone (no headline), for the stage tests.
#[cfg(test)]
pub(crate) fn test_doc(body: &str) -> Document {
    Document::from_text("t", body)
}

/// The first token whose normalized word is `w`.
#[cfg(test)]
fn tok(cx: &Ctx<'_>, w: &str) -> usize {
    cx.toks
        .iter()
        .position(|t| t.norm == w)
        .unwrap_or_else(|| panic!("no token {w}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_takes_previous_speaker() {
        let doc = test_doc(
            "وقال وزير المالية خالد السالم إن العجز انخفض. وأضاف أن الإنفاق سيرتفع العام المقبل.",
        );
        let q = extract(&doc);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].speaker.text, "خالد السالم");
        assert_eq!(q[1].speaker.text, "خالد السالم");
        // The speaker is inherited, not mentioned at the second cue.
        assert!(q[1].speaker.mention.is_none());
    }

    #[test]
    fn empty_document_has_no_quotes() {
        assert!(extract(&test_doc("")).is_empty());
    }
}
