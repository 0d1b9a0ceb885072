//! Unlabeled news for training: JSONL(.gz) articles (`title` and `body`) read into
//! sentences or word counts, and the news tag table the second pass reads — how the first
//! pass tags each word form across the news (looked up at tagging time by
//! `features::news`).

use crate::features::lexicon::WordStats;
use crate::features::news::news_key;
use crate::features::text::{normalize, simple_tokens};
use crate::features::{doc_form_key, sentence_features_rows, Resources};
use crate::model::viterbi::viterbi;
use crate::model::weights::{emissions, Weights};
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;
use std::io::{BufRead, Read};
use std::path::Path;

/// Unlabeled news split into sentences of token ids (for corpus-level tag statistics).
#[derive(Debug, Default, Clone)]
pub struct NewsText {
    /// Distinct surface tokens.
    pub vocab: Vec<String>,
    /// Sentences as indices into `vocab`.
    pub sents: Vec<Vec<u32>>,
}

impl NewsText {
    /// Number of tokens.
    pub fn tokens(&self) -> usize {
        self.sents.iter().map(|s| s.len()).sum()
    }
}

/// Reads up to `max_articles` articles per file (0 = all) of JSONL(.gz) news into
/// sentences (cut at . ! ? ؟ and after 100 tokens).
pub fn read_news_sentences(paths: &[&Path], max_articles: usize) -> std::io::Result<NewsText> {
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut out = NewsText::default();
    for path in paths {
        for_each_news_article(path, max_articles, |texts| {
            for t in texts {
                let mut cur = Vec::new();
                for tok in simple_tokens(t) {
                    let id = match ids.get(tok) {
                        Some(&i) => i,
                        None => {
                            let i = out.vocab.len() as u32;
                            ids.insert(tok.to_string(), i);
                            out.vocab.push(tok.to_string());
                            i
                        }
                    };
                    cur.push(id);
                    if matches!(tok, "." | "!" | "?" | "؟") || cur.len() >= 100 {
                        out.sents.push(std::mem::take(&mut cur));
                    }
                }
                if !cur.is_empty() {
                    out.sents.push(cur);
                }
            }
        })?;
    }
    Ok(out)
}

/// How often each normalized word occurs in the `title` and `body` of JSONL(.gz) news
/// files (the counts of the word statistics).
pub fn count_words(paths: &[&Path]) -> std::io::Result<FxHashMap<String, u64>> {
    let mut counts: FxHashMap<String, u64> = FxHashMap::default();
    for path in paths {
        for_each_news_article(path, 0, |texts| {
            for t in texts {
                for tok in simple_tokens(t) {
                    let w = normalize(tok);
                    if !w.is_empty() {
                        *counts.entry(w).or_insert(0) += 1;
                    }
                }
            }
        })?;
    }
    Ok(counts)
}

/// Calls `f([title, body])` for each of the first `max_articles` articles (0 = all) of a
/// JSONL(.gz) news file; a missing field is empty, a line that is not JSON is skipped and
/// not counted. Returns the number of articles read.
pub(crate) fn for_each_news_article(
    path: &Path,
    max_articles: usize,
    mut f: impl FnMut([&str; 2]),
) -> std::io::Result<usize> {
    let file = std::fs::File::open(path)?;
    let r: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut n = 0;
    for line in std::io::BufReader::new(r).lines() {
        if max_articles > 0 && n >= max_articles {
            break;
        }
        let line = line?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let field = |name: &str| v.get(name).and_then(|x| x.as_str()).unwrap_or("");
        f([field("title"), field("body")]);
        n += 1;
    }
    Ok(n)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_words_reads_titles_and_bodies_and_skips_bad_lines() {
        let dir = std::env::temp_dir().join(format!("khabar-count-words-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("news.jsonl");
        std::fs::write(
            &path,
            "{\"title\": \"هاجم تنظيم القرية\", \"body\": \"وأعلن التنظيم بيانا عن القرية.\"}\nnot json\n",
        )
        .unwrap();
        let counts = count_words(&[path.as_path()]).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(counts["القريه"], 2);
        assert_eq!(counts["تنظيم"], 1);
        assert!(!counts.contains_key("not"));
        assert!(count_words(&[Path::new("/nonexistent/khabar-news.jsonl")]).is_err());
    }

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
