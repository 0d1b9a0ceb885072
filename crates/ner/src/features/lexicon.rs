//! Gazetteers and word statistics: lexical resources stored inside the model.

use crate::features::hash::{combine, hash_str, word_key};
use crate::features::text::{normalize, simple_tokens, split_clitics};
use rustc_hash::FxHashMap;
use std::io::BufRead;
use std::path::Path;

/// Gazetteer type bits.
pub const GAZ_PER: u8 = 1;
/// Location bit.
pub const GAZ_LOC: u8 = 2;
/// Organization bit.
pub const GAZ_ORG: u8 = 4;
/// Not a type: marks a well-known place (a country or a city of a million people; see
/// `places`), read only by the running-text rule, not by the features.
pub const GAZ_MAJOR: u8 = 8;
/// Not a type: marks a first name the training data never shows (see `first_names`),
/// read only by the first-name rule, not by the features.
pub const GAZ_FIRST: u8 = 16;
// Bit 32 marked organization names from the news, for a running-text rule since removed;
// model files trained before then still carry it and nothing reads it, so it is not reused.

/// The label of type bits that name exactly one type (`None` for none or several).
pub fn label_of_type_bits(bits: u8) -> Option<crate::tags::Label> {
    use crate::tags::Label;
    match bits & GAZ_TYPE_BITS {
        GAZ_PER => Some(Label::Per),
        GAZ_LOC => Some(Label::Loc),
        GAZ_ORG => Some(Label::Org),
        _ => None,
    }
}

/// The type bits (what the features read).
pub const GAZ_TYPE_BITS: u8 = GAZ_PER | GAZ_LOC | GAZ_ORG;
/// Number of gazetteer types.
pub const GAZ_TYPES: usize = 3;
/// Longest gazetteer entry, in tokens.
pub const GAZ_MAX_LEN: usize = 6;

const GAZ_SEED: u64 = 0x0047_415a;

/// Hash of one normalized gazetteer token.
#[inline]
pub fn gaz_tok(norm: &str) -> u64 {
    hash_str(GAZ_SEED, norm)
}

/// Multi-token gazetteer: hashes of normalized token sequences → type bits.
#[derive(Debug, Default, Clone)]
pub struct Gazetteer {
    /// Sequence hash → type bits.
    pub entries: FxHashMap<u64, u8>,
}

