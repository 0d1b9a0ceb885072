//! # khabar-corpus
//!
//! The corpus: many articles ingested, analyzed and made searchable in Arabic.
//!
//! A corpus is a directory holding an SQLite store (`khabar.sqlite`: articles, analyses,
//! entities, quotations) and a tantivy full-text index (`tantivy/`) whose text fields use
//! khabar's own Arabic analyzer ([`analyzer`]): a query for `القوات` finds `لقوات`,
//! `والقوات` and `قوات`, whatever the diacritics or hamza spelling.
//!
//! * [`Corpus::open`] creates or opens a corpus; [`index_inputs`] ingests JSONL, text, HTML,
//!   RSS/Atom and WARC inputs ([`sources`]) with the full analysis pipeline in parallel,
//!   committing in crash-safe batches.
//! * [`Searcher`] runs BM25 queries with phrases and filters and makes highlighted snippets.
//! * [`stats`] summarizes the store; [`bench`] holds the latency and relevance benchmarks.

pub mod analyzer;
pub mod bench;
pub mod dates;
pub mod entities;
mod error;
mod indexer;
mod linking;
pub mod ranking;
mod schema;
mod search;
pub mod sources;
mod stats;
mod store;
pub mod stories;

pub use entities::{
    About, EntityMatch, EntityProfile, EntityRecord, EntityStory, QuoteRecord, SaidRequest,
    SaidResults,
};
pub use error::{Error, Result};
pub use indexer::{index_inputs, index_records, AnalyzeFn, IndexOptions, IndexReport};
pub use schema::Corpus;
pub use search::{Hit, SearchRequest, SearchResults, Searcher};
pub use stats::{sources, stats, Count, Stats};
pub use store::SCHEMA_VERSION;
pub use stories::{StoriesReport, StoriesRequest, StoryRecord};
