//! Inputs beyond what `khabar-ingest` reads: directories, HTML pages, RSS/Atom feeds and WARC
//! archives, all turned into [`Record`]s.
//!
//! | input | articles |
//! |---|---|
//! | `.jsonl`, `.ndjson`, `.json`, `.gz`, `.zst`, `.txt`, `-` | via [`khabar_ingest::open`] |
//! | `.html`, `.htm`, `.xhtml` | one article per page: title, body, date, canonical URL |
//! | `.rss`, `.atom`, `.xml` | one article per feed entry |
//! | `.warc`, `.warc.gz` | one article per HTML response or resource record |
//! | directory | every file above inside it, recursively, in name order |
//!
//! Files with another name are sniffed when named on the command line and skipped inside
//! directories. Problems are [`Rejected`] records: `FILE:LINE` for JSON Lines, `FILE:N` with the
//! record or entry number for WARC and feeds, `FILE` alone for a page.

use khabar_ingest::{Article, Record, Rejected};
use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What an input file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// JSON Lines (plain or compressed), a headline-first text, or stdin.
    Articles,
    /// An HTML page.
    Html,
    /// An RSS or Atom feed.
    Feed,
    /// A WARC archive (plain or gzip).
    Warc,
}

/// One input file.
#[derive(Debug, Clone)]
pub struct Input {
    /// Path as found (`-` for stdin).
    pub path: PathBuf,
    /// Format.
    pub kind: InputKind,
    /// Size in bytes (0 when unknown).
    pub size: u64,
}

fn kind_from_name(path: &Path) -> Option<InputKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e));
    Some(if ends(&[".warc", ".warc.gz"]) {
        InputKind::Warc
    } else if ends(&[".jsonl", ".ndjson", ".json", ".gz", ".zst", ".txt"]) {
        InputKind::Articles
    } else if ends(&[".html", ".htm", ".xhtml"]) {
        InputKind::Html
    } else if ends(&[".rss", ".atom", ".xml"]) {
        InputKind::Feed
    } else {
        return None;
    })
}

/// Guesses the format of a file from its first bytes.
fn sniff(path: &Path) -> InputKind {
    let mut head = [0u8; 2048];
    let n = fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("warc/") {
        InputKind::Warc
    } else if head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf") {
        InputKind::Feed
    } else if head.contains("<html") || head.starts_with("<!doctype html") {
        InputKind::Html
    } else {
        InputKind::Articles
    }
}

/// Expands the command-line inputs: directories are walked (sorted, hidden entries skipped).
/// Inputs that do not exist are rejected.
pub fn expand(inputs: &[PathBuf]) -> (Vec<Input>, Vec<Rejected>) {
    let mut out = Vec::new();
    let mut rejected = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            out.push(Input {
                path: p.clone(),
                kind: InputKind::Articles,
                size: 0,
            });
            continue;
        }
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out, &mut rejected),
            Ok(m) => out.push(Input {
                path: p.clone(),
                kind: kind_from_name(p).unwrap_or_else(|| sniff(p)),
                size: m.len(),
            }),
            Err(e) => rejected.push(reject(p, None, format!("cannot open: {e}"))),
        }
    }
    (out, rejected)
}

fn walk(dir: &Path, out: &mut Vec<Input>, rejected: &mut Vec<Rejected>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            rejected.push(reject(dir, None, format!("cannot read directory: {e}")));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        match fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, out, rejected),
            Ok(m) => {
                if let Some(kind) = kind_from_name(&p) {
                    out.push(Input {
                        path: p,
                        kind,
                        size: m.len(),
                    });
                }
            }
            Err(e) => rejected.push(reject(&p, None, format!("cannot open: {e}"))),
        }
    }
}

fn reject(path: &Path, line: Option<usize>, reason: String) -> Rejected {
    Rejected {
        file: path.display().to_string(),
        line,
        reason,
    }
}

/// Reads one input, handing every record to `sink`. `bytes` grows by the input bytes consumed
/// (for progress); when the input is done it has grown by `input.size`.
pub fn read(input: &Input, bytes: &AtomicU64, sink: &mut dyn FnMut(Record)) {
    let base = bytes.load(Ordering::Relaxed);
    match input.kind {
        InputKind::Articles => read_articles(input, bytes, base, sink),
        InputKind::Html => read_html_file(&input.path, sink),
        InputKind::Feed => read_feed(&input.path, sink),
        InputKind::Warc => read_warc(&input.path, sink),
    }
    bytes.store(base + input.size, Ordering::Relaxed);
}