impl Gazetteer {
    /// Adds one entry (raw text) with a type bit.
    pub fn add(&mut self, entry: &str, bit: u8) {
        let toks: Vec<String> = simple_tokens(entry)
            .into_iter()
            .map(normalize)
            .filter(|t| !t.is_empty())
            .collect();
        if toks.is_empty() || toks.len() > GAZ_MAX_LEN {
            return;
        }
        // Only Arabic-script entries are useful here.
        if !toks
            .iter()
            .all(|t| t.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c)))
        {
            return;
        }
        let mut h = 0u64;
        for t in &toks {
            h = combine(h, gaz_tok(t));
        }
        *self.entries.entry(h).or_insert(0) |= bit;
    }

    /// Type bits of the entry written `text` (raw, one or more words; 0 if none), read
    /// as [`Gazetteer::add`] reads its entries.
    pub fn phrase(&self, text: &str) -> u8 {
        let words: Vec<String> = simple_tokens(text).into_iter().map(normalize).collect();
        self.words(words.iter().map(String::as_str))
    }

    /// Type bits of the entry made of these normalized words (empty ones skipped; 0 if
    /// none).
    pub fn words<'w>(&self, words: impl Iterator<Item = &'w str>) -> u8 {
        let mut h = 0u64;
        let mut n = 0;
        for t in words.filter(|t| !t.is_empty()) {
            h = combine(h, gaz_tok(t));
            n += 1;
            if n > GAZ_MAX_LEN {
                return 0;
            }
        }
        if n == 0 {
            return 0;
        }
        self.entries.get(&h).copied().unwrap_or(0)
    }

    /// Sets `bit` on the one-token entry `norm` (normalized); true if it was not set.
    pub fn add_bit(&mut self, norm: &str, bit: u8) -> bool {
        let e = self.entries.entry(combine(0, gaz_tok(norm))).or_insert(0);
        let new = *e & bit == 0;
        *e |= bit;
        new
    }

    /// Type bits for one single normalized token.
    #[inline]
    pub fn single(&self, norm: &str) -> u8 {
        self.entries
            .get(&combine(0, gaz_tok(norm)))
            .copied()
            .unwrap_or(0)
    }

    /// Marks gazetteer matches over a sentence: for each token and type, 0 = none,
    /// 1 = begins a match, 2 = inside a match. The first token of a match may carry
    /// proclitics (its core is tried too); longest match wins per type.
    pub fn mark<S: AsRef<str>>(
        &self,
        norms: &[S],
        cores: &[&str],
        alts: &[Option<&str>],
    ) -> Vec<[u8; GAZ_TYPES]> {
        let n = norms.len();
        let mut out = vec![[0u8; GAZ_TYPES]; n];
        let toks: Vec<u64> = norms.iter().map(|t| gaz_tok(t.as_ref())).collect();
        for i in 0..n {
            let core = gaz_tok(cores[i]);
            let alt = alts[i].map(gaz_tok);
            for first in [Some(toks[i]), (core != toks[i]).then_some(core), alt]
                .into_iter()
                .flatten()
            {
                let mut h = combine(0, first);
                let mut best = [0usize; GAZ_TYPES];
                let max = GAZ_MAX_LEN.min(n - i);
                for len in 1..=max {
                    if len > 1 {
                        h = combine(h, toks[i + len - 1]);
                    }
                    if let Some(&bits) = self.entries.get(&h) {
                        for (t, b) in best.iter_mut().enumerate() {
                            if bits & (1 << t) != 0 {
                                *b = len;
                            }
                        }
                    }
                }
                for (t, &len) in best.iter().enumerate() {
                    for k in 0..len {
                        let v = if k == 0 { 1 } else { 2 };
                        let slot = &mut out[i + k][t];
                        // B wins over I when matches overlap.
                        if *slot == 0 || v == 1 {
                            *slot = v;
                        }
                    }
                }
            }
        }
        out
    }

    /// Builds the gazetteer from the shared files in `dir`; missing files are skipped
    /// and reported in the returned list.
    pub fn from_dir(dir: &Path) -> std::io::Result<(Gazetteer, Vec<String>)> {
        let mut g = Gazetteer::default();
        let mut loaded = Vec::new();
        let mut read = |name: &str, f: &mut dyn FnMut(&str)| -> std::io::Result<()> {
            let n = for_each_line(dir, name, f)?;
            loaded.push(format!("{name}: {n} lines"));
            Ok(())
        };
        read("ANERGazet_Loc.txt", &mut |l| g.add(l, GAZ_LOC))?;
        read(PERSON_FILES[0], &mut |l| g.add(l, GAZ_PER))?;
        read("ANERGazet_Org.txt", &mut |l| g.add(l, GAZ_ORG))?;
        read("cldr48_ar_territories.tsv", &mut |l| {
            if let Some((_, name)) = l.split_once('\t') {
                g.add(name, GAZ_LOC)
            }
        })?;
        read("i18n_iso_countries_ar.tsv", &mut |l| {
            if let Some((_, name)) = l.split_once('\t') {
                g.add(name, GAZ_LOC)
            }
        })?;
        read("geonames_cities15000_arabic_names.tsv", &mut |l| {
            if let Some(names) = l.split('\t').nth(4) {
                for name in names.split(" | ") {
                    g.add(name, GAZ_LOC)
                }
            }
        })?;
        read(PERSON_FILES[1], &mut |l| {
            if let Some(name) = person_name(PERSON_FILES[1], l) {
                g.add(name, GAZ_PER)
            }
        })?;
        Ok((g, loaded))
    }
}

/// The person-name gazetteer files: ANERGazet's list (one name per line) and arabnamer's
/// English → Arabic table (the Arabic name in the second column).
pub(crate) const PERSON_FILES: [&str; 2] = ["ANERGazet_Pers.txt", "arabnamer_en2ar_names.tsv"];

