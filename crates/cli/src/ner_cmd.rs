//! `khabar train ner`, `khabar eval ner`, `khabar tag`, `khabar bench ner`.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use khabar_ner::data::{read_conll_file, read_wikifane, split_dev};
use khabar_ner::eval::Scores;
use khabar_ner::features::lexicon::{Gazetteer, WordStats};
use khabar_ner::features::{Dense, Resources};
use khabar_ner::model::neural::{NeuralConfig, WordVectors};
use khabar_ner::train::clusters::{self, ClusterOptions};
use khabar_ner::train::{
    evaluate, most_frequent_tag_baseline, train_model, train_model_with, Algorithm, StackOptions,
    TrainOptions,
};
use khabar_ner::train::{marks, news};
use khabar_ner::{Label, NerModel};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const DEFAULT_TRAIN: &str = "../shared/data/ner/anercorp/train.txt";
const DEFAULT_WIKIFANE_MAP: &str = "../shared/data/ner/wikifane/coarse_map.tsv";
const DEFAULT_GAZ: &str = "../shared/data/ner/gazetteers";
const DEFAULT_MODEL: &str = "crates/ner/model/ner.bin";
const DEFAULT_CLUSTERS: &str = "crates/ner/model/clusters.bin";
const DEFAULT_EMBEDDINGS: &str = "target/khabar-ner/embeddings.bin";
const NEWS_FILES: [&str; 2] = [
    "../shared/data/news/saudinewsnet-2015.jsonl.gz",
    "../shared/data/news/ant-v1.1.jsonl.gz",
];
/// Unlabeled text the word embeddings and clusters are learned from: the news and
/// Wikipedia (about 20 M words).
const EMBEDDING_TEXTS: [&str; 3] = [
    "../shared/data/news/saudinewsnet-2015.jsonl.gz",
    "../shared/data/news/ant-v1.1.jsonl.gz",
    "../shared/data/unlabeled/arwiki-2017-comparable.jsonl.gz",
];
const DEFAULT_WIKIFANE: &str = "../shared/data/ner/wikifane/WikiFANE_Gold_2014.txt";

#[derive(Subcommand)]
pub enum TrainWhat {
    /// Train the named-entity recognizer (linear passes + neural stage) and write the model file.
    Ner(Box<TrainNerArgs>),
    /// Learn the word clusters the recognizer uses, from unlabeled news and Wikipedia (JSONL, gzip ok).
    NerClusters(TrainClustersArgs),
    /// Count the document frequencies keywords are scored against, from news (JSONL, gzip ok).
    Keywords(crate::keywords_cmd::TrainKeywordsArgs),
}

