//! `khabar.load()`, `nlp(text)`, `nlp.analyze(...)` and `nlp.pipe(...)`.

use crate::doc::Doc;
use crate::errors::error;
use khabar_analysis::Document;
use khabar_ingest::Article;
use khabar_pipeline::PipelineOptions;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyString, PyTuple};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// The analysis pipeline: `nlp(text)` analyzes one text, `nlp.pipe(texts)` many, in
/// parallel Rust threads with the interpreter released.
#[pyclass(module = "khabar", frozen)]
pub struct Pipeline {
    pipeline: khabar_pipeline::Pipeline,
}

/// Loads the pipeline (the NER model, the lexicons and the term table) and returns it.
///
/// Layers can be switched off: `khabar.load(quotes=False)`. `fast_entities=True` runs the
/// NER model's linear passes only (about 2.5× faster tagging, 0.7 F1 lower on ANERcorp).
#[pyfunction]
#[pyo3(signature = (*, entities = true, quotes = true, quantities = true, keywords = true, fast_entities = false))]
pub fn load(
    py: Python<'_>,
    entities: bool,
    quotes: bool,
    quantities: bool,
    keywords: bool,
    fast_entities: bool,
) -> Pipeline {
    let pipeline = khabar_pipeline::Pipeline::new(PipelineOptions {
        entities,
        quotes,
        quantities,
        neural_entities: !fast_entities,
        keywords,
    });
    // The models load lazily on first use; load them now, so the first call is not slow.
    py.detach(|| {
        let mut doc = Document::from_text("", "تحميل النماذج.");
        pipeline.annotate(&mut doc);
    });
    Pipeline { pipeline }
}

/// One input of `pipe`, read while holding the interpreter.
enum Input {
    Text(String),
    Article(Box<Article>),
    /// A record that could not be read: the message of the error to raise in its place.
    Bad(String),
}

/// What to do with a record that cannot be read or analyzed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnError {
    Raise,
    Warn,
}

fn analyze(pipeline: &khabar_pipeline::Pipeline, input: Input) -> Result<Document, String> {
    let failed = match &input {
        Input::Article(a) => {
            format!(
                "article {}: analysis failed (a bug in khabar: please report it)",
                a.id
            )
        }
        _ => "analysis failed (a bug in khabar: please report the text)".to_string(),
    };
    let run = || match input {
        Input::Text(text) => {
            let mut doc = Document::from_text("", &text);
            pipeline.annotate(&mut doc);
            Ok(doc)
        }
        Input::Article(a) => Ok(pipeline.analyze(&a)),
        Input::Bad(why) => Err(why),
    };
    // A bug in a layer must not take the interpreter down: it becomes an exception.
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(Err(failed))
}

/// Reads one `pipe` item: a str (a text) or a dict (an article record with `body` and
/// optionally `title`, `id`, `date`, `source`, `url`, checked like a JSON Lines record).
fn read_input(py: Python<'_>, item: &Bound<'_, PyAny>, position: usize) -> PyResult<Input> {
    if let Ok(s) = item.cast::<PyString>() {
        return Ok(Input::Text(s.to_cow()?.into_owned()));
    }
    if let Some(read) = read_record(py, item, position)? {
        return Ok(match read {
            Ok(a) => Input::Article(Box::new(a)),
            Err(why) => Input::Bad(format!("record {position}: {why}")),
        });
    }
    let type_name = item.get_type().name()?.to_string();
    Ok(Input::Bad(format!(
        "record {position}: expected a str (a text) or a dict (an article), found {type_name}"
    )))
}

/// Reads a mapping as an article record, checked like a JSON Lines record (`position`
/// names a record without an id); `None` when `item` is not a mapping.
pub(crate) fn read_record(
    py: Python<'_>,
    item: &Bound<'_, PyAny>,
    position: usize,
) -> PyResult<Option<Result<Article, String>>> {
    if item.cast::<PyDict>().is_err() && !item.hasattr("keys")? {
        return Ok(None);
    }
    Ok(Some(json_dumps(py, item).and_then(|json| {
        khabar_ingest::parse_json_record(&json, position, "records")
    })))
}

/// A mapping as JSON text, with Python's own encoder (dates and other objects as strings).
fn json_dumps(py: Python<'_>, item: &Bound<'_, PyAny>) -> Result<String, String> {
    let dumps = || -> PyResult<String> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("ensure_ascii", false)?;
        kwargs.set_item("default", py.get_type::<PyString>())?;
        py.import("json")?
            .call_method("dumps", (item,), Some(&kwargs))?
            .extract()
    };
    dumps().map_err(|e| format!("not a JSON object: {e}"))
}

#[pymethods]
impl Pipeline {
    /// Analyzes a text as it is (no headline; offsets index `text` itself).
    fn __call__(&self, py: Python<'_>, text: &str) -> PyResult<Doc> {
        let pipeline = &self.pipeline;
        let text = text.to_string();
        let doc = py.detach(|| analyze(pipeline, Input::Text(text)));
        doc.map(Doc::new).map_err(|e| error(py, "KhabarError", e))
    }

    /// Analyzes an article: `doc.text` is the headline, a line break, then the body (both
    /// trimmed), as the CLI does for a JSON Lines record.
    #[pyo3(signature = (body, *, title = "", id = "", date = None, source = None, url = None))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, one per article field
    fn analyze(
        &self,
        py: Python<'_>,
        body: &str,
        title: &str,
        id: &str,
        date: Option<String>,
        source: Option<String>,
        url: Option<String>,
    ) -> PyResult<Doc> {
        let article = Article {
            id: id.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            date,
            source,
            url,
        };
        let pipeline = &self.pipeline;
        let doc = py.detach(|| analyze(pipeline, Input::Article(Box::new(article))));
        doc.map(Doc::new).map_err(|e| error(py, "KhabarError", e))
    }

