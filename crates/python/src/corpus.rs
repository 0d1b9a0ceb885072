//! `khabar._khabar._Corpus`: the corpus calls, returning plain Python objects (dicts and
//! lists of the CLI's JSON records). `khabar.Corpus` (python/khabar/corpus.py) wraps it
//! with keyword filters, result lists and pandas helpers.

use crate::errors::{corpus_error, error};
use khabar_corpus::{Corpus, IndexOptions, SaidRequest, SearchRequest, Searcher, StoriesRequest};
use khabar_ingest::{Record, Rejected};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where rejections of in-memory records say they come from.
const RECORDS: &str = "<records>";

/// A corpus directory: an SQLite store and a tantivy index.
#[pyclass(module = "khabar._khabar", name = "_Corpus", frozen)]
pub struct RawCorpus {
    dir: PathBuf,
    corpus: Mutex<Corpus>,
    /// Opened on the first search, dropped by every indexing run (it reads a snapshot).
    searcher: Mutex<Option<std::sync::Arc<Searcher>>>,
}

/// Records as the CLI's JSON reads (see [`crate::doc::json_to_py`]).
fn to_py<'py, T: Serialize + ?Sized>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    crate::doc::json_to_py(py, value)
}

impl RawCorpus {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Corpus) -> khabar_corpus::Result<T> + Send,
    ) -> PyResult<T> {
        let out = py.detach(|| {
            let mut corpus = self.corpus.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut corpus)
        });
        out.map_err(|e| corpus_error(py, e))
    }

    fn searcher(&self, py: Python<'_>) -> PyResult<std::sync::Arc<Searcher>> {
        let mut slot = self.searcher.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let dir = self.dir.clone();
        let s = py
            .detach(|| Searcher::open(&dir))
            .map_err(|e| corpus_error(py, e))?;
        let s = std::sync::Arc::new(s);
        *slot = Some(s.clone());
        Ok(s)
    }

    /// Runs an indexing job and returns its report with the rejections, each
    /// `{"where": "file:line" | "<records>:N", "reason": ...}`.
    fn run_index<'py>(
        &self,
        py: Python<'py>,
        job: impl FnOnce(
                &mut Corpus,
                &mut dyn FnMut(&Rejected),
            ) -> khabar_corpus::Result<khabar_corpus::IndexReport>
            + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut rejections: Vec<(String, String)> = Vec::new();
        let report = self.with(py, |c| {
            job(c, &mut |r: &Rejected| {
                let place = match r.line {
                    Some(line) => format!("{}:{line}", r.file),
                    None => r.file.clone(),
                };
                rejections.push((place, r.reason.clone()));
            })
        })?;
        *self.searcher.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let out = to_py(py, &report)?;
        let list = PyList::empty(py);
        for (place, reason) in rejections {
            let d = PyDict::new(py);
            d.set_item("where", place)?;
            d.set_item("reason", reason)?;
            list.append(d)?;
        }
        out.set_item("rejections", list)?;
        Ok(out)
    }
}

fn index_options(threads: usize, force: bool) -> IndexOptions {
    IndexOptions {
        threads,
        force,
        ..Default::default()
    }
}

#[pymethods]
impl RawCorpus {
    /// Opens the corpus in `path`; with `create`, makes it when missing.
    #[new]
    #[pyo3(signature = (path, create = true))]
    fn new(py: Python<'_>, path: PathBuf, create: bool) -> PyResult<Self> {
        let dir = path.clone();
        let corpus = py
            .detach(|| {
                if create {
                    Corpus::open(&dir)
                } else {
                    Corpus::open_existing(&dir)
                }
            })
            .map_err(|e| corpus_error(py, e))?;
        Ok(RawCorpus {
            dir: path,
            corpus: Mutex::new(corpus),
            searcher: Mutex::new(None),
        })
    }

