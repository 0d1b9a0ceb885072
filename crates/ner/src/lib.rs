//! Arabic named-entity recognition for khabar: PER, LOC, ORG and MISC.
//!
//! An averaged structured perceptron over hashed features (word, normalized and
//! clitic-stripped forms, affixes, shape, a ±2 window, gazetteer matches, word clusters,
//! news word statistics and label propagation through embeddings learned by khabar from
//! unlabeled news), decoded with BIO-constrained Viterbi, in two passes: the second pass
//! knows how each word was tagged elsewhere in the document. A neural stage ([`model::neural`]: a
//! BiLSTM-CRF over the second pass's features and scores, a character CNN and word vectors)
//! gives the final scores. On running text, organization phrases the training data leaves
//! untagged are added ([`org_phrases`], one of the adjustments of [`running_text`]). The trained model ships inside the crate
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
//!
//! # Layout
//!
//! The folders are the recognizer's parts, in the order data flows through them:
//! [`features`] (what the model reads of a sentence) → [`model`] (linear passes, neural
//! stage, model file) → [`decoding`] (tags, then entity spans) → [`running_text`] (the
//! adjustments on running text) → this file (the public API: [`NerModel::shipped`],
//! [`NerModel::entities`], re-exports). [`train`] holds everything only training runs; it
//! reads the layers below `running_text` and nothing imports it. [`tags`], [`data`] (CoNLL
//! and WikiFANE readers) and [`eval`] sit under all of them.
//!
//! Imports run one way: each module below imports only modules on the lines above it
//! (`self`: the folder's `mod.rs`; doc links count as imports):
//!
//! ```text
//! tags, features::{text, hash, cache}  —
//! data, eval                     tags
//! features::lexicon              features::{hash, text}, tags
//! features::clusters             features::{hash, text}
//! features (extraction)          features::{cache, clusters, hash, lexicon, text}, tags
//! features::doc                  features, tags
//! features::news                 features::{self, lexicon}
//! model::viterbi                 tags
//! model::weights                 features, model::viterbi, tags
//! model::neural                  features::{self, cache, hash, text}, model::viterbi, tags
//! model::neural::infer           features::{self, cache, hash, text}, model::neural, tags
//! model::merged                  features::{cache, hash}, model::{neural, weights}, tags
//! model (NerModel, passes)       features::{self, doc, news}, model::{merged, neural, viterbi,
//!                                weights}, tags
//! model::file                    features::{self, cache, clusters, hash, lexicon},
//!                                model::{self, neural, viterbi, weights}, tags
//! decoding::first_names          features::{self, lexicon, news, text}, tags
//! decoding (NerModel::tag...)    decoding::first_names, model, tags
//! decoding::spans                eval, features::{lexicon, text}, model, tags
//! running_text (helpers)         decoding::spans
//! running_text::spelling         decoding::spans, tags
//! running_text::org_phrases      running_text, decoding::spans, features::{lexicon, text}, tags
//! running_text::{heads, places}  running_text::{self, org_phrases}, decoding::spans,
//!                                features::{lexicon, text}, tags
//! running_text::surnames         running_text::{self, org_phrases}, decoding::spans,
//!                                features::{self, lexicon, news, text}, tags
//! running_text::definite_orgs    running_text::{heads, org_phrases}, decoding::spans,
//!                                features::{lexicon, text}, tags
//! running_text::coordination     running_text::{self, heads, org_phrases, surnames},
//!                                decoding::spans, features::{self, lexicon, text}, tags
//! lib (public API)               running_text::{coordination, definite_orgs, heads,
//!                                org_phrases, places, spelling, surnames}, decoding::spans,
//!                                model::{self, file, neural, weights}, tags
//! train::linear                  data, eval, features, model::{viterbi, weights}, tags
//! train::neural                  features::{cache, hash}, model::{neural, viterbi}, tags
//! train::news                    features::{self, lexicon, news, text}, model::{viterbi,
//!                                weights}, tags
//! train::clusters                train::news, data, features::{clusters, hash, lexicon,
//!                                text}, model::neural, tags
//! train::marks                   data, features::{lexicon, text}, tags
//! train (train_model)            train::{linear, neural, news}, data, eval,
//!                                features::{self, doc, news}, model::{self, neural, viterbi,
//!                                weights}, tags
//! ```
//!
//! Besides imports, methods of one type are spread over layers as the layers need them:
//! `NerModel`'s passes and file format are in `model`, its tagging to `Tag`s in `decoding`
//! (called by `decoding::spans` and by `train`'s evaluation), its running-text API here.
//! Test code only: the tests of `features` and `model` load the shipped model
//! ([`NerModel::shipped`]) as a fixture, and `model`'s tests compare
//! [`NerModel::tag_document`] outputs.

#![warn(missing_docs)]

pub mod data;
pub mod decoding;
pub mod eval;
pub mod features;
pub mod model;
pub mod running_text;
pub mod tags;
pub mod train;

pub use decoding::spans::EntitySpan;
pub use model::file::{NerError, FORMAT_VERSION, MAGIC};
pub use model::weights::Weights;
pub use model::NerModel;
pub use tags::{Label, Tag};

