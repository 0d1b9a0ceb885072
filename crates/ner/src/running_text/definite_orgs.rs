//! Organizations named by a definite noun and its adjective, on running text: `الحرس
//! الثوري`, `الدفاع المدني`, `الهلال الأحمر`, `الجيش اللبناني`, `الخطوط الجوية القطرية`.
//!
//! The institution nouns of [`crate::running_text::org_phrases`] stand in construct state before their
//! complement (`وزارة الداخلية`); these names are a definite noun with an agreeing
//! adjective instead. ANERcorp leaves them `O` (all 20 `الجيش اللبناني` and 6 `القوات
//! المسلحة` of its training part), so the model finds few of them in the news, and it ends
//! `هيئة الهلال الأحمر` after `الهلال`. The names are a short fixed list: an open rule
//! (any definite noun + adjective) would make organizations of `الأمن العام` "public
//! security" and `القوات الأمريكية` "American forces". Like the other running-text rules
//! this runs in `NerModel::entities` only; CoNLL tagging and evaluation keep the model's
//! tags.

use crate::decoding::spans::EntitySpan;
use crate::features::lexicon::Gazetteer;
use crate::features::text::{normalize, split_clitics};
use crate::running_text::heads::adjective_of_place_with;
use crate::tags::Label;
use khabar_text::{Token, TokenKind};

/// One name, in the NER's normalization (ة → ه, one alef).
struct Name {
    /// Its definite noun.
    first: &'static str,
    /// Its adjective; `None`: the noun takes a place adjective (`الجيش اللبناني`).
    second: Option<&'static str>,
    /// Does it name one organization without a place adjective after it? `الحرس الثوري`
    /// does; `القوات المسلحة` "the armed forces" and `الخطوط الجوية` "airlines" need
    /// theirs (`القوات المسلحة المصرية`, `الخطوط الجوية القطرية`).
    alone: bool,
}

const fn name(first: &'static str, second: &'static str, alone: bool) -> Name {
    Name {
        first,
        second: Some(second),
        alone,
    }
}

const NAMES: &[Name] = &[
    name("الحرس", "الثوري", true),
    name("الحرس", "الوطني", true),
    name("الحرس", "الجمهوري", true),
    name("الحرس", "الرئاسي", true),
    name("الحرس", "الملكي", true),
    name("الدفاع", "المدني", true),
    name("الهلال", "الاحمر", true),
    name("الصليب", "الاحمر", true),
    name("الجيش", "الحر", true),
    name("الجيش", "الوطني", true),
    name("البرلمان", "الاوروبي", true),
    name("البرلمان", "العربي", true),
    name("القوات", "المسلحه", false),
    name("القوات", "الجويه", false),
    name("القوات", "البحريه", false),
    name("الخطوط", "الجويه", false),
    name("الخطوط", "الملكيه", false),
    Name {
        first: "الجيش",
        second: None,
        alone: false,
    },
];

/// Adjectives that come between a name and its place adjective: `الحرس الثوري الإسلامي
/// الإيراني`, `الجيش العربي السوري`, `الخطوط الجوية العربية السعودية`.
const BEFORE_PLACE: &[&str] = &["العربي", "العربيه", "الاسلامي", "الاسلاميه"];

/// Adjectives that close a name after its place adjective: `الجيش السوري الحر`.
const AFTER_PLACE: &[&str] = &["الحر"];

/// Most words read after the name's own two.
const MAX_AFTER: usize = 3;

/// Countries whose name is itself an adjective, read as one after a name (`الخطوط الجوية
/// السعودية`). Other places are not: after `الجيش السوري` a place is the object (`دخل
/// الجيش السوري الرقة`).
const ADJECTIVE_NAMES: &[&str] = &["السعوديه", "السعودي"];

/// Adjectives of the world and its quarters, which the gazetteers' `العالم`, `الجنوب` …
/// would make place adjectives: `الجيش العالمي` is no army's name.
const NOT_PLACE: &[&str] = &[
    "العالمي",
    "العالميه",
    "الدولي",
    "الدوليه",
    "الجنوبي",
    "الجنوبيه",
    "الشمالي",
    "الشماليه",
    "الشرقي",
    "الشرقيه",
    "الغربي",
    "الغربيه",
];

