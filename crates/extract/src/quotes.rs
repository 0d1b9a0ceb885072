//! Quotation extraction on the token stream: cues, contents and speakers.
//!
//! The pass is linear in the number of tokens: every token is looked up once in the cue
//! table; a cue then looks ahead (or back) a bounded number of tokens for its subject and
//! its content. Speakers are resolved afterwards, in text order, so that subject-less cues
//! ("وأضاف أن …") can take the previous speaker and descriptions ("الرجل", "الأمين العام")
//! can be linked to the name the article gives elsewhere.

use crate::lex::{self, CueClass, Lex};
use khabar_analysis::{name_start, Document, Quote, QuoteKind, Speaker};
use khabar_text::{SegmentKind, Token, TokenKind};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// A quoted stretch of text: char offsets of the opening and closing marks.
#[derive(Debug, Clone, Copy)]
struct QSpan {
    open: usize,
    close: usize,
}

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

/// A subject phrase: its mention and where a personal/organisation name is in it.
#[derive(Debug, Clone)]
struct NpInfo {
    mention: (usize, usize),
    /// Token range of the name inside the phrase, if any.
    name: Option<(usize, usize)>,
    /// Token range of the phrase.
    toks: (usize, usize),
}

pub(crate) struct Ctx<'a> {
    doc: &'a Document,
    toks: &'a [Token],
    lex: &'static Lex,
    /// Sentence index of each token.
    tok_sent: Vec<u32>,
    /// Token range of each sentence.
    sent_toks: Vec<(usize, usize)>,
    spans: Vec<QSpan>,
    /// Token range strictly inside each kept quoted span (sorted, disjoint).
    inner: Vec<(u32, u32)>,
    /// (token, span) of the opening marks, sorted.
    open_toks: Vec<(u32, u32)>,
    /// (token, span) of the closing marks, sorted.
    close_toks: Vec<(u32, u32)>,
    /// The cue class of each token (looked up once).
    cues: Vec<Option<CueClass>>,
    /// Tokens that may start a quotation (cues and جاء), in order.
    candidates: Vec<u32>,
    /// Byte length of each token's normalized word and its number of segments, side by side
    /// so that whole-document scans (names, titles) read 2 bytes per token, not the token.
    shape: Vec<(u8, u8)>,
    /// `longest_name` results by the name's last word, length and first word.
    name_memo: RefCell<NameMemo<'a>>,
    /// `title_name` results by the description's first and last word.
    title_memo: RefCell<TitleMemo<'a>>,
    /// For each token, the index of the next clause break at or after it (`u32::MAX`: none).
    clause_breaks: Vec<u32>,
    /// `expand_definite` results by the indefinite word.
    definite_memo: RefCell<FxHashMap<String, Option<(usize, CharSpan)>>>,
    /// Token positions by word (as written, after و/ف, and as a stem), built when first needed.
    word_index: std::cell::OnceCell<FxHashMap<&'a str, Vec<u32>>>,
    /// (label, word) → the first of the longest entities holding the word (`longest_entity`).
    entity_words: std::cell::OnceCell<EntityWords<'a>>,
}

/// A char span (start, end).
type CharSpan = (usize, usize);
/// (label, word) → (length in chars, entity index).
type EntityWords<'a> = FxHashMap<(&'a str, String), (usize, usize)>;
type NameMemo<'a> = FxHashMap<(&'a str, usize, &'a str), (usize, usize)>;
type TitleMemo<'a> = FxHashMap<(&'a str, &'a str), Option<(usize, usize)>>;

/// Cheap test before the cue table: no cue carries the article or a pronoun suffix.
fn may_be_cue(t: &Token) -> bool {
    t.kind == TokenKind::Word
        && (6..=20).contains(&t.norm.len())
        && !t.norm.starts_with("ال")
        && !t.norm.starts_with("وال")
        && !t.norm.starts_with("لل")
        && !t.norm.starts_with("بال")
        && t.segments
            .last()
            .is_none_or(|s| s.kind != SegmentKind::Enclitic)
}

/// Finds quoted spans, pairing marks within a paragraph. A straight quote `"` preceded by a
/// space and followed by a letter opens a nested quotation rather than closing one.
///
/// One pass over the bytes collects the marks and line breaks with their char offsets; the
/// pairing then works on that short list.
fn quote_spans(text: &str) -> Vec<QSpan> {
    // (char offset, mark or '\n', opens a nested straight quote). Candidates are found with
    // memchr (the lead bytes of « » “ ” „ are rare in Arabic text); char offsets come from
    // counting UTF-8 lead bytes between them.
    let bytes = text.as_bytes();
    let mut cands: Vec<usize> = memchr::memchr3_iter(b'"', 0xC2, 0xE2, bytes).collect();
    let nl: Vec<usize> = memchr::memchr_iter(b'\n', bytes).collect();
    if cands.is_empty() {
        return Vec::new();
    }
    cands.extend(nl);
    cands.sort_unstable();
    let mut marks: Vec<(usize, char, bool)> = Vec::new();
    let (mut ci, mut at) = (0usize, 0usize);
    for &i in &cands {
        let c = match bytes[i] {
            b'"' => '"',
            b'\n' => '\n',
            0xC2 if bytes.get(i + 1) == Some(&0xAB) => '«',
            0xC2 if bytes.get(i + 1) == Some(&0xBB) => '»',
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0x9C..=0x9E)) =>
            {
                ['“', '”', '„'][(bytes[i + 2] - 0x9C) as usize]
            }
            _ => continue,
        };
        ci += bytes[at..i].iter().filter(|&&b| (b as i8) >= -0x40).count();
        at = i;
        let prev_space = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let next_alpha = text[i + c.len_utf8()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        marks.push((ci, c, c == '"' && prev_space && next_alpha));
    }
    let mut out = Vec::new();
    let mut m = 0;
    while m < marks.len() {
        let (open, c, _) = marks[m];
        if c == '\n' {
            m += 1;
            continue;
        }
        // Reversed marks (»…«, ”…“) come from bidi-confused sources.
        let closers: &[char] = match c {
            '«' => &['»'],
            '»' => &['«'],
            '“' => &['”', '“'],
            '”' => &['“', '”'],
            '„' => &['“', '”'],
            _ => &['"'],
        };
        let straight = c == '"';
        let mut depth = 0;
        let mut found = None;
        let mut k = m + 1;
        while k < marks.len() && marks[k].0 - open < 3000 {
            let (pos, d, nested_open) = marks[k];
            if d == '\n' {
                break;
            }
            if closers.contains(&d) {
                if straight && pos > open + 1 && nested_open {
                    depth += 1;
                } else if depth > 0 {
                    depth -= 1;
                } else {
                    found = Some(k);
                    break;
                }
            }
            k += 1;
        }
        match found {
            Some(k) if marks[k].0 > open + 1 => {
                out.push(QSpan {
                    open,
                    close: marks[k].0,
                });
                m = k + 1;
            }
            Some(k) => m = k + 1,
            None => m += 1,
        }
    }
    out
}

/// Words after which a name continues with ال (عبد الله، أبو العباس، سيف الدين).
fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "عبد"
            | "ابو"
            | "ابي"
            | "ابا"
            | "بن"
            | "ابن"
            | "ام"
            | "بنت"
            | "ذو"
            | "ذي"
            | "سيف"
            | "نور"
            | "صلاح"
            | "شمس"
            | "بدر"
            | "عز"
            | "سعد"
            | "جمال"
            | "محيي"
            | "نصر"
            | "زين"
            | "عماد"
            | "علاء"
            | "حسام"
            | "بهاء"
            | "ضياء"
            | "نجم"
            | "شهاب"
            | "تاج"
            | "فخر"
            | "عصام"
            | "كمال"
            | "ال"
    )
}

/// Definite by spelling (the segmenter leaves ال on words it does not know).
fn is_def(w: &str) -> bool {
    w.starts_with("ال") && w.len() >= 8
}

/// Spelled with a preposition or conjunction plus the article: للفروسية، بالجامعة، والوزير.
fn has_prefixed_article(w: &str) -> bool {
    ["لل", "بال", "وال", "فال", "كال"]
        .iter()
        .any(|p| w.starts_with(p))
        && w.len() >= 10
}

fn is_word(t: &Token) -> bool {
    matches!(t.kind, TokenKind::Word | TokenKind::Latin)
}

fn first_proclitic(t: &Token) -> Option<&str> {
    t.segments
        .first()
        .filter(|s| s.kind == SegmentKind::Proclitic)
        .map(|s| s.text.as_str())
}

fn mark_at(marks: &[(u32, u32)], k: usize) -> Option<u32> {
    let k = k as u32;
    let j = marks.partition_point(|&(t, _)| t < k);
    marks.get(j).filter(|&&(t, _)| t == k).map(|&(_, s)| s)
}

/// Where a name written in `t` begins: after و/ب/ل, but not after a ف/ك/س the segmenter
/// wrongly split off (فادي، كريم، سالم).
fn name_begin(t: &Token) -> usize {
    match first_proclitic(t) {
        Some("ف") | Some("ك") | Some("س") => t.start,
        _ => name_start(t),
    }
}

