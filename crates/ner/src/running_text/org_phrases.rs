//! Organization phrases on running text: an institution noun in construct state followed
//! by its definite complement — `وزارة الداخلية`, `جهاز أمن الدولة`, `قوات سوريا الديمقراطية`.
//!
//! ANERcorp, the training data, leaves such phrases untagged (all 33 `وزارة` and 57 `قوات`
//! of its training part are `O`), so no model trained on it finds them; news readers do
//! expect them as organizations. This rule adds them after tagging, on running text only
//! (`NerModel::entities`); CoNLL tagging and evaluation keep ANERcorp's conventions.

use crate::decoding::spans::EntitySpan;
use crate::running_text::{entity_overlapping, skip_ended};
use crate::tags::Label;
use khabar_text::{SegmentKind, Token, TokenKind};

/// Heads that name an institution when followed by a definite complement.
pub(crate) const HEADS: &[&str] = &[
    "وزارة",
    "هيئة",
    "جهاز",
    "مجلس",
    "منظمة",
    "حزب",
    "حركة",
    "جمعية",
    "لجنة",
    "شركة",
    "مؤسسة",
    "جامعة",
    "بنك",
    "مصرف",
    "اتحاد",
    "نادي",
    "معهد",
    "صندوق",
    "وكالة",
    "ديوان",
    "مديرية",
    "امانة",
    "رابطة",
    "محكمة",
    "غرفة",
    "كلية",
    "اكاديمية",
    "سلطة",
    "دائرة",
    "بلدية",
    "جبهة",
    "تنظيم",
    "ائتلاف",
    "تحالف",
    "كتائب",
    "قوات",
    "جيش",
    "مكتب",
    "مفوضية",
    "نقابة",
    "برلمان",
    "مركز",
];

/// Heads that are as often generic (`قوات الأمن`, security forces): they need a name in
/// the complement or two definite words.
const WEAK_HEADS: &[&str] = &[
    "قوات",
    "جيش",
    "شركة",
    "مركز",
    "مكتب",
    "تحالف",
    "تنظيم",
    "حركة",
    "جامعة",
];

/// Verbal nouns that also head organizations: `تنظيم` is "organizing" (`تنظيم مهرجان
/// الربيع`) far more often than a group (`تنظيم الدولة الإسلامية`), so a construct chain
/// alone does not make it one; a name or two definite words do.
const VERBAL_HEADS: &[&str] = &["تنظيم"];

/// Definite-looking words that never continue a name: relatives, prepositions whose
/// normalized form starts with `ال` (إلى → الي), times.
const STOP: &[&str] = &[
    "الي",
    "الا",
    "الذي",
    "التي",
    "الذين",
    "اللذين",
    "اللتين",
    "اللاتي",
    "اللواتي",
    "الان",
    "اليوم",
    "الامس",
    "البارحة",
    "الماضي",
    "الماضية",
    "الحالي",
    "الحالية",
    "الجاري",
    "الجارية",
    "المقبل",
    "المقبلة",
    "القادم",
    "القادمة",
    "الاخير",
    "الاخيرة",
    "الاول",
    "الاولي",
    "الثاني",
    "الثانية",
    "الخميس",
    "الجمعة",
    "السبت",
    "الاحد",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الف",
    "الاف",
    "الكثير",
    "الجميع",
    "الكل",
];

/// Words that never open a construct chain (demonstratives, common adjectives and
/// prepositions): `تنظيم هذه التظاهرة`, `جهاز آخر`.
const NOT_CHAIN: &[&str] = &[
    "هذه",
    "هذا",
    "ذلك",
    "تلك",
    "هؤلاء",
    "اخر",
    "اخري",
    "بين",
    "عبر",
    "نحو",
    "حول",
    "ضد",
    "كل",
    "بعض",
    "غير",
    "جديد",
    "جديدة",
    "كبير",
    "كبيرة",
    "واحد",
    "واحدة",
];

/// Longest complement read after the head.
const MAX_COMPLEMENT: usize = 5;

