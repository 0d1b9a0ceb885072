//! Head words the model tags apart from the name they belong to, on running text.
//!
//! The model often tags a place-kind noun in construct state as a place of its own and the
//! name after it as another (`جمهورية | اليمن`, `ريف | دمشق`, `ولاية | فيرجينيا`), where
//! it mostly tags the two as one (`سلطنة عمان`, `ريف حلب` whole three times in four on
//! news). And `آية الله` ("ayatollah") before a person comes out as MISC `الله` followed by
//! the person, where ANERcorp tags `آية الله طبسي` as one person. Both are joined here.
//! Like the other running-text rules, this runs in `NerModel::entities` only; CoNLL tagging
//! and evaluation keep the model's tags.

use crate::decoding::spans::EntitySpan;
use crate::features::lexicon::{Gazetteer, GAZ_LOC};
use crate::features::text::normalize;
use crate::tags::Label;
use khabar_text::{Token, TokenKind};

/// Place-kind nouns that head a place name in construct state (in the NER's
/// normalization: ة → ه, one alef): country, republic, kingdom, sultanate, emirate, state,
/// province, governorate, countryside, island(s).
const PLACE_HEADS: &[&str] = &[
    "دوله",
    "جمهوريه",
    "مملكه",
    "سلطنه",
    "اماره",
    "ولايه",
    "اقليم",
    "محافظه",
    "ريف",
    "جزيره",
    "جزر",
];

/// Duals (`ولايتي كندوز وبدخشان` "the states of Kunduz and Badakhshan"): they head a
/// list of two names, so they are dropped instead of joined to the first.
const DUAL_HEADS: &[&str] = &["ولايتي", "دولتي", "محافظتي", "جزيرتي"];

/// Joins a one-word entity that is a place-kind head (`جمهورية`) to the place right after
/// it (one space apart) as one location, drops a dual head before a place, and joins
/// `آية` + MISC `الله` + a person into one person. `ents` is sorted by start and stays so.
pub fn join_heads(
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut Vec<EntitySpan>,
) {
    let mut out: Vec<EntitySpan> = Vec::with_capacity(ents.len());
    for e in ents.drain(..) {
        let Some(prev) = out.last_mut() else {
            out.push(e);
            continue;
        };
        if !crate::decoding::spans::one_space_apart(text_slice, prev.end, e.start) {
            out.push(e);
            continue;
        }
        let head = normalize(&prev.text);
        if e.label == Label::Loc && PLACE_HEADS.contains(&head.as_str()) {
            prev.label = Label::Loc;
            prev.end = e.end;
            prev.text = text_slice(prev.start, e.end);
            continue;
        }
        if e.label == Label::Loc && DUAL_HEADS.contains(&head.as_str()) {
            *prev = e;
            continue;
        }
        if e.label == Label::Per && head == "الله" {
            if let Some(start) = ayat_before(tokens, prev.start) {
                prev.label = Label::Per;
                prev.start = start;
                prev.end = e.end;
                prev.text = text_slice(start, e.end);
                continue;
            }
        }
        out.push(e);
    }
    *ents = out;
}

/// Is `word` (normalized) the definite adjective of a place of the gazetteers with the
/// ending `suffix`: `يه` (feminine: `التونسيه` of `تونس`, `السويديه` of `السويد`,
/// `السوريه` of `سوريا`, `الليبيه` of `ليبيا`, `النمساويه` of `النمسا`) or `ي`
/// (masculine: `الكولومبي` of `كولومبيا`)? `الاسكندريه` (Alexandria) and `السعوديه` are
/// no adjective of a place.
pub(crate) fn adjective_of_place_with(gaz: &Gazetteer, word: &str, suffix: &str) -> bool {
    let Some(base) = word.strip_prefix("ال").and_then(|w| w.strip_suffix(suffix)) else {
        return false;
    };
    if base.chars().count() < 3 {
        return false;
    }
    let is_place = |w: &str| gaz.single(w) & GAZ_LOC != 0;
    let plain = base.strip_suffix('و').unwrap_or(base);
    // `الاوروغواياني` of `الاوروغواي`.
    let short = base.strip_suffix("ان").unwrap_or(base);
    [
        base.to_string(),
        format!("ال{base}"),
        format!("{base}ا"),
        format!("{base}يا"),
        format!("{plain}ا"),
        format!("ال{plain}ا"),
        short.to_string(),
        format!("ال{short}"),
    ]
    .iter()
    .any(|w| is_place(w))
}