use decoding::spans;
use khabar_text::Token;
use running_text::{coordination, definite_orgs, heads, org_phrases, places, spelling, surnames};
use std::path::Path;
use std::sync::OnceLock;

/// The model file compiled into the crate.
pub static SHIPPED_MODEL: &[u8] = include_bytes!("../model/ner.bin");

/// Name used for the embedded model in errors.
pub const SHIPPED_NAME: &str = "<embedded crates/ner/model/ner.bin>";

/// The adjustments made to the model's tags and spans on running text, in the order they
/// run: the first-name step (every tagging path), where a span begins after a merged
/// article and after a conjunction, then the running-text steps of [`running_text`].
/// [`NerModel::switch_off_adjustments`] turns them off by name for measurements.
pub const ADJUSTMENTS: [&str; 14] = [
    "first_names",
    "article_begin",
    "conjunction_begin",
    "join_split_names",
    "widen_to_gazetteer_names",
    "retype_places_named_after_persons",
    "add_ali",
    "join_heads",
    "add_org_phrases",
    "add_definite_orgs",
    "unify_org_names",
    "add_major_places",
    "unify_surnames",
    "split_coordinated",
];

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
    /// and the bare surname of a person the article names in full is a person
    /// ([`surnames::unify_surnames`]: `كيري` after `جون كيري`); an
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
        let owned = |s, e| slice(s, e).to_string();
        let mut out = spans::entity_spans(self, tokens, &surfaces, &owned, neural);
        let (gaz, res) = (&self.res.gaz, &self.res);
        type Step<'s> = &'s dyn Fn(&mut Vec<EntitySpan>);
        // In the order of `ADJUSTMENTS` after its first three entries.
        let steps: [Step; 11] = [
            &|o| places::join_split_names(gaz, &owned, o),
            &|o| places::widen_to_gazetteer_names(gaz, &owned, tokens, o),
            &|o| places::retype_places_named_after_persons(gaz, tokens, o),
            &|o| spelling::add_ali(&owned, tokens, &surfaces, o),
            &|o| heads::join_heads(&owned, tokens, o),
            &|o| org_phrases::add_org_phrases(&owned, tokens, o),
            &|o| definite_orgs::add_definite_orgs(gaz, &owned, tokens, o),
            &|o| org_phrases::unify_org_names(gaz, &owned, tokens, o),
            &|o| places::add_major_places(gaz, &owned, tokens, &surfaces, o),
            &|o| surnames::unify_surnames(res, &owned, tokens, o),
            &|o| coordination::split_coordinated(res, &owned, tokens, o),
        ];
        for (i, step) in steps.iter().enumerate() {
            if self.skipped & (1 << (i + 3)) == 0 {
                step(&mut out);
            }
        }
        out
    }

    /// Switches the named running-text adjustments off (names from [`ADJUSTMENTS`];
    /// `none` switches none), to measure what each is worth: `khabar eval entities
    /// --without NAME`. An unknown name is an error that lists the known ones.
    pub fn switch_off_adjustments(&mut self, names: &[&str]) -> Result<(), String> {
        for name in names.iter().filter(|n| **n != "none") {
            let i = ADJUSTMENTS.iter().position(|a| a == name).ok_or_else(|| {
                format!(
                    "unknown adjustment {name:?} (known: {})",
                    ADJUSTMENTS.join(", ")
                )
            })?;
            self.skipped |= 1 << i;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The conjunction before a well-known place is left out of an entity right after
    /// another one only (`decoding::spans`, `conjunction_begin`).
    #[test]
    fn a_conjunction_before_a_well_known_place_is_left_out_only_after_an_entity() {
        // Only after another entity: after `مدينة` the word is Oujda.
        let m = NerModel::shipped();
        let texts = |text: &str| -> Vec<String> {
            m.entities_in(text).into_iter().map(|e| e.text).collect()
        };
        assert!(texts("تتنوع الرحلات بين الرياض وجدة.").contains(&"جدة".to_string()));
        assert!(!texts("وصل إلى مدينة وجدة المغربية.").contains(&"جدة".to_string()));
    }

    #[test]
    fn adjustments_switch_off_by_name() {
        let mut m = NerModel::shipped().clone();
        let err = m.switch_off_adjustments(&["no_such_step"]).unwrap_err();
        assert!(err.contains("split_coordinated"), "{err}");
        m.switch_off_adjustments(&["none"]).unwrap();
        // The model leaves the institution phrase untagged; the adjustment adds it.
        let text = "أعلنت وزارة الصحة عن حملة جديدة للتطعيم.";
        let on: Vec<String> = m.entities_in(text).into_iter().map(|e| e.text).collect();
        m.switch_off_adjustments(&["add_org_phrases"]).unwrap();
        let off: Vec<String> = m.entities_in(text).into_iter().map(|e| e.text).collect();
        assert!(on.contains(&"وزارة الصحة".to_string()), "{on:?}");
        assert_ne!(on, off);
        // Every listed name is known.
        assert!(m.switch_off_adjustments(&ADJUSTMENTS).is_ok());
    }
}
