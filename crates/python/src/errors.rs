//! khabar's Python exceptions live in `khabar/errors.py` (so that one class can be both a
//! `KhabarError` and a `ValueError`); errors raised here are instances of those classes.

use pyo3::prelude::*;

/// A Python exception of class `name` from `khabar.errors`, with `message`.
pub fn error(py: Python<'_>, name: &str, message: impl Into<String>) -> PyErr {
    let message = message.into();
    match py
        .import("khabar.errors")
        .and_then(|m| m.getattr(name))
        .and_then(|class| class.call1((message.clone(),)))
    {
        Ok(instance) => PyErr::from_value(instance),
        // The package is imported without its Python half (a bare `_khabar`): a plain error.
        Err(_) => pyo3::exceptions::PyRuntimeError::new_err(message),
    }
}

/// A corpus error as Python sees it: queries and filters that cannot be understood are
/// `QueryError` (a `ValueError`), the rest `CorpusError`; the message is the CLI's.
pub fn corpus_error(py: Python<'_>, e: khabar_corpus::Error) -> PyErr {
    match e {
        khabar_corpus::Error::Query(_) => error(py, "QueryError", e.to_string()),
        _ => error(py, "CorpusError", e.to_string()),
    }
}
