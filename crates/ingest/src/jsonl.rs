//! Parsing one JSON Lines record into an [`Article`].
//!
//! Fields are first read into a permissive [`Field`] that accepts any JSON type, and checked
//! afterwards. That keeps serde's fast path (no `serde_json::Value` tree) while letting us
//! write our own short rejection reasons ("field `title` must be a string, found number")
//! instead of serde's positional type errors.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::article::Article;

/// Why a line was rejected: a short category (the key of [`crate::ReadReport::reasons`]) and
/// the full one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineError {
    pub kind: &'static str,
    pub reason: String,
}

impl LineError {
    pub(crate) fn new(kind: &'static str, reason: impl Into<String>) -> Self {
        LineError {
            kind,
            reason: reason.into(),
        }
    }
}

/// Reason categories, also used as the keys of [`crate::ReadReport::reasons`].
pub(crate) mod kind {
    pub const INVALID_JSON: &str = "invalid JSON";
    pub const TRUNCATED_JSON: &str = "truncated JSON";
    pub const INVALID_RECORD: &str = "invalid record";
    pub const NOT_AN_OBJECT: &str = "not a JSON object";
    pub const INVALID_UTF8: &str = "invalid UTF-8";
    pub const WRONG_TYPE: &str = "wrong field type";
    pub const MISSING_BODY: &str = "missing body";
    pub const MISSING_TITLE_AND_BODY: &str = "missing title and body";
    pub const LINE_TOO_LONG: &str = "line too long";
}

/// Any JSON value, keeping only what the record checks need.
enum Field {
    Str(String),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool,
    Null,
    Object,
    Array,
}

