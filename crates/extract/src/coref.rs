//! In-document coreference: chains of the mentions of one person or body.
//!
//! Built from the entity layer and the token stream, before quotations, in four passes:
//! 1. **names** — PER and ORG entities grouped when one's words hold the other's (the full
//!    name, the surname alone, a first name alone, an organization's shorter name);
//! 2. **roles by apposition** — a title phrase right before a name ("وزير الخارجية عادل
//!    الجبير") or after it behind a comma ("عادل الجبير، وزير الخارجية");
//! 3. **roles alone** — a later (or earlier) title phrase whose head word is one of a chain's
//!    roles ("الوزير" → the chain with "وزير الخارجية"), the nearest such chain before it;
//! 4. **short forms** — "الوزارة" after "وزارة الصحة", "الاتحاد" after "الاتحاد الوطني
//!    للمزارعين".
//!
//! A chain's canonical name is its fullest name mention. Pronoun mentions (subject-less cue
//! verbs "وأضاف") are added by the quotation layer, which knows the previous speaker.

use crate::lex::{self, Lex};
use crate::quotes::norm_text;
use khabar_analysis::{name_start, Chain, Document, Mention, MentionKind, Quote};
use khabar_text::TokenKind;
use rustc_hash::{FxHashMap, FxHashSet};

/// Longest title phrase, in tokens.
const MAX_ROLE_TOKENS: usize = 8;

struct Building {
    label: String,
    /// Normalized words of each name mention, with the mention's text.
    names: Vec<(Vec<String>, String)>,
    mentions: Vec<Mention>,
    roles: Vec<String>,
}

impl Building {
    /// The canonical name: the name mention with the most words (the first of them).
    fn canonical(&self) -> &str {
        let mut best: Option<&(Vec<String>, String)> = None;
        for n in &self.names {
            if best.is_none_or(|b| n.0.len() > b.0.len()) {
                best = Some(n);
            }
        }
        best.map_or("", |b| b.1.as_str())
    }

    fn longest_words(&self) -> &[String] {
        self.names
            .iter()
            .max_by_key(|n| n.0.len())
            .map_or(&[][..], |n| &n.0[..])
    }
}

/// Words of a name, normalized, leading ranks and honorifics dropped.
fn name_words(text: &str) -> Vec<String> {
    let lex = Lex::get();
    let n = norm_text(text);
    let mut words: Vec<String> = n.split(' ').map(str::to_string).collect();
    while words.len() > 1 && (lex.is_rank(&words[0]) || is_honorific(&words[0])) {
        words.remove(0);
    }
    words
}

fn is_honorific(w: &str) -> bool {
    matches!(
        w,
        "الدكتور"
            | "الدكتوره"
            | "د"
            | "الشيخ"
            | "المهندس"
            | "الاستاذ"
            | "السيد"
            | "السيده"
    )
}

/// Whether a new name with `words` belongs to a chain whose longest name is `chain`.
fn same_referent(label: &str, words: &[String], chain: &[String]) -> bool {
    if words.is_empty() || chain.is_empty() {
        return false;
    }
    if words == chain {
        return true;
    }
    let holds = |big: &[String], small: &[String]| small.iter().all(|w| big.contains(w));
    let (short, long) = if words.len() <= chain.len() {
        (words, chain)
    } else {
        (chain, words)
    };
    if !holds(long, short) {
        return false;
    }
    match label {
        // A person: the shorter form keeps the surname or is the first name alone.
        "PER" => short.last() == long.last() || (short.len() == 1 && short[0] == long[0]),
        // A body: the shorter form keeps the head word ("الاتحاد" of "الاتحاد الوطني …").
        _ => short[0] == long[0] || short.len() >= 2,
    }
}

