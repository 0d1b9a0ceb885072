//! Building the native-name lexicon from data (`khabar names build-lexicon`).
//!
//! A folded token is native when the data show it used as an Arabic name:
//! 1. arabnamer (English → Arabic): it follows `بن`/`ابن`/`عبد`/`ابو`/`آل` in an Arabic entry,
//!    or it is an `ال…` entry romanized with an article (al-/el-/ul-/il-): the base is native;
//! 2. ANERGazet persons: a family name with the article (`الغامدي`): the base is native;
//! 3. the news: a token of either list that follows `بن`/`ابن` at least [`MIN_NASAB`] times
//!    (a father's name in a nasab), or that takes the article at least [`MIN_ARTICLE`] times
//!    (Arabic adjectives and nisbas used as names: الكريم، السعيد).
//!
//! Everything else is treated as foreign (transliteration variants tolerated).

use crate::fold;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Minimum count of `بن X` in the news for X to be native.
pub const MIN_NASAB: u32 = 3;
/// Minimum count of `الX` in the news for a listed name X to be native.
pub const MIN_ARTICLE: u32 = 5;

/// Counts gathered from news text.
#[derive(Default, Debug)]
pub struct NewsCounts {
    /// `X` → times `بن X` / `ابن X` occurs.
    pub nasab: HashMap<String, u32>,
    /// `X` → times `الX` occurs as a word.
    pub article: HashMap<String, u32>,
}

impl NewsCounts {
    /// Count one text (title or body).
    pub fn add_text(&mut self, text: &str) {
        let folded = fold_words(text);
        let mut prev_nasab = false;
        for w in folded.split(' ') {
            if w.is_empty() {
                continue;
            }
            if prev_nasab {
                *self.nasab.entry(w.to_string()).or_insert(0) += 1;
            }
            prev_nasab = w == "بن" || w == "ابن";
            if let Some(rest) = w.strip_prefix("ال") {
                if rest.chars().count() >= 3 {
                    *self.article.entry(rest.to_string()).or_insert(0) += 1;
                }
            }
        }
    }
}

/// Folds running text word by word (no compound joining: the counts need the words).
fn fold_words(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let f = fold(w);
            // a word folded into several tokens (punctuation) keeps only letters
            if f.contains(' ') {
                f.replace(' ', "")
            } else {
                f
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const PREFIXES: [&str; 5] = ["بن", "ابن", "عبد", "ابو", "ال"];

fn add_with_base(native: &mut BTreeSet<String>, tok: &str) {
    if let Some(rest) = tok.strip_prefix("ال") {
        if rest.chars().count() >= 3 {
            native.insert(rest.to_string());
            native.insert(tok.to_string());
        }
    }
}

/// The lexicon: sorted folded native tokens.
pub fn build(arabnamer_tsv: &str, gazetteer_pers: &str, news: &NewsCounts) -> Vec<String> {
    let mut native: BTreeSet<String> = BTreeSet::new();
    let mut listed: HashSet<String> = HashSet::new();
    for line in arabnamer_tsv.lines() {
        let Some((en, ar)) = line.split_once('\t') else {
            continue;
        };
        let en = en.trim().to_lowercase();
        // raw tokens: fold each word alone so that بن X / عبد X stay visible
        let words: Vec<String> = ar.split_whitespace().map(fold).collect();
        for w in &words {
            if !w.is_empty() && !w.contains(' ') {
                listed.insert(w.clone());
            }
        }
        match words.as_slice() {
            [p, x] if PREFIXES.contains(&p.as_str()) && !x.contains(' ') => {
                native.insert(x.clone());
            }
            [w] if ["al", "el", "ul", "il"].iter().any(|p| en.starts_with(p)) => {
                add_with_base(&mut native, w);
            }
            _ => {}
        }
    }
    for line in gazetteer_pers.lines() {
        let w = fold(line.trim());
        if w.is_empty() || w.contains(' ') {
            continue;
        }
        listed.insert(w.clone());
        add_with_base(&mut native, &w);
    }
    for w in &listed {
        let base = w.strip_prefix("ال").unwrap_or(w);
        if news.nasab.get(w).copied().unwrap_or(0) >= MIN_NASAB
            || news.article.get(base).copied().unwrap_or(0) >= MIN_ARTICLE
        {
            native.insert(w.clone());
        }
    }
    native
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && w.chars().all(|c| c != ' '))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_from_all_three_sources() {
        let names = "bin karim\tبن كريم\nal-zahrani\tالزهراني\nmerkel\tميركل\nsamir\tسمير\n";
        let gaz = "الشمري\nهولاند\nسمير\n";
        let mut news = NewsCounts::default();
        for _ in 0..3 {
            news.add_text("قال الأمير سعود بن سمير، و ميركل.");
        }
        let lex = build(names, gaz, &news);
        for w in ["كريم", "زهراني", "الزهراني", "شمري", "سمير"] {
            assert!(lex.iter().any(|x| x == w), "{w} in {lex:?}");
        }
        for w in ["ميركل", "هولاند"] {
            assert!(!lex.iter().any(|x| x == w), "{w} in {lex:?}");
        }
    }
}
