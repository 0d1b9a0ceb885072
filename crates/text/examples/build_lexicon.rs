//! Rebuilds the shipped stem lexicon from unlabeled news (JSON Lines, gzip), e.g.
//!
//! ```text
//! cargo run --release -p khabar-text --example build_lexicon -- \
//!     crates/text/data/lexicon.tsv.zst ../shared/data/news/*.jsonl.gz \
//!     --person-names ../shared/data/ner/gazetteers/ANERGazet_Pers.txt \
//!     --names ../shared/data/ner/gazetteers/ANERGazet_Loc.txt \
//!     --names ../shared/data/ner/gazetteers/cldr48_ar_territories.tsv \
//!     --names ../shared/data/ner/gazetteers/i18n_iso_countries_ar.tsv
//! ```
//!
//! Counts normalized Arabic words of every `title` and `body`, keeps words seen at least
//! `MIN_COUNT` times, marks the one-word entries of the name lists (last tab-separated field
//! of each line; `====` lines skipped) as names that are never split, precomputes each word's
//! clitic split and writes the artifact.

use khabar_text::{Lexicon, WordCounter};
use std::io::BufRead;

const MIN_COUNT: u32 = 3;

#[derive(serde::Deserialize)]
struct Article {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut names = rustc_hash::FxHashSet::default();
    let mut person_names = rustc_hash::FxHashSet::default();
    while let Some(i) = args
        .iter()
        .position(|a| a == "--names" || a == "--person-names")
    {
        if i + 1 >= args.len() {
            return Err(format!("{} needs a file", args[i]).into());
        }
        let path = args.remove(i + 1);
        let persons = args.remove(i) == "--person-names";
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        for line in text.lines().filter(|l| !l.starts_with("====")) {
            let field = line.rsplit('\t').next().unwrap_or(line);
            // Only one-word entries: the words of "مدينة الكويت" are not names by themselves.
            let words: Vec<&str> = field.split_whitespace().collect();
            if words.len() != 1 {
                continue;
            }
            for w in words {
                let n = khabar_text::normalize_word(w);
                if n.chars().count() >= 3
                    && n.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c))
                {
                    if persons {
                        person_names.insert(Box::<str>::from(n));
                    } else {
                        names.insert(Box::<str>::from(n));
                    }
                }
            }
        }
    }
    let Some((out, inputs)) = args.split_first() else {
        return Err(
            "usage: build_lexicon OUT.tsv.zst NEWS.jsonl.gz... [--names FILE]... [--person-names FILE]..."
                .into(),
        );
    };
    let mut counter = WordCounter::default();
    let mut articles = 0usize;
    for path in inputs {
        let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        let reader = std::io::BufReader::with_capacity(1 << 18, flate2::read::GzDecoder::new(file));
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| format!("{path}:{}: {e}", i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Article>(&line) {
                Ok(a) => {
                    counter.add_text(&a.title);
                    counter.add_text(&a.body);
                    articles += 1;
                }
                Err(e) => eprintln!("{path}:{}: skipped: {e}", i + 1),
            }
        }
    }
    let counts = counter.into_counts();
    let types = counts.len();
    let tokens: u64 = counts.values().map(|&c| c as u64).sum();
    // Place lists name common nouns too (مدينة). A place name seldom takes the article, so a
    // word seen with ال at least a quarter as often as without is not treated as a name.
    // Person names are kept as they are (ليلى stays a name although الليلي is common).
    names.retain(|n| {
        let bare = counts.get(n).copied().unwrap_or(0);
        let with_article = counts.get(format!("ال{n}").as_str()).copied().unwrap_or(0);
        n.starts_with("ال") || with_article * 4 <= bare
    });
    names.extend(person_names);
    let name_count = names.len();
    let lexicon = Lexicon::from_counts(counts, &names, MIN_COUNT);
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    lexicon.write(std::io::BufWriter::new(file), MIN_COUNT)?;
    eprintln!(
        "{articles} articles, {tokens} Arabic words, {types} types, {name_count} names; lexicon of {} words → {out}",
        lexicon.len()
    );
    Ok(())
}
