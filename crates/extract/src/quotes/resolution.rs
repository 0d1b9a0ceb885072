//! Stage 5: speaker resolution, in text order. A candidate with a name takes the fullest
//! form the article gives (an entity, or the longest run of the same name words); a title
//! or body is linked to the name given for it elsewhere; a subject-less cue takes the
//! previous speaker.

use super::candidates::{is_name_particle, name_begin, NpInfo};
use super::context::{is_word, CharSpan, Ctx, EntityWords};
use super::{norm_text, Raw, Src};
use khabar_analysis::{name_start, Quote, Speaker};
use khabar_text::Token;
use rustc_hash::FxHashMap;

/// Resolves the speakers in text order.
pub(super) fn build(cx: &Ctx<'_>, raw: Vec<Raw>) -> Vec<Quote> {
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
    // Documents issued by an earlier speaker ("قالت السفارة في بيان لها …"): bare noun → speaker.
    // The latest issuer of each kind of document, looked up once per quotation (linear time).
    let mut issued: FxHashMap<&str, Speaker> = FxHashMap::default();
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
                // A span of the text as the speaker (a body's or a titled person's full name).
                let span_speaker = |(s, e): (usize, usize)| Speaker {
                    text: doc.slice(s, e).to_string(),
                    mention: None,
                    entity: cx.entity_at(s, e),
                    role: None,
                    chain: None,
                };
                // "الوزارة" → "وزارة النقل": the construct chain the article opened with it.
                let definite = |kind: bool| {
                    (b - a == 1 && head.starts_with("ال") && kind)
                        .then(|| cx.expand_definite(head, a))
                        .flatten()
                };
                from_quotes
                    .or_else(|| definite(cx.lex.is_org(head)).map(span_speaker))
                    .or_else(|| cx.title_name(a, b).map(span_speaker))
                    .or_else(|| definite(cx.lex.is_title(head)).map(span_speaker))
                    // "البيان" → "بيان السفارة الأمريكية": a document source is reported whole.
                    .or_else(|| {
                        definite(crate::lex::is_document(head))
                            // The earlier phrase opens with the bare noun (بيان الوزارة), not
                            // with the article again.
                            .filter(|&(s, e)| !norm_text(doc.slice(s, e)).starts_with("ال"))
                            .map(span_speaker)
                    })
                    // "وذكر البيان" after "قالت السفارة في بيان لها": the embassy's statement.
                    .or_else(|| {
                        let issuer = (b - a == 1 && crate::lex::is_document(head))
                            .then(|| {
                                let noun = head.strip_prefix("ال").unwrap_or(head);
                                issued.get(noun)
                            })
                            .flatten()?;
                        let t = doc.slice(cx.toks[a].start, cx.toks[a].end);
                        let noun = t.find("ال").map_or(t, |p| &t[p + "ال".len()..]);
                        Some(Speaker {
                            text: format!("{noun} {}", issuer.text),
                            mention: None,
                            entity: None,
                            role: None,
                            chain: None,
                        })
                    })
            };
            let mention = doc.text_span(info.mention.0, info.mention.1);
            let mut sp = match linked {
                Some(sp) => Speaker {
                    text: sp.text,
                    mention: Some(mention),
                    entity: sp.entity,
                    role: None,
                    chain: None,
                },
                None => Speaker {
                    text: mention.text.clone(),
                    mention: Some(mention),
                    entity: None,
                    role: None,
                    chain: None,
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
                role: None,
                chain: None,
            });
        }
        let mut speaker = speaker.unwrap_or_else(|| fallback_speaker(cx, q));
        // A named body or a definite one ("النادي"), not a group ("مسؤولون في …") whose
        // statement would read "بيان مسؤولون".
        if explicit && (speaker.entity.is_some() || norm_text(&speaker.text).starts_with("ال")) {
            if let Some(noun) = issued_document(cx, q) {
                issued.insert(noun, speaker.clone());
            }
        }
        if is_god_with_praise(&speaker.text) {
            speaker.text = "الله".to_string();
            speaker.entity = None;
        } else {
            // Scripture cited inside a speech ("قال تعالى (…)، وأضاف أن …") is not who goes on
            // speaking: the citing speaker stays the previous one.
            prev = Some(speaker.clone());
        }
        out.push(Quote {
            kind: q.kind,
            cue: doc.text_span(q.cue.0, q.cue.1),
            content: doc.text_span(q.content.0, q.content.1),
            speaker,
        });
    }
    out
}

