//! Arabic named-entity recognition for khabar: PER, LOC, ORG and MISC.
//!
//! An averaged structured perceptron over hashed features (word, normalized and
//! clitic-stripped forms, affixes, shape, a ±2 window, gazetteer matches, word clusters,
//! news word statistics and label propagation through embeddings learned by khabar from
//! unlabeled news), decoded with BIO-constrained Viterbi, in two passes: the second pass
//! knows how each word was tagged elsewhere in the document. A neural stage ([`model::neural`]: a
//! BiLSTM-CRF over the second pass's features and scores, a character CNN and word vectors)
//! gives the final scores. On running text, organization phrases the training data leaves
//! untagged are added ([`org_phrases`]). The trained model ships inside the crate
//! ([`NerModel::shipped`]); see `model/MODEL_CARD.md`.
//!
//! ```
//! use khabar_ner::{Label, NerModel};
//! let model = NerModel::shipped();
//! let tags = model.tag(&["زار", "الرئيس", "القاهرة", "أمس"]);
//! assert_eq!(tags.len(), 4);
//! for e in model.entities_in("وصل الوفد إلى القاهرة.") {
//!     println!("{} {} [{}, {})", e.label, e.text, e.start, e.end);
//! }
//! # let _ = Label::Per;
//! ```

#![warn(missing_docs)]

pub mod coordination;
pub mod data;
pub mod definite_orgs;
pub mod eval;
pub mod features;
pub mod first_names;
mod heads;
pub mod model;
pub mod org_phrases;
pub mod places;
pub mod spelling;
pub mod surnames;
pub mod tags;
pub mod train;

pub use model::file::{NerError, FORMAT_VERSION, MAGIC};
pub use model::weights::Weights;
pub use model::NerModel;
pub use tags::{Label, Tag};

use features::{lexicon, text};
use khabar_text::{SegmentKind, Token, TokenKind};
use std::path::Path;
use std::sync::OnceLock;

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

/// The model file compiled into the crate.
pub static SHIPPED_MODEL: &[u8] = include_bytes!("../model/ner.bin");

/// Name used for the embedded model in errors.
pub const SHIPPED_NAME: &str = "<embedded crates/ner/model/ner.bin>";