#[derive(Args)]
pub struct TrainNerArgs {
    /// Labelled training data (`token TAG` per line, blank line between sentences).
    #[arg(long, default_value = DEFAULT_TRAIN)]
    train: PathBuf,
    /// WikiFANE Gold (`token<TAB>FineClass`, clitics split) added to the training part,
    /// re-joined into whole words and mapped to PER/LOC/ORG/MISC by `--wikifane-map`; dev
    /// stays the end of `--train`. `none` trains without it.
    #[arg(long, default_value = DEFAULT_WIKIFANE)]
    wikifane: PathBuf,
    /// Mapping of WikiFANE's fine classes (`class<TAB>PER|LOC|ORG|MISC|O`).
    #[arg(long, default_value = DEFAULT_WIKIFANE_MAP)]
    wikifane_map: PathBuf,
    /// Write WikiFANE as read for training (`token TAG`, whole words, coarse types) to this
    /// file and exit.
    #[arg(long)]
    dump_wikifane: Option<PathBuf>,
    /// Train on WikiFANE without per-corpus feature copies (one weight per feature for
    /// both corpora).
    #[arg(long)]
    no_domain_copies: bool,
    /// Keep WikiFANE's clitics as tokens of their own (for comparison; by default they are
    /// joined back into whole words).
    #[arg(long)]
    wikifane_keep_clitics: bool,
    /// Share of WikiFANE's sentences each perceptron epoch visits (drawn anew per epoch):
    /// how much WikiFANE weighs against ANERcorp.
    #[arg(long, default_value_t = 1.0)]
    wikifane_rate: f64,
    /// Share of WikiFANE's sentences used (its first part, so articles stay whole; the
    /// last tenth is held out as a Wikipedia test).
    #[arg(long, default_value_t = 0.9)]
    wikifane_fraction: f64,
    /// Fraction of training sentences (taken from the end) held out as dev set.
    #[arg(long, default_value_t = 0.1)]
    dev_fraction: f64,
    /// Directory with the gazetteer files.
    #[arg(long, default_value = DEFAULT_GAZ)]
    gazetteers: PathBuf,
    /// Word clusters from `khabar train ner-clusters` (trains without them if missing).
    #[arg(long, default_value = DEFAULT_CLUSTERS)]
    clusters: PathBuf,
    /// Unlabeled news (JSONL, gzip ok) for word statistics (article share, frequency);
    /// pass `--news none` to train without them.
    #[arg(long = "news", default_values = NEWS_FILES)]
    news: Vec<PathBuf>,
    /// Embeddings written by `khabar train ner-clusters`, for the label-propagation
    /// features (trains without them if missing).
    #[arg(long, default_value = DEFAULT_EMBEDDINGS)]
    embeddings: PathBuf,
    /// Build the label-propagation table once instead of per cross-validation fold
    /// (faster; the second pass then sees optimistic first-pass tags).
    #[arg(long)]
    no_fold_knn: bool,
    /// Nearest labelled words used by the label-propagation features.
    #[arg(long, default_value_t = 10)]
    neighbors: usize,
    /// Where to write the model.
    #[arg(long, default_value = DEFAULT_MODEL)]
    out: PathBuf,
    /// Maximum epochs.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Stop after this many epochs without dev improvement.
    #[arg(long, default_value_t = 5)]
    patience: usize,
    /// Shuffle seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Second-pass features whose weights are all below this (absolute value) are not
    /// read by the neural stage (it is trained on the keys that remain).
    #[arg(long, default_value_t = 0.05)]
    prune: f32,
    /// Linear features whose weights are all below this (absolute value) are left out of
    /// the model file. 4 was chosen on the dev sets: it keeps ANERcorp and news dev F1,
    /// costs WikiFANE dev 0.05, and halves the features (load time and memory).
    #[arg(long, default_value_t = 4.0)]
    file_prune: f32,
    /// Ignore features seen fewer times than this in training.
    #[arg(long, default_value_t = 2)]
    min_count: u32,
    /// Learning algorithm: `perceptron` (averaged) or `crf` (SGD with L2).
    #[arg(long, default_value = "perceptron")]
    algorithm: String,
    /// CRF L2 strength.
    #[arg(long, default_value_t = 1.0)]
    c2: f64,
    /// CRF initial learning rate.
    #[arg(long, default_value_t = 0.1)]
    eta: f64,
    /// Perceptron: probability of hiding a token's own word features in a training step.
    #[arg(long, default_value_t = 0.0)]
    word_dropout: f64,
    /// Perceptron: ensemble members (different shuffles; weights averaged).
    #[arg(long, default_value_t = 1)]
    ensemble: usize,
    /// Perceptron: scale of the word embeddings used as real-valued features (token and
    /// ±1); 0 trains without them.
    #[arg(long, default_value_t = 0.0)]
    dense_scale: f32,
    /// Articles per news file the first pass tags for the corpus-level features of the
    /// second pass (how each word is tagged across the news); 0 trains without them.
    #[arg(long, default_value_t = 5000)]
    news_tags: usize,
    /// Perceptron: no weights shared by B-X and I-X.
    #[arg(long)]
    no_shared_types: bool,
    /// Train the first pass only (no document-level second pass).
    #[arg(long)]
    no_stack: bool,
    /// Cross-validation folds for the second pass.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Sentences before and after a sentence that count as its document (CoNLL data).
    #[arg(long, default_value_t = 10)]
    window: usize,
    /// Only cross-validate with this many folds over the training file (pooled
    /// dev scores, for comparing settings); writes no model.
    #[arg(long, default_value_t = 0)]
    cv: usize,
    /// Keep the model trained on the train part only (by default it is refit on train+dev
    /// for the best epoch count found on dev).
    #[arg(long)]
    no_refit: bool,
    /// Train without the neural stage (BiLSTM-CRF over the second pass's features).
    #[arg(long)]
    no_neural: bool,
    /// Neural stage: LSTM hidden units per direction.
    #[arg(long, default_value_t = 32)]
    neural_hidden: usize,
    /// Neural stage: maximum epochs (early stopping on dev).
    #[arg(long, default_value_t = 20)]
    neural_epochs: usize,
    /// Neural stage: dropout on inputs and LSTM outputs.
    #[arg(long, default_value_t = 0.5)]
    neural_dropout: f32,
    /// Neural stage: probability of hiding each sparse feature while training.
    #[arg(long, default_value_t = 0.3)]
    neural_key_dropout: f32,
    /// Neural stage: train without the frozen word vectors (5 MB of the model file).
    #[arg(long)]
    neural_no_vectors: bool,
    /// Neural stage: how many of the most frequent news words keep a vector.
    #[arg(long, default_value_t = 50_000)]
    neural_vector_words: usize,
    /// Neural stage: scale of the (unit-length) word vectors.
    #[arg(long, default_value_t = 3.0)]
    vector_scale: f32,
    /// Neural stage: which sentences the network learns from (the linear passes learn
    /// from both corpora either way).
    #[arg(long, value_enum, default_value = "both")]
    neural_data: NeuralData,
    /// Neural stage: seed.
    #[arg(long, default_value_t = 42)]
    neural_seed: u64,
    /// Neural stage: do not read the second pass's tag scores (cross-validated in
    /// training).
    #[arg(long)]
    neural_no_scores: bool,
    /// Neural stage: width of the summed sparse-feature embedding (0: no sparse features).
    #[arg(long, default_value_t = 16)]
    neural_sparse_dim: usize,
    /// Further neural settings to train and score on dev for comparison, `;`-separated
    /// lists of `key=value` (hidden, sdim, nf, drop, kdrop, lr, minc, seed, scores, vec).
    #[arg(long, default_value = "")]
    neural_grid: String,
}

