//! Stage 6: speaker ranking. The rules (stages 4–5) and the chains propose one speaker per
//! quotation; a small log-linear model, trained on annotated articles
//! (`examples/train_speaker_ranker.rs`, model card in `model/SPEAKER_RANKER.md`), chooses among
//! that proposal and the other people and bodies the article offers: the previous quotation's
//! speaker, the nearest chain named in the cue's sentence (before or after the cue), the nearest
//! one in the sentences before, and the article's main participant.
//!
//! The rules see one phrase at a time; the model weighs what they cannot: whether the proposed
//! phrase belongs to any chain at all, how far a person is from the cue, the cue's gender
//! (قالت الوزارة، أضافت), and who the article is about.

use khabar_analysis::{Document, MentionKind, TextSpan};
use khabar_text::SegmentKind;
use std::sync::OnceLock;

/// Feature names, in the order of the weights in the model file.
pub const FEATURES: [&str; 38] = [
    "rule",
    "rule_in_chain",
    "rule_mention",
    "rule_unlinked",
    "rule_place",
    "rule_entity",
    "rule_head_title",
    "rule_head_person",
    "rule_head_body",
    "rule_head_source",
    "rule_head_unknown",
    "rule_clitic",
    "previous",
    "person",
    "body",
    "sentence_before",
    "sentence_after",
    "distance",
    "earlier_sentence",
    "main",
    "mentions",
    "cue_feminine_body",
    "cue_feminine_person",
    "cue_masculine_body",
    "subjectless_previous",
    "named",
    "headline",
    "person_if_rule_unlinked",
    "person_if_rule_clitic",
    "person_if_rule_title",
    "person_if_rule_unknown",
    "body_if_rule_unlinked",
    "body_if_rule_clitic",
    "body_if_rule_unknown",
    "body_if_rule_source",
    "gender_agrees",
    "gender_clashes",
    "nearest_agreeing",
];
const N: usize = FEATURES.len();
/// Mentions looked back over for a person of the cue's gender (bounded: the stage stays
/// linear in the text).
const MAX_LOOK_BACK: usize = 40;

/// The shipped model: feature names and weights (JSON).
const MODEL: &str = include_str!("../../model/speaker_ranker.json");

#[derive(serde::Deserialize)]
struct ModelFile {
    features: Vec<String>,
    weights: Vec<f32>,
}

/// The shipped weights; `None` (the rules' choice stands) when the file does not match
/// [`FEATURES`].
fn weights() -> Option<&'static [f32; N]> {
    static W: OnceLock<Option<[f32; N]>> = OnceLock::new();
    W.get_or_init(|| {
        let m: ModelFile = serde_json::from_str(MODEL).ok()?;
        let same = m.features.len() == N && m.features.iter().zip(FEATURES).all(|(a, b)| a == b);
        (same && m.weights.len() == N).then(|| {
            let mut w = [0.0; N];
            w.copy_from_slice(&m.weights);
            w
        })
    })
    .as_ref()
}

/// One speaker a quotation may have, with its features.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The speaker's text if chosen: the chain's canonical name, or the rules' phrase.
    pub text: String,
    /// The chain, if the candidate is one.
    pub chain: Option<usize>,
    /// The chain's nearest mention in the cue's sentence (chars).
    mention: Option<(usize, usize)>,
    /// Feature values, in [`FEATURES`] order.
    pub features: [f32; N],
    /// Whether the ranker may choose it: the rules' choice or a chain, and not a person whose
    /// gender the cue's verb contradicts while another agrees (Arabic verbs agree with their
    /// subject: "وأضافت" is not the man quoted before).
    pub choosable: bool,
}

/// The position of a feature in [`FEATURES`].
fn feature_index(name: &str) -> Option<usize> {
    FEATURES.iter().position(|f| *f == name)
}

