//! Speed of quotation and quantity extraction relative to the analysis of an article:
//! `cargo run --release -p khabar-extract --example bench_extract [N]` (default 2,000
//! SaudiNewsNet articles). Prints the time of `Document::from_article` and of the two
//! extractors run right after it on the same document, summed over the articles, best of 5
//! rounds.

use khabar_analysis::Document;
use khabar_ingest::Article;
use std::io::BufRead;
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/news/saudinewsnet-2015.jsonl.gz"
    );
    let r = std::io::BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(path).expect("news file"),
    ));
    let arts: Vec<Article> = r
        .lines()
        .take(n)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("json");
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            Article {
                id: s("id").unwrap_or_default(),
                title: s("title").unwrap_or_default(),
                body: s("body").unwrap_or_default(),
                date: s("date"),
                source: s("source"),
                url: None,
            }
        })
        .collect();
    let chars: usize = arts
        .iter()
        .map(|a| a.title.chars().count() + a.body.chars().count())
        .sum();
    // Per article, as a pipeline runs: analysis, then extraction on the still-warm document.
    let only = std::env::var("BENCH_ONLY").ok();
    let mut best_analysis = Duration::MAX;
    let mut best_extract = Duration::MAX;
    let (mut nq, mut nn) = (0, 0);
    for _ in 0..5 {
        let (mut ta, mut te) = (Duration::ZERO, Duration::ZERO);
        let (mut q, mut k) = (0, 0);
        for a in &arts {
            if only.as_deref() == Some("load") {
                break;
            }
            let t0 = Instant::now();
            let d = Document::from_article(a);
            let t1 = Instant::now();
            // BENCH_ONLY=quotes|quantities|analysis|load limits the work (for profiling and for
            // counting instructions with `perf stat`, which the machine's load does not disturb).
            let skip = only.as_deref() == Some("analysis");
            if !skip && only.as_deref() != Some("quantities") {
                q += khabar_extract::extract_quotes(&d).len();
            }
            if !skip && only.as_deref() != Some("quotes") {
                k += khabar_extract::extract_quantities(&d).len();
            }
            let t2 = Instant::now();
            ta += t1 - t0;
            te += t2 - t1;
            std::hint::black_box(d);
        }
        best_analysis = best_analysis.min(ta);
        best_extract = best_extract.min(te);
        (nq, nn) = (q, k);
    }
    println!(
        "{} articles, {:.1} M chars; {nq} quotations, {nn} quantities",
        arts.len(),
        chars as f64 / 1e6
    );
    println!(
        "analysis (Document::from_article): {:>8.1} ms",
        best_analysis.as_secs_f64() * 1e3
    );
    println!(
        "quotes + quantities:               {:>8.1} ms",
        best_extract.as_secs_f64() * 1e3
    );
    println!(
        "ratio: +{:.1}% of the analysis time",
        100.0 * best_extract.as_secs_f64() / best_analysis.as_secs_f64()
    );
}