fn has_enclitic(t: &Token) -> bool {
    t.segments.iter().any(|s| s.kind == SegmentKind::Enclitic)
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

impl<'a> Ctx<'a> {
    fn new(doc: &'a Document, scratch: Scratch) -> Ctx<'a> {
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
        };
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

    /// The quoted span strictly containing token `k`.
    fn in_quote(&self, k: usize) -> Option<u32> {
        let k = k as u32;
        let j = self.inner.partition_point(|&(_, e)| e <= k);
        self.inner
            .get(j)
            .filter(|&&(a, _)| a <= k)
            .map(|_| j as u32)
    }

    /// The quoted span opened by token `k`.
    fn opens(&self, k: usize) -> Option<u32> {
        mark_at(&self.open_toks, k)
    }

    /// The quoted span closed by token `k`.
    fn closes(&self, k: usize) -> Option<u32> {
        mark_at(&self.close_toks, k)
    }

    fn norm(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.norm.as_str())
    }

    /// The cue class of token `i`.
    fn cue_at(&self, i: usize) -> Option<CueClass> {
        self.cues.get(i).copied().flatten()
    }

    fn sent_end(&self, i: usize) -> usize {
        match self.tok_sent.get(i) {
            Some(&s) if s != u32::MAX => self.sent_toks[s as usize].1,
            _ => (i + 1).min(self.toks.len()),
        }
    }

    fn sent_start(&self, i: usize) -> usize {
        match self.tok_sent.get(i) {
            Some(&s) if s != u32::MAX => self.sent_toks[s as usize].0,
            _ => i,
        }
    }

    fn is_punct(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == TokenKind::Punct)
    }

    /// "علي" spelled with ya in the original (the name Ali), not the preposition "على".
    fn is_ali(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.norm == "علي" && self.doc.slice(t.start, t.end).ends_with('ي'))
    }

    /// A word that can be part of a personal name.
    fn name_like(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if self.is_ali(i) {
            return true;
        }
        if t.kind == TokenKind::Latin {
            return true;
        }
        if t.kind != TokenKind::Word {
            return false;
        }
        let w = t.norm.as_str();
        let after_particle =
            i > 0 && is_name_particle(self.norm(i - 1)) && self.norm(i - 1) != "ال";
        // After بن / عبد / أبو any word is part of the name (بن مساعد، عبد الأحد).
        if after_particle
            && matches!(
                self.norm(i - 1),
                "بن" | "ابن" | "بنت" | "ابو" | "ابي" | "عبد" | "ام"
            )
            && !self.lex.is_np_stop(w)
            && !has_enclitic(t)
        {
            return true;
        }
        if after_particle && is_def(w) {
            return true;
        }
        if is_def(w) || w.starts_with("لل") || self.doc.slice(t.start, t.end).contains('\u{064B}')
        {
            return false;
        }
        if has_enclitic(t)
            || self.lex.is_np_stop(w)
            || self.lex.is_descriptive(w)
            || self.lex.is_generic_any(w)
            || self.lex.is_rank(w)
            || self.cue_at(i).is_some()
            || lex::is_complementizer(w)
            || crate::numbers::is_number_word(w)
            || w.len() < 4
        {
            return false;
        }
        // The segmenter splits some names (فادي → ف + ادي، كريم → ك + ريم، سالم → س + الم):
        // only و، ب and ل are trusted before a name.
        !matches!(
            first_proclitic(t),
            Some("و") | Some("ب") | Some("ل") | Some("لل") | Some("ال")
        )
    }

    /// A family name with the article that ends a name (الشربتلي، الجبير), not a common noun.
    fn name_tail(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        let w = t.norm.as_str();
        if t.kind != TokenKind::Word
            || !is_def(w)
            || has_enclitic(t)
            || self.lex.is_descriptive(w)
            || self.lex.is_np_stop(w)
            || self.lex.is_rank(w)
        {
            return false;
        }
        w.ends_with('ي') || !(w.ends_with('ة') || w.ends_with("ات") || w.ends_with("ون"))
    }

    /// A name run starting at `a` (name words, particles, a final family name with ال).
    fn name_run(&self, a: usize, lim: usize) -> usize {
        let mut e = a;
        while e < lim
            && (self.name_like(e)
                || (e > a && is_name_particle(self.norm(e)) && self.name_like(e + 1)))
        {
            e += 1;
        }
        if (e == a + 1 || e > a + 1 && is_name_particle(self.norm(e - 2)))
            && e < lim
            && self.name_tail(e)
        {
            e += 1;
        }
        e
    }

    /// The subject noun phrase starting at token `j` (exclusive limit `lim`).
    fn parse_np(&self, j: usize, lim: usize) -> Option<(usize, usize)> {
        let lex = self.lex;
        let mut k = j;
        let mut n = 0;
        while k < lim && n < 20 {
            let t = &self.toks[k];
            // A short quoted name inside the phrase: الناطق باسم الكتائب «أبو عبيدة».
            if let Some(s) = self.opens(k) {
                let s = self.spans[s as usize];
                let inner = self.token_count_between(s.open, s.close);
                let after = self.toks.partition_point(|t| t.start <= s.close);
                let continues = after < lim && !matches!(self.norm(after), "." | ":" | "؟" | "!");
                let later_content = (after..lim.min(after + 12))
                    .any(|x| lex::is_complementizer(self.norm(x)) || self.norm(x) == ":");
                let source_head =
                    n > 0 && (lex.is_org(self.norm(j)) || lex.is_source(self.norm(j)));
                if inner <= 4 && (continues && later_content || source_head) {
                    k = after;
                    n += inner;
                    continue;
                }
                break;
            }
            // د. فلان
            if t.norm == "د" && self.norm(k + 1) == "." && k + 2 < lim {
                k += 2;
                n += 1;
                continue;
            }
            if !is_word(t) || self.in_quote(k).is_some() {
                break;
            }
            let w = t.norm.as_str();
            if self.cue_at(k).is_some() || lex::is_complementizer(w) || (lex.is_event(w) && n > 0) {
                break;
            }
            if n > 0
                && (self.is_ali(k)
                    || matches!(first_proclitic(t), Some("ف") | Some("ك") | Some("س"))
                        && self.name_like(k))
            {
                k += 1;
                n += 1;
                continue;
            }
            if n > 0 && w.starts_with('ل') {
                let rest = w.trim_start_matches('ل');
                if lex::is_audience(rest) {
                    break;
                }
            }
            match w {
                "من" | "في" | "لدي" => {
                    let next = self.norm(k + 1);
                    let ok = n > 0
                        && k + 1 < lim
                        && is_word(&self.toks[k + 1])
                        && !lex.is_np_stop(next)
                        && !lex.is_event(next)
                        && !lex::is_complementizer(next)
                        && lex.cue(next).is_none();
                    if !ok {
                        break;
                    }
                }
                "باسم" if n > 0 => {}
                "بن" | "ابن" | "بنت" | "ابو" | "ابي" => {}
                _ if lex.is_np_stop(w) => break,
                _ => match first_proclitic(t) {
                    Some("ل") | Some("لل") => {
                        let stem = t.stem_segment().text.as_str();
                        if n == 0
                            || lex::is_audience(stem)
                            || self.toks[j..k].iter().any(|t| t.kind == TokenKind::Punct)
                        {
                            break;
                        }
                    }
                    Some("ب")
                        if n > 0
                            && w.starts_with("بال")
                            && w != "بالقول"
                            && (lex.is_title(self.norm(j)) || lex.is_rank(self.norm(j))) => {}
                    Some("ب") | Some("ك") | Some("س") => break,
                    Some("و") | Some("ف") => {
                        let rest = lex::strip_conj(w).unwrap_or(w);
                        if !(n > 0 && (lex.is_descriptive(rest) || rest.starts_with("ال"))) {
                            break;
                        }
                    }
                    _ => {
                        if (w.starts_with('و') || w.starts_with('ف')) && !lex.is_descriptive(w) {
                            // Unsplit و + verb (وسجلوه) ends the phrase; و + noun continues it.
                            if let Some(rest) = lex::strip_conj(w) {
                                if lex.is_descriptive(rest) || rest.starts_with("ال") {
                                    if n == 0 {
                                        break;
                                    }
                                } else if self.lex.cue(rest).is_some() {
                                    break;
                                }
                            }
                        }
                    }
                },
            }
            k += 1;
            n += 1;
        }
        while k > j
            && matches!(
                self.norm(k - 1),
                "من" | "في" | "باسم" | "بن" | "ابو" | "لدي"
            )
        {
            k -= 1;
        }
        (k > j).then_some((j, k))
    }

    /// The subject phrase, extended over a name in commas: "وزير المالية، لمياء الزريبي، إن".
    fn subject_np(&self, j: usize, lim: usize) -> Option<(usize, usize)> {
        let (a, mut b) = self.parse_np(j, lim)?;
        if matches!(self.norm(b), "،" | ",") && !self.np_has_name(a, b) {
            let e = self.name_run(b + 1, lim);
            let closes =
                matches!(self.norm(e), "،" | "," | ":") || lex::is_complementizer(self.norm(e));
            if e > b + 1 && closes {
                b = e;
            }
        }
        Some((a, b))
    }

    fn np_has_name(&self, a: usize, b: usize) -> bool {
        self.np_info(a, b).name.is_some()
    }

    /// Looks for reported content from token `from`: a colon, a quoted span or a complementizer.
    fn find_content(
        &self,
        from: usize,
        lim: usize,
        window: usize,
        any_quote: bool,
    ) -> Option<(QuoteKind, usize, usize)> {
        let end = lim.min(from + window);
        let cue_w = (0..from)
            .rev()
            .take(40)
            .find(|&k| self.cue_at(k).is_some())
            .map_or("", |k| self.norm(k));
        let cue_w = lex::strip_conj(cue_w)
            .filter(|r| self.lex.cue(r).is_some())
            .unwrap_or(cue_w);
        let takes_an = [
            "اعلن", "يعلن", "تعلن", "كشف", "يكشف", "تكشف", "اعرب", "يعرب", "تعرب",
        ]
        .iter()
        .any(|p| cue_w.starts_with(p));
        // Content that runs to the sentence end stops before "، مضيفا …" or ". وقال …".
        let lim = self.clause_limit(from, lim);
        let mut k = from;
        while k < end {
            let t = &self.toks[k];
            if let Some(s) = self.opens(k) {
                let s = self.spans[s as usize];
                let prev_ok = k == from || k > 0 && matches!(self.norm(k - 1), ":" | "،" | ",");
                let words = self.token_count_between(s.open, s.close);
                if (prev_ok && (words >= 3 || any_quote)) || words >= 4 {
                    return Some((QuoteKind::Direct, s.open + 1, s.close));
                }
                // A quoted name (لصحيفة «الحياة»): skip over it.
                while k < end && self.toks[k].start <= s.close {
                    k += 1;
                }
                continue;
            }
            if t.kind == TokenKind::Punct {
                match t.norm.as_str() {
                    ":" => {
                        let n = k + 1;
                        if n >= self.toks.len() {
                            return None;
                        }
                        if let Some(s) = self.opens(n) {
                            let s = self.spans[s as usize];
                            return Some((QuoteKind::Direct, s.open + 1, s.close));
                        }
                        let se = self.sent_end(k);
                        if n < se {
                            return Some((
                                QuoteKind::Direct,
                                self.toks[n].start,
                                self.content_end(se),
                            ));
                        }
                        return None;
                    }
                    "." | "!" | "؟" | "?" | "؛" | ";" | ".." | "..." => return None,
                    _ => {}
                }
                k += 1;
                continue;
            }
            let w = t.norm.as_str();
            if lex::is_complementizer(w) && !(k > 0 && lex::blocks_complementizer(self.norm(k - 1)))
            {
                let start = if matches!(w, "ان" | "بان" | "فان") && k + 1 < lim {
                    self.toks[k + 1].start
                } else {
                    t.start
                };
                return Some((QuoteKind::Indirect, start, self.content_end(lim)));
            }
            // "أعلن فلان عن …" takes a noun, not a clause.
            if w == "عن" && k == from && takes_an && !lex::is_complementizer(self.norm(k + 1)) {
                return None;
            }
            if self.cue_at(k).is_some() && k > from {
                return None;
            }
            k += 1;
        }
        None
    }

    /// The end of a reported clause: before a comma followed by a participle cue, or before a
    /// new sentence opened by و + cue that the sentence splitter missed.
    fn clause_limit(&self, from: usize, lim: usize) -> usize {
        match self.clause_breaks.get(from + 1) {
            Some(&k) if (k as usize) + 1 < lim => k as usize,
            _ => lim,
        }
    }

    /// Whether token `k` ends a reported clause (see `clause_limit`).
    fn is_clause_break(&self, k: usize) -> bool {
        let w = self.norm(k);
        if k + 1 >= self.toks.len()
            || !matches!(w, "،" | "," | "." | "؛")
            || self.in_quote(k).is_some()
        {
            return false;
        }
        let conj_verb = lex::strip_conj(self.norm(k + 1))
            .is_some_and(|r| self.lex.cues.get(r) == Some(&CueClass::Verb));
        self.cue_at(k + 1) == Some(CueClass::Participle) || (w != "،" && w != "," && conj_verb)
    }

    /// Tokens strictly between two quote marks at chars `a` and `b`.
    fn token_count_between(&self, a: usize, b: usize) -> usize {
        let i = self.toks.partition_point(|t| t.start <= a);
        let j = self.toks.partition_point(|t| t.start < b);
        j.saturating_sub(i)
    }

    /// End of content that runs to the end of a sentence (token limit `lim`): the last
    /// non-punctuation token, or a closing quote mark.
    fn content_end(&self, lim: usize) -> usize {
        let mut k = lim;
        while k > 0 {
            let t = &self.toks[k - 1];
            if t.kind != TokenKind::Punct || self.closes(k - 1).is_some() {
                return t.end;
            }
            k -= 1;
        }
        0
    }

    /// Content before a trailing cue: from the sentence start to the cue.
    fn content_before(&self, cue: usize) -> Option<(usize, usize)> {
        let ss = self.sent_start(cue);
        let mut e = cue;
        while e > ss
            && (self.is_punct(e - 1) && self.closes(e - 1).is_none()
                || matches!(
                    self.norm(e - 1),
                    "و" | "وذلك" | "ذلك" | "كما" | "وكما" | "على" | "علي" | "حد"
                ))
        {
            e -= 1;
        }
        let mut s = ss;
        while s < e && (self.is_punct(s) && self.opens(s).is_none()) {
            s += 1;
        }
        (e > s + 1).then(|| (self.toks[s].start, self.toks[e - 1].end))
    }

    /// A reference to the previous source: "المصدر ذاته"، "نفس المصدر"، "ذات البيان".
    fn is_back_reference(&self, a: usize, b: usize) -> bool {
        let self_word = |w: &str| matches!(w, "ذاته" | "نفسه" | "ذاتها" | "نفسها");
        matches!(self.norm(a), "ذات" | "نفس")
            || (b > a + 1 && self_word(self.norm(b - 1)))
            || self_word(self.norm(b))
    }

    /// The source of a subject-less cue.
    fn subjectless(&self, i: usize) -> Src {
        let mut ss = self.sent_start(i);
        if let Some(d) = (ss..i)
            .rev()
            .find(|&j| matches!(self.norm(j), "." | "؛" | ".."))
        {
            ss = d + 1;
        }
        let initial =
            (ss..i).all(|j| self.is_punct(j) || matches!(self.norm(j), "و" | "ف" | "كما" | "ثم"));
        if initial {
            Src::Prev(i)
        } else {
            Src::Mid(i)
        }
    }

    /// Subject placed before the verb: "وكان وزير النقل قد أعلن أن"، "أما فلان فقال".
    fn preposed_subject(&self, i: usize) -> Option<(usize, usize)> {
        let ss = self.sent_start(i);
        let mut e = i;
        if e > ss && self.norm(e - 1) == "قد" {
            e -= 1;
        }
        let lo = ss.max(i.saturating_sub(14));
        let w = self.norm(i);
        let fa = w.starts_with('ف') && !self.lex.cues.contains_key(w);
        for k in (lo..e).rev() {
            let m = self.norm(k);
            let kana = matches!(
                m,
                "كان" | "كانت" | "وكان" | "وكانت" | "فكان" | "فكانت" | "كانوا" | "وكانوا"
            );
            if kana || (fa && matches!(m, "اما" | "واما")) {
                let (a, b) = self.parse_np(k + 1, e)?;
                // The phrase must reach the verb (up to a comma).
                let mut b2 = b;
                while b2 < e && matches!(self.norm(b2), "،" | ",") {
                    b2 += 1;
                }
                return (b2 == e || fa && b > a).then_some((a, b));
            }
        }
        None
    }

    fn verb_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let w = self.norm(i);
        let bare = lex::strip_conj(w)
            .filter(|r| self.lex.cue(r).is_some())
            .unwrap_or(w);
        // Impersonal "it is mentioned that" (يذكر أن) is no quotation.
        if matches!(bare, "يذكر" | "يشار" | "يقال") && lex::is_complementizer(self.norm(i + 1))
        {
            return;
        }
        // بين is mostly "between": only a sentence-initial وبيّن is a cue.
        if bare == "بين" && !(w.starts_with('و') && self.subjectless(i) == Src::Prev(i)) {
            return;
        }
        let cue = (self.toks[i].start, self.toks[i].end);
        // "أوضح ذلك فلان" / "كما ذكر فلان": the content precedes the cue.
        let after_dhalik = self.norm(i + 1) == "ذلك";
        let np = self.subject_np(if after_dhalik { i + 2 } else { i + 1 }, lim);
        if let Some((a, b)) = np {
            if self.lex.is_non_speaker(self.norm(a)) {
                return;
            }
            // A prayer (ودعا المولى أن …) is no statement.
            if matches!(bare, "دعا" | "دعت" | "يدعو")
                && (a..b.min(a + 3)).any(|k| matches!(self.norm(k), "الله" | "المولي" | "ربه"))
            {
                return;
            }
        }
        let src = match np {
            Some((a, b)) if self.is_back_reference(a, b) => Src::Prev(i),
            Some((a, b)) if !lex::PRONOUNS.contains(&self.norm(a)) => Src::Np(a, b),
            Some((a, _)) if lex::PRONOUNS.contains(&self.norm(a)) => self.subjectless(i),
            _ => match self.preposed_subject(i) {
                Some((a, b)) => Src::Np(a, b),
                None => self.subjectless(i),
            },
        };
        let prev_kama = i > 0 && matches!(self.norm(i - 1), "كما" | "وكما");
        if after_dhalik || prev_kama {
            let trailing = np.map_or(i + 1, |(_, e)| e);
            let rest = (trailing..lim)
                .filter(|&x| !self.is_punct(x) && self.in_quote(x).is_none())
                .count();
            if rest <= 3 {
                if let Some((cs, ce)) = self.content_before(i) {
                    out.push(Raw {
                        kind: QuoteKind::Indirect,
                        class: CueClass::Verb,
                        cue,
                        content: (cs, ce),
                        src,
                        fronted: false,
                    });
                    return;
                }
            }
        }
        let after = np.map_or(i + 1, |(_, e)| e);
        let found = self.find_content(after, lim, 32, false);
        if let Some((kind, cs, mut ce)) = found {
            // Inside a relative clause (المتهم الذي قالت الشرطة إنه …) the content ends at the comma.
            let ss = self.sent_start(i);
            if i > ss && matches!(self.norm(i - 1), "الذي" | "التي" | "الذين") {
                let from = self.toks.partition_point(|t| t.start < cs);
                if let Some(c) = (from..lim).find(|&k| matches!(self.norm(k), "،" | ",")) {
                    ce = ce.min(self.toks[c - 1].end.max(cs));
                }
            }
            if ce > cs {
                out.push(Raw {
                    kind,
                    class: CueClass::Verb,
                    cue,
                    content: (cs, ce),
                    src,
                    fronted: false,
                });
            }
            return;
        }
        // Post-posed cue: «…»، قال فلان.
        let mut k = i;
        while k > 0 && matches!(self.norm(k - 1), "،" | "," | "-" | ":") {
            k -= 1;
        }
        if k > 0 {
            if let Some(s) = self.closes(k - 1) {
                let s = self.spans[s as usize];
                if self.token_count_between(s.open, s.close) >= 3 {
                    out.push(Raw {
                        kind: QuoteKind::Direct,
                        class: CueClass::Verb,
                        cue,
                        content: (s.open + 1, s.close),
                        src,
                        fronted: false,
                    });
                }
            }
        }
    }

    fn participle_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let cue = (self.toks[i].start, self.toks[i].end);
        let any_quote = self.norm(i).starts_with("قائل");
        if let Some((kind, cs, ce)) = self.find_content(i + 1, lim, 12, any_quote) {
            let ss = self.sent_start(i);
            let same_sentence_quote = out
                .last()
                .is_some_and(|q| q.content.0 >= self.toks[ss].start);
            let src = if same_sentence_quote || i == ss {
                Src::Prev(i)
            } else {
                Src::Participle(i)
            };
            if ce > cs {
                out.push(Raw {
                    kind,
                    class: CueClass::Participle,
                    cue,
                    content: (cs, ce),
                    src,
                    fronted: false,
                });
            }
        }
    }

    fn transmit_cue(&self, i: usize, out: &mut Vec<Raw>) {
        // نقلت الوكالة عن مسؤول قوله إن ...
        let lim = self.sent_end(i);
        let mut k = i + 1;
        let stop = lim.min(i + 10);
        while k < stop && self.norm(k) != "عن" {
            k += 1;
        }
        if k >= stop {
            return;
        }
        let Some((a, b)) = self.subject_np(k + 1, lim) else {
            return;
        };
        let mut after = b;
        if matches!(self.norm(after), "قوله" | "قولها" | "قولهم" | "قولهما") {
            after += 1;
        }
        if let Some((kind, cs, ce)) = self.find_content(after, lim, 12, false) {
            let cue = (self.toks[i].start, self.toks[i].end);
            out.push(Raw {
                kind,
                class: CueClass::Transmit,
                cue,
                content: (cs, ce),
                src: Src::Np(a, b),
                fronted: false,
            });
        }
    }

    fn nominal_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let w = self.norm(i);
        let bare = lex::strip_conj(w)
            .filter(|r| self.lex.cue(r).is_some())
            .unwrap_or(w);
        let mut k = i + 1;
        let mut via_verb = false;
        if bare == "نقلا" {
            if self.norm(k) != "عن" {
                return;
            }
            k += 1;
        }
        if matches!(self.norm(k), "ل" | "لـ") {
            k += 1;
        }
        let fused_ma = matches!(bare, "حسبما" | "بحسبما" | "وفقما");
        if self.norm(k) == "ما" && !fused_ma {
            k += 1;
        }
        if fused_ma || self.norm(k - 1) == "ما" {
            // بحسب ما ذكرت / وفق ما أوردته
            let v = self.norm(k);
            let verb = self.lex.cue(v) == Some(CueClass::Verb)
                || self.lex.is_publish_verb(v)
                || lex::strip_conj(v).is_some_and(|r| self.lex.is_publish_verb(r));
            if !verb {
                return;
            }
            k += 1;
            via_verb = true;
        }
        let cue_end = self.toks[k - 1].end;
        // "أنه وفقا لتقرير …، فإن": an attribution embedded in reported content.
        if k >= lim || (i > 0 && lex::is_complementizer(self.norm(i - 1))) {
            return;
        }
        // The source phrase may carry ل (وفقا للوزارة): parse it from its stem.
        let first = &self.toks[k];
        let lam = matches!(first_proclitic(first), Some("ل") | Some("لل"));
        let np = if lam {
            self.parse_np(k + 1, lim)
                .map(|(_, e)| (k, e))
                .or(Some((k, k + 1)))
        } else {
            self.parse_np(k, lim)
        };
        let quoted_source = self.opens(k).is_some();
        let mut np = match np {
            Some(np) => np,
            None if quoted_source => {
                let s = self.spans[self.opens(k).unwrap() as usize];
                (k, self.toks.partition_point(|t| t.start <= s.close))
            }
            None => return,
        };
        // حسب قوله / وفق تعبيره: the speaker of the sentence.
        let own_words = matches!(
            self.norm(np.0),
            "قوله" | "قولها" | "قولهم" | "تعبيره" | "تعبيرها" | "وصفه" | "وصفها"
        );
        let head = if lam {
            let mut h = String::from(if first_proclitic(first) == Some("لل") {
                "ال"
            } else {
                ""
            });
            h.push_str(first.stem_segment().text.as_str());
            h
        } else {
            self.norm(np.0).to_string()
        };
        let head_bare = head.strip_prefix("ال").unwrap_or(&head).to_string();
        // A source word takes only adjectives: "مصدر عسكري مالي" (تمكن … is the content).
        if !lam && self.lex.is_source(&head) && !self.lex.is_org(&head) {
            let mut e = np.0 + 1;
            while e < np.1 {
                let x = self.norm(e);
                let adj = x.ends_with('ي')
                    || x.ends_with("ية")
                    || x.ends_with("يين")
                    || x.ends_with("يون")
                    || is_def(x)
                    || self.lex.is_publish_verb(x);
                if !adj {
                    break;
                }
                e += 1;
            }
            np.1 = e;
        }
        // "معطيات أوردتها وزارة الداخلية": the author follows the publishing verb.
        let mut speaker_np = np;
        if let Some(p) = (np.0..np.1).find(|&x| self.lex.is_publish_verb(self.norm(x))) {
            if p + 1 < np.1 {
                speaker_np = (p + 1, np.1);
            } else if let Some(e) = self.parse_np(p + 1, lim) {
                speaker_np = e;
                np.1 = e.1;
            }
            via_verb = true;
        }
        // "وفق ما أوردته العربية نقلا عن صحيفة …": the original source speaks.
        if self.norm(np.1) == "نقلا" && self.norm(np.1 + 1) == "عن" {
            if let Some(orig) = self.parse_np(np.1 + 2, lim) {
                speaker_np = orig;
                np.1 = orig.1;
            }
        }
        let sourcey = via_verb
            || own_words
            || quoted_source
            || self.lex.is_descriptive(&head)
            || self.lex.is_descriptive(&head_bare)
            || self
                .entity_at(self.toks[np.0].start, self.toks[np.1 - 1].end)
                .is_some()
            || (self.name_like(np.0) && !lam);
        if !sourcey || self.lex.is_non_speaker(&head) {
            return;
        }
        let cue = (self.toks[i].start, cue_end);
        let src = if self.is_back_reference(speaker_np.0, speaker_np.1) {
            Src::Prev(i)
        } else if own_words {
            self.subjectless(i)
        } else {
            Src::Np(speaker_np.0, speaker_np.1)
        };
        // "نقلا عن فلان قوله إن ..."
        let mut after = np.1;
        if matches!(self.norm(after), "قوله" | "قولها" | "قولهم") {
            after += 1;
            if let Some((kind, cs, ce)) = self.find_content(after, lim, 4, false) {
                out.push(Raw {
                    kind,
                    class: CueClass::Nominal,
                    cue,
                    content: (cs, ce),
                    src,
                    fronted: false,
                });
                return;
            }
        }
        let ss = self.sent_start(i);
        let has_conj = w != bare
            || lex::strip_conj(w).is_some_and(|r| self.lex.cue(r) == Some(CueClass::Nominal));
        let after_comma = i > ss && matches!(self.norm(i - 1), "،" | ",");
        let initial = (ss..i).all(|j| self.is_punct(j) || matches!(self.norm(j), "و" | "ف"))
            || (after_comma && has_conj);
        // What follows the source phrase, ignoring an audience and time words (لوكالة فرانس برس السبت).
        let mut a = np.1;
        while a < lim
            && (matches!(self.norm(a), "فان" | "فانه" | "فانها" | "ف")
                || self.is_punct(a) && initial)
        {
            a += 1;
        }
        let mut r = a;
        while r < lim
            && !(self.is_punct(r)
                && self.opens(r).is_none()
                && self.in_quote(r).is_none()
                && self.closes(r).is_none())
            && self.cue_at(r) != Some(CueClass::Nominal)
        {
            r += 1;
        }
        let rest = (a..r)
            .filter(|&x| {
                let t = &self.toks[x];
                let aud = matches!(first_proclitic(t), Some("ل") | Some("لل"))
                    && lex::is_audience(t.stem_segment().text.as_str());
                let quoted = self.in_quote(x).is_some() || t.kind == TokenKind::Punct;
                !(aud
                    || quoted
                    || crate::numbers::is_time_word(&t.norm)
                    || matches!(
                        t.norm.as_str(),
                        "برس" | "فرانس" | "امس" | "اليوم" | "ل" | "لـ"
                    ))
            })
            .count();
        let clause_end = |from: usize| -> usize {
            // The clause ends at the sentence end or at "، و…" (a new coordinated clause).
            let mut k = from;
            while k < lim {
                if matches!(self.norm(k), "،" | ",")
                    && k + 1 < lim
                    && self.norm(k + 1).starts_with('و')
                    && k > from
                {
                    return self.toks[k - 1].end;
                }
                k += 1;
            }
            self.content_end(lim)
        };
        let mut after_src = r;
        while after_src < lim
            && (self.is_punct(after_src) && self.opens(after_src).is_none()
                || matches!(self.norm(after_src), "فان" | "فانه" | "فانها" | "ف"))
        {
            after_src += 1;
        }
        let fronted = initial && (rest >= 2 || lim.saturating_sub(after_src) >= 3);
        let content = if fronted {
            // وبحسب المصدر، فإن … → what follows.
            let from = if rest >= 2 { a } else { after_src };
            Some((self.toks[from].start, clause_end(from)))
        } else if rest >= 4 || (after_comma && matches!(self.norm(np.1), "،" | ",")) {
            // In the middle (وجددت تونس، حسب البيان، التعبير …): the clause around it.
            let mut s0 = if after_comma { i - 1 } else { i };
            while s0 > ss && !matches!(self.norm(s0 - 1), "،" | "," | "اما" | "واما") {
                s0 -= 1;
            }
            if s0 > ss && matches!(self.norm(s0 - 1), "اما" | "واما") {
                s0 -= 1;
            }
            Some((self.toks[s0].start, clause_end(np.1)))
        } else {
            self.content_before(i)
        };
        if let Some((cs, ce)) = content {
            if ce > cs {
                out.push(Raw {
                    kind: QuoteKind::Indirect,
                    class: CueClass::Nominal,
                    cue,
                    content: (cs, ce),
                    src,
                    fronted,
                });
            }
        }
    }

    /// "وجاء في بيان الوزارة أن ..." and "الدراسة التي جاء فيها أن ...".
    fn came_in_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        if matches!(self.norm(i + 1), "فيه" | "فيها")
            && i >= 2
            && matches!(self.norm(i - 1), "الذي" | "التي")
        {
            let ante = i - 2;
            if let Some((kind, cs, ce)) = self.find_content(i + 2, lim, 4, false) {
                let cue = (self.toks[i].start, self.toks[i + 1].end);
                out.push(Raw {
                    kind,
                    class: CueClass::Verb,
                    cue,
                    content: (cs, ce),
                    src: Src::Np(ante, ante + 1),
                    fronted: false,
                });
            }
            return;
        }
        if self.norm(i + 1) != "في" || i + 2 >= lim {
            return;
        }
        let head = self.norm(i + 2);
        let head_bare = head.strip_prefix("ال").unwrap_or(head);
        if !matches!(
            head_bare,
            "بيان"
                | "تقرير"
                | "رسالة"
                | "تغريدة"
                | "نص"
                | "خطاب"
                | "مذكرة"
                | "منشور"
                | "تعميم"
                | "كلمة"
                | "بلاغ"
                | "دراسة"
        ) {
            return;
        }
        let np_end = self.parse_np(i + 3, lim).map_or(i + 3, |(_, e)| e);
        if let Some((kind, cs, ce)) = self.find_content(np_end, lim, 16, false) {
            let cue = (self.toks[i].start, self.toks[i + 2].end);
            out.push(Raw {
                kind,
                class: CueClass::Verb,
                cue,
                content: (cs, ce),
                src: Src::Np(i + 2, np_end),
                fronted: false,
            });
        }
    }

    /// A wire-style lead whose verb was dropped: "رجل طاجيكي انضم لتنظيم داعش أن ...".
    /// Only the first body sentence, only a generic person noun up front, and no
    /// punctuation or verb cue before the complementizer; the cue is an empty span.
    fn elided_lead(&self, out: &mut Vec<Raw>) {
        let title_end = self.doc.title.chars().count();
        let si = usize::from(title_end > 0);
        let Some(&(a, b)) = self.sent_toks.get(si) else {
            return;
        };
        if a >= b || self.toks[a].start < title_end || !self.lex.is_generic_any(self.norm(a)) {
            return;
        }
        for k in a + 1..b.min(a + 12) {
            let w = self.norm(k);
            if self.is_punct(k) || self.cue_at(k).is_some() {
                return;
            }
            if lex::is_complementizer(w) && !lex::blocks_complementizer(self.norm(k - 1)) {
                let cs = if matches!(w, "ان" | "بان") && k + 1 < b {
                    self.toks[k + 1].start
                } else {
                    self.toks[k].start
                };
                let s = self.toks[a].start;
                out.push(Raw {
                    kind: QuoteKind::Indirect,
                    class: CueClass::Verb,
                    cue: (s, s),
                    content: (cs, self.content_end(b)),
                    src: Src::Np(a, k),
                    fronted: false,
                });
                return;
            }
        }
    }

    /// Headline quotation: "المتحدث: ..." in the title. The words before the colon must look
    /// like a speaker (a title, a body, or a personal name of two words or more), not a
    /// place or a topic ("الكاف : تأجيل …").
    fn headline(&self, out: &mut Vec<Raw>) {
        let Some(&(a, b)) = self.sent_toks.first() else {
            return;
        };
        let title_end = self.doc.title.chars().count();
        let b = self.toks[a..b]
            .iter()
            .take_while(|t| t.end <= title_end)
            .count()
            + a;
        let Some(c) = (a..b.min(a + 9)).find(|&k| self.norm(k) == ":") else {
            return;
        };
        if c == a || c + 1 >= b || !is_word(&self.toks[a]) {
            return;
        }
        if (a..c).any(|k| {
            self.lex.is_headline_non_speaker(self.norm(k))
                || self.toks[k].kind == TokenKind::Number
                || self.cue_at(k).is_some()
        }) {
            return;
        }
        // The speaker is the words before the colon, up to a ل-phrase (لـ«الحياة»).
        let mut e = a;
        while e < c
            && (is_word(&self.toks[e])
                || self.opens(e).is_some()
                || self.in_quote(e).is_some()
                || self.closes(e).is_some())
        {
            let t = &self.toks[e];
            if e > a
                && (matches!(first_proclitic(t), Some("ل") | Some("لل"))
                    && lex::is_audience(t.stem_segment().text.as_str())
                    || t.norm == "ل")
            {
                break;
            }
            e += 1;
        }
        if e == a {
            return;
        }
        let first = self.norm(a);
        let entity = !self.doc.entities.is_empty()
            && self
                .entity_at(self.toks[a].start, self.toks[e - 1].end)
                .is_some();
        let descriptive = self.lex.is_title(first)
            || self.lex.is_org(first)
            || self.lex.is_rank(first)
            || self.lex.is_source(first);
        let name = self.name_run(a, e);
        let plain = (a..e).all(|k| self.name_like(k));
        let personal = (name == e && plain && e - a >= 2 && e - a <= 4)
            || (a..e).any(|k| matches!(self.norm(k), "بن" | "ابو" | "عبد"));
        if !(entity || descriptive || personal) {
            return;
        }
        let (cs, ce) = match self.opens(c + 1) {
            Some(s) if self.spans[s as usize].close + 1 >= self.toks[b - 1].end => {
                let s = self.spans[s as usize];
                (s.open + 1, s.close)
            }
            _ => (self.toks[c + 1].start, self.content_end(b)),
        };
        if ce <= cs {
            return;
        }
        out.push(Raw {
            kind: QuoteKind::Direct,
            class: CueClass::Verb,
            cue: (self.toks[c].start, self.toks[c].end),
            content: (cs, ce),
            src: Src::Np(a, e),
            fronted: false,
        });
    }

    /// Index of a PER or ORG entity overlapping chars `a..b` (PER preferred).
    fn entity_at(&self, a: usize, b: usize) -> Option<usize> {
        let mut best = None;
        for (i, e) in self.doc.entities.iter().enumerate() {
            if e.start < b && a < e.end && (e.label == "PER" || e.label == "ORG") {
                if e.label == "PER" {
                    return Some(i);
                }
                best.get_or_insert(i);
            }
        }
        best
    }

    /// Classifies a subject phrase: where its name part is.
    fn np_info(&self, a: usize, b: usize) -> NpInfo {
        let ms = if self.opens(a).is_some() {
            self.toks[a].start
        } else {
            name_begin(&self.toks[a]).max(self.toks[a].start)
        };
        let mention = (ms, self.toks[b - 1].end);
        let info = |name| NpInfo {
            mention,
            name,
            toks: (a, b),
        };
        // A quoted name inside the phrase: «أبو عبيدة».
        if let Some(q) = (a..b).find(|&k| self.opens(k).is_some()) {
            let s = self.spans[self.opens(q).unwrap() as usize];
            let e = self.toks.partition_point(|t| t.start < s.close);
            if e > q + 1 && q > a {
                return info(Some((q + 1, e)));
            }
        }
        // A name in commas after the title: وزير المالية، لمياء الزريبي.
        if let Some(c) = (a..b).rev().find(|&k| matches!(self.norm(k), "،" | ",")) {
            if c + 1 < b && self.name_run(c + 1, b) == b {
                return info(Some((c + 1, b)));
            }
        }
        let first = self.norm(a);
        if self.name_like(a) || (self.name_tail(a) && !self.lex.is_generic_any(first)) {
            let e = self.name_run(a, b).max(a + 1);
            return info(Some((a, e)));
        }
        // In a construct chain only the last noun is definite; an indefinite word after a
        // definite one starts an apposition: the name (وزير الخارجية سيرغي لافروف). Bodies
        // (نادي الوحدة الصاعد حديثا …) keep their own name.
        let first_bare = first.strip_prefix("ال").unwrap_or(first);
        if (self.lex.is_org(first) || self.lex.is_org(first_bare) || self.lex.is_source(first))
            && !self.lex.is_title(first)
        {
            return info(None);
        }
        let mut k = a + 1;
        while k < b {
            let prev = self.norm(k - 1);
            let prev_def = is_def(prev)
                || has_prefixed_article(prev)
                || self.lex.is_rank(prev)
                || first_proclitic(&self.toks[k - 1]) == Some("لل")
                || (prev == "." && self.norm(k.saturating_sub(2)) == "د");
            if prev_def && self.name_like(k) {
                let e = self.name_run(k, b);
                let adverb =
                    e == k + 1 && self.norm(k).ends_with('ا') && self.norm(k).chars().count() >= 4;
                if e > k && !adverb {
                    return info(Some((k, e)));
                }
            }
            k += 1;
        }
        info(None)
    }

    /// The longest form of a name found anywhere in the text (نزاروف → عبد الأحد رستم نزاروف).
    fn longest_name(&self, name: (usize, usize)) -> (usize, usize) {
        let toks: &'a [Token] = self.toks;
        let key = (
            toks[name.1 - 1].norm.as_str(),
            name.1 - name.0,
            toks[name.0].norm.as_str(),
        );
        if let Some(&r) = self.name_memo.borrow().get(&key) {
            return r;
        }
        let r = self.longest_name_scan(name);
        self.name_memo.borrow_mut().insert(key, r);
        r
    }

    fn longest_name_scan(&self, name: (usize, usize)) -> (usize, usize) {
        let (a, b) = name;
        let len = b - a;
        let last = self.norm(b - 1);
        let mut best = (
            name_begin(&self.toks[a]).max(self.toks[a].start),
            self.toks[b - 1].end,
        );
        let mut best_len = len;
        // Lengths and segment counts live in the token: compare them before the text.
        // Only a proclitic or two may precede the word (و، ب، ل، وب، لل): 2 or 4 more bytes.
        let same = |x: &Token, want: &str| {
            let (n, w) = (x.norm.len(), want.len());
            (n == w && x.norm == want)
                || (x.segments.len() > 1
                    && (n == w + 2 || n == w + 4)
                    && x.stem_segment().text == want)
        };
        let wl = last.len();
        // Only the tokens that are the last word (indexed once per document): a scan of the
        // whole text per name made the layer quadratic in a long text with many names.
        for &p in self.word_index().get(last).map_or(&[][..], |v| &v[..]) {
            let p = p as usize;
            let (nl, sc) = self.shape[p];
            let nl = nl as usize;
            if !(nl == wl || sc > 1 && (nl == wl + 2 || nl == wl + 4)) {
                continue;
            }
            let t = &self.toks[p];
            if !same(t, last) || p + 1 < len {
                continue;
            }
            let s0 = p + 1 - len;
            if (0..len).any(|d| !same(&self.toks[s0 + d], self.norm(a + d))) {
                continue;
            }
            // Extend to the left over name words (عبد الأحد رستم ← نزاروف).
            let mut s = s0;
            while s > 0
                && self.tok_sent[s - 1] == self.tok_sent[p]
                && (self.name_like(s - 1)
                    || (is_name_particle(self.norm(s - 1)) && self.norm(s - 1) != "ال"))
            {
                s -= 1;
            }
            while s < s0
                && is_name_particle(self.norm(s))
                && !matches!(self.norm(s), "عبد" | "ابو" | "ام")
            {
                s += 1;
            }
            let mut e = p + 1;
            while e + 1 < self.toks.len()
                && self.tok_sent[e] == self.tok_sent[p]
                && matches!(self.norm(e), "بن" | "ابن" | "ال" | "بنت")
                && self.name_like(e + 1)
            {
                e += 2;
            }
            let n = e - s;
            if n > best_len {
                best_len = n;
                best = (name_begin(&self.toks[s]), self.toks[e - 1].end);
            }
        }
        best
    }

    /// The best name for an entity: the longest entity of its label sharing its last word.
    fn longest_entity(&self, ei: usize) -> usize {
        let ents = &self.doc.entities;
        // (label, word) → the first of the longest entities holding that word, built once.
        let by_word = self.entity_words.get_or_init(|| {
            let mut m: EntityWords<'a> = FxHashMap::default();
            for (j, f) in ents.iter().enumerate() {
                let len = f.text.chars().count();
                for w in norm_text(&f.text).split(' ') {
                    let e = m
                        .entry((f.label.as_str(), w.to_string()))
                        .or_insert((len, j));
                    if len > e.0 {
                        *e = (len, j);
                    }
                }
            }
            m
        });
        let last = norm_text(&ents[ei].text)
            .rsplit(' ')
            .next()
            .unwrap_or("")
            .to_string();
        match by_word.get(&(ents[ei].label.as_str(), last)) {
            Some(&(len, j)) if len > ents[ei].text.chars().count() => j,
            _ => ei,
        }
    }

    /// A name given elsewhere for a title description: "الأمين العام" → "الأمين العام للهيئة
    /// إحسان بن صالح طيب"; "أمير منطقة نجران" → "جلوي بن عبدالعزيز، أمير منطقة نجران".
    fn title_name(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        let toks: &'a [Token] = self.toks;
        let key = (toks[a].norm.as_str(), toks[b - 1].norm.as_str());
        if let Some(&r) = self.title_memo.borrow().get(&key) {
            return r;
        }
        let r = self.title_name_scan(a, b);
        self.title_memo.borrow_mut().insert(key, r);
        r
    }

    fn title_name_scan(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        let head = self.norm(a);
        let head_bare = head.strip_prefix("ال").unwrap_or(head);
        let head_bare = if !self.lex.is_title(head_bare) {
            head_bare.strip_suffix('ة').unwrap_or(head_bare)
        } else {
            head_bare
        };
        if !(self.lex.is_title(head)
            || self.lex.is_title(head_bare)
            || self.lex.is_org(head)
            || self.lex.is_org(head_bare))
        {
            return None;
        }
        let last = self.norm(b - 1).to_string();
        let last_bare = last.strip_prefix("ال").unwrap_or(&last).to_string();
        let hl = head_bare.len();
        let is_head = |t: &Token| {
            let n = t.norm.len();
            if !matches!(n.checked_sub(hl), Some(0 | 2 | 4 | 6 | 8)) {
                return false;
            }
            let w = t.norm.as_str();
            let w = w.strip_prefix("ال").unwrap_or(w);
            let w = w.strip_suffix('ة').unwrap_or(w);
            w == head_bare || (t.segments.len() > 1 && t.stem_segment().text == head_bare)
        };
        // Only the tokens that may be the head (from the word index), in text order: a scan
        // of the whole text per description made the layer quadratic in a long text.
        let index = self.word_index();
        let mut heads: Vec<u32> = [
            head_bare.to_string(),
            format!("ال{head_bare}"),
            format!("{head_bare}ة"),
            format!("ال{head_bare}ة"),
        ]
        .iter()
        .filter_map(|k| index.get(k.as_str()))
        .flatten()
        .copied()
        .collect();
        heads.sort_unstable();
        heads.dedup();
        for p in heads {
            let p = p as usize;
            if !matches!(
                (self.shape[p].0 as usize).checked_sub(hl),
                Some(0 | 2 | 4 | 6 | 8)
            ) {
                continue;
            }
            if p == a || !is_head(&self.toks[p]) {
                continue;
            }
            let lim = self.sent_end(p).min(p + 16);
            // The description's last word must occur in the phrase (رئيس نادي الهلال).
            let reach = (p..lim).find(|&k| {
                let w = self.norm(k);
                w == last
                    || w.strip_prefix("ال").unwrap_or(w) == last_bare
                    || self.toks[k].stem_segment().text == last_bare
            });
            let Some(r) = reach else { continue };
            if r > p + 6 {
                continue;
            }
            // Name before it: "جلوي بن عبدالعزيز بن مساعد، أمير منطقة نجران".
            let mut q = p;
            if q > 0
                && matches!(self.norm(q - 1), "،" | ",")
                && self.tok_sent[q - 1] == self.tok_sent[p]
            {
                q -= 1;
            }
            let mut s = q;
            if q == p {
                s = q; // no apposition comma: no name before
            } else {
                while s > 0
                    && self.tok_sent[s - 1] == self.tok_sent[p]
                    && (self.name_like(s - 1)
                        || is_name_particle(self.norm(s - 1)) && self.norm(s - 1) != "ال"
                        || self.name_tail(s - 1) && s == q)
                {
                    s -= 1;
                }
            }
            while s < q && is_name_particle(self.norm(s)) && !matches!(self.norm(s), "عبد" | "ابو")
            {
                s += 1;
            }
            if q >= s + 2 {
                return Some((name_begin(&self.toks[s]), self.toks[q - 1].end));
            }
            // Name right after the title phrase (a rank word may come between).
            if let Some((s, e)) = self
                .parse_np(p, lim)
                .and_then(|(x, y)| self.np_info(x, y).name)
            {
                // Far from the title, a lone word is more often a verb (… يوبخ) than a name.
                if s > r && (s <= r + 3 || s <= r + 6 && e >= s + 2) {
                    return Some(self.longest_name((s, e)));
                }
            }
        }
        None
    }

    /// Earliest phrase "وزارة الداخلية" for a definite head "الوزارة", before `before`.
    fn expand_definite(&self, head: &str, before: usize) -> Option<(usize, usize)> {
        let indef = head.strip_prefix("ال")?;
        // The first match in the document, looked up once per word: a scan from the start for
        // every quotation made the layer quadratic in a long text.
        let found = *self
            .definite_memo
            .borrow_mut()
            .entry(indef.to_string())
            .or_insert_with(|| self.first_definite(indef));
        found.filter(|&(p, _)| p < before).map(|(_, span)| span)
    }

    /// Token positions by word — as written, after و/ف, and as a stem — in text order, built
    /// when first needed.
    fn word_index(&self) -> &FxHashMap<&'a str, Vec<u32>> {
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

    /// The first token that is `indef` (bare, after و/ف, or as a stem) and opens a construct
    /// chain ending in a definite word: its token and the chain's char span.
    fn first_definite(&self, indef: &str) -> Option<(usize, CharSpan)> {
        let index = self.word_index();
        for &p in index.get(indef)? {
            let p = p as usize;
            if !matches!(
                (self.shape[p].0 as usize).checked_sub(indef.len()),
                Some(0 | 2 | 4)
            ) {
                continue;
            }
            let t = &self.toks[p];
            // Construct chain up to its definite end.
            let mut e = p + 1;
            while e < self.toks.len()
                && e < p + 5
                && is_word(&self.toks[e])
                && (!self.lex.is_np_stop(self.norm(e)) || self.norm(e) == "باسم")
            {
                let def = self.norm(e).starts_with("ال");
                e += 1;
                if def {
                    break;
                }
            }
            if e > p + 1 && self.norm(e - 1).starts_with("ال") {
                return Some((p, (name_start(t), self.toks[e - 1].end)));
            }
        }
        None
    }

    /// The subject of the first verb of the sentence starting at token `ss`.
    fn sentence_subject(&self, ss: usize) -> Option<(usize, usize)> {
        let lim = self.sent_end(ss);
        let mut k = ss;
        while k < lim
            && (self.is_punct(k)
                || matches!(
                    self.norm(k),
                    "و" | "ف"
                        | "كما"
                        | "لم"
                        | "ولم"
                        | "لن"
                        | "ولن"
                        | "لا"
                        | "ولا"
                        | "من"
                        | "جهته"
                        | "جهتها"
                        | "جانبه"
                        | "جانبها"
                        | "جهتهم"
                        | "جانبهم"
                        | "بدوره"
                        | "بدورها"
                        | "وبدوره"
                        | "وبدورها"
                        | "قد"
                        | "وقد"
                        | "لقد"
                ))
        {
            k += 1;
        }
        // Verb-initial sentence: the subject follows the verb.
        let np = self.subject_np(k + 1, lim)?;
        (!lex::PRONOUNS.contains(&self.norm(np.0)) && !self.lex.is_non_speaker(self.norm(np.0)))
            .then_some(np)
    }

    /// The nearest personal name before token `i` in its sentence.
    fn name_before(&self, i: usize) -> Option<(usize, usize)> {
        let ss = self.sent_start(i);
        // "… جولي بيشوب، بعد أن قالت إن": the cue of a subordinate clause.
        let subordinate = i >= 2
            && matches!(
                (self.norm(i - 2), self.norm(i - 1)),
                ("بعد" | "قبل", "ان") | (_, "عندما" | "حين" | "حينما" | "بعدما" | "لما")
            );
        let mut k = i;
        while k > ss {
            k -= 1;
            if self.in_quote(k).is_some() || !self.name_like(k) && !self.name_tail(k) {
                continue;
            }
            let e = k + 1;
            let mut s = k;
            while s > ss
                && (self.name_like(s - 1)
                    || is_name_particle(self.norm(s - 1)) && self.norm(s - 1) != "ال")
            {
                s -= 1;
            }
            let before = if s > ss { self.norm(s - 1) } else { "" };
            let ranked = self.lex.is_rank(before)
                || self.lex.is_title(before)
                || self.lex.is_generic(before);
            let particle = (s..e).any(|x| matches!(self.norm(x), "بن" | "ابن" | "عبد" | "ابو"));
            if (e >= s + 2 && (particle || subordinate) || ranked) && self.name_like(s) {
                return Some((s, e));
            }
            k = s;
        }
        None
    }
}