pub(crate) fn has_article(t: &Token) -> bool {
    t.segments
        .iter()
        .any(|s| s.kind == SegmentKind::Proclitic && (s.text == "ال" || s.text == "لل"))
        || (t.norm.starts_with("ال") && t.norm.chars().count() > 3)
}

fn has_conjunction(t: &Token) -> bool {
    matches!(
        t.segments.first(),
        Some(s) if s.kind == SegmentKind::Proclitic && (s.text == "و" || s.text == "ف")
    )
}

fn has_enclitic(t: &Token) -> bool {
    t.segments.iter().any(|s| s.kind == SegmentKind::Enclitic)
}

/// The head noun of `t` if it is an institution noun in construct state.
fn head(t: &Token) -> Option<&'static str> {
    if t.kind != TokenKind::Word || has_article(t) || has_enclitic(t) {
        return None;
    }
    let stem = &t.stem_segment().text;
    HEADS.iter().copied().find(|h| h == stem)
}

/// Adjectives common in institution names that are not relational (nisba) adjectives.
const NAME_ADJECTIVES: &[&str] = &[
    "العامة",
    "العام",
    "العليا",
    "الاعلي",
    "الكبري",
    "المتحدة",
    "الموحدة",
    "المستقلة",
    "الدائمة",
    "المشتركة",
    "الخاصة",
];

/// A relational (nisba) adjective — ends in ي or ية — or a common name adjective.
fn nisba(t: &Token) -> bool {
    let n = &t.norm;
    (n.chars().count() > 4 && (n.ends_with('ي') || n.ends_with("ية") || n.ends_with("يه")))
        || NAME_ADJECTIVES.contains(&n.as_str())
}

pub(crate) fn is_stop(t: &Token) -> bool {
    STOP.contains(&t.norm.as_str()) || STOP.contains(&t.stem_segment().text.as_str())
}

/// A definite word that may continue a name: the article is its only proclitic (not
/// و+ال, not a preposition + ال as in للاتصال).
fn definite(t: &Token) -> bool {
    let only_article = t
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Proclitic)
        .all(|s| s.text == "ال");
    t.kind == TokenKind::Word && has_article(t) && only_article && !is_stop(t)
}

