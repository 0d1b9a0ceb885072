//! Benchmarks: search latency and headline → article relevance.

use crate::analyzer::{query_terms, AnalyzerKind, KeyMode};
use crate::ranking::{text_clauses, Ranking, TextFields};
use crate::{Result, SearchRequest, Searcher};
use khabar_ingest::Record;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::BooleanQuery;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED};
use tantivy::{Index, TantivyDocument};

/// A small deterministic generator (SplitMix64): the benchmark samples are the same on
/// every machine and build.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `k` distinct indices below `n`, in sampling order (partial Fisher-Yates).
    pub fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + (self.next_u64() % (n - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx.truncate(k);
        idx
    }
}

/// Peak resident memory of this process (VmHWM), in bytes, where /proc tells.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Latency figures of a search benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyReport {
    /// Queries run.
    pub queries: usize,
    /// Documents in the index.
    pub docs: u64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 90th percentile, ms.
    pub p90_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Mean number of matching documents.
    pub mean_total: f64,
}

/// The headlines of `n` articles of the corpus in `dir`, sampled with `seed`.
pub fn sample_headlines(dir: &Path, n: usize, seed: u64) -> Result<Vec<String>> {
    let corpus = crate::Corpus::open_existing(dir)?;
    let mut st = corpus
        .db
        .prepare("SELECT title FROM articles WHERE title <> '' ORDER BY id")?;
    let titles: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut rng = SplitMix64::new(seed);
    Ok(rng
        .sample(titles.len(), n)
        .into_iter()
        .map(|i| titles[i].clone())
        .collect())
}