/// Builds the coreference chains of a document (uses `doc.entities`).
pub fn chains(doc: &Document) -> Vec<Chain> {
    let lex = Lex::get();
    let toks = &doc.tokens;
    let mut chains: Vec<Building> = Vec::new();
    // Tokens taken by a mention, and by a person's name or a role (a role phrase may run
    // over a body's name: "الأمين العام لحركة مشروع تونس محسن مرزوق").
    let mut taken = vec![false; toks.len()];
    let mut personal = vec![false; toks.len()];
    let tok_range = |start: usize, end: usize| {
        let a = toks.partition_point(|t| t.end <= start);
        let b = toks.partition_point(|t| t.start < end);
        (a, b.max(a))
    };

    // 1. Names. Chains are found through the words of their names (not by trying every
    // chain: the layer stays linear on a long text with many names).
    let mut by_word: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for e in &doc.entities {
        if e.label != "PER" && e.label != "ORG" {
            continue;
        }
        let words = name_words(&e.text);
        if words.iter().all(|w| w.is_empty()) {
            continue;
        }
        let mut candidates: Vec<usize> = words
            .iter()
            .filter_map(|w| by_word.get(w))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let found = candidates.into_iter().rev().find(|&c| {
            chains[c].label == e.label
                && chains[c]
                    .names
                    .iter()
                    .any(|n| same_referent(&e.label, &words, &n.0))
        });
        let c = match found {
            Some(c) => c,
            None => {
                chains.push(Building {
                    label: e.label.clone(),
                    names: Vec::new(),
                    mentions: Vec::new(),
                    roles: Vec::new(),
                });
                chains.len() - 1
            }
        };
        let kind = if words.len() >= chains[c].longest_words().len() {
            MentionKind::Name
        } else {
            MentionKind::Short
        };
        if !chains[c].names.iter().any(|n| n.0 == words) {
            for w in &words {
                let v = by_word.entry(w.clone()).or_default();
                if v.last() != Some(&c) {
                    v.push(c);
                }
            }
            chains[c].names.push((words, e.text.clone()));
        }
        chains[c].mentions.push(Mention {
            start: e.start,
            end: e.end,
            kind,
        });
        let (a, b) = tok_range(e.start, e.end);
        taken[a..b].iter_mut().for_each(|x| *x = true);
        if e.label == "PER" {
            personal[a..b].iter_mut().for_each(|x| *x = true);
        }
    }

    let is_title_at = |k: usize| {
        let w = toks[k].norm.as_str();
        lex.is_title(w) || lex::strip_conj(w).is_some_and(|r| lex.is_title(r))
    };
    // A role is a noun phrase: punctuation, cues, complementizers and imperfect verbs
    // ("يوبخ") end it.
    let stops_role = |k: usize| {
        let t = &toks[k];
        t.kind != TokenKind::Word
            || lex.cue(&t.norm).is_some()
            || lex::is_complementizer(&t.norm)
            || (t.norm.starts_with('ي') && t.norm.chars().count() >= 3 && !lex.is_title(&t.norm))
    };

    // 2. Roles by apposition, for persons.
    let mut roles: Vec<(usize, usize, usize)> = Vec::new(); // (chain, first token, end token)
    for (c, ch) in chains.iter().enumerate() {
        if ch.label != "PER" {
            continue;
        }
        for m in &ch.mentions {
            let (a, b) = tok_range(m.start, m.end);
            // Before: "وزير الخارجية [اللواء] عادل الجبير".
            // A comma may stand between the role and the name ("رئيس حركة النهضة، راشد").
            let mut k = a;
            if k > 1 && matches!(toks[k - 1].norm.as_str(), "،" | ",") && !stops_role(k - 2) {
                k -= 1;
            }
            let mut first_title = None;
            while k > 0 && a - k < MAX_ROLE_TOKENS && !stops_role(k - 1) && !personal[k - 1] {
                k -= 1;
                if is_title_at(k) {
                    first_title = Some(k);
                }
            }
            if let Some(p) = first_title {
                // Ranks and honorifics right before the name are not part of the role.
                let mut e = a;
                while e > p + 1
                    && (matches!(toks[e - 1].norm.as_str(), "،" | ",")
                        || lex.is_rank(&toks[e - 1].norm)
                        || is_honorific(&toks[e - 1].norm))
                {
                    e -= 1;
                }
                roles.push((c, p, e));
            }
            // After: "عادل الجبير، وزير الخارجية".
            if b + 1 < toks.len()
                && matches!(toks[b].norm.as_str(), "،" | ",")
                && is_title_at(b + 1)
            {
                let mut e = b + 2;
                while e < toks.len()
                    && e - b - 1 < MAX_ROLE_TOKENS
                    && !stops_role(e)
                    && !personal[e]
                {
                    e += 1;
                }
                roles.push((c, b + 1, e));
            }
        }
    }
    for &(c, a, e) in &roles {
        let (start, end) = (name_start(&toks[a]), toks[e - 1].end);
        let text = doc.slice(start, end).to_string();
        if !chains[c].roles.contains(&text) {
            chains[c].roles.push(text);
        }
        chains[c].mentions.push(Mention {
            start,
            end,
            kind: MentionKind::Role,
        });
        taken[a..e].iter_mut().for_each(|x| *x = true);
        personal[a..e].iter_mut().for_each(|x| *x = true);
    }

    // 3. Roles alone: a title phrase whose head is the head of a chain's role.
    let head = |w: &str| -> String {
        let w = lex::strip_conj(w).filter(|r| lex.is_title(r)).unwrap_or(w);
        let w = w.strip_prefix("ال").unwrap_or(w);
        w.to_string()
    };
    let role_heads: Vec<Vec<String>> = chains
        .iter()
        .map(|ch| {
            ch.roles
                .iter()
                .map(|r| head(norm_text(r).split(' ').next().unwrap_or("")))
                .collect()
        })
        .collect();
    let mut by_head: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (c, hs) in role_heads.iter().enumerate() {
        for h in hs {
            let v = by_head.entry(h.clone()).or_default();
            if v.last() != Some(&c) {
                v.push(c);
            }
        }
    }
    let mut k = 0;
    while k < toks.len() {
        if taken[k] || !is_title_at(k) || is_honorific(&toks[k].norm) {
            k += 1;
            continue;
        }
        let h = head(&toks[k].norm);
        // The phrase: the title and the genitive words after it.
        let mut e = k + 1;
        while e < toks.len() && e - k < 4 && !stops_role(e) && !taken[e] && !is_title_at(e) {
            e += 1;
        }
        // Every word of the phrase must be in the role ("مدير التعليم" is not "مدير
        // التدريب"), and only one chain may hold such a role: two directors stay unlinked.
        let words: Vec<String> = (k + 1..e).map(|j| toks[j].norm.clone()).collect();
        let fits = |c: usize| {
            chains[c].roles.iter().any(|r| {
                let rw: Vec<String> = norm_text(r).split(' ').map(str::to_string).collect();
                rw.first().is_some_and(|f| head(f) == h)
                    && words.iter().all(|w| {
                        rw.iter()
                            .any(|x| x == w || x.strip_prefix("ال") == w.strip_prefix("ال"))
                    })
            })
        };
        let candidates: Vec<usize> = by_head
            .get(&h)
            .map_or(&[][..], |v| &v[..])
            .iter()
            .copied()
            .filter(|&c| fits(c))
            .collect();
        let [c] = candidates[..] else {
            k += 1;
            continue;
        };
        chains[c].mentions.push(Mention {
            start: name_start(&toks[k]),
            end: toks[e - 1].end,
            kind: MentionKind::Title,
        });
        taken[k..e].iter_mut().for_each(|x| *x = true);
        k = e;
    }

    // 4. Short forms of bodies: "الوزارة" for "وزارة الصحة".
    let shorts: Vec<(usize, String)> = chains
        .iter()
        .enumerate()
        .filter(|(_, ch)| ch.label == "ORG")
        .filter_map(|(c, ch)| {
            let words = ch.longest_words();
            (words.len() >= 2).then(|| {
                let w = &words[0];
                let s = if w.starts_with("ال") {
                    w.clone()
                } else {
                    format!("ال{w}")
                };
                (c, s)
            })
        })
        .collect();
    if !shorts.is_empty() {
        let first_at: Vec<usize> = chains
            .iter()
            .map(|ch| {
                ch.mentions
                    .iter()
                    .map(|m| m.start)
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let mut by_short: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (c, s) in &shorts {
            by_short.entry(s.as_str()).or_default().push(*c);
        }
        for (k, t) in toks.iter().enumerate() {
            if taken[k] || t.kind != TokenKind::Word {
                continue;
            }
            let w = lex::strip_conj(&t.norm).unwrap_or(&t.norm);
            let at = t.start;
            let mut hits: Vec<usize> = [w, t.norm.as_str()]
                .iter()
                .filter_map(|x| by_short.get(x))
                .flatten()
                .copied()
                .filter(|&c| first_at[c] < at)
                .collect();
            hits.sort_unstable();
            let Some(&c) = hits.last() else {
                continue;
            };
            chains[c].mentions.push(Mention {
                start: name_start(t),
                end: t.end,
                kind: MentionKind::Short,
            });
        }
    }

    chains
        .into_iter()
        .map(|ch| {
            let mut mentions = ch.mentions.clone();
            mentions.sort_by_key(|m| (m.start, m.end));
            mentions.dedup_by_key(|m| (m.start, m.end));
            Chain {
                name: ch.canonical().to_string(),
                label: ch.label.clone(),
                roles: ch.roles.clone(),
                mentions,
            }
        })
        .collect()
}

/// Longest mention, in chars, that `chain_at` looks back for (a role phrase is at most
/// `MAX_ROLE_TOKENS` words).
const MAX_MENTION_CHARS: usize = 400;

/// Every mention as (start, end, chain, kind), sorted by start.
pub(crate) type MentionIndex = Vec<(usize, usize, usize, MentionKind)>;

pub(crate) fn mention_index(chains: &[Chain]) -> MentionIndex {
    let mut v: MentionIndex = chains
        .iter()
        .enumerate()
        .flat_map(|(c, ch)| ch.mentions.iter().map(move |m| (m.start, m.end, c, m.kind)))
        .collect();
    v.sort_unstable_by_key(|&(s, e, c, _)| (s, e, c));
    v
}

/// The chain holding a mention that overlaps chars `[start, end)`: a name before a role or a
/// title, a person before a body ("المتحدث باسم الدفاع المدني نايف الشريف" is the man), then
/// the mention that covers the most of the span.
fn chain_at(chains: &[Chain], index: &MentionIndex, start: usize, end: usize) -> Option<usize> {
    let hi = index.partition_point(|m| m.0 < end);
    let lo = index.partition_point(|m| m.0 + MAX_MENTION_CHARS < start);
    let mut best: Option<(usize, (bool, bool, usize, usize))> = None;
    for &(ms, me, c, kind) in &index[lo..hi.max(lo)] {
        let inter = me.min(end).saturating_sub(ms.max(start));
        if inter == 0 {
            continue;
        }
        let named = matches!(kind, MentionKind::Name | MentionKind::Short);
        let person = chains[c].label == "PER";
        // Inside the phrase, only a person's name stands for the speaker: "رئيس نادي
        // الهلال" is not the club, "متحدث باسم وزير الخارجية" is not the minister.
        if ms > start && !(named && person) {
            continue;
        }
        // The first name in the phrase is its head ("مرزوق في انتقاده لتحركات الغنوشي").
        let key = (named, person, usize::MAX - ms.max(start), inter);
        if best.is_none_or(|(_, b)| key > b) {
            best = Some((c, key));
        }
    }
    best.map(|(c, _)| c)
}

/// Resolves each quotation's speaker through the chains: the chain's canonical name as the
/// speaker, its role beside it, and the chain's index; a speaker without a mention of its own
/// (subject-less "وأضاف") takes the previous quotation's chain, and the cue joins that chain as
/// a pronoun mention.
pub fn link_speakers(doc: &mut Document) {
    let mut chains = std::mem::take(&mut doc.chains);
    let mut quotes = std::mem::take(&mut doc.quotes);
    link(doc, &mut chains, &mut quotes);
    doc.chains = chains;
    doc.quotes = quotes;
}

/// The words of the article's entities, normalized (family names the article gives).
fn entity_words(doc: &Document) -> FxHashSet<String> {
    doc.entities
        .iter()
        .flat_map(|e| e.text.split_whitespace())
        .map(khabar_text::normalize_word)
        .collect()
}

/// Words that never head a speaker: particles, pronouns, adverbs ("فإذا"، "سبحانه"، "إليه").
const NOT_A_HEAD: &[&str] = &[
    "ما",
    "ماتم",
    "فاذا",
    "اذا",
    "عندما",
    "حيث",
    "كما",
    "ذلك",
    "هذا",
    "هذه",
    "سبحانه",
    "تعالي",
    "اليه",
    "عليه",
    "له",
    "منه",
    "فيه",
    "بعد",
    "قبل",
    "منذ",
    "خلال",
    "رغم",
    "امس",
    "اليوم",
    "ان",
    "انه",
    "انها",
    "الذي",
    "التي",
    "لكن",
    "ثم",
    "قد",
    "لقد",
    "كان",
    "كانت",
];

/// Whether a speaker phrase is a fragment rather than a noun phrase: empty, headed by a
/// particle, or a prepositional phrase ("لكرة القدم").
fn is_fragment(
    doc: &Document,
    entity_words: &FxHashSet<String>,
    sp: &khabar_analysis::Speaker,
) -> bool {
    let text = norm_text(&sp.text);
    let first = text.split(' ').next().unwrap_or("");
    if first.is_empty() || NOT_A_HEAD.contains(&first) {
        return true;
    }
    // A definite common noun no list knows, not a name nor in a chain or an entity
    // ("الحاجة"، "الدور"، "التواصل"): a piece of the sentence, not who spoke.
    if sp.chain.is_none() && sp.entity.is_none() && text.split(' ').count() == 1 {
        let lex = Lex::get();
        let bare = lex::strip_conj(first).unwrap_or(first);
        let lexicon = khabar_text::TextAnalyzer::shared().lexicon();
        let known = lex.is_descriptive(bare)
            || lex.is_title(bare.strip_prefix("ال").unwrap_or(bare))
            || lex.is_generic_any(bare)
            || lex.is_rank(bare)
            || lexicon.split_and_name(bare, false).1
            // People in the plural (المحققون، المصابون، الغربيون).
            || bare.ends_with("ون")
            || bare.ends_with("يين")
            // A family name the article gives in a name ("الحشان" of "سيف الحشان").
            || entity_words.contains(bare);
        if bare.starts_with("ال") && !known {
            return true;
        }
    }
    let Some(m) = &sp.mention else { return false };
    let k = doc.tokens.partition_point(|t| t.end <= m.start);
    doc.tokens.get(k).is_some_and(|t| {
        t.segments.len() > 1
            && t.segments[0].kind == khabar_text::SegmentKind::Proclitic
            && matches!(t.segments[0].text.as_str(), "ل" | "ب" | "ك" | "لل")
    })
}

fn link(doc: &Document, chains: &mut [Chain], quotes: &mut [Quote]) {
    // Looked up once, not per quotation: the layer stays linear on long texts.
    let index = mention_index(chains);
    let names: Vec<Vec<String>> = chains.iter().map(|c| name_words(&c.name)).collect();
    let mut by_word: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (c, ws) in names.iter().enumerate() {
        for w in ws {
            let v = by_word.entry(w.as_str()).or_default();
            if v.last() != Some(&c) {
                v.push(c);
            }
        }
    }
    let is_person: Vec<bool> = chains.iter().map(|c| c.label == "PER").collect();
    let person_name = |&(_, _, c, kind): &(usize, usize, usize, MentionKind)| {
        is_person[c] && matches!(kind, MentionKind::Name | MentionKind::Short)
    };
    let entity_words = entity_words(doc);
    let mut prev: Option<(String, usize)> = None;
    for qi in 0..quotes.len() {
        // A fragment as speaker: the person named in the cue's sentence, else the previous
        // quotation's speaker.
        if is_fragment(doc, &entity_words, &quotes[qi].speaker) {
            let cue = quotes[qi].cue.start;
            let sent = doc.sentence_at(cue).map(|i| doc.sentences[i]);
            let in_sentence = sent.and_then(|s| {
                let lo = index.partition_point(|m| m.0 < s.start);
                let hi = index.partition_point(|m| m.0 < s.end);
                index[lo..hi.max(lo)]
                    .iter()
                    .filter(|m| person_name(m) && m.1 <= s.end)
                    .min_by_key(|m| (m.0 < cue, m.0.abs_diff(cue)))
                    .map(|&(ms, me, c, kind)| {
                        (
                            c,
                            Mention {
                                start: ms,
                                end: me,
                                kind,
                            },
                        )
                    })
            });
            if let Some((c, m)) = in_sentence {
                let sp = &mut quotes[qi].speaker;
                sp.text = chains[c].name.clone();
                sp.mention = Some(khabar_analysis::TextSpan {
                    text: doc.slice(m.start, m.end).to_string(),
                    start: m.start,
                    end: m.end,
                });
                sp.entity = None;
            } else if qi > 0 {
                let p = quotes[qi - 1].speaker.clone();
                quotes[qi].speaker = khabar_analysis::Speaker { mention: None, ..p };
            }
        }
        let q = &mut quotes[qi];
        let sp = &q.speaker;
        let span = sp.mention.as_ref().map(|m| (m.start, m.end));
        // The persons named inside the speaker's phrase, the one the rules resolved first
        // (else the first named); without a person there, the chain bearing the resolved name
        // (the one nearest before the cue); else the chain of the phrase's head.
        let words = name_words(&sp.text);
        // The chain's name or a shorter form of it: a phrase that holds a body's name
        // ("مسؤولون من وزارة الداخلية") is not that body.
        let bears = |c: usize| {
            words.len() <= names[c].len() && same_referent(&chains[c].label, &words, &names[c])
        };
        let persons_inside: Vec<(usize, usize)> = span.map_or(Vec::new(), |(s, e)| {
            let lo = index.partition_point(|m| m.0 < s);
            let hi = index.partition_point(|m| m.0 < e);
            index[lo..hi.max(lo)]
                .iter()
                .filter(|m| person_name(m) && m.1 <= e)
                .map(|m| (m.0, m.2))
                .collect()
        });
        let by_name = || {
            let first = words.first().map(String::as_str).unwrap_or("");
            let last = words.last().map(String::as_str).unwrap_or("");
            let mut candidates: Vec<usize> = [first, last]
                .iter()
                .filter_map(|w| by_word.get(w))
                .flatten()
                .copied()
                .filter(|&c| bears(c))
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            candidates.into_iter().max_by_key(|&c| {
                chains[c]
                    .mentions
                    .iter()
                    .filter(|m| m.start <= q.cue.start)
                    .map(|m| m.start)
                    .max()
            })
        };
        let by_mention = persons_inside
            .iter()
            .find(|&&(_, c)| bears(c))
            .or(persons_inside.first())
            .map(|&(_, c)| c)
            .or_else(by_name)
            .or_else(|| span.and_then(|(s, e)| chain_at(chains, &index, s, e)))
            .map(|c| (c, span));
        let linked = match by_mention {
            Some(x) => Some(x),
            None => match &prev {
                Some((text, c)) if sp.mention.is_none() && *text == sp.text => Some((*c, None)),
                _ => None,
            },
        };
        let Some((c, span)) = linked else {
            prev = None;
            continue;
        };
        // A cue without a subject of its own ("وأضاف") is a mention of the speaker's chain.
        if q.speaker.mention.is_none() && q.cue.end > q.cue.start {
            chains[c].mentions.push(Mention {
                start: q.cue.start,
                end: q.cue.end,
                kind: MentionKind::Pronoun,
            });
        }
        let original = q.speaker.text.clone();
        let chain = &chains[c];
        // The role as said here ("وزير الخارجية" in "قال وزير الخارجية عادل الجبير"), else the
        // chain's first role.
        let role_here = span.and_then(|(s, e)| {
            chain
                .mentions
                .iter()
                .find(|m| m.kind == MentionKind::Role && m.start < e && s < m.end)
        });
        let role = match role_here {
            Some(m) => chain
                .roles
                .iter()
                .find(|r| r.chars().count() == m.end - m.start)
                .cloned()
                .or_else(|| chain.roles.first().cloned()),
            None => chain.roles.first().cloned(),
        };
        q.speaker.text = chain.name.clone();
        q.speaker.role = role;
        q.speaker.chain = Some(c);
        prev = Some((original, c));
    }
    for ch in chains.iter_mut() {
        ch.mentions.sort_by_key(|m| (m.start, m.end));
        ch.mentions.dedup_by_key(|m| (m.start, m.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_analysis::Entity;
    use khabar_ingest::Article;

    fn doc_with(body: &str, ents: &[(&str, &str)]) -> Document {
        let mut doc = Document::from_article(&Article {
            id: "t".into(),
            title: "خبر".into(),
            body: body.into(),
            ..Default::default()
        });
        let text: Vec<char> = doc.text.chars().collect();
        let mut entities = Vec::new();
        for (surface, label) in ents {
            let s: Vec<char> = surface.chars().collect();
            let mut i = 0;
            while i + s.len() <= text.len() {
                if text[i..i + s.len()] == s[..] {
                    entities.push(Entity {
                        text: surface.to_string(),
                        label: label.to_string(),
                        start: i,
                        end: i + s.len(),
                    });
                    i += s.len();
                } else {
                    i += 1;
                }
            }
        }
        entities.sort_by_key(|e| e.start);
        doc.entities = entities;
        doc
    }

    #[test]
    fn a_definite_common_noun_is_a_fragment_not_a_family_name_or_people() {
        let doc = doc_with("وقال سيف الحشان إن الفريق جاهز.", &[("سيف الحشان", "PER")]);
        let speaker = |text: &str| khabar_analysis::Speaker {
            text: text.to_string(),
            mention: None,
            entity: None,
            role: None,
            chain: None,
        };
        let words = entity_words(&doc);
        assert!(is_fragment(&doc, &words, &speaker("الدور")));
        assert!(is_fragment(&doc, &words, &speaker("الرغم")));
        // A family name of the article, people in the plural, a body, a title, a source.
        for text in ["الحشان", "المحققون", "الوزارة", "المدير", "التقرير"]
        {
            assert!(!is_fragment(&doc, &words, &speaker(text)), "{text}");
        }
    }

    #[test]
    fn full_name_surname_and_role_make_one_chain() {
        let doc = doc_with(
            "قال وزير الخارجية عادل الجبير إن المحادثات مستمرة. وأكد الوزير أن الوفد سيعود. وأضاف الجبير أن الاتفاق قريب.",
            &[("عادل الجبير", "PER"), ("الجبير", "PER")],
        );
        let chains = chains(&doc);
        assert_eq!(chains.len(), 1, "{chains:?}");
        let c = &chains[0];
        assert_eq!(c.name, "عادل الجبير");
        assert_eq!(c.roles, vec!["وزير الخارجية".to_string()]);
        let kinds: Vec<MentionKind> = c.mentions.iter().map(|m| m.kind).collect();
        assert!(kinds.contains(&MentionKind::Role));
        assert!(
            kinds.contains(&MentionKind::Title),
            "الوزير → the chain: {c:?}"
        );
        assert!(kinds.contains(&MentionKind::Short));
        let title = c
            .mentions
            .iter()
            .find(|m| m.kind == MentionKind::Title)
            .unwrap();
        assert_eq!(doc.slice(title.start, title.end), "الوزير");
    }

    #[test]
    fn role_after_a_comma_and_a_body_short_form() {
        let doc = doc_with(
            "وقالت هند السالم، مديرة المستشفى، إن وزارة الصحة أرسلت فريقا. وذكرت الوزارة أن الفريق وصل.",
            &[("هند السالم", "PER"), ("وزارة الصحة", "ORG")],
        );
        let chains = chains(&doc);
        let per = chains.iter().find(|c| c.label == "PER").unwrap();
        assert_eq!(per.roles, vec!["مديرة المستشفى".to_string()]);
        let org = chains.iter().find(|c| c.label == "ORG").unwrap();
        assert_eq!(org.name, "وزارة الصحة");
        let short = org
            .mentions
            .iter()
            .find(|m| m.kind == MentionKind::Short)
            .unwrap();
        assert_eq!(doc.slice(short.start, short.end), "الوزارة");
    }

    #[test]
    fn a_verb_ends_a_role() {
        let doc = doc_with(
            "متحدث باسم الحكومة يوبخ وزيرة الخارجية سلمى العلي",
            &[("سلمى العلي", "PER")],
        );
        let chains = chains(&doc);
        assert_eq!(chains[0].roles, vec!["وزيرة الخارجية".to_string()]);
    }

    #[test]
    fn different_people_stay_apart() {
        let doc = doc_with(
            "قال خالد المنصور إن الفريق جاهز، فيما قال سعد العتيبي إن الموسم صعب.",
            &[("خالد المنصور", "PER"), ("سعد العتيبي", "PER")],
        );
        assert_eq!(chains(&doc).len(), 2);
    }
}