    /// Analyzes a stream of texts (str) or article records (dict), `batch_size` at a time
    /// on `n_threads` Rust threads (0: one per core), yielding docs in input order. With
    /// `as_tuples=True` items are `(text_or_record, context)` and `(doc, context)` pairs
    /// come out. A record that cannot be read raises `khabar.RecordError` (naming its
    /// position) where its doc would be, or with `on_error="warn"` is skipped with a
    /// `khabar.RecordWarning`.
    #[pyo3(signature = (texts, *, batch_size = 256, n_threads = 0, as_tuples = false, on_error = "raise"))]
    fn pipe(
        &self,
        texts: &Bound<'_, PyAny>,
        batch_size: usize,
        n_threads: usize,
        as_tuples: bool,
        on_error: &str,
    ) -> PyResult<DocStream> {
        let on_error = match on_error {
            "raise" => OnError::Raise,
            "warn" => OnError::Warn,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "on_error must be \"raise\" or \"warn\", not {other:?}"
                )))
            }
        };
        if batch_size == 0 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "batch_size must be at least 1",
            ));
        }
        let pool = match n_threads {
            0 => None,
            n => Some(Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| error(texts.py(), "KhabarError", e.to_string()))?,
            )),
        };
        Ok(DocStream {
            pipeline: self.pipeline.clone(),
            source: texts.try_iter()?.unbind(),
            pool,
            batch_size,
            as_tuples,
            on_error,
            queue: VecDeque::new(),
            position: 0,
            exhausted: false,
        })
    }

    /// Names of the layers this pipeline runs (spaCy's `pipe_names`).
    #[getter]
    fn pipe_names(&self) -> Vec<&'static str> {
        let o = self.pipeline.options();
        let mut names = vec!["tokens", "sentences"];
        for (on, name) in [
            (o.entities, "entities"),
            (o.quantities, "quantities"),
            (o.quotes, "quotes"),
            (o.keywords, "keywords"),
        ] {
            if on {
                names.push(name);
            }
        }
        names
    }

    fn __repr__(&self) -> String {
        format!("<khabar.Pipeline {}>", self.pipe_names().join(" → "))
    }
}

/// The iterator `nlp.pipe` returns.
#[pyclass(module = "khabar")]
pub struct DocStream {
    pipeline: khabar_pipeline::Pipeline,
    source: Py<PyIterator>,
    pool: Option<Arc<rayon::ThreadPool>>,
    batch_size: usize,
    as_tuples: bool,
    on_error: OnError,
    /// Analyzed items waiting to be yielded (a doc, or a `(doc, context)` tuple), or the
    /// message of an unreadable record in its place.
    queue: VecDeque<Result<Py<PyAny>, String>>,
    /// Items read so far.
    position: usize,
    exhausted: bool,
}

impl DocStream {
    /// Reads the next batch from the source and analyzes it with the interpreter released.
    fn refill(&mut self, py: Python<'_>) -> PyResult<()> {
        let mut inputs = Vec::with_capacity(self.batch_size);
        let mut contexts = Vec::with_capacity(if self.as_tuples { self.batch_size } else { 0 });
        let source = self.source.bind(py);
        while inputs.len() < self.batch_size {
            let Some(item) = source.clone().next() else {
                self.exhausted = true;
                break;
            };
            let item = item?;
            self.position += 1;
            let (item, context) = if self.as_tuples {
                match item.cast::<PyTuple>() {
                    Ok(t) if t.len() == 2 => (t.get_item(0)?, Some(t.get_item(1)?.unbind())),
                    _ => {
                        inputs.push(Input::Bad(format!(
                            "record {}: as_tuples=True needs (text_or_record, context) pairs",
                            self.position
                        )));
                        contexts.push(None);
                        continue;
                    }
                }
            } else {
                (item, None)
            };
            inputs.push(read_input(py, &item, self.position)?);
            if self.as_tuples {
                contexts.push(context);
            }
        }
        let pipeline = &self.pipeline;
        let pool = self.pool.clone();
        let docs: Vec<Result<Document, String>> = py.detach(move || {
            let run = move || {
                inputs
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|input| analyze(pipeline, input))
                    .collect()
            };
            match pool {
                Some(pool) => pool.install(run),
                None => run(),
            }
        });
        let mut contexts = contexts.into_iter();
        for doc in docs {
            let context = contexts.next().flatten();
            let item = match doc {
                Ok(doc) => {
                    let doc = Bound::new(py, Doc::new(doc))?.into_any();
                    Ok(if self.as_tuples {
                        let context = context.unwrap_or_else(|| py.None());
                        PyTuple::new(py, [doc.unbind(), context])?
                            .into_any()
                            .unbind()
                    } else {
                        doc.unbind()
                    })
                }
                Err(why) => Err(why),
            };
            self.queue.push_back(item);
        }
        Ok(())
    }
}

#[pymethods]
impl DocStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            match self.queue.pop_front() {
                Some(Ok(item)) => return Ok(Some(item)),
                Some(Err(why)) => match self.on_error {
                    OnError::Raise => return Err(error(py, "RecordError", why)),
                    OnError::Warn => {
                        let warning = py.import("khabar.errors")?.getattr("RecordWarning")?;
                        PyErr::warn(py, &warning, &std::ffi::CString::new(why)?, 1)?;
                    }
                },
                None if self.exhausted => return Ok(None),
                None => self.refill(py)?,
            }
        }
    }
}
