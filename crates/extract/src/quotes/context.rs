//! Stage 1: the per-document context. Sentences by token, the quotation marks kept (see
//! `spans::quote_spans`), each token's cue class, the clause breaks, and the word index and
//! memos that make the name and title look-ups linear over a document.

use super::cues::may_be_cue;
use super::spans::{quote_spans, QSpan};
use crate::lex::{self, CueClass, Lex};
use khabar_analysis::Document;
use khabar_text::{SegmentKind, Token, TokenKind};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// One document's tokens, sentences, quotation marks and cue classes, and the memos the
/// later stages share.
pub(super) struct Ctx<'a> {
    pub(super) doc: &'a Document,
    pub(super) toks: &'a [Token],
    pub(super) lex: &'static Lex,
    /// Sentence index of each token.
    pub(super) tok_sent: Vec<u32>,
    /// Token range of each sentence.
    pub(super) sent_toks: Vec<(usize, usize)>,
    pub(super) spans: Vec<QSpan>,
    /// Token range strictly inside each kept quoted span (sorted, disjoint).
    inner: Vec<(u32, u32)>,
    /// (token, span) of the opening marks, sorted.
    open_toks: Vec<(u32, u32)>,
    /// (token, span) of the closing marks, sorted.
    close_toks: Vec<(u32, u32)>,
    /// The cue class of each token (looked up once).
    cues: Vec<Option<CueClass>>,
    /// Tokens that may start a quotation (cues and جاء), in order.
    pub(super) candidates: Vec<u32>,
    /// Byte length of each token's normalized word and its number of segments, side by side
    /// so that whole-document scans (names, titles) read 2 bytes per token, not the token.
    pub(super) shape: Vec<(u8, u8)>,
    /// `longest_name` results by the name's last word, length and first word.
    pub(super) name_memo: RefCell<NameMemo<'a>>,
    /// `title_name` results by the description's first and last word.
    pub(super) title_memo: RefCell<TitleMemo<'a>>,
    /// For each token, the index of the next clause break at or after it (`u32::MAX`: none).
    pub(super) clause_breaks: Vec<u32>,
    /// `expand_definite` results by the indefinite word.
    pub(super) definite_memo: RefCell<FxHashMap<String, Option<(usize, CharSpan)>>>,
    /// Token positions by word (as written, after و/ف, and as a stem), built when first needed.
    word_index: std::cell::OnceCell<FxHashMap<&'a str, Vec<u32>>>,
    /// (label, word) → the first of the longest entities holding the word (`longest_entity`).
    pub(super) entity_words: std::cell::OnceCell<EntityWords<'a>>,
    /// The PER and ORG entities sorted by start, with the running maximum of their ends
    /// (`entity_at`), built when first needed.
    entity_order: std::cell::OnceCell<(Vec<u32>, Vec<usize>)>,
}

/// A char span (start, end).
pub(super) type CharSpan = (usize, usize);
/// (label, word) → (length in chars, entity index).
pub(super) type EntityWords<'a> = FxHashMap<(&'a str, String), (usize, usize)>;
type NameMemo<'a> = FxHashMap<(&'a str, usize, &'a str), (usize, usize)>;
type TitleMemo<'a> = FxHashMap<(&'a str, &'a str), Option<(usize, usize)>>;

/// A word in Arabic or Latin script (not a number or punctuation).
pub(super) fn is_word(t: &Token) -> bool {
    matches!(t.kind, TokenKind::Word | TokenKind::Latin)
}

/// The first segment, when the segmenter split off a proclitic (و، ب، ل، لل …).
pub(super) fn first_proclitic(t: &Token) -> Option<&str> {
    t.segments
        .first()
        .filter(|s| s.kind == SegmentKind::Proclitic)
        .map(|s| s.text.as_str())
}

/// A word with ل/لل whose stem is an audience or medium ("للصحفيين"، "لوكالة").
pub(super) fn to_audience(t: &Token) -> bool {
    matches!(first_proclitic(t), Some("ل") | Some("لل"))
        && crate::lex::is_audience(t.stem_segment().text.as_str())
}

