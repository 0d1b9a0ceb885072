//! One person, one type in an article. News names a person in full once (`جون كيري`,
//! `سيب بلاتر`) and by the surname alone afterwards. The model, which never saw most
//! foreign surnames in training, often tags the bare surname as a place or an
//! organization (`كيري` LOC, `بلاتر` LOC in SaudiNewsNet), though the article itself says
//! who it is. A single-word LOC, ORG or MISC entity becomes PER when the article has a
//! two-word person span whose first word is a first name of the person gazetteers and
//! whose second word is that entity (compared normalized).
//!
//! The second word must look like a surname, not like a place: no article (`جيب الباغوز`
//! is an enclave, `عبدالعزيز الاحساء` a mis-tagged pair), not a well-known place (`ليون`
//! is Lyon too) or an organization of the gazetteer, and not a name the article gives an
//! institution noun (`شركة إديسون` keeps `إديسون` an organization). A bare mention that
//! names a thing after the person stays as it is: after an institution or place noun
//! (`برج إيفل`, `دار بوشرون`) or between guillemets, which news uses for brands and
//! titles (`«شانيل»`).

use crate::decoding::spans::EntitySpan;
use crate::features::lexicon::{GAZ_MAJOR, GAZ_ORG, GAZ_PER};
use crate::features::news::news_code;
use crate::features::text::normalize;
use crate::features::Resources;
use crate::running_text::org_phrases::{has_article, is_stop, named_orgs, HEADS, NAMED_AFTER};
use crate::tags::Label;
use khabar_text::{Token, TokenKind};
use rustc_hash::FxHashSet;