fn read_articles(input: &Input, bytes: &AtomicU64, base: u64, sink: &mut dyn FnMut(Record)) {
    let path = input.path.to_string_lossy();
    let mut reader = match khabar_ingest::open(&path) {
        Ok(r) => r,
        Err(e) => {
            // The message already starts with the file name.
            let msg = e.to_string();
            let reason = msg
                .strip_prefix(&format!("{path}: "))
                .unwrap_or(&msg)
                .to_string();
            sink(Record::Rejected(reject(&input.path, None, reason)));
            return;
        }
    };
    let mut n = 0u32;
    while let Some(rec) = reader.next() {
        sink(rec);
        n = n.wrapping_add(1);
        if n % 64 == 0 {
            bytes.store(base + reader.input_bytes_read(), Ordering::Relaxed);
        }
    }
}

/// Reads a file as text (any encoding `khabar-ingest` decodes), or explains why not.
fn read_text(path: &Path) -> Result<String, String> {
    let data = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty file".into());
    }
    khabar_ingest::decode(&data)
        .map(|(text, _)| text)
        .map_err(|e| format!("undecodable text: {e}"))
}

fn read_html_file(path: &Path, sink: &mut dyn FnMut(Record)) {
    let rec = read_text(path)
        .and_then(|html| html_article(&html, None))
        .map(|mut a| {
            if a.id.is_empty() {
                a.id = file_id(path);
            }
            a
        });
    sink(match rec {
        Ok(a) => Record::Article(a),
        Err(reason) => Record::Rejected(reject(path, None, reason)),
    });
}

/// A stable id for a file without a URL: its absolute path.
fn file_id(path: &Path) -> String {
    let abs = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", abs.display())
}

/// The host of a URL (`https://www.example.org/a` → `example.org`).
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Extracts an article from an HTML page: title, readable body text, publication date and
/// canonical URL (which becomes the id; empty when the page names none). `url` is the address
/// the page was fetched from, if known.
pub fn html_article(html: &str, url: Option<&str>) -> Result<Article, String> {
    if !html.contains('<') {
        return Err("not HTML".into());
    }
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut r = dom_smoothie::Readability::new(html, url, Some(cfg))
        .map_err(|e| format!("broken HTML: {e}"))?;
    let meta = |sel: &str, attr: &str| -> Option<String> {
        let s = r.doc.try_select(sel)?;
        let v = s.attr(attr)?;
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let canonical = meta("link[rel=canonical]", "href")
        .or_else(|| meta("meta[property='og:url']", "content"))
        .filter(|u| u.contains("://"));
    let date_meta = meta("meta[property='article:published_time']", "content")
        .or_else(|| meta("meta[name='pubdate']", "content"))
        .or_else(|| meta("meta[name='date']", "content"))
        .or_else(|| meta("meta[itemprop='datePublished']", "content"))
        .or_else(|| meta("time[datetime]", "datetime"));
    let site = meta("meta[property='og:site_name']", "content");
    let parsed = r.parse().map_err(|e| format!("no article found: {e}"))?;
    let body = clean_text(&parsed.text_content);
    let title = parsed.title.trim().to_string();
    if body.is_empty() {
        return Err("no article text found".into());
    }
    let url = canonical
        .or_else(|| parsed.url.clone().filter(|u| u.contains("://")))
        .or_else(|| url.map(str::to_string));
    let source = site
        .or_else(|| parsed.site_name.clone())
        .or_else(|| url.as_deref().and_then(host));
    Ok(Article {
        id: url.clone().unwrap_or_default(),
        title,
        body,
        date: date_meta.or_else(|| parsed.published_time.clone()),
        source,
        url,
    })
}

/// Trims every line and collapses runs of blank lines.
fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

/// Plain text from a feed's HTML fragment: tags dropped, paragraph ends kept as line breaks,
/// the common entities decoded.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[i + 1..i + j]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        if ["p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr"]
            .iter()
            .any(|t| {
                tag == *t || tag.starts_with(&format!("{t} ")) || tag.starts_with(&format!("{t}/"))
            })
        {
            out.push('\n');
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    clean_text(&decode_entities(&out))
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let v = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(v)
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn read_feed(path: &Path, sink: &mut dyn FnMut(Record)) {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return sink(Record::Rejected(reject(
                path,
                None,
                format!("cannot open: {e}"),
            )))
        }
    };
    if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
        return sink(Record::Rejected(reject(path, None, "empty file".into())));
    }
    let feed = match feed_rs::parser::parse(BufReader::new(file)) {
        Ok(f) => f,
        Err(e) => {
            return sink(Record::Rejected(reject(
                path,
                None,
                format!("invalid feed: {e}"),
            )))
        }
    };
    let feed_title = feed.title.as_ref().map(|t| strip_tags(&t.content));
    let feed_link = feed.links.first().map(|l| l.href.clone());
    for (i, e) in feed.entries.into_iter().enumerate() {
        let n = i + 1;
        let body = e
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .map(strip_tags)
            .filter(|b| !b.is_empty())
            .or_else(|| e.summary.as_ref().map(|s| strip_tags(&s.content)))
            .unwrap_or_default();
        let title = e
            .title
            .as_ref()
            .map(|t| strip_tags(&t.content))
            .unwrap_or_default();
        if body.is_empty() {
            sink(Record::Rejected(reject(
                path,
                Some(n),
                "entry without text".into(),
            )));
            continue;
        }
        let url = e.links.first().map(|l| l.href.clone());
        let date = e
            .published
            .or(e.updated)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string());
        let source = feed_title
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| url.as_deref().or(feed_link.as_deref()).and_then(host));
        let id = if e.id.trim().is_empty() {
            url.clone()
                .unwrap_or_else(|| format!("{}#{n}", file_id(path)))
        } else {
            e.id.trim().to_string()
        };
        sink(Record::Article(Article {
            id,
            title,
            body,
            date,
            source,
            url,
        }));
    }
}