/// The document a speaker issued, named between the cue and the content ("قالت الوزارة في
/// بيان لها أمس إن …"، "في تقريرها"): its bare normalized noun ("بيان"، "تقرير").
fn issued_document(cx: &Ctx<'_>, q: &Raw) -> Option<&'static str> {
    let from = cx.toks.partition_point(|t| t.start < q.cue.1);
    let to = cx
        .toks
        .partition_point(|t| t.start < q.content.0)
        .min(from + 12);
    (from + 1..to).find_map(|i| {
        (cx.norm(i - 1) == "في")
            .then(|| cx.lex.document_noun(cx.norm(i)))
            .flatten()
    })
}

/// Whether a speaker phrase is a praise formula, alone or after God's name ("تعالى"،
/// "الله تعالى"، "سبحانه وتعالى"): scripture quoted as "قال تعالى (…)" is God's word, and
/// the formula is not part of the name.
fn is_god_with_praise(text: &str) -> bool {
    let n = norm_text(text);
    let mut words = n.split(' ').peekable();
    let named = words.peek() == Some(&"الله");
    if named {
        words.next();
    }
    let mut praise = 0;
    for w in words {
        if !matches!(
            w,
            "تعالي" | "وتعالي" | "سبحانه" | "عز" | "وجل" | "جل" | "جلاله" | "عزوجل"
        ) {
            return false;
        }
        praise += 1;
    }
    praise > 0
}

/// The speaker of a phrase that contains a name (or a PER/ORG entity).
fn named_speaker(cx: &Ctx<'_>, info: &NpInfo) -> Option<Speaker> {
    let doc = cx.doc;
    let (ms, me) = info.mention;
    // A phrase headed by a generic person noun ("رجل طاجيكي انضم لتنظيم داعش") or by a
    // title ("المتحدث الرسمي للدفاع المدني") names a person: an organization inside it is not
    // the speaker.
    let head = cx.norm(info.toks.0);
    let head_bare = crate::lex::strip_conj(head).unwrap_or(head);
    let person_head =
        cx.lex.is_generic_any(head) || cx.lex.is_title(head) || cx.lex.is_title(head_bare);
    let entity = cx
        .entity_at(ms, me)
        .filter(|&ei| !person_head || doc.entities[ei].label == "PER");
    // A person a place or body is named after is not the speaker: after "مدير مدينة الملك
    // عبدالله الرياضية" the speaker is the name that follows (إبراهيم القوبع).
    let entity = entity.map(|ei| {
        // The entities are in text order: only those up to the phrase's end are looked at.
        let later = || {
            (ei + 1..doc.entities.len())
                .take_while(|&j| doc.entities[j].start < me)
                .find(|&j| {
                    let e = &doc.entities[j];
                    e.label == "PER" && e.start >= doc.entities[ei].end && !cx.named_after(j)
                })
        };
        if cx.named_after(ei) {
            later().unwrap_or(ei)
        } else {
            ei
        }
    });
    if !doc.entities.is_empty() {
        if let Some(ei) = entity {
            let best = cx.longest_entity(ei);
            return Some(Speaker {
                text: doc.entities[best].text.clone(),
                mention: Some(doc.text_span(ms, me)),
                entity: Some(ei),
                role: None,
                chain: None,
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
        role: None,
        chain: None,
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
                    role: None,
                    chain: None,
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
            role: None,
            chain: None,
        },
        None => Speaker {
            text: String::new(),
            mention: None,
            entity: None,
            role: None,
            chain: None,
        },
    }
}

impl<'a> Ctx<'a> {
    /// The longest form of a name found anywhere in the text (نزاروف → عبد الأحد رستم نزاروف).
    pub(super) fn longest_name(&self, name: (usize, usize)) -> (usize, usize) {
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

    /// Whether a person entity is part of the name of a place or body named after it
    /// ("جامعة الملك سعود"، "مدينة الملك عبدالله الرياضية"، "كأس الأمير فيصل بن فهد"): the word
    /// before it, past a royal or honorific title, heads a body or place.
    pub(super) fn named_after(&self, ei: usize) -> bool {
        let e = &self.doc.entities[ei];
        let mut k = self.toks.partition_point(|t| t.start < e.start);
        while k > 0 && self.lex.is_rank(self.norm(k - 1)) {
            k -= 1;
        }
        if k == 0 {
            return false;
        }
        let w = self.norm(k - 1);
        let bare = crate::lex::strip_conj(w).unwrap_or(w);
        // Indefinite: the first term of a construct (مدينة الملك …), not a role's last word
        // (رئيس اللجنة البلدية عبداللطيف آل الشيخ).
        (!bare.starts_with("ال") && self.lex.is_org(bare)) || crate::lex::is_named_place(bare)
    }

    /// The best name for an entity: the longest entity of its label sharing its last word.
    pub(super) fn longest_entity(&self, ei: usize) -> usize {
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
    pub(super) fn title_name(&self, a: usize, b: usize) -> Option<(usize, usize)> {
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
    pub(super) fn expand_definite(&self, head: &str, before: usize) -> Option<(usize, usize)> {
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
}

#[cfg(test)]
mod tests {
    use super::super::context::Scratch;
    use super::super::{extract, test_doc, tok};
    use super::*;

    #[test]
    fn scripture_is_gods_word() {
        assert!(is_god_with_praise("تعالى"));
        assert!(is_god_with_praise("الله تعالى"));
        assert!(is_god_with_praise("سبحانه وتعالى"));
        assert!(!is_god_with_praise("الله"));
        assert!(!is_god_with_praise("عبد الله"));
        let q = extract(&test_doc("وقال تعالى (وتعاونوا على البر والتقوى) في الآية."));
        assert_eq!(q[0].speaker.text, "الله");
        assert_eq!(q[0].content.text, "وتعاونوا على البر والتقوى");
        let q = extract(&test_doc("وقال الله تعالى: (إن الله مع الصابرين)."));
        assert_eq!(q[0].speaker.text, "الله");
        assert_eq!(q[0].content.text, "إن الله مع الصابرين");
        // The preacher who cited the verse goes on speaking.
        let q = extract(&test_doc(
            "وقال الخطيب إن الإسلام دين الرحمة، قال تعالى (وما أرسلناك إلا رحمة للعالمين)، وأضاف أن على المسلمين الالتزام بذلك.",
        ));
        let speakers: Vec<&str> = q.iter().map(|q| q.speaker.text.as_str()).collect();
        assert_eq!(speakers, ["الخطيب", "الله", "الخطيب"]);
    }

    #[test]
    fn a_document_source_is_reported_whole() {
        let q = extract(&test_doc(
            "ونشرت الهيئة تقرير الهيئة السنوي أمس. وقال التقرير إن عدد الزوار ارتفع.",
        ));
        assert_eq!(q[0].speaker.text, "تقرير الهيئة");
        // Not a phrase that opens with the article again ("في البيان بخالص العزاء").
        let q = extract(&test_doc(
            "وأعرب المجلس في البيان بخالص العزاء. وقال البيان إن الاجتماع انتهى.",
        ));
        assert_eq!(q.last().unwrap().speaker.text, "البيان");
    }

    #[test]
    fn a_statement_issued_earlier_is_its_issuers() {
        let q = extract(&test_doc(
            "وقالت الهيئة الوطنية في بيان لها أمس إن الموسم بدأ. وأضاف البيان أن التسجيل مفتوح.",
        ));
        assert_eq!(q[1].speaker.text, "بيان الهيئة الوطنية");
        // A possessive form names it too ("في تقريرها"), and ends the issuer's phrase.
        let q = extract(&test_doc(
            "وذكرت الجامعة في تقريرها أن الطلاب زادوا. وأوضح التقرير أن الزيادة كبيرة.",
        ));
        assert_eq!(q[0].speaker.text, "الجامعة");
        assert_eq!(q[1].speaker.text, "تقرير الجامعة");
        // A group is no issuer: "بيان مسؤولون" is no phrase.
        let q = extract(&test_doc(
            "وقال مسؤولون في المجلس في بيان إن الطائرة سقطت. وأضاف البيان أن التحقيق مستمر.",
        ));
        assert_eq!(q[1].speaker.text, "البيان");
    }

    #[test]
    fn a_person_a_place_is_named_after_is_not_the_speaker() {
        let mut doc = test_doc(
            "وقال مدير مدينة الملك عبدالله الرياضية إبراهيم القوبع إن أرضية الملعب جاهزة.",
        );
        for name in ["عبدالله الرياضية", "إبراهيم القوبع"] {
            let start = doc
                .text
                .find(name)
                .map(|b| doc.text[..b].chars().count())
                .unwrap();
            doc.entities.push(khabar_analysis::Entity {
                text: name.to_string(),
                label: "PER".to_string(),
                start,
                end: start + name.chars().count(),
            });
        }
        assert_eq!(extract(&doc)[0].speaker.text, "إبراهيم القوبع");
    }

    #[test]
    fn family_name_takes_longest_form() {
        let doc =
            test_doc("وقال وزير المالية خالد السالم إن العجز انخفض. وأكد السالم أن الإنفاق سيرتفع.");
        let cx = Ctx::new(&doc, Scratch::default());
        let p = cx.toks.iter().rposition(|t| t.norm == "السالم").unwrap();
        let (s, e) = cx.longest_name((p, p + 1));
        assert_eq!(doc.slice(s, e), "خالد السالم");
        assert_eq!(extract(&doc)[1].speaker.text, "خالد السالم");
    }

    #[test]
    fn definite_head_expands_to_earlier_phrase() {
        let doc =
            test_doc("أعلنت وزارة الداخلية حظر التجول. وقالت الوزارة إن الحظر يبدأ مساء اليوم.");
        let cx = Ctx::new(&doc, Scratch::default());
        let head = tok(&cx, "الوزارة");
        let (s, e) = cx.expand_definite("الوزارة", head).unwrap();
        assert_eq!(doc.slice(s, e), "وزارة الداخلية");
        // Nothing before the first mention.
        assert_eq!(cx.expand_definite("الوزارة", tok(&cx, "وزارة")), None);
    }
}