/// The span of the mark at token `k` in a sorted (token, span) list.
fn mark_at(marks: &[(u32, u32)], k: usize) -> Option<u32> {
    let k = k as u32;
    let j = marks.partition_point(|&(t, _)| t < k);
    marks.get(j).filter(|&&(t, _)| t == k).map(|&(_, s)| s)
}

/// Per-token buffers, reused from one document to the next on the same thread to avoid
/// several allocations of the document's size per article.
#[derive(Default)]
pub(super) struct Scratch {
    tok_sent: Vec<u32>,
    sent_toks: Vec<(usize, usize)>,
    cues: Vec<Option<CueClass>>,
    candidates: Vec<u32>,
    shape: Vec<(u8, u8)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Scratch {
    /// This thread's buffers, left by the previous document (empty at first).
    pub(super) fn take() -> Scratch {
        SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }
}

/// Longest parenthesized quotation, in chars (as for quote marks).
const MAX_PAREN_CHARS: usize = 3000;
/// Tokens looked back from a colon for its reporting verb (the verb and its subject).
const MAX_SUBJECT_TOKENS: usize = 8;

/// Words between a cue and its parenthesized quotation: the colon and the praise formulas
/// that follow God's name ("فقال تعالى (…)"، "قال سبحانه (…)").
fn between_cue_and_paren(norm: &str) -> bool {
    matches!(norm, ":" | "تعالي" | "سبحانه" | "عزوجل")
}

/// Adds to the quoted spans the parentheses that quote: Arabic press often quotes in round
/// brackets ("وقال: (…)", scripture and sayings above all). Only a bracket right after a
/// reporting verb (across a praise formula) or after the colon of its clause opens one, so
/// that "(تويتر)" or "(33 عاما)" stay asides; it closes at the next ")" of the paragraph,
/// nested pairs skipped, and holds two words at least (one after a colon). Spans keep text order and never overlap.
fn with_parenthesized(doc: &Document, cues: &[Option<CueClass>], spans: Vec<QSpan>) -> Vec<QSpan> {
    let toks = &doc.tokens;
    // Each "(" with its ")" in the same paragraph, pairs nested, in one pass (a search from
    // every bracket would be quadratic in a paragraph of unclosed ones).
    let mut closing: FxHashMap<usize, usize> = FxHashMap::default();
    let mut open: Vec<usize> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if !open.is_empty() && k > 0 && doc.slice(toks[k - 1].end, t.start).contains('\n') {
            open.clear();
        }
        match t.norm.as_str() {
            "(" => open.push(k),
            ")" => {
                if let Some(o) = open.pop() {
                    closing.insert(o, k);
                }
            }
            _ => {}
        }
    }
    if closing.is_empty() {
        return spans;
    }
    let mut parens: Vec<QSpan> = Vec::new();
    let mut resume = 0;
    for p in 0..toks.len() {
        if p < resume || toks[p].norm != "(" {
            continue;
        }
        let mut c = p;
        while c > 0 && p - c < 3 && between_cue_and_paren(&toks[c - 1].norm) {
            c -= 1;
        }
        let verb = |i: usize| cues[i] == Some(CueClass::Verb);
        // Right after the verb, or after a colon that closes its clause ("وقال المدرب: (",
        // "وقال الله تعالى: (").
        let colon = (c..p).find(|&i| toks[i].norm == ":");
        let cued = (c > 0 && verb(c - 1))
            || colon.is_some_and(|k| {
                (k.saturating_sub(MAX_SUBJECT_TOKENS)..k)
                    .rev()
                    .take_while(|&i| !matches!(toks[i].norm.as_str(), "." | "!" | "?" | "؟"))
                    .any(verb)
            });
        if !cued {
            continue;
        }
        let Some(q) = closing.get(&p).copied() else {
            continue;
        };
        if toks[q].start - toks[p].start > MAX_PAREN_CHARS {
            continue;
        }
        let words = toks[p + 1..q]
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .count();
        // After a colon a single word quotes too ("فقالت: (مستحيل)").
        if words >= 2 || (colon.is_some() && words == 1) {
            parens.push(QSpan {
                open: toks[p].start,
                close: toks[q].start,
            });
            resume = q + 1;
        }
    }
    if parens.is_empty() {
        return spans;
    }
    // Merge by position; a bracket inside (or across) a quote mark span is dropped.
    let mut all: Vec<(QSpan, bool)> = spans
        .into_iter()
        .map(|s| (s, false))
        .chain(parens.into_iter().map(|s| (s, true)))
        .collect();
    all.sort_by_key(|(s, paren)| (s.open, *paren));
    let mut out: Vec<QSpan> = Vec::with_capacity(all.len());
    for (s, paren) in all {
        if let Some(last) = out.last() {
            if s.open <= last.close {
                if paren {
                    continue;
                }
                // A mark pair that starts inside a kept bracket: keep the marks instead.
                out.pop();
            }
        }
        out.push(s);
    }
    out
}

