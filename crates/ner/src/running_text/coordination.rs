//! Entities the model runs over a conjunction, on running text.
//!
//! The model often tags two names joined by `و` ("and") as one entity: `بلمختار
//! والأنصاري` (two persons), `الأهلي والزمالك` (two clubs), `الباحة وعسير` (two regions),
//! and it pulls a nationality or a title that introduces the next name into a person
//! (`خوان ماتا والإكوادوري أنتونيو فالنسيا` "Juan Mata and the Ecuadorian Antonio
//! Valencia", `مرزوق الروقي والشاعر` "… and the poet"). Names that hold `و` themselves
//! stay whole: a gazetteer name (`البوسنة والهرسك`, `ترينيداد وتوباغو`), a Latin name
//! read as و + the rest (`سام والتون`), and organizations whose name coordinates two
//! nouns (`الهيئة العامة للسياحة والتراث الوطني`, `الاتحاد والترقي`).
//! Like the other running-text rules this runs in `NerModel::entities` only; CoNLL
//! tagging and evaluation keep the model's tags.

use crate::decoding::spans::EntitySpan;
use crate::features::lexicon::{GAZ_LOC, GAZ_PER, GAZ_TYPE_BITS};
use crate::features::text::normalize;
use crate::features::Resources;
use crate::running_text::org_phrases::HEADS;
use crate::running_text::surnames::NAME_PARTICLES;
use crate::tags::Label;
use khabar_text::titles::PERSON_TITLES;
use khabar_text::{normalize_word, SegmentKind, Token};

/// Organization nouns that begin a second organization after `و`, besides the heads of
/// organization phrases ([`HEADS`]): `مجلس الأمن الدولي والكونغرس الأميركي`.
const MORE_ORG_HEADS: &[&str] = &["كونغرس", "كونجرس", "برلمان", "مسجد", "بنك", "مصرف"];

/// Least share of entity tags (in eighths) the news gives each one-word name of `X وY`
/// for the two to be taken as two organizations (`الأهلي والزمالك`; not `الاتحاد
/// والترقي`, whose `الترقي` "progress" the news rarely tags).
const MIN_NEWS_ENTITY_EIGHTHS: u16 = 4;

/// A word of an entity that begins with a conjunction or preposition the text core split
/// off (`والأنصاري` is و + `الأنصاري`), the rest definite.
struct Joint {
    /// Index of the word among the entity's words.
    word: usize,
    /// `و`, or `ب` (`دروغبا بالكولومبي`).
    particle: char,
    /// Where the rest begins (char offset).
    rest_start: usize,
    /// Where the word ends.
    end: usize,
    /// Is the rest definite (`الأنصاري`, or `الله`)?
    definite: bool,
    /// The rest of the word in the NER normalization (`الانصاري`).
    rest: String,
    /// The rest of the word as the text core normalizes it (ة kept): titles are listed so.
    rest_word: String,
}

/// Splits entities the model ran over `و` into the names they join, and ends a person
/// before a nationality or title that introduces the next name. `ents` is sorted by start
/// and stays so.
pub fn split_coordinated(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut Vec<EntitySpan>,
) {
    let mut out: Vec<EntitySpan> = Vec::with_capacity(ents.len());
    let mut next_starts: Vec<Option<(usize, Label)>> = ents
        .iter()
        .skip(1)
        .map(|n| Some((n.start, n.label)))
        .collect();
    next_starts.push(None);
    for (e, next) in ents.drain(..).zip(next_starts) {
        // Most entities have no joint: look before collecting anything.
        let has_joint = crate::running_text::entity_words(tokens, &e)
            .skip(1)
            .any(|t| {
                starts_with_and(t)
                    || t.segments
                        .first()
                        .is_some_and(|s| s.kind == SegmentKind::Proclitic && s.text == "ب")
            });
        if !has_joint
            || !matches!(e.label, Label::Per | Label::Org | Label::Loc)
            || res.gaz.phrase(&e.text) & GAZ_TYPE_BITS != 0
        {
            out.push(e);
            continue;
        }
        let words: Vec<&Token> = crate::running_text::entity_words(tokens, &e).collect();
        // A person right after the entity (`والإكوادوري أنتونيو فالنسيا`): the last word
        // may introduce that name.
        let person_follows = next.is_some_and(|(start, label)| {
            label == Label::Per && crate::decoding::spans::one_space_apart(text_slice, e.end, start)
        });
        let parts = split(res, text_slice, &words, &e, person_follows);
        out.extend(parts);
    }
    *ents = out;
}

