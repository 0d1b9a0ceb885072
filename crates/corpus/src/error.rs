//! The crate's error type.

/// Errors of corpus operations. Problems inside inputs are not errors: they are reported as
/// [`khabar_ingest::Rejected`] records.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SQLite store failed.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The full-text index failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The corpus directory does not hold a corpus, or holds a newer one.
    #[error("{0}")]
    Corpus(String),
    /// A query or filter could not be understood.
    #[error("query: {0}")]
    Query(String),
}

impl From<tantivy::directory::error::OpenDirectoryError> for Error {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        Error::Tantivy(e.into())
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