/// Features of a person or body on offer that fire with a weakness of the rules' choice:
/// (the rules' feature, whether the candidate is a person, the feature set).
const CONJUNCTIONS: [(&str, bool, &str); 8] = [
    ("rule_unlinked", true, "person_if_rule_unlinked"),
    ("rule_clitic", true, "person_if_rule_clitic"),
    ("rule_head_title", true, "person_if_rule_title"),
    ("rule_head_unknown", true, "person_if_rule_unknown"),
    ("rule_unlinked", false, "body_if_rule_unlinked"),
    ("rule_clitic", false, "body_if_rule_clitic"),
    ("rule_head_unknown", false, "body_if_rule_unknown"),
    ("rule_head_source", false, "body_if_rule_source"),
];

impl Candidate {
    fn set(&mut self, name: &str, v: f32) {
        if let Some(i) = feature_index(name) {
            self.features[i] = self.features[i].max(v);
        }
    }

    fn has(&self, name: &str) -> bool {
        feature_index(name).is_some_and(|i| self.features[i] != 0.0)
    }
}

/// Non-pronoun mentions as (start, end, chain), sorted by start: the chains' own index
/// without the cue verbs that linking added.
fn mention_index(doc: &Document) -> Vec<(usize, usize, usize)> {
    crate::coref::mention_index(&doc.chains)
        .into_iter()
        .filter(|m| m.3 != MentionKind::Pronoun)
        .map(|(s, e, c, _)| (s, e, c))
        .collect()
}

/// Whether the cue's verb or participle is feminine (قالت، أضافت، مؤكدة) or masculine; `None`
/// for nominal cues (بحسب، وفقا) and headlines.
fn cue_gender(cue: &str) -> Option<bool> {
    let w = crate::norm_text(cue);
    let w = w.rsplit(' ').next().unwrap_or("");
    if w.is_empty() || w.contains("حسب") || w.contains("وفق") || w.starts_with("نقل") {
        return None;
    }
    Some(w.ends_with('ت') || w.ends_with('ة') || w.ends_with('ه'))
}

