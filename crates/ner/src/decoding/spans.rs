//! Entity spans on running text from the model's tags: sentences cut from the tokens, and
//! where each entity begins — after conjunction and preposition proclitics, at the article
//! (the text core's clitic segments, corrected where the gazetteers know better). The
//! running-text adjustments build on these spans and helpers.

use crate::eval::chunks;
use crate::features::{lexicon, text};
use crate::model::NerModel;
use crate::tags::Label;
use khabar_text::{SegmentKind, Token, TokenKind};

/// A named entity found in running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySpan {
    /// Entity type.
    pub label: Label,
    /// First char (Unicode scalar offset into the text).
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// The entity's text, `text[start..end]`.
    pub text: String,
}

/// Longest sentence handed to the tagger; longer runs without a full stop are cut.
const MAX_SENTENCE_TOKENS: usize = 200;

fn ends_sentence(kind: TokenKind, s: &str) -> bool {
    kind == TokenKind::Punct && s.chars().all(|c| matches!(c, '.' | '!' | '?' | '؟' | '…'))
}

/// Bits of [`NerModel`]'s switched-off adjustments for [`article_begin`] and
/// [`conjunction_begin`] (entries 2 and 3 of `crate::ADJUSTMENTS`).
pub(crate) const ARTICLE_BEGIN: u32 = 1 << 1;
pub(crate) const CONJUNCTION_BEGIN: u32 = 1 << 2;