/// The name on line `line` of the person file `file` (one of [`PERSON_FILES`]).
pub(crate) fn person_name<'a>(file: &str, line: &'a str) -> Option<&'a str> {
    if file == PERSON_FILES[1] {
        line.split_once('\t').map(|(_, name)| name)
    } else {
        Some(line)
    }
}

/// Calls `f` with each line of the gazetteer file `dir/name`, trimmed, skipping empty
/// lines and ANERGazet's `====` separators; returns how many lines it passed on.
pub(crate) fn for_each_line(
    dir: &Path,
    name: &str,
    f: &mut dyn FnMut(&str),
) -> std::io::Result<usize> {
    let file = std::fs::File::open(dir.join(name))?;
    let mut n = 0;
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with("====") {
            continue;
        }
        f(line);
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_multi_token_matches() {
        let mut g = Gazetteer::default();
        g.add("قوات سوريا الديمقراطية", GAZ_ORG);
        g.add("سوريا", GAZ_LOC);
        let words = ["سلم", "نفسه", "لقوات", "سوريا", "الديمقراطية"];
        let norms: Vec<String> = words.iter().map(|w| normalize(w)).collect();
        let cores: Vec<&str> = norms.iter().map(|s| s.as_str()).collect();
        let alts = vec![None, None, Some("قوات"), None, None];
        let m = g.mark(&norms, &cores, &alts);
        assert_eq!(m[2][2], 1);
        assert_eq!(m[3][2], 2);
        assert_eq!(m[4][2], 2);
        assert_eq!(m[3][1], 1);
        assert_eq!(m[0], [0, 0, 0]);
        assert_eq!(g.single("سوريا"), GAZ_LOC);
    }
}

/// Corpus statistics of a word's bare form (clitics and article removed) in unlabeled
/// news: how often it occurs, and how often with the article ال. Proper names of people
/// rarely take ال; common nouns and adjectives often do, which makes this the Arabic
/// stand-in for capitalization.
#[derive(Debug, Default, Clone)]
pub struct WordStats {
    /// Word key of the bare form → code: bits 0-3 frequency bucket, 4-6 article share
    /// bucket, 8-10 possessive-suffix share bucket.
    pub codes: FxHashMap<u32, u16>,
}

impl WordStats {
    /// Code of a bare form, if known.
    #[inline]
    pub fn get(&self, bare: &str) -> Option<u16> {
        self.codes.get(&word_key(bare)).copied()
    }

    /// Builds the table from counts of normalized surface words.
    pub fn from_counts<'a>(
        counts: impl Iterator<Item = (&'a str, u64)>,
        min_count: u64,
    ) -> WordStats {
        let mut agg: FxHashMap<String, (u64, u64, u64)> = FxHashMap::default();
        for (w, n) in counts {
            let sp = split_clitics(w);
            let with_al = sp.core.starts_with("ال") && sp.bare.len() < sp.core.len();
            let e = agg.entry(sp.bare.to_string()).or_insert((0, 0, 0));
            e.0 += n;
            if with_al {
                e.1 += n;
            }
            // Possessive suffixes: the bare form + ها/هم/هما/كم/نا occurs as a word.
            for suf in ["ها", "هم", "هما", "كم", "نا"] {
                if let Some(stem) = sp.bare.strip_suffix(suf) {
                    if stem.chars().count() >= 2 {
                        agg.entry(stem.to_string()).or_insert((0, 0, 0)).2 += n;
                        break;
                    }
                }
            }
        }
        let mut codes = FxHashMap::default();
        let bucket = |share: f64| -> u16 {
            if share <= 0.0 {
                0
            } else if share < 0.05 {
                1
            } else if share < 0.2 {
                2
            } else if share < 0.5 {
                3
            } else if share < 0.8 {
                4
            } else {
                5
            }
        };
        for (bare, (n, al, poss)) in agg {
            if n < min_count {
                continue;
            }
            let ab = bucket(al as f64 / n as f64);
            let pb = bucket((poss as f64 / n as f64).min(1.0));
            let fb = ((n as f64).log2().floor() as u16).min(15);
            codes.insert(word_key(&bare), pb << 8 | ab << 4 | fb);
        }
        WordStats { codes }
    }
}