impl NerModel {
    /// The model shipped with khabar, loaded once on first use.
    ///
    /// # Panics
    /// Only if the embedded model is broken, which the crate's tests rule out.
    pub fn shipped() -> &'static NerModel {
        static M: OnceLock<NerModel> = OnceLock::new();
        M.get_or_init(|| match NerModel::try_shipped() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        })
    }

    /// Entities in running text. `tokens` come from `khabar_text` tokenization of `text`
    /// (char offsets); the text is tagged sentence by sentence with the whole text as the
    /// document. Spans exclude attached conjunction/preposition proclitics but keep the
    /// article: `لقوات سوريا الديمقراطية` → `قوات سوريا الديمقراطية`, `والعراق` → `العراق`;
    /// a gazetteer name the text core reads as a one-letter proclitic + word keeps its
    /// letter (`فورد`, not `ورد`). Organization phrases the training data leaves untagged (`وزارة الداخلية`) are added
    /// by [`org_phrases::add_org_phrases`], well-known places it leaves untagged (`الموصل`)
    /// by [`places::add_major_places`]; the first name `علي`, which the training data
    /// spells like the preposition `على`, joins the name after it ([`spelling::add_ali`]),
    /// a title pulled into a name is dropped ([`surnames::trim_leading_words`]:
    /// `الجنرال ناركيس` → `ناركيس`), and the bare surname of a person the article names
    /// in full is a person ([`surnames::unify_surnames`]: `كيري` after `جون كيري`); an
    /// entity run over `و` is split into its names ([`coordination::split_coordinated`]:
    /// `الأهلي والزمالك` → `الأهلي`, `الزمالك`).
    pub fn entities(&self, text: &str, tokens: &[Token]) -> Vec<EntitySpan> {
        self.entities_with(text, tokens, true)
    }

    /// [`NerModel::entities`] without the neural stage: the two linear passes only (the
    /// baseline `khabar bench ner` times beside the full model).
    pub fn entities_linear_only(&self, text: &str, tokens: &[Token]) -> Vec<EntitySpan> {
        self.entities_with(text, tokens, false)
    }

    fn entities_with(&self, text: &str, tokens: &[Token], neural: bool) -> Vec<EntitySpan> {
        // Char offset → byte offset.
        let mut byte_of: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of.push(text.len());
        let nchars = byte_of.len() - 1;
        let slice = |s: usize, e: usize| -> &str {
            let (s, e) = (s.min(nchars), e.min(nchars));
            if s >= e {
                ""
            } else {
                &text[byte_of[s]..byte_of[e]]
            }
        };
        let surfaces: Vec<&str> = tokens.iter().map(|t| slice(t.start, t.end)).collect();
        let mut bounds = Vec::new();
        let mut start = 0;
        for (i, (t, s)) in tokens.iter().zip(&surfaces).enumerate() {
            if ends_sentence(t.kind, s) || i + 1 - start >= MAX_SENTENCE_TOKENS {
                bounds.push((start, i + 1));
                start = i + 1;
            }
        }
        if start < tokens.len() {
            bounds.push((start, tokens.len()));
        }
        let sents: Vec<&[&str]> = bounds.iter().map(|&(a, b)| &surfaces[a..b]).collect();
        let tags = self.tag_document_with(&sents, None, neural);
        let owned = |s, e| slice(s, e).to_string();
        let mut out = Vec::new();
        for (&(a, _), st) in bounds.iter().zip(&tags) {
            for (cs, ce, label) in eval::chunks(st) {
                let first = &tokens[a + cs];
                let last = &tokens[a + ce - 1];
                let surface = surfaces[a + cs];
                let begin = entity_begin(&self.res.gaz, first, surface);
                let begin = article_begin(&self.res.gaz, first, surface, begin);
                let after_entity = out
                    .last()
                    .is_some_and(|p: &EntitySpan| one_space_apart(&owned, p.end, first.start));
                let begin = if after_entity {
                    conjunction_begin(&self.res.gaz, first, surface, begin)
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
                    text: slice(begin, end).to_string(),
                });
            }
        }
        places::join_split_names(&self.res.gaz, &owned, &mut out);
        places::widen_to_gazetteer_names(&self.res.gaz, &owned, tokens, &mut out);
        places::retype_places_named_after_persons(&self.res.gaz, tokens, &mut out);
        spelling::add_ali(&owned, tokens, &surfaces, &mut out);
        heads::join_heads(&owned, tokens, &mut out);
        heads::place_adjectives(&self.res.gaz, &owned, tokens, &mut out);
        heads::sidi(&owned, tokens, &mut out);
        org_phrases::add_org_phrases(&owned, tokens, &mut out);
        definite_orgs::add_definite_orgs(&self.res.gaz, &owned, tokens, &mut out);
        org_phrases::unify_org_names(&self.res.gaz, &owned, tokens, &mut out);
        org_phrases::news_org_names(&self.res.gaz, tokens, &mut out);
        places::add_major_places(&self.res.gaz, &owned, tokens, &surfaces, &mut out);
        surnames::trim_leading_words(&self.res, &owned, tokens, &mut out);
        surnames::unify_surnames(&self.res, &owned, tokens, &mut out);
        coordination::split_coordinated(&self.res, &owned, tokens, &mut out);
        out
    }

    /// Tokenizes `text` with the shared `khabar_text` analyzer and returns its entities.
    pub fn entities_in(&self, text: &str) -> Vec<EntitySpan> {
        let tokens = khabar_text::TextAnalyzer::shared().tokenize(text);
        self.entities(text, &tokens)
    }

    /// Parses the embedded model without caching it; errors instead of panicking.
    pub fn try_shipped() -> Result<NerModel, NerError> {
        NerModel::from_bytes(SHIPPED_MODEL, Path::new(SHIPPED_NAME))
    }
}

/// The first entity of `ents` (sorted by start) that overlaps `start..end`; the scan stops
/// at the first entity that starts after it. With [`skip_ended`], the running-text rules
/// look at a few entities per token instead of all of them (quadratic on long,
/// entity-dense texts).
pub(crate) fn entity_overlapping(
    ents: &[EntitySpan],
    start: usize,
    end: usize,
) -> Option<&EntitySpan> {
    ents.iter()
        .take_while(|e| e.start < end)
        .find(|e| start < e.end)
}

