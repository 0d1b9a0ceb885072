//! First names the model cuts off: in `قدمت الفنانة مها أحمد برنامجا` the model finds
//! `أحمد` and leaves `مها` out, because it never saw `مها` in training and the word before
//! a name is usually not part of it (`الفنانة`, `وقال`). A word right before a person span
//! joins it when it is a first name of the person gazetteers that the training data
//! never shows: the model has no evidence of its own on such a word, and the gazetteer
//! does. Words the training data does show are left to the model (many first names are
//! also common words: `أمل` "hope", `نور` "light"), and so are stopwords and words the
//! gazetteers also list as places or organizations.
//!
//! `khabar train ner` marks these words as [`GAZ_FIRST`] bits on the gazetteer entries
//! (the features do not read them). Unlike the running-text rules, this one keeps
//! ANERcorp's conventions (its person spans include first names), so it runs on every
//! tagging path, CoNLL and `khabar eval ner` included. On the dev split (marks from the
//! training part only) it changes 3 spans, all to the gold span.

use crate::data::Sentence;
use crate::features::Resources;
use crate::lexicon::{
    for_each_line, person_name, Gazetteer, GAZ_FIRST, GAZ_LOC, GAZ_ORG, PERSON_FILES,
};
use crate::news::news_code;
use crate::tags::{Label, Tag};
use crate::text::{normalize, simple_tokens};
use rustc_hash::FxHashSet;
use std::path::Path;

/// Marks in `gaz` the words of the person-name gazetteer files in `dir` that `train`
/// never shows, that are not stopwords (`stopwords_iso_ar.txt`, if present) and that
/// the gazetteer does not also list as a place or organization; returns how many words
/// were marked.
pub fn mark_first_names(
    gaz: &mut Gazetteer,
    dir: &Path,
    train: &[Sentence],
) -> std::io::Result<usize> {
    let mut names: Vec<String> = Vec::new();
    for file in PERSON_FILES {
        for_each_line(dir, file, &mut |l| {
            names.extend(person_name(file, l).map(str::to_string))
        })?;
    }
    let mut stop: FxHashSet<String> = FxHashSet::default();
    match for_each_line(dir, "stopwords_iso_ar.txt", &mut |w| {
        stop.insert(normalize(w));
    }) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let seen: FxHashSet<String> = train
        .iter()
        .flat_map(|s| s.tokens.iter().map(|w| normalize(w)))
        .collect();
    let mut marked = 0;
    for name in &names {
        for word in simple_tokens(name) {
            let norm = normalize(word);
            let arabic =
                !norm.is_empty() && norm.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c));
            if !arabic
                || seen.contains(&norm)
                || stop.contains(&norm)
                || gaz.single(&norm) & (GAZ_LOC | GAZ_ORG) != 0
            {
                continue;
            }
            if gaz.add_bit(&norm, GAZ_FIRST) {
                marked += 1;
            }
        }
    }
    Ok(marked)
}

/// News tag codes with a count field above this (more than 2^6 tagged occurrences in
/// the news sample the table comes from) belong to common words: `وجود`, `سداد`, `رقيب`.
const MAX_NEWS_COUNT_LOG2: u16 = 5;

/// Is `token` (or the token minus a leading و / ف conjunction) a marked first name that
/// is neither definite nor frequent in the news?
fn is_first_name(res: &Resources, token: &str) -> bool {
    let norm = normalize(token);
    let mut chars = norm.chars();
    let word = if res.gaz.single(&norm) & GAZ_FIRST != 0 {
        norm.as_str()
    } else if matches!(chars.next(), Some('و' | 'ف'))
        && chars.clone().count() >= 3
        && res.gaz.single(chars.as_str()) & GAZ_FIRST != 0
    {
        chars.as_str()
    } else {
        return false;
    };
    // A definite word is a noun or adjective (`الرقيب` "the sergeant"), not a first name.
    if word.starts_with("ال") {
        return false;
    }
    // Frequent in the news, as written (`وجود` "existence" is not و + `جود`) or without
    // the conjunction: a common word.
    let common =
        |w: &str| news_code(res, w).is_some_and(|code| (code >> 9) & 7 > MAX_NEWS_COUNT_LOG2);
    !common(&norm) && !common(word)
}

