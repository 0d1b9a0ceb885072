//! Stage 3: quotation contents. Quote marks pair into spans; a cue's content is a quoted
//! span, what follows a colon, or a clause opened by a complementizer, up to the clause end.
//! Once all cues are found, overlapping quotations are trimmed or dropped.

use super::context::Ctx;
use super::{Raw, Src};
use crate::lex::{self, CueClass};
use khabar_analysis::QuoteKind;
use khabar_text::TokenKind;

/// A quoted stretch of text: char offsets of the opening and closing marks.
#[derive(Debug, Clone, Copy)]
pub(super) struct QSpan {
    pub(super) open: usize,
    pub(super) close: usize,
}

/// Finds quoted spans, pairing marks within a paragraph. A straight quote `"` preceded by a
/// space and followed by a letter opens a nested quotation rather than closing one.
///
/// One pass over the bytes collects the marks and line breaks with their char offsets; the
/// pairing then works on that short list.
pub(super) fn quote_spans(text: &str) -> Vec<QSpan> {
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

/// Trims a content that runs into a later cue; drops duplicates and nested attributions.
pub(super) fn resolve_overlaps(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Raw> {
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
            // A report inside a noun object ("أعرب عن قلقه …، ورغم ذلك أكد أنها …") is a
            // new quotation; inside a reported clause a bare verb belongs to that clause.
            let in_noun_object = p.kind == QuoteKind::Indirect && !after_complementizer(cx, p);
            let embedded_verb = q.class == CueClass::Verb
                && q.kind == QuoteKind::Indirect
                && matches!(q.src, Src::Mid(_))
                && !conj
                && !(in_noun_object && after_complementizer(cx, &q));
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

/// Tokens searched for the preposition a noun-object cue governs.
const GOVERNED_WINDOW: usize = 25;

/// Whether a quotation's content is a clause opened by a complementizer (أن، إن، بأن، أنه …),
/// not a noun object.
fn after_complementizer(cx: &Ctx<'_>, q: &Raw) -> bool {
    let a = cx.toks.partition_point(|t| t.start < q.content.0);
    lex::is_complementizer(cx.norm(a)) || (a > 0 && lex::is_complementizer(cx.norm(a - 1)))
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

impl<'a> Ctx<'a> {
    /// Looks for reported content from token `from`: a colon, a quoted span or a complementizer.
    pub(super) fn find_content(
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
                // A complementizer that ends the text or the clause reports nothing.
                if !(k + 1..lim).any(|j| self.toks[j].kind == TokenKind::Word) {
                    return None;
                }
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
    pub(super) fn is_clause_break(&self, k: usize) -> bool {
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
    pub(super) fn token_count_between(&self, a: usize, b: usize) -> usize {
        let i = self.toks.partition_point(|t| t.start <= a);
        let j = self.toks.partition_point(|t| t.start < b);
        j.saturating_sub(i)
    }

    /// What was said as a noun object ("أعرب عن رغبته في …"): from token `after` (past a
    /// free-standing عن، من، إلى، على) to the end of the clause; at least two words.
    pub(super) fn noun_object(
        &self,
        after: usize,
        lim: usize,
        governs: Option<&str>,
    ) -> Option<(usize, usize)> {
        // The preposition the verb governs opens the object, past a subject, a time or a
        // place ("طالب اليوم المجلس في بيان ختامي بالتسريع في …"، "وشدد في مؤتمر صحفي على …").
        if let Some(prep) = governs {
            let found = (after..lim.min(after + GOVERNED_WINDOW))
                .take_while(|&k| {
                    !lex::is_complementizer(self.norm(k))
                        && !matches!(self.norm(k), "." | "؛" | ";" | ":")
                        && (k == after || self.cue_at(k).is_none())
                })
                .find_map(|k| {
                    let t = &self.toks[k];
                    if t.norm == prep {
                        Some(k + 1)
                    } else if prep == "ب"
                        && t.segments.len() > 1
                        && t.segments[0].kind == khabar_text::SegmentKind::Proclitic
                        && t.segments[0].text == "ب"
                    {
                        Some(k)
                    } else {
                        None
                    }
                });
            if let Some(object) = found.and_then(|a| self.object_from(a, lim)) {
                return Some(object);
            }
        }
        // A time or place phrase may come first ("أعلنت الشركة أمس عن …"): the object starts
        // after the first free-standing preposition within a few words.
        let mut a = after;
        if let Some(p) = (after..lim.min(after + 5))
            .take_while(|&k| !self.is_punct(k) && !lex::is_complementizer(self.norm(k)))
            .find(|&k| matches!(self.norm(k), "عن" | "من" | "الي" | "علي"))
        {
            a = p + 1;
        }
        if lex::is_complementizer(self.norm(a)) {
            return None;
        }
        self.object_from(a, lim)
    }

    /// A noun object from token `a` to the end of its clause: two words at least.
    fn object_from(&self, a: usize, lim: usize) -> Option<(usize, usize)> {
        if a + 1 >= lim || self.is_punct(a) {
            return None;
        }
        let ce = self.content_end(self.clause_limit(a, lim));
        (ce > self.toks[a + 1].start).then(|| (self.toks[a].start, ce))
    }

    /// End of content that runs to the end of a sentence (token limit `lim`): the last
    /// non-punctuation token, or a closing quote mark.
    pub(super) fn content_end(&self, lim: usize) -> usize {
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
    pub(super) fn content_before(&self, cue: usize) -> Option<(usize, usize)> {
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
}

#[cfg(test)]
mod tests {
    use super::super::context::Scratch;
    use super::super::{test_doc, tok};
    use super::*;

    fn pairs(text: &str) -> Vec<(usize, usize)> {
        quote_spans(text)
            .iter()
            .map(|s| (s.open, s.close))
            .collect()
    }

    #[test]
    fn pairs_marks_within_a_paragraph() {
        assert_eq!(pairs("قال «نعم» ثم “لا”"), vec![(4, 8), (13, 16)]);
        // Reversed guillemets from bidi-confused sources still pair.
        assert_eq!(pairs("»نعم«"), vec![(0, 4)]);
        // A line break ends the search for a closing mark.
        assert_eq!(pairs("«نعم\nلا»"), vec![]);
    }

    #[test]
    fn reported_clause_after_complementizer() {
        let doc = test_doc("وقال وزير المالية إن العجز انخفض، مؤكدا أن الإنفاق سيرتفع.");
        let cx = Ctx::new(&doc, Scratch::default());
        let from = tok(&cx, "ان");
        let lim = cx.sent_end(from);
        let (kind, s, e) = cx.find_content(from, lim, 32, false).unwrap();
        assert_eq!(kind, QuoteKind::Indirect);
        // The clause stops before "، مؤكدا".
        assert_eq!(doc.slice(s, e), "العجز انخفض");
    }

    #[test]
    fn a_report_after_a_noun_object_is_a_quotation_of_its_own() {
        let doc = test_doc(
            "وأعرب العلماء عن قلقهم إزاء تدهور صحة الأسماك، وأكدوا أنها لا تزال صالحة للأكل.",
        );
        let q = crate::extract_quotes(&doc);
        assert_eq!(q.len(), 2, "{q:?}");
        assert_eq!(q[0].content.text, "قلقهم إزاء تدهور صحة الأسماك");
        assert!(q[1].content.text.starts_with("أنها لا تزال"));
        // Inside a reported clause a bare verb stays part of it.
        let doc = test_doc("وقال الوزير إن الشركة تؤكد بأنها ستفي بالتزاماتها.");
        assert_eq!(crate::extract_quotes(&doc).len(), 1);
    }

    #[test]
    fn a_noun_object_opens_at_the_preposition_its_verb_governs() {
        let doc = test_doc(
            "وطالب اليوم مجلس الحركة في بيان ختامي لاجتماع عقده أمس بالتسريع في إصلاح الطرق.",
        );
        let q = crate::extract_quotes(&doc);
        assert_eq!(q[0].content.text, "بالتسريع في إصلاح الطرق");
        let doc = test_doc("وشدد الوزير في مؤتمر صحفي مشترك على التعاون بين البلدين.");
        let q = crate::extract_quotes(&doc);
        assert_eq!(q[0].content.text, "التعاون بين البلدين");
    }

    #[test]
    fn a_complementizer_with_nothing_after_it_reports_nothing() {
        let q = crate::extract_quotes(&test_doc("وقال الوزير إن العمل مستمر. وأضاف أن"));
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].content.text, "العمل مستمر");
    }
}
