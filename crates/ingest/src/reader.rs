//! Streaming articles out of files and stdin.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::article::{parse_text_article, Article};
use crate::decode::{decode, Encoding};
use crate::jsonl::{kind, parse_line, LineError};

/// Read-buffer size. Large buffers keep the gzip and zstd decoders in their fast loops and cut
/// system calls when streaming the 100 MB corpora.
const BUFFER_SIZE: usize = 256 * 1024;

/// Longest JSON line accepted. Real articles are well below 1 MiB; the limit stops a file with
/// no line breaks (a mislabelled binary, a pretty-printed dump) from being buffered whole.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Largest text article accepted; larger files are rejected without being read whole.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Name used for standard input in reports and rejections.
pub const STDIN_NAME: &str = "<stdin>";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const GZIP_MAGIC: &[u8] = b"\x1F\x8B";
const ZSTD_MAGIC: &[u8] = b"\x28\xB5\x2F\xFD";

/// Errors that prevent reading an input at all. Problems inside an input (bad records, corrupt
/// compressed data, undecodable text) are not errors but [`Record::Rejected`] items.
///
/// Messages are one line and start with the file name, e.g.
/// `"news/missing.jsonl: cannot open: No such file or directory (os error 2)"`. The I/O error is
/// part of the message and deliberately not exposed as `source()`, so that error reporters
/// which print the cause chain do not repeat it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened (missing, permission denied, ...).
    #[error("{path}: cannot open: {error}")]
    Open {
        /// The path as given to [`open`].
        path: String,
        /// The underlying error; match on `error.kind()` for e.g. `NotFound`.
        error: io::Error,
    },
    /// The path names a directory.
    #[error("{path}: is a directory, not a file")]
    IsDirectory {
        /// The path as given to [`open`].
        path: String,
    },
    /// The file was opened but reading its beginning failed.
    #[error("{path}: cannot read: {error}")]
    Read {
        /// The path as given to [`open`].
        path: String,
        /// The underlying error.
        error: io::Error,
    },
}

impl IngestError {
    /// The path the error is about.
    pub fn path(&self) -> &str {
        match self {
            IngestError::Open { path, .. }
            | IngestError::IsDirectory { path }
            | IngestError::Read { path, .. } => path,
        }
    }
}

/// A record that could not be turned into an article.
///
/// Displays as one line: `"FILE:LINE: reason"`, or `"FILE: reason"` when the problem is not
/// tied to a line (e.g. an undecodable text file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// The input as given to [`open`] (`"<stdin>"` for standard input).
    pub file: String,
    /// 1-based line number, for line-oriented inputs.
    pub line: Option<usize>,
    /// Short reason, e.g. `"invalid JSON: expected `,` or `}` at column 57"`.
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// One item produced by an [`ArticleReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A well-formed article.
    Article(Article),
    /// A record that was skipped, with the reason.
    Rejected(Rejected),
}

impl Record {
    /// The article, dropping rejections: `reader.filter_map(Record::into_article)`.
    pub fn into_article(self) -> Option<Article> {
        match self {
            Record::Article(article) => Some(article),
            Record::Rejected(_) => None,
        }
    }
}

/// Running totals for one input, updated as records are yielded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReport {
    /// The input as given to [`open`] (`"<stdin>"` for standard input).
    pub file: String,
    /// Encoding of the input: detected for text files, `utf-8` for JSON Lines (`utf-8-bom`
    /// once a leading byte-order mark has been seen). `None` when a text input could not be
    /// decoded.
    pub encoding: Option<Encoding>,
    /// Articles yielded so far.
    pub articles: usize,
    /// Rejected records yielded so far.
    pub rejected: usize,
    /// Rejections by category, e.g. `{"invalid JSON": 2, "missing body": 1}`. Categories:
    /// `invalid JSON`, `truncated JSON`, `invalid record` (e.g. a duplicate field),
    /// `not a JSON object`, `invalid UTF-8`, `wrong field type`, `missing body`,
    /// `missing title and body`, `line too long`, `stream error` (corrupt or truncated
    /// compressed data, read failure), `undecodable text`, `empty article`, `text too large`.
    pub reasons: BTreeMap<String, usize>,
}