/// The parts of `e` (whose words are `words`), in text order.
fn split(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    words: &[&Token],
    e: &EntitySpan,
    person_follows: bool,
) -> Vec<EntitySpan> {
    let span = |label: Label, start: usize, end: usize| EntitySpan {
        label,
        start,
        end,
        text: text_slice(start, end),
    };
    let mut parts = Vec::new();
    // The part not yet placed: from `start`, words `from..`.
    let mut start = e.start;
    let mut from = 0;
    let mut k = 1;
    while k < words.len() {
        let Some(j) = joint(res, text_slice, words, k) else {
            k += 1;
            continue;
        };
        let left_end = words[j.word - 1].end;
        let left_words = &words[from..j.word];
        let right_words = &words[j.word + 1..];
        let context = Context {
            left: left_words,
            right: right_words,
            person_follows,
        };
        match decide(res, text_slice, e.label, &j, &context) {
            Decision::Keep => {
                k += 1;
                continue;
            }
            Decision::Split => {
                parts.push(span(e.label, start, left_end));
                start = j.rest_start;
                from = j.word;
            }
            Decision::EndBefore => {
                parts.push(span(e.label, start, left_end));
                // What follows the nationality or title is a name of its own.
                match right_words.first() {
                    Some(next) => {
                        start = next.start;
                        from = j.word + 1;
                    }
                    None => return parts,
                }
            }
            Decision::Place => {
                parts.push(span(e.label, start, left_end));
                parts.push(span(Label::Loc, j.rest_start, j.end));
                match right_words.first() {
                    Some(next) => {
                        start = next.start;
                        from = j.word + 1;
                    }
                    None => return parts,
                }
            }
            Decision::Drop => {
                parts.push(span(e.label, start, left_end));
                return parts;
            }
        }
        k = from + 1;
    }
    parts.push(span(e.label, start, e.end));
    parts
}

enum Decision {
    /// One name: the conjunction belongs to it.
    Keep,
    /// Two names: the second begins after the particle.
    Split,
    /// The name ends before the word (a nationality, a title); the words after it, if
    /// any, are a name of their own.
    EndBefore,
    /// The name ends before the word, which is a place with ب (`بالرياض`).
    Place,
    /// The name ends before the word, and the rest is no name (`والله`, an oath).
    Drop,
}

/// The joint at word `k` of the entity, if that word is و or ب + a definite rest that is
/// not, as a whole, a name of the gazetteers (`والتون` Walton).
fn joint(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    words: &[&Token],
    k: usize,
) -> Option<Joint> {
    let t = words[k];
    let first = t.segments.first()?;
    let particle = match (first.kind, first.text.as_str()) {
        (SegmentKind::Proclitic, "و") => 'و',
        (SegmentKind::Proclitic, "ب") => 'ب',
        _ => return None,
    };
    // One proclitic only: `وَلِأَبِي` (و + ل + `أبي`) is no name after `و`.
    let second_proclitic = t
        .segments
        .get(1)
        .is_some_and(|s| s.kind == SegmentKind::Proclitic && s.text != "ال");
    if first.start != t.start || first.end >= t.end || second_proclitic {
        return None;
    }
    let surface = text_slice(first.end, t.end);
    let rest = normalize(&surface);
    let god = rest == "الله";
    let definite = god || rest.starts_with("ال") && rest.chars().count() >= 5;
    if !definite && rest.chars().count() < 3 {
        return None;
    }
    if res.gaz.single(&normalize(&text_slice(t.start, t.end))) & GAZ_TYPE_BITS != 0 {
        return None;
    }
    Some(Joint {
        word: k,
        particle,
        rest_start: first.end,
        end: t.end,
        definite,
        rest,
        rest_word: normalize_word(&surface),
    })
}

/// The words around a joint.
struct Context<'a, 'b> {
    /// The entity's words before the joint, from the last split.
    left: &'a [&'b Token],
    /// The entity's words after the joint.
    right: &'a [&'b Token],
    /// Does a person entity begin right after the entity?
    person_follows: bool,
}

/// Does `t` begin with a `و` the text core split off?
fn starts_with_and(t: &Token) -> bool {
    t.segments
        .first()
        .is_some_and(|s| s.kind == SegmentKind::Proclitic && s.text == "و")
}

