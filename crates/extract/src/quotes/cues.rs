//! Stage 2: cue detection. Each reporting cue yields a [`Raw`] quotation: its content (found
//! with `spans`) and the source of its speaker (found with `candidates`). Verbs (قال),
//! participles (مؤكدا), nominal attributions (بحسب، وفقا ل), transmission (نقل عن), "جاء في",
//! an elided wire lead and a headline colon each have their own rule.

use super::candidates::is_def;
use super::context::{first_proclitic, is_word, to_audience, Ctx};
use super::{Raw, Src};
use crate::lex::{self, CueClass};
use khabar_analysis::QuoteKind;
use khabar_text::{SegmentKind, Token, TokenKind};

/// Cheap test before the cue table: no cue carries the article or a pronoun suffix.
pub(super) fn may_be_cue(t: &Token) -> bool {
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

impl<'a> Ctx<'a> {
    pub(super) fn verb_cue(&self, i: usize, out: &mut Vec<Raw>) {
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
        let np = self.subject_np(self.subject_start(i, lim), lim);
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
        // "ودعا قادة الأمة إلى …": after verbs of urging, an unnamed noun phrase that follows a
        // continuing و is the addressee; the speaker is the one already speaking.
        let addressee = w.starts_with('و')
            && [
                "دعا",
                "دعت",
                "يدعو",
                "تدعو",
                "حث",
                "يحث",
                "تحث",
                "طالب",
                "يطالب",
                "تطالب",
                "ناشد",
            ]
            .iter()
            .any(|p| lex::strip_conj(w).unwrap_or(w).starts_with(p))
            && np.is_some_and(|(a, b)| {
                let head = self.norm(a);
                let bare_head = head.strip_prefix("ال").unwrap_or(head);
                let titled = [head, bare_head]
                    .iter()
                    .any(|h| self.lex.is_title(h) || self.lex.is_org(h));
                let person = self
                    .entity_at(self.toks[a].start, self.toks[b - 1].end)
                    .is_some_and(|e| self.doc.entities[e].label == "PER");
                !titled && !person
            });
        let src = match np {
            _ if addressee => self.subjectless(i),
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
                    out.push(Raw::new(
                        QuoteKind::Indirect,
                        CueClass::Verb,
                        cue,
                        (cs, ce),
                        src,
                    ));
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
                out.push(Raw::new(kind, CueClass::Verb, cue, (cs, ce), src));
            }
            return;
        }
        // What was said as a noun object: "أعرب الوزير عن رغبته في …".
        if lex::takes_noun_object(bare) {
            if let Some(content) = self.noun_object(after, lim, lex::governed_preposition(bare)) {
                out.push(Raw::new(
                    QuoteKind::Indirect,
                    CueClass::Verb,
                    cue,
                    content,
                    src,
                ));
                return;
            }
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
                    out.push(Raw::new(
                        QuoteKind::Direct,
                        CueClass::Verb,
                        cue,
                        (s.open + 1, s.close),
                        src,
                    ));
                }
            }
        }
    }

    pub(super) fn participle_cue(&self, i: usize, out: &mut Vec<Raw>) {
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
                out.push(Raw::new(kind, CueClass::Participle, cue, (cs, ce), src));
            }
        } else if lex::takes_noun_object(self.norm(i)) {
            // "مشيدا بجهود الوزارة": what was said as a noun object.
            let governs = lex::governed_preposition(self.norm(i));
            if let Some(content) = self.noun_object(i + 1, lim, governs) {
                let ss = self.sent_start(i);
                let src = if i == ss {
                    Src::Prev(i)
                } else {
                    Src::Participle(i)
                };
                out.push(Raw::new(
                    QuoteKind::Indirect,
                    CueClass::Participle,
                    cue,
                    content,
                    src,
                ));
            }
        }
    }

    pub(super) fn transmit_cue(&self, i: usize, out: &mut Vec<Raw>) {
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
            out.push(Raw::new(
                kind,
                CueClass::Transmit,
                cue,
                (cs, ce),
                Src::Np(a, b),
            ));
        }
    }

    pub(super) fn nominal_cue(&self, i: usize, out: &mut Vec<Raw>) {
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
                // … or the noun of a compound source: "شهود عيان"، "وسائل إعلام".
                let adj = matches!(x, "عيان" | "اعلام" | "الاعلام" | "انباء")
                    || x.ends_with('ي')
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
                out.push(Raw::new(kind, CueClass::Nominal, cue, (cs, ce), src));
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
                let aud = to_audience(t);
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
    pub(super) fn came_in_cue(&self, i: usize, out: &mut Vec<Raw>) {
        let lim = self.sent_end(i);
        if matches!(self.norm(i + 1), "فيه" | "فيها")
            && i >= 2
            && matches!(self.norm(i - 1), "الذي" | "التي")
        {
            let ante = i - 2;
            if let Some((kind, cs, ce)) = self.find_content(i + 2, lim, 4, false) {
                let cue = (self.toks[i].start, self.toks[i + 1].end);
                out.push(Raw::new(
                    kind,
                    CueClass::Verb,
                    cue,
                    (cs, ce),
                    Src::Np(ante, ante + 1),
                ));
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
            out.push(Raw::new(
                kind,
                CueClass::Verb,
                cue,
                (cs, ce),
                Src::Np(i + 2, np_end),
            ));
        }
    }

    /// A wire-style lead whose verb was dropped: "رجل طاجيكي انضم لتنظيم داعش أن ...".
    /// Only the first body sentence, only a generic person noun up front, and no
    /// punctuation or verb cue before the complementizer; the cue is an empty span.
    pub(super) fn elided_lead(&self, out: &mut Vec<Raw>) {
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
                out.push(Raw::new(
                    QuoteKind::Indirect,
                    CueClass::Verb,
                    (s, s),
                    (cs, self.content_end(b)),
                    Src::Np(a, k),
                ));
                return;
            }
        }
    }

    /// Headline quotation: "المتحدث: ..." in the title. The words before the colon must look
    /// like a speaker (a title, a body, or a personal name of two words or more), not a
    /// place or a topic ("الكاف : تأجيل …").
    pub(super) fn headline(&self, out: &mut Vec<Raw>) {
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
        // The speaker may be quoted: «موبايلي»: …
        if c == a || c + 1 >= b || !(is_word(&self.toks[a]) || self.opens(a).is_some()) {
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
            if e > a && (to_audience(t) || t.norm == "ل") {
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
        // A quoted name before the colon («موبايلي»: …) names its speaker.
        let quoted = self.opens(a).is_some() && self.closes(e - 1).is_some() && e - a <= 6;
        // So does a surname or a short name of a person the article names ("القوبع: …" for
        // إبراهيم القوبع); not a body's word, which may be a place ("الرياض: …").
        let named_below = e - a <= 2 && {
            let words: Vec<&str> = (a..e).map(|k| self.norm(k)).collect();
            self.doc.entities.iter().any(|en| {
                en.label == "PER"
                    && en.start >= title_end
                    && words.iter().all(|w| {
                        en.text
                            .split_whitespace()
                            .any(|x| khabar_text::normalize_word(x) == *w)
                    })
            })
        };
        if !(entity || descriptive || personal || quoted || named_below) {
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
        out.push(Raw::new(
            QuoteKind::Direct,
            CueClass::Verb,
            (self.toks[c].start, self.toks[c].end),
            (cs, ce),
            // Without the marks around a quoted name.
            if quoted {
                Src::Np(a + 1, e - 1)
            } else {
                Src::Np(a, e)
            },
        ));
    }

    /// A reference to the previous source: "المصدر ذاته"، "نفس المصدر"، "ذات البيان".
    fn is_back_reference(&self, a: usize, b: usize) -> bool {
        let self_word = |w: &str| matches!(w, "ذاته" | "نفسه" | "ذاتها" | "نفسها");
        matches!(self.norm(a), "ذات" | "نفس")
            || (b > a + 1 && self_word(self.norm(b - 1)))
            || self_word(self.norm(b))
    }
}

#[cfg(test)]
mod tests {
    use super::super::context::Scratch;
    use super::super::{test_doc, tok};
    use super::*;

    #[test]
    fn verb_cue_takes_subject_and_clause() {
        let doc = test_doc("وقال وزير المالية خالد السالم إن العجز انخفض.");
        let cx = Ctx::new(&doc, Scratch::default());
        let mut out = Vec::new();
        cx.verb_cue(tok(&cx, "وقال"), &mut out);
        assert_eq!(out.len(), 1);
        let q = &out[0];
        assert_eq!(q.kind, QuoteKind::Indirect);
        assert_eq!(doc.slice(q.content.0, q.content.1), "العجز انخفض");
        let Src::Np(a, b) = q.src else {
            panic!("no subject: {:?}", q.src)
        };
        assert_eq!(
            doc.slice(cx.toks[a].start, cx.toks[b - 1].end),
            "وزير المالية خالد السالم"
        );
    }

    #[test]
    fn impersonal_verb_is_no_cue() {
        let doc = test_doc("ويذكر أن العجز انخفض العام الماضي.");
        let cx = Ctx::new(&doc, Scratch::default());
        let mut out = Vec::new();
        cx.verb_cue(tok(&cx, "ويذكر"), &mut out);
        assert!(out.is_empty());
    }
}
