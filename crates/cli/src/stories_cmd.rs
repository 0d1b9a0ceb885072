//! `khabar stories`, `khabar story`, `khabar duplicates` and `khabar eval stories`: the same
//! news across outlets.

use crate::corpus_cmd::Format;
use anyhow::Context;
use clap::Args;
use khabar_corpus::{Corpus, StoriesRequest, StoryRecord};
use khabar_stories::Params;
use rustc_hash::FxHashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `khabar stories`.
#[derive(Args)]
pub struct StoriesArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Stories with news on or after this date.
    #[arg(long)]
    from: Option<String>,
    /// Stories with news on or before this date.
    #[arg(long)]
    to: Option<String>,
    /// Smallest story listed, in articles.
    #[arg(long, default_value_t = 2)]
    min_size: usize,
    /// Most stories listed (largest first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Output format: text, or json (NDJSON: one story a line).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn print_story_head(out: &mut impl Write, s: &StoryRecord) -> std::io::Result<()> {
    writeln!(
        out,
        "story {} — {} articles, {} outlets, {} … {}",
        s.id,
        s.size,
        s.sources.len(),
        s.first.as_deref().unwrap_or("undated"),
        s.last.as_deref().unwrap_or("undated")
    )?;
    writeln!(out, "  {}", s.title)?;
    if !s.keywords.is_empty() {
        let k: Vec<&str> = s.keywords.iter().take(8).map(|k| k.text.as_str()).collect();
        writeln!(out, "  keywords: {}", k.join("، "))?;
    }
    Ok(())
}