/// Where `آية` begins (after a proclitic: `لآية`) when it is the word right before
/// char `at`.
fn ayat_before(tokens: &[Token], at: usize) -> Option<usize> {
    let k = tokens.partition_point(|t| t.end <= at);
    let t = tokens.get(k)?;
    if t.start != at {
        return None;
    }
    let prev = tokens[..k].last()?;
    if prev.kind != TokenKind::Word || prev.end + 1 != at {
        return None;
    }
    let stem = prev.segments.last()?;
    (normalize(&stem.text) == "ايه").then(|| crate::decoding::spans::stem_start(prev))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::running_text::run_rule(text, given, |slice, tokens, ents| {
            join_heads(slice, tokens, ents)
        })
    }

    #[test]
    fn a_place_head_tagged_apart_joins_the_place_after_it() {
        let r = run(
            "زار الوزير جمهورية اليمن ثم ريف دمشق.",
            &[
                ("جمهورية", Label::Loc),
                ("اليمن", Label::Loc),
                ("ريف", Label::Loc),
                ("دمشق", Label::Loc),
            ],
        );
        assert_eq!(
            r,
            vec![
                ("جمهورية اليمن".into(), Label::Loc),
                ("ريف دمشق".into(), Label::Loc)
            ]
        );
    }

    #[test]
    fn a_dual_head_is_dropped_before_its_first_place() {
        let r = run(
            "وقعت اشتباكات في ولايتي كندوز وبدخشان.",
            &[
                ("ولايتي", Label::Loc),
                ("كندوز", Label::Loc),
                ("بدخشان", Label::Loc),
            ],
        );
        assert_eq!(
            r,
            vec![("كندوز".into(), Label::Loc), ("بدخشان".into(), Label::Loc)]
        );
    }

    #[test]
    fn ayatollah_and_the_person_are_one_person() {
        let r = run(
            "قال آية الله علي السيستاني إن الانتخابات مهمة.",
            &[("الله", Label::Misc), ("علي السيستاني", Label::Per)],
        );
        assert_eq!(r, vec![("آية الله علي السيستاني".into(), Label::Per)]);
        // After a proclitic the span starts at آية.
        let r = run(
            "نقل عن مكتب لآية الله علي السيستاني بيانا.",
            &[("الله", Label::Misc), ("علي السيستاني", Label::Per)],
        );
        assert_eq!(r, vec![("آية الله علي السيستاني".into(), Label::Per)]);
    }

    #[test]
    fn other_neighbours_stay_apart() {
        // A head before a person, a comma between head and place, `الله` without آية.
        let given = [("جمهورية", Label::Loc), ("أحمد", Label::Per)];
        let r = run("في جمهورية أحمد الجديدة.", &given);
        assert_eq!(r.len(), 2);
        let given = [("ريف", Label::Loc), ("دمشق", Label::Loc)];
        assert_eq!(run("في ريف، دمشق.", &given).len(), 2);
        let given = [("الله", Label::Misc), ("إبراهيم", Label::Per)];
        assert_eq!(run("قرأت رواية صنع الله إبراهيم.", &given).len(), 2);
    }

    #[test]
    fn adjectives_of_gazetteer_places() {
        let mut gaz = Gazetteer::default();
        for place in ["تونس", "السويد", "سوريا", "كولومبيا", "الإسكندرية"]
        {
            gaz.add(place, GAZ_LOC);
        }
        let adj =
            |word: &str, suffix: &str| adjective_of_place_with(&gaz, &normalize(word), suffix);
        assert!(adj("التونسية", "يه") && adj("السويدية", "يه") && adj("السورية", "يه"));
        assert!(adj("الكولومبي", "ي"));
        // A city whose name looks like an adjective; no article; the other ending.
        assert!(!adj("الإسكندرية", "يه"));
        assert!(!adj("تونسية", "يه"));
        assert!(!adj("التونسية", "ي"));
    }
}
