//! Rebuilds the shipped stem lexicon from unlabeled news (JSON Lines, gzip), e.g.
//!
//! ```text
//! cargo run --release -p khabar-text --example build_lexicon -- \
//!     crates/text/data/lexicon.tsv.zst ../shared/data/news/*.jsonl.gz
//! ```
//!
//! Counts normalized Arabic words of every `title` and `body`, keeps words seen at least
//! `MIN_COUNT` times, precomputes each word's clitic split and writes the artifact.

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, inputs)) = args.split_first() else {
        return Err("usage: build_lexicon OUT.tsv.zst NEWS.jsonl.gz...".into());
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
    let lexicon = Lexicon::from_counts(counts, MIN_COUNT);
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    lexicon.write(std::io::BufWriter::new(file), MIN_COUNT)?;
    eprintln!(
        "{articles} articles, {tokens} Arabic words, {types} types; kept {} words seen ≥ {MIN_COUNT} times → {out}",
        lexicon.len()
    );
    Ok(())
}