/// Extends each person span of `tags` (valid BIO over `tokens`) to a marked first name
/// right before it: `O B-PER` → `B-PER I-PER`. The tags stay valid BIO.
pub fn extend_first_names(res: &Resources, tokens: &[&str], tags: &mut [Tag]) {
    for i in 1..tags.len().min(tokens.len()) {
        if tags[i] == Tag::B(Label::Per)
            && tags[i - 1] == Tag::O
            && is_first_name(res, tokens[i - 1])
        {
            tags[i - 1] = Tag::B(Label::Per);
            tags[i] = Tag::I(Label::Per);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::doc_form_key;
    use crate::news::news_key;

    fn res_with(first: &[&str], places: &[&str]) -> Resources {
        Resources {
            gaz: gaz_with(first, places),
            ..Default::default()
        }
    }

    fn gaz_with(first: &[&str], places: &[&str]) -> Gazetteer {
        let mut g = Gazetteer::default();
        for p in places {
            g.add(p, GAZ_LOC);
        }
        for f in first {
            g.add_bit(&normalize(f), GAZ_FIRST);
        }
        g
    }

    fn run(g: &Resources, toks: &[&str], tags: &[Tag]) -> Vec<Tag> {
        let mut t = tags.to_vec();
        extend_first_names(g, toks, &mut t);
        t
    }

    const O: Tag = Tag::O;
    const BP: Tag = Tag::B(Label::Per);
    const IP: Tag = Tag::I(Label::Per);

    #[test]
    fn marked_first_name_joins_the_person_after_it() {
        let g = res_with(&["سلمى"], &[]);
        let toks = ["استقبلت", "الكاتبة", "سلمى", "الراشد", "ضيوفها"];
        assert_eq!(run(&g, &toks, &[O, O, O, BP, O]), [O, O, BP, IP, O]);
        // With the conjunction attached, and spelled with ي for ى.
        let toks = ["حضر", "خالد", "وسلمي", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP, O, BP]), [O, BP, BP, IP]);
    }

    #[test]
    fn only_before_a_person_and_only_marked_words() {
        let g = res_with(&["سلمى"], &[]);
        // Before a place: unchanged.
        let loc = Tag::B(Label::Loc);
        let toks = ["سلمى", "دمشق"];
        assert_eq!(run(&g, &toks, &[O, loc]), [O, loc]);
        // An unmarked word before a person: unchanged.
        let toks = ["الكاتبة", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP]), [O, BP]);
        // Already inside a span: unchanged.
        let toks = ["سلمى", "الراشد"];
        assert_eq!(run(&g, &toks, &[BP, IP]), [BP, IP]);
        // A short word after و is not split (`وسم` is not و + سم).
        let g = res_with(&["سم"], &[]);
        let toks = ["وسم", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP]), [O, BP]);
    }

    #[test]
    fn definite_or_frequent_words_stay_out() {
        // A definite word is a noun: `الرقيب` "the sergeant" before a name.
        let g = res_with(&["الرقيب"], &[]);
        let toks = ["اتهمت", "الرقيب", "شاؤول"];
        assert_eq!(run(&g, &toks, &[O, O, BP]), [O, O, BP]);
        // A word the news tags often (count field 6: ≥ 64 times) is a common word.
        let mut g = res_with(&["وجود", "سلمى"], &[]);
        for (w, cnt) in [("وجود", 6u16), ("سلمى", 5)] {
            let k = news_key(doc_form_key(w).unwrap());
            g.news.codes.insert(k, cnt << 9);
        }
        let toks = ["وجود", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP]), [O, BP]);
        let toks = ["سلمى", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP]), [BP, IP]);
        // The whole word frequent, its part after و a rare name: still a common word.
        let mut g = res_with(&["جود"], &[]);
        g.news
            .codes
            .insert(news_key(doc_form_key("وجود").unwrap()), 7 << 9);
        let toks = ["وجود", "الراشد"];
        assert_eq!(run(&g, &toks, &[O, BP]), [O, BP]);
        g.news.codes.clear();
        assert_eq!(run(&g, &toks, &[O, BP]), [BP, IP]);
    }

    #[test]
    fn marking_skips_seen_words_stopwords_and_places() {
        let dir = std::env::temp_dir().join(format!("khabar-first-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ANERGazet_Pers.txt"), "سلمى\nنور الهدى\n").unwrap();
        std::fs::write(
            dir.join("arabnamer_en2ar_names.tsv"),
            "salma\tسلمى\namal\tأمل\nhoms\tحمص\nhatta\tحتى\n",
        )
        .unwrap();
        std::fs::write(dir.join("stopwords_iso_ar.txt"), "حتى\n").unwrap();
        let mut g = gaz_with(&[], &["حمص"]);
        let train = vec![Sentence {
            tokens: vec!["نور".into(), "الأمل".into(), "أمل".into()],
            tags: vec![O, O, O],
            aux: false,
        }];
        let n = mark_first_names(&mut g, &dir, &train).unwrap();
        let marked = |w: &str| g.single(&normalize(w)) & GAZ_FIRST != 0;
        assert!(marked("سلمى") && marked("الهدى"));
        assert!(!marked("نور"), "seen in training");
        assert!(!marked("أمل"), "seen in training");
        assert!(!marked("حمص"), "a place");
        assert!(!marked("حتى"), "a stopword");
        assert_eq!(n, 2);
        // A missing person file is an error, not a silent empty list.
        std::fs::remove_file(dir.join("ANERGazet_Pers.txt")).unwrap();
        assert!(mark_first_names(&mut g, &dir, &train).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest::proptest! {
        #[test]
        fn tags_stay_valid_bio(seq in proptest::collection::vec(0usize..9, 0..30), words in proptest::collection::vec(0usize..3, 30)) {
            let g = res_with(&["سلمى"], &[]);
            let vocab = ["سلمى", "الراشد", "وسلمى"];
            let mut tags: Vec<Tag> = seq.iter().map(|&i| Tag::from_index(i)).collect();
            // Make the input valid BIO first, as the decoder's output always is.
            let mut prev = O;
            for t in tags.iter_mut() {
                if let Tag::I(l) = *t { if !prev.allows(*t) { *t = Tag::B(l); } }
                prev = *t;
            }
            let toks: Vec<&str> = (0..tags.len()).map(|i| vocab[words[i]]).collect();
            extend_first_names(&g, &toks, &mut tags);
            let mut prev = O;
            for &t in &tags {
                proptest::prop_assert!(!matches!(t, Tag::I(_)) || prev.allows(t), "{:?}", tags);
                prev = t;
            }
        }
    }
}
