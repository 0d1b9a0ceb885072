//! One person, one type in an article. News names a person in full once (`جون كيري`,
//! `سيب بلاتر`) and by the surname alone afterwards. The model, which never saw most
//! foreign surnames in training, often tags the bare surname as a place or an
//! organization (`كيري` LOC, `بلاتر` LOC in SaudiNewsNet), though the article itself says
//! who it is. A single-word LOC, ORG or MISC entity becomes PER when the article has a
//! two-word person span whose first word is a first name of the person gazetteers and
//! whose second word is that entity (compared normalized).
//!
//! The second word must look like a surname, not like a place: no article (`جيب الباغوز`
//! is an enclave, `عبدالعزيز الاحساء` a mis-tagged pair), not a place or organization of
//! the gazetteer's well-known places (`ليون` is Lyon too), and not a name the article gives an institution
//! noun (`شركة إديسون` keeps `إديسون` an organization). A bare mention that names a thing
//! after the person stays as it is: after an institution or place noun (`برج إيفل`, `دار
//! بوشرون`) or between guillemets, which news uses for brands and titles (`«شانيل»`).

use crate::features::{doc_form_key, Resources};
use crate::lexicon::{GAZ_MAJOR, GAZ_ORG, GAZ_PER};
use crate::news::news_key;
use crate::org_phrases::{has_article, is_stop, named_orgs, HEADS};
use crate::tags::Label;
use crate::text::normalize;
use crate::EntitySpan;
use khabar_text::{Token, TokenKind};

/// Retypes as PER the bare surnames of persons the article names in full (see the module
/// documentation). Spans do not move; only labels change.
pub fn unify_surnames(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut [EntitySpan],
) {
    let mut surnames: Vec<String> = Vec::new();
    for e in ents.iter().filter(|e| e.label == Label::Per) {
        let from = tokens.partition_point(|t| t.end <= e.start);
        let mut words = tokens[from..]
            .iter()
            .take_while(|t| t.start < e.end)
            .filter(|t| t.kind == TokenKind::Word);
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
            && !surnames.contains(&last_norm)
        {
            surnames.push(last_norm);
        }
    }
    if surnames.is_empty() {
        return;
    }
    let orgs: Vec<String> = named_orgs(text_slice, tokens, ents)
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

/// Nouns of places and buildings named after persons (`برج إيفل`, `شارع الحبيب بورقيبة`),
/// normalized, besides the institution nouns of [`HEADS`].
const NAMED_AFTER: &[&str] = &[
    // buildings and things
    "برج",
    "شارع",
    "ساحة",
    "ميدان",
    "متحف",
    "جائزة",
    "مطار",
    "مستشفى",
    "مدرسة",
    "دار",
    "مجموعة",
    "جسر",
    "قاعة",
    "ملعب",
    "استاد",
    "مسرح",
    "حديقة",
    "قصر",
    "فندق",
    "ماركة",
    // places (`جزيرة ياس`)
    "جزيرة",
    "مدينة",
    "منطقة",
    "قرية",
    "حي",
    "بلدة",
    "محافظة",
    "ولاية",
    "اقليم",
    "جبل",
    "نهر",
    "ميناء",
    // media (`إذاعة بلومبيرغ`)
    "اذاعة",
    "صحيفة",
    "جريدة",
    "مجلة",
    "قناة",
    "شبكة",
    "موقع",
    "تلفزيون",
];

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
const NAME_PARTICLES: &[&str] = &[
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
        && doc_form_key(norm)
            .and_then(|k| res.news.codes.get(&news_key(k)).copied())
            .is_none_or(|code| code & 7 >= MIN_NEWS_ENTITY_EIGHTHS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Gazetteer, GAZ_LOC};

    fn res() -> Resources {
        let mut gaz = Gazetteer::default();
        for first in ["جون", "جيب", "توماس", "برناردينو", "هاتف", "فان", "بن"]
        {
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
        crate::run_rule(text, given, |slice, tokens, ents| {
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
}