/// Parses one `--neural-grid` entry into settings and whether word vectors are used.
fn parse_neural_spec(
    base: &NeuralConfig,
    spec: &str,
    vectors: bool,
) -> anyhow::Result<(NeuralConfig, bool)> {
    let mut cfg = base.clone();
    let mut vec = vectors;
    for kv in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("expected key=value, got {kv:?}"))?;
        let f: f64 = v
            .parse()
            .with_context(|| format!("{k}: not a number: {v:?}"))?;
        match k {
            "hidden" => cfg.hidden = f as usize,
            "sdim" => cfg.sparse_dim = f as usize,
            "nf" => cfg.char_filters = f as usize,
            "drop" => cfg.dropout = f as f32,
            "kdrop" => cfg.key_dropout = f as f32,
            "lr" => cfg.lr = f as f32,
            "minc" => cfg.min_count = f as u32,
            "seed" => cfg.seed = f as u64,
            "scores" => cfg.scores = f != 0.0,
            "vec" => vec = f != 0.0,
            _ => bail!("unknown neural setting {k:?}"),
        }
    }
    Ok((cfg, vec))
}

#[derive(Args)]
pub struct TrainClustersArgs {
    /// Unlabeled text (JSONL or JSONL.gz with `title` and `body`): the news and Wikipedia.
    #[arg(
        long = "news",
        default_values = EMBEDDING_TEXTS
    )]
    news: Vec<PathBuf>,
    /// Output cluster file.
    #[arg(long, default_value = DEFAULT_CLUSTERS)]
    out: PathBuf,
    /// Embedding dimension.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Embedding epochs.
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Number of fine clusters (also fine/4 and fine/16 levels).
    #[arg(long, default_value_t = 1024)]
    k: usize,
    /// Minimum word count.
    #[arg(long, default_value_t = 5)]
    min_count: u32,
    /// Read at most this many articles per file (0 = all).
    #[arg(long, default_value_t = 0)]
    max_articles: usize,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where to write the raw embeddings (≈40 MB, not shipped; `train ner` reads them for
    /// its label-propagation features).
    #[arg(long, default_value = DEFAULT_EMBEDDINGS)]
    save_embeddings: PathBuf,
}

#[derive(Subcommand)]
pub enum EvalWhat {
    /// Evaluate the named-entity recognizer on labelled data (conlleval-style report).
    Ner(EvalNerArgs),
    /// Document-level entity scores on news articles annotated outside the team: the
    /// distinct PER/LOC/ORG names of each article, found by the running-text entity layer.
    Entities(crate::eval_entities::EvalEntitiesArgs),
    /// Pairwise precision/recall/F1 of the name matcher beside exact match after folding.
    Names(crate::names_cmd::EvalNamesArgs),
    /// Pairwise precision/recall/F1 of "same story" on judged article pairs, beside a TF-IDF
    /// cosine baseline; near-duplicate recall of word-for-word copies.
    Stories(crate::stories_cmd::EvalStoriesArgs),
}

#[derive(Args)]
pub struct EvalNerArgs {
    /// Labelled test data (`token TAG` per line).
    #[arg(long)]
    test: PathBuf,
    /// Model file (default: the model shipped inside khabar).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Also print the most-frequent-tag baseline (trained on this file).
    #[arg(long)]
    baseline_train: Option<PathBuf>,
    /// Adjustments to switch off, comma-separated (of `khabar_ner::ADJUSTMENTS`, only
    /// `first_names` applies to tagged tokens).
    #[arg(long, value_delimiter = ',')]
    without: Vec<String>,
    /// Score the linear passes only (the model without its neural stage, as
    /// `--fast-ner` tags).
    #[arg(long)]
    linear_only: bool,
}

/// The sentences the neural stage of `khabar train ner` learns from.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NeuralData {
    /// ANERcorp only.
    Main,
    /// ANERcorp and WikiFANE, one output layer (the shipped model).
    Both,
    /// ANERcorp and WikiFANE, each corpus with an output layer and CRF transitions of its
    /// own (WikiFANE's is dropped before saving).
    BothOwnHead,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TagFormat {
    /// One token per line in, `token TAG` out; blank lines separate sentences.
    Conll,
    /// Raw text in, JSON entities with character offsets out.
    Json,
}

#[derive(Args)]
pub struct TagArgs {
    /// Input file, or `-` for stdin.
    #[arg(default_value = "-")]
    input: String,
    /// Input/output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Conll)]
    format: TagFormat,
    /// Model file (default: the model shipped inside khabar).
    #[arg(long)]
    model: Option<PathBuf>,
}

#[derive(Args)]
pub struct BenchNerArgs {
    /// JSONL(.gz) corpus with `title` and `body`.
    path: PathBuf,
    /// Model file (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Stop after this many articles (0 = all).
    #[arg(long, default_value_t = 0)]
    max_articles: usize,
}

fn load_model(path: &Option<PathBuf>) -> anyhow::Result<std::borrow::Cow<'static, NerModel>> {
    crate::memory::load_without_huge_pages(|| {
        Ok(match path {
            Some(p) => std::borrow::Cow::Owned(NerModel::load(p)?),
            None => std::borrow::Cow::Owned(NerModel::try_shipped()?),
        })
    })
}

pub fn train(what: TrainWhat) -> anyhow::Result<ExitCode> {
    match what {
        TrainWhat::Ner(a) => train_ner(*a),
        TrainWhat::NerClusters(a) => train_clusters(a),
        TrainWhat::Keywords(a) => crate::keywords_cmd::train(a),
    }
}

