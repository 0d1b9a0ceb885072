//! The name `علي` (Ali) in running text. ANERcorp writes the preposition `على` ("on") as
//! `علي` in 233 of its 276 `علي` tokens, and the features fold final `ى` into `ي` as
//! every Arabic normalizer does, so for the model `علي` is a preposition 39 times in 40:
//! it finds `عبدالله صالح` in `علي عبدالله صالح` and leaves `علي` out. News that spells the
//! preposition `على` tells the two apart by their last letter; in such a text, `علي`
//! written with `ي` right before a person the model found is the first name.

use crate::decoding::spans::EntitySpan;
use crate::tags::Label;
use khabar_text::{Token, TokenKind};

/// The first name, as written (with `ي`, not `ى`).
const ALI: &str = "علي";

/// Whether the text spells the preposition with `ى` (then `علي` is not a spelling of it).
fn spells_ala(surfaces: &[&str]) -> bool {
    surfaces
        .iter()
        .any(|s| *s == "على" || *s == "وعلى" || *s == "فعلى")
}

/// Extends each PER span of `ents` (sorted by start) that follows `علي` (or `وعلي`, `فعلي`)
/// and a single space to start at it, when the text spells the preposition `على`.
/// `surfaces[k]` is token k's text.
pub fn add_ali(
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    surfaces: &[&str],
    ents: &mut [EntitySpan],
) {
    if !spells_ala(surfaces) {
        return;
    }
    let mut prev_end = 0;
    for e in ents.iter_mut() {
        let before = prev_end;
        prev_end = e.end;
        if e.label != Label::Per {
            continue;
        }
        // The token the span starts in, and the one before it.
        let k = tokens.partition_point(|t| t.end <= e.start);
        if k == 0 || k >= tokens.len() || tokens[k].start > e.start {
            continue;
        }
        let (p, first) = (&tokens[k - 1], &tokens[k]);
        let stem = crate::decoding::spans::stem_start(p);
        let is_ali = p.kind == TokenKind::Word
            && stem >= before
            && text_slice(stem, p.end) == ALI
            && text_slice(p.end, first.start) == " ";
        if is_ali {
            e.start = stem;
            e.text = text_slice(stem, e.end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::running_text::run_rule_with_surfaces(text, given, |slice, tokens, surfaces, ents| {
            add_ali(slice, tokens, surfaces, ents)
        })
    }

    fn owned(v: &[(&str, Label)]) -> Vec<(String, Label)> {
        v.iter().map(|(t, l)| (t.to_string(), *l)).collect()
    }

    #[test]
    fn ali_joins_the_name_after_it() {
        let text = "وصل علي حسن الكبيسي إلى المطار واطلع على الترتيبات.";
        assert_eq!(
            run(text, &[("حسن الكبيسي", Label::Per)]),
            owned(&[("علي حسن الكبيسي", Label::Per)])
        );
        // With a conjunction: the span leaves it out, as every span does.
        let text = "حضر سالم وعلي الزيدي الاجتماع وتحدثا على انفراد.";
        assert_eq!(
            run(text, &[("سالم", Label::Per), ("الزيدي", Label::Per)]),
            owned(&[("سالم", Label::Per), ("علي الزيدي", Label::Per)])
        );
    }

    #[test]
    fn preposition_and_other_types_stay_out() {
        // The text never spells the preposition with ى: علي may be it.
        let text = "حصل علي حسن الكبيسي جائزة.";
        assert_eq!(
            run(text, &[("حسن الكبيسي", Label::Per)]),
            owned(&[("حسن الكبيسي", Label::Per)])
        );
        // على itself, a place after علي, and a line break between them.
        let text = "اعتمد على حسن الكبيسي. زار علي بغداد. وقف على الباب وقال علي\nالزيدي.";
        assert_eq!(
            run(
                text,
                &[
                    ("حسن الكبيسي", Label::Per),
                    ("بغداد", Label::Loc),
                    ("الزيدي", Label::Per)
                ]
            ),
            owned(&[
                ("حسن الكبيسي", Label::Per),
                ("بغداد", Label::Loc),
                ("الزيدي", Label::Per)
            ])
        );
    }

    #[test]
    fn ali_inside_the_previous_entity_is_not_taken_twice() {
        let text = "التقى ماجد علي حسن الكبيسي على هامش المؤتمر.";
        assert_eq!(
            run(
                text,
                &[("ماجد علي", Label::Per), ("حسن الكبيسي", Label::Per)]
            ),
            owned(&[("ماجد علي", Label::Per), ("حسن الكبيسي", Label::Per)])
        );
    }
}
