//! Well-known places on running text: a word the model leaves untagged that is the name
//! of a country or of a city of a million people or more (`الموصل`, `حلب`, `طاجيكستان`)
//! becomes a location.
//!
//! ANERcorp's annotators tagged such names inconsistently (three of the four `الموصل` of
//! its training part are `O`), so the model learns to skip them; news readers expect them.
//! The list is built by `khabar train ner` from the shared gazetteers and stored in the
//! model as [`GAZ_MAJOR`] bits, only for names the training data tags as a place in at
//! least a quarter of their occurrences: the rule repairs inconsistent annotation, it does
//! not guess. `المدينة` ("the city", also Medina: 20 of 91) and names ANERcorp never shows
//! (many are common words in the news: مالي "financial", بورصة "stock exchange") are left
//! to the model.
//! Like the organization phrases, the rule runs on running text only
//! (`NerModel::entities`); CoNLL tagging and evaluation keep ANERcorp's conventions.

use crate::data::Sentence;
use crate::lexicon::{
    for_each_line, label_of_type_bits, Gazetteer, GAZ_LOC, GAZ_MAJOR, GAZ_ORG, GAZ_PER,
    GAZ_TYPE_BITS,
};
use crate::org_phrases::{has_article, is_stop};
use crate::tags::{Label, Tag};
use crate::text::{normalize, simple_tokens, split_clitics};
use crate::{entity_overlapping, skip_ended, EntitySpan};
use khabar_text::{Token, TokenKind};
use rustc_hash::FxHashMap;
use std::path::Path;

/// Cities with at least this many people count as well known.
pub const MIN_POPULATION: u64 = 1_000_000;

/// Marks the well-known places of the gazetteer files in `dir` in `gaz` (one-word names
/// only), skipping words that `train` mostly shows as ordinary words; returns how many
/// names were marked.
pub fn mark_major_places(
    gaz: &mut Gazetteer,
    dir: &Path,
    train: &[Sentence],
) -> std::io::Result<usize> {
    let mut names: Vec<String> = Vec::new();
    let read = |name: &str, f: &mut dyn FnMut(&str)| for_each_line(dir, name, f).map(drop);
    // Countries: two-letter codes (CLDR's numeric codes are regions such as العالم).
    for file in ["cldr48_ar_territories.tsv", "i18n_iso_countries_ar.tsv"] {
        read(file, &mut |l| {
            if let Some((code, name)) = l.split_once('\t') {
                if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
                    names.push(name.to_string());
                }
            }
        })?;
    }
    read("geonames_cities15000_arabic_names.tsv", &mut |l| {
        let cols: Vec<&str> = l.split('\t').collect();
        let pop = cols.get(3).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0);
        if pop >= MIN_POPULATION {
            if let Some(alts) = cols.get(4) {
                names.extend(alts.split(" | ").map(str::to_string));
            }
        }
    })?;
    // How the training data tags each normalized word.
    let mut seen: FxHashMap<String, (u32, u32)> = FxHashMap::default();
    for s in train {
        for (w, t) in s.tokens.iter().zip(&s.tags) {
            let e = seen.entry(normalize(w)).or_default();
            match t {
                Tag::O => e.0 += 1,
                Tag::B(Label::Loc) | Tag::I(Label::Loc) => e.1 += 1,
                _ => {}
            }
        }
    }
    let mut marked = 0;
    for name in names {
        let toks = simple_tokens(&name);
        let [one] = toks.as_slice() else {
            continue;
        };
        let norm = normalize(one);
        if !norm.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c)) {
            continue;
        }
        // A place in at least a quarter of its training occurrences. Names the training
        // data never shows are left to the model: many are also common words in the
        // news (مالي "financial", بورصة "stock exchange", بحري "naval", مشهد "scene").
        let ok = seen
            .get(&norm)
            .is_some_and(|&(o, loc)| loc > 0 && 3 * loc >= o);
        if ok && gaz.add_bit(&norm, GAZ_MAJOR) {
            marked += 1;
        }
    }
    Ok(marked)
}