fn train_clusters(a: TrainClustersArgs) -> anyhow::Result<ExitCode> {
    let opts = ClusterOptions {
        dim: a.dim,
        epochs: a.epochs,
        k: a.k,
        min_count: a.min_count,
        max_articles: a.max_articles,
        seed: a.seed,
        ..Default::default()
    };
    let t0 = Instant::now();
    let mut log = |m: &str| eprintln!("[{:7.1}s] {m}", t0.elapsed().as_secs_f64());
    let paths: Vec<&Path> = a.news.iter().map(|p| p.as_path()).collect();
    let corpus = clusters::read_corpus(&paths, &opts, &mut log).context("reading news")?;
    let mut emb = clusters::train_embeddings(&corpus, &opts, &mut log);
    {
        let p = &a.save_embeddings;
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        clusters::save_embeddings(&corpus, &emb, opts.dim, p)
            .with_context(|| format!("writing {}", p.display()))?;
        log(&format!("wrote embeddings to {}", p.display()));
    }
    let cl = clusters::cluster(&corpus, &mut emb, &opts, &mut log);
    let size = clusters::save_clusters(&cl, &a.out)
        .with_context(|| format!("writing {}", a.out.display()))?;
    log(&format!(
        "wrote {} ({} words, {} bytes)",
        a.out.display(),
        cl.len(),
        size
    ));
    Ok(ExitCode::SUCCESS)
}