/// The word tokens of entity `e` (tokens are in text order; the entity's first token may
/// begin before it, with the proclitics the span leaves out).
pub(crate) fn entity_words<'a>(
    tokens: &'a [Token],
    e: &EntitySpan,
) -> impl Iterator<Item = &'a Token> {
    let from = tokens.partition_point(|t| t.end <= e.start);
    let end = e.end;
    tokens[from..]
        .iter()
        .take_while(move |t| t.start < end)
        .filter(|t| t.kind == TokenKind::Word)
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

/// The spans of `ents` (sorted by start, disjoint), for [`in_spans`].
pub(crate) fn spans_of(ents: &[EntitySpan]) -> Vec<(usize, usize)> {
    ents.iter().map(|e| (e.start, e.end)).collect()
}

/// Does token `t` overlap one of `spans` (sorted by start, disjoint)? A binary search, so a
/// rule that asks it per entity stays linear-logarithmic in a document's entities.
pub(crate) fn in_spans(spans: &[(usize, usize)], t: &Token) -> bool {
    let i = spans.partition_point(|&(_, e)| e <= t.start);
    spans.get(i).is_some_and(|&(s, _)| s < t.end)
}

/// Advances `first` past the entities of `ents` (sorted by start) that end at or before
/// `pos`; called with non-decreasing `pos`, everything before `first` ends before `pos`.
pub(crate) fn skip_ended(ents: &[EntitySpan], first: &mut usize, pos: usize) {
    while *first < ents.len() && ents[*first].end <= pos {
        *first += 1;
    }
}

/// Test harness of the running-text rules: tokenizes `text`, places the `given` entities
/// (first occurrence of each text), applies `rule` and lists the resulting entities.
#[cfg(test)]
pub(crate) fn run_rule(
    text: &str,
    given: &[(&str, Label)],
    rule: impl FnOnce(&dyn Fn(usize, usize) -> String, &[Token], &mut Vec<EntitySpan>),
) -> Vec<(String, Label)> {
    let tokens = khabar_text::TextAnalyzer::shared().tokenize(text);
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    let mut ents: Vec<EntitySpan> = given
        .iter()
        .map(|(t, l)| {
            let b = text.find(t).unwrap();
            let start = text[..b].chars().count();
            EntitySpan {
                label: *l,
                start,
                end: start + t.chars().count(),
                text: t.to_string(),
            }
        })
        .collect();
    rule(&slice, &tokens, &mut ents);
    ents.into_iter().map(|e| (e.text, e.label)).collect()
}

/// Entities for the running-text rules' property tests: one per `(label, length)` of
/// `marks`, over that many tokens, one token left between runs, in text order; each
/// begins at `start_of` its first token (runs that would be empty are skipped).
#[cfg(test)]
pub(crate) fn entities_on_runs(
    tokens: &[Token],
    marks: &[(usize, usize)],
    slice: &dyn Fn(usize, usize) -> String,
    start_of: impl Fn(&Token) -> usize,
) -> Vec<EntitySpan> {
    let mut ents = Vec::new();
    let mut at = 0;
    for &(label, len) in marks {
        let end = (at + len).min(tokens.len());
        if at >= end {
            break;
        }
        let start = start_of(&tokens[at]);
        let stop = tokens[end - 1].end;
        if start < stop {
            ents.push(EntitySpan {
                label: Label::ALL[label],
                start,
                end: stop,
                text: slice(start, stop),
            });
        }
        at = end + 1;
    }
    ents
}

/// [`run_rule`] for rules that also read each token's text (`surfaces`).
#[cfg(test)]
pub(crate) fn run_rule_with_surfaces(
    text: &str,
    given: &[(&str, Label)],
    rule: impl FnOnce(&dyn Fn(usize, usize) -> String, &[Token], &[&str], &mut Vec<EntitySpan>),
) -> Vec<(String, Label)> {
    run_rule(text, given, |slice, tokens, ents| {
        let surfaces: Vec<String> = tokens.iter().map(|t| slice(t.start, t.end)).collect();
        let surfaces: Vec<&str> = surfaces.iter().map(String::as_str).collect();
        rule(slice, tokens, &surfaces, ents)
    })
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
        // Only after another entity: after `مدينة` the word is Oujda.
        let m = NerModel::shipped();
        let texts = |text: &str| -> Vec<String> {
            m.entities_in(text).into_iter().map(|e| e.text).collect()
        };
        assert!(texts("تتنوع الرحلات بين الرياض وجدة.").contains(&"جدة".to_string()));
        assert!(!texts("وصل إلى مدينة وجدة المغربية.").contains(&"جدة".to_string()));
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