    /// The corpus directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.dir.clone()
    }

    /// Indexes article records (dicts with `body` and optionally `title`, `id`, `date`,
    /// `source`, `url`); unreadable records are reported as `<records>:N` and skipped.
    #[pyo3(signature = (records, threads = 0, force = false))]
    fn index_records<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        threads: usize,
        force: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Records are read with the interpreter held, before the indexer's threads start.
        let mut read = Vec::new();
        for (i, item) in records.try_iter()?.enumerate() {
            let item = item?;
            let n = i + 1;
            let reason = match crate::pipeline::read_record(py, &item, n)? {
                Some(Ok(article)) => {
                    read.push(Record::Article(article));
                    continue;
                }
                Some(Err(why)) => why,
                None => format!(
                    "expected a dict (an article record), found {}",
                    item.get_type().name()?
                ),
            };
            read.push(Record::Rejected(Rejected {
                file: RECORDS.into(),
                line: Some(n),
                reason,
            }));
        }
        let opts = index_options(threads, force);
        self.run_index(py, move |c, on_reject| {
            khabar_corpus::index_records(c, read.into_iter(), &opts, on_reject)
        })
    }

    /// Indexes files and directories as `khabar index` does (JSON Lines, text, HTML, feeds,
    /// WARC, compressed or not).
    #[pyo3(signature = (paths, threads = 0, force = false))]
    fn index_files<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        threads: usize,
        force: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = index_options(threads, force);
        self.run_index(py, move |c, on_reject| {
            khabar_corpus::index_inputs(c, &paths, &opts, on_reject)
        })
    }

    /// Full-text search with filters; the CLI's `khabar search --format json` record.
    #[pyo3(signature = (query, limit, source = None, from_ = None, to = None, entity = None, speaker = None))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, one per filter
    fn search<'py>(
        &self,
        py: Python<'py>,
        query: String,
        limit: usize,
        source: Option<String>,
        from_: Option<String>,
        to: Option<String>,
        entity: Option<String>,
        speaker: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let searcher = self.searcher(py)?;
        let req = SearchRequest {
            query,
            limit,
            source,
            from: from_,
            to,
            entity,
            speaker,
            snippet_chars: 0,
        };
        let results = py
            .detach(|| searcher.search(&req))
            .map_err(|e| corpus_error(py, e))?;
        to_py(py, &results)
    }

    /// The stored analysis of one article (`khabar.analysis/1`), or None.
    fn article<'py>(&self, py: Python<'py>, id: String) -> PyResult<Option<Bound<'py, PyAny>>> {
        let json = self.with(py, move |c| c.analysis_json(&id))?;
        json.map(|j| {
            let value: serde_json::Value = serde_json::from_str(&j)
                .map_err(|e| error(py, "CorpusError", format!("stored analysis: {e}")))?;
            to_py(py, &value)
        })
        .transpose()
    }

    /// Stories, largest first.
    #[pyo3(signature = (from_ = None, to = None, min_size = 2, limit = 50))]
    fn stories<'py>(
        &self,
        py: Python<'py>,
        from_: Option<String>,
        to: Option<String>,
        min_size: usize,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = StoriesRequest {
            from: from_,
            to,
            min_size,
            limit,
        };
        let stories = self.with(py, move |c| c.stories(&req))?;
        to_py(py, &stories)
    }

    /// One story with its articles (`"articles"`), or None.
    fn story<'py>(&self, py: Python<'py>, id: i64) -> PyResult<Option<Bound<'py, PyAny>>> {
        let story = self.with(py, move |c| c.story(id))?;
        story
            .map(|(record, articles)| {
                let out = to_py(py, &record)?;
                out.set_item("articles", to_py(py, &articles)?)?;
                Ok(out)
            })
            .transpose()
    }

    /// Near-duplicate groups.
    #[pyo3(signature = (limit = 50))]
    fn duplicates<'py>(&self, py: Python<'py>, limit: usize) -> PyResult<Bound<'py, PyAny>> {
        let groups = self.with(py, move |c| c.duplicates(limit))?;
        to_py(py, &groups)
    }

    /// Corpus entities, most articles first.
    #[pyo3(signature = (kind = None, limit = 50))]
    fn entities<'py>(
        &self,
        py: Python<'py>,
        kind: Option<String>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let list = self.with(py, move |c| c.entities(kind.as_deref(), limit))?;
        to_py(py, &list)
    }

    /// Everything the corpus knows about one entity (any spelling, or an id).
    #[pyo3(signature = (name, limit = 20))]
    fn entity<'py>(
        &self,
        py: Python<'py>,
        name: String,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let profile = self.with(py, move |c| c.entity_profile(&name, limit))?;
        to_py(py, &profile)
    }

    /// The entities a name may mean, best first.
    fn resolve<'py>(&self, py: Python<'py>, name: String) -> PyResult<Bound<'py, PyAny>> {
        let matches = self.with(py, move |c| c.resolve_entity(&name))?;
        to_py(py, &matches)
    }

    /// What a speaker said, optionally about an entity or words.
    #[pyo3(signature = (speaker, about = None, from_ = None, to = None, limit = 50))]
    fn said<'py>(
        &self,
        py: Python<'py>,
        speaker: String,
        about: Option<String>,
        from_: Option<String>,
        to: Option<String>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = SaidRequest {
            speaker,
            about,
            from: from_,
            to,
            limit,
        };
        let results = self.with(py, move |c| c.said(&req))?;
        to_py(py, &results)
    }

    /// Totals, outlets, days, top entities and speakers.
    #[pyo3(signature = (top = 10))]
    fn stats<'py>(&self, py: Python<'py>, top: usize) -> PyResult<Bound<'py, PyAny>> {
        let stats = self.with(py, move |c| khabar_corpus::stats(c, top))?;
        to_py(py, &stats)
    }

    /// Articles stored.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.with(py, |c| c.article_count())? as usize)
    }
}