impl Field {
    fn type_name(&self) -> &'static str {
        match self {
            Field::Str(_) => "string",
            Field::Int(_) | Field::UInt(_) | Field::Float(_) => "number",
            Field::Bool => "boolean",
            Field::Null => "null",
            Field::Object => "object",
            Field::Array => "array",
        }
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Field, E> {
        Ok(Field::Str(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Field, E> {
        Ok(Field::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
        Ok(Field::UInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Field, E> {
        Ok(Field::Float(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field, E> {
        Ok(Field::Bool)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Array)
    }
}

/// The fields we read; anything else (`category`, `author`, `lead`, ...) is skipped unparsed.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct RawRecord {
    id: Option<Field>,
    title: Option<Field>,
    body: Option<Field>,
    content: Option<Field>,
    text: Option<Field>,
    date: Option<Field>,
    source: Option<Field>,
    url: Option<Field>,
}

/// Parses one non-blank line. `line_no` (1-based) and `stem` build the id of records without
/// one: `"{stem}:{line_no}"`.
pub(crate) fn parse_line(line: &[u8], line_no: usize, stem: &str) -> Result<Article, LineError> {
    let line = std::str::from_utf8(line).map_err(|e| {
        LineError::new(
            kind::INVALID_UTF8,
            format!("invalid UTF-8 at column {}", e.valid_up_to() + 1),
        )
    })?;
    // A derived struct would happily accept a JSON array positionally, so insist on an object.
    if !line.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<IgnoredAny>(line) {
            Err(e) => json_error(&e),
            Ok(_) => LineError::new(
                kind::NOT_AN_OBJECT,
                format!("not a JSON object (found {})", json_type_of(line)),
            ),
        });
    }
    let raw: RawRecord = serde_json::from_str(line).map_err(|e| json_error(&e))?;

    let id = match raw.id {
        None | Some(Field::Null) => None,
        Some(Field::Str(s)) => Some(s),
        Some(Field::Int(n)) => Some(n.to_string()),
        Some(Field::UInt(n)) => Some(n.to_string()),
        Some(Field::Float(x)) => Some(x.to_string()),
        Some(other) => return Err(wrong_type("id", "a string or a number", &other)),
    };
    let title = string_field("title", raw.title)?;
    let body = string_field("body", raw.body)?;
    let content = string_field("content", raw.content)?;
    let text = string_field("text", raw.text)?;
    let date = string_field("date", raw.date)?;
    let source = string_field("source", raw.source)?;
    let url = string_field("url", raw.url)?;

    let Some(mut body) = body.or(content).or(text) else {
        return Err(if title.is_none() {
            LineError::new(kind::MISSING_TITLE_AND_BODY, "missing title and body")
        } else {
            LineError::new(
                kind::MISSING_BODY,
                "missing body (expected `body`, `content` or `text`)",
            )
        });
    };
    let mut title = title.unwrap_or_default();
    trim_in_place(&mut title);
    trim_in_place(&mut body);
    // An empty id is useless as a key downstream, so treat it like a missing one.
    let id = match id {
        Some(id) if !id.trim().is_empty() => id,
        _ => format!("{stem}:{line_no}"),
    };
    Ok(Article {
        id,
        title,
        body,
        date,
        source,
        url,
    })
}

/// Reads one JSON object as an article, with the checks and messages of a JSON Lines
/// record (for callers that hold records in memory, such as the Python package). `position`
/// (1-based) and `stem` build the id of a record without one: `"{stem}:{position}"`.
///
/// ```
/// let a = khabar_ingest::parse_json_record(r#"{"title":"خبر","body":"نص."}"#, 3, "records").unwrap();
/// assert_eq!((a.id.as_str(), a.body.as_str()), ("records:3", "نص."));
/// let e = khabar_ingest::parse_json_record(r#"{"title":"خبر"}"#, 1, "records").unwrap_err();
/// assert!(e.starts_with("missing body"));
/// ```
pub fn parse_json_record(json: &str, position: usize, stem: &str) -> Result<Article, String> {
    if json.trim().is_empty() {
        return Err("empty record".into());
    }
    parse_line(json.as_bytes(), position, stem).map_err(|e| e.reason)
}

/// `null` counts as absent: exporters often write `"date": null` for unknown values.
fn string_field(name: &str, field: Option<Field>) -> Result<Option<String>, LineError> {
    match field {
        None | Some(Field::Null) => Ok(None),
        Some(Field::Str(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(name, "a string", &other)),
    }
}

fn wrong_type(name: &str, expected: &str, found: &Field) -> LineError {
    LineError::new(
        kind::WRONG_TYPE,
        format!(
            "field `{name}` must be {expected}, found {}",
            found.type_name()
        ),
    )
}

/// Turns a serde_json error into a reason without serde's "at line 1" (every record is one
/// line; the reader reports the file's line number itself).
fn json_error(e: &serde_json::Error) -> LineError {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) if e.line() > 0 => &message[..cut],
        _ => &message,
    };
    let (kind, label) = match e.classify() {
        serde_json::error::Category::Eof => (kind::TRUNCATED_JSON, "truncated JSON"),
        serde_json::error::Category::Data => (kind::INVALID_RECORD, "invalid record"),
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            (kind::INVALID_JSON, "invalid JSON")
        }
    };
    LineError::new(kind, format!("{label}: {message} at column {}", e.column()))
}

/// JSON type of a syntactically valid, non-object line, judged by its first character.
fn json_type_of(line: &str) -> &'static str {
    match line.trim_start().as_bytes().first() {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

fn trim_in_place(s: &mut String) {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Article, LineError> {
        parse_line(line.as_bytes(), 7, "akhbar")
    }

    #[test]
    fn full_record() {
        let a = parse(r#"{"id":"a1","title":" عنوان الخبر ","body":"نص الخبر\nفقرة ثانية","date":"2017-01-20","source":"وكالة","url":"http://x.invalid/1","category":"politics","lead":null,"tags":["a",{"b":1}]}"#).unwrap();
        assert_eq!(a.id, "a1");
        assert_eq!(a.title, "عنوان الخبر");
        assert_eq!(a.body, "نص الخبر\nفقرة ثانية");
        assert_eq!(a.date.as_deref(), Some("2017-01-20"));
        assert_eq!(a.source.as_deref(), Some("وكالة"));
        assert_eq!(a.url.as_deref(), Some("http://x.invalid/1"));
    }

    #[test]
    fn escaped_strings_are_unescaped() {
        let a = parse(r#"{"title":"\"قمة\" عربية","body":"\u0646\u0635"}"#).unwrap();
        assert_eq!(a.title, "\"قمة\" عربية");
        assert_eq!(a.body, "نص");
    }

    #[test]
    fn numeric_and_missing_ids() {
        assert_eq!(
            parse(r#"{"id":42,"title":"ع","body":"ن"}"#).unwrap().id,
            "42"
        );
        assert_eq!(
            parse(r#"{"id":-3,"title":"ع","body":"ن"}"#).unwrap().id,
            "-3"
        );
        assert_eq!(parse(r#"{"title":"ع","body":"ن"}"#).unwrap().id, "akhbar:7");
        assert_eq!(
            parse(r#"{"id":null,"title":"ع","body":"ن"}"#).unwrap().id,
            "akhbar:7"
        );
        assert_eq!(
            parse(r#"{"id":"  ","title":"ع","body":"ن"}"#).unwrap().id,
            "akhbar:7"
        );
    }

    #[test]
    fn body_aliases_in_priority_order() {
        assert_eq!(
            parse(r#"{"title":"ع","content":"محتوى"}"#).unwrap().body,
            "محتوى"
        );
        assert_eq!(parse(r#"{"title":"ع","text":"نص"}"#).unwrap().body, "نص");
        assert_eq!(
            parse(r#"{"title":"ع","text":"نص","content":"محتوى","body":"متن"}"#)
                .unwrap()
                .body,
            "متن"
        );
        assert_eq!(
            parse(r#"{"title":"ع","body":null,"content":"محتوى"}"#)
                .unwrap()
                .body,
            "محتوى"
        );
    }

    #[test]
    fn missing_title_is_empty_but_missing_body_is_rejected() {
        assert_eq!(parse(r#"{"body":"نص"}"#).unwrap().title, "");
        let e = parse(r#"{"title":"عنوان"}"#).unwrap_err();
        assert_eq!(e.kind, kind::MISSING_BODY);
        assert_eq!(
            e.reason,
            "missing body (expected `body`, `content` or `text`)"
        );
        let e = parse(r#"{"id":"x","date":"2020"}"#).unwrap_err();
        assert_eq!(e.reason, "missing title and body");
    }

    #[test]
    fn wrong_field_types() {
        let e = parse(r#"{"title":5,"body":"ن"}"#).unwrap_err();
        assert_eq!(e.kind, kind::WRONG_TYPE);
        assert_eq!(e.reason, "field `title` must be a string, found number");
        let e = parse(r#"{"title":"ع","body":["ن"]}"#).unwrap_err();
        assert_eq!(e.reason, "field `body` must be a string, found array");
        let e = parse(r#"{"id":{"n":1},"title":"ع","body":"ن"}"#).unwrap_err();
        assert_eq!(
            e.reason,
            "field `id` must be a string or a number, found object"
        );
        let e = parse(r#"{"title":"ع","body":"ن","date":true}"#).unwrap_err();
        assert_eq!(e.reason, "field `date` must be a string, found boolean");
    }

    #[test]
    fn syntax_errors_give_a_column() {
        let e = parse(r#"{"title":"ع" "body":"ن"}"#).unwrap_err();
        assert_eq!(e.kind, kind::INVALID_JSON);
        assert_eq!(e.reason, "invalid JSON: expected `,` or `}` at column 15");
        let e = parse(r#"{"title":"ع","body":"ن"} {}"#).unwrap_err();
        assert_eq!(e.reason, "invalid JSON: trailing characters at column 28");
    }

    #[test]
    fn truncated_record() {
        let e = parse(r#"{"title":"ع","body":"نص مقطو"#).unwrap_err();
        assert_eq!(e.kind, kind::TRUNCATED_JSON);
        assert!(
            e.reason
                .starts_with("truncated JSON: EOF while parsing a string at column "),
            "{}",
            e.reason
        );
    }

    #[test]
    fn duplicate_fields_are_invalid_records() {
        let e = parse(r#"{"title":"ع","title":"غ","body":"ن"}"#).unwrap_err();
        assert_eq!(e.kind, kind::INVALID_RECORD);
        assert!(e.reason.contains("duplicate field `title`"), "{}", e.reason);
    }

    #[test]
    fn non_objects() {
        let e = parse(r#"["عنوان","نص"]"#).unwrap_err();
        assert_eq!(e.kind, kind::NOT_AN_OBJECT);
        assert_eq!(e.reason, "not a JSON object (found array)");
        assert_eq!(
            parse("  12.5").unwrap_err().reason,
            "not a JSON object (found number)"
        );
        assert_eq!(
            parse("null").unwrap_err().reason,
            "not a JSON object (found null)"
        );
        assert_eq!(parse("nope").unwrap_err().kind, kind::INVALID_JSON);
    }

    #[test]
    fn invalid_utf8() {
        let mut line = br#"{"title":"x","body":""#.to_vec();
        line.extend_from_slice(&[0xC3, 0x28]);
        line.extend_from_slice(br#""}"#);
        let e = parse_line(&line, 1, "s").unwrap_err();
        assert_eq!(e.kind, kind::INVALID_UTF8);
        assert_eq!(e.reason, "invalid UTF-8 at column 22");
    }

    #[test]
    fn trims_title_and_body() {
        let mut s = String::from("  \u{A0}نص \n");
        trim_in_place(&mut s);
        assert_eq!(s, "نص");
        let mut blank = String::from(" \t ");
        trim_in_place(&mut blank);
        assert_eq!(blank, "");
    }
}