/// Opens one input and returns a streaming iterator over its records.
///
/// The format follows the file name (case-insensitively):
///
/// | name ends with | format |
/// |---|---|
/// | `.txt` | one headline-first text article ([`parse_text_article`]), any supported encoding |
/// | `.jsonl`, `.ndjson`, `.json` | JSON Lines, one article per line |
/// | `.gz` (e.g. `.jsonl.gz`) | gzip-compressed JSON Lines |
/// | `.zst` (e.g. `.jsonl.zst`) | zstd-compressed JSON Lines |
///
/// `"-"` reads standard input, and any other name is sniffed from its content: gzip or zstd
/// magic bytes → compressed JSON Lines; first non-blank character `{` → JSON Lines; otherwise
/// a text article.
///
/// JSON Lines records are objects with `id`, `title`, `body` and optional `date`, `source`,
/// `url` strings; other fields are ignored. `content` or `text` stand in for a missing `body`;
/// `null` counts as missing. A numeric `id` becomes a string, and a missing or blank one
/// becomes `"{file_stem}:{line}"` (e.g. `ant-v1.1:17`). A missing title is accepted as empty,
/// a missing body is rejected. Title and body are trimmed. Blank lines are skipped, a UTF-8
/// byte-order mark opening the file is ignored. Corrupt or truncated compressed data yields
/// one final rejection; the articles before it are kept.
///
/// Only failing to open (or start reading) the input is an error; everything found inside is
/// reported through [`Record::Rejected`] so that one bad record never loses the good ones.
///
/// ```no_run
/// let mut reader = khabar_ingest::open("news.jsonl.gz")?;
/// for record in reader.by_ref() {
///     match record {
///         khabar_ingest::Record::Article(a) => println!("{}", a.title),
///         khabar_ingest::Record::Rejected(r) => eprintln!("skipped {r}"),
///     }
/// }
/// eprintln!("{} articles", reader.report().articles);
/// # Ok::<(), khabar_ingest::IngestError>(())
/// ```
pub fn open(path: &str) -> Result<ArticleReader, IngestError> {
    let input_bytes = Arc::new(AtomicU64::new(0));
    if path == "-" {
        let stdin = Counting::new(io::stdin(), Arc::clone(&input_bytes));
        let (prefix, format) = sniff(stdin).map_err(|error| IngestError::Read {
            path: STDIN_NAME.to_owned(),
            error,
        })?;
        return ArticleReader::start(STDIN_NAME, "stdin", format, prefix, None, input_bytes);
    }

    let file = File::open(path).map_err(|error| IngestError::Open {
        path: path.to_owned(),
        error,
    })?;
    let metadata = file.metadata().map_err(|error| IngestError::Open {
        path: path.to_owned(),
        error,
    })?;
    if metadata.is_dir() {
        return Err(IngestError::IsDirectory {
            path: path.to_owned(),
        });
    }
    // Pipes and character devices report a size of 0 that means "unknown".
    let size_hint = metadata.is_file().then_some(metadata.len());
    let stem = file_stem(path);
    let file = Counting::new(file, Arc::clone(&input_bytes));
    let (prefix, format) = match format_from_name(path) {
        Some(format) => (prefixed(Vec::new(), file), format),
        None => sniff(file).map_err(|error| IngestError::Read {
            path: path.to_owned(),
            error,
        })?,
    };
    ArticleReader::start(path, &stem, format, prefix, size_hint, input_bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Jsonl,
    JsonlGzip,
    JsonlZstd,
}

fn format_from_name(path: &str) -> Option<Format> {
    let name = Path::new(path)
        .file_name()?
        .to_string_lossy()
        .to_ascii_lowercase();
    let format = if name.ends_with(".gz") {
        Format::JsonlGzip
    } else if name.ends_with(".zst") {
        Format::JsonlZstd
    } else if [".jsonl", ".ndjson", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        Format::Jsonl
    } else if name.ends_with(".txt") {
        Format::Text
    } else {
        return None;
    };
    Some(format)
}

/// The file name without its format suffixes: `ant-v1.1.jsonl.gz` → `ant-v1.1`,
/// `seed-article.txt` → `seed-article`. Used for ids of records that lack one.
fn file_stem(path: &str) -> String {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned());
    let mut stem = name.as_str();
    for suffixes in [
        &[".gz", ".zst"][..],
        &[".jsonl", ".ndjson", ".json", ".txt"][..],
    ] {
        for suffix in suffixes {
            let cut = stem.len().saturating_sub(suffix.len());
            if stem.len() > suffix.len()
                && stem.is_char_boundary(cut)
                && stem[cut..].eq_ignore_ascii_case(suffix)
            {
                stem = &stem[..cut];
                break;
            }
        }
    }
    stem.to_owned()
}

/// Reads just enough of the input to decide its format; the bytes read are handed back (as a
/// [`Prefixed`] reader) so nothing is lost.
fn sniff<R: Read>(mut input: R) -> io::Result<(Prefixed<R>, Format)> {
    // Leading whitespace is skipped while looking for the first character, but not forever.
    const LIMIT: usize = 1024 * 1024;
    let mut prefix = Vec::new();
    let mut chunk = [0u8; 4096];
    let format = loop {
        let n = match input.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        prefix.extend_from_slice(&chunk[..n]);
        let at_end = n == 0;
        if prefix.starts_with(GZIP_MAGIC) {
            break Format::JsonlGzip;
        }
        if prefix.starts_with(ZSTD_MAGIC) {
            break Format::JsonlZstd;
        }
        if prefix.len() < ZSTD_MAGIC.len() && !at_end {
            continue;
        }
        let content = prefix.strip_prefix(UTF8_BOM).unwrap_or(&prefix);
        match content.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => break Format::Jsonl,
            Some(_) => break Format::Text,
            None if at_end || prefix.len() >= LIMIT => break Format::Text,
            None => {}
        }
    };
    Ok((prefixed(prefix, input), format))
}

