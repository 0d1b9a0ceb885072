//! Ingesting inputs into a corpus: read → analyze (parallel) → write, in crash-safe batches.
//!
//! Three stages connected by bounded channels keep memory flat: a reader thread turns the
//! inputs into small chunks of articles, the calling thread analyzes each chunk on a rayon
//! pool with the full [`Pipeline`], and a writer thread adds the results to tantivy and to
//! an open SQLite transaction.
//!
//! Every `batch_size` articles the writer commits **tantivy first, then SQLite**. So an
//! article in SQLite is always in the index; a kill between the two commits leaves articles
//! in the index that SQLite lacks, and the next run indexes them again. Re-runs skip articles
//! whose id is stored with the same content hash, and re-indexing an id deletes the old
//! document (tantivy `delete_term` on the id field) and upserts the row, so nothing is ever
//! duplicated.

use crate::dates::{normalize_date, NormDate};
use crate::schema::Fields;
use crate::sources::{self, Input};
use crate::store::{self, StoredArticle};
use crate::{Corpus, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use khabar_analysis::{Document, Entity, Quote};
use khabar_ingest::{Article, Record, Rejected};
use khabar_pipeline::Pipeline;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tantivy::{IndexWriter, TantivyDocument, Term};

/// A replacement for the analysis pipeline (see [`IndexOptions::analyze`]).
pub type AnalyzeFn = Arc<dyn Fn(&Article) -> Document + Send + Sync>;

/// Options of [`index_inputs`].
#[derive(Clone)]
pub struct IndexOptions {
    /// Articles per commit.
    pub batch_size: usize,
    /// Analysis threads (0: one per core).
    pub threads: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Re-analyze articles even when they are stored unchanged.
    pub force: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub writer_memory: usize,
    /// Sleep after every commit. Lets tests (and demos) interrupt a run between commits.
    pub commit_pause: Option<Duration>,
    /// Analysis to run instead of `Pipeline::default()` (custom layers, tests).
    pub analyze: Option<AnalyzeFn>,
    /// Entities from the NER model's linear passes only (the default: about 1.6× faster
    /// indexing than with the neural stage, 0.7 F1 lower on ANERcorp; see
    /// `khabar_pipeline::PipelineOptions::neural_entities`).
    pub fast_entities: bool,
    /// Link every entity mention to a corpus entity (see `linking`); off only to measure
    /// what linking costs (`khabar bench index --no-link`).
    pub link_entities: bool,
    /// Keywords, summaries and story features for each article, and the stories and
    /// near-duplicate groups rebuilt after a run that changed the store (see `stories`); off
    /// only to measure what they cost (the next run with them on fills them in).
    pub stories: bool,
    /// Story clustering settings.
    pub story_params: khabar_stories::Params,
}

impl std::fmt::Debug for IndexOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexOptions")
            .field("batch_size", &self.batch_size)
            .field("threads", &self.threads)
            .field("progress", &self.progress)
            .field("force", &self.force)
            .field("writer_memory", &self.writer_memory)
            .field("commit_pause", &self.commit_pause)
            .field("analyze", &self.analyze.as_ref().map(|_| "custom"))
            .field("fast_entities", &self.fast_entities)
            .field("link_entities", &self.link_entities)
            .field("stories", &self.stories)
            .finish()
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            batch_size: 2000,
            threads: 0,
            progress: false,
            force: false,
            writer_memory: 256 << 20,
            commit_pause: None,
            analyze: None,
            fast_entities: true,
            link_entities: true,
            stories: true,
            story_params: Default::default(),
        }
    }
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexReport {
    /// Input files read.
    pub files: usize,
    /// Articles read from the inputs.
    pub articles: u64,
    /// Articles analyzed and written (new or changed).
    pub indexed: u64,
    /// Articles skipped because they are stored unchanged.
    pub unchanged: u64,
    /// Rejected records.
    pub rejected: u64,
    /// Analysis failures (counted in `rejected` too).
    pub failed: u64,
    /// Articles of an older corpus whose mentions were linked to corpus entities now.
    pub backfilled: u64,
    /// The story rebuild after the run, when one ran.
    pub stories: Option<crate::StoriesReport>,
    /// Input bytes read (compressed size for compressed inputs).
    pub bytes: u64,
    /// UTF-8 bytes of the headlines and bodies read.
    pub text_bytes: u64,
    /// Commits made.
    pub commits: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

enum Msg {
    Articles(Vec<Article>),
    Rejected(Rejected),
}

/// An analyzed article, ready for both stores.
struct Prepared {
    article: Article,
    date: Option<NormDate>,
    hash: u64,
    json: String,
    /// Whether the article may be stored already (its old mentions are then replaced).
    maybe_stored: bool,
    /// Links to corpus entities (filled by the linking stage when linking is on).
    links: Option<crate::linking::ArticleLinks>,
    entities: Vec<Entity>,
    quotes: Vec<Quote>,
    features: Option<Vec<u8>>,
    doc: TantivyDocument,
}

const CHUNK: usize = 32;
/// Analyzed chunks waiting for the writer: enough for the analysis to go on while the writer
/// commits (a commit, with the entity figures, takes a while every `batch_size` articles).
const WRITE_QUEUE: usize = 16;

/// Indexes `inputs` (files, directories, `-`) into `corpus`. Rejected records go to
/// `on_reject` as they are found; the rest is stored. Errors only when the store or index
/// fails; whatever was committed before stays.
pub fn index_inputs(
    corpus: &mut Corpus,
    inputs: &[PathBuf],
    opts: &IndexOptions,
    on_reject: &mut dyn FnMut(&Rejected),
) -> Result<IndexReport> {
    let (files, bad) = sources::expand(inputs);
    index_feed(corpus, Feed::Files(&files), &bad, opts, on_reject)
}

/// Indexes records held in memory (articles, and rejections found while making them, which
/// are reported in order like those of a file), as [`index_inputs`] does files.
pub fn index_records(
    corpus: &mut Corpus,
    records: impl Iterator<Item = Record> + Send,
    opts: &IndexOptions,
    on_reject: &mut dyn FnMut(&Rejected),
) -> Result<IndexReport> {
    index_feed(
        corpus,
        Feed::Records(Box::new(records)),
        &[],
        opts,
        on_reject,
    )
}

/// Where the reader stage takes its records from.
enum Feed<'a> {
    Files(&'a [Input]),
    Records(Box<dyn Iterator<Item = Record> + Send + 'a>),
}

fn index_feed(
    corpus: &mut Corpus,
    feed: Feed<'_>,
    bad: &[Rejected],
    opts: &IndexOptions,
    on_reject: &mut dyn FnMut(&Rejected),
) -> Result<IndexReport> {
    let start = Instant::now();
    let (files, total): (usize, u64) = match &feed {
        Feed::Files(files) => (files.len(), files.iter().map(|f| f.size).sum()),
        Feed::Records(_) => (0, 0),
    };
    let mut report = IndexReport {
        files,
        ..Default::default()
    };
    let pb = progress_bar(opts.progress, total);
    for r in bad {
        report.rejected += 1;
        pb.suspend(|| on_reject(r));
    }
    let known = if opts.force {
        Default::default()
    } else {
        store::hashes(&corpus.db)?
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| crate::Error::Corpus(format!("thread pool: {e}")))?;
    let writer_threads = threads.clamp(1, 4);
    // tantivy wants at least 15 MB of arena per indexing thread.
    let memory = opts.writer_memory.max(writer_threads * (16 << 20));
    let mut writer: IndexWriter<TantivyDocument> = corpus
        .index
        .writer_with_num_threads(writer_threads, memory)?;
    let fields = corpus.fields;
    let bytes = AtomicU64::new(0);
    let default_pipeline = Pipeline::new(khabar_pipeline::PipelineOptions {
        neural_entities: !opts.fast_entities,
        keywords: opts.stories,
        ..Default::default()
    });
    let analyze: &(dyn Fn(&Article) -> Document + Send + Sync) = match &opts.analyze {
        Some(f) => f.as_ref(),
        None => &|a: &Article| default_pipeline.analyze(a),
    };
    // A larger page cache for the writer: the mention index by entity is written in entity
    // order, not article order, and misses the default 2 MB cache on large corpora.
    corpus.db.pragma_update(None, "cache_size", -(64 << 10))?;
    // A first run into an empty store builds the entity index at the end (store docs).
    let bulk: bool =
        corpus
            .db
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM entities)", [], |r| {
                r.get(0)
            })?;
    if bulk {
        corpus
            .db
            .execute_batch("DROP INDEX IF EXISTS entities_entity")?;
    }
    let mut linker = None;
    if opts.link_entities {
        let mut l = crate::linking::load_linker(&corpus.db)?;
        let mut touched = FxHashSet::default();
        corpus.db.execute_batch("BEGIN")?;
        report.backfilled = crate::linking::backfill(&corpus.db, &mut l, &mut touched)?;
        crate::linking::refresh(&corpus.db, &touched)?;
        corpus.db.execute_batch("COMMIT")?;
        linker = Some(l);
    }
    let db = &mut corpus.db;
    let writer_ref = &mut writer;

    let written = std::thread::scope(|s| -> Result<(u64, u64)> {
        let (read_tx, read_rx) = sync_channel::<Msg>(8);
        let (write_tx, write_rx) = sync_channel::<Vec<Prepared>>(WRITE_QUEUE);
        let bytes = &bytes;
        std::thread::Builder::new()
            .name("khabar-reader".into())
            .spawn_scoped(s, move || read_all(feed, bytes, read_tx))?;
        let pb_w = pb.clone();
        let linking = linker.is_some();
        let writer_thread = std::thread::Builder::new()
            .name("khabar-writer".into())
            .spawn_scoped(s, move || {
                write_all(
                    db, writer_ref, fields, opts, write_rx, &pb_w, bytes, linking,
                )
            })?;
        // Linking is sequential (each article sees the entities of the ones before): a stage
        // of its own between the analysis and the writer, so it overlaps the writes.
        let write_tx = match linker {
            Some(mut l) => {
                let (link_tx, link_rx) = sync_channel::<Vec<Prepared>>(WRITE_QUEUE);
                std::thread::Builder::new()
                    .name("khabar-linker".into())
                    .spawn_scoped(s, move || {
                        for mut batch in link_rx {
                            for p in &mut batch {
                                p.links = Some(crate::linking::link_article(
                                    &mut l,
                                    &p.entities,
                                    &p.quotes,
                                ));
                            }
                            if write_tx.send(batch).is_err() {
                                break;
                            }
                        }
                    })?;
                link_tx
            }
            None => write_tx,
        };
        for msg in read_rx {
            match msg {
                Msg::Rejected(r) => {
                    report.rejected += 1;
                    pb.suspend(|| on_reject(&r));
                }
                Msg::Articles(chunk) => {
                    report.articles += chunk.len() as u64;
                    report.text_bytes += chunk
                        .iter()
                        .map(|a| (a.title.len() + a.body.len()) as u64)
                        .sum::<u64>();
                    let todo: Vec<(Article, u64)> = chunk
                        .into_iter()
                        .map(|a| {
                            let h = store::content_hash(&a);
                            (a, h)
                        })
                        .filter(|(a, h)| known.get(&a.id) != Some(h))
                        .collect();
                    let results: Vec<Result<Prepared, (String, String)>> = pool.install(|| {
                        todo.into_par_iter()
                            .map(|(a, h)| {
                                let maybe_stored = opts.force || known.contains_key(&a.id);
                                prepare(analyze, fields, a, h, maybe_stored, opts.stories)
                            })
                            .collect()
                    });
                    let mut ready = Vec::with_capacity(results.len());
                    for r in results {
                        match r {
                            Ok(p) => ready.push(p),
                            Err((id, why)) => {
                                report.rejected += 1;
                                report.failed += 1;
                                let r = Rejected {
                                    file: format!("article {id}"),
                                    line: None,
                                    reason: why,
                                };
                                pb.suspend(|| on_reject(&r));
                            }
                        }
                    }
                    if !ready.is_empty() && write_tx.send(ready).is_err() {
                        break; // The writer failed; its error is returned below.
                    }
                }
            }
        }
        drop(write_tx);
        writer_thread
            .join()
            .unwrap_or_else(|_| Err(crate::Error::Corpus("index writer panicked".into())))
    })?;
    writer.wait_merging_threads()?;
    if bulk {
        store::ensure_entity_index(&corpus.db)?;
    }
    report.indexed = written.0;
    report.commits = written.1;
    if opts.stories && (report.indexed > 0 || report.backfilled > 0 || stories_stale(&corpus.db)?) {
        let mut bad = |id: &str, why: &str| {
            report.rejected += 1;
            let r = Rejected {
                file: format!("article {id}"),
                line: None,
                reason: why.to_string(),
            };
            pb.suspend(|| on_reject(&r));
        };
        report.stories = Some(crate::stories::rebuild(
            &corpus.db,
            &opts.story_params,
            &mut bad,
        )?);
    }
    report.unchanged = report.articles - report.indexed - report.failed;
    report.bytes = bytes.load(Ordering::Relaxed).max(total);
    report.seconds = start.elapsed().as_secs_f64();
    pb.finish_and_clear();
    Ok(report)
}