/// Is the word (its normalized form, or that form without one proclitic) a well-known
/// place?
fn is_major(gaz: &Gazetteer, surface: &str) -> bool {
    let norm = normalize(surface);
    let sp = split_clitics(&norm);
    let found = [Some(norm.as_str()), Some(&*sp.core), sp.alt]
        .into_iter()
        .flatten()
        .any(|w| gaz.single(w) & GAZ_MAJOR != 0);
    found
}

/// Does the context use the word at `k` as a common noun or adjective rather than as a
/// place? An indefinite word followed by a definite word or a name is the head of a
/// construct (`بورصة البحرين` "the Bahrain stock exchange", not Bursa); a bare word ending
/// in ي after an indefinite word is a relational adjective (`دعم مالي` "financial
/// support", not Mali); a definite word after a definite word is an adjective that agrees
/// with it (`الحكومة السعودية` "the Saudi government", `النسيج الموصل` "the conducting
/// fabric").
/// `ents`: the entities that do not end before token `k`, sorted by start.
fn common_noun_use(tokens: &[Token], k: usize, ents: &[EntitySpan]) -> bool {
    let t = &tokens[k];
    let word = |j: usize| tokens.get(j).filter(|n| n.kind == TokenKind::Word);
    let definite = has_article(t);
    if !definite
        && word(k + 1)
            .is_some_and(|n| has_article(n) || entity_overlapping(ents, n.start, n.end).is_some())
    {
        return true;
    }
    let prev = k.checked_sub(1).and_then(word).filter(|p| !is_stop(p));
    let proclitics = t
        .segments
        .iter()
        .filter(|s| s.kind == khabar_text::SegmentKind::Proclitic)
        .count();
    if definite {
        // An adjective agrees in definiteness with its noun: الحكومة السعودية.
        proclitics <= 1 && prev.is_some_and(has_article)
    } else {
        proclitics == 0 && t.norm.ends_with('ي') && prev.is_some_and(|p| !has_article(p))
    }
}

/// Adds a location for every word outside `ents` that names a well-known place; `ents`
/// stays sorted by start. `surfaces[k]` is token k's text. The span leaves attached
/// proclitics out (`والموصل` → `الموصل`, `للقاهرة` → `قاهرة` as for the model's entities).
pub fn add_major_places(
    gaz: &Gazetteer,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    surfaces: &[&str],
    ents: &mut Vec<EntitySpan>,
) {
    let before = ents.len();
    // Tokens and the given entities both run in text order (see `skip_ended`).
    let mut first = 0;
    for (k, (t, surface)) in tokens.iter().zip(surfaces).enumerate() {
        skip_ended(&ents[..before], &mut first, t.start);
        let ahead = &ents[first..before];
        if t.kind != TokenKind::Word || entity_overlapping(ahead, t.start, t.end).is_some() {
            continue;
        }
        if !is_major(gaz, surface) || common_noun_use(tokens, k, ahead) {
            continue;
        }
        let start = crate::article_begin(gaz, t, surface, crate::stem_start(t));
        if start < t.end {
            ents.push(EntitySpan {
                label: Label::Loc,
                start,
                end: t.end,
                text: text_slice(start, t.end),
            });
        }
    }
    if ents.len() > before {
        ents.sort_by_key(|e| (e.start, e.end));
    }
}