/// Retypes as PER the bare surnames of persons the article names in full (see the module
/// documentation). Spans do not move; only labels change.
pub fn unify_surnames(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut [EntitySpan],
) {
    let mut surnames: FxHashSet<String> = FxHashSet::default();
    for e in ents.iter().filter(|e| e.label == Label::Per) {
        let mut words = crate::running_text::entity_words(tokens, e);
        let (Some(first), Some(last), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let first_norm = normalize(&text_slice(e.start.max(first.start), first.end));
        let last_norm = normalize(&text_slice(last.start, last.end));
        let looks_like_surname = !has_article(last)
            && !is_stop(last)
            && last_norm.chars().count() >= 3
            && res.gaz.single(&last_norm) & (GAZ_MAJOR | GAZ_ORG) == 0;
        if !NAME_PARTICLES.contains(&first_norm.as_str())
            && is_first_name(res, first, &first_norm)
            && looks_like_surname
        {
            surnames.insert(last_norm);
        }
    }
    if surnames.is_empty() {
        return;
    }
    let orgs: FxHashSet<String> = named_orgs(text_slice, tokens, ents)
        .iter()
        .map(|n| normalize(n))
        .collect();
    for e in ents.iter_mut() {
        if matches!(e.label, Label::Loc | Label::Org | Label::Misc) && !e.text.contains(' ') {
            let norm = normalize(&e.text);
            if surnames.contains(&norm) && !orgs.contains(&norm) && !names_a_thing(tokens, e) {
                e.label = Label::Per;
            }
        }
    }
}

/// The share of entity tags (in eighths) the news tag codes give a normalized word, if
/// they know it.
pub(crate) fn news_entity_eighths(res: &Resources, norm: &str) -> Option<u16> {
    news_code(res, norm).map(|code| code & 7)
}

/// Does the one-word entity `e` name a thing after a person: right after an institution
/// or place noun, or alone between guillemets?
fn names_a_thing(tokens: &[Token], e: &EntitySpan) -> bool {
    let i = tokens.partition_point(|t| t.end <= e.start);
    let Some(prev) = i.checked_sub(1).map(|p| &tokens[p]) else {
        return false;
    };
    let stem = prev.stem_segment().text.as_str();
    let after_noun = prev.kind == TokenKind::Word
        && !has_article(prev)
        && (HEADS.contains(&stem) || NAMED_AFTER.contains(&stem));
    let next = tokens[i..].iter().find(|t| t.start >= e.end);
    let quoted = prev.norm.ends_with('«') && next.is_some_and(|n| n.norm.starts_with('»'));
    after_noun || quoted
}

/// Words that begin names without being first names: `بن قردان` is a town, and after
/// `أبو` or `آل` the second word is a family or a place, not a surname used alone.
pub(crate) const NAME_PARTICLES: &[&str] = &[
    "بن", "ابن", "بنت", "ابو", "ابي", "ام", "ال", "عبد", "سان", "ذو",
];

/// Least share of entity tags (in eighths) a first name gets in the news, when the news
/// tag codes know the word: `هاتف` ("phone") is a name of the gazetteer too.
const MIN_NEWS_ENTITY_EIGHTHS: u16 = 4;

/// A person-gazetteer word, not a stopword, that the news tags as part of an entity at
/// least half the time when it knows the word (`فإن` "so that" is `فان` "Van" once
/// normalized).
fn is_first_name(res: &Resources, token: &Token, norm: &str) -> bool {
    res.gaz.single(norm) & GAZ_PER != 0
        && !is_stop(token)
        && news_entity_eighths(res, norm).is_none_or(|s| s >= MIN_NEWS_ENTITY_EIGHTHS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::doc_form_key;
    use crate::features::lexicon::{Gazetteer, GAZ_LOC};
    use crate::features::news::news_key;

    fn res() -> Resources {
        let mut gaz = Gazetteer::default();
        let firsts = ["جون", "جيب", "توماس", "برناردينو", "هاتف", "فان", "بن"];
        for first in firsts {
            gaz.add(first, GAZ_PER);
        }
        gaz.add("ليون", GAZ_LOC);
        gaz.add("ليون", GAZ_MAJOR);
        let mut res = Resources {
            gaz,
            ..Default::default()
        };
        // The news tags `هاتف` and `فإن` as entities in none of their many occurrences,
        // `جون` in seven eighths of them.
        for (word, eighths) in [("هاتف", 0u16), ("فإن", 0), ("جون", 7)] {
            let k = news_key(doc_form_key(word).unwrap());
            res.news.codes.insert(k, (6 << 9) | eighths);
        }
        res
    }

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        let res = res();
        crate::running_text::run_rule(text, given, |slice, tokens, ents| {
            unify_surnames(&res, slice, tokens, ents)
        })
    }

    #[test]
    fn a_bare_surname_of_a_person_named_in_full_is_a_person() {
        // (`run_rule` places each given entity at the first occurrence of its text.)
        let r = run(
            "وقال كيري إن المحادثات جيدة، بعد أن التقى جون كيري نظيره.",
            &[("كيري", Label::Loc), ("جون كيري", Label::Per)],
        );
        assert_eq!(r[0], ("كيري".to_string(), Label::Per));
        let r = run(
            "وصف كيري الاجتماع بأنه مثمر، وكان جون كيري قد وصل أمس.",
            &[("كيري", Label::Org), ("جون كيري", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Per);
    }

    #[test]
    fn places_definite_words_and_named_organizations_keep_their_type() {
        // A definite second word is a place far more often than a surname.
        let r = run(
            "دخلت القوات الباغوز فجرا بعد معارك في جيب الباغوز.",
            &[("الباغوز", Label::Loc), ("جيب الباغوز", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
        // A surname that is also a well-known place.
        let r = run(
            "زار ليون أمس، وقال برناردينو ليون إن الحوار مستمر.",
            &[("ليون", Label::Loc), ("برناردينو ليون", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
        // The article itself names the word an organization.
        let r = run(
            "تبيع إديسون أجهزة كثيرة، وقد أسس توماس إديسون شركة إديسون قبل قرن.",
            &[
                ("إديسون", Label::Org),
                ("توماس إديسون", Label::Per),
                ("شركة إديسون", Label::Org),
            ],
        );
        assert_eq!(r[0].1, Label::Org);
        // Words of the person gazetteer that the news knows as common words.
        let r = run(
            "تباع هواوي في كل مكان، ويعمل هاتف هواوي جيدا.",
            &[("هواوي", Label::Org), ("هاتف هواوي", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Org);
        let r = run(
            "ربحت سامسونغ كثيرا، فإن سامسونغ تتقدم.",
            &[("سامسونغ", Label::Org), ("فإن سامسونغ", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Org);
        // A thing named after the person: a tower, a brand between guillemets.
        let r = run(
            "صعدنا إيفل ثم زرنا برج إيفل الذي صممه جون إيفل.",
            &[("إيفل", Label::Loc), ("جون إيفل", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Per, "a bare mention: the person");
        let r = run(
            "زرنا برج إيفل الذي صممه جون إيفل.",
            &[("إيفل", Label::Loc), ("جون إيفل", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
        let r = run(
            "عرضت «ديلون» أزياء جديدة، كما فعل جون ديلون.",
            &[("ديلون", Label::Misc), ("جون ديلون", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Misc);
        // A town named `بن …`, an island after its place noun.
        let r = run(
            "وصلت القافلة إلى قردان أمس، وهي مدينة بن قردان.",
            &[("قردان", Label::Loc), ("بن قردان", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
        // Without a first name of the gazetteer, nothing changes.
        let r = run(
            "غنت فاتن أمس، وقالت مدام فاتن إنها سعيدة.",
            &[("فاتن", Label::Loc), ("مدام فاتن", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
        // Longer person spans and multi-word entities are left alone.
        let r = run(
            "أقيم الحفل في كيري بارك، واستقبل جون بول كيري الوفد.",
            &[("كيري بارك", Label::Loc), ("جون بول كيري", Label::Per)],
        );
        assert_eq!(r[0].1, Label::Loc);
    }

    proptest::proptest! {
        /// Whatever the entities, the rule changes labels only: every span keeps its
        /// offsets and its text, equal to the text at its offsets.
        #[test]
        fn spans_stay_inside_and_match_the_text(
            words in proptest::collection::vec(0usize..12, 1..24),
            marks in proptest::collection::vec((0usize..4, 1usize..4), 0..10),
        ) {
            let vocab = [
                "جون", "كيري", "الجنرال", "داعش", "أرى", "«", "»", "برج", "وكيري", "الله",
                "بن", "،",
            ];
            let text = words.iter().map(|&w| vocab[w]).collect::<Vec<_>>().join(" ");
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(&text);
            let chars: Vec<char> = text.chars().collect();
            let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
            // Non-overlapping runs of tokens, each with a label, in text order.
            let mut ents = crate::running_text::entities_on_runs(&tokens, &marks, &slice, crate::decoding::spans::stem_start);
            let before = ents.clone();
            let res = res();
            unify_surnames(&res, &slice, &tokens, &mut ents);
            proptest::prop_assert_eq!(ents.len(), before.len());
            for (e, b) in ents.iter().zip(&before) {
                proptest::prop_assert!(e.start == b.start && e.end == b.end);
                proptest::prop_assert_eq!(&e.text, &slice(e.start, e.end));
            }
        }
    }
}