/// Is `word` (normalized, definite) the adjective of a place of the gazetteers
/// (`الإيراني` of `إيران`, `القطريه` of `قطر`, `الأوروبي` of `أوروبا`)?
fn place_word(gaz: &Gazetteer, word: &str) -> bool {
    word.starts_with("ال")
        && word.chars().count() > 4
        && !NOT_PLACE.contains(&word)
        && (ADJECTIVE_NAMES.contains(&word)
            || adjective_of_place_with(gaz, word, "يه")
            || adjective_of_place_with(gaz, word, "ي"))
}

/// How many letters of `word` (normalized) come before `target` (definite) when `word` is
/// `target` after conjunctions and prepositions, by the NER's own proclitic split
/// ([`split_clitics`]): `والحرس` → 1, `بالحرس` → 1, `للدفاع` → 2 (the article merges into
/// `لل`; the name then begins after it, as `للأمم` is لل + `أمم` in the text core).
fn letters_before(word: &str, target: &str) -> Option<usize> {
    let split = split_clitics(word);
    if split.core != target {
        return None;
    }
    let pre = split.pre.chars().count();
    // `pre` ends with the first ل of `لل`; the second is the article's.
    let merged = !word[split.pre.len()..].starts_with("ال");
    Some(if merged { pre + 1 } else { pre })
}

/// A name found in the text.
struct Found {
    start: usize,
    end: usize,
    /// Does it stand as an organization by itself (else it only continues one)?
    whole: bool,
    /// End of the token before the name's first one.
    before: Option<usize>,
}

/// Adds the definite organization names to `ents` (sorted by start, disjoint; stays so).
/// Entities inside a name give way to it; an organization that runs into a name is
/// extended to its end (`هيئة الهلال` → `هيئة الهلال الأحمر السعودي`), and another entity
/// that runs into one ends before it.
pub fn add_definite_orgs(
    gaz: &Gazetteer,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut Vec<EntitySpan>,
) {
    let norm = |t: &Token| normalize(&text_slice(t.start, t.end));
    let next_word = |j: usize| {
        tokens.get(j).filter(|t| {
            t.kind == TokenKind::Word
                && crate::decoding::spans::one_space_apart(text_slice, tokens[j - 1].end, t.start)
        })
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // Most words begin no name: test the last letters before normalizing anything.
        if t.kind != TokenKind::Word || !NAMES.iter().any(|n| quick_match(t, n.first)) {
            i += 1;
            continue;
        }
        let word = norm(t);
        let Some(second) = next_word(i + 1).map(norm) else {
            i += 1;
            continue;
        };
        let mut hit = None;
        for n in NAMES {
            let Some(letters) = letters_before(&word, n.first) else {
                continue;
            };
            let own = match n.second {
                Some(s) if s == second => 2,
                None if place_word(gaz, &second) => 2,
                _ => continue,
            };
            hit = Some((n, letters, own));
            break;
        }
        let Some((n, letters, own)) = hit else {
            i += 1;
            continue;
        };
        let surface = text_slice(t.start, t.end);
        let Some(skip) = (if letters == 0 {
            Some(0)
        } else {
            crate::decoding::spans::after_letters(&surface, 0, letters)
        }) else {
            i += 1;
            continue;
        };
        // The place adjective and the words around it (`العربية السعودية`).
        let mut last = i + own - 1;
        let mut place = n.second.is_none();
        let mut j = last + 1;
        while j <= last + MAX_AFTER {
            let Some(w) = next_word(j).map(norm) else {
                break;
            };
            if place_word(gaz, &w) {
                place = true;
                last = j;
            } else if place && AFTER_PLACE.contains(&w.as_str()) {
                last = j;
                break;
            } else if !BEFORE_PLACE.contains(&w.as_str()) {
                break;
            }
            j += 1;
        }
        found.push(Found {
            start: t.start + skip,
            end: tokens[last].end,
            whole: n.alone || place,
            before: i.checked_sub(1).map(|k| tokens[k].end),
        });
        i = last + 1;
    }
    if found.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(ents.len() + found.len());
    let mut rest = std::mem::take(ents).into_iter().peekable();
    for f in found {
        while let Some(e) = rest.next_if(|e| e.end <= f.start) {
            out.push(e);
        }
        // An entity kept over the previous name runs into this one.
        if out.last().is_some_and(|e| e.end > f.start) {
            continue;
        }
        let mut over = Vec::new();
        while let Some(e) = rest.next_if(|e| e.start < f.end) {
            over.push(e);
        }
        let phrase = || EntitySpan {
            label: Label::Org,
            start: f.start,
            end: f.end,
            text: text_slice(f.start, f.end),
        };
        // Inside an entity already: an exact one becomes an organization.
        if let Some(e) = over
            .iter_mut()
            .find(|e| e.start <= f.start && e.end >= f.end)
        {
            if f.whole && e.start == f.start && e.end == f.end {
                e.label = Label::Org;
            }
            out.extend(over);
            continue;
        }
        // An entity that begins inside and runs on past the name: left as it is.
        if over.iter().any(|e| e.end > f.end) {
            out.extend(over);
            continue;
        }
        match over.first() {
            Some(e) if e.start < f.start && e.label == Label::Org => {
                let start = e.start;
                out.push(EntitySpan {
                    label: Label::Org,
                    start,
                    end: f.end,
                    text: text_slice(start, f.end),
                });
            }
            _ if !f.whole => out.extend(over),
            Some(e) if e.start < f.start => {
                // Ends before the name, at the word before it, or goes.
                if let Some(end) = f.before.filter(|&b| b > e.start && b <= f.start) {
                    out.push(EntitySpan {
                        label: e.label,
                        start: e.start,
                        end,
                        text: text_slice(e.start, end),
                    });
                }
                out.push(phrase());
            }
            _ => out.push(phrase()),
        }
    }
    out.extend(rest);
    *ents = out;
}