impl<'a> Ctx<'a> {
    pub(super) fn new(doc: &'a Document, scratch: Scratch) -> Ctx<'a> {
        let toks = &doc.tokens[..];
        let Scratch {
            mut tok_sent,
            mut sent_toks,
            mut cues,
            mut candidates,
            mut shape,
        } = scratch;
        tok_sent.clear();
        tok_sent.resize(toks.len(), u32::MAX);
        sent_toks.clear();
        cues.clear();
        candidates.clear();
        shape.clear();
        let mut ti = 0;
        for (si, s) in doc.sentences.iter().enumerate() {
            while ti < toks.len() && toks[ti].start < s.start {
                ti += 1;
            }
            let a = ti;
            while ti < toks.len() && toks[ti].start < s.end {
                tok_sent[ti] = si as u32;
                ti += 1;
            }
            sent_toks.push((a, ti));
        }
        let spans = quote_spans(&doc.text);
        // Cue classes, and the tokens worth looking at (cues and جاء), in one pass.
        let lex_ = Lex::get();
        cues.extend(toks.iter().enumerate().map(|(k, t)| {
            shape.push((t.norm.len().min(255) as u8, t.segments.len().min(255) as u8));
            let c = if may_be_cue(t) {
                lex_.cue(&t.norm)
            } else {
                None
            };
            if c.is_some()
                || (t.kind == TokenKind::Word && matches!(t.norm.as_str(), "جاء" | "وجاء"))
            {
                candidates.push(k as u32);
            }
            c
        }));
        let mut cx = Ctx {
            doc,
            toks,
            lex: Lex::get(),
            tok_sent,
            sent_toks,
            spans: Vec::new(),
            inner: Vec::new(),
            open_toks: Vec::new(),
            close_toks: Vec::new(),
            cues,
            candidates,
            shape,
            name_memo: RefCell::new(FxHashMap::default()),
            title_memo: RefCell::new(FxHashMap::default()),
            clause_breaks: Vec::new(),
            definite_memo: RefCell::new(FxHashMap::default()),
            word_index: std::cell::OnceCell::new(),
            entity_words: std::cell::OnceCell::new(),
            entity_order: std::cell::OnceCell::new(),
        };
        let spans = with_parenthesized(doc, &cx.cues, spans);
        let mut kept = Vec::with_capacity(spans.len());
        let mut k = 0;
        for s in spans {
            while k < toks.len() && toks[k].start < s.open {
                k += 1;
            }
            let first = k;
            let last = toks.partition_point(|t| t.start < s.close);
            // A straight-quote pair that swallows a new reporting sentence is mismatched.
            let straight = doc.slice(s.open, s.open + 1) == "\"";
            if straight
                && (first..last).any(|j| {
                    cx.norm(j) == "."
                        && lex::strip_conj(cx.norm(j + 1)).is_some_and(|w| cx.lex.cue(w).is_some())
                })
            {
                continue;
            }
            let si = kept.len() as u32;
            if k < toks.len() && toks[k].start == s.open {
                cx.open_toks.push((k as u32, si));
                k += 1;
            }
            let a = k;
            while k < toks.len() && toks[k].start < s.close {
                k += 1;
            }
            cx.inner.push((a as u32, k as u32));
            if k < toks.len() && toks[k].start == s.close {
                cx.close_toks.push((k as u32, si));
            }
            kept.push(s);
        }
        cx.spans = kept;
        // The next clause break at or after each token, computed once: looking for it from
        // every cue made the layer quadratic in a long sentence full of cues.
        let mut breaks = vec![u32::MAX; toks.len() + 1];
        for k in (0..toks.len()).rev() {
            breaks[k] = if cx.is_clause_break(k) {
                k as u32
            } else {
                breaks[k + 1]
            };
        }
        cx.clause_breaks = breaks;
        cx
    }

    /// Hands the per-token buffers back to this thread for the next document.
    pub(super) fn recycle(self) {
        let Ctx {
            tok_sent,
            sent_toks,
            cues,
            candidates,
            shape,
            ..
        } = self;
        SCRATCH.with(|s| {
            *s.borrow_mut() = Scratch {
                tok_sent,
                sent_toks,
                cues,
                candidates,
                shape,
            }
        });
    }

    /// The quoted span strictly containing token `k`.
    pub(super) fn in_quote(&self, k: usize) -> Option<u32> {
        let k = k as u32;
        let j = self.inner.partition_point(|&(_, e)| e <= k);
        self.inner
            .get(j)
            .filter(|&&(a, _)| a <= k)
            .map(|_| j as u32)
    }

    /// The quoted span opened by token `k`.
    pub(super) fn opens(&self, k: usize) -> Option<u32> {
        mark_at(&self.open_toks, k)
    }

    /// The quoted span closed by token `k`.
    pub(super) fn closes(&self, k: usize) -> Option<u32> {
        mark_at(&self.close_toks, k)
    }

    pub(super) fn norm(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.norm.as_str())
    }

