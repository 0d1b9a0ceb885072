//! Quotation extraction on the token stream: cues, contents and speakers.
//!
//! The pass is linear in the number of tokens: every token is looked up once in the cue
//! table; a cue then looks ahead a bounded number of tokens (subject, then content).

use crate::lex::{self, CueClass, Lex};
use khabar_analysis::{name_start, Document, Quote, QuoteKind, Speaker};
use khabar_text::{SegmentKind, Token, TokenKind};

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
    /// The speaker of the preceding quotation.
    Inherit,
    /// The subject of the sentence's first verb (for participles: مؤكدا أن).
    SentenceSubject(usize),
}

#[derive(Debug, Clone)]
struct Raw {
    kind: QuoteKind,
    class: CueClass,
    cue: (usize, usize),
    content: (usize, usize),
    src: Src,
}

/// Resolved speaker of a noun phrase: its mention and what kind of phrase it is.
#[derive(Debug, Clone)]
struct NpInfo {
    mention: (usize, usize),
    /// Token range of the personal/organisation name inside the phrase, if any.
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
    /// For each token: the quoted span strictly containing it.
    in_quote: Vec<Option<u32>>,
    /// For each token that opens a quoted span: that span.
    opens: Vec<Option<u32>>,
    /// For each token that closes a quoted span: that span.
    closes: Vec<Option<u32>>,
}

fn is_open_mark(c: char) -> bool {
    matches!(c, '«' | '“' | '„' | '"' | '»' | '”')
}

/// Finds quoted spans, pairing marks within a paragraph.
fn quote_spans(text: &str) -> Vec<QSpan> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_open_mark(c) {
            i += 1;
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
        let mut j = i + 1;
        let mut found = None;
        while j < chars.len() && j - i < 3000 {
            let d = chars[j];
            if d == '\n' {
                break;
            }
            if closers.contains(&d) {
                found = Some(j);
                break;
            }
            j += 1;
        }
        match found {
            Some(j) if j > i + 1 => {
                out.push(QSpan { open: i, close: j });
                i = j + 1;
            }
            Some(j) => i = j + 1,
            None => i += 1,
        }
    }
    out
}

/// Words after which a name continues with ال (عبد الله، أبو العباس، سيف الدين).
fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "عبد" | "ابو" | "ابي" | "ابا" | "بن" | "ابن" | "ام" | "بنت" | "ذو" | "ذي" | "سيف" | "نور" | "صلاح" | "شمس" | "بدر" | "عز" | "سعد" | "جمال" | "محيي" | "نصر" | "زين" | "عماد" | "علاء" | "حسام" | "بهاء" | "ضياء" | "نجم" | "شهاب" | "تاج" | "فخر" | "عصام" | "كمال"
    )
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

fn has_enclitic(t: &Token) -> bool {
    t.segments.iter().any(|s| s.kind == SegmentKind::Enclitic)
}