/// Roles written before a name that [`PERSON_TITLES`] leaves out (it also serves the
/// quotation speakers): `محمد نور والحارس فواز القرني` "… and the goalkeeper …".
const MORE_TITLES: &[&str] = &[
    "الملحن",
    "الملحنة",
    "الموزع",
    "الحارس",
    "المهاجم",
    "المدافع",
];

fn decide(
    res: &Resources,
    text_slice: &dyn Fn(usize, usize) -> String,
    label: Label,
    j: &Joint,
    cx: &Context,
) -> Decision {
    let (left, right) = (cx.left, cx.right);
    let news_name = |norm: &str| {
        crate::running_text::surnames::news_entity_eighths(res, norm)
            .is_some_and(|s| s >= MIN_NEWS_ENTITY_EIGHTHS)
    };
    // Two places need no article (`الباحة وعسير`, `شنغهاي ونيويورك`).
    if !j.definite && label != Label::Loc {
        // `ماسكيرانو ونيمار`: a bare rest splits a person only when it is a person's
        // name, of four letters or one the news tags as a name (`وافي` in `عبد الواحد
        // وافي` is a surname), not after a word that begins names (`آل وديان`).
        let person = res.gaz.single(&j.rest) & GAZ_PER != 0
            && (j.rest.chars().count() >= 4 || news_name(&j.rest));
        let after_particle = left
            .last()
            .is_some_and(|t| NAME_PARTICLES.contains(&normalize(&t.norm).as_str()));
        return if label == Label::Per && j.particle == 'و' && person && !after_particle {
            Decision::Split
        } else {
            Decision::Keep
        };
    }
    let title = PERSON_TITLES.contains(&j.rest_word.as_str())
        || MORE_TITLES.contains(&j.rest_word.as_str());
    // A nationality introduces a name: one follows it (`والكولومبي راداميل فالكاو`);
    // else it is a surname taken from a place (`الأسد والمالكي`).
    let nationality =
        nationality_of_place(res, &j.rest) && (!right.is_empty() || cx.person_follows);
    if j.particle == 'ب' {
        // `ب` + the article is no part of a person's name but in `بالله` (`المعتصم
        // بالله`) and Maghreb surnames (`بالحاج`), which are no places.
        return match label {
            Label::Per if nationality => Decision::EndBefore,
            // A place the news tags as a name (`بالرياض`; not `بالصغير`, a surname and
            // "small").
            Label::Per
                if res.gaz.single(&j.rest) & GAZ_TYPE_BITS == GAZ_LOC && news_name(&j.rest) =>
            {
                Decision::Place
            }
            _ => Decision::Keep,
        };
    }
    match label {
        Label::Per => {
            if j.rest == "الله" {
                Decision::Drop
            } else if title || nationality {
                Decision::EndBefore
            } else {
                Decision::Split
            }
        }
        Label::Org => {
            let head = j
                .rest_word
                .strip_prefix("ال")
                .is_some_and(|w| HEADS.contains(&w) || MORE_ORG_HEADS.contains(&w));
            if title {
                // `شركة الاتحاد والمدير التنفيذي`: what follows is a person's office.
                Decision::Drop
            } else if head && left.len() >= 2 {
                Decision::Split
            } else if let [one] = left {
                // `النصر والأهلي والاتحاد`: a list of one-word names.
                let one_word = right.first().is_none_or(|t| starts_with_and(t));
                if !one_word {
                    return Decision::Keep;
                }
                let first = normalize(&text_slice(
                    crate::decoding::spans::stem_start(one),
                    one.end,
                ));
                if news_name(&first) && news_name(&j.rest) {
                    Decision::Split
                } else {
                    Decision::Keep
                }
            } else {
                Decision::Keep
            }
        }
        Label::Loc => {
            let is_place = |s: usize, e: usize| res.gaz.phrase(&text_slice(s, e)) & GAZ_LOC != 0;
            let (Some(l0), Some(l1)) = (left.first(), left.last()) else {
                return Decision::Keep;
            };
            let rest_end = right.last().map_or(j.end, |t| t.end);
            // One word after `و` must be a name in the news too (`أمريكا الجنوبية والوسطى`
            // "… and Central": the gazetteers list a town `الوسطى`).
            let one_word_name = !right.is_empty() || news_name(&j.rest);
            if is_place(crate::decoding::spans::stem_start(l0), l1.end)
                && is_place(j.rest_start, rest_end)
                && one_word_name
            {
                Decision::Split
            } else {
                Decision::Keep
            }
        }
        _ => Decision::Keep,
    }
}

