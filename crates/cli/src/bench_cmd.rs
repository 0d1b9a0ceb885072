//! `khabar bench …`: throughput benchmarks. Run them from a release build.

use crate::{corpus_cmd, ner_cmd};
use clap::{Args, Subcommand};
use khabar_text::TextAnalyzer;
use std::process::ExitCode;
use std::time::Instant;

/// Benchmarks.
#[derive(Subcommand)]
pub enum BenchWhat {
    /// Normalize + tokenize + segment + stem a JSONL(.gz) corpus on one thread.
    Text(BenchTextArgs),
    /// Tag a JSONL(.gz) corpus with the NER model on one thread.
    Ner(ner_cmd::BenchNerArgs),
    /// Time of each analysis layer per article: text, entities, chains + quotations +
    /// quantities.
    Layers(BenchLayersArgs),
    /// Index the shared news with the full pipeline: articles/s, MB/s, size, peak memory.
    Index(corpus_cmd::BenchIndexArgs),
    /// Search latency percentiles over headline queries against an index.
    Search(corpus_cmd::BenchSearchArgs),
    /// Latency of `khabar said` (speaker resolution included) over the corpus's persons.
    Said(crate::entities_cmd::BenchSaidArgs),
    /// Headline → article retrieval: MRR@10 and Recall@10 for khabar's analyzer and baselines.
    Relevance(corpus_cmd::BenchRelevanceArgs),
    /// Time to rebuild the stories and near-duplicate groups of a corpus.
    Stories(BenchStoriesArgs),
    /// Whole analysis of one ever longer article (real news, and a cue repeated): time must
    /// grow linearly with the text.
    Scaling(BenchScalingArgs),
}

/// Arguments of `khabar bench scaling`.
#[derive(Args)]
pub struct BenchScalingArgs {
    /// JSON Lines corpus whose bodies, joined, make the long real article (.jsonl, .gz, .zst).
    path: String,
    /// Largest article, in MB (the sizes are this, half of it, a quarter and an eighth).
    #[arg(long, default_value_t = 5.0)]
    max_mb: f64,
}

/// Arguments of `khabar bench stories`.
#[derive(Args)]
pub struct BenchStoriesArgs {
    /// Corpus directory.
    #[arg(long)]
    db: std::path::PathBuf,
    /// Timed rebuilds (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// Arguments of `khabar bench text`.
#[derive(Args)]
pub struct BenchTextArgs {
    /// JSON Lines corpus (.jsonl, .gz, .zst).
    path: String,
    /// Timed passes over the corpus (the best is reported).
    #[arg(long, default_value_t = 3)]
    passes: usize,
    /// Skip the baseline (split on non-alphanumerics + Snowball Arabic stemmer, the pipeline of
    /// tantivy's SimpleTokenizer + Stemmer).
    #[arg(long)]
    no_baseline: bool,
}

/// Arguments of `khabar bench layers`.
#[derive(Args)]
pub struct BenchLayersArgs {
    /// JSON Lines corpus (.jsonl, .gz, .zst).
    path: String,
    /// Articles to use (the first N).
    #[arg(long, default_value_t = 2000)]
    limit: usize,
    /// Timed rounds (the best of each layer is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

/// Dispatches a benchmark.
pub fn run(what: BenchWhat) -> anyhow::Result<ExitCode> {
    match what {
        BenchWhat::Text(args) => bench_text(args),
        BenchWhat::Ner(args) => ner_cmd::bench(args),
        BenchWhat::Layers(args) => bench_layers(args),
        BenchWhat::Index(args) => corpus_cmd::bench_index(args),
        BenchWhat::Search(args) => corpus_cmd::bench_search(args),
        BenchWhat::Said(args) => crate::entities_cmd::bench_said(args),
        BenchWhat::Relevance(args) => corpus_cmd::bench_relevance(args),
        BenchWhat::Stories(args) => crate::stories_cmd::bench(&args.db, args.runs),
        BenchWhat::Scaling(args) => bench_scaling(args),
    }
}

fn bench_text(args: BenchTextArgs) -> anyhow::Result<ExitCode> {
    // Reading, decompression and JSON parsing are not part of the measured work: load first.
    let load = Instant::now();
    let mut texts: Vec<String> = Vec::new();
    let summary = crate::input::for_each_article(
        std::slice::from_ref(&args.path),
        |_, _| {},
        |a| {
            texts.push(a.title);
            texts.push(a.body);
            Ok(())
        },
    )?;
    summary.report();
    let load_seconds = load.elapsed().as_secs_f64();
    let bytes: usize = texts.iter().map(String::len).sum();
    let analyzer = TextAnalyzer::shared();

    let mut best = f64::INFINITY;
    let mut tokens = 0u64;
    let mut checksum = 0usize;
    for pass in 0..args.passes.max(1) {
        let start = Instant::now();
        let mut n = 0u64;
        for t in &texts {
            analyzer.for_each_token(t, |v| {
                n += 1;
                // keep the work observable so nothing is optimized away
                checksum = checksum.wrapping_add(v.key.len() + v.split.prefix_len());
            });
        }
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "pass {}: {:.3} s, {:.1} MB/s",
            pass + 1,
            secs,
            bytes as f64 / 1e6 / secs
        );
        best = best.min(secs);
        tokens = n;
    }

