//! Corpus-level context for the second pass: how the first pass tags each word form
//! across unlabeled news. Names that are rare or absent in the labelled data are often
//! frequent in news, where some of their mentions come with clear cues (`نادي الأهلي`,
//! `حزب الليكود`); the share of entity tags a form gets there is a feature of every mention.

use crate::clusters::NewsText;
use crate::decode::viterbi;
use crate::features::{doc_form_key, sentence_features_rows, Extra, Resources};
use crate::lexicon::WordStats;
use crate::model::{emissions, Weights};
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;

/// Key of a document form key in the news table.
#[inline]
pub fn news_key(form: u64) -> u32 {
    ((form >> 32) ^ form) as u32
}

/// The news tag code (see [`news_table`]) of a word's document-level form, if the table
/// has one.
pub fn news_code(res: &Resources, word: &str) -> Option<u16> {
    doc_form_key(word).and_then(|k| res.news.codes.get(&news_key(k)).copied())
}

/// Forms seen fewer times than this in the news get no code.
const MIN_COUNT: u32 = 3;

/// Tags the news with first-pass weights `w` (sentence by sentence) and codes, per word
/// form (`doc_form_key`), the tags it got: bits 0-2 entity share in eighths, 3-4 most
/// frequent entity type (PER, LOC, ORG, MISC), 5-6 that type's share of the entity tags in
/// quarters, 7-8 share of `B-` among that type's tags in quarters, 9-11 log2 of the count.
pub fn news_table(res: &Resources, w: &Weights, text: &NewsText) -> WordStats {
    let mut codes = FxHashMap::default();
    let forms: Vec<Option<u32>> = text
        .vocab
        .iter()
        .map(|t| doc_form_key(t).map(news_key))
        .collect();
    let mut counts: FxHashMap<u32, [u32; NUM_TAGS]> = FxHashMap::default();

    let (mut keys, mut offsets, mut rows, mut em, mut out) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut toks: Vec<&str> = Vec::new();
    for s in &text.sents {
        toks.clear();
        toks.extend(s.iter().map(|&i| text.vocab[i as usize].as_str()));
        sentence_features_rows(res, &toks, &mut keys, &mut offsets, &mut rows);
        emissions(w, &keys, &offsets, &rows, &mut em);
        viterbi(&em, &w.trans, &mut out);
        for (&id, &t) in s.iter().zip(&out) {
            if let Some(k) = forms[id as usize] {
                counts.entry(k).or_insert([0; NUM_TAGS])[t as usize] += 1;
            }
        }
    }
    for (k, c) in counts {
        let total: u32 = c.iter().sum();
        if total < MIN_COUNT {
            continue;
        }
        codes.insert(k, code(&c, total));
    }
    WordStats { codes }
}

fn code(c: &[u32; NUM_TAGS], total: u32) -> u16 {
    let ent: u32 = c[1..].iter().sum();
    let share = ((8 * ent) / total).min(7) as u16;
    let typed: [u32; 4] = std::array::from_fn(|t| c[1 + 2 * t] + c[2 + 2 * t]);
    let (ty, &tn) = typed
        .iter()
        .enumerate()
        .max_by_key(|&(t, &n)| (n, 4 - t))
        .expect("four types");
    let tys = (4 * tn).checked_div(ent).unwrap_or(0).min(3) as u16;
    let b = (4 * c[1 + 2 * ty]).checked_div(tn).unwrap_or(0).min(3) as u16;
    let cnt = (31 - total.leading_zeros()).min(7) as u16;
    share | (ty as u16) << 3 | tys << 5 | b << 7 | cnt << 9
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        // 10 mentions: 6 B-ORG, 2 I-ORG, 2 O.
        let mut c = [0u32; NUM_TAGS];
        c[0] = 2;
        c[5] = 6;
        c[6] = 2;
        let k = code(&c, 10);
        assert_eq!(k & 7, 6); // 8 * 8 / 10
        assert_eq!((k >> 3) & 3, 2); // ORG
        assert_eq!((k >> 5) & 3, 3);
        assert_eq!((k >> 7) & 3, 3); // 4 * 6 / 8
        assert_eq!((k >> 9) & 7, 3);
    }
}
