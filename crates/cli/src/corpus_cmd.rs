//! `khabar index`, `khabar search`, `khabar stats`, and the corpus benchmarks
//! (`khabar bench index|search|relevance`).

use anyhow::Context;
use clap::{Args, ValueEnum};
use khabar_corpus::bench::{self, RelevanceOptions};
use khabar_corpus::{Corpus, IndexOptions, SearchRequest, SearchResults, Searcher};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The shared news files, relative to the project root.
const NEWS: [&str; 2] = [
    "../shared/data/news/saudinewsnet-2015.jsonl.gz",
    "../shared/data/news/ant-v1.1.jsonl.gz",
];

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `khabar index`.
#[derive(Args)]
pub struct IndexArgs {
    /// Corpus directory (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// Inputs: JSONL (.jsonl/.gz/.zst), .txt, .html, RSS/Atom, WARC files, directories, `-`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Exit with status 1 when any record was rejected.
    #[arg(long)]
    strict: bool,
    /// Articles per commit.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// Analysis threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Re-analyze articles even when stored unchanged.
    #[arg(long)]
    force: bool,
    /// Entities from the full NER model (linear passes + neural stage, as `khabar
    /// analyze`): 0.7 F1 better entities, about 1.6× slower indexing. By default the corpus
    /// is indexed with the linear passes only.
    #[arg(long)]
    full_ner: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// `khabar index`: ingest, analyze and index articles.
pub fn index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let mut corpus = Corpus::open(&args.db)
        .with_context(|| format!("cannot open corpus {}", args.db.display()))?;
    let opts = IndexOptions {
        batch_size: args.batch,
        threads: args.threads,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        force: args.force,
        fast_entities: !args.full_ner,
        ..Default::default()
    };
    let mut shown = 0usize;
    let report = khabar_corpus::index_inputs(&mut corpus, &args.inputs, &opts, &mut |r| {
        shown += 1;
        eprintln!("rejected: {r}");
    })?;
    let mb = report.bytes as f64 / 1e6;
    eprintln!(
        "{} files, {} articles read: {} indexed, {} unchanged, {} rejected; {:.1} s, {:.0} articles/s, {:.1} MB/s of text ({:.1} MB/s of input); corpus: {} articles",
        report.files,
        report.articles,
        report.indexed,
        report.unchanged,
        report.rejected,
        report.seconds,
        report.articles as f64 / report.seconds.max(1e-9),
        report.text_bytes as f64 / 1e6 / report.seconds.max(1e-9),
        mb / report.seconds.max(1e-9),
        corpus.article_count()?,
    );
    if let Some(s) = &report.stories {
        eprintln!(
            "stories: {} articles in {} stories ({} of two articles or more), {} near-duplicate groups; {:.1} s",
            s.articles, s.stories, s.multi_article, s.duplicate_groups, s.seconds
        );
    }
    Ok(if args.strict && report.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Arguments of `khabar search`.
#[derive(Args)]
pub struct SearchArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Query: words (OR, ranked by BM25) and "quoted phrases" (required).
    #[arg(required_unless_present = "queries")]
    query: Option<String>,
    /// Run one query per line of FILE, printing one JSON line per query.
    #[arg(long, conflicts_with = "query")]
    queries: Option<PathBuf>,
    /// Only this outlet.
    #[arg(long)]
    source: Option<String>,
    /// Only articles from this day on (2015-07-21, 21/07/2015, ...).
    #[arg(long)]
    from: Option<String>,
    /// Only articles up to this day.
    #[arg(long)]
    to: Option<String>,
    /// Only articles mentioning this entity.
    #[arg(long)]
    entity: Option<String>,
    /// Only articles quoting this speaker.
    #[arg(long)]
    speaker: Option<String>,
    /// Number of hits.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar search`: BM25 search with filters and highlighted snippets.
pub fn search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let searcher = Searcher::open(&args.db)?;
    let request = |q: &str| SearchRequest {
        query: q.to_string(),
        limit: args.limit,
        source: args.source.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        entity: args.entity.clone(),
        speaker: args.speaker.clone(),
        snippet_chars: 0,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(path) = &args.queries {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        // Lines are read as bytes: a line that is not UTF-8 is reported with its number and
        // skipped, and the queries after it still run.
        for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
            let line = line.with_context(|| format!("cannot read {}", path.display()))?;
            let Ok(line) = std::str::from_utf8(&line) else {
                eprintln!(
                    "khabar: {}:{}: query is not valid UTF-8, skipped",
                    path.display(),
                    n + 1
                );
                continue;
            };
            let q = line.trim();
            if q.is_empty() {
                continue;
            }
            let r = searcher.search(&request(q))?;
            serde_json::to_writer(&mut out, &r)?;
            writeln!(out)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = searcher.search(&request(args.query.as_deref().unwrap_or("")))?;
    match args.format {
        Format::Json => {
            serde_json::to_writer(&mut out, &r)?;
            writeln!(out)?;
        }
        Format::Text => print_hits(&mut out, &r, std::io::stdout().is_terminal())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_hits(out: &mut impl Write, r: &SearchResults, color: bool) -> anyhow::Result<()> {
    writeln!(out, "{} results ({:.1} ms)", r.total, r.took_ms)?;
    for (i, h) in r.hits.iter().enumerate() {
        let meta: Vec<&str> = [h.source.as_deref(), h.date.as_deref(), Some(h.id.as_str())]
            .into_iter()
            .flatten()
            .collect();
        writeln!(out)?;
        if color {
            writeln!(
                out,
                "{}. \x1b[1m{}\x1b[0m  [{:.2}]",
                i + 1,
                h.title,
                h.score
            )?;
            writeln!(out, "   \x1b[2m{}\x1b[0m", meta.join(" · "))?;
        } else {
            writeln!(out, "{}. {}  [{:.2}]", i + 1, h.title, h.score)?;
            writeln!(out, "   {}", meta.join(" · "))?;
        }
        let (on, off) = if color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("[", "]")
        };
        let mut s = String::new();
        let mut last = 0;
        for range in &h.highlights {
            if range.start < last || range.end > h.fragment.len() {
                continue;
            }
            s.push_str(&h.fragment[last..range.start]);
            s.push_str(on);
            s.push_str(&h.fragment[range.clone()]);
            s.push_str(off);
            last = range.end;
        }
        s.push_str(&h.fragment[last..]);
        writeln!(out, "   {}", s.replace('\n', " "))?;
    }
    Ok(())
}

/// Arguments of `khabar stats`.
#[derive(Args)]
pub struct StatsArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Entries per list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Days listed in the text output (the most recent; 0: all). JSON lists all.
    #[arg(long, default_value_t = 31)]
    days: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar stats`: articles per source and day, top entities and speakers.
pub fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let s = khabar_corpus::stats(&corpus, args.top)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.format == Format::Json {
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} articles ({} in the index), {} entity mentions, {} quotations, {:.1} MB on disk",
        s.articles,
        s.indexed,
        s.entities,
        s.quotes,
        s.disk_bytes as f64 / 1e6
    )?;
    let table = |out: &mut dyn Write,
                 title: &str,
                 rows: &[khabar_corpus::Count],
                 articles: bool|
     -> std::io::Result<()> {
        writeln!(out, "\n{title}")?;
        if rows.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for r in rows {
            if articles {
                writeln!(out, "  {:>8}  {:>8}  {}", r.count, r.articles, r.name)?;
            } else {
                writeln!(out, "  {:>8}  {}", r.count, r.name)?;
            }
        }
        Ok(())
    };
    table(&mut out, "articles per source", &s.sources, false)?;
    let days = if args.days == 0 || s.days.len() <= args.days {
        &s.days[..]
    } else {
        &s.days[s.days.len() - args.days..]
    };
    let title = if days.len() < s.days.len() {
        format!(
            "articles per day (last {} of {} days; --days 0 for all)",
            days.len(),
            s.days.len()
        )
    } else {
        "articles per day".to_string()
    };
    table(&mut out, &title, days, false)?;
    if s.top_entities.is_empty() {
        table(&mut out, "top entities (mentions, articles)", &[], true)?;
    }
    for (label, rows) in &s.top_entities {
        table(
            &mut out,
            &format!("top {label} entities (mentions, articles)"),
            rows,
            true,
        )?;
    }
    table(
        &mut out,
        "top named speakers (quotations, articles)",
        &s.top_speakers,
        true,
    )?;
    table(
        &mut out,
        "top unnamed sources (quotations, articles)",
        &s.top_unnamed_speakers,
        true,
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar bench index`.
#[derive(Args)]
pub struct BenchIndexArgs {
    /// Inputs (default: both shared news files).
    inputs: Vec<PathBuf>,
    /// Corpus directory; must not exist yet (default: a temporary directory, removed after).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Analysis threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Articles per commit.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// Entities from the full NER model (as `khabar index --full-ner`).
    #[arg(long)]
    full_ner: bool,
    /// Without linking mentions to corpus entities: the baseline for what linking costs.
    #[arg(long)]
    no_link: bool,
    /// Without keywords, summaries, story features and stories: the baseline for what
    /// they cost.
    #[arg(long)]
    no_stories: bool,
}

/// `khabar bench index`: index from scratch with full analysis; articles/s, MB/s, index size,
/// peak memory.
pub fn bench_index(args: BenchIndexArgs) -> anyhow::Result<ExitCode> {
    let inputs = default_inputs(args.inputs);
    let tmp;
    let dir = match args.db {
        Some(d) => {
            anyhow::ensure!(
                !d.exists(),
                "{} exists; bench index needs a fresh directory",
                d.display()
            );
            d
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().join("corpus")
        }
    };
    let mut corpus = Corpus::open(&dir)?;
    let opts = IndexOptions {
        batch_size: args.batch,
        threads: args.threads,
        progress: std::io::stderr().is_terminal(),
        fast_entities: !args.full_ner,
        link_entities: !args.no_link,
        stories: !args.no_stories,
        ..Default::default()
    };
    let mut rejected = 0usize;
    let report = khabar_corpus::index_inputs(&mut corpus, &inputs, &opts, &mut |_| rejected += 1)?;
    let size = corpus.disk_size();
    let sqlite = khabar_corpus::bench::file_size(&dir.join("khabar.sqlite"));
    let json = serde_json::json!({
        "bench": "index",
        "ner": if args.full_ner { "full: linear passes + neural stage (--full-ner)" } else { "linear passes only (default)" },
        "entity_linking": !args.no_link,
        "stories": !args.no_stories,
        "story_seconds": report.stories.as_ref().map(|s| s.seconds),
        "stories_built": report.stories.as_ref().map(|s| s.stories),
        "articles": report.articles,
        "indexed": report.indexed,
        "rejected": report.rejected,
        "seconds": report.seconds,
        "articles_per_s": report.articles as f64 / report.seconds.max(1e-9),
        "text_mb_per_s": report.text_bytes as f64 / 1e6 / report.seconds.max(1e-9),
        "input_mb_per_s": report.bytes as f64 / 1e6 / report.seconds.max(1e-9),
        "text_mb": report.text_bytes as f64 / 1e6,
        "input_mb": report.bytes as f64 / 1e6,
        "disk_mb": size as f64 / 1e6,
        "sqlite_mb": sqlite as f64 / 1e6,
        "peak_rss_mb": bench::peak_rss_bytes().map(|b| b as f64 / 1e6),
        "threads": rayon::current_num_threads(),
    });
    println!(
        "indexed {} articles ({:.1} MB of text, {:.1} MB input) in {:.1} s: {:.0} articles/s, {:.2} MB/s of text; on disk {:.1} MB (SQLite {:.1} MB); peak RSS {:.0} MB",
        report.articles,
        report.text_bytes as f64 / 1e6,
        report.bytes as f64 / 1e6,
        report.seconds,
        json["articles_per_s"].as_f64().unwrap_or(0.0),
        json["text_mb_per_s"].as_f64().unwrap_or(0.0),
        size as f64 / 1e6,
        sqlite as f64 / 1e6,
        json["peak_rss_mb"].as_f64().unwrap_or(0.0),
    );
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar bench search`.
#[derive(Args)]
pub struct BenchSearchArgs {
    /// Corpus directory (from `khabar index`).
    #[arg(long)]
    db: PathBuf,
    /// Number of queries: headlines of a fixed random sample of the corpus.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// Sampling seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Hits per query.
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

/// `khabar bench search`: latency percentiles of full searches (top hits, count, snippets).
pub fn bench_search(args: BenchSearchArgs) -> anyhow::Result<ExitCode> {
    let queries = bench::sample_headlines(&args.db, args.queries, args.seed)?;
    let r = bench::search_latency(&args.db, &queries, args.limit)?;
    println!(
        "{} queries over {} articles: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms ({:.0} matches per query)",
        r.queries, r.docs, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms, r.mean_ms, r.mean_total
    );
    println!("{}", serde_json::to_string(&r)?);
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar bench relevance`.
#[derive(Args)]
pub struct BenchRelevanceArgs {
    /// Inputs (default: both shared news files).
    inputs: Vec<PathBuf>,
    /// Number of query headlines.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// Sampling seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Articles whose id starts with this give the queries.
    #[arg(long, default_value = "snn/")]
    query_prefix: String,
    /// Metric cut-off.
    #[arg(long, default_value_t = 10)]
    k: usize,
}

/// `khabar bench relevance`: headline → article retrieval (MRR@k, Recall@k) for whitespace,
/// tantivy's stock Arabic analyzer and khabar's analysis steps.
pub fn bench_relevance(args: BenchRelevanceArgs) -> anyhow::Result<ExitCode> {
    let opts = RelevanceOptions {
        inputs: default_inputs(args.inputs),
        queries: args.queries,
        seed: args.seed,
        query_id_prefix: args.query_prefix,
        k: args.k,
        ..Default::default()
    };
    let start = Instant::now();
    println!(
        "{:<56} {:<16} {:>8} {:>8} {:>9} {:>9} {:>10}",
        "analyzer",
        "ranking",
        format!("MRR@{}", opts.k),
        format!("R@{}", opts.k),
        "index s",
        "query ms",
        "terms"
    );
    let report = bench::relevance(&opts, &mut |r| {
        println!(
            "{:<56} {:<16} {:>8.3} {:>8.3} {:>9.1} {:>9.2} {:>10}",
            r.analyzer, r.ranking, r.mrr, r.recall, r.index_seconds, r.query_ms, r.terms
        );
    })?;
    println!(
        "{:<56} {:<16} {:>8.3} {:>8.3}   (Lucene 8, published; another sample)",
        "lucene ArabicAnalyzer", "BM25", 0.598, 0.847
    );
    println!(
        "{:<56} {:<16} {:>8.3} {:>8.3}",
        "lucene StandardAnalyzer", "BM25", 0.571, 0.805
    );
    eprintln!(
        "{} documents, {} queries, seed {}, {:.0} s",
        report.documents,
        report.queries,
        report.seed,
        start.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string(&report)?);
    Ok(ExitCode::SUCCESS)
}

fn default_inputs(inputs: Vec<PathBuf>) -> Vec<PathBuf> {
    if inputs.is_empty() {
        NEWS.iter().map(PathBuf::from).collect()
    } else {
        inputs
    }
}
