//! Reading the articles of the inputs named on the command line, reporting what was rejected.

use khabar_ingest::{open, Article, Encoding, Record};
use std::collections::BTreeMap;

/// Totals over all inputs: what went through and what was rejected, with reasons.
#[derive(Debug, Default)]
pub struct InputSummary {
    pub articles: usize,
    pub rejected: usize,
    pub reasons: BTreeMap<String, usize>,
}

impl InputSummary {
    /// Prints the rejected-record summary on stderr (nothing when all went through).
    pub fn report(&self) {
        if self.rejected > 0 {
            let reasons: Vec<String> = self
                .reasons
                .iter()
                .map(|(r, n)| format!("{n} × {r}"))
                .collect();
            eprintln!(
                "khabar: {} article(s) processed, {} record(s) rejected: {}",
                self.articles,
                self.rejected,
                reasons.join("; ")
            );
        }
    }
}

/// True when the input is JSON Lines (many articles) rather than one text article.
pub fn is_multi_article(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [".jsonl", ".ndjson", ".json", ".gz", ".zst"]
        .iter()
        .any(|e| p.ends_with(e))
}

/// Streams the articles of `paths` to `f` in order; rejected records are reported on stderr
/// as `khabar: FILE:LINE: reason` and counted. Files that cannot be opened are an error.
pub fn for_each_article(
    paths: &[String],
    mut progress: impl FnMut(u64, Option<u64>),
    mut f: impl FnMut(Article) -> anyhow::Result<()>,
) -> anyhow::Result<InputSummary> {
    let mut summary = InputSummary::default();
    for path in paths {
        let mut reader = open(path)?;
        let total = reader.total_bytes_hint();
        while let Some(record) = reader.next() {
            progress(reader.input_bytes_read(), total);
            match record {
                Record::Article(a) => {
                    summary.articles += 1;
                    f(a)?;
                }
                Record::Rejected(r) => {
                    eprintln!("khabar: {r}");
                    summary.rejected += 1;
                    *summary.reasons.entry(short_reason(&r.reason)).or_default() += 1;
                }
            }
        }
        if let Some(enc) = reader.report().encoding {
            if enc != Encoding::Utf8 {
                eprintln!("khabar: {path}: decoded as {enc}");
            }
        }
    }
    Ok(summary)
}

/// The reason without its details (`invalid JSON: expected … at column 5` → `invalid JSON`).
fn short_reason(reason: &str) -> String {
    reason
        .split(':')
        .next()
        .unwrap_or(reason)
        .trim()
        .to_string()
}