/// Joins two entities the model tagged side by side, one space apart, when together they
/// are one name of the gazetteers: the model tags each word of `سيدي بوزيد`, `دير الزور`,
/// `هونغ كونغ`, `حفر الباطن` as a name of its own (`B-LOC B-LOC`), most often where the
/// first word is a common word too (`سيدي` "my lord", `دير` "monastery"). The joined
/// entity takes the gazetteer's type when it has one type, else the first entity's. Names
/// listed without `و` (`الرياض جدة`) are no gazetteer entry and stay apart; `ents` is
/// sorted by start and stays so.
pub fn join_split_names(
    gaz: &Gazetteer,
    text_slice: &dyn Fn(usize, usize) -> String,
    ents: &mut Vec<EntitySpan>,
) {
    let mut out: Vec<EntitySpan> = Vec::with_capacity(ents.len());
    for e in ents.drain(..) {
        if let Some(prev) = out.last_mut() {
            if crate::one_space_apart(text_slice, prev.end, e.start) {
                let joined = text_slice(prev.start, e.end);
                let bits = gaz.phrase(&joined) & GAZ_TYPE_BITS;
                if bits != 0 {
                    prev.label = label_of_type_bits(bits).unwrap_or(prev.label);
                    prev.end = e.end;
                    prev.text = joined;
                    continue;
                }
            }
        }
        out.push(e);
    }
    *ents = out;
}

/// Widens an entity over the one or two words right before or after it (single spaces
/// between, no other entity on them) when the whole is a gazetteer name of several words:
/// the model tags `الحرام` in `المسجد الحرام`, `السودان` in `جنوب السودان`. The longest
/// such name wins; the entity takes the gazetteer's type when it has one. `ents` is sorted
/// by start and stays so.
pub fn widen_to_gazetteer_names(
    gaz: &Gazetteer,
    text_slice: &dyn Fn(usize, usize) -> String,
    tokens: &[Token],
    ents: &mut Vec<EntitySpan>,
) {
    // Sorted and disjoint: a binary search tells whether a word is in an entity.
    let spans = crate::spans_of(ents);
    let in_entity = |t: &Token| crate::in_spans(&spans, t);
    // A word of three letters or more (not a tatweel used as a dash, `جدة ـ`, nor `أن`),
    // not `مدينة` (`مدينة حمص` is حمص), in no other entity.
    let free = |t: &Token| {
        t.kind == TokenKind::Word
            && t.norm.chars().count() > 2
            && t.norm
                .chars()
                .any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
            && !is_stop(t)
            && t.stem_segment().text != "مدينة"
            && !in_entity(t)
    };
    // The NER normalization of token `t` from char `from` (the gazetteer's keys).
    let norm_from = |t: &Token, from: usize| {
        if from <= t.start {
            normalize(&t.norm)
        } else {
            normalize(&text_slice(from, t.end))
        }
    };
    for e in ents.iter_mut() {
        let first = tokens.partition_point(|t| t.end <= e.start);
        let last = tokens.partition_point(|t| t.end < e.end);
        if first >= tokens.len() || last >= tokens.len() {
            continue;
        }
        // How many free words, one space apart, stand right before and right after.
        let spaced = |a: &Token, b: &Token| a.end + 1 == b.start;
        let mut before = 0;
        while before < 2
            && first > before
            && spaced(&tokens[first - before - 1], &tokens[first - before])
            && free(&tokens[first - before - 1])
        {
            before += 1;
        }
        let mut after = 0;
        while after < 2
            && last + after + 1 < tokens.len()
            && spaced(&tokens[last + after], &tokens[last + after + 1])
            && free(&tokens[last + after + 1])
        {
            after += 1;
        }
        if before + after == 0 {
            continue;
        }
        // Gazetteer names are in Arabic script; an entity with a Latin word is none.
        let own = &tokens[first..=last];
        if own
            .iter()
            .any(|t| !matches!(t.kind, TokenKind::Word | TokenKind::Punct))
        {
            continue;
        }
        let words_of = |from: usize| -> Vec<String> {
            own.iter()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| norm_from(t, from))
                .collect()
        };
        // With words before it, the entity's first word counts whole (`ابن بسام`, whose
        // entity was `سام` after the text core's ب).
        let inner_alone = words_of(e.start);
        let inner_whole = words_of(0);
        let right: Vec<String> = (1..=after)
            .map(|k| normalize(&tokens[last + k].norm))
            .collect();
        let mut best: Option<(usize, usize, u8)> = None;
        for b in 0..=before {
            // The leftmost added word starts at its stem (`والمسجد` → `المسجد`).
            let left: Vec<String> = (1..=b)
                .rev()
                .map(|k| {
                    let t = &tokens[first - k];
                    let from = if k == b {
                        crate::stem_start(t)
                    } else {
                        t.start
                    };
                    norm_from(t, from)
                })
                .collect();
            let start = if b > 0 {
                crate::stem_start(&tokens[first - b])
            } else {
                e.start
            };
            for a in 0..=after {
                if a + b == 0 {
                    continue;
                }
                let inner = if b > 0 { &inner_whole } else { &inner_alone };
                let words = left.iter().chain(inner).chain(&right[..a]);
                let bits = gaz.words(words.map(String::as_str)) & GAZ_TYPE_BITS;
                let end = tokens[last + a].end;
                if bits != 0 && best.is_none_or(|(s, t, _)| end - start > t - s) {
                    best = Some((start, end, bits));
                }
            }
        }
        let Some((start, end, bits)) = best else {
            continue;
        };
        // The model's type when the gazetteer agrees; else the gazetteer's place or
        // organization. The person lists are too noisy to retype with (ANERGazet lists
        // `الجنيه الاسترليني` as a person).
        let own = match e.label {
            Label::Loc => GAZ_LOC,
            Label::Per => GAZ_PER,
            Label::Org => GAZ_ORG,
            Label::Misc => 0,
        };
        let label = if bits & own != 0 {
            e.label
        } else if let Some(label) = label_of_type_bits(bits & (GAZ_LOC | GAZ_ORG)) {
            label
        } else {
            continue;
        };
        e.start = start;
        e.end = end;
        e.text = text_slice(start, end);
        e.label = label;
    }
    // Two entities may now cover one gazetteer name: keep the first.
    ents.sort_by_key(|e| (e.start, e.end));
    ents.dedup_by(|b, a| b.start < a.end);
}

