//! Corpus-level context for the second pass: how the first pass tags each word form
//! across unlabeled news. Names that are rare or absent in the labelled data are often
//! frequent in news, where some of their mentions come with clear cues (`نادي الأهلي`,
//! `حزب الليكود`); the share of entity tags a form gets there is a feature of every mention.

use crate::features::lexicon::WordStats;
use crate::features::{doc_form_key, Extra, Resources};

/// Key of a document form key in the news table.
#[inline]
pub fn news_key(form: u64) -> u32 {
    ((form >> 32) ^ form) as u32
}

/// The news tag code (see `train::news::news_table`) of a word's document-level form, if the table
/// has one.
pub fn news_code(res: &Resources, word: &str) -> Option<u16> {
    doc_form_key(word).and_then(|k| res.news.codes.get(&news_key(k)).copied())
}

/// Sets the news codes of every token (and its neighbours) in `extras`.
pub fn fill_news(extras: &mut [Vec<Extra>], forms: &[Vec<Option<u64>>], table: &WordStats) {
    if table.codes.is_empty() {
        return;
    }
    for (ex, fs) in extras.iter_mut().zip(forms) {
        let own: Vec<Option<u16>> = fs
            .iter()
            .map(|f| f.and_then(|f| table.codes.get(&news_key(f)).copied()))
            .collect();
        let n = own.len().min(ex.len());
        for i in 0..n {
            ex[i].news = [
                own[i],
                if i > 0 { own[i - 1] } else { None },
                own.get(i + 1).copied().flatten(),
            ];
        }
    }
}