fn progress_bar(enabled: bool, total: u64) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

fn read_all(feed: Feed<'_>, bytes: &AtomicU64, tx: SyncSender<Msg>) {
    let mut chunk = Vec::with_capacity(CHUNK);
    // Set when the analysis stage hung up (the writer failed): read no further.
    let closed = std::cell::Cell::new(false);
    let mut take = |rec: Record| {
        if closed.get() {
            return;
        }
        let sent = match rec {
            Record::Article(a) => {
                chunk.push(a);
                if chunk.len() < CHUNK {
                    return;
                }
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                tx.send(Msg::Articles(full))
            }
            Record::Rejected(r) => tx.send(Msg::Rejected(r)),
        };
        closed.set(sent.is_err());
    };
    match feed {
        Feed::Files(files) => {
            for input in files {
                if closed.get() {
                    return;
                }
                sources::read(input, bytes, &mut take);
            }
        }
        Feed::Records(mut records) => {
            while !closed.get() {
                match records.next() {
                    Some(rec) => take(rec),
                    None => break,
                }
            }
        }
    }
    if !closed.get() && !chunk.is_empty() {
        let _ = tx.send(Msg::Articles(chunk));
    }
}

fn prepare(
    analyze: &(dyn Fn(&Article) -> Document + Send + Sync),
    f: Fields,
    article: Article,
    hash: u64,
    maybe_stored: bool,
    stories: bool,
) -> Result<Prepared, (String, String)> {
    // The analysis layers are young: a panic on one article must not take the run down.
    let analyzed = catch_unwind(AssertUnwindSafe(|| {
        let doc = analyze(&article);
        let json = serde_json::to_string(&doc.to_json(false));
        let features = stories.then(|| {
            khabar_stories::Features::from_document(&doc, khabar_keywords::TermTable::shipped())
                .to_bytes()
        });
        (doc, json, features)
    }));
    let (doc, json, features) = match analyzed {
        Ok((doc, Ok(json), features)) => (doc, json, features),
        Ok((_, Err(e), _)) => return Err((article.id, format!("analysis not serializable: {e}"))),
        Err(_) => return Err((article.id, "analysis failed (panic)".into())),
    };
    let date = article.date.as_deref().and_then(normalize_date);
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &article.id);
    d.add_text(f.title, &article.title);
    d.add_text(f.body, &article.body);
    d.add_text(f.lead, crate::ranking::lead(&article.body));
    if let Some(s) = article.source.as_deref() {
        d.add_text(f.source, s);
        d.add_text(f.source_key, source_key(s));
    }
    if let Some(nd) = &date {
        d.add_text(f.date, &nd.iso);
        d.add_i64(f.day, nd.day);
    }
    for e in &doc.entities {
        d.add_text(f.entities, &e.text);
    }
    for q in &doc.quotes {
        if !q.speaker.text.is_empty() {
            d.add_text(f.speakers, &q.speaker.text);
        }
    }
    Ok(Prepared {
        date,
        hash,
        json,
        maybe_stored,
        links: None,
        entities: doc.entities,
        quotes: doc.quotes,
        features,
        doc: d,
        article,
    })
}