/// The entities of the model's tags on running text, before the running-text adjustments:
/// the text is tagged sentence by sentence (`surfaces`: each token's text) with the whole
/// text as the document, and each entity begins where [`entity_begin`],
/// [`article_begin`] and, right after another entity, [`conjunction_begin`] say.
pub(crate) fn entity_spans(
    model: &NerModel,
    tokens: &[Token],
    surfaces: &[&str],
    text_slice: &dyn Fn(usize, usize) -> String,
    neural: bool,
) -> Vec<EntitySpan> {
    let mut bounds = Vec::new();
    let mut start = 0;
    for (i, (t, s)) in tokens.iter().zip(surfaces).enumerate() {
        if ends_sentence(t.kind, s) || i + 1 - start >= MAX_SENTENCE_TOKENS {
            bounds.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < tokens.len() {
        bounds.push((start, tokens.len()));
    }
    let sents: Vec<&[&str]> = bounds.iter().map(|&(a, b)| &surfaces[a..b]).collect();
    let tags = model.tag_document_with(&sents, None, neural);
    let mut out = Vec::new();
    for (&(a, _), st) in bounds.iter().zip(&tags) {
        for (cs, ce, label) in chunks(st) {
            let first = &tokens[a + cs];
            let last = &tokens[a + ce - 1];
            let surface = surfaces[a + cs];
            let begin = entity_begin(&model.res.gaz, first, surface);
            let begin = if model.skipped & ARTICLE_BEGIN == 0 {
                article_begin(&model.res.gaz, first, surface, begin)
            } else {
                begin
            };
            let after_entity = out
                .last()
                .is_some_and(|p: &EntitySpan| one_space_apart(text_slice, p.end, first.start));
            let begin = if after_entity && model.skipped & CONJUNCTION_BEGIN == 0 {
                conjunction_begin(&model.res.gaz, first, surface, begin)
            } else {
                begin
            };
            let end = last.end;
            if begin >= end {
                continue;
            }
            out.push(EntitySpan {
                label,
                start: begin,
                end,
                text: text_slice(begin, end),
            });
        }
    }
    out
}

/// Is there exactly one plain space between char `end` and char `start`? The running-text
/// rules join or read neighbours only then (not across a comma, a line break or a
/// no-break space).
pub(crate) fn one_space_apart(
    text_slice: &dyn Fn(usize, usize) -> String,
    end: usize,
    start: usize,
) -> bool {
    start == end + 1 && text_slice(end, start) == " "
}

/// Where an entity the model tagged from token `t` (written `surface`) begins: at
/// [`stem_start`], except that a name of the gazetteers keeps a one-letter proclitic
/// (و ف ب ل ك) the text core split off when the rest is not a name. The text core splits
/// by word counts, so a name whose rest is a frequent word loses its first letter there
/// (`فورد` is ف + `ورد` "was mentioned", `كوفي` ك + `وفي`, `بعقوبة` ب + `عقوبة`
/// "penalty"); `فإيران` stays ف + `إيران` and `بروسيا` ب + `روسيا`.
fn entity_begin(gaz: &lexicon::Gazetteer, t: &Token, surface: &str) -> usize {
    let begin = stem_start(t);
    let proclitics: Vec<&khabar_text::Segment> = t
        .segments
        .iter()
        .take_while(|s| s.kind == SegmentKind::Proclitic)
        .collect();
    let [only] = proclitics.as_slice() else {
        return begin;
    };
    let one_letter = matches!(only.text.as_str(), "و" | "ف" | "ب" | "ل" | "ك");
    if !one_letter || only.start != t.start || begin != only.end {
        return begin;
    }
    let whole = text::normalize(surface);
    let rest: String = whole.chars().skip(1).collect();
    let is_name = |w: &str| gaz.single(w) & lexicon::GAZ_TYPE_BITS != 0;
    // A two-letter rest is a function word (`كأي بنك` "like any bank"), whatever the
    // gazetteer says of the whole.
    if rest.chars().count() >= 3 && is_name(&whole) && !is_name(&rest) {
        t.start
    } else {
        begin
    }
}

/// Where an entity begins when the text core left a preposition and the article on the
/// name's word (its word counts keep `للعراق` whole: `عراق` alone is rare): after `لل`,
/// as the text core reads `للأمم` (لل + `أمم`); at the article of `بالعراق`, `وال...`;
/// and at `لله` (ل + الله with the article's alef elided), not at its `له` "to him".
/// Only when the name with the article is in the gazetteers and the word itself is not
/// (`باليرمو` stays whole).
pub(crate) fn article_begin(
    gaz: &lexicon::Gazetteer,
    t: &Token,
    surface: &str,
    begin: usize,
) -> usize {
    let Some(at) = t.segments.iter().position(|s| s.start == begin) else {
        return begin;
    };
    let seg = &t.segments[at];
    if seg.kind == SegmentKind::Proclitic {
        return begin;
    }
    if seg.text == "له" && at > 0 {
        let before = &t.segments[at - 1];
        if before.text == "ل" && before.end == begin {
            return before.start;
        }
        return begin;
    }
    let is_name = |w: &str| gaz.single(w) & lexicon::GAZ_TYPE_BITS != 0;
    // The gazetteer's keys are in the NER's own normalization (ة → ه).
    let word = text::normalize(&seg.text);
    let word = word.as_str();
    let (letters, with_article) = if let Some(rest) = word.strip_prefix("لل") {
        (2, format!("ال{rest}"))
    } else if let Some(rest) = word
        .strip_prefix(['و', 'ف', 'ب', 'ك'])
        .filter(|r| r.starts_with("ال"))
    {
        (1, rest.to_string())
    } else {
        return begin;
    };
    // `ال` + at least three letters (`للي`, `بالي` are no names). `الله` is shorter, and
    // `بالله` is in the person gazetteer for names like `المعتصم بالله`, where no entity
    // begins at it.
    let god = with_article == "الله";
    let long = with_article.chars().count() >= 5;
    if !(god || long && is_name(&with_article) && !is_name(word)) {
        return begin;
    }
    let from = seg.start.saturating_sub(t.start);
    after_letters(surface, from, letters).map_or(begin, |k| t.start + k)
}

/// Where an entity right after another one (one space apart) begins when its word is
/// و or ف + a well-known place that the text core keeps whole because the word is a name
/// too: `الرياض وجدة` is "Riyadh and Jeddah", not Oujda. After `مدينة` (no entity before
/// it) `وجدة` stays the Moroccan city.
fn conjunction_begin(gaz: &lexicon::Gazetteer, t: &Token, surface: &str, begin: usize) -> usize {
    let [only] = t.segments.as_slice() else {
        return begin;
    };
    if begin != t.start || only.start != t.start {
        return begin;
    }
    let word = text::normalize(&only.text);
    let Some(rest) = word.strip_prefix(['و', 'ف']) else {
        return begin;
    };
    let major = |w: &str| gaz.single(w) & lexicon::GAZ_MAJOR != 0;
    if rest.chars().count() < 3 || !major(rest) || major(&word) {
        return begin;
    }
    after_letters(surface, 0, 1).map_or(begin, |k| t.start + k)
}

/// The char offset into `surface` just past `n` letters counted from char `from`, with the
/// marks the normalizer drops (harakat, tatweel) after them skipped too. `None` when
/// something else (a presentation form, a digit) is on the way: the offsets of the text
/// core's normalized segments then do not map letter for letter.
pub(crate) fn after_letters(surface: &str, from: usize, n: usize) -> Option<usize> {
    let is_mark = |c: char| matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}');
    let is_letter = |c: char| matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}');
    let mut seen = 0;
    for (i, c) in surface.chars().enumerate().skip(from) {
        if is_mark(c) {
            continue;
        }
        if seen == n {
            return Some(i);
        }
        if !is_letter(c) {
            return None;
        }
        seen += 1;
    }
    None
}

