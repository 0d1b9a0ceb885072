//! The corpus benchmarks without the CLI (same library calls as `khabar bench search` and
//! `khabar bench relevance`):
//!
//! ```text
//! cargo run --release -p khabar-corpus --example corpus_bench -- search DB [N]
//! SEED=42 cargo run --release -p khabar-corpus --example corpus_bench -- relevance [FILE...]
//! ```
//!
//! `ONLY=1` compares just the full key with and without the residual-prefix filter; `DIFF=1`
//! compares tantivy's stock Arabic analyzer with khabar's and prints the queries khabar
//! loses, with both analyses (failure analysis).

use khabar_corpus::bench::{self, RelevanceOptions};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("search") => {
            let db = PathBuf::from(args.get(1).ok_or("search DB [N]")?);
            let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
            let queries = bench::sample_headlines(&db, n, 42)?;
            let r = bench::search_latency(&db, &queries, 10)?;
            println!("{}", serde_json::to_string(&r)?);
        }
        Some("relevance") => {
            let seed = std::env::var("SEED")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(42);
            let mut inputs: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
            if inputs.is_empty() {
                inputs = vec![
                    "../shared/data/news/saudinewsnet-2015.jsonl.gz".into(),
                    "../shared/data/news/ant-v1.1.jsonl.gz".into(),
                ];
            }
            let opts = RelevanceOptions {
                inputs,
                seed,
                ..Default::default()
            };
            let mut opts = opts;
            {
                use khabar_corpus::analyzer::AnalyzerKind;
                use khabar_corpus::ranking::Ranking;
                // ONLY: the corpus analyzer under each ranking; DIFF: stock vs corpus, BM25.
                if std::env::var("ONLY").is_ok() {
                    opts.analyzers = [
                        Ranking::BM25,
                        Ranking::LEAD,
                        Ranking::PAIRS,
                        Ranking::KHABAR,
                    ]
                    .into_iter()
                    .map(|r| (AnalyzerKind::CORPUS, r))
                    .collect();
                }
                if std::env::var("DIFF").is_ok() {
                    opts.analyzers = vec![
                        (AnalyzerKind::StockArabic, Ranking::BM25),
                        (AnalyzerKind::CORPUS, Ranking::BM25),
                    ];
                }
            }
            let r = bench::relevance(&opts, &mut |row| {
                println!(
                    "{:<44} {:<16} MRR@10 {:.3}  R@10 {:.3}  index {:.1} s  query {:.2} ms  terms {}",
                    row.analyzer,
                    row.ranking,
                    row.mrr,
                    row.recall,
                    row.index_seconds,
                    row.query_ms,
                    row.terms
                );
            })?;
            println!("{}", serde_json::to_string(&r)?);
            if std::env::var("DIFF").is_ok() && r.rows.len() >= 2 {
                // Queries the first analyzer finds in the top 10 and the last does not.
                let (a, b) = (&r.rows[0], &r.rows[r.rows.len() - 1]);
                let (a_kind, b_kind) = (
                    opts.analyzers[0].0,
                    opts.analyzers[opts.analyzers.len() - 1].0,
                );
                for (i, (x, y)) in a.ranks.iter().zip(&b.ranks).enumerate() {
                    if x.is_some() && y.is_none() {
                        let h = &r.headlines[i];
                        let keys: Vec<String> =
                            khabar_corpus::analyzer::query_terms(&mut b_kind.build(), h)
                                .into_iter()
                                .map(|t| t.key)
                                .collect();
                        let stock: Vec<String> =
                            khabar_corpus::analyzer::query_terms(&mut a_kind.build(), h)
                                .into_iter()
                                .map(|t| t.key)
                                .collect();
                        eprintln!("lost {i}: {x:?}\n  {h}\n  khabar {keys:?}\n  stock  {stock:?}");
                    }
                }
            }
        }
        _ => return Err("usage: corpus_bench search DB [N] | relevance [FILE...]".into()),
    }
    Ok(())
}