fn train_ner(mut a: TrainNerArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let mut all = read_conll_file(&a.train).map_err(anyhow::Error::msg)?;
    let (mut tr, dev) = split_dev(all.clone(), a.dev_fraction);
    eprintln!(
        "train: {} sentences, dev: {} sentences (last {:.0}% of {})",
        tr.len(),
        dev.len(),
        a.dev_fraction * 100.0,
        a.train.display()
    );
    if a.wikifane.as_os_str() != "none" {
        let map = std::fs::read_to_string(&a.wikifane_map)
            .with_context(|| format!("reading {}", a.wikifane_map.display()))?;
        let f = std::fs::File::open(&a.wikifane)
            .with_context(|| format!("reading {}", a.wikifane.display()))?;
        let mut wiki = read_wikifane(std::io::BufReader::new(f), &map, !a.wikifane_keep_clitics)
            .map_err(|e| anyhow::anyhow!("{}: {e}", a.wikifane.display()))?;
        if let Some(out) = &a.dump_wikifane {
            let mut w = BufWriter::new(
                std::fs::File::create(out).with_context(|| format!("writing {}", out.display()))?,
            );
            for s in &wiki {
                for (t, g) in s.tokens.iter().zip(&s.tags) {
                    writeln!(w, "{t} {g}")?;
                }
                writeln!(w)?;
            }
            w.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        wiki.truncate((wiki.len() as f64 * a.wikifane_fraction.clamp(0.0, 1.0)).round() as usize);
        eprintln!(
            "WikiFANE: {} sentences, {} tokens added to the training part",
            wiki.len(),
            wiki.iter().map(|s| s.tokens.len()).sum::<usize>()
        );
        tr.extend(wiki.iter().cloned());
        all.extend(wiki);
    }
    let (mut gaz, loaded) = Gazetteer::from_dir(&a.gazetteers)
        .with_context(|| format!("reading gazetteers from {}", a.gazetteers.display()))?;
    eprintln!(
        "gazetteers: {} entries ({})",
        gaz.entries.len(),
        loaded.join(", ")
    );
    // Only the running-text rule reads these marks, so the dev split's labels may inform
    // them without touching any score reported here.
    let major = marks::mark_major_places(&mut gaz, &a.gazetteers, &all)
        .with_context(|| format!("reading gazetteers from {}", a.gazetteers.display()))?;
    eprintln!(
        "well-known places (countries, cities of ≥ {} people): {major} one-word names",
        marks::MIN_POPULATION
    );
    let cl = if a.clusters.exists() {
        let c = clusters::load_clusters(&a.clusters).map_err(anyhow::Error::msg)?;
        eprintln!("clusters: {} words from {}", c.len(), a.clusters.display());
        c
    } else {
        eprintln!(
            "warning: no cluster file at {}; training without word clusters",
            a.clusters.display()
        );
        Default::default()
    };
    a.news.retain(|p| p.as_os_str() != "none");
    let stats = if a.news.is_empty() {
        Default::default()
    } else {
        let t = Instant::now();
        let paths: Vec<&Path> = a.news.iter().map(|p| p.as_path()).collect();
        let counts = news::count_words(&paths).context("reading news for word statistics")?;
        eprintln!(
            "news words: {} [{:.1}s]",
            counts.len(),
            t.elapsed().as_secs_f64()
        );
        let st = WordStats::from_counts(counts.iter().map(|(w, &n)| (w.as_str(), n)), 3);
        eprintln!(
            "word statistics: {} bare forms from {} news words",
            st.codes.len(),
            counts.len()
        );
        st
    };
    let embeddings = if a.embeddings.exists() {
        let (words, _, dim, mut vecs) = clusters::load_embeddings(&a.embeddings)
            .with_context(|| format!("reading {}", a.embeddings.display()))?;
        clusters::normalize_rows(&mut vecs, dim);
        Some((words, dim, vecs))
    } else {
        eprintln!(
            "warning: no embeddings at {} (run `khabar train ner-clusters`); training without label-propagation features",
            a.embeddings.display()
        );
        None
    };
    let knn_from = |data: &[khabar_ner::data::Sentence]| match &embeddings {
        Some((words, dim, vecs)) => {
            let t = Instant::now();
            let k = clusters::neighbor_labels(words, vecs, *dim, data, a.neighbors);
            eprintln!(
                "label propagation: {} words from {} sentences [{:.1}s]",
                k.codes.len(),
                data.len(),
                t.elapsed().as_secs_f64()
            );
            k
        }
        None => Default::default(),
    };
    // Only the training part labels neighbours, so dev stays unseen.
    let knn = knn_from(&tr);
    let dense = match &embeddings {
        Some((words, dim, vecs)) if a.dense_scale > 0.0 => Dense::new(words, vecs.clone(), *dim),
        _ => Dense::default(),
    };
    let res = Resources {
        gaz,
        clusters: cl,
        stats,
        knn,
        dense,
        news: Default::default(),
        memo: Default::default(),
    };
    let base = most_frequent_tag_baseline(&tr, &dev);
    eprintln!("dev most-frequent-tag baseline F1 {:.2}", base.micro().f1);
    let opts = TrainOptions {
        epochs: a.epochs,
        patience: a.patience,
        seed: a.seed,
        min_count: a.min_count,
        algorithm: match a.algorithm.as_str() {
            "perceptron" => Algorithm::Perceptron,
            "crf" => Algorithm::Crf {
                c2: a.c2,
                eta: a.eta,
            },
            "adacrf" => Algorithm::AdaCrf {
                l2: a.c2,
                eta: a.eta,
            },
            other => bail!("unknown --algorithm {other:?} (perceptron, crf or adacrf)"),
        },
        shared_types: !a.no_shared_types,
        word_dropout: a.word_dropout,
        ensemble: a.ensemble,
        dense_scale: a.dense_scale,
        domain_copies: !a.no_domain_copies,
        aux_rate: a.wikifane_rate,
    };
    let news_text = if a.news_tags > 0 && !a.news.is_empty() {
        let paths: Vec<&Path> = a.news.iter().map(|p| p.as_path()).collect();
        let t = news::read_news_sentences(&paths, a.news_tags)
            .context("reading news for corpus-level tags")?;
        eprintln!(
            "news to tag: {} sentences, {} tokens",
            t.sents.len(),
            t.tokens()
        );
        Some(std::sync::Arc::new(t))
    } else {
        None
    };
    let base_cfg = NeuralConfig {
        hidden: a.neural_hidden,
        epochs: a.neural_epochs,
        dropout: a.neural_dropout,
        key_dropout: a.neural_key_dropout,
        seed: a.neural_seed,
        scores: !a.neural_no_scores,
        sparse_dim: a.neural_sparse_dim,
        ..NeuralConfig::default()
    };
    // The embedding rows are sorted by news frequency: the first `neural_vector_words`.
    let all_vectors = match &embeddings {
        Some((words, dim, vecs)) if a.vector_scale > 0.0 => {
            let n = a.neural_vector_words.min(words.len());
            let v: Vec<f32> = vecs[..n * dim].iter().map(|x| x * a.vector_scale).collect();
            WordVectors::new(&words[..n], v, *dim)
        }
        _ => WordVectors::default(),
    };
    let neural = if a.no_neural || a.no_stack {
        None
    } else {
        if !a.neural_no_vectors && embeddings.is_none() {
            eprintln!("warning: no embeddings; the neural stage trains without word vectors");
        }
        let v = if !a.neural_no_vectors {
            all_vectors.clone()
        } else {
            WordVectors::default()
        };
        Some((base_cfg.clone(), v))
    };
    let mut neural_grid = Vec::new();
    for spec in a.neural_grid.split(';').filter(|s| !s.trim().is_empty()) {
        let (cfg, vec) = parse_neural_spec(&base_cfg, spec, !a.neural_no_vectors)?;
        let v = if vec {
            all_vectors.clone()
        } else {
            WordVectors::default()
        };
        neural_grid.push((cfg, v));
    }
    let stack = StackOptions {
        enabled: !a.no_stack,
        folds: a.folds,
        window: a.window,
        news: news_text,
        neural,
        neural_epochs: None,
        neural_mix: None,
        neural_grid,
        neural_aux: a.neural_data != NeuralData::Main,
        neural_aux_head: a.neural_data == NeuralData::BothOwnHead,
        prune: a.prune,
    };
    if a.cv > 1 {
        let mut p1 = Scores::default();
        let mut p2 = Scores::default();
        let k = a.cv;
        for f in 0..k {
            let lo = all.len() * f / k;
            let hi = all.len() * (f + 1) / k;
            let rest: Vec<_> = all[..lo].iter().chain(&all[hi..]).cloned().collect();
            let (_, sum) = train_model(
                res.clone(),
                &rest,
                &all[lo..hi],
                &opts,
                &opts,
                &stack,
                &mut |_| {},
            );
            eprintln!(
                "fold {}/{k}: pass 1 F1 {:.2} (epoch {}), full {:.2} (epoch {})",
                f + 1,
                sum.dev1.micro().f1,
                sum.epochs1,
                sum.dev2.micro().f1,
                sum.epochs2
            );
            p1.merge(&sum.dev1);
            p2.merge(&sum.dev2);
        }
        println!(
            "cv{k}: pass 1 F1 {:.2}, full F1 {:.2} [{:.1}s]",
            p1.micro().f1,
            p2.micro().f1,
            t0.elapsed().as_secs_f64()
        );
        print!("{}", p2.table());
        return Ok(ExitCode::SUCCESS);
    }
    let mut log = |m: &str| eprintln!("[{:6.1}s] {m}", t0.elapsed().as_secs_f64());
    let fold_res = |part: &[khabar_ner::data::Sentence]| {
        (embeddings.is_some() && !a.no_fold_knn).then(|| Resources {
            knn: knn_from(part),
            ..res.clone()
        })
    };
    let (model, sum) = train_model_with(
        res.clone(),
        &tr,
        &dev,
        &opts,
        &opts,
        &stack,
        &fold_res,
        &mut log,
    );
    eprintln!(
        "dev F1: pass 1 {:.2} (epoch {}), pass 2 {:.2} (epoch {}), neural {:.2} (epoch {}), full model {:.2} (mix {:?})",
        sum.dev1.micro().f1,
        sum.epochs1,
        sum.dev2.micro().f1,
        sum.epochs2,
        sum.dev3.micro().f1,
        sum.epochs3,
        sum.dev_full.micro().f1,
        sum.mix
    );
    // Tune the O bias on dev (recall/precision trade-off).
    let mut probe = model.clone();
    let mut best_bias = (0f32, sum.dev_full.micro().f1);
    for b in [0.5f32, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0] {
        probe.set_o_bias(b);
        let f = evaluate(&probe, &dev).micro().f1;
        eprintln!("O bias {b}: dev F1 {f:.2}");
        if f > best_bias.1 + 0.05 {
            best_bias = (b, f);
        }
    }
    let mut model = model;
    model.set_o_bias(best_bias.0);
    // Gate of the neural stage: the widest confidence margin below which sentences the
    // linear pass calls O are left to it, without losing more than 0.05 dev F1.
    let mut gate = f32::INFINITY;
    if model.neural().is_some() {
        let full = evaluate(&model, &dev).micro().f1;
        for g in [64f32, 32.0, 16.0, 8.0, 4.0, 2.0] {
            model.set_neural_gate(g);
            let f = evaluate(&model, &dev).micro().f1;
            eprintln!("neural gate {g}: dev F1 {f:.2} (ungated {full:.2})");
            if f + 0.05 >= full {
                gate = g;
            } else {
                break;
            }
        }
        model.set_neural_gate(gate);
        eprintln!("neural gate {gate} chosen");
    }
    let best_dev = evaluate(&model, &dev);
    eprintln!(
        "O bias {} chosen: dev F1 {:.2}",
        best_bias.0,
        best_dev.micro().f1
    );
    eprint!("{}", best_dev.table());
    let model = if a.no_refit {
        model
    } else {
        eprintln!(
            "refitting on train+dev ({} + {} epochs)",
            sum.epochs1, sum.epochs2
        );
        let o1 = TrainOptions {
            epochs: sum.epochs1,
            patience: usize::MAX,
            ..opts.clone()
        };
        let o2 = TrainOptions {
            epochs: sum.epochs2.max(1),
            ..o1.clone()
        };
        let res = Resources {
            knn: knn_from(&all),
            ..res.clone()
        };
        let stack = StackOptions {
            neural_epochs: Some(sum.epochs3.max(1)),
            neural_mix: Some(sum.mix),
            neural_grid: Vec::new(),
            ..stack.clone()
        };
        let mut m = train_model_with(res, &all, &[], &o1, &o2, &stack, &fold_res, &mut log).0;
        m.set_o_bias(best_bias.0);
        m.set_neural_gate(gate);
        m
    };
    let mut per_type = serde_json::Map::new();
    for l in Label::ALL {
        let x = best_dev.label(l);
        per_type.insert(
            l.to_string(),
            serde_json::json!({"p": round2(x.p), "r": round2(x.r), "f1": round2(x.f1)}),
        );
    }
    let meta = serde_json::json!({
        "trainer": "averaged structured perceptron",
        "train_file": a.train.display().to_string(),
        "wikifane": (a.wikifane.as_os_str() != "none").then(|| serde_json::json!({
            "file": a.wikifane.display().to_string(),
            "map": a.wikifane_map.display().to_string(),
            "fraction": a.wikifane_fraction,
        })),
        "dev_fraction": a.dev_fraction,
        "seed": a.seed,
        "epochs_pass1": sum.epochs1,
        "epochs_pass2": sum.epochs2,
        "dev_micro_f1_pass1": round2(sum.dev1.micro().f1),
        "document_window": a.window,
        "stacked": !a.no_stack,
        "refit_on_train_plus_dev": !a.no_refit,
        "dev_micro_f1": round2(best_dev.micro().f1),
        "dev_per_type": per_type,
        "prune": a.prune,
        "file_prune": a.file_prune,
        "neural_data": match a.neural_data {
            NeuralData::Main => "main",
            NeuralData::Both => "both",
            NeuralData::BothOwnHead => "both-own-head",
        },
        "o_bias": best_bias.0,
        "dev_micro_f1_before_o_bias": round2(sum.dev_full.micro().f1),
        "dev_micro_f1_linear": round2(sum.dev2.micro().f1),
        "neural": stack.neural.as_ref().map(|(c, v)| serde_json::json!({
            "model": "BiLSTM-CRF over the second pass's sparse features, character CNN, frozen word vectors",
            "hidden": c.hidden, "sparse_dim": c.sparse_dim, "char_filters": c.char_filters,
            "dropout": c.dropout, "key_dropout": c.key_dropout, "lr": c.lr, "seed": c.seed,
            "vector_dim": v.dim, "epochs": sum.epochs3,
            "dev_micro_f1_alone": round2(sum.dev3.micro().f1),
            "mix_linear": sum.mix.0, "mix_neural": sum.mix.1, "gate": gate,
        })),
    });
    let o_bias = model.o_bias();
    let trained_neural = model.neural().cloned();
    // First names the saved model's training data never shows (read by the first-name
    // rule only, after all choices above were made without it).
    let mut res = model.resources().clone();
    let seen = if a.no_refit { &tr } else { &all };
    let first = marks::mark_first_names(&mut res.gaz, &a.gazetteers, seen)
        .with_context(|| format!("reading gazetteers from {}", a.gazetteers.display()))?;
    eprintln!("first names unseen in training: {first} words");
    let mut model = NerModel::from_parts(
        res,
        model.weights().clone(),
        model.stage2().cloned(),
        model.window() as u32,
        meta.to_string(),
    );
    model.set_o_bias(o_bias);
    if let Some(n) = trained_neural {
        model.set_neural(Some(n));
    }
    let size = model
        .save(&a.out, a.file_prune.max(a.prune))
        .with_context(|| format!("writing {}", a.out.display()))?;
    // Reload to report what actually ships (pruned, quantized).
    let reloaded = NerModel::load(&a.out)?;
    let dev_after = evaluate(&reloaded, &dev);
    eprintln!(
        "wrote {} ({} bytes, {} features); reloaded model dev F1 {:.2}{} [{:.1}s]",
        a.out.display(),
        size,
        reloaded.num_features(),
        dev_after.micro().f1,
        if a.no_refit {
            ""
        } else {
            " (dev was seen in refit)"
        },
        t0.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn eval(what: EvalWhat) -> anyhow::Result<ExitCode> {
    let a = match what {
        EvalWhat::Ner(a) => a,
        EvalWhat::Entities(a) => return crate::eval_entities::eval_entities(a),
        EvalWhat::Names(a) => return crate::names_cmd::eval(a),
        EvalWhat::Stories(a) => return crate::stories_cmd::eval(a),
    };
    let t0 = Instant::now();
    let mut model = load_model(&a.model)?;
    let load = t0.elapsed();
    let without: Vec<&str> = a.without.iter().map(String::as_str).collect();
    if !without.is_empty() {
        model
            .to_mut()
            .switch_off_adjustments(&without)
            .map_err(anyhow::Error::msg)?;
    }
    if a.linear_only {
        model.to_mut().set_neural(None);
    }
    let test = read_conll_file(&a.test).map_err(anyhow::Error::msg)?;
    let t1 = Instant::now();
    let scores = evaluate(&model, &test);
    let secs = t1.elapsed().as_secs_f64();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write!(out, "{}", scores.table())?;
    writeln!(
        out,
        "model: {} ({} features), loaded in {:.0} ms; tagged {} tokens in {:.3}s ({:.0} tokens/s)",
        a.model
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "shipped".into()),
        model.num_features(),
        load.as_secs_f64() * 1000.0,
        scores.tokens,
        secs,
        scores.tokens as f64 / secs.max(1e-9)
    )?;
    if let Some(bt) = &a.baseline_train {
        let train = read_conll_file(bt).map_err(anyhow::Error::msg)?;
        let b: Scores = most_frequent_tag_baseline(&train, &test);
        writeln!(out, "most-frequent-tag baseline:")?;
        write!(out, "{}", b.table())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a file (or stdin) as text through the ingest layer's decoding: UTF-8 with or
/// without BOM, UTF-16 with BOM, Windows-1256; binary or undecodable input is an error
/// that names the file (it used to be read as raw UTF-8: UTF-16 gave no entities and no
/// warning).
fn read_input(input: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    if input == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    }
    let name = if input == "-" { "<stdin>" } else { input };
    let (text, _) = khabar_ingest::decode(&bytes)
        .map_err(|e| anyhow::anyhow!("{name}: undecodable text: {e}"))?;
    Ok(text)
}

pub fn tag(a: TagArgs) -> anyhow::Result<ExitCode> {
    let model = load_model(&a.model)?;
    let text = read_input(&a.input)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match a.format {
        TagFormat::Conll => {
            // Accept `token` or `token TAG` lines (gold tags are ignored). All sentences are
            // tagged together so the document-level pass sees the neighbouring sentences.
            let mut sents: Vec<Vec<String>> = vec![Vec::new()];
            let mut lines: Vec<Option<(usize, usize)>> = Vec::new();
            for line in text.lines() {
                match line.split_whitespace().next() {
                    None => {
                        if !sents.last().is_some_and(|s| s.is_empty()) {
                            sents.push(Vec::new());
                        }
                        lines.push(None);
                    }
                    Some(t) => {
                        let si = sents.len() - 1;
                        let cur = sents.last_mut().expect("one sentence at least");
                        lines.push(Some((si, cur.len())));
                        cur.push(t.to_string());
                    }
                }
            }
            let toks: Vec<Vec<&str>> = sents
                .iter()
                .map(|s| s.iter().map(|t| t.as_str()).collect())
                .collect();
            let refs: Vec<&[&str]> = toks.iter().map(|v| v.as_slice()).collect();
            let tags = model.tag_document(&refs, Some(model.window()));
            for l in lines {
                match l {
                    None => writeln!(out)?,
                    Some((si, ti)) => writeln!(out, "{} {}", toks[si][ti], tags[si][ti])?,
                }
            }
        }
        TagFormat::Json => {
            let tokens = khabar_text::TextAnalyzer::shared().tokenize(&text);
            let ents: Vec<serde_json::Value> = model
                .entities(&text, &tokens)
                .into_iter()
                .map(|e| {
                    serde_json::json!({
                        "label": e.label.as_str(),
                        "start": e.start,
                        "end": e.end,
                        "text": e.text,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "entities": ents }))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn bench(a: BenchNerArgs) -> anyhow::Result<ExitCode> {
    let t_load = Instant::now();
    let model = load_model(&a.model)?;
    let load_ms = t_load.elapsed().as_secs_f64() * 1000.0;
    let path = a.path.to_string_lossy().into_owned();
    let full = bench_pass(&model, &path, a.max_articles, true)?;
    let mut report = serde_json::json!({
        "articles": full.articles,
        "tokens": full.tokens,
        "entities": full.entities,
        "seconds": round3(full.ner_secs),
        "tokens_per_s": full.tokens_per_s().round(),
        "tokenize_seconds": round3(full.tok_secs),
        "model_load_ms": round3(load_ms),
    });
    // Baseline in the same run: the same model without its neural stage (the two linear
    // passes only), on the same articles in a second pass over the file. A pass of its
    // own: timed article by article right after the full model, it found every cache
    // warm with the article just tagged, which flattered it (~400k against ~250–280k
    // tokens/s as a pass of its own).
    if model.neural().is_some() {
        let lin = bench_pass(&model, &path, a.max_articles, false)?;
        report["linear_only_tokens_per_s"] = lin.tokens_per_s().round().into();
        report["linear_only_seconds"] = round3(lin.ner_secs).into();
        report["linear_only_entities"] = lin.entities.into();
    }
    report["peak_rss_mb"] = crate::bench_cmd::peak_rss_mb().into();
    eprintln!("tokens_per_s counts NER tagging (features, both linear passes, the neural stage, Viterbi, spans), not tokenization or reading; linear_only_* is the same model without its neural stage, on the same articles in a second pass");
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// Totals of one [`bench`] pass.
#[derive(Default)]
struct BenchPass {
    articles: usize,
    tokens: usize,
    entities: usize,
    tok_secs: f64,
    ner_secs: f64,
}

impl BenchPass {
    fn tokens_per_s(&self) -> f64 {
        self.tokens as f64 / self.ner_secs.max(1e-9)
    }
}

/// Tags the articles of `path` (at most `max_articles`, 0 = all) with the full model or
/// its linear passes only, timing tokenization and tagging apart. Malformed records are
/// reported (`file:line: reason`) by the full pass and skipped by both.
fn bench_pass(
    model: &NerModel,
    path: &str,
    max_articles: usize,
    neural: bool,
) -> anyhow::Result<BenchPass> {
    let analyzer = khabar_text::TextAnalyzer::shared();
    let reader = khabar_ingest::open(path).with_context(|| format!("opening {path}"))?;
    let mut p = BenchPass::default();
    let mut text = String::new();
    for rec in reader {
        let art = match rec {
            khabar_ingest::Record::Article(art) => art,
            // Reported like `khabar analyze` does (file:line: reason), then skipped.
            khabar_ingest::Record::Rejected(r) => {
                if neural {
                    eprintln!("khabar: {r}");
                }
                continue;
            }
        };
        text.clear();
        text.push_str(&art.title);
        text.push('\n');
        text.push_str(&art.body);
        let t0 = Instant::now();
        let toks = analyzer.tokenize(&text);
        let t1 = Instant::now();
        let ents = if neural {
            model.entities(&text, &toks)
        } else {
            model.entities_linear_only(&text, &toks)
        };
        let t2 = Instant::now();
        p.tok_secs += (t1 - t0).as_secs_f64();
        p.ner_secs += (t2 - t1).as_secs_f64();
        p.tokens += toks.len();
        p.entities += ents.len();
        p.articles += 1;
        if max_articles > 0 && p.articles >= max_articles {
            break;
        }
        if p.articles % 5000 == 0 {
            eprintln!(
                "{} pass: {} articles, {} tokens, {:.0} tokens/s",
                if neural { "full model" } else { "linear-only" },
                p.articles,
                p.tokens,
                p.tokens_per_s()
            );
        }
    }
    Ok(p)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