/// Per-token buffers, reused from one document to the next on the same thread to avoid
/// several allocations of the document's size per article.
#[derive(Default)]
struct Scratch {
    tok_sent: Vec<u32>,
    sent_toks: Vec<(usize, usize)>,
    cues: Vec<Option<CueClass>>,
    candidates: Vec<u32>,
    shape: Vec<(u8, u8)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Extracts the quotations of a document.
pub fn extract(doc: &Document) -> Vec<Quote> {
    if doc.tokens.is_empty() {
        return Vec::new();
    }
    let scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let cx = Ctx::new(doc, scratch);
    let out = extract_with(&cx);
    let Ctx {
        tok_sent,
        sent_toks,
        cues,
        candidates,
        shape,
        ..
    } = cx;
    SCRATCH.with(|s| {
        *s.borrow_mut() = Scratch {
            tok_sent,
            sent_toks,
            cues,
            candidates,
            shape,
        }
    });
    out
}

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
    let raw = resolve_overlaps(cx, raw);
    build(cx, raw)
}

/// Trims a content that runs into a later cue; drops duplicates and nested attributions.
fn resolve_overlaps(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::with_capacity(raw.len());
    for q in raw {
        let Some(p) = out.last_mut() else {
            out.push(q);
            continue;
        };
        let overlap = q.content.0 < p.content.1 && p.content.0 < q.content.1;
        let cue_inside = q.cue.0 >= p.content.0 && q.cue.0 < p.content.1;
        let qi = cx.toks.partition_point(|t| t.start < q.cue.0);
        let conj = lex::strip_conj(cx.norm(qi)).is_some_and(|r| cx.lex.cue(r).is_some());
        if cue_inside {
            let embedded_verb = q.class == CueClass::Verb
                && q.kind == QuoteKind::Indirect
                && matches!(q.src, Src::Mid(_))
                && !conj;
            if (q.class == CueClass::Nominal && !q.fronted) || embedded_verb {
                // "…، بحسب فلان" names the source of the quotation it sits in, and a bare
                // verb inside reported content (… تؤكد بأنها …) belongs to it: no quotation of
                // their own; a trailing attribution also ends the earlier content.
                if q.class == CueClass::Nominal && q.content.1 <= q.cue.1 {
                    let end = trim_end(cx, p.content.0, q.cue.0);
                    if end > p.content.0 {
                        p.content.1 = end;
                    }
                }
                continue;
            }
            let end = trim_end(cx, p.content.0, q.cue.0);
            if end > p.content.0 {
                p.content.1 = end;
            } else {
                *p = q;
                continue;
            }
        } else if overlap {
            if p.class == CueClass::Nominal && q.class != CueClass::Nominal {
                // A verb quotation wins over an attribution covering it.
                *p = q;
            }
            continue;
        }
        if q.content.1 > q.content.0 {
            out.push(q);
        }
    }
    out
}