    let mut baseline = serde_json::Value::Null;
    if !args.no_baseline {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Arabic);
        let start = Instant::now();
        let mut n = 0u64;
        for t in &texts {
            for w in t
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                let lower = w.to_lowercase();
                checksum = checksum.wrapping_add(stemmer.stem(&lower).len());
                n += 1;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        baseline = serde_json::json!({
            "name": "split on non-alphanumerics + lowercase + Snowball Arabic (rust-stemmers)",
            "mb_per_s": bytes as f64 / 1e6 / secs,
            "tokens_per_s": n as f64 / secs,
            "tokens": n,
            "seconds": secs,
        });
        eprintln!(
            "baseline: {:.3} s, {:.1} MB/s",
            secs,
            bytes as f64 / 1e6 / secs
        );
    }
    let result = serde_json::json!({
        "bench": "text",
        "path": args.path,
        "articles": summary.articles,
        "bytes": bytes,
        "tokens": tokens,
        "seconds": best,
        "mb_per_s": bytes as f64 / 1e6 / best,
        "tokens_per_s": tokens as f64 / best,
        "load_seconds": load_seconds,
        "baseline": baseline,
        "peak_rss_mb": peak_rss_mb(),
        "checksum": checksum,
    });
    use std::io::Write;
    writeln!(std::io::stdout(), "{result}")?;
    Ok(ExitCode::SUCCESS)
}

/// Peak resident memory of this process (VmHWM), in MB to one decimal; `None` where /proc is
/// missing.
pub(crate) fn peak_rss_mb() -> Option<f64> {
    let bytes = khabar_corpus::bench::peak_rss_bytes()?;
    Some((bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0)
}

/// Per article, as the pipeline runs it: the text layers, the entity layer, then quotations and
/// quantities on the finished document. Reports each layer's total (best of the rounds) and
/// what quotations + quantities add relative to the rest of the analysis.
fn bench_layers(args: BenchLayersArgs) -> anyhow::Result<ExitCode> {
    use khabar_analysis::Document;
    use std::time::Duration;
    let mut articles = Vec::new();
    crate::input::for_each_article(
        std::slice::from_ref(&args.path),
        |_, _| {},
        |a| {
            if articles.len() < args.limit {
                articles.push(a);
            }
            Ok(())
        },
    )?;
    let ner = khabar_ner::NerModel::shipped();
    let mut best = [Duration::MAX; 4];
    let (mut quotes, mut quantities) = (0usize, 0usize);
    for _ in 0..args.rounds.max(1) {
        // text, entities, quotations + quantities (all of it), and within the last the
        // coreference and speaker ranking alone.
        let mut t = [Duration::ZERO; 4];
        (quotes, quantities) = (0, 0);
        for a in &articles {
            let t0 = Instant::now();
            let mut doc = Document::from_article(a);
            let t1 = Instant::now();
            doc.entities = khabar_pipeline::entity_layer(ner, &doc);
            let t2 = Instant::now();
            doc.chains = khabar_extract::chains(&doc);
            let c1 = Instant::now();
            doc.quotes = khabar_extract::extract_quotes(&doc);
            let c2 = Instant::now();
            khabar_extract::link_speakers(&mut doc);
            khabar_extract::rank_speakers(&mut doc);
            t[3] += (c1 - t2) + c2.elapsed();
            quotes += doc.quotes.len();
            quantities += khabar_extract::extract_quantities(&doc).len();
            let t3 = Instant::now();
            t[0] += t1 - t0;
            t[1] += t2 - t1;
            t[2] += t3 - t2;
            std::hint::black_box(&doc);
        }
        for i in 0..4 {
            best[i] = best[i].min(t[i]);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (text, entities, extract) = (ms(best[0]), ms(best[1]), ms(best[2]));
    let coref = ms(best[3]);
    eprintln!(
        "{} articles: text {text:.0} ms, entities {entities:.0} ms, quotations + quantities {extract:.0} ms \
         (+{:.1} % of text + entities, +{:.1} % of text alone); of which coreference + speaker \
         linking and ranking {coref:.0} ms ({:.1} % of the whole analysis)",
        articles.len(),
        100.0 * extract / (text + entities),
        100.0 * extract / text,
        100.0 * coref / (text + entities + extract)
    );
    let result = serde_json::json!({
        "bench": "layers",
        "articles": articles.len(),
        "text_ms": text,
        "entities_ms": entities,
        "extract_ms": extract,
        "coref_ranking_ms": coref,
        "coref_ranking_share_of_analysis": coref / (text + entities + extract),
        "quotes": quotes,
        "quantities": quantities,
        "extract_share_of_analysis": extract / (text + entities),
        "extract_share_of_text": extract / text,
    });
    use std::io::Write;
    writeln!(std::io::stdout(), "{result}")?;
    Ok(ExitCode::SUCCESS)
}

/// One article of `bytes` made of `piece` repeated, or of real bodies joined by newlines.
fn long_article(pieces: &[String], bytes: usize) -> khabar_ingest::Article {
    let mut body = String::with_capacity(bytes + 4096);
    'fill: loop {
        for p in pieces {
            if body.len() >= bytes {
                break 'fill;
            }
            body.push_str(p);
            body.push('\n');
        }
    }
    khabar_ingest::Article {
        id: format!("long-{bytes}"),
        title: "مقال طويل".into(),
        body,
        ..Default::default()
    }
}

fn bench_scaling(args: BenchScalingArgs) -> anyhow::Result<ExitCode> {
    let max = (args.max_mb * 1e6) as usize;
    let mut bodies = Vec::new();
    let mut total = 0;
    crate::input::for_each_article(
        std::slice::from_ref(&args.path),
        |_, _| {},
        |a| {
            if total < max {
                total += a.body.len() + 1;
                bodies.push(a.body);
            }
            Ok(())
        },
    )?;
    let pipeline = khabar_pipeline::Pipeline::default();
    // Baseline: the same real text as the separate articles it came from.
    let t0 = Instant::now();
    for b in &bodies {
        let a = khabar_ingest::Article {
            id: "a".into(),
            body: b.clone(),
            ..Default::default()
        };
        std::hint::black_box(pipeline.analyze(&a));
    }
    let separate_s = t0.elapsed().as_secs_f64();
    let separate_mb = total as f64 / 1e6;
    eprintln!(
        "{} separate articles, {separate_mb:.2} MB: {separate_s:.2} s ({:.2} MB/s)",
        bodies.len(),
        separate_mb / separate_s
    );
    let repeated = vec!["قال الوزير إن ".repeat(1000)];
    let mut rows = Vec::new();
    for (name, pieces) in [("news", &bodies), ("repeated-cue", &repeated)] {
        for div in [8, 4, 2, 1] {
            let article = long_article(pieces, max / div);
            let mb = article.body.len() as f64 / 1e6;
            let t = Instant::now();
            let doc = pipeline.analyze(&article);
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "{name:>12} {mb:6.2} MB: {secs:6.2} s ({:.2} MB/s), {} quotations, {} entities",
                mb / secs,
                doc.quotes.len(),
                doc.entities.len()
            );
            rows.push(serde_json::json!({"text": name, "mb": mb, "seconds": secs,
                "mb_per_s": mb / secs, "quotes": doc.quotes.len()}));
        }
    }
    let result = serde_json::json!({
        "bench": "scaling",
        "separate_articles": {"articles": bodies.len(), "mb": separate_mb, "seconds": separate_s,
            "mb_per_s": separate_mb / separate_s},
        "long_articles": rows,
    });
    use std::io::Write;
    writeln!(std::io::stdout(), "{result}")?;
    Ok(ExitCode::SUCCESS)
}