/// Is `word` (normalized, definite) the masculine relational adjective of a place:
/// `الاكوادوري` of `الإكوادور`, `الكولومبي` of `كولومبيا`, `البلجيكي` of `بلجيكا`?
fn nationality_of_place(res: &Resources, word: &str) -> bool {
    crate::running_text::heads::adjective_of_place_with(&res.gaz, word, "ي")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::doc_form_key;
    use crate::features::lexicon::{Gazetteer, GAZ_ORG};
    use crate::features::news::news_key;

    fn res() -> Resources {
        let mut gaz = Gazetteer::default();
        for place in [
            "الإكوادور",
            "مصر",
            "الرياض",
            "الصغير",
            "الباحة",
            "عسير",
            "الوسطى",
        ] {
            gaz.add(place, GAZ_LOC);
        }
        gaz.add("أمريكا الجنوبية", GAZ_LOC);
        gaz.add("البوسنة والهرسك", GAZ_LOC);
        for person in ["والتون", "رونالدو", "افي"] {
            gaz.add(person, GAZ_PER);
        }
        gaz.add("الأهلي", GAZ_ORG);
        let mut res = Resources {
            gaz,
            ..Default::default()
        };
        // How often the news tags each word as (part of) an entity, in eighths.
        let shares = [
            ("الأهلي", 7u16),
            ("الزمالك", 7),
            ("الاتحاد", 6),
            ("الترقي", 0),
            ("الرياض", 7),
            ("الصغير", 0),
            ("عسير", 7),
            ("الوسطى", 0),
        ];
        for (word, eighths) in shares {
            let k = news_key(doc_form_key(word).unwrap());
            res.news.codes.insert(k, (6 << 9) | eighths);
        }
        res
    }

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        let res = res();
        crate::running_text::run_rule(text, given, |slice, tokens, ents| {
            split_coordinated(&res, slice, tokens, ents)
        })
    }

    fn per(s: &str) -> (String, Label) {
        (s.to_string(), Label::Per)
    }

    #[test]
    fn two_persons_joined_by_and_are_split() {
        let r = run(
            "اختلف بلمختار والأنصاري أمس.",
            &[("بلمختار والأنصاري", Label::Per)],
        );
        assert_eq!(r, vec![per("بلمختار"), per("الأنصاري")]);
        // A bare second name: only a person's name of the gazetteers.
        let r = run("تألق ميسي ورونالدو أمس.", &[("ميسي ورونالدو", Label::Per)]);
        assert_eq!(r, vec![per("ميسي"), per("رونالدو")]);
        // Three letters, unknown to the news: a surname (`وافي`), not a second person.
        let r = run("كتاب عبد الواحد وافي.", &[("عبد الواحد وافي", Label::Per)]);
        assert_eq!(r, vec![per("عبد الواحد وافي")]);
        // A Latin name the text core reads as و + the rest.
        let r = run("قال سام والتون ذلك.", &[("سام والتون", Label::Per)]);
        assert_eq!(r, vec![per("سام والتون")]);
    }

    #[test]
    fn a_nationality_or_title_before_the_next_name_ends_the_person() {
        let r = run(
            "شارك خوان ماتا والإكوادوري أنطونيو فالنسيا.",
            &[
                ("خوان ماتا والإكوادوري", Label::Per),
                ("أنطونيو فالنسيا", Label::Per),
            ],
        );
        assert_eq!(r, vec![per("خوان ماتا"), per("أنطونيو فالنسيا")]);
        // No name after it: a surname taken from a place, a person of its own.
        let r = run("التقى الأسد والمصري أمس.", &[("الأسد والمصري", Label::Per)]);
        assert_eq!(r, vec![per("الأسد"), per("المصري")]);
        // A title inside the span: the name after it is a person of its own.
        let r = run(
            "شكر عبدالرحمن والمهندس عبدالعزيز الحضور.",
            &[("عبدالرحمن والمهندس عبدالعزيز", Label::Per)],
        );
        assert_eq!(r, vec![per("عبدالرحمن"), per("عبدالعزيز")]);
        let r = run(
            "قال لي يا خالد والله لنسألن.",
            &[("خالد والله", Label::Per)],
        );
        assert_eq!(r, vec![per("خالد")]);
    }

    #[test]
    fn a_place_after_bi_leaves_the_person() {
        let r = run(
            "في جامع الإمام تركي بن عبدالله بالرياض أمس.",
            &[("تركي بن عبدالله بالرياض", Label::Per)],
        );
        assert_eq!(
            r,
            vec![per("تركي بن عبدالله"), ("الرياض".to_string(), Label::Loc)]
        );
        // A surname that is also a place of the gazetteers, rare as a name in the news.
        let r = run("سجل ماهر بالصغير هدفا.", &[("ماهر بالصغير", Label::Per)]);
        assert_eq!(r, vec![per("ماهر بالصغير")]);
    }

    #[test]
    fn organizations_split_only_where_a_second_one_begins() {
        let org = |s: &str| (s.to_string(), Label::Org);
        let r = run("فاز الأهلي والزمالك أمس.", &[("الأهلي والزمالك", Label::Org)]);
        assert_eq!(r, vec![org("الأهلي"), org("الزمالك")]);
        let r = run(
            "قادت الاتحاد والترقي البلاد.",
            &[("الاتحاد والترقي", Label::Org)],
        );
        assert_eq!(r, vec![org("الاتحاد والترقي")]);
        let text = "وافق مجلس الأمن الدولي والكونغرس الأميركي على الاتفاق.";
        let r = run(text, &[("مجلس الأمن الدولي والكونغرس الأميركي", Label::Org)]);
        assert_eq!(r, vec![org("مجلس الأمن الدولي"), org("الكونغرس الأميركي")]);
        let name = "الهيئة العامة للسياحة والتراث الوطني";
        let r = run(&format!("أعلنت {name} برنامجا."), &[(name, Label::Org)]);
        assert_eq!(r, vec![org(name)]);
        let r = run(
            "قال من شركة الاتحاد والمدير التنفيذي للشركة.",
            &[("شركة الاتحاد والمدير التنفيذي", Label::Org)],
        );
        assert_eq!(r, vec![org("شركة الاتحاد")]);
    }

    #[test]
    fn places_split_when_both_are_places() {
        let loc = |s: &str| (s.to_string(), Label::Loc);
        let r = run(
            "هطلت الأمطار على الباحة وعسير.",
            &[("الباحة وعسير", Label::Loc)],
        );
        assert_eq!(r, vec![loc("الباحة"), loc("عسير")]);
        let r = run("زار البوسنة والهرسك.", &[("البوسنة والهرسك", Label::Loc)]);
        assert_eq!(r, vec![loc("البوسنة والهرسك")]);
        let r = run(
            "دول أمريكا الجنوبية والوسطى.",
            &[("أمريكا الجنوبية والوسطى", Label::Loc)],
        );
        assert_eq!(r, vec![loc("أمريكا الجنوبية والوسطى")]);
    }

    proptest::proptest! {
        /// Every part lies inside the entity it came from, its text is the text at its
        /// offsets, and the parts stay sorted and disjoint.
        #[test]
        fn parts_stay_inside_and_match_the_text(
            words in proptest::collection::vec(0usize..12, 1..24),
            marks in proptest::collection::vec((0usize..4, 1usize..5), 0..10),
        ) {
            let vocab = [
                "الأهلي", "والزمالك", "والإكوادوري", "بالرياض", "والله", "والمهندس", "ورونالدو",
                "خالد", "و", "،", "والتون", "بال",
            ];
            let text = words.iter().map(|&w| vocab[w]).collect::<Vec<_>>().join(" ");
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(&text);
            let chars: Vec<char> = text.chars().collect();
            let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
            let mut ents = crate::running_text::entities_on_runs(&tokens, &marks, &slice, |t| t.start);
            let before = ents.clone();
            split_coordinated(&res(), &slice, &tokens, &mut ents);
            proptest::prop_assert!(ents.len() >= before.len() || !before.is_empty());
            for e in &ents {
                proptest::prop_assert!(e.start < e.end);
                proptest::prop_assert_eq!(&e.text, &slice(e.start, e.end));
                proptest::prop_assert!(before.iter().any(|b| b.start <= e.start && e.end <= b.end));
            }
            for w in ents.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start);
            }
        }
    }
}