/// True when some stored article has no story (a corpus from before stories, or a run
/// killed between its last commit and the rebuild).
fn stories_stale(db: &rusqlite::Connection) -> Result<bool> {
    Ok(db.query_row(
        "SELECT (SELECT count(*) FROM articles) != (SELECT count(*) FROM story_articles)",
        [],
        |r| r.get(0),
    )?)
}

/// The form of a source name used for filtering: trimmed, lowercase.
pub(crate) fn source_key(s: &str) -> String {
    s.trim().to_lowercase()
}

#[allow(clippy::too_many_arguments)]
fn write_all(
    db: &mut rusqlite::Connection,
    writer: &mut IndexWriter<TantivyDocument>,
    f: Fields,
    opts: &IndexOptions,
    rx: Receiver<Vec<Prepared>>,
    pb: &ProgressBar,
    bytes: &AtomicU64,
    linking: bool,
) -> Result<(u64, u64)> {
    let mut touched = crate::linking::Pending::default();
    let mut written_ids: FxHashSet<String> = FxHashSet::default();
    let start = Instant::now();
    let mut written = 0u64;
    let mut pending = 0usize;
    let mut commits = 0u64;
    db.execute_batch("BEGIN")?;
    let commit = |db: &mut rusqlite::Connection,
                  writer: &mut IndexWriter<TantivyDocument>,
                  touched: &mut crate::linking::Pending|
     -> Result<()> {
        touched.apply(db)?;
        // Order matters: see the module docs.
        writer.commit()?;
        db.execute_batch("COMMIT")?;
        if let Some(p) = opts.commit_pause {
            std::thread::sleep(p);
        }
        db.execute_batch("BEGIN")?;
        Ok(())
    };
    for batch in rx {
        for mut p in batch {
            writer.delete_term(Term::from_field_text(f.id, &p.article.id));
            writer.add_document(p.doc)?;
            let links = match p.links.take() {
                Some(links) => {
                    // an id met twice in this run replaces its first version
                    let again = !written_ids.insert(p.article.id.clone());
                    if p.maybe_stored || again {
                        let mut old = FxHashSet::default();
                        crate::linking::entities_of_article(db, &p.article.id, &mut old)?;
                        touched.recompute(old);
                    }
                    let date = p.date.as_ref().map(|d| d.iso.as_str());
                    touched.add_article(&p.entities, &links.entities, date);
                    links
                }
                None => {
                    debug_assert!(!linking, "the linking stage links every article");
                    Default::default()
                }
            };
            store::upsert(
                db,
                &StoredArticle {
                    article: &p.article,
                    date: p.date.as_ref().map(|d| d.iso.as_str()),
                    day: p.date.as_ref().map(|d| d.day),
                    hash: p.hash,
                    json: &p.json,
                    entities: &p.entities,
                    quotes: &p.quotes,
                    links: &links,
                    features: p.features.as_deref(),
                },
            )?;
            written += 1;
            pending += 1;
            if pending >= opts.batch_size.max(1) {
                commit(db, writer, &mut touched)?;
                commits += 1;
                pending = 0;
            }
        }
        pb.set_position(bytes.load(Ordering::Relaxed));
        let rate = written as f64 / start.elapsed().as_secs_f64().max(1e-3);
        pb.set_message(format!("{written} articles, {rate:.0} articles/s"));
    }
    if pending > 0 {
        commit(db, writer, &mut touched)?;
        commits += 1;
    }
    db.execute_batch("COMMIT")?;
    Ok((written, commits))
}
