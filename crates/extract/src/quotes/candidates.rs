//! Stage 4: speaker candidates. The noun phrase after a cue (or before it: "وكان الوزير قد
//! أعلن"), the sentence subject for a participle, a name earlier in the sentence; and where
//! the personal or organisation name sits inside such a phrase.

use super::context::{first_proclitic, is_word, to_audience, Ctx};
use super::Src;
use crate::lex;
use khabar_analysis::name_start;
use khabar_text::{SegmentKind, Token, TokenKind};

/// A subject phrase: its mention and where a personal/organisation name is in it.
#[derive(Debug, Clone)]
pub(super) struct NpInfo {
    pub(super) mention: (usize, usize),
    /// Token range of the name inside the phrase, if any.
    pub(super) name: Option<(usize, usize)>,
    /// Token range of the phrase.
    pub(super) toks: (usize, usize),
}

/// Words after which a name continues with ال (عبد الله، أبو العباس، سيف الدين).
pub(super) fn is_name_particle(w: &str) -> bool {
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
pub(super) fn is_def(w: &str) -> bool {
    w.starts_with("ال") && w.len() >= 8
}

/// Spelled with a preposition or conjunction plus the article: للفروسية، بالجامعة، والوزير.
fn has_prefixed_article(w: &str) -> bool {
    ["لل", "بال", "وال", "فال", "كال"]
        .iter()
        .any(|p| w.starts_with(p))
        && w.len() >= 10
}

/// Where a name written in `t` begins: after و/ب/ل, but not after a ف/ك/س the segmenter
/// wrongly split off (فادي، كريم، سالم).
pub(super) fn name_begin(t: &Token) -> usize {
    match first_proclitic(t) {
        Some("ف") | Some("ك") | Some("س") => t.start,
        _ => name_start(t),
    }
}

fn has_enclitic(t: &Token) -> bool {
    t.segments.iter().any(|s| s.kind == SegmentKind::Enclitic)
}

impl<'a> Ctx<'a> {
    /// A word that can be part of a personal name.
    pub(super) fn name_like(&self, i: usize) -> bool {
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
    pub(super) fn name_tail(&self, i: usize) -> bool {
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
    pub(super) fn name_run(&self, a: usize, lim: usize) -> usize {
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
    pub(super) fn parse_np(&self, j: usize, lim: usize) -> Option<(usize, usize)> {
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
            // "حديث" after an indefinite noun is "recent" (تقرير حديث، دراسة حديثة), not the
            // speech event that ends a phrase (في حديث لـ…).
            let recent = matches!(w, "حديث" | "حديثة")
                && k > j
                && !self.norm(k - 1).starts_with("ال")
                && is_word(&self.toks[k - 1]);
            if self.cue_at(k).is_some()
                || lex::is_complementizer(w)
                || (lex.is_event(w) && n > 0 && !recent)
            {
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
    pub(super) fn subject_np(&self, j: usize, lim: usize) -> Option<(usize, usize)> {
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

    /// Where the subject of the verb at token `verb` may start: after it, past "ذلك" (أوضح ذلك
    /// فلان) and an addressee, which may come before the subject ("وقالت لـ«عكاظ» مصادر …"،
    /// "وقال للصحيفة مدير المستشفى …"): a quoted outlet or one word after a free-standing ل, or
    /// one word with ل/لل that names an audience or medium, with its definite attributes.
    pub(super) fn subject_start(&self, verb: usize, lim: usize) -> usize {
        let mut j = verb + 1;
        if j < lim && self.norm(j) == "ذلك" {
            j += 1;
        }
        if j + 1 >= lim {
            return j;
        }
        if self.norm(j) == "ل" {
            if let Some(s) = self.opens(j + 1) {
                let s = self.spans[s as usize];
                let after = self.toks.partition_point(|t| t.start <= s.close);
                if self.token_count_between(s.open, s.close) <= 4 && after < lim {
                    return after;
                }
                return j;
            }
            return if is_word(&self.toks[j + 1]) { j + 2 } else { j };
        }
        if to_audience(&self.toks[j]) {
            // "لوكالة الأنباء السعودية": the medium's name goes with it.
            let mut k = j + 1;
            while k < lim && k < j + 4 && self.norm(k).starts_with("ال") && !self.is_punct(k) {
                k += 1;
            }
            return k;
        }
        j
    }

    pub(super) fn np_has_name(&self, a: usize, b: usize) -> bool {
        self.np_info(a, b).name.is_some()
    }

    /// Classifies a subject phrase: where its name part is.
    pub(super) fn np_info(&self, a: usize, b: usize) -> NpInfo {
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
            // One unknown indefinite word that governs what follows is a common noun heading a
            // description, not a name ("عدد من المختصين"، "جد الطفلة"، "مسؤولو المدينة"); a
            // name may still follow it in apposition (مشرف المقررات حبيب خلاف).
            let governs = e == a + 1 && e < b && {
                let next = self.norm(e);
                matches!(next, "من" | "في") || (is_def(next) && !self.name_tail(e))
            };
            // A word the article gives elsewhere at the end of a person's name is a surname
            // (أياد بن عبدالوهاب بافقيه … بافقيه من).
            let known = || {
                self.word_index().get(first).is_some_and(|ks| {
                    ks.iter().any(|&k| {
                        let k = k as usize;
                        k != a
                            && k > 1
                            && self.name_like(k - 1)
                            && (matches!(self.norm(k - 2), "بن" | "ابن" | "بنت" | "ابو")
                                || self
                                    .entity_at(self.toks[k - 1].start, self.toks[k].end)
                                    .is_some_and(|e| self.doc.entities[e].label == "PER"))
                    })
                })
            };
            if !governs
                || self
                    .entity_at(self.toks[a].start, self.toks[a].end)
                    .is_some()
                || known()
            {
                return info(Some((a, e)));
            }
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

    /// The source of a subject-less cue.
    pub(super) fn subjectless(&self, i: usize) -> Src {
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
    pub(super) fn preposed_subject(&self, i: usize) -> Option<(usize, usize)> {
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
        // Subject first, as headlines and many leads put it ("الشرطة تعلن أن …"، "محللون
        // يحذرون من …"): the words from the sentence start up to the verb are one noun phrase
        // with a name or a person, body or source noun at its head.
        let mut a = ss;
        while a < e && (self.is_punct(a) || matches!(self.norm(a), "و" | "ف")) {
            a += 1;
        }
        // A quoted name alone before the verb: "«كوتش» تكشف عن …".
        if a > ss && self.in_quote(a).is_some() && e - a <= 5 {
            if let Some(s) = self.opens(a - 1) {
                let s = self.spans[s as usize];
                let close = self.toks.partition_point(|t| t.start < s.close);
                if close + 1 == e && close > a {
                    return Some((a, close));
                }
            }
        }
        if a < e && e - a <= 6 && !lex::PRONOUNS.contains(&self.norm(a)) {
            // The phrase (which starts at `a`) must reach the verb, up to punctuation.
            if let Some((_, y)) = self.parse_np(a, e) {
                let mut y2 = y;
                while y2 < e && self.is_punct(y2) && self.in_quote(y2).is_none() {
                    y2 += 1;
                }
                let head = self.np_info(a, y).name.is_some() || self.is_subject_head(a);
                if y2 == e && head {
                    return Some((a, y));
                }
            }
        }
        None
    }

    /// Whether a word can head a subject placed before its verb: a person, title, body or
    /// source noun, or a plural of people.
    fn is_subject_head(&self, k: usize) -> bool {
        let w = self.norm(k);
        let bare = w.strip_prefix("ال").unwrap_or(w);
        let lex = self.lex;
        lex.is_descriptive(w)
            || lex.is_descriptive(bare)
            || lex.is_title(bare)
            || lex.is_org(w)
            || lex.is_org(bare)
            || lex.is_source(w)
            || lex.is_source(bare)
            || lex.is_generic_any(w)
            || bare.ends_with("ون")
    }

    /// The subject of the first verb of the sentence starting at token `ss`.
    pub(super) fn sentence_subject(&self, ss: usize) -> Option<(usize, usize)> {
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
        let np = self.subject_np(self.subject_start(k, lim), lim)?;
        (!lex::PRONOUNS.contains(&self.norm(np.0)) && !self.lex.is_non_speaker(self.norm(np.0)))
            .then_some(np)
    }

    /// The nearest personal name before token `i` in its sentence.
    pub(super) fn name_before(&self, i: usize) -> Option<(usize, usize)> {
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

#[cfg(test)]
mod tests {
    use super::super::context::Scratch;
    use super::super::{test_doc, tok};
    use super::*;

    #[test]
    fn name_inside_title_phrase() {
        let doc = test_doc("وقال وزير المالية خالد السالم إن العجز انخفض.");
        let cx = Ctx::new(&doc, Scratch::default());
        let cue = tok(&cx, "وقال");
        let (a, b) = cx.subject_np(cue + 1, cx.sent_end(cue)).unwrap();
        // The phrase stops at the complementizer.
        assert_eq!(cx.norm(b), "ان");
        let (s, e) = cx.np_info(a, b).name.unwrap();
        assert_eq!(
            doc.slice(cx.toks[s].start, cx.toks[e - 1].end),
            "خالد السالم"
        );
    }

    #[test]
    fn subjectless_cue_at_sentence_start_takes_previous_speaker() {
        let doc = test_doc("قال الوزير إن العجز انخفض. وأضاف أن الإنفاق سيرتفع، ثم أضاف أنه راض.");
        let cx = Ctx::new(&doc, Scratch::default());
        let first = tok(&cx, "واضاف");
        assert_eq!(cx.subjectless(first), Src::Prev(first));
        let mid = tok(&cx, "اضاف");
        assert_eq!(cx.subjectless(mid), Src::Mid(mid));
    }

    #[test]
    fn a_subject_before_the_verb_is_the_speaker() {
        for (text, speaker) in [
            ("محللون يحذرون من تأثيرات سلبية على المصانع.", "محللون"),
            ("الشرطة تعلن أن الطريق مغلق.", "الشرطة"),
            ("«الأفق» تكشف عن هاتفها الجديد في المعرض.", "الأفق"),
        ] {
            let q = crate::extract_quotes(&test_doc(text));
            assert_eq!(q[0].speaker.text, speaker, "{text}");
        }
        // Not a phrase that is no subject ("أمس"), nor one that does not reach the verb.
        for text in [
            "قال الوزير إن العجز انخفض. وأمس أكد أن الإنفاق سيرتفع.",
            "قال الوزير إن العجز انخفض. وبعد اجتماع المجلس أكد أن الإنفاق سيرتفع.",
        ] {
            let q = crate::extract_quotes(&test_doc(text));
            assert_eq!(q[1].speaker.text, "الوزير", "{text}");
        }
    }

    #[test]
    fn the_addressee_before_the_subject_is_skipped() {
        for (text, speaker) in [
            (
                "وقال لـ«الحياة» المتحدث باسم الشرطة إن التحقيق مستمر.",
                "المتحدث باسم الشرطة",
            ),
            (
                "وقال للصحيفة مدير المستشفى إن المريض بخير.",
                "مدير المستشفى",
            ),
            (
                "وقالت لـ\"الرياض\" مصادر مطلعة إن الاجتماع تأجل.",
                "مصادر مطلعة",
            ),
        ] {
            let q = crate::extract_quotes(&test_doc(text));
            assert_eq!(q[0].speaker.text, speaker, "{text}");
        }
        // A participle takes the subject of its sentence, past "ذلك" and the addressee.
        let q = crate::extract_quotes(&test_doc(
            "أوضح ذلك لـ«الحياة» مصدر مسؤول في البعثة، مضيفا أن الرحلات تبدأ غدا.",
        ));
        assert_eq!(q[0].speaker.text, "مصدر مسؤول في البعثة");
        // An addressee with no subject after it: the content follows, nothing is skipped.
        let q = crate::extract_quotes(&test_doc(
            "قال الوزير إن العجز انخفض. وأكد لـ«الحياة» أن الإنفاق سيرتفع.",
        ));
        assert_eq!(q[1].speaker.text, "الوزير");
        assert!(q[1].content.text.starts_with("الإنفاق"));
    }

    #[test]
    fn an_indefinite_head_governing_a_phrase_is_no_name() {
        // "عدد" and "جد" head descriptions; "خالد" before "السالم" starts a name.
        for (text, cue, name) in [
            (
                "وأوضح عدد من المختصين في البرنامج أن الأجهزة تستهلك الكثير.",
                "واوضح",
                None,
            ),
            ("وقال جد الطفلة إن السفارة تتابع حالتها.", "وقال", None),
            (
                "وقال خالد السالم إن السفارة تتابع حالتها.",
                "وقال",
                Some("خالد السالم"),
            ),
        ] {
            let doc = test_doc(text);
            let cx = Ctx::new(&doc, Scratch::default());
            let cue = tok(&cx, cue);
            let (a, b) = cx.subject_np(cue + 1, cx.sent_end(cue)).unwrap();
            let got = cx
                .np_info(a, b)
                .name
                .map(|(s, e)| doc.slice(cx.toks[s].start, cx.toks[e - 1].end).to_string());
            assert_eq!(got.as_deref(), name, "{text}");
        }
        // The speaker is the description as written.
        let doc = test_doc("وقال جد الطفلة إن السفارة تتابع حالتها.");
        assert_eq!(super::super::extract(&doc)[0].speaker.text, "جد الطفلة");
    }
}