fn read_warc(path: &Path, sink: &mut dyn FnMut(Record)) {
    let gz = path.to_string_lossy().to_ascii_lowercase().ends_with(".gz");
    let records: Box<dyn Iterator<Item = Result<warc::Record<warc::BufferedBody>, warc::Error>>> =
        if gz {
            match warc::WarcReader::from_path_gzip(path) {
                Ok(r) => Box::new(r.iter_records()),
                Err(e) => {
                    return sink(Record::Rejected(reject(
                        path,
                        None,
                        format!("cannot open: {e}"),
                    )))
                }
            }
        } else {
            match warc::WarcReader::from_path(path) {
                Ok(r) => Box::new(r.iter_records()),
                Err(e) => {
                    return sink(Record::Rejected(reject(
                        path,
                        None,
                        format!("cannot open: {e}"),
                    )))
                }
            }
        };
    let mut seen = 0usize;
    for (i, rec) in records.enumerate() {
        let n = i + 1;
        seen = n;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                sink(Record::Rejected(reject(
                    path,
                    Some(n),
                    format!("invalid WARC record: {e}"),
                )));
                return;
            }
        };
        let uri = rec
            .header(warc::WarcHeader::TargetURI)
            .map(|u| u.trim_matches(['<', '>', ' ']).to_string());
        let html = match rec.warc_type() {
            warc::RecordType::Response => match http_html(rec.body()) {
                Ok(Some(h)) => h,
                Ok(None) => continue,
                Err(reason) => {
                    sink(Record::Rejected(reject(path, Some(n), reason)));
                    continue;
                }
            },
            warc::RecordType::Resource => {
                let ct = rec
                    .header(warc::WarcHeader::ContentType)
                    .map(|c| c.to_ascii_lowercase())
                    .unwrap_or_default();
                if !ct.contains("html") {
                    continue;
                }
                rec.body().to_vec()
            }
            _ => continue,
        };
        let article = khabar_ingest::decode(&html)
            .map_err(|e| format!("undecodable page: {e}"))
            .and_then(|(text, _)| html_article(&text, uri.as_deref()));
        match article {
            Ok(mut a) => {
                if a.id.is_empty() {
                    a.id = rec.warc_id().trim_matches(['<', '>']).to_string();
                }
                if a.date.is_none() {
                    a.date = Some(rec.date().format("%Y-%m-%dT%H:%M:%S").to_string());
                }
                sink(Record::Article(a));
            }
            Err(reason) => sink(Record::Rejected(reject(path, Some(n), reason))),
        }
    }
    if seen == 0 {
        sink(Record::Rejected(reject(
            path,
            None,
            "no WARC records".into(),
        )));
    }
}

/// The HTML body of an HTTP response (`None` when it is not a successful HTML response).
fn http_html(raw: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err("HTTP response without headers".into());
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    let status_ok = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .is_some_and(|s| s.starts_with('2'));
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.strip_prefix(name)
                .map(|v| v.trim_start_matches(':').trim().to_string())
        })
    };
    if !status_ok || !header("content-type").is_none_or(|c| c.contains("html")) {
        return Ok(None);
    }
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body).ok_or("broken chunked encoding")?;
    }
    if header("content-encoding").is_some_and(|t| t.contains("gzip")) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&body[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("broken gzip body: {e}"))?;
        body = out;
    }
    Ok(Some(body))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_str = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_entities() {
        assert_eq!(
            strip_tags("<p>سطر &amp; أول</p><p>ثان&#1575;</p>"),
            "سطر & أول\nثانا"
        );
        assert_eq!(strip_tags("بلا وسوم"), "بلا وسوم");
        assert_eq!(strip_tags("<b>مقطوع"), "مقطوع");
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host("https://www.example.org/a/b").as_deref(),
            Some("example.org")
        );
        assert_eq!(host("nonsense"), None);
    }

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert_eq!(dechunk(b"zz\r\n"), None);
    }
}
