//! Reading Arabic news articles from files: the bottom layer of khabar.
//!
//! * [`open`] streams the articles of one input — a headline-first `.txt` file, JSON Lines
//!   (`.jsonl`, `.ndjson`, `.json`), gzip or zstd compressed JSON Lines, or stdin (`"-"`) — as
//!   [`Record`]s. Malformed records come out as [`Record::Rejected`] with file, line and
//!   reason, so one bad record never loses the good ones; [`ArticleReader::report`] keeps the
//!   totals.
//! * [`decode`] turns the bytes of a text file into a `String` (UTF-8, UTF-8 with BOM,
//!   UTF-16 LE/BE with BOM, Windows-1256) and refuses binary data.
//! * [`parse_text_article`] splits a text into headline and body, and [`restore_paragraphs`]
//!   undoes the `".,"` paragraph gluing of a common scraping tool.
//!
//! This crate depends on no other khabar crate.

mod article;
mod decode;
mod jsonl;
mod reader;

pub use jsonl::parse_json_record;

pub use article::{normalize_line_endings, parse_text_article, restore_paragraphs, Article};
pub use decode::{decode, DecodeError, Encoding, ParseEncodingError};
pub use reader::{
    open, ArticleReader, IngestError, ReadReport, Record, Rejected, MAX_LINE_BYTES, MAX_TEXT_BYTES,
    STDIN_NAME,
};
