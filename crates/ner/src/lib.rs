//! Arabic named-entity recognition for khabar: PER, LOC, ORG and MISC.
//!
//! An averaged structured perceptron over hashed lexical features (word, normalized and
//! clitic-stripped forms, affixes, shape, a ±2 window), gazetteer matches and word
//! clusters learned by khabar from unlabeled news, decoded with BIO-constrained Viterbi.
//! The trained model ships inside the crate ([`NerModel::shipped`]).

pub mod clusters;
pub mod data;
pub mod decode;
pub mod doc;
pub mod eval;
pub mod features;
mod hash;
pub mod lexicon;
mod model;
pub mod tags;
pub mod text;
pub mod train;

pub use model::{NerError, NerModel, Weights, FORMAT_VERSION, MAGIC};
pub use tags::{Label, Tag};

use std::path::Path;
use std::sync::OnceLock;

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

    /// Parses the embedded model without caching it; errors instead of panicking.
    pub fn try_shipped() -> Result<NerModel, NerError> {
        NerModel::from_bytes(SHIPPED_MODEL, Path::new(SHIPPED_NAME))
    }
}