/// Streaming reader of articles; see [`open`].
///
/// JSON Lines inputs are read one line at a time into a reused buffer, so memory use does not
/// grow with the file. The iterator is fused: after `None` it keeps returning `None`.
pub struct ArticleReader {
    state: State,
    report: ReadReport,
    bytes_read: u64,
    input_bytes: Arc<AtomicU64>,
    total_bytes_hint: Option<u64>,
}

enum State {
    Lines(Lines),
    /// A text article (or its rejection), decoded when the input was opened.
    Single(Option<Outcome>),
    Done,
}

/// What the reader produces before the report has counted it.
enum Outcome {
    Article(Article),
    Rejected(&'static str, Rejected),
}

struct Lines {
    reader: Box<dyn BufRead + Send>,
    /// Reused for every line: no allocation per line once it has grown to the longest line.
    buf: Vec<u8>,
    line_no: usize,
    stem: String,
    /// What the bytes come through, for error messages.
    stream: Stream,
    /// [`MAX_LINE_BYTES`], except in tests.
    max_line: usize,
}

#[derive(Debug, Clone, Copy)]
enum Stream {
    Plain,
    Gzip,
    Zstd,
}

enum LineRead {
    Eof,
    Line,
    /// Longer than the line limit; the line was skipped and `buf` is empty.
    TooLong,
}

impl Lines {
    /// Reads the next line (with its `\n`, if any) into `buf`, adding the bytes consumed to
    /// `bytes_read`.
    fn read_line(&mut self, bytes_read: &mut u64) -> io::Result<LineRead> {
        self.buf.clear();
        let mut consumed = 0usize;
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (take, complete) = match memchr::memchr(b'\n', available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if !too_long {
                self.buf.extend_from_slice(&available[..take]);
                if self.buf.len() > self.max_line {
                    too_long = true;
                    self.buf.clear();
                    self.buf.shrink_to(BUFFER_SIZE);
                }
            }
            self.reader.consume(take);
            consumed += take;
            *bytes_read += take as u64;
            if complete {
                break;
            }
        }
        if consumed == 0 {
            return Ok(LineRead::Eof);
        }
        self.line_no += 1;
        Ok(if too_long {
            LineRead::TooLong
        } else {
            LineRead::Line
        })
    }
}

impl ArticleReader {
    fn start<R: Read + Send + 'static>(
        file: &str,
        stem: &str,
        format: Format,
        input: Prefixed<R>,
        total_bytes_hint: Option<u64>,
        input_bytes: Arc<AtomicU64>,
    ) -> Result<ArticleReader, IngestError> {
        let mut reader = ArticleReader {
            state: State::Done,
            report: ReadReport {
                file: file.to_owned(),
                encoding: None,
                ..ReadReport::default()
            },
            bytes_read: 0,
            input_bytes,
            total_bytes_hint,
        };
        let (lines_reader, stream): (Box<dyn BufRead + Send>, _) = match format {
            Format::Text => {
                let outcome = reader.read_text(input, stem)?;
                reader.state = State::Single(Some(outcome));
                return Ok(reader);
            }
            Format::Jsonl => (
                Box::new(BufReader::with_capacity(BUFFER_SIZE, input)),
                Stream::Plain,
            ),
            Format::JsonlGzip => {
                // MultiGzDecoder: concatenated gzip members (`cat a.gz b.gz`) are one stream.
                let raw = BufReader::with_capacity(BUFFER_SIZE, input);
                let decoder = flate2::bufread::MultiGzDecoder::new(raw);
                (
                    Box::new(BufReader::with_capacity(BUFFER_SIZE, decoder)),
                    Stream::Gzip,
                )
            }
            Format::JsonlZstd => {
                let raw = BufReader::with_capacity(BUFFER_SIZE, input);
                let decoder = zstd::stream::read::Decoder::with_buffer(raw).map_err(|error| {
                    IngestError::Read {
                        path: file.to_owned(),
                        error,
                    }
                })?;
                (
                    Box::new(BufReader::with_capacity(BUFFER_SIZE, decoder)),
                    Stream::Zstd,
                )
            }
        };
        reader.report.encoding = Some(Encoding::Utf8);
        reader.state = State::Lines(Lines {
            reader: lines_reader,
            buf: Vec::with_capacity(64 * 1024),
            line_no: 0,
            stem: stem.to_owned(),
            stream,
            max_line: MAX_LINE_BYTES,
        });
        Ok(reader)
    }