/// A person of two words or more that the gazetteers know only as a place is a place: the
/// model tags places named after persons as persons (`محافظة صلاح الدين`, `بن عروس`,
/// `غازي عنتاب`, `أبو ظبي`). One-word persons keep their type (`عمان` is also a first
/// name), and so does a span right before a definite word, which is the person's surname
/// the model left out (`صلاح الدين الجمالي`).
pub fn retype_places_named_after_persons(
    gaz: &Gazetteer,
    tokens: &[Token],
    ents: &mut [EntitySpan],
) {
    for e in ents.iter_mut() {
        if e.label != Label::Per || !e.text.contains(' ') {
            continue;
        }
        let next = tokens.get(tokens.partition_point(|t| t.start < e.end));
        let surname_after = next.is_some_and(|n| {
            n.start == e.end + 1
                && n.kind == TokenKind::Word
                && n.segments
                    .first()
                    .is_some_and(|s| s.text == "ال" || s.text.starts_with("ال"))
        });
        if !surname_after && gaz.phrase(&e.text) & GAZ_TYPE_BITS == GAZ_LOC {
            e.label = Label::Loc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz(names: &[&str]) -> Gazetteer {
        let mut g = Gazetteer::default();
        for n in names {
            g.add(n, crate::lexicon::GAZ_LOC);
            g.add_bit(&normalize(n), GAZ_MAJOR);
        }
        g
    }

    fn run(g: &Gazetteer, text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::run_rule_with_surfaces(text, given, |slice, tokens, surfaces, ents| {
            add_major_places(g, slice, tokens, surfaces, ents)
        })
    }

    #[test]
    fn untagged_major_places_become_locations_without_their_proclitics() {
        let g = gaz(&["الموصل", "حلب"]);
        let r = run(&g, "انتقل المقاتلون إلى الموصل ثم عادوا وحلب هادئة.", &[]);
        assert_eq!(
            r,
            vec![("الموصل".into(), Label::Loc), ("حلب".into(), Label::Loc)]
        );
        // The article after a preposition the text core leaves on the word, as for the
        // model's entities: `للقاهرة` is لل + `قاهرة`.
        let g = gaz(&["القاهرة"]);
        let r = run(&g, "سافر الوفد للقاهرة أمس.", &[]);
        assert_eq!(r, vec![("قاهرة".into(), Label::Loc)]);
    }

    #[test]
    fn entities_found_by_the_model_are_kept() {
        let g = gaz(&["مدريد"]);
        let r = run(
            &g,
            "فاز ريال مدريد على ضيفه.",
            &[("ريال مدريد", Label::Org)],
        );
        assert_eq!(r, vec![("ريال مدريد".into(), Label::Org)]);
    }

    #[test]
    fn common_noun_and_adjective_uses_are_left_alone() {
        let g = gaz(&["مالي", "بورصة"]);
        assert!(run(&g, "قدمت الحكومة دعم مالي للمزارعين.", &[]).is_empty());
        assert!(run(&g, "تراجع مؤشر بورصة البحرين أمس.", &[]).is_empty());
        let r = run(
            &g,
            "ارتفعت الأسهم في بورصة شنغهاي.",
            &[("شنغهاي", Label::Loc)],
        );
        assert_eq!(r, vec![("شنغهاي".into(), Label::Loc)]);
        let g2 = gaz(&["الموصل", "السعودية"]);
        assert!(run(&g2, "أعلنت الحكومة السعودية أن النسيج الموصل جديد.", &[]).is_empty());
        assert_eq!(
            run(&g2, "منذ سقوط الموصل وفي السعودية.", &[]),
            vec![
                ("الموصل".into(), Label::Loc),
                ("السعودية".into(), Label::Loc)
            ]
        );
        // The same words as places.
        assert_eq!(
            run(&g, "زار الوزير مالي ثم وصل إلى بورصة.", &[]),
            vec![("مالي".into(), Label::Loc), ("بورصة".into(), Label::Loc)]
        );
    }

    #[test]
    fn other_words_are_left_alone() {
        let g = gaz(&["الموصل"]);
        assert!(run(&g, "وصل الوفد إلى المدينة الموصلة بالجسر.", &[]).is_empty());
    }

    fn sent(pairs: &[(&str, Tag)]) -> Sentence {
        Sentence {
            tokens: pairs.iter().map(|p| p.0.to_string()).collect(),
            tags: pairs.iter().map(|p| p.1).collect(),
            aux: false,
        }
    }

    #[test]
    fn names_used_only_as_ordinary_words_in_training_are_not_marked() {
        let dir = std::env::temp_dir().join(format!("khabar-places-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("cldr48_ar_territories.tsv"),
            "001\tالعالم\nTJ\tطاجيكستان\n",
        )
        .unwrap();
        std::fs::write(dir.join("i18n_iso_countries_ar.tsv"), "TR\tتركيا\n").unwrap();
        std::fs::write(
            dir.join("geonames_cities15000_arabic_names.tsv"),
            "id\tname\tcc\tpopulation\tarabic\n\
             1\tMosul\tIQ\t1683000\tالموصل | موصل\n\
             2\tMedina\tSA\t1300000\tالمدينة\n\
             3\tSmall\tIQ\t20000\tبلدتي\n\
             4\tX\tCN\t2000000\tجاس | بورصة\n",
        )
        .unwrap();
        let mut train = vec![
            sent(&[("المدينة", Tag::O), ("الموصل", Tag::O), ("المدينة", Tag::O)]),
            sent(&[("الموصل", Tag::B(Label::Loc)), ("المدينة", Tag::O)]),
            sent(&[("الموصل", Tag::O), ("المدينة", Tag::B(Label::Loc))]),
            sent(&[("الموصل", Tag::O), ("المدينة", Tag::O)]),
        ];
        for w in ["طاجيكستان", "تركيا", "موصل", "العالم", "بلدتي"] {
            train.push(sent(&[(w, Tag::B(Label::Loc))]));
        }
        let mut g = Gazetteer::default();
        let n = mark_major_places(&mut g, &dir, &train).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let major = |w: &str| g.single(&normalize(w)) & GAZ_MAJOR != 0;
        assert!(major("طاجيكستان") && major("تركيا") && major("الموصل") && major("موصل"));
        // A region code, a word the training data mostly uses as a common noun, a small
        // town and names the training data never shows are not marked.
        assert!(!major("العالم") && !major("المدينة") && !major("بلدتي"));
        assert!(!major("جاس") && !major("بورصة"));
        assert_eq!(n, 4);
    }

    #[test]
    fn missing_gazetteer_files_are_an_error() {
        let mut g = Gazetteer::default();
        let missing = std::env::temp_dir().join("khabar-places-missing-dir");
        assert!(mark_major_places(&mut g, &missing, &[]).is_err());
    }

    fn join(g: &Gazetteer, text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::run_rule(text, given, |slice, _, ents| {
            join_split_names(g, slice, ents)
        })
    }

    #[test]
    fn side_by_side_entities_that_are_one_gazetteer_name_are_joined() {
        let mut g = Gazetteer::default();
        g.add("سيدي بوزيد", crate::lexicon::GAZ_LOC);
        g.add("دير الزور", crate::lexicon::GAZ_LOC);
        g.add("ريال مدريد", crate::lexicon::GAZ_ORG);
        let text = "زار الوزير سيدي بوزيد ثم دير الزور، وفاز ريال مدريد.";
        let r = join(
            &g,
            text,
            &[
                ("سيدي", Label::Loc),
                ("بوزيد", Label::Loc),
                ("دير", Label::Loc),
                ("الزور", Label::Loc),
                ("ريال", Label::Org),
                ("مدريد", Label::Loc),
            ],
        );
        // The gazetteer's type wins: `ريال مدريد` is a club.
        assert_eq!(
            r,
            vec![
                ("سيدي بوزيد".into(), Label::Loc),
                ("دير الزور".into(), Label::Loc),
                ("ريال مدريد".into(), Label::Org),
            ]
        );
    }

    #[test]
    fn entities_that_are_no_gazetteer_name_together_stay_apart() {
        let mut g = Gazetteer::default();
        g.add("سيدي بوزيد", crate::lexicon::GAZ_LOC);
        g.add("الرياض", crate::lexicon::GAZ_LOC);
        g.add("جدة", crate::lexicon::GAZ_LOC);
        let apart = |text: &str, given: &[(&str, Label)]| {
            let r = join(&g, text, given);
            let want: Vec<(String, Label)> =
                given.iter().map(|(t, l)| (t.to_string(), *l)).collect();
            assert_eq!(r, want, "{text}");
        };
        // A list without و.
        apart(
            "سافر الوفد إلى الرياض جدة أمس.",
            &[("الرياض", Label::Loc), ("جدة", Label::Loc)],
        );
        // A comma, a line break or two spaces between the two.
        apart(
            "وصل إلى سيدي، بوزيد.",
            &[("سيدي", Label::Loc), ("بوزيد", Label::Loc)],
        );
        apart(
            "وصل إلى سيدي\nبوزيد.",
            &[("سيدي", Label::Loc), ("بوزيد", Label::Loc)],
        );
        apart(
            "وصل إلى سيدي  بوزيد.",
            &[("سيدي", Label::Loc), ("بوزيد", Label::Loc)],
        );
    }

    fn widen(g: &Gazetteer, text: &str, given: &[(&str, Label)]) -> Vec<(String, Label)> {
        crate::run_rule(text, given, |slice, tokens, ents| {
            widen_to_gazetteer_names(g, slice, tokens, ents)
        })
    }

    #[test]
    fn an_entity_widens_to_the_gazetteer_name_around_it() {
        let mut g = Gazetteer::default();
        g.add("مكة المكرمة", crate::lexicon::GAZ_LOC);
        g.add("جنوب السودان", crate::lexicon::GAZ_LOC);
        g.add("المسجد الحرام", crate::lexicon::GAZ_LOC);
        let r = widen(
            &g,
            "وصل الحجاج إلى مكة المكرمة، وزار الوفد جنوب السودان والمسجد الحرام.",
            &[
                ("مكة", Label::Loc),
                ("السودان", Label::Loc),
                ("الحرام", Label::Org),
            ],
        );
        // With a word before it, the entity's first word counts whole: the model's `سام`
        // after the text core's ب in `بسام`.
        let mut g2 = Gazetteer::default();
        g2.add("ابن بسام", crate::lexicon::GAZ_PER);
        let r2 = widen(&g2, "قال ابن بسام في كتابه.", &[("سام", Label::Per)]);
        assert_eq!(r2, vec![("ابن بسام".into(), Label::Per)]);
        // The gazetteer's type where the model's is not the gazetteer's.
        assert_eq!(
            r,
            vec![
                ("مكة المكرمة".into(), Label::Loc),
                ("جنوب السودان".into(), Label::Loc),
                ("المسجد الحرام".into(), Label::Loc),
            ]
        );
    }

    #[test]
    fn no_widening_over_function_words_dashes_or_other_entities() {
        let mut g = Gazetteer::default();
        g.add("ان صالح", crate::lexicon::GAZ_LOC);
        g.add("مدينة حمص", crate::lexicon::GAZ_LOC);
        g.add("جدة", crate::lexicon::GAZ_LOC);
        g.add("الجنيه الاسترليني", crate::lexicon::GAZ_PER);
        g.add("مكة المكرمة", crate::lexicon::GAZ_LOC);
        let same = |text: &str, given: &[(&str, Label)]| {
            let want: Vec<(String, Label)> =
                given.iter().map(|(t, l)| (t.to_string(), *l)).collect();
            assert_eq!(widen(&g, text, given), want, "{text}");
        };
        // `أن صالح` is "that Saleh", not In Salah; `مدينة حمص` is حمص; a tatweel dash.
        same("وذكر أن صالح غادر.", &[("صالح", Label::Per)]);
        same("قصفت مدينة حمص أمس.", &[("حمص", Label::Loc)]);
        same("جدة ـ أعلنت الأمانة.", &[("جدة", Label::Loc)]);
        // A person-only gazetteer entry does not retype a currency.
        same("ارتفع الجنيه الاسترليني.", &[("الاسترليني", Label::Misc)]);
        // A Latin-script entity is no gazetteer name (`السعودية STC` is not السعودية).
        same("أعلنت السعودية STC أرباحها.", &[("STC", Label::Org)]);
        // The word around is another entity's.
        same(
            "زار مكة المكرمة.",
            &[("مكة", Label::Loc), ("المكرمة", Label::Per)],
        );
    }

    #[test]
    fn a_person_the_gazetteers_know_only_as_a_place_is_a_place() {
        let mut g = Gazetteer::default();
        g.add("صلاح الدين", crate::lexicon::GAZ_LOC);
        g.add("غازي عنتاب", crate::lexicon::GAZ_LOC);
        g.add("عمر المختار", crate::lexicon::GAZ_LOC);
        g.add("عمر المختار", crate::lexicon::GAZ_PER);
        let run = |text: &str, given: &[(&str, Label)]| {
            crate::run_rule(text, given, |_, tokens, ents| {
                retype_places_named_after_persons(&g, tokens, ents)
            })
        };
        let r = run(
            "قصفت الطائرات محافظة صلاح الدين ثم غازي عنتاب.",
            &[("صلاح الدين", Label::Per), ("غازي عنتاب", Label::Per)],
        );
        assert_eq!(
            r,
            vec![
                ("صلاح الدين".into(), Label::Loc),
                ("غازي عنتاب".into(), Label::Loc)
            ]
        );
        // A surname right after: the model left the person's last word out.
        let r = run(
            "قال الوزير صلاح الدين الجمالي إن الاتفاق تم.",
            &[("صلاح الدين", Label::Per)],
        );
        assert_eq!(r, vec![("صلاح الدين".into(), Label::Per)]);
        // Also a person in the gazetteers.
        let r = run("قرأ عن عمر المختار كتابا.", &[("عمر المختار", Label::Per)]);
        assert_eq!(r, vec![("عمر المختار".into(), Label::Per)]);
    }
}
