//! `khabar train keywords`: the document-frequency table keywords are scored against.

use anyhow::Context;
use clap::Args;
use khabar_keywords::{term_key, TermTable};
use khabar_text::TextAnalyzer;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TrainKeywordsArgs {
    /// News articles (JSONL, gzip ok).
    #[arg(required = true)]
    news: Vec<String>,
    /// Output file (zstd-compressed TSV).
    #[arg(long)]
    out: PathBuf,
    /// Keep keys seen in at least this many articles (rarer keys count as seen once).
    #[arg(long, default_value_t = 3)]
    min_df: u32,
}

pub fn train(a: TrainKeywordsArgs) -> anyhow::Result<ExitCode> {
    let analyzer = TextAnalyzer::shared();
    let mut table = TermTable::new();
    let summary = crate::input::for_each_article(
        &a.news,
        |_, _| {},
        |article| {
            let text = format!("{}\n{}", article.title, article.body);
            let tokens = analyzer.tokenize(&text);
            table.add_document(tokens.iter().filter_map(term_key));
            Ok(())
        },
    )?;
    let file = std::fs::File::create(&a.out)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    table.write(std::io::BufWriter::new(file), a.min_df)?;
    eprintln!(
        "khabar: document frequencies of {} keys over {} articles written to {}",
        table.len(),
        summary.articles,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
