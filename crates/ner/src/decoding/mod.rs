//! Decoding: from the model's decoded tag indices to BIO tags ([`NerModel::tag_document`]:
//! every tagging path, CoNLL included, ends with the first-name step of [`first_names`]),
//! and from tags to entity spans on running text ([`spans`]).

pub mod first_names;
pub mod spans;

use crate::model::NerModel;
use crate::tags::Tag;

/// Bit of [`NerModel`]'s switched-off adjustments for the first-name step (the first
/// entry of `crate::ADJUSTMENTS`).
pub(crate) const FIRST_NAMES: u32 = 1;

impl NerModel {
    /// Tags the sentences of one document. With a second-pass model, each sentence is
    /// tagged again knowing how its words were tagged elsewhere in the document
    /// (`window = Some(w)`: only the w sentences before and after count; `None`: all).
    /// First names the training data never shows join the person after them
    /// ([`first_names`]).
    pub fn tag_document(&self, sents: &[&[&str]], window: Option<usize>) -> Vec<Vec<Tag>> {
        self.tag_document_with(sents, window, true)
    }

    /// [`NerModel::tag_document`], with or without the neural stage.
    pub fn tag_document_with(
        &self,
        sents: &[&[&str]],
        window: Option<usize>,
        neural: bool,
    ) -> Vec<Vec<Tag>> {
        let idx = self.tag_document_indices(sents, window, neural);
        idx.into_iter()
            .zip(sents)
            .map(|(v, toks)| {
                let mut tags: Vec<Tag> =
                    v.into_iter().map(|i| Tag::from_index(i as usize)).collect();
                if self.skipped & FIRST_NAMES == 0 {
                    first_names::extend_first_names(&self.res, toks, &mut tags);
                }
                tags
            })
            .collect()
    }

    /// Tags one sentence (or any token sequence, treated as one document): one BIO tag
    /// per token, always valid BIO.
    pub fn tag(&self, tokens: &[&str]) -> Vec<Tag> {
        self.tag_document(&[tokens], None).pop().unwrap_or_default()
    }
}