    /// The cue class of token `i`.
    pub(super) fn cue_at(&self, i: usize) -> Option<CueClass> {
        self.cues.get(i).copied().flatten()
    }

    pub(super) fn sent_end(&self, i: usize) -> usize {
        match self.tok_sent.get(i) {
            Some(&s) if s != u32::MAX => self.sent_toks[s as usize].1,
            _ => (i + 1).min(self.toks.len()),
        }
    }

    pub(super) fn sent_start(&self, i: usize) -> usize {
        match self.tok_sent.get(i) {
            Some(&s) if s != u32::MAX => self.sent_toks[s as usize].0,
            _ => i,
        }
    }

    pub(super) fn is_punct(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == TokenKind::Punct)
    }

    /// "علي" spelled with ya in the original (the name Ali), not the preposition "على".
    pub(super) fn is_ali(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.norm == "علي" && self.doc.slice(t.start, t.end).ends_with('ي'))
    }

    /// Index of a PER or ORG entity overlapping chars `a..b` (PER preferred).
    pub(super) fn entity_at(&self, a: usize, b: usize) -> Option<usize> {
        // Only the entities that can overlap [a, b) are looked at: a scan of the whole list
        // per phrase made the layer quadratic in a long text with many entities.
        let ents = &self.doc.entities;
        let (order, max_end) = self.entity_order.get_or_init(|| {
            let mut order: Vec<u32> = (0..ents.len() as u32)
                .filter(|&i| matches!(ents[i as usize].label.as_str(), "PER" | "ORG"))
                .collect();
            order.sort_by_key(|&i| ents[i as usize].start);
            let mut m = 0;
            let max_end = order
                .iter()
                .map(|&i| {
                    m = m.max(ents[i as usize].end);
                    m
                })
                .collect();
            (order, max_end)
        });
        let hi = order.partition_point(|&i| ents[i as usize].start < b);
        // The first PER in list order, else the first ORG (as a scan of the list would find).
        let mut best: Option<(bool, usize)> = None;
        for k in (0..hi).rev() {
            if max_end[k] <= a {
                break;
            }
            let i = order[k] as usize;
            if ents[i].end > a {
                let key = (ents[i].label != "PER", i);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// Token positions by word — as written, after و/ف, and as a stem — in text order, built
    /// when first needed.
    pub(super) fn word_index(&self) -> &FxHashMap<&'a str, Vec<u32>> {
        self.word_index.get_or_init(|| {
            let mut m: FxHashMap<&'a str, Vec<u32>> = FxHashMap::default();
            for (p, t) in self.toks.iter().enumerate() {
                let keys = [
                    Some(t.norm.as_str()),
                    lex::strip_conj(&t.norm),
                    Some(t.stem_segment().text.as_str()),
                ];
                for (n, k) in keys.iter().enumerate() {
                    if let Some(k) = k {
                        if !keys[..n].contains(&Some(k)) {
                            m.entry(k).or_default().push(p as u32);
                        }
                    }
                }
            }
            m
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{test_doc, tok};
    use super::*;

    #[test]
    fn entity_at_finds_what_a_scan_of_the_list_finds() {
        // Entities out of order, overlapping and nested, of three labels.
        let mut doc = test_doc("وقال الوزير إن العجز انخفض كثيرا في هذا العام الذي مضى.");
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        for _ in 0..40 {
            let start = next(50) as usize;
            let end = start + 1 + next(8) as usize;
            let label = ["PER", "ORG", "LOC"][next(3) as usize];
            doc.entities.push(khabar_analysis::Entity {
                text: String::new(),
                label: label.to_string(),
                start,
                end,
            });
        }
        let scan = |a: usize, b: usize| {
            let mut best = None;
            for (i, e) in doc.entities.iter().enumerate() {
                if e.start < b && a < e.end && (e.label == "PER" || e.label == "ORG") {
                    if e.label == "PER" {
                        return Some(i);
                    }
                    best.get_or_insert(i);
                }
            }
            best
        };
        let cx = Ctx::new(&doc, Scratch::default());
        for a in 0..60 {
            for b in a + 1..62 {
                assert_eq!(cx.entity_at(a, b), scan(a, b), "{a}..{b}");
            }
        }
    }

    #[test]
    fn marks_quotes_cues_and_sentences() {
        let doc = test_doc("وقال الوزير: «العجز انخفض كثيرا هذا العام». وانتهى الاجتماع.");
        let cx = Ctx::new(&doc, Scratch::default());
        let cue = tok(&cx, "وقال");
        assert_eq!(cx.cue_at(cue), Some(CueClass::Verb));
        assert!(cx.candidates.contains(&(cue as u32)));
        let open = cx.toks.iter().position(|t| t.norm == "«").unwrap();
        assert_eq!(cx.opens(open), Some(0));
        assert_eq!(cx.in_quote(open), None);
        assert_eq!(cx.in_quote(tok(&cx, "العجز")), Some(0));
        assert_eq!(cx.closes(tok(&cx, "»")), Some(0));
        // The second sentence starts after the first one's end.
        let next = tok(&cx, "وانتهي");
        assert_eq!(cx.sent_start(next), cx.sent_end(cue));
    }

    #[test]
    fn recycled_buffers_are_cleared() {
        let long = test_doc("وقال الوزير إن العجز انخفض كثيرا. وأضاف أن الإنفاق سيرتفع.");
        Ctx::new(&long, Scratch::take()).recycle();
        let short = test_doc("قال الوزير إن العجز انخفض.");
        let cx = Ctx::new(&short, Scratch::take());
        assert_eq!(cx.tok_sent.len(), short.tokens.len());
        assert_eq!(cx.candidates, vec![0]);
    }

    #[test]
    fn brackets_after_a_cue_quote_and_asides_do_not() {
        let doc = test_doc(
            "وقال المدرب: (نحن جاهزون للمباراة المقبلة) ثم غادر. وقال الحارس (تويتر) إن الفريق بخير.",
        );
        let q = crate::extract_quotes(&doc);
        assert_eq!(q[0].kind, khabar_analysis::QuoteKind::Direct);
        assert_eq!(q[0].content.text, "نحن جاهزون للمباراة المقبلة");
        // The aside after the second cue is no quotation: the content is the clause after إن.
        assert!(q.iter().all(|x| x.content.text != "تويتر"));
        assert!(q.iter().any(|x| x.content.text.starts_with("الفريق بخير")));
    }

    #[test]
    fn scripture_in_brackets_after_a_praise_formula() {
        let doc =
            test_doc("وذكّر الخطيب بقوله تعالى، فقال سبحانه (وتعاونوا على البر والتقوى) في خطبته.");
        let q = crate::extract_quotes(&doc);
        assert!(
            q.iter()
                .any(|x| x.content.text == "وتعاونوا على البر والتقوى"),
            "{q:?}"
        );
    }
}