/// Where an entity starting at `t` begins: after conjunction/preposition proclitics, at the
/// article ال if there is one, else at the stem.
pub(crate) fn stem_start(t: &Token) -> usize {
    for seg in &t.segments {
        match seg.kind {
            SegmentKind::Proclitic if seg.text == "ال" => return seg.start,
            SegmentKind::Proclitic => continue,
            _ => return seg.start.max(t.start),
        }
    }
    t.start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lexicon::{Gazetteer, GAZ_LOC, GAZ_ORG, GAZ_PER};

    /// `entity_begin` of the first word token of `text`, as a char offset into it.
    fn begin(gaz: &Gazetteer, text: &str) -> usize {
        let tokens = khabar_text::TextAnalyzer::shared().tokenize(text);
        let t = tokens.iter().find(|t| t.kind == TokenKind::Word).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let surface: String = chars[t.start..t.end].iter().collect();
        entity_begin(gaz, t, &surface)
    }

    #[test]
    fn a_name_keeps_the_letter_the_text_core_splits_off() {
        let mut gaz = Gazetteer::default();
        gaz.add("فورد", GAZ_ORG);
        gaz.add("كوفي", GAZ_PER);
        gaz.add("إيران", GAZ_LOC);
        gaz.add("فإيران", GAZ_LOC);
        gaz.add("كأي", GAZ_PER);
        // The text core reads `فورد` as ف + `ورد` "was mentioned", `كوفي` as ك + `وفي`.
        for word in ["فورد", "كوفي"] {
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(word);
            assert_eq!(
                stem_start(&tokens[0]),
                1,
                "{word} is split by the text core"
            );
            assert_eq!(begin(&gaz, word), 0, "{word} keeps its first letter");
        }
        // Both the word and its rest are names: the proclitic reading stays.
        assert_eq!(begin(&gaz, "فإيران"), 1);
        // A function word after ك stays split (`كأي بنك` "like any bank").
        assert_eq!(begin(&gaz, "كأي"), 1);
        // Without the gazetteer, nothing changes.
        assert_eq!(begin(&Gazetteer::default(), "فورد"), 1);
        // `بعقوبة` is ب + `عقوبة` "penalty" for the text core, a city for the gazetteer.
        let tokens = khabar_text::TextAnalyzer::shared().tokenize("بعقوبة");
        assert_eq!(stem_start(&tokens[0]), 1);
        gaz.add("بعقوبة", GAZ_LOC);
        assert_eq!(begin(&gaz, "بعقوبة"), 0);
        // `بروسيا` (Borussia) is "in Russia" when `روسيا` is a name too.
        gaz.add("بروسيا", GAZ_ORG);
        gaz.add("روسيا", GAZ_LOC);
        assert_eq!(begin(&gaz, "بروسيا"), 1);
        // The article is not a one-letter proclitic: `الفورد` starts at ال.
        assert_eq!(begin(&gaz, "والفورد"), 1);
    }

    /// `article_begin` of the first word token of `text`, after `entity_begin`.
    fn article(gaz: &Gazetteer, text: &str) -> String {
        let tokens = khabar_text::TextAnalyzer::shared().tokenize(text);
        let t = tokens.iter().find(|t| t.kind == TokenKind::Word).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let surface: String = chars[t.start..t.end].iter().collect();
        let b = article_begin(gaz, t, &surface, entity_begin(gaz, t, &surface));
        chars[b..t.end].iter().collect()
    }

    #[test]
    fn a_name_begins_after_a_preposition_left_on_its_article() {
        let mut gaz = Gazetteer::default();
        for name in ["العراق", "الكويت", "باليرمو", "الرمو"] {
            gaz.add(name, GAZ_LOC);
        }
        gaz.add("الله", GAZ_PER);
        gaz.add("بالله", GAZ_PER);
        // The text core keeps `للعراق` whole (`عراق` alone is rare); the entity starts after
        // لل, as the text core splits `للأمم` (لل + `أمم`).
        let tokens = khabar_text::TextAnalyzer::shared().tokenize("للعراق");
        assert_eq!(stem_start(&tokens[0]), 0, "للعراق is one segment");
        assert_eq!(article(&gaz, "للعراق"), "عراق");
        assert_eq!(article(&gaz, "وللكويت"), "كويت");
        // Harakat between the letters do not shift the offset.
        assert_eq!(article(&gaz, "لِلْعِرَاقِ"), "عِرَاقِ");
        // ب + the article: the span starts at ال.
        assert_eq!(article(&gaz, "بالله"), "الله");
        // `لله` is ل + الله, not ل + `له` "to him": the span keeps the word.
        assert_eq!(article(&gaz, "ولله"), "لله");
        // A name that is itself in the gazetteers stays whole (Palermo, not "in Armo").
        assert_eq!(article(&gaz, "باليرمو"), "باليرمو");
        // Without the name in the gazetteers, the text core's reading stays.
        assert_eq!(article(&Gazetteer::default(), "للعراق"), "للعراق");
    }

    #[test]
    fn a_conjunction_before_a_well_known_place_after_an_entity_is_left_out() {
        let mut gaz = Gazetteer::default();
        gaz.add("جدة", GAZ_LOC);
        gaz.add("وجدة", GAZ_LOC);
        gaz.add_bit(&text::normalize("جدة"), crate::features::lexicon::GAZ_MAJOR);
        gaz.add("وهران", GAZ_LOC);
        let conj = |word: &str| {
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(word);
            let t = &tokens[0];
            let b = conjunction_begin(&gaz, t, word, t.start);
            word.chars().skip(b).collect::<String>()
        };
        // The text core keeps `وجدة` whole (Oujda is a name); Jeddah is well known.
        assert_eq!(conj("وجدة"), "جدة");
        assert_eq!(conj("وجــدّة"), "جــدّة");
        // `وهران` (Oran) is و + no well-known place.
        assert_eq!(conj("وهران"), "وهران");
    }

    proptest::proptest! {
        /// Whatever the harakat between its letters, a word with a preposition on a
        /// gazetteer name begins inside the word, on a letter, never on a mark.
        #[test]
        fn the_begin_stays_on_a_letter_of_the_word(
            prefix in 0usize..5,
            letters in "[بتثجحخدرزسشصضطظعغفقكمنهوي]{3,8}",
            marks in proptest::collection::vec(0usize..4, 12),
        ) {
            let prefix = ["لل", "بال", "وال", "ولل", "كال"][prefix];
            let name: String = format!("{prefix}{letters}");
            let mut gaz = Gazetteer::default();
            gaz.add(&format!("ال{letters}"), GAZ_LOC);
            let mark = ['\u{0650}', '\u{0652}', '\u{0640}'];
            let mut word = String::new();
            for (c, &m) in name.chars().zip(&marks) {
                word.push(c);
                if m < mark.len() {
                    word.push(mark[m]);
                }
            }
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(&word);
            let chars: Vec<char> = word.chars().collect();
            let t = &tokens[0];
            let b = article_begin(&gaz, t, &word, entity_begin(&gaz, t, &word));
            proptest::prop_assert!(t.start <= b && b < t.end, "{word}: {b}");
            proptest::prop_assert!(!mark.contains(&chars[b]), "{word}: {b}");
        }
    }
}
