//! Marks on gazetteer entries that tagging reads and `khabar train ner` sets: first names
//! the training data never shows ([`GAZ_FIRST`], read by the first-name step of every
//! tagging path) and well-known places ([`GAZ_MAJOR`], read by running-text adjustments).
//! The features do not read these bits.

use crate::data::Sentence;
use crate::features::lexicon::{
    for_each_line, person_name, Gazetteer, GAZ_FIRST, GAZ_LOC, GAZ_MAJOR, GAZ_ORG, PERSON_FILES,
};
use crate::features::text::{normalize, simple_tokens};
use crate::tags::{Label, Tag};
use rustc_hash::{FxHashMap, FxHashSet};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoding::first_names::tests::gaz_with;

    const O: Tag = Tag::O;

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
}
