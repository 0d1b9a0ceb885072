//! Property tests: the decoding and clean-up functions must never panic, whatever the input.

use std::borrow::Cow;
use std::io::Write;

use khabar_ingest::{decode, open, parse_text_article, restore_paragraphs, Encoding, Record};
use proptest::prelude::*;

/// Strings dense in the characters `restore_paragraphs` cares about.
fn gluey_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("."),
            Just(","),
            Just(".,"),
            Just(" "),
            Just("\t"),
            Just("\u{A0}"),
            Just("\n"),
            Just("\r"),
            Just("،"),
            Just("\""),
            Just("a"),
            Just("3"),
            Just("ب"),
            Just("خبر"),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn without_spaces_and_commas(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect()
}

proptest! {
    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok((text, encoding)) = decode(&bytes) {
            if encoding == Encoding::Utf8 {
                prop_assert_eq!(text.as_bytes(), &bytes[..]);
            }
        }
    }

    #[test]
    fn decode_never_panics_after_a_bom(
        bom in prop_oneof![
            Just(&b"\xEF\xBB\xBF"[..]),
            Just(&b"\xFF\xFE"[..]),
            Just(&b"\xFE\xFF"[..]),
        ],
        rest in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = bom.to_vec();
        bytes.extend_from_slice(&rest);
        match decode(&bytes) {
            Ok((_, encoding)) => prop_assert_ne!(encoding, Encoding::Utf8),
            Err(e) => prop_assert!(e.offset() < bytes.len()),
        }
    }

    #[test]
    fn restore_never_panics_and_is_idempotent(text in any::<String>()) {
        let once = restore_paragraphs(&text).into_owned();
        let twice = restore_paragraphs(&once);
        prop_assert!(matches!(twice, Cow::Borrowed(_)));
        prop_assert_eq!(&twice, &once);
    }

    #[test]
    fn restore_is_idempotent_on_glue_heavy_text(text in gluey_text()) {
        let once = restore_paragraphs(&text).into_owned();
        let twice = restore_paragraphs(&once);
        prop_assert!(matches!(twice, Cow::Borrowed(_)));
        prop_assert_eq!(&twice, &once);
        // Only commas and whitespace are ever removed or added.
        prop_assert_eq!(without_spaces_and_commas(&once), without_spaces_and_commas(&text));
        // Ordinary commas survive: every comma not right after a '.' is kept.
        let lone_commas = |s: &str| s.match_indices(',').filter(|(i, _)| !s[..*i].ends_with('.')).count();
        prop_assert!(lone_commas(&once) >= lone_commas(&text));
    }

    #[test]
    fn text_articles_never_panic(text in any::<String>()) {
        let article = parse_text_article(&text, "id");
        prop_assert!(!article.title.contains('\n'));
        prop_assert_eq!(article.title.trim(), article.title.as_str());
        prop_assert!(!article.body.contains('\r'));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the lines hold, every non-blank line yields exactly one record.
    #[test]
    fn one_record_per_non_blank_line(
        lines in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..60),
                Just(r#"{"title":"عنوان","body":"نص"}"#.as_bytes().to_vec()),
                Just(b"   ".to_vec()),
            ],
            0..20,
        )
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("random.jsonl");
        let mut file = std::fs::File::create(&path).unwrap();
        for line in &lines {
            file.write_all(line).unwrap();
            file.write_all(b"\n").unwrap();
        }
        drop(file);
        let mut reader = open(path.to_str().unwrap()).unwrap();
        let records: Vec<Record> = reader.by_ref().collect();
        let non_blank = lines
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                // A UTF-8 BOM opening the file is skipped like whitespace.
                let l = if *i == 0 { l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l) } else { l };
                !l.iter().all(u8::is_ascii_whitespace)
            })
            .count();
        prop_assert_eq!(records.len(), non_blank);
        let report = reader.report();
        prop_assert_eq!(report.articles + report.rejected, non_blank);
    }
}