/// Runs every query (full search: BM25 top `limit`, total count, snippets) once after a
/// warm-up pass over the first 100, and reports latency percentiles.
pub fn search_latency(dir: &Path, queries: &[String], limit: usize) -> Result<LatencyReport> {
    let searcher = Searcher::open(dir)?;
    let req = |q: &str| SearchRequest {
        query: q.to_string(),
        limit,
        ..Default::default()
    };
    for q in queries.iter().take(100) {
        searcher.search(&req(q))?;
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut totals = 0usize;
    for q in queries {
        let t = Instant::now();
        let r = searcher.search(&req(q))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        totals += r.total;
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
        times[i]
    };
    let n = times.len().max(1) as f64;
    Ok(LatencyReport {
        queries: times.len(),
        docs: searcher.num_docs(),
        p50_ms: pct(0.50),
        p90_ms: pct(0.90),
        p99_ms: pct(0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
        mean_ms: times.iter().sum::<f64>() / n,
        mean_total: totals as f64 / n,
    })
}

/// Options of the relevance benchmark.
#[derive(Debug, Clone)]
pub struct RelevanceOptions {
    /// Article inputs (JSONL files).
    pub inputs: Vec<PathBuf>,
    /// Number of query headlines.
    pub queries: usize,
    /// Sampling seed.
    pub seed: u64,
    /// Only articles whose id starts with this give queries (`snn/`: SaudiNewsNet).
    pub query_id_prefix: String,
    /// Cut-off of the metrics.
    pub k: usize,
    /// Analyzers to compare, each with a ranking.
    pub analyzers: Vec<(AnalyzerKind, Ranking)>,
    /// Where the temporary indexes go (a fresh temp dir when `None`).
    pub work_dir: Option<PathBuf>,
}

impl Default for RelevanceOptions {
    fn default() -> Self {
        RelevanceOptions {
            inputs: Vec::new(),
            queries: 2000,
            seed: 42,
            query_id_prefix: "snn/".into(),
            k: 10,
            analyzers: default_analyzers(),
            work_dir: None,
        }
    }
}

/// Whitespace, tantivy's stock Arabic chain and the khabar ablation ladder under plain
/// BM25 (the analyzer comparison), then the ranking signals of [`crate::ranking`] on the
/// stock and the corpus analyzers.
pub fn default_analyzers() -> Vec<(AnalyzerKind, Ranking)> {
    let k = |mode, stopwords| AnalyzerKind::Khabar { mode, stopwords };
    let mut rows: Vec<(AnalyzerKind, Ranking)> = [
        AnalyzerKind::Whitespace,
        AnalyzerKind::Simple,
        AnalyzerKind::StockArabic,
        k(KeyMode::Norm, false),
        k(KeyMode::Clitics, false),
        k(KeyMode::Stem, false),
        k(KeyMode::Norm, true),
        k(KeyMode::Stem, true),
        k(KeyMode::Aggressive, false),
        k(KeyMode::Residual, false),
        k(KeyMode::Dual, false),
        k(KeyMode::Dual, true),
    ]
    .into_iter()
    .map(|a| (a, Ranking::BM25))
    .collect();
    for a in [AnalyzerKind::StockArabic, AnalyzerKind::CORPUS] {
        for r in [Ranking::LEAD, Ranking::PAIRS, Ranking::KHABAR] {
            rows.push((a, r));
        }
    }
    rows
}

/// The scores of one analyzer.
#[derive(Debug, Clone, Serialize)]
pub struct RelevanceRow {
    /// Analyzer name.
    pub analyzer: String,
    /// Ranking name ([`Ranking::name`]).
    pub ranking: String,
    /// Mean reciprocal rank of the source article within the top k.
    pub mrr: f64,
    /// Share of queries whose article is in the top k.
    pub recall: f64,
    /// Seconds to build the index.
    pub index_seconds: f64,
    /// Mean query time, ms.
    pub query_ms: f64,
    /// Distinct terms in the index.
    pub terms: u64,
    /// Per query: the rank (0-based) of the article within the top k, if found.
    #[serde(skip)]
    pub ranks: Vec<Option<usize>>,
}

/// The result of the relevance benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct RelevanceReport {
    /// Documents (bodies) indexed.
    pub documents: usize,
    /// Queries run.
    pub queries: usize,
    /// Cut-off.
    pub k: usize,
    /// Seed of the sample.
    pub seed: u64,
    /// One row per analyzer.
    pub rows: Vec<RelevanceRow>,
    /// The query headlines, in order.
    #[serde(skip)]
    pub headlines: Vec<String>,
}

/// Headline → article retrieval: the bodies (headlines removed) are indexed with each
/// analyzer, and the headlines of a fixed random sample are run as OR-queries of their
/// terms; the article the headline came from is the one relevant document. `on_row` sees
/// each row as it is done.
pub fn relevance(
    opts: &RelevanceOptions,
    on_row: &mut dyn FnMut(&RelevanceRow),
) -> Result<RelevanceReport> {
    let mut ids: Vec<String> = Vec::new();
    let mut bodies: Vec<String> = Vec::new();
    let mut titles: Vec<(usize, String)> = Vec::new();
    let (files, _) = crate::sources::expand(&opts.inputs);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    for input in &files {
        crate::sources::read(input, &bytes, &mut |rec| {
            if let Record::Article(a) = rec {
                if a.id.starts_with(&opts.query_id_prefix) && !a.title.trim().is_empty() {
                    titles.push((ids.len(), a.title));
                }
                ids.push(a.id);
                bodies.push(a.body);
            }
        });
    }
    let mut rng = SplitMix64::new(opts.seed);
    let sample: Vec<(usize, String)> = rng
        .sample(titles.len(), opts.queries)
        .into_iter()
        .map(|i| titles[i].clone())
        .collect();
    let tmp;
    let work = match &opts.work_dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let mut rows = Vec::new();
    for (n, (kind, ranking)) in opts.analyzers.iter().enumerate() {
        let row = relevance_one(
            &work.join(format!("idx{n}")),
            *kind,
            *ranking,
            &bodies,
            &sample,
            opts.k,
        )?;
        on_row(&row);
        rows.push(row);
    }
    Ok(RelevanceReport {
        documents: bodies.len(),
        queries: sample.len(),
        k: opts.k,
        seed: opts.seed,
        rows,
        headlines: sample.into_iter().map(|(_, h)| h).collect(),
    })
}

fn relevance_one(
    dir: &Path,
    kind: AnalyzerKind,
    ranking: Ranking,
    bodies: &[String],
    queries: &[(usize, String)],
    k: usize,
) -> Result<RelevanceRow> {
    std::fs::create_dir_all(dir)?;
    let mut b = Schema::builder();
    let idx = TextFieldIndexing::default()
        .set_tokenizer("bench")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let body = b.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(idx.clone()),
    );
    let lead = b.add_text_field(
        "lead",
        TextOptions::default()
            .set_indexing_options(idx.set_index_option(IndexRecordOption::WithFreqs)),
    );
    let n = b.add_u64_field("n", STORED);
    let index = Index::create_in_dir(dir, b.build())?;
    index.tokenizers().register("bench", kind.build());
    let t = Instant::now();
    {
        // One thread and a large arena: one segment, so the term count is exact.
        let mut w = index.writer_with_num_threads::<TantivyDocument>(1, 2 << 30)?;
        for (i, text) in bodies.iter().enumerate() {
            let mut d = TantivyDocument::default();
            d.add_text(body, text);
            if ranking.lead_boost.is_some() {
                d.add_text(lead, crate::ranking::lead(text));
            }
            d.add_u64(n, i as u64);
            w.add_document(d)?;
        }
        w.commit()?;
        w.wait_merging_threads()?;
    }
    let index_seconds = t.elapsed().as_secs_f64();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let terms: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| {
            s.inverted_index(body)
                .map(|ii| ii.terms().num_terms() as u64)
                .unwrap_or(0)
        })
        .sum();
    let mut analyzer = kind.build();
    let fields = TextFields {
        title: None,
        body,
        lead: Some(lead),
    };
    let (mut rr, mut hits) = (0.0, 0usize);
    let mut ranks = Vec::with_capacity(queries.len());
    let t = Instant::now();
    for (target, headline) in queries {
        ranks.push(None);
        // The same query construction as `khabar search` (without the title field).
        let terms = query_terms(&mut analyzer, headline);
        let clauses = text_clauses(fields, ranking, &terms);
        if clauses.is_empty() {
            continue;
        }
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(k).order_by_score(),
        )?;
        for (rank, (_, addr)) in top.iter().enumerate() {
            let d: TantivyDocument = searcher.doc(*addr)?;
            if d.get_first(n).and_then(|v| v.as_u64()) == Some(*target as u64) {
                rr += 1.0 / (rank + 1) as f64;
                hits += 1;
                if let Some(last) = ranks.last_mut() {
                    *last = Some(rank);
                }
                break;
            }
        }
    }
    let q = queries.len().max(1) as f64;
    Ok(RelevanceRow {
        analyzer: kind.name(),
        ranking: ranking.name().to_string(),
        mrr: rr / q,
        recall: hits as f64 / q,
        index_seconds,
        query_ms: t.elapsed().as_secs_f64() * 1000.0 / q,
        terms,
        ranks,
    })
}

/// Size of one file (0 when missing).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