    /// Reads and decodes a whole text article. Only I/O failures are errors; undecodable or
    /// empty text becomes a rejection.
    fn read_text<R: Read>(&mut self, input: R, stem: &str) -> Result<Outcome, IngestError> {
        let mut bytes = Vec::new();
        input
            .take(MAX_TEXT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| IngestError::Read {
                path: self.report.file.clone(),
                error,
            })?;
        self.bytes_read = bytes.len() as u64;
        let reject = |kind: &'static str, reason: String| {
            Outcome::Rejected(
                kind,
                Rejected {
                    file: self.report.file.clone(),
                    line: None,
                    reason,
                },
            )
        };
        if bytes.len() as u64 > MAX_TEXT_BYTES {
            return Ok(reject(
                "text too large",
                format!(
                    "text article larger than {} MiB",
                    MAX_TEXT_BYTES / (1024 * 1024)
                ),
            ));
        }
        let (text, encoding) = match decode(&bytes) {
            Ok(decoded) => decoded,
            Err(e) => return Ok(reject("undecodable text", format!("undecodable text: {e}"))),
        };
        let article = parse_text_article(&text, stem);
        let outcome = if article.title.is_empty() {
            reject(
                "empty article",
                "empty article (no non-blank line)".to_owned(),
            )
        } else {
            Outcome::Article(article)
        };
        self.report.encoding = Some(encoding);
        Ok(outcome)
    }

    /// Totals so far; complete once the iterator has returned `None`.
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// Uncompressed bytes consumed so far (the whole file for text articles).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Size of the file on disk, when known (not for stdin). For compressed inputs this is the
    /// compressed size: compare it with [`ArticleReader::input_bytes_read`], not with
    /// [`ArticleReader::bytes_read`], when drawing a progress bar.
    pub fn total_bytes_hint(&self) -> Option<u64> {
        self.total_bytes_hint
    }

    /// Raw bytes read from the file or stdin so far (compressed bytes for `.gz`/`.zst`). Runs
    /// ahead of the records yielded by up to the read-buffer size.
    pub fn input_bytes_read(&self) -> u64 {
        self.input_bytes.load(Ordering::Relaxed)
    }

    fn next_outcome(&mut self) -> Option<Outcome> {
        match &mut self.state {
            State::Done => None,
            State::Single(outcome) => {
                let outcome = outcome.take();
                self.state = State::Done;
                outcome
            }
            State::Lines(lines) => {
                let outcome = next_line_outcome(
                    lines,
                    &self.report.file,
                    &mut self.report.encoding,
                    &mut self.bytes_read,
                );
                let finished = match &outcome {
                    None => true,
                    Some(Outcome::Rejected(kind, _)) => *kind == STREAM_ERROR,
                    Some(Outcome::Article(_)) => false,
                };
                if finished {
                    self.state = State::Done;
                }
                outcome
            }
        }
    }
}

/// Category of a failed read of the underlying stream (corrupt or truncated compressed data,
/// I/O error); reading stops after it.
const STREAM_ERROR: &str = "stream error";

fn next_line_outcome(
    lines: &mut Lines,
    file: &str,
    encoding: &mut Option<Encoding>,
    bytes_read: &mut u64,
) -> Option<Outcome> {
    let reject = |kind: &'static str, line: usize, reason: String| {
        Some(Outcome::Rejected(
            kind,
            Rejected {
                file: file.to_owned(),
                line: Some(line),
                reason,
            },
        ))
    };
    loop {
        match lines.read_line(bytes_read) {
            Ok(LineRead::Eof) => return None,
            Ok(LineRead::TooLong) => {
                return reject(
                    kind::LINE_TOO_LONG,
                    lines.line_no,
                    format!("line too long (over {} bytes)", lines.max_line),
                )
            }
            Ok(LineRead::Line) => {}
            Err(e) => {
                // The line being read when the stream failed is lost; everything before it
                // has already been yielded.
                let what = match lines.stream {
                    Stream::Plain => "read error",
                    Stream::Gzip => "corrupt or truncated gzip stream",
                    Stream::Zstd => "corrupt or truncated zstd stream",
                };
                return reject(STREAM_ERROR, lines.line_no + 1, format!("{what}: {e}"));
            }
        }
        let mut line = &lines.buf[..];
        if lines.line_no == 1 {
            if let Some(rest) = line.strip_prefix(UTF8_BOM) {
                line = rest;
                *encoding = Some(Encoding::Utf8Bom);
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Some(match parse_line(line, lines.line_no, &lines.stem) {
            Ok(article) => Outcome::Article(article),
            Err(LineError { kind, reason }) => Outcome::Rejected(
                kind,
                Rejected {
                    file: file.to_owned(),
                    line: Some(lines.line_no),
                    reason,
                },
            ),
        });
    }
}

impl Iterator for ArticleReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        Some(match self.next_outcome()? {
            Outcome::Article(article) => {
                self.report.articles += 1;
                Record::Article(article)
            }
            Outcome::Rejected(kind, rejected) => {
                self.report.rejected += 1;
                *self.report.reasons.entry(kind.to_owned()).or_insert(0) += 1;
                Record::Rejected(rejected)
            }
        })
    }
}