/// Normalizes free text the way token norms are (for comparing speaker names).
pub fn norm_text(s: &str) -> String {
    s.split_whitespace().map(khabar_text::normalize_word).collect::<Vec<_>>().join(" ")
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(doc: &'a Document) -> Ctx<'a> {
        let toks = &doc.tokens[..];
        let mut tok_sent = vec![u32::MAX; toks.len()];
        let mut sent_toks = Vec::with_capacity(doc.sentences.len());
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
        let has_marks = doc.text.chars().any(is_open_mark);
        let spans = if has_marks { quote_spans(&doc.text) } else { Vec::new() };
        let mut in_quote = vec![None; toks.len()];
        let mut opens = vec![None; toks.len()];
        let mut closes = vec![None; toks.len()];
        let mut k = 0;
        for (si, s) in spans.iter().enumerate() {
            while k < toks.len() && toks[k].start < s.open {
                k += 1;
            }
            if k < toks.len() && toks[k].start == s.open {
                opens[k] = Some(si as u32);
                k += 1;
            }
            while k < toks.len() && toks[k].start < s.close {
                in_quote[k] = Some(si as u32);
                k += 1;
            }
            if k < toks.len() && toks[k].start == s.close {
                closes[k] = Some(si as u32);
            }
        }
        Ctx {
            doc,
            toks,
            lex: Lex::get(),
            tok_sent,
            sent_toks,
            spans,
            in_quote,
            opens,
            closes,
        }
    }

    fn norm(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.norm.as_str())
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

    /// A word that can be part of a personal name.
    fn name_like(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else { return false };
        if t.kind == TokenKind::Latin {
            return true;
        }
        if t.kind != TokenKind::Word || has_enclitic(t) {
            return false;
        }
        let w = t.norm.as_str();
        let after_name_particle = i > 0 && is_name_particle(self.norm(i - 1));
        if after_name_particle && first_proclitic(t) == Some("ال") {
            return true;
        }
        if self.lex.is_np_stop(w)
            || self.lex.is_descriptive(w)
            || self.lex.is_generic_any(w)
            || self.lex.is_rank(w)
            || self.lex.cue(w).is_some()
            || lex::is_complementizer(w)
            || crate::numbers::is_number_word(w)
            || w.chars().count() < 2
        {
            return false;
        }
        match first_proclitic(t) {
            None => true,
            Some("ال") => after_name_particle,
            Some(_) => false,
        }
    }

    /// The subject noun phrase starting at token `j` (exclusive limit `lim`).
    fn parse_np(&self, j: usize, lim: usize) -> Option<(usize, usize)> {
        let lex = self.lex;
        let mut k = j;
        let mut n = 0;
        while k < lim && n < 12 {
            let t = &self.toks[k];
            if !is_word(t) {
                break;
            }
            if self.in_quote[k].is_some() {
                break;
            }
            let w = t.norm.as_str();
            if lex.cue(w).is_some() || lex::is_complementizer(w) {
                break;
            }
            if lex.is_event(w) && n > 0 {
                break;
            }
            match w {
                "من" | "في" => {
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
                        if !(n > 0 && lex::is_lam_continuation(stem)) {
                            break;
                        }
                    }
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
                                if lex.is_descriptive(rest) || (rest.starts_with("ال") && n > 0) {
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
        while k > j && matches!(self.norm(k - 1), "من" | "في" | "باسم" | "بن" | "ابو") {
            k -= 1;
        }
        (k > j).then_some((j, k))
    }

    /// Looks for reported content from token `from`: a colon, a quoted span or a complementizer.
    fn find_content(&self, from: usize, lim: usize, window: usize) -> Option<(QuoteKind, usize, usize)> {
        let end = lim.min(from + window);
        let mut k = from;
        while k < end {
            let t = &self.toks[k];
            if let Some(s) = self.opens[k] {
                let s = self.spans[s as usize];
                let prev_ok = k == from || k > 0 && matches!(self.norm(k - 1), ":" | "،" | ",");
                let words = self.token_count_between(s.open, s.close);
                if prev_ok && words >= 3 {
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
                        if let Some(s) = self.opens[n] {
                            let s = self.spans[s as usize];
                            return Some((QuoteKind::Direct, s.open + 1, s.close));
                        }
                        let se = self.sent_end(k);
                        if n < se {
                            return Some((QuoteKind::Direct, self.toks[n].start, self.content_end(se)));
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
            if lex::is_complementizer(w) && !(k > 0 && lex::blocks_complementizer(self.norm(k - 1))) {
                let start = if matches!(w, "ان" | "بان" | "فان") && k + 1 < lim {
                    self.toks[k + 1].start
                } else {
                    t.start
                };
                return Some((QuoteKind::Indirect, start, self.content_end(lim)));
            }
            if self.lex.cue(w).is_some() && k > from {
                return None;
            }
            k += 1;
        }
        None
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
            if t.kind != TokenKind::Punct || self.closes[k - 1].is_some() {
                return t.end;
            }
            k -= 1;
        }
        0
    }

    /// Content before a trailing nominal cue: from the sentence (or clause) start to the cue.
    fn content_before(&self, cue: usize) -> Option<(usize, usize)> {
        let ss = self.sent_start(cue);
        let mut e = cue;
        while e > ss && (self.is_punct(e - 1) && self.closes[e - 1].is_none() || matches!(self.norm(e - 1), "و" | "وذلك" | "ذلك")) {
            e -= 1;
        }
        let mut s = ss;
        while s < e && (self.is_punct(s) && self.opens[s].is_none()) {
            s += 1;
        }
        (e > s + 1).then(|| (self.toks[s].start, self.toks[e - 1].end))
    }

    fn verb_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let w = self.norm(i);
        let bare = lex::strip_conj(w).unwrap_or(w);
        // Impersonal "it is mentioned that" (يذكر أن) is no quotation.
        if matches!(bare, "يذكر" | "يشار" | "يقال") && lex::is_complementizer(self.norm(i + 1)) {
            return;
        }
        let np = self.parse_np(i + 1, lim);
        let after = np.map_or(i + 1, |(_, e)| e);
        let src = match np {
            Some((a, b)) if !lex::PRONOUNS.contains(&self.norm(a)) => Src::Np(a, b),
            _ => Src::Inherit,
        };
        let cue = (self.toks[i].start, self.toks[i].end);
        let found = self.find_content(after, lim, 32);
        if let Some((kind, cs, ce)) = found {
            if ce > cs {
                out.push(Raw { kind, class: CueClass::Verb, cue, content: (cs, ce), src });
            }
            return;
        }
        // Post-posed cue: «…»، قال فلان.
        let mut k = i;
        while k > 0 && matches!(self.norm(k - 1), "،" | "," | "-" | ":") {
            k -= 1;
        }
        if k > 0 {
            if let Some(s) = self.closes[k - 1] {
                let s = self.spans[s as usize];
                if self.token_count_between(s.open, s.close) >= 3 {
                    out.push(Raw {
                        kind: QuoteKind::Direct,
                        class: CueClass::Verb,
                        cue,
                        content: (s.open + 1, s.close),
                        src,
                    });
                }
            }
        }
    }

    fn participle_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let cue = (self.toks[i].start, self.toks[i].end);
        if let Some((kind, cs, ce)) = self.find_content(i + 1, lim, 12) {
            let ss = self.sent_start(i);
            let same_sentence_quote = out.last().is_some_and(|q| q.content.0 >= self.toks[ss].start);
            let src = if same_sentence_quote || i == ss {
                Src::Inherit
            } else {
                Src::SentenceSubject(ss)
            };
            if ce > cs {
                out.push(Raw { kind, class: CueClass::Participle, cue, content: (cs, ce), src });
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
        let Some((a, b)) = self.parse_np(k + 1, lim) else { return };
        let mut after = b;
        if matches!(self.norm(after), "قوله" | "قولها" | "قولهم" | "قولهما") {
            after += 1;
        }
        if let Some((kind, cs, ce)) = self.find_content(after, lim, 12) {
            let cue = (self.toks[i].start, self.toks[i].end);
            out.push(Raw { kind, class: CueClass::Transmit, cue, content: (cs, ce), src: Src::Np(a, b) });
        }
    }

    fn nominal_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        let w = self.norm(i);
        let bare = lex::strip_conj(w).unwrap_or(w);
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
        if self.norm(k) == "ما" && !matches!(bare, "حسبما" | "بحسبما" | "وفقما") {
            k += 1;
        }
        if matches!(bare, "حسبما" | "بحسبما" | "وفقما") || self.norm(k - 1) == "ما" {
            if self.lex.cue(self.norm(k)) == Some(CueClass::Verb) {
                k += 1;
                via_verb = true;
            } else {
                return;
            }
        }
        let cue_end = self.toks[k - 1].end;
        if k >= lim {
            return;
        }
        // The source phrase may carry ل (وفقا للوزارة): parse it from its stem.
        let first = &self.toks[k];
        let first_w = first.stem_segment().text.as_str();
        let lam = matches!(first_proclitic(first), Some("ل") | Some("لل"));
        let np = if lam {
            self.parse_np(k + 1, lim).map(|(_, e)| (k, e)).or(Some((k, k + 1)))
        } else {
            self.parse_np(k, lim)
        };
        let quoted_source = self.opens[k].is_some();
        let np = match np {
            Some(np) => np,
            None if quoted_source => {
                let s = self.spans[self.opens[k].unwrap() as usize];
                let e = self.toks.partition_point(|t| t.start <= s.close);
                (k, e)
            }
            None => return,
        };
        let head = if lam {
            let mut h = String::from(if first_proclitic(first) == Some("لل") { "ال" } else { "" });
            h.push_str(first_w);
            h
        } else {
            self.norm(np.0).to_string()
        };
        let head_bare = head.strip_prefix("ال").unwrap_or(&head);
        let sourcey = via_verb
            || quoted_source
            || self.lex.is_descriptive(&head)
            || self.lex.is_descriptive(head_bare)
            || self.entity_at(self.toks[np.0].start, self.toks[np.1 - 1].end).is_some()
            || (self.name_like(np.0) && first_proclitic(&self.toks[np.0]).is_none() && !lam);
        if !sourcey {
            return;
        }
        let cue = (self.toks[i].start, cue_end);
        let src = Src::Np(np.0, np.1);
        // Sentence-initial attribution: وبحسب المصدر، فإن ... → content after the phrase.
        let ss = self.sent_start(i);
        let initial = (ss..i).all(|j| self.is_punct(j) || matches!(self.norm(j), "و" | "ف"));
        if initial {
            let mut a = np.1;
            while a < lim && matches!(self.norm(a), "،" | "," | "فان" | "فانه" | "فانها" | "ف") {
                a += 1;
            }
            if a + 1 < lim {
                out.push(Raw {
                    kind: QuoteKind::Indirect,
                    class: CueClass::Nominal,
                    cue,
                    content: (self.toks[a].start, self.content_end(lim)),
                    src,
                });
            }
            return;
        }
        // نقلا عن فلان قوله إن ...
        let mut after = np.1;
        if matches!(self.norm(after), "قوله" | "قولها" | "قولهم") {
            after += 1;
            if let Some((kind, cs, ce)) = self.find_content(after, lim, 4) {
                out.push(Raw { kind, class: CueClass::Nominal, cue, content: (cs, ce), src });
                return;
            }
        }
        if let Some((cs, ce)) = self.content_before(i) {
            out.push(Raw { kind: QuoteKind::Indirect, class: CueClass::Nominal, cue, content: (cs, ce), src });
        }
    }

    /// "وجاء في بيان الوزارة أن ..." — the statement is the speaker.
    fn came_in_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        if self.norm(i + 1) != "في" || i + 2 >= lim {
            return;
        }
        let head = self.norm(i + 2);
        let head_bare = head.strip_prefix("ال").unwrap_or(head);
        if !matches!(head_bare, "بيان" | "تقرير" | "رسالة" | "تغريدة" | "نص" | "خطاب" | "مذكرة" | "منشور" | "تعميم" | "كلمة") {
            return;
        }
        let np_end = self.parse_np(i + 3, lim).map_or(i + 3, |(_, e)| e);
        let np = (i + 2, np_end);
        if let Some((kind, cs, ce)) = self.find_content(np_end, lim, 16) {
            let cue = (self.toks[i].start, self.toks[i + 2].end);
            out.push(Raw { kind, class: CueClass::Verb, cue, content: (cs, ce), src: Src::Np(np.0, np.1) });
        }
    }

    /// A wire-style lead whose verb was dropped: "رجل طاجيكي انضم لتنظيم داعش أن ...".
    /// Only the first body sentence, only a generic person noun up front, and no
    /// punctuation or verb cue before the complementizer; the cue is an empty span.
    fn elided_lead(&self, out: &mut Vec<Raw>) {
        let title_end = self.doc.title.chars().count();
        let si = usize::from(title_end > 0);
        let Some(&(a, b)) = self.sent_toks.get(si) else { return };
        if a >= b || self.toks[a].start < title_end || !self.lex.is_generic_any(self.norm(a)) {
            return;
        }
        for k in a + 1..b.min(a + 12) {
            let w = self.norm(k);
            if self.is_punct(k) || self.lex.cue(w).is_some() {
                return;
            }
            if lex::is_complementizer(w) && !lex::blocks_complementizer(self.norm(k - 1)) {
                let cs = if matches!(w, "ان" | "بان") && k + 1 < b { self.toks[k + 1].start } else { self.toks[k].start };
                let s = self.toks[a].start;
                out.push(Raw { kind: QuoteKind::Indirect, class: CueClass::Verb, cue: (s, s), content: (cs, self.content_end(b)), src: Src::Np(a, k) });
                return;
            }
        }
    }

    /// Headline quotation: "المتحدث: ..." in the title.
    fn headline(&self, out: &mut Vec<Raw>) {
        let Some(&(a, b)) = self.sent_toks.first() else { return };
        let title_end = self.doc.title.chars().count();
        let b = self.toks[a..b].iter().take_while(|t| t.end <= title_end).count() + a;
        let colon = (a..b.min(a + 9)).find(|&k| self.norm(k) == ":");
        let Some(c) = colon else { return };
        if c == a || c + 1 >= b {
            return;
        }
        let first = self.norm(a);
        if self.lex.is_headline_non_speaker(first) || !is_word(&self.toks[a]) {
            return;
        }
        if (a..c).any(|k| self.lex.is_headline_non_speaker(self.norm(k)) || self.toks[k].kind == TokenKind::Number) {
            return;
        }
        // The speaker is the words before the colon, up to a ل-phrase (لـ«الحياة»).
        let mut e = a;
        while e < c && is_word(&self.toks[e]) && !(e > a && matches!(first_proclitic(&self.toks[e]), Some("ل") | Some("لل")) && !lex::is_lam_continuation(self.toks[e].stem_segment().text.as_str())) && self.norm(e) != "ل" {
            e += 1;
        }
        if e == a {
            return;
        }
        let (cs, ce) = match self.opens[c + 1] {
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
        });
    }

    /// Index of a PER or ORG entity overlapping chars `a..b`.
    fn entity_at(&self, a: usize, b: usize) -> Option<usize> {
        let ents = &self.doc.entities;
        let mut best = None;
        for (i, e) in ents.iter().enumerate() {
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
        let ms = name_start(&self.toks[a]).max(self.toks[a].start);
        let first = self.norm(a);
        let mut name = None;
        if self.name_like(a) || (first_proclitic(&self.toks[a]) == Some("ال") && !self.lex.is_descriptive(first) && !self.lex.is_rank(first) && self.toks[a].kind == TokenKind::Word && !has_enclitic(&self.toks[a])) {
            let mut e = a + 1;
            while e < b && (self.name_like(e) || first_proclitic(&self.toks[e]) == Some("ال") && !self.lex.is_descriptive(self.norm(e))) {
                e += 1;
            }
            name = Some((a, e));
        } else if self.lex.is_title(first) || self.lex.is_rank(first) {
            // In a construct chain only the last noun is definite; an indefinite word after a
            // definite one starts an apposition: the name (وزير الخارجية سيرغي لافروف).
            let mut k = a + 1;
            while k < b {
                let prev = self.norm(k - 1);
                let prev_def = prev.starts_with("ال") || self.lex.is_rank(prev) || first_proclitic(&self.toks[k - 1]) == Some("لل");
                if self.lex.is_rank(self.norm(k)) && self.name_like(k + 1) {
                    k += 1;
                    continue;
                }
                if prev_def && self.name_like(k) {
                    let mut e = k + 1;
                    while e < b && (self.name_like(e) || first_proclitic(&self.toks[e]) == Some("ال") && !self.lex.is_descriptive(self.norm(e))) {
                        e += 1;
                    }
                    name = Some((k, e));
                    break;
                }
                k += 1;
            }
        }
        NpInfo { mention: (ms, self.toks[b - 1].end), name, toks: (a, b) }
    }

    /// The longest form of a name found anywhere in the text (نزاروف → عبد الأحد رستم نزاروف).
    fn longest_name(&self, name: (usize, usize)) -> (usize, usize) {
        let (a, b) = name;
        let last = self.norm(b - 1);
        let len = b - a;
        let mut best = (self.toks[a].start, self.toks[b - 1].end);
        let mut best_len = len;
        for (p, t) in self.toks.iter().enumerate() {
            if t.norm != last && t.stem_segment().text != last {
                continue;
            }
            if p + 1 < len {
                continue;
            }
            // The mention's words must all match, then extend to the left over name words.
            if (0..len).any(|d| {
                let q = p + 1 - len + d;
                let want = self.norm(a + d);
                let have = &self.toks[q];
                have.norm != want && have.stem_segment().text != want
            }) {
                continue;
            }
            let mut s = p + 1 - len;
            while s > 0 && self.name_like(s - 1) && self.tok_sent[s - 1] == self.tok_sent[p] {
                s -= 1;
            }
            let e = p + 1;
            let n = e - s;
            if n > best_len {
                best_len = n;
                best = (name_start(&self.toks[s]), self.toks[e - 1].end);
            }
        }
        best
    }

    /// The best name for an entity: the longest entity of its label sharing its last word.
    fn longest_entity(&self, ei: usize) -> usize {
        let ents = &self.doc.entities;
        let e = &ents[ei];
        let last = norm_text(&e.text).rsplit(' ').next().unwrap_or("").to_string();
        let mut best = ei;
        for (j, f) in ents.iter().enumerate() {
            if f.label != e.label || f.text.chars().count() <= ents[best].text.chars().count() {
                continue;
            }
            let nf = norm_text(&f.text);
            if nf.split(' ').any(|w| w == last) {
                best = j;
            }
        }
        best
    }

    /// Earliest phrase "وزارة الداخلية" for a definite head "الوزارة", before `before`.
    fn expand_definite(&self, head: &str, before: usize) -> Option<(usize, usize)> {
        let indef = head.strip_prefix("ال")?;
        let want_title = self.lex.is_title(indef) || self.lex.is_title(head);
        let mut best = None;
        for p in 0..before.min(self.toks.len()) {
            let t = &self.toks[p];
            let w = lex::strip_conj(&t.norm).filter(|r| *r == indef).unwrap_or(&t.norm);
            let stem = t.stem_segment().text.as_str();
            if w != indef && stem != indef {
                continue;
            }
            // Construct chain up to its definite end, then a name for titles.
            let mut e = p + 1;
            while e < self.toks.len() && e < p + 5 && is_word(&self.toks[e]) && !self.lex.is_np_stop(self.norm(e)) {
                let def = self.norm(e).starts_with("ال");
                e += 1;
                if def {
                    break;
                }
            }
            if e == p + 1 {
                continue;
            }
            if want_title {
                let info = self.np_info(p, (e + 4).min(self.sent_end(p)).max(e));
                if let Some(n) = info.name {
                    return Some(self.longest_name(n));
                }
                continue;
            }
            best = Some((name_start(t), self.toks[e - 1].end));
        }
        best
    }

    /// The subject of the first verb of sentence-start token `ss` (وأشاد الوزير ..., مؤكدا).
    fn sentence_subject(&self, ss: usize) -> Option<(usize, usize)> {
        let lim = self.sent_end(ss);
        let mut k = ss;
        while k < lim && (self.is_punct(k) || matches!(self.norm(k), "و" | "ف" | "كما" | "من" | "جهته" | "جهتها" | "جانبه" | "جانبها")) {
            k += 1;
        }
        // Verb-initial sentence: the subject follows the verb.
        self.parse_np(k + 1, lim)
    }
}

/// Extracts the quotations of a document.
pub fn extract(doc: &Document) -> Vec<Quote> {
    if doc.tokens.is_empty() {
        return Vec::new();
    }
    let cx = Ctx::new(doc);
    let mut raw: Vec<Raw> = Vec::new();
    cx.headline(&mut raw);
    cx.elided_lead(&mut raw);
    let title_end = doc.title.chars().count();
    for i in 0..cx.toks.len() {
        let t = &cx.toks[i];
        if t.kind != TokenKind::Word || cx.in_quote[i].is_some() {
            continue;
        }
        let w = t.norm.as_str();
        if matches!(w, "جاء" | "وجاء") {
            cx.came_in_cue(i, &mut raw);
            continue;
        }
        let Some(class) = cx.lex.cue(w) else { continue };
        if t.end <= title_end && !raw.is_empty() && raw[0].cue.0 < title_end {
            continue;
        }
        match class {
            CueClass::Verb => cx.verb_cue(i, &mut raw),
            CueClass::Participle => cx.participle_cue(i, &mut raw),
            CueClass::Nominal => cx.nominal_cue(i, &mut raw),
            CueClass::Transmit => cx.transmit_cue(i, &mut raw),
        }
    }
    raw.sort_by_key(|q| q.cue.0);
    let raw = resolve_overlaps(&cx, raw);
    build(&cx, raw)
}

/// Trims a content that runs into a later cue; drops duplicates.
fn resolve_overlaps(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::with_capacity(raw.len());
    for q in raw {
        let mut keep = true;
        if let Some(p) = out.last_mut() {
            let overlap = q.content.0 < p.content.1 && p.content.0 < q.content.1;
            if overlap || (q.cue.0 < p.content.1 && q.cue.0 >= p.content.0) {
                if q.cue.0 >= p.content.0 && q.cue.0 < p.content.1 {
                    // The later cue starts inside the earlier content: the earlier one ends there.
                    let end = trim_end(cx, p.content.0, q.cue.0);
                    if q.class == CueClass::Nominal && q.content.1 <= q.cue.0 {
                        // "…، بحسب فلان" after a quotation only names its source.
                        keep = false;
                    }
                    if end > p.content.0 {
                        p.content.1 = end;
                    }
                } else {
                    keep = false;
                }
            }
        }
        if keep && q.content.1 > q.content.0 {
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
        let drop = (t.kind == TokenKind::Punct && cx.closes[k - 1].is_none()) || matches!(t.norm.as_str(), "و" | "وذلك" | "ف");
        if !drop {
            return t.end;
        }
        k -= 1;
    }
    start
}

fn build(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Quote> {
    let doc = cx.doc;
    // First resolve explicit phrases, so that descriptions can link forward (الرجل → نزاروف).
    let infos: Vec<Option<NpInfo>> = raw
        .iter()
        .map(|q| match q.src {
            Src::Np(a, b) => Some(cx.np_info(a, b)),
            Src::SentenceSubject(ss) => cx.sentence_subject(ss).map(|(a, b)| cx.np_info(a, b)),
            Src::Inherit => None,
        })
        .collect();
    let named: Vec<Option<Speaker>> = infos
        .iter()
        .map(|info| {
            let info = info.as_ref()?;
            let (ms, me) = info.mention;
            if !doc.entities.is_empty() {
                if let Some(ei) = cx.entity_at(ms, me) {
                    let best = cx.longest_entity(ei);
                    return Some(Speaker {
                        text: doc.entities[best].text.clone(),
                        mention: Some(doc.text_span(ms, me)),
                        entity: Some(ei),
                    });
                }
            }
            let (a, b) = info.name?;
            let (s, e) = cx.longest_name((a, b));
            Some(Speaker { text: doc.slice(s, e).to_string(), mention: Some(doc.text_span(ms, me)), entity: None })
        })
        .collect();
    let mut out: Vec<Quote> = Vec::with_capacity(raw.len());
    let mut prev: Option<Speaker> = None;
    for (qi, q) in raw.iter().enumerate() {
        let speaker = if let Some(sp) = &named[qi] {
            sp.clone()
        } else if let Some(info) = &infos[qi] {
            let (ms, me) = info.mention;
            let mention = doc.text_span(ms, me);
            let (a, b) = info.toks;
            let head = cx.norm(a);
            let lead = q.cue.0 == q.cue.1;
            let linked = if (b - a <= 2 || lead) && cx.lex.is_generic_any(head) {
                // The protagonist: the nearest named speaker, before or after.
                (0..qi).rev().chain(qi + 1..raw.len()).find_map(|j| named[j].clone()).filter(|s| s.mention.is_some())
            } else if b - a == 1 && head.starts_with("ال") && (cx.lex.is_title(head) || cx.lex.is_org(head)) {
                let before_title = (0..qi).rev().find_map(|j| {
                    let sp = named[j].as_ref()?;
                    let m = norm_text(&sp.mention.as_ref()?.text);
                    let indef = head.strip_prefix("ال").unwrap_or(head);
                    (m.starts_with(indef) || m.starts_with(head)).then(|| sp.clone())
                });
                before_title.or_else(|| {
                    cx.expand_definite(head, a).map(|(s, e)| Speaker {
                        text: doc.slice(s, e).to_string(),
                        mention: None,
                        entity: if doc.entities.is_empty() { None } else { cx.entity_at(s, e) },
                    })
                })
            } else {
                None
            };
            match linked {
                Some(sp) => Speaker { text: sp.text, mention: Some(mention), entity: sp.entity },
                None => Speaker { text: mention.text.clone(), mention: Some(mention), entity: None },
            }
        } else if let Some(p) = &prev {
            Speaker { text: p.text.clone(), mention: None, entity: p.entity }
        } else {
            let ss = cx.sent_start(cx.toks.partition_point(|t| t.start < q.cue.0));
            let prev_sent = cx.tok_sent.get(ss).copied().filter(|&s| s != u32::MAX && s > 0).map(|s| cx.sent_toks[s as usize - 1].0);
            let np = prev_sent.and_then(|p| cx.sentence_subject(p));
            match np {
                Some((a, b)) => {
                    let ms = name_start(&cx.toks[a]);
                    Speaker { text: doc.slice(ms, cx.toks[b - 1].end).to_string(), mention: None, entity: None }
                }
                None => Speaker { text: String::new(), mention: None, entity: None },
            }
        };
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