/// Could token `t` be `first` after proclitics? Compares the end of the text core's
/// normalized form, without normalizing anything: a cheap filter before the real test
/// (the first words have no letter the two normalizations fold apart).
fn quick_match(t: &Token, first: &str) -> bool {
    first
        .strip_prefix("ال")
        .is_some_and(|tail| t.norm.ends_with(tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lexicon::GAZ_LOC;

    fn gaz() -> Gazetteer {
        let mut gaz = Gazetteer::default();
        for place in [
            "إيران",
            "قطر",
            "لبنان",
            "سوريا",
            "مصر",
            "السعودية",
            "أوروبا",
            "ليبيا",
            "الرياض",
            "الرقة",
            "الجنوب",
        ] {
            gaz.add(place, GAZ_LOC);
        }
        gaz
    }

    fn run(text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        let gaz = gaz();
        crate::running_text::run_rule(text, given, |slice, tokens, ents| {
            add_definite_orgs(&gaz, slice, tokens, ents)
        })
    }

    fn org(s: &str) -> (String, Label) {
        (s.to_string(), Label::Org)
    }

    #[test]
    fn names_that_stand_alone_become_organizations() {
        let r = run("وقال الحرس الثوري إن الدفاع المدني تدخل.", &[]);
        assert_eq!(r, vec![org("الحرس الثوري"), org("الدفاع المدني")]);
        // After a conjunction or preposition the name begins at its article.
        let r = run("أعلن بالحرس الوطني والهلال الأحمر ذلك.", &[]);
        assert_eq!(r, vec![org("الحرس الوطني"), org("الهلال الأحمر")]);
        // The place adjective and the adjectives around it belong to the name.
        let r = run(
            "هاجم الحرس الثوري الإسلامي الإيراني المدينة، وتقدم الجيش السوري الحر.",
            &[],
        );
        assert_eq!(
            r,
            vec![org("الحرس الثوري الإسلامي الإيراني"), org("الجيش السوري الحر")]
        );
    }

    #[test]
    fn generic_names_need_a_place_adjective() {
        let r = run(
            "تحتاج القوات المسلحة إلى جنود والخطوط الجوية إلى طائرات.",
            &[],
        );
        assert!(r.is_empty(), "{r:?}");
        let r = run(
            "نشرت القوات المسلحة المصرية جنودا ورحبت الخطوط الجوية العربية السعودية بالقرار.",
            &[("السعودية", Label::Loc)],
        );
        assert_eq!(
            r,
            vec![
                org("القوات المسلحة المصرية"),
                org("الخطوط الجوية العربية السعودية")
            ]
        );
        // `الجيش` with a place adjective, not with any adjective.
        let r = run(
            "انتشر الجيش اللبناني وانسحب الجيش النظامي والجيش الجنوبي.",
            &[],
        );
        assert_eq!(r, vec![org("الجيش اللبناني")]);
        // A place after the name is its object, not part of it.
        let r = run("دخل الجيش السوري الرقة.", &[("الرقة", Label::Loc)]);
        assert_eq!(
            r,
            vec![org("الجيش السوري"), (String::from("الرقة"), Label::Loc)]
        );
    }

    #[test]
    fn entities_running_into_a_name_are_extended_or_ended() {
        // An organization cut inside the name is extended to its end.
        let r = run(
            "شكر رئيس هيئة الهلال الأحمر السعودي المتطوعين.",
            &[("هيئة الهلال", Label::Org)],
        );
        assert_eq!(r, vec![org("هيئة الهلال الأحمر السعودي")]);
        let r = run(
            "فاز نادي القوات المسلحة على ضيفه.",
            &[("نادي القوات", Label::Org)],
        );
        assert_eq!(r, vec![org("نادي القوات المسلحة")]);
        // A person that runs into it ends before it.
        let r = run(
            "زار متعب بن عبدالله الحرس الوطني أمس.",
            &[("متعب بن عبدالله الحرس", Label::Per)],
        );
        assert_eq!(
            r,
            vec![
                (String::from("متعب بن عبدالله"), Label::Per),
                org("الحرس الوطني")
            ]
        );
        // An entity that holds the name already is kept, and a LOC that is exactly the
        // name becomes an organization.
        let r = run(
            "وصل إلى مركز الحرس الوطني بالرياض.",
            &[("مركز الحرس الوطني", Label::Org), ("الرياض", Label::Loc)],
        );
        assert_eq!(
            r,
            vec![
                org("مركز الحرس الوطني"),
                (String::from("الرياض"), Label::Loc)
            ]
        );
        let r = run("قال الدفاع المدني ذلك.", &[("الدفاع المدني", Label::Loc)]);
        assert_eq!(r, vec![org("الدفاع المدني")]);
    }

    #[test]
    fn a_line_break_or_comma_ends_the_name() {
        let r = run("وصل الحرس\nالثوري، ثم الجيش، اللبناني.", &[]);
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn letters_before_the_article() {
        assert_eq!(letters_before("والحرس", "الحرس"), Some(1));
        assert_eq!(letters_before("وبالحرس", "الحرس"), Some(2));
        assert_eq!(letters_before("للدفاع", "الدفاع"), Some(2));
        assert_eq!(letters_before("وللدفاع", "الدفاع"), Some(3));
        assert_eq!(letters_before("الحرس", "الحرس"), Some(0));
        assert_eq!(letters_before("حرس", "الحرس"), None);
        assert_eq!(letters_before("مالحرس", "الحرس"), None);
    }

    proptest::proptest! {
        /// The entities stay sorted and disjoint, each text is the text at its offsets,
        /// and every entity given is still there or overlapped by one that is.
        #[test]
        fn entities_stay_disjoint_and_match_the_text(
            words in proptest::collection::vec(0usize..12, 1..24),
            marks in proptest::collection::vec((0usize..4, 1usize..5), 0..10),
        ) {
            let vocab = [
                "الحرس", "الثوري", "والجيش", "اللبناني", "الإيراني", "للدفاع", "المدني",
                "القوات", "المسلحة", "،", "هيئة", "الحر",
            ];
            let text = words.iter().map(|&w| vocab[w]).collect::<Vec<_>>().join(" ");
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(&text);
            let chars: Vec<char> = text.chars().collect();
            let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
            let mut ents = crate::running_text::entities_on_runs(&tokens, &marks, &slice, |t| t.start);
            let before = ents.clone();
            add_definite_orgs(&gaz(), &slice, &tokens, &mut ents);
            for e in &ents {
                proptest::prop_assert!(e.start < e.end);
                proptest::prop_assert_eq!(&e.text, &slice(e.start, e.end));
            }
            for w in ents.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start);
            }
            for b in &before {
                proptest::prop_assert!(ents.iter().any(|e| e.start < b.end && b.start < e.end));
            }
        }
    }
}