/// Adds organization phrases to `ents` (sorted by start), replacing entities they contain;
/// a phrase that partly overlaps an entity is dropped.
pub fn add_org_phrases(
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut Vec<EntitySpan>,
) {
    // Tokens and entities both run in text order (see `skip_ended`).
    let mut first = 0;
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut nested = false;
    let mut i = 0;
    while i < tokens.len() {
        skip_ended(ents, &mut first, tokens[i].start);
        let ahead = &ents[first..];
        let entity_at = |t: &Token| {
            entity_overlapping(ahead, t.start, t.end).map(|e| (e.start, e.end, e.label))
        };
        let Some(h) = head(&tokens[i]) else {
            i += 1;
            continue;
        };
        // A weak head before another head (`تنظيم مركز الفنون`, organized by the centre;
        // `قوات تحالف الأمل`): the organization is the second one's, and the first head
        // vouches for it as the chain would have.
        if WEAK_HEADS.contains(&h) && tokens.get(i + 1).and_then(head).is_some() {
            nested = true;
            i += 1;
            continue;
        }
        // Complement: definite words and names; up to two indefinite nouns may come first
        // if a definite word closes them (a construct chain: جهاز أمن الدولة).
        let mut j = i + 1;
        let mut last = None;
        let mut definites = 0;
        let mut names = 0;
        let mut pending = 0;
        let mut chain = false;
        while j < tokens.len() && j - i <= MAX_COMPLEMENT {
            let t = &tokens[j];
            if t.kind != TokenKind::Word && t.kind != TokenKind::Latin {
                break;
            }
            if is_stop(t) {
                break;
            }
            // A person after the complement is an apposition (مجلس النواب فلان), not part
            // of the name; at its start it names the body (مؤسسة محمد بن راشد).
            let name = entity_at(t)
                .filter(|e| !has_conjunction(t) && (last.is_none() || e.2 != Label::Per));
            if let Some(e) = name {
                // Take the whole name.
                while j + 1 < tokens.len() && tokens[j + 1].start < e.1 {
                    j += 1;
                }
                names += 1;
                pending = 0;
                last = Some(j);
            } else if definite(t) && (last.is_none() || nisba(t)) {
                // After the first word of the complement only relational adjectives
                // continue it (الخارجية الأمريكية), not a participle or an object that
                // follows the name (المدعومة، الحديث).
                chain |= pending > 0;
                definites += 1;
                pending = 0;
                last = Some(j);
            } else if pending < 2
                && last.is_none()
                && t.kind == TokenKind::Word
                && t.segments.len() == 1
                && t.norm.chars().count() > 2
                && !NOT_CHAIN.contains(&t.norm.as_str())
            {
                pending += 1;
            } else {
                break;
            }
            j += 1;
        }
        // A construct chain closed by a definite word (جهاز أمن الدولة) is as specific as
        // two definite words.
        let chain = chain && !VERBAL_HEADS.contains(&h);
        let strong = names > 0 || definites >= 2 || chain || nested || !WEAK_HEADS.contains(&h);
        nested = false;
        match last {
            Some(l) if strong => {
                found.push((i, l));
                i = l + 1;
            }
            _ => i += 1,
        }
    }
    // The phrases do not overlap one another, so each is checked against the entities
    // as given: the ones it contains are dropped, all at the end.
    let mut contained = vec![false; ents.len()];
    let mut phrases = Vec::new();
    let mut first = 0;
    for (a, b) in found {
        let start = crate::decoding::spans::stem_start(&tokens[a]);
        let end = tokens[b].end;
        skip_ended(ents, &mut first, start);
        let near = || {
            ents[first..]
                .iter()
                .enumerate()
                .take_while(|(_, e)| e.start < end)
                .filter(|(_, e)| start < e.end)
        };
        if near().any(|(_, e)| e.start < start || e.end > end) {
            continue;
        }
        for (k, _) in near() {
            contained[first + k] = true;
        }
        phrases.push(EntitySpan {
            label: Label::Org,
            start,
            end,
            text: text_slice(start, end),
        });
    }
    let mut k = 0;
    ents.retain(|_| {
        k += 1;
        !contained[k - 1]
    });
    ents.extend(phrases);
    ents.sort_by_key(|e| (e.start, e.end));
}

