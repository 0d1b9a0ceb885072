//! # khabar for Python
//!
//! The extension module `khabar._khabar`: the analysis pipeline ([`pipeline`]), its
//! documents ([`doc`]) and the corpus ([`corpus`]). The package `khabar` (python/khabar)
//! wraps it in the conventions Python NLP users know: `nlp = khabar.load()`,
//! `doc = nlp(text)`, `nlp.pipe(texts)`, `khabar.Corpus(path)`.
//!
//! Heavy work runs with the interpreter detached (other Python threads go on), on rayon
//! threads for `pipe` and indexing.

use pyo3::prelude::*;

mod corpus;
mod doc;
mod errors;
mod pipeline;

// Analysis allocates many small strings and vectors per sentence; mimalloc is the CLI's
// allocator too, so the two are measured alike.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _khabar(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SCHEMA", khabar_analysis::SCHEMA)?;
    m.add_class::<doc::Doc>()?;
    m.add_class::<doc::Span>()?;
    m.add_class::<doc::Token>()?;
    m.add_class::<doc::Quote>()?;
    m.add_class::<doc::Quantity>()?;
    m.add_class::<doc::Keyword>()?;
    m.add_class::<pipeline::Pipeline>()?;
    m.add_class::<pipeline::DocStream>()?;
    m.add_class::<corpus::RawCorpus>()?;
    m.add_function(wrap_pyfunction!(pipeline::load, m)?)?;
    Ok(())
}