/// The grammatical gender of each person chain, from what the article says of it: its roles
/// and titles (وزيرة، المديرة against وزير، المدير) and the reporting verbs right before its
/// name (وقالت هند، وقال خالد); `None` for bodies and when nothing says.
fn chain_genders(doc: &Document) -> Vec<Option<bool>> {
    let lex = crate::lex::Lex::get();
    doc.chains
        .iter()
        .map(|ch| {
            if ch.label != "PER" {
                return None;
            }
            let (mut fem, mut masc) = (0, 0);
            for m in &ch.mentions {
                match m.kind {
                    MentionKind::Role | MentionKind::Title => {
                        let text = crate::norm_text(doc.slice(m.start, m.end));
                        let first = text.split(' ').next().unwrap_or("");
                        // With and without a conjunction (والوزيرة، وزيرة).
                        for w in [Some(first), crate::lex::strip_conj(first)]
                            .into_iter()
                            .flatten()
                        {
                            let bare = w.strip_prefix("ال").unwrap_or(w);
                            let title = |x: &str| lex.is_title(x) || lex.is_rank(x);
                            if let Some(stem) = bare.strip_suffix('ة') {
                                if title(stem) || title(&format!("ال{stem}")) {
                                    fem += 1;
                                    break;
                                }
                            } else if title(w) || title(bare) {
                                masc += 1;
                                break;
                            }
                        }
                    }
                    MentionKind::Name => {
                        let k = doc.tokens.partition_point(|t| t.end <= m.start);
                        let Some(prev) = k.checked_sub(1).map(|i| &doc.tokens[i]) else {
                            continue;
                        };
                        if lex.cue(&prev.norm) == Some(crate::lex::CueClass::Verb) {
                            match cue_gender(doc.slice(prev.start, prev.end)) {
                                Some(true) => fem += 1,
                                Some(false) => masc += 1,
                                None => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            (fem != masc).then_some(fem > masc)
        })
        .collect()
}

/// The feature naming what heads a speaker phrase (its first word, with or without the
/// article and the feminine ending).
fn rule_head(text: &str) -> &'static str {
    let lex = crate::lex::Lex::get();
    let n = crate::norm_text(text);
    let w = n.split(' ').next().unwrap_or("");
    let w = crate::lex::strip_conj(w)
        .filter(|r| r.starts_with("ال"))
        .unwrap_or(w);
    let bare = w.strip_prefix("ال").unwrap_or(w);
    let forms = [w, bare, bare.strip_suffix('ة').unwrap_or(bare)];
    let any = |f: &dyn Fn(&str) -> bool| forms.iter().any(|x| f(x));
    if any(&|x| lex.is_title(x) || lex.is_rank(x)) {
        "rule_head_title"
    } else if any(&|x| lex.is_generic_any(x)) {
        "rule_head_person"
    } else if any(&|x| lex.is_org(x)) {
        "rule_head_body"
    } else if any(&|x| lex.is_source(x)) {
        "rule_head_source"
    } else {
        "rule_head_unknown"
    }
}

/// The speaker candidates of every quotation of `doc` (its chains linked): the rules' choice
/// first, then the other chains on offer. Used by the ranker and by its trainer.
#[doc(hidden)]
pub fn candidates(doc: &Document) -> Vec<Vec<Candidate>> {
    let index = mention_index(doc);
    // Each chain's mention starts, sorted (the index is): a binary search per quotation keeps
    // the stage linear when one chain has thousands of mentions.
    let mut starts: Vec<Vec<usize>> = vec![Vec::new(); doc.chains.len()];
    for &(s, _, c) in &index {
        starts[c].push(s);
    }
    let counts: Vec<usize> = starts.iter().map(Vec::len).collect();
    // The main participant: the person mentioned most (the first of them).
    let main = (0..doc.chains.len())
        .filter(|&c| doc.chains[c].label == "PER")
        .max_by_key(|&c| (counts[c], usize::MAX - c));
    let title_end = doc.title.chars().count();
    let genders = chain_genders(doc);
    let named: Vec<bool> = doc
        .chains
        .iter()
        .map(|ch| ch.mentions.iter().any(|m| m.kind == MentionKind::Name))
        .collect();
    doc.quotes
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let cue = q.cue.start;
            let sent = doc.sentence_at(cue).map(|i| doc.sentences[i]);
            let (ss, se) = sent.map_or((cue, q.cue.end), |s| (s.start, s.end));
            let gender = cue_gender(&q.cue.text);
            let mut out: Vec<Candidate> = Vec::new();
            let add = |out: &mut Vec<Candidate>,
                       chain: Option<usize>,
                       text: Option<&str>,
                       mention: Option<(usize, usize)>|
             -> usize {
                if chain.is_none() {
                    if let Some(k) = out
                        .iter()
                        .position(|x| x.chain.is_none() && Some(x.text.as_str()) == text)
                    {
                        return k;
                    }
                }
                if let Some(c) = chain {
                    if let Some(k) = out.iter().position(|x| x.chain == Some(c)) {
                        if out[k].mention.is_none() {
                            out[k].mention = mention;
                        }
                        return k;
                    }
                }
                let text = chain.map_or_else(
                    || text.unwrap_or("").to_string(),
                    |c| doc.chains[c].name.clone(),
                );
                let mut cand = Candidate {
                    text,
                    chain,
                    mention,
                    features: [0.0; N],
                    choosable: true,
                };
                if let Some(c) = chain {
                    let ch = &doc.chains[c];
                    let person = ch.label == "PER";
                    cand.set("person", person as u8 as f32);
                    cand.set("body", !person as u8 as f32);
                    cand.set("main", (main == Some(c)) as u8 as f32);
                    cand.set("mentions", (1.0 + counts[c] as f32).ln() / 3.0);
                    cand.set("named", named[c] as u8 as f32);
                    if let (Some(g), Some(cg)) = (gender, genders[c]) {
                        cand.set(
                            if g == cg {
                                "gender_agrees"
                            } else {
                                "gender_clashes"
                            },
                            1.0,
                        );
                    }
                    match gender {
                        Some(true) if person => cand.set("cue_feminine_person", 1.0),
                        Some(true) => cand.set("cue_feminine_body", 1.0),
                        Some(false) if !person => cand.set("cue_masculine_body", 1.0),
                        _ => {}
                    }
                    // Nearest mention before the cue: its distance, and where it is.
                    let st = &starts[c];
                    let before = st[..st.partition_point(|&s| s < cue)].last().copied();
                    let d = before.map_or(1.0, |s| ((cue - s) as f32 / 400.0).min(1.0));
                    cand.set("distance", 1.0 - d);
                    if before.is_some_and(|s| s < ss) {
                        cand.set("earlier_sentence", 1.0);
                    }
                    if st.first().is_some_and(|&s| s < title_end) {
                        cand.set("headline", 1.0);
                    }
                }
                out.push(cand);
                out.len() - 1
            };
            // The rules' choice.
            let sp = &q.speaker;
            let rule = add(
                &mut out,
                sp.chain.filter(|&c| c < doc.chains.len()),
                Some(&sp.text),
                sp.mention.as_ref().map(|m| (m.start, m.end)),
            );
            let r = &mut out[rule];
            r.set("rule", 1.0);
            r.set("rule_in_chain", sp.chain.is_some() as u8 as f32);
            r.set("rule_mention", sp.mention.is_some() as u8 as f32);
            r.set("rule_entity", sp.entity.is_some() as u8 as f32);
            // What heads the rules' phrase: a role, a person noun, a body, a source, or none
            // of them (a fragment, most often).
            let head = rule_head(&sp.text);
            r.set(head, 1.0);
            // A phrase opening with a preposition or carrying a pronoun ("لكرة القدم"،
            // "دعمه الكريم") is rarely a speaker.
            if let Some(m) = &sp.mention {
                let k = doc.tokens.partition_point(|t| t.end <= m.start);
                if doc.tokens.get(k).is_some_and(|t| {
                    t.segments.iter().any(|g| {
                        g.kind == SegmentKind::Enclitic
                            || (g.kind == SegmentKind::Proclitic
                                && matches!(g.text.as_str(), "ل" | "ب" | "ك" | "لل"))
                    })
                }) {
                    r.set("rule_clitic", 1.0);
                }
            }
            if sp.chain.is_none() {
                r.set("rule_unlinked", 1.0);
                let place = sp
                    .entity
                    .and_then(|e| doc.entities.get(e))
                    .is_some_and(|e| e.label == "LOC");
                r.set("rule_place", place as u8 as f32);
            }
            // The previous quotation's speaker.
            if qi > 0 {
                let p = &doc.quotes[qi - 1].speaker;
                let k = add(&mut out, p.chain, Some(&p.text), None);
                out[k].set("previous", 1.0);
                if sp.mention.is_none() {
                    out[k].set("subjectless_previous", 1.0);
                }
            }
            // The nearest chains named in the cue's sentence, before and after the cue.
            let lo = index.partition_point(|m| m.0 < ss);
            let mid = index.partition_point(|m| m.0 < cue);
            let hi = index.partition_point(|m| m.0 < se);
            if let Some(&(ms, me, c)) = index[lo..mid.max(lo)].last() {
                let k = add(&mut out, Some(c), None, Some((ms, me)));
                out[k].set("sentence_before", 1.0);
            }
            if let Some(&(ms, me, c)) = index[mid.min(hi)..hi].first() {
                let k = add(&mut out, Some(c), None, Some((ms, me)));
                out[k].set("sentence_after", 1.0);
            }
            // The nearest chain in the sentences before.
            if let Some(&(_, _, c)) = index[..lo].last() {
                add(&mut out, Some(c), None, None);
            }
            if let Some(c) = main {
                add(&mut out, Some(c), None, None);
            }
            // The nearest person before the cue whose gender is the cue's ("وأضافت" after
            // a man's quotation goes back to the woman quoted before him).
            if let Some(g) = gender {
                let agreeing = index[..mid]
                    .iter()
                    .rev()
                    .take(MAX_LOOK_BACK)
                    .find(|&&(_, _, c)| genders[c] == Some(g));
                if let Some(&(_, _, c)) = agreeing {
                    let k = add(&mut out, Some(c), None, None);
                    out[k].set("nearest_agreeing", 1.0);
                }
            }
            let some_agree = out.iter().any(|c| c.has("gender_agrees"));
            for (k, c) in out.iter_mut().enumerate() {
                c.choosable =
                    (k == rule || c.chain.is_some()) && !(some_agree && c.has("gender_clashes"));
            }
            // What the others offer depends on how weak the rules' choice is: a person
            // against a role or a fragment, a body against a fragment or a source.
            let weak = out[rule].clone();
            for (k, cand) in out.iter_mut().enumerate() {
                let Some(c) = cand.chain.filter(|_| k != rule) else {
                    continue;
                };
                let person = doc.chains[c].label == "PER";
                for (rule_feature, for_person, name) in CONJUNCTIONS {
                    if for_person == person && weak.has(rule_feature) {
                        cand.set(name, 1.0);
                    }
                }
            }
            out
        })
        .collect()
}

/// A candidate's score under `w`.
pub fn score(w: &[f32; N], c: &Candidate) -> f32 {
    w.iter().zip(&c.features).map(|(a, b)| a * b).sum()
}

/// The index of the best choosable candidate (the first on a tie: the rules' choice).
pub fn choose(w: &[f32; N], cands: &[Candidate]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (k, c) in cands.iter().enumerate() {
        let s = score(w, c);
        if c.choosable && best.is_none_or(|(_, b)| s > b) {
            best = Some((k, s));
        }
    }
    best.map(|(k, _)| k)
}

/// Re-ranks every quotation's speaker with the shipped model; a candidate other than the
/// rules' choice replaces it only when it scores higher.
pub fn rank(doc: &mut Document) {
    if let Some(w) = weights() {
        rank_with(doc, w);
    }
}

fn rank_with(doc: &mut Document, w: &[f32; N]) {
    let all = candidates(doc);
    for (qi, cands) in all.into_iter().enumerate() {
        let Some(best) = choose(w, &cands) else {
            continue;
        };
        if best == 0 {
            continue;
        }
        let c = &cands[best];
        let Some(chain) = c.chain else { continue };
        let role = doc.chains[chain].roles.first().cloned();
        let mention = c.mention.map(|(s, e)| TextSpan {
            text: doc.slice(s, e).to_string(),
            start: s,
            end: e,
        });
        let sp = &mut doc.quotes[qi].speaker;
        sp.text = c.text.clone();
        sp.role = role;
        sp.chain = Some(chain);
        sp.entity = None;
        sp.mention = mention;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_analysis::{Entity, Speaker};

    /// A document of `body` with the given persons as entities, chains linked.
    fn analyzed(body: &str, persons: &[&str]) -> Document {
        let mut doc = crate::quotes::test_doc(body);
        for name in persons {
            let start = doc
                .text
                .find(name)
                .map(|b| doc.text[..b].chars().count())
                .unwrap();
            doc.entities.push(Entity {
                text: name.to_string(),
                label: "PER".into(),
                start,
                end: start + name.chars().count(),
            });
        }
        doc.entities.sort_by_key(|e| e.start);
        doc.chains = crate::chains(&doc);
        doc.quotes = crate::extract_quotes(&doc);
        crate::link_speakers(&mut doc);
        doc
    }

    /// A document with one named minister and its quotation.
    fn minister() -> Document {
        analyzed(
            "وقال وزير المالية خالد السالم إن العجز انخفض.",
            &["خالد السالم"],
        )
    }

    const TWO_SPEAKERS: &str = "وقالت وزيرة الصحة هند السالم إن المستشفى جاهز. وقال مدير المستشفى خالد العمر إن الأسرة كافية.";

    #[test]
    fn genders_come_from_roles_and_cues() {
        let doc = analyzed(TWO_SPEAKERS, &["هند السالم", "خالد العمر"]);
        let g = chain_genders(&doc);
        let of = |n: &str| g[doc.chains.iter().position(|c| c.name == n).unwrap()];
        assert_eq!(of("هند السالم"), Some(true));
        assert_eq!(of("خالد العمر"), Some(false));
    }

    #[test]
    fn a_feminine_cue_goes_back_to_the_woman_quoted_before() {
        let body = format!("{TWO_SPEAKERS} وأضافت أن الافتتاح سيكون الشهر المقبل.");
        let doc = analyzed(&body, &["هند السالم", "خالد العمر"]);
        assert_eq!(doc.quotes.len(), 3);
        // The rules take the previous speaker; the ranker reads the feminine verb.
        assert_eq!(doc.quotes[2].speaker.text, "خالد العمر");
        let cands = candidates(&doc);
        let clash = FEATURES
            .iter()
            .position(|f| *f == "gender_clashes")
            .unwrap();
        assert_eq!(cands[2][0].features[clash], 1.0);
        let mut ranked = doc.clone();
        rank(&mut ranked);
        assert_eq!(ranked.quotes[2].speaker.text, "هند السالم");
        assert_eq!(ranked.quotes[1].speaker.text, "خالد العمر");
    }

    fn weights_of(pairs: &[(&str, f32)]) -> [f32; N] {
        let mut w = [0.0; N];
        for (f, v) in pairs {
            w[FEATURES.iter().position(|x| x == f).unwrap()] = *v;
        }
        w
    }

    #[test]
    fn shipped_model_matches_the_features() {
        let w = weights().expect("speaker_ranker.json must list FEATURES in order");
        // The rules' choice keeps a positive prior.
        assert!(w[0] > 0.0);
    }

    #[test]
    fn rules_choice_comes_first_and_chains_are_valid() {
        let doc = minister();
        let all = candidates(&doc);
        assert_eq!(all.len(), doc.quotes.len());
        for (q, cands) in doc.quotes.iter().zip(&all) {
            assert_eq!(cands[0].text, q.speaker.text);
            assert_eq!(cands[0].features[0], 1.0);
            assert!(cands.iter().skip(1).all(|c| c.features[0] == 0.0));
            assert!(cands
                .iter()
                .all(|c| c.chain.is_none_or(|i| i < doc.chains.len())));
        }
    }

    #[test]
    fn a_weak_rules_choice_gives_way_to_the_person_named_in_the_sentence() {
        let mut doc = minister();
        assert_eq!(doc.quotes[0].speaker.text, "خالد السالم");
        // As if the rules had read a fragment that no chain holds.
        doc.quotes[0].speaker = Speaker {
            text: "العجز".into(),
            mention: None,
            entity: None,
            role: None,
            chain: None,
        };
        let mut kept = doc.clone();
        rank_with(&mut kept, &weights_of(&[("rule", 1.0)]));
        assert_eq!(kept.quotes[0].speaker.text, "العجز");
        rank_with(
            &mut doc,
            &weights_of(&[("rule", 1.0), ("person_if_rule_unlinked", 2.0)]),
        );
        let sp = &doc.quotes[0].speaker;
        assert_eq!(sp.text, "خالد السالم");
        assert_eq!(sp.role.as_deref(), Some("وزير المالية"));
        let c = sp.chain.unwrap();
        assert_eq!(doc.chains[c].name, "خالد السالم");
        let m = sp.mention.as_ref().unwrap();
        assert_eq!(doc.slice(m.start, m.end), m.text);
    }

    #[test]
    fn cue_gender_reads_the_verb_ending() {
        assert_eq!(cue_gender("وقالت"), Some(true));
        assert_eq!(cue_gender("مؤكدة"), Some(true));
        assert_eq!(cue_gender("وأضاف"), Some(false));
        assert_eq!(cue_gender("بحسب"), None);
    }
}