/// Nouns of places and buildings named after persons (`برج إيفل`, `شارع الحبيب بورقيبة`),
/// normalized, besides the institution nouns of [`HEADS`].
pub(crate) const NAMED_AFTER: &[&str] = &[
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

/// Heads whose one-word complement is the organization's own name (`تنظيم داعش`, `شركة
/// أليطاليا`); others often take a place (`جامعة ماريلاند`, `بلدية السويرقية`, `مديرية
/// التواهي`, `بنك الرياض`), which stays a place when named alone.
const NAMING_HEADS: &[&str] = &[
    "تنظيم",
    "حركة",
    "حزب",
    "جبهة",
    "شركة",
    "منظمة",
    "جمعية",
    "اتحاد",
    "ائتلاف",
    "تحالف",
    "كتائب",
    "وكالة",
];

/// One name, one type in an article: a word the article itself names as an organization
/// with an institution noun (`تنظيم داعش`, `حركة حماس`, `شركة أليطاليا`) is typed ORG
/// where the model tagged it alone as a place or MISC (`داعش` is LOC, ORG, MISC and PER in
/// ANERcorp-style tags from one sentence to the next). Names the gazetteer knows as places
/// keep their type (`بلدية دبي` is an organization, `دبي` the city), and persons are left
/// alone (`قوات حفتر` does not make `حفتر` an organization).
pub fn unify_org_names(
    gaz: &crate::features::lexicon::Gazetteer,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut [EntitySpan],
) {
    let names = named_orgs(text_slice, tokens, ents);
    if names.is_empty() {
        return;
    }
    for e in ents.iter_mut() {
        // `الله` alone is God, not the party of `حزب الله`.
        if matches!(e.label, Label::Loc | Label::Misc)
            && e.text != "الله"
            && names.contains(&e.text)
            && gaz.single(&crate::features::text::normalize(&e.text))
                & crate::features::lexicon::GAZ_LOC
                == 0
        {
            e.label = Label::Org;
        }
    }
}

/// The words `ents` name as organizations with a naming head: `داعش` for `تنظيم داعش`.
pub(crate) fn named_orgs(
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &[EntitySpan],
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for e in ents.iter().filter(|e| e.label == Label::Org) {
        let mut words = crate::running_text::entity_words(tokens, e);
        if let (Some(h), Some(name), None) = (words.next(), words.next(), words.next()) {
            if head(h).is_some_and(|h| NAMING_HEADS.contains(&h)) && !has_enclitic(name) {
                names.push(text_slice(
                    crate::decoding::spans::stem_start(name),
                    name.end,
                ));
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::running_text::run_rule(text, given, add_org_phrases)
    }

    #[test]
    fn a_name_the_article_gives_an_institution_noun_is_an_organization_alone() {
        let mut gaz = crate::features::lexicon::Gazetteer::default();
        gaz.add("دبي", crate::features::lexicon::GAZ_LOC);
        let run = |text: &str, given: &[(&str, Label)]| {
            crate::running_text::run_rule(text, given, |slice, tokens, ents| {
                unify_org_names(&gaz, slice, tokens, ents)
            })
        };
        let r = run(
            "هاجم داعش القرية، وتبنى تنظيم داعش الهجوم.",
            &[("داعش", Label::Loc), ("تنظيم داعش", Label::Org)],
        );
        assert_eq!(r[0], ("داعش".to_string(), Label::Org));
        // A known place, a place after a noun that takes places, a person and God keep
        // their types; without the institution noun nothing changes.
        for (alone, phrase, label) in [
            ("دبي", "شركة دبي", Label::Loc),
            ("السويرقية", "بلدية السويرقية", Label::Loc),
            ("حفتر", "قوات حفتر", Label::Per),
            ("الله", "حزب الله", Label::Misc),
        ] {
            let text = format!("ورد اسم {alone} في الخطاب، وقالت {phrase} إنها مستعدة.");
            let r = run(&text, &[(alone, label), (phrase, Label::Org)]);
            assert_eq!(r[0], (alone.to_string(), label), "{text}");
        }
        let r = run("هاجم داعش القرية.", &[("داعش", Label::Loc)]);
        assert_eq!(r[0].1, Label::Loc);
    }

    #[test]
    fn ministry_and_agency_with_construct_chain() {
        let r = run(
            "أعلنت وزارة الداخلية وجهاز أمن الدولة اعتقال خلية أمس.",
            &[],
        );
        assert!(r.contains(&("وزارة الداخلية".into(), Label::Org)), "{r:?}");
        assert!(r.contains(&("جهاز أمن الدولة".into(), Label::Org)), "{r:?}");
    }

    #[test]
    fn forces_named_after_a_place_replace_the_place() {
        let r = run(
            "تقدمت قوات سوريا الديمقراطية نحو البلدة.",
            &[("سوريا", Label::Loc)],
        );
        assert_eq!(r, vec![("قوات سوريا الديمقراطية".into(), Label::Org)]);
        // A participle or an object after the name is not part of it.
        for s in [
            "تقدمت قوات سوريا الديمقراطية المدعومة من التحالف.",
            "منحت قوات سوريا الديمقراطية الصحفيين فرصة.",
        ] {
            let r = run(s, &[("سوريا", Label::Loc)]);
            assert_eq!(
                r,
                vec![("قوات سوريا الديمقراطية".into(), Label::Org)],
                "{s}"
            );
        }
    }

    #[test]
    fn common_name_adjectives_continue_the_name() {
        let r = run("وبحسب دائرة الإحصاءات العامة ارتفع الاستهلاك.", &[]);
        assert_eq!(r, vec![("دائرة الإحصاءات العامة".into(), Label::Org)]);
    }

    #[test]
    fn proclitics_stay_outside() {
        let r = run(
            "قال متحدث باسم لوزارة الخارجية الأمريكية إن الاجتماع انتهى.",
            &[],
        );
        assert!(
            r.contains(&("وزارة الخارجية الأمريكية".into(), Label::Org)),
            "{r:?}"
        );
    }

    #[test]
    fn generic_phrases_are_left_alone() {
        // Security forces, "the ministry" with the article, a head with a pronoun suffix,
        // a complement that is a time word.
        for s in [
            "انتشرت قوات الأمن في الشوارع.",
            "وقالت الوزارة الخارجية إن ذلك خطأ.",
            "أكدت وزارته أن القرار نهائي.",
            "اجتمع مجلس اليوم لبحث الموازنة.",
        ] {
            assert!(run(s, &[]).is_empty(), "{s}: {:?}", run(s, &[]));
        }
    }

    #[test]
    fn common_nouns_that_look_like_heads() {
        for s in [
            "وشارك في تنظيم هذه التظاهرة عدد من الفنانين.",
            "اشتريت جهاز آخر من المتجر.",
            "تعطلت حركة المرور في المدينة.",
            "قدم جهاز رائع للاتصال.",
        ] {
            assert!(run(s, &[]).is_empty(), "{s}: {:?}", run(s, &[]));
        }
        let r = run(
            "تحدث مجلس نواب الشعب سلمى العلوي أمس.",
            &[("سلمى العلوي", Label::Per)],
        );
        assert!(r.contains(&("مجلس نواب الشعب".into(), Label::Org)), "{r:?}");
        assert!(r.contains(&("سلمى العلوي".into(), Label::Per)), "{r:?}");
    }

    #[test]
    fn organizing_is_not_an_organization() {
        // تنظيم as "organizing": before another institution, which is the organization;
        // before an indefinite chain, nothing.
        let r = run("جاء العرض بتنظيم مركز الفنون الدرامية في المدينة.", &[]);
        assert_eq!(r, vec![("مركز الفنون الدرامية".into(), Label::Org)]);
        let r = run("تقدمت قوات تحالف الأمل نحو المدينة.", &[]);
        assert_eq!(r, vec![("تحالف الأمل".into(), Label::Org)]);
        let r = run("شارك في تنظيم مهرجان الربيع عدد من الفنانين.", &[]);
        assert!(r.is_empty(), "{r:?}");
        // The group, with two definite words or a name the model found.
        let r = run("أعلن تنظيم الدولة الإسلامية مسؤوليته.", &[]);
        assert_eq!(r, vec![("تنظيم الدولة الإسلامية".into(), Label::Org)]);
        let r = run("هاجم تنظيم داعش مواقع الجيش.", &[("داعش", Label::Org)]);
        assert_eq!(r, vec![("تنظيم داعش".into(), Label::Org)]);
        // A strong head keeps its chain (جهاز أمن الدولة above) and a body inside another.
        let r = run("اجتمع مجلس جامعة الدول العربية أمس.", &[]);
        assert_eq!(r, vec![("مجلس جامعة الدول العربية".into(), Label::Org)]);
    }

    #[test]
    fn stops_at_prepositions_and_conjunctions() {
        let r = run("زار وفد من هيئة الاستثمار إلى الرياض والدمام.", &[]);
        assert_eq!(r, vec![("هيئة الاستثمار".into(), Label::Org)]);
    }

    #[test]
    fn partial_overlap_keeps_the_model_entity() {
        // An entity that starts before the head: the phrase is not added.
        let r = run(
            "صدر بيان مجلس الأمن الدولي أمس.",
            &[("بيان مجلس", Label::Misc)],
        );
        assert_eq!(r, vec![("بيان مجلس".into(), Label::Misc)]);
        // Model entities inside the complement are taken whole and replaced.
        let r = run(
            "صدر بيان مجلس التعاون لدول الخليج العربية.",
            &[("التعاون لدول الخليج", Label::Org)],
        );
        assert_eq!(
            r,
            vec![("مجلس التعاون لدول الخليج العربية".into(), Label::Org)]
        );
    }
}