/// `khabar stories`: the corpus's stories, largest first.
pub fn stories(args: StoriesArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let list = corpus.stories(&StoriesRequest {
        from: args.from,
        to: args.to,
        min_size: args.min_size,
        limit: args.limit,
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for s in &list {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut out, s)?;
                writeln!(out)?;
            }
            Format::Text => {
                print_story_head(&mut out, s)?;
                let src: Vec<String> = s
                    .sources
                    .iter()
                    .map(|x| format!("{} ({})", x.source, x.first.as_deref().unwrap_or("?")))
                    .collect();
                writeln!(out, "  outlets: {}\n", src.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar story`.
#[derive(Args)]
pub struct StoryArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Story id (from `khabar stories` or a search hit's `story`).
    id: i64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar story`: one story with its articles by time.
pub fn story(args: StoryArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let Some((s, articles)) = corpus.story(args.id)? else {
        anyhow::bail!("no story {} in {}", args.id, args.db.display());
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.format == Format::Json {
        let mut v = serde_json::to_value(&s)?;
        v["articles"] = serde_json::to_value(&articles)?;
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    print_story_head(&mut out, &s)?;
    if !s.entities.is_empty() {
        let e: Vec<String> = s
            .entities
            .iter()
            .map(|e| format!("{} [{}]", e.name, e.kind))
            .collect();
        writeln!(out, "  entities: {}", e.join("، "))?;
    }
    if !s.summary.is_empty() {
        writeln!(out, "\nsummary:")?;
        for x in &s.summary {
            writeln!(out, "  • {}  [{}]", x.text, x.article)?;
        }
    }
    writeln!(out, "\narticles:")?;
    for a in &articles {
        writeln!(
            out,
            "  {}  {:<14} {}  {}{}",
            a.date.as_deref().unwrap_or("undated"),
            a.source.as_deref().unwrap_or("?"),
            a.id,
            a.title,
            a.duplicate_of
                .as_deref()
                .map(|d| format!("  (copy of {d})"))
                .unwrap_or_default()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar duplicates`.
#[derive(Args)]
pub struct DuplicatesArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Most groups listed (largest first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Output format: text, or json (NDJSON: one group a line).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar duplicates`: groups of near-copies of one text.
pub fn duplicates(args: DuplicatesArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let groups = corpus.duplicates(args.limit)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for g in &groups {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut out, g)?;
                writeln!(out)?;
            }
            Format::Text => {
                writeln!(out, "group {} — {} copies", g.group, g.articles.len())?;
                for m in &g.articles {
                    writeln!(
                        out,
                        "  {:.2}  {}  {:<14} {}",
                        m.similarity,
                        m.date.as_deref().unwrap_or("undated"),
                        m.source.as_deref().unwrap_or("?"),
                        m.id
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- evaluation

/// Judged pairs shipped with khabar.
const PAIRS: &str = "crates/stories/eval/pairs.tsv";

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    Dev,
    Blind,
}

/// Arguments of `khabar eval stories`.
#[derive(Args)]
pub struct EvalStoriesArgs {
    /// A corpus holding the judged articles (index ../shared/data/news into it).
    #[arg(long)]
    db: PathBuf,
    /// Judged pairs (`a<TAB>b<TAB>same|related|different<TAB>dev|blind<TAB>unsure`).
    #[arg(long, default_value = PAIRS)]
    pairs: PathBuf,
    /// Which split to score.
    #[arg(long, value_enum, default_value_t = Split::Dev)]
    split: Split,
    /// Also print the scores over a range of thresholds (dev only).
    #[arg(long)]
    sweep: bool,
    /// Print the pairs the clustering gets wrong (dev only): gold, predicted, pair
    /// similarity, the two stories' sizes, ids and headlines.
    #[arg(long)]
    show: bool,
    /// Also measure the near-duplicate recall of word-for-word copies.
    #[arg(long)]
    duplicates: bool,
    /// Clustering threshold (default: the shipped one).
    #[arg(long)]
    threshold: Option<f32>,
    /// Weight of headline words (default: the shipped one).
    #[arg(long)]
    title_weight: Option<f32>,
    /// Weight of linked entities (default: the shipped one).
    #[arg(long)]
    entity_weight: Option<f32>,
    /// Weight of specific numbers (default: the shipped one).
    #[arg(long)]
    number_weight: Option<f32>,
    /// Compare with story centroids instead of the mean over the story's articles.
    #[arg(long)]
    centroid: bool,
    /// Headline pairs of the Arabic News Stance corpus (`s1,s2,stance`): the share of each
    /// stance the similarity calls the same story, headlines alone.
    #[arg(long)]
    ans: Option<PathBuf>,
    /// Write each dev pair's similarity features (TSV) to this file, for model fitting.
    #[arg(long)]
    dump_features: Option<PathBuf>,
}

struct Judged {
    a: usize,
    b: usize,
    same: bool,
}

use crate::names_cmd::Counts;

fn read_pairs(
    path: &PathBuf,
    split: Split,
    index: &FxHashMap<&str, usize>,
) -> anyhow::Result<Vec<Judged>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let want = match split {
        Split::Dev => "dev",
        Split::Blind => "blind",
    };
    let mut out = Vec::new();
    let mut missing = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 || !matches!(f[2], "same" | "related" | "different") {
            eprintln!(
                "khabar: {}:{}: malformed pair, skipped",
                path.display(),
                n + 1
            );
            continue;
        }
        if f[3] != want {
            continue;
        }
        match (index.get(f[0]), index.get(f[1])) {
            (Some(&a), Some(&b)) => out.push(Judged {
                a,
                b,
                same: f[2] == "same",
            }),
            _ => missing += 1,
        }
    }
    if missing > 0 {
        eprintln!("khabar: {missing} judged pairs name articles not in the corpus (skipped)");
    }
    Ok(out)
}

/// `khabar eval stories`: pairwise precision, recall and F1 of "same story" on judged
/// pairs, for the clustering and for a TF-IDF cosine threshold baseline.
pub fn eval(a: EvalStoriesArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let corpus = Corpus::open_existing(&a.db)?;
    let loaded = corpus.load_story_inputs()?;
    let index: FxHashMap<&str, usize> = loaded
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let pairs = read_pairs(&a.pairs, a.split, &index)?;
    anyhow::ensure!(!pairs.is_empty(), "no judged pair found in the corpus");
    let inputs = loaded.inputs();
    let d = Params::default();
    let params = Params {
        threshold: a.threshold.unwrap_or(d.threshold),
        title_weight: a.title_weight.unwrap_or(d.title_weight),
        entity_weight: a.entity_weight.unwrap_or(d.entity_weight),
        number_weight: a.number_weight.unwrap_or(d.number_weight),
        linkage: if a.centroid {
            khabar_stories::Linkage::Centroid
        } else {
            d.linkage
        },
        ..d
    };
    let score_clustering = |p: &Params| {
        let c = khabar_stories::cluster(&inputs, p);
        let mut prf = Counts::default();
        for j in &pairs {
            prf.add(j.same, c.story_of[j.a] == c.story_of[j.b]);
        }
        (prf, c)
    };
    let vecs = khabar_stories::article_vectors(&inputs);
    // the baseline: cosine of the content-term vectors alone
    let base_sims: Vec<f32> = pairs
        .iter()
        .map(|j| khabar_stories::cosine(&vecs[j.a][0], &vecs[j.b][0]))
        .collect();
    let score_baseline = |t: f32| {
        let mut prf = Counts::default();
        for (j, s) in pairs.iter().zip(&base_sims) {
            prf.add(j.same, *s >= t);
        }
        prf
    };
    if let Some(path) = a.dump_features.as_ref().filter(|_| a.split == Split::Dev) {
        let mut out = String::from("same\tterms\ttitle\tentities\tnumbers\tminhash\thours\n");
        for j in &pairs {
            let hours = match (inputs[j.a].time, inputs[j.b].time) {
                (Some(x), Some(y)) => (x - y).abs() as f32 / 3600.0,
                _ => -1.0,
            };
            let cos = |c: usize| khabar_stories::cosine(&vecs[j.a][c], &vecs[j.b][c]);
            out.push_str(&format!(
                "{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.1}\n",
                j.same as u8,
                cos(0),
                cos(1),
                cos(2),
                cos(3),
                khabar_stories::minhash::similarity(
                    &inputs[j.a].features.signature,
                    &inputs[j.b].features.signature
                ),
                hours
            ));
        }
        std::fs::write(path, out)?;
    }
    if a.sweep && a.split == Split::Dev {
        writeln!(
            out,
            "threshold  clustering P/R/F1      baseline (t/2) P/R/F1"
        )?;
        for k in 10..=40 {
            let t = k as f32 / 40.0;
            let (c, _) = score_clustering(&Params {
                threshold: t,
                ..params
            });
            let b = score_baseline(t / 2.0);
            let (cp, cr, cf) = c.prf();
            let (bp, br, bf) = b.prf();
            writeln!(
                out,
                "{t:9.2}  {cp:.3} {cr:.3} {cf:.3}    {bp:.3} {br:.3} {bf:.3}"
            )?;
        }
    }
    let (prf, c) = score_clustering(&params);
    if a.show && a.split == Split::Dev {
        for j in pairs
            .iter()
            .filter(|j| j.same != (c.story_of[j.a] == c.story_of[j.b]))
        {
            let sim = khabar_stories::pair_similarity(&vecs[j.a], &vecs[j.b], &params);
            let (sa, sb) = (&c.stories[c.story_of[j.a]], &c.stories[c.story_of[j.b]]);
            eprintln!(
                "{}\t{}\t{sim:.3}\t{}\t{}\t{}\t{}\t{}",
                j.same as u8,
                (c.story_of[j.a] == c.story_of[j.b]) as u8,
                sa.members.len(),
                sb.members.len(),
                loaded.ids[j.a],
                loaded.ids[j.b],
                loaded.titles[j.a].chars().take(40).collect::<String>()
                    + " || "
                    + &loaded.titles[j.b].chars().take(40).collect::<String>()
            );
        }
    }
    let same = pairs.iter().filter(|j| j.same).count();
    writeln!(
        out,
        "{} pairs ({same} same story), split {}",
        pairs.len(),
        if a.split == Split::Dev {
            "dev"
        } else {
            "blind"
        }
    )?;
    writeln!(out, "| method | P | R | F1 |\n|---|---|---|---|")?;
    let (p, r, f) = prf.prf();
    writeln!(
        out,
        "| khabar stories (threshold {:.2}) | {p:.3} | {r:.3} | {f:.3} |",
        params.threshold
    )?;
    let (p, r, f) = score_baseline(BASELINE_THRESHOLD).prf();
    writeln!(out,
        "| TF-IDF cosine ≥ {BASELINE_THRESHOLD:.2} (baseline, threshold best on dev) | {p:.3} | {r:.3} | {f:.3} |"
    )?;
    let multi = c.stories.iter().filter(|s| s.members.len() > 1).count();
    writeln!(
        out,
        "\n{} articles → {} stories ({} of two articles or more), {} near-duplicate groups",
        inputs.len(),
        c.stories.len(),
        multi,
        c.duplicates.len()
    )?;
    if let Some(path) = &a.ans {
        headline_pairs(&mut out, path, &params)?;
    }
    if a.duplicates {
        drop(out);
        duplicate_recall(&corpus, &index, &c)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Headline pairs alone: each headline is an article without a body, document frequencies
/// come from the file's headlines, and a pair is the same story when its similarity reaches
/// the clustering threshold (the baseline: content cosine ≥ its threshold).
fn headline_pairs(out: &mut impl Write, path: &PathBuf, params: &Params) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut pairs: Vec<(String, String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.rsplitn(2, ',').collect();
        let Some((head, stance)) = f.get(1).zip(f.first()) else {
            eprintln!(
                "khabar: {}:{}: malformed pair, skipped",
                path.display(),
                n + 1
            );
            continue;
        };
        let Some((s1, s2)) = head.split_once(',') else {
            eprintln!(
                "khabar: {}:{}: malformed pair, skipped",
                path.display(),
                n + 1
            );
            continue;
        };
        pairs.push((s1.to_string(), s2.to_string(), stance.trim().to_string()));
    }
    let table = khabar_keywords::TermTable::shipped();
    let features: Vec<khabar_stories::Features> = pairs
        .iter()
        .flat_map(|(a, b, _)| [a, b])
        .map(|t| {
            let doc = khabar_analysis::Document::from_article(&khabar_ingest::Article {
                title: t.clone(),
                ..Default::default()
            });
            khabar_stories::Features::from_document(&doc, table)
        })
        .collect();
    let ids: Vec<String> = (0..features.len()).map(|i| i.to_string()).collect();
    let inputs: Vec<khabar_stories::Input> = features
        .iter()
        .zip(&ids)
        .map(|(f, id)| khabar_stories::Input {
            id,
            time: None,
            features: f,
            entities: &[],
        })
        .collect();
    let vecs = khabar_stories::article_vectors(&inputs);
    let mut by: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    for (k, (_, _, stance)) in pairs.iter().enumerate() {
        let (x, y) = (&vecs[2 * k], &vecs[2 * k + 1]);
        let e = by.entry(stance.as_str()).or_default();
        e.0 += 1;
        e.1 += (khabar_stories::pair_similarity(x, y, params) >= params.threshold) as usize;
        e.2 += (khabar_stories::cosine(&x[0], &y[0]) >= BASELINE_THRESHOLD) as usize;
    }
    writeln!(
        out,
        "\nheadline pairs ({}): share called the same story",
        path.display()
    )?;
    writeln!(
        out,
        "| stance | pairs | khabar | baseline |\n|---|---|---|---|"
    )?;
    for (stance, (n, k, b)) in by {
        writeln!(
            out,
            "| {stance} | {n} | {:.3} | {:.3} |",
            k as f64 / n.max(1) as f64,
            b as f64 / n.max(1) as f64
        )?;
    }
    Ok(())
}

/// The baseline's threshold, the best F1 on the dev split (`--sweep`).
const BASELINE_THRESHOLD: f32 = 0.30;

/// Recall of word-for-word copies: pairs of articles whose bodies are the same words (after
/// normalization), and pairs equal once the first and last 15 words (dateline, signature)
/// are dropped, must share a near-duplicate group.
fn duplicate_recall(
    corpus: &Corpus,
    index: &FxHashMap<&str, usize>,
    c: &khabar_stories::Clustering,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut group_of = vec![usize::MAX; index.len()];
    for (g, d) in c.duplicates.iter().enumerate() {
        for &(m, _) in &d.members {
            group_of[m] = g;
        }
    }
    let analyzer = khabar_text::TextAnalyzer::shared();
    let mut exact: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    let mut trimmed: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    corpus.for_each_body(&mut |id, body| {
        let Some(&i) = index.get(id) else { return };
        let words: Vec<u64> = analyzer
            .tokenize(body)
            .iter()
            .filter(|t| t.kind != khabar_text::TokenKind::Punct)
            .map(|t| khabar_stories::minhash::stable_hash(&t.norm))
            .collect();
        if words.len() < 20 {
            return; // too short to call a copy
        }
        let h = |w: &[u64]| w.iter().fold(0u64, |h, x| h.rotate_left(5) ^ x);
        exact.entry(h(&words)).or_default().push(i);
        if words.len() >= 60 {
            trimmed
                .entry(h(&words[15..words.len() - 15]))
                .or_default()
                .push(i);
        }
    })?;
    for (name, groups) in [
        ("identical bodies", &exact),
        ("identical but the first and last 15 words", &trimmed),
    ] {
        let (mut pairs, mut found) = (0usize, 0usize);
        for members in groups.values() {
            for x in 0..members.len() {
                for y in x + 1..members.len() {
                    pairs += 1;
                    let (g1, g2) = (group_of[members[x]], group_of[members[y]]);
                    if g1 != usize::MAX && g1 == g2 {
                        found += 1;
                    }
                }
            }
        }
        writeln!(
            out,
            "near-duplicate recall, {name}: {found}/{pairs} = {:.4}",
            found as f64 / pairs.max(1) as f64
        )?;
    }
    Ok(())
}

/// `khabar bench stories`: time to rebuild the stories of a corpus.
pub fn bench(db: &PathBuf, runs: usize) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let corpus = Corpus::open_existing(db)?;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let r = corpus.rebuild_stories(&Params::default(), &mut |id, why| {
            eprintln!("khabar: article {id}: {why}")
        })?;
        times.push(r.seconds);
        last = Some(r);
    }
    let r = last.expect("one run at least");
    times.sort_by(|a, b| a.total_cmp(b));
    writeln!(out,
        "stories: {} articles → {} stories ({} of 2+), {} duplicate groups; rebuild median {:.2} s (min {:.2}, max {:.2}, {} runs)",
        r.articles,
        r.stories,
        r.multi_article,
        r.duplicate_groups,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