impl std::iter::FusedIterator for ArticleReader {}

impl fmt::Debug for ArticleReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArticleReader")
            .field("report", &self.report)
            .field("bytes_read", &self.bytes_read)
            .field("total_bytes_hint", &self.total_bytes_hint)
            .finish_non_exhaustive()
    }
}

/// Counts the raw bytes read, for progress reporting on compressed inputs. Shared through an
/// `Arc` because the reader ends up boxed deep inside the decoder stack.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        Counting { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Replays the bytes consumed while sniffing, then continues with the input.
type Prefixed<R> = io::Chain<Cursor<Vec<u8>>, R>;

fn prefixed<R: Read>(prefix: Vec<u8>, rest: R) -> Prefixed<R> {
    Cursor::new(prefix).chain(rest)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn collect(path: &str) -> (Vec<Record>, ArticleReader) {
        let mut reader = open(path).unwrap();
        let records: Vec<Record> = reader.by_ref().collect();
        assert!(reader.next().is_none(), "iterator must stay finished");
        (records, reader)
    }

    fn articles(records: &[Record]) -> Vec<&Article> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Article(a) => Some(a),
                Record::Rejected(_) => None,
            })
            .collect()
    }

    fn rejections(records: &[Record]) -> Vec<&Rejected> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Rejected(r) => Some(r),
                Record::Article(_) => None,
            })
            .collect()
    }

    /// Lines 1, 3, 7 and 10 are good; 4, 5, 8, 9 and 11 are bad; 2 and 6 are blank.
    fn mixed_jsonl() -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(
            "{\"id\":\"n1\",\"title\":\"افتتاح جسر جديد\",\"body\":\"افتتح الجسر أمس.\",\"date\":\"2024-03-01\",\"source\":\"وكالة\",\"url\":\"http://example.invalid/1\"}\n"
                .as_bytes(),
        );
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(
            "{\"id\":2,\"title\":\"أمطار غزيرة\",\"content\":\"هطلت أمطار غزيرة على العاصمة.\"}\r\n"
                .as_bytes(),
        );
        bytes.extend_from_slice("{\"title\":\"خبر معطوب\" \"body\":\"نص\"}\n".as_bytes());
        bytes.extend_from_slice("{\"id\":\"n5\",\"title\":\"عنوان بلا نص\"}\n".as_bytes());
        bytes.extend_from_slice(b"   \t \n");
        bytes.extend_from_slice(
            "{\"title\":\"فوز الفريق\",\"text\":\"فاز الفريق بالبطولة.\",\"lead\":null}\n"
                .as_bytes(),
        );
        bytes.extend_from_slice(b"[\"not\", \"an object\"]\n");
        bytes.extend_from_slice(b"{\"title\":\"bad \xFF byte\",\"body\":\"x\"}\n");
        bytes.extend_from_slice(
            "{\"id\":\"n10\",\"title\":\"ارتفاع البورصة\",\"body\":\"ارتفع المؤشر.\"}\n".as_bytes(),
        );
        // A file cut mid-write: half an object and no final newline.
        bytes.extend_from_slice("{\"id\":\"n11\",\"title\":\"خبر مقطو".as_bytes());
        bytes
    }

    fn check_mixed(path: &str, records: &[Record], reader: &ArticleReader) {
        let good = articles(records);
        let ids: Vec<&str> = good.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["n1", "2", "mixed:7", "n10"]);
        assert_eq!(good[0].title, "افتتاح جسر جديد");
        assert_eq!(good[0].body, "افتتح الجسر أمس.");
        assert_eq!(good[0].date.as_deref(), Some("2024-03-01"));
        assert_eq!(good[0].source.as_deref(), Some("وكالة"));
        assert_eq!(good[0].url.as_deref(), Some("http://example.invalid/1"));
        assert_eq!(good[1].body, "هطلت أمطار غزيرة على العاصمة.");
        assert_eq!(good[2].body, "فاز الفريق بالبطولة.");

        let bad = rejections(records);
        let lines: Vec<Option<usize>> = bad.iter().map(|r| r.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(8), Some(9), Some(11)]);
        assert!(bad.iter().all(|r| r.file == path));
        assert!(bad[0]
            .reason
            .starts_with("invalid JSON: expected `,` or `}` at column "));
        assert_eq!(
            bad[1].reason,
            "missing body (expected `body`, `content` or `text`)"
        );
        assert_eq!(bad[2].reason, "not a JSON object (found array)");
        assert_eq!(bad[3].reason, "invalid UTF-8 at column 15");
        assert!(bad[4]
            .reason
            .starts_with("truncated JSON: EOF while parsing"));

        let report = reader.report();
        assert_eq!(report.file, path);
        assert_eq!((report.articles, report.rejected), (4, 5));
        let reasons: Vec<(&str, usize)> = report
            .reasons
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            reasons,
            [
                ("invalid JSON", 1),
                ("invalid UTF-8", 1),
                ("missing body", 1),
                ("not a JSON object", 1),
                ("truncated JSON", 1),
            ]
        );
    }

    #[test]
    fn jsonl_good_and_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = mixed_jsonl();
        let path = write_file(&dir, "mixed.jsonl", &bytes);
        let (records, reader) = collect(&path);
        assert_eq!(records.len(), 9);
        check_mixed(&path, &records, &reader);
        assert_eq!(reader.report().encoding, Some(Encoding::Utf8));
        assert_eq!(reader.bytes_read(), bytes.len() as u64);
        assert_eq!(reader.total_bytes_hint(), Some(bytes.len() as u64));
        assert_eq!(reader.input_bytes_read(), bytes.len() as u64);
    }

    #[test]
    fn jsonl_with_bom_and_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(&mixed_jsonl());
        for name in ["mixed.ndjson", "mixed.json", "MIXED.JSONL"] {
            let path = write_file(&dir, name, &bytes);
            let (records, reader) = collect(&path);
            let ids: Vec<&str> = articles(&records).iter().map(|a| a.id.as_str()).collect();
            assert_eq!(ids, ["n1", "2", &format!("{}:7", file_stem(&path)), "n10"]);
            assert_eq!(reader.report().rejected, 5, "{name}");
            assert_eq!(reader.report().encoding, Some(Encoding::Utf8Bom));
        }
    }

    #[test]
    fn gzip_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let plain = mixed_jsonl();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&plain).unwrap();
        let compressed = encoder.finish().unwrap();
        let path = write_file(&dir, "mixed.jsonl.gz", &compressed);
        let (records, reader) = collect(&path);
        check_mixed(&path, &records, &reader);
        assert_eq!(reader.bytes_read(), plain.len() as u64);
        assert_eq!(reader.total_bytes_hint(), Some(compressed.len() as u64));
        assert_eq!(reader.input_bytes_read(), compressed.len() as u64);
    }

    #[test]
    fn concatenated_gzip_members_are_one_stream() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        for i in 0..3 {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            writeln!(
                encoder,
                "{{\"id\":{i},\"title\":\"عنوان\",\"body\":\"نص\"}}"
            )
            .unwrap();
            bytes.extend_from_slice(&encoder.finish().unwrap());
        }
        let path = write_file(&dir, "parts.gz", &bytes);
        let (records, reader) = collect(&path);
        let ids: Vec<&str> = articles(&records).iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["0", "1", "2"]);
        assert_eq!(reader.report().rejected, 0);
    }

    #[test]
    fn zstd_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let plain = mixed_jsonl();
        let compressed = zstd::encode_all(&plain[..], 3).unwrap();
        let path = write_file(&dir, "mixed.jsonl.zst", &compressed);
        let (records, reader) = collect(&path);
        check_mixed(&path, &records, &reader);
        assert_eq!(reader.bytes_read(), plain.len() as u64);
    }

    /// Many distinct records, so that half of the compressed file still holds complete lines.
    fn many_records(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            writeln!(
                out,
                "{{\"id\":\"r{i}\",\"title\":\"عنوان رقم {i}\",\"body\":\"نص الخبر {state:x} رقم {i}\"}}"
            )
            .unwrap();
        }
        out
    }

    fn check_truncated(records: &[Record], n: usize, stream: &str) {
        let good = articles(records);
        assert!(
            !good.is_empty() && good.len() < n,
            "{} articles",
            good.len()
        );
        for (i, article) in good.iter().enumerate() {
            assert_eq!(article.id, format!("r{i}"));
            assert_eq!(article.title, format!("عنوان رقم {i}"));
        }
        let bad = rejections(records);
        assert_eq!(bad.len(), 1, "{bad:?}");
        let last = match records.last().unwrap() {
            Record::Rejected(r) => r,
            other => panic!("last record should be the stream error, got {other:?}"),
        };
        assert!(
            last.reason
                .starts_with(&format!("corrupt or truncated {stream} stream: ")),
            "{}",
            last.reason
        );
        assert_eq!(last.line, Some(good.len() + 1));
    }

    #[test]
    fn truncated_gzip_keeps_earlier_articles() {
        let dir = tempfile::tempdir().unwrap();
        let n = 2000;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&many_records(n)).unwrap();
        let compressed = encoder.finish().unwrap();
        let path = write_file(&dir, "cut.jsonl.gz", &compressed[..compressed.len() / 2]);
        let (records, reader) = collect(&path);
        check_truncated(&records, n, "gzip");
        assert_eq!(reader.report().reasons.get("stream error"), Some(&1));
    }

    #[test]
    fn gzip_missing_only_its_trailer_is_still_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&many_records(10)).unwrap();
        let compressed = encoder.finish().unwrap();
        // Drop the CRC and length: the data is complete but unverified.
        let path = write_file(&dir, "notrailer.gz", &compressed[..compressed.len() - 8]);
        let (records, _) = collect(&path);
        assert!(
            matches!(records.last(), Some(Record::Rejected(r)) if r.reason.starts_with("corrupt or truncated gzip stream")),
            "{records:?}"
        );
    }

    #[test]
    fn not_gzip_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "fake.jsonl.gz", b"{\"title\":\"x\",\"body\":\"y\"}\n");
        let (records, reader) = collect(&path);
        assert_eq!(records.len(), 1);
        let Record::Rejected(r) = &records[0] else {
            panic!("{records:?}")
        };
        assert_eq!(r.line, Some(1));
        assert!(
            r.reason.starts_with("corrupt or truncated gzip stream: "),
            "{}",
            r.reason
        );
        assert_eq!((reader.report().articles, reader.report().rejected), (0, 1));
    }

    #[test]
    fn truncated_zstd_keeps_earlier_articles() {
        let dir = tempfile::tempdir().unwrap();
        // zstd decodes whole 128 KiB blocks, so cutting must leave at least one intact.
        let n = 20_000;
        let compressed = zstd::encode_all(&many_records(n)[..], 3).unwrap();
        let path = write_file(&dir, "cut.zst", &compressed[..compressed.len() / 2]);
        let (records, _) = collect(&path);
        check_truncated(&records, n, "zstd");
    }

    #[test]
    fn missing_file_error_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-news.jsonl");
        let path = path.to_str().unwrap();
        let err = open(path).unwrap_err();
        assert!(
            matches!(&err, IngestError::Open { error, .. } if error.kind() == io::ErrorKind::NotFound),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{path}: cannot open: ")),
            "{message}"
        );
        assert!(!message.contains('\n'));
        assert_eq!(err.path(), path);
    }

    #[test]
    fn directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();
        let err = open(path).unwrap_err();
        assert!(matches!(err, IngestError::IsDirectory { .. }));
        assert_eq!(
            err.to_string(),
            format!("{path}: is a directory, not a file")
        );
    }

    #[test]
    fn text_files_in_every_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let text = "زيارة رسمية للرئيس\r\n\r\nوصل الرئيس إلى الرباط., والتقى رئيس الحكومة.\r\n";
        let mut utf8_bom = UTF8_BOM.to_vec();
        utf8_bom.extend_from_slice(text.as_bytes());
        let mut utf16le = vec![0xFF, 0xFE];
        let mut utf16be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            utf16le.extend_from_slice(&unit.to_le_bytes());
            utf16be.extend_from_slice(&unit.to_be_bytes());
        }
        let cp1256 = encoding_rs::WINDOWS_1256.encode(text).0.into_owned();
        for (bytes, encoding) in [
            (text.as_bytes().to_vec(), Encoding::Utf8),
            (utf8_bom, Encoding::Utf8Bom),
            (utf16le, Encoding::Utf16Le),
            (utf16be, Encoding::Utf16Be),
            (cp1256, Encoding::Windows1256),
        ] {
            let path = write_file(&dir, "ziyara.txt", &bytes);
            let (records, reader) = collect(&path);
            assert_eq!(
                records,
                [Record::Article(Article {
                    id: "ziyara".into(),
                    title: "زيارة رسمية للرئيس".into(),
                    body: "وصل الرئيس إلى الرباط.\nوالتقى رئيس الحكومة.".into(),
                    date: None,
                    source: None,
                    url: None,
                })],
                "{encoding}"
            );
            assert_eq!(reader.report().encoding, Some(encoding));
            assert_eq!((reader.report().articles, reader.report().rejected), (1, 0));
            assert_eq!(reader.bytes_read(), bytes.len() as u64);
        }
    }

    #[test]
    fn binary_text_file_is_rejected_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
        let (records, reader) = collect(&path);
        let [Record::Rejected(r)] = &records[..] else {
            panic!("{records:?}")
        };
        assert_eq!(r.line, None);
        assert_eq!(
            r.to_string(),
            format!("{path}: undecodable text: binary data, not text: control character U+001A at byte 6")
        );
        assert_eq!(reader.report().encoding, None);
        assert_eq!(reader.report().reasons.get("undecodable text"), Some(&1));
    }

    #[test]
    fn blank_text_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "blank.txt", b" \r\n\t\n");
        let (records, _) = collect(&path);
        assert!(
            matches!(&records[..], [Record::Rejected(r)] if r.reason == "empty article (no non-blank line)"),
            "{records:?}"
        );
    }

    #[test]
    fn unknown_extensions_are_sniffed() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = "\n  {\"title\":\"عنوان\",\"body\":\"نص\"}\n";
        let path = write_file(&dir, "feed.data", jsonl.as_bytes());
        let (records, _) = collect(&path);
        assert_eq!(articles(&records)[0].id, "feed.data:2");

        let path = write_file(&dir, "note", "عنوان المقال\n\nنص المقال.".as_bytes());
        let (records, reader) = collect(&path);
        assert_eq!(articles(&records)[0].title, "عنوان المقال");
        assert_eq!(reader.report().encoding, Some(Encoding::Utf8));

        let compressed = zstd::encode_all(jsonl.as_bytes(), 1).unwrap();
        let path = write_file(&dir, "dump.bin", &compressed);
        let (records, _) = collect(&path);
        assert_eq!(articles(&records).len(), 1);
    }

    #[test]
    fn sniffing_keeps_every_byte() {
        for (input, format) in [
            (&b"  \n\t{\"a\":1}"[..], Format::Jsonl),
            (b"\xEF\xBB\xBF{}", Format::Jsonl),
            (b"\x1F\x8B\x08\x00", Format::JsonlGzip),
            (b"\x28\xB5\x2F\xFD\x00", Format::JsonlZstd),
            (b"\xD8\xB9\xD9\x86", Format::Text),
            (b"   ", Format::Text),
            (b"", Format::Text),
        ] {
            // A reader that hands out one byte at a time, like a slow pipe.
            struct Trickle<'a>(&'a [u8]);
            impl Read for Trickle<'_> {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    let n = self.0.len().min(buf.len()).min(1);
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let (mut rest, detected) = sniff(Trickle(input)).unwrap();
            assert_eq!(detected, format, "{input:?}");
            let mut replay = Vec::new();
            rest.read_to_end(&mut replay).unwrap();
            assert_eq!(replay, input);
        }
    }

    #[test]
    fn overlong_line_is_rejected_and_reading_continues() {
        let input = "{\"title\":\"ع\",\"body\":\"ن\"}\n{\"title\":\"طويل جدا جدا جدا\",\"body\":\"ن\"}\n{\"title\":\"غ\",\"body\":\"ن\"}";
        let mut lines = Lines {
            reader: Box::new(BufReader::with_capacity(
                8,
                Cursor::new(input.as_bytes().to_vec()),
            )),
            buf: Vec::new(),
            line_no: 0,
            stem: "s".into(),
            stream: Stream::Plain,
            max_line: 40,
        };
        let mut encoding = Some(Encoding::Utf8);
        let mut bytes = 0;
        let mut next = || next_line_outcome(&mut lines, "f", &mut encoding, &mut bytes);
        assert!(matches!(next(), Some(Outcome::Article(a)) if a.id == "s:1"));
        match next() {
            Some(Outcome::Rejected(kind, r)) => {
                assert_eq!(kind, "line too long");
                assert_eq!(r.to_string(), "f:2: line too long (over 40 bytes)");
            }
            _ => panic!("expected a rejection"),
        }
        assert!(matches!(next(), Some(Outcome::Article(a)) if a.id == "s:3"));
        assert!(next().is_none());
        assert_eq!(bytes, input.len() as u64);
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("data/ant-v1.1.jsonl.gz"), "ant-v1.1");
        assert_eq!(file_stem("x/seed-article.txt"), "seed-article");
        assert_eq!(file_stem("feed.ZST"), "feed");
        assert_eq!(file_stem("notes.md"), "notes.md");
        assert_eq!(file_stem(".jsonl"), ".jsonl");
        assert_eq!(file_stem("أخبار.jsonl"), "أخبار");
    }

    #[test]
    fn rejected_display_and_report_json() {
        let with_line = Rejected {
            file: "a.jsonl".into(),
            line: Some(3),
            reason: "missing title and body".into(),
        };
        assert_eq!(with_line.to_string(), "a.jsonl:3: missing title and body");
        let report = ReadReport {
            file: "a.txt".into(),
            encoding: Some(Encoding::Windows1256),
            articles: 1,
            rejected: 0,
            reasons: BTreeMap::new(),
        };
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(
            json,
            r#"{"file":"a.txt","encoding":"windows-1256","articles":1,"rejected":0,"reasons":{}}"#
        );
        assert_eq!(serde_json::from_str::<ReadReport>(&json).unwrap(), report);
    }

    #[test]
    fn reader_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<ArticleReader>();
    }
}