/// The end of content `start..pos` without trailing punctuation and conjunctions.
fn trim_end(cx: &Ctx<'_>, start: usize, pos: usize) -> usize {
    let mut k = cx.toks.partition_point(|t| t.start < pos);
    while k > 0 && cx.toks[k - 1].start >= start {
        let t = &cx.toks[k - 1];
        let drop = (t.kind == TokenKind::Punct && cx.closes(k - 1).is_none())
            || matches!(t.norm.as_str(), "و" | "وذلك" | "ف" | "كما");
        if !drop {
            return t.end;
        }
        k -= 1;
    }
    start
}

/// Resolves the speakers in text order.
fn build(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Quote> {
    let doc = cx.doc;
    // Phrases the speaker comes from (explicit, or found in the sentence).
    let phrases: Vec<Option<(usize, usize)>> = raw
        .iter()
        .enumerate()
        .map(|(qi, q)| match q.src {
            // A second cue in the sentence of a quotation continues its speaker.
            Src::Mid(i)
                if qi > 0
                    && cx.sent_start(cx.toks.partition_point(|t| t.start < raw[qi - 1].cue.0))
                        == cx.sent_start(i) =>
            {
                None
            }
            Src::Np(a, b) => Some((a, b)),
            Src::Prev(_) => None,
            Src::Mid(i) => cx.name_before(i).or_else(|| {
                cx.sentence_subject(cx.sent_start(i))
                    .filter(|&(a, _)| a < i)
            }),
            Src::Participle(i) => cx
                .sentence_subject(cx.sent_start(i))
                .filter(|&(a, _)| a < i)
                .or_else(|| cx.name_before(i)),
        })
        .collect();
    let infos: Vec<Option<NpInfo>> = phrases
        .iter()
        .zip(&raw)
        .map(|(p, q)| {
            let info = p.map(|(a, b)| cx.np_info(a, b))?;
            let found = matches!(q.src, Src::Mid(_) | Src::Participle(_));
            let head = cx.norm(info.toks.0);
            let head_bare = head.strip_prefix("ال").unwrap_or(head);
            let personish = info.name.is_some()
                || cx.lex.is_descriptive(head)
                || cx.lex.is_descriptive(head_bare)
                || cx.lex.is_rank(head)
                || cx.lex.is_generic_any(head);
            (!found || personish).then_some(info)
        })
        .collect();
    // Named speakers first, so that descriptions can link forward (الرجل → نزاروف).
    let named: Vec<Option<Speaker>> = infos
        .iter()
        .map(|info| info.as_ref().and_then(|i| named_speaker(cx, i)))
        .collect();
    let mut out: Vec<Quote> = Vec::with_capacity(raw.len());
    let mut prev: Option<Speaker> = None;
    for (qi, q) in raw.iter().enumerate() {
        let explicit = matches!(q.src, Src::Np(..));
        let mut speaker = if let Some(sp) = &named[qi] {
            let mut sp = sp.clone();
            if !explicit {
                sp.mention = None;
            }
            Some(sp)
        } else if let Some(info) = &infos[qi] {
            let (a, b) = info.toks;
            let head = cx.norm(a);
            let lead = q.cue.0 == q.cue.1;
            let linked = if (b - a <= 2 || lead) && cx.lex.is_generic_any(head) {
                // The protagonist: the nearest named speaker, before or after.
                (0..qi).rev().chain(qi + 1..raw.len()).find_map(|j| {
                    named[j]
                        .as_ref()
                        .filter(|_| matches!(raw[j].src, Src::Np(..)))
                        .cloned()
                })
            } else {
                let bare = head.strip_prefix("ال").unwrap_or(head);
                let bare = bare.strip_suffix('ة').unwrap_or(bare);
                let title = cx.lex.is_title(head) || cx.lex.is_title(bare);
                let from_quotes = (0..qi).rev().filter(|_| title).find_map(|j| {
                    let sp = named[j].as_ref()?;
                    let m = norm_text(&sp.mention.as_ref()?.text);
                    (m.starts_with(bare) || m.starts_with(head)).then(|| sp.clone())
                });
                let org = (b - a == 1 && head.starts_with("ال") && cx.lex.is_org(head))
                    .then(|| cx.expand_definite(head, a))
                    .flatten();
                let fuller = (b - a == 1 && head.starts_with("ال") && cx.lex.is_title(head))
                    .then(|| cx.expand_definite(head, a))
                    .flatten();
                from_quotes
                    .or_else(|| {
                        org.map(|(s, e)| Speaker {
                            text: doc.slice(s, e).to_string(),
                            mention: None,
                            entity: cx.entity_at(s, e),
                        })
                    })
                    .or_else(|| {
                        cx.title_name(a, b).map(|(s, e)| Speaker {
                            text: doc.slice(s, e).to_string(),
                            mention: None,
                            entity: cx.entity_at(s, e),
                        })
                    })
                    .or_else(|| {
                        fuller.map(|(s, e)| Speaker {
                            text: doc.slice(s, e).to_string(),
                            mention: None,
                            entity: cx.entity_at(s, e),
                        })
                    })
            };
            let mention = doc.text_span(info.mention.0, info.mention.1);
            let mut sp = match linked {
                Some(sp) => Speaker {
                    text: sp.text,
                    mention: Some(mention),
                    entity: sp.entity,
                },
                None => Speaker {
                    text: mention.text.clone(),
                    mention: Some(mention),
                    entity: None,
                },
            };
            if !explicit {
                sp.mention = None;
            }
            Some(sp)
        } else {
            None
        };
        if speaker.is_none() {
            speaker = prev.as_ref().map(|p| Speaker {
                text: p.text.clone(),
                mention: None,
                entity: p.entity,
            });
        }
        let speaker = speaker.unwrap_or_else(|| fallback_speaker(cx, q));
        prev = Some(speaker.clone());
        out.push(Quote {
            kind: q.kind,
            cue: doc.text_span(q.cue.0, q.cue.1),
            content: doc.text_span(q.content.0, q.content.1),
            speaker,
        });
    }
    out
}

/// The speaker of a phrase that contains a name (or a PER/ORG entity).
fn named_speaker(cx: &Ctx<'_>, info: &NpInfo) -> Option<Speaker> {
    let doc = cx.doc;
    let (ms, me) = info.mention;
    // A phrase headed by a generic person noun ("رجل طاجيكي انضم لتنظيم داعش") names a
    // person: an organization inside its relative clause is not the speaker.
    let person_head = cx.lex.is_generic_any(cx.norm(info.toks.0));
    let entity = cx
        .entity_at(ms, me)
        .filter(|&ei| !person_head || doc.entities[ei].label == "PER");
    if !doc.entities.is_empty() {
        if let Some(ei) = entity {
            let best = cx.longest_entity(ei);
            return Some(Speaker {
                text: doc.entities[best].text.clone(),
                mention: Some(doc.text_span(ms, me)),
                entity: Some(ei),
            });
        }
    }
    let (a, b) = info.name?;
    let (s, e) = if cx.opens(a.saturating_sub(1)).is_some() || cx.in_quote(a).is_some() {
        (cx.toks[a].start, cx.toks[b - 1].end)
    } else {
        cx.longest_name((a, b))
    };
    Some(Speaker {
        text: doc.slice(s, e).to_string(),
        mention: Some(doc.text_span(ms, me)),
        entity: None,
    })
}

/// No subject and no earlier quotation: the nearest earlier sentence subject with a name.
fn fallback_speaker(cx: &Ctx<'_>, q: &Raw) -> Speaker {
    let doc = cx.doc;
    let i = cx.toks.partition_point(|t| t.start < q.cue.0);
    let si = cx.tok_sent.get(i).copied().unwrap_or(u32::MAX);
    let mut first_desc = None;
    if si != u32::MAX {
        for s in (0..=si as usize).rev().take(6) {
            let (a, _) = cx.sent_toks[s];
            let Some((x, y)) = cx.sentence_subject(a) else {
                continue;
            };
            let info = cx.np_info(x, y);
            if let Some(sp) = named_speaker(cx, &info) {
                return Speaker {
                    text: sp.text,
                    mention: None,
                    entity: sp.entity,
                };
            }
            first_desc.get_or_insert((name_start(&cx.toks[x]), cx.toks[y - 1].end));
        }
    }
    match first_desc {
        Some((s, e)) => Speaker {
            text: doc.slice(s, e).to_string(),
            mention: None,
            entity: None,
        },
        None => Speaker {
            text: String::new(),
            mention: None,
            entity: None,
        },
    }
}
