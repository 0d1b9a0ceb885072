//! Reads the real files under `/work/shared` (`../../../shared` from this crate).

use std::path::PathBuf;

use khabar_ingest::{open, Encoding, Record};

fn shared(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(relative)
}

#[test]
fn seed_article_is_restored() {
    // The seed defines what khabar serves: it must be present, so no skipping here.
    let path = shared("examples/seed-article.txt");
    let path = path.to_str().unwrap();
    let mut reader = open(path).unwrap_or_else(|e| panic!("the seed article is required: {e}"));
    let records: Vec<Record> = reader.by_ref().collect();
    let [Record::Article(article)] = &records[..] else {
        panic!("expected exactly one article, got {records:?}");
    };
    assert_eq!(article.id, "seed-article");
    assert!(
        article.title.starts_with("مجنّد طاجيكي"),
        "{}",
        article.title
    );
    assert!(!article.title.ends_with(' '));
    assert!(!article.body.contains(".,"), "glue left in the body");
    // The file glues its paragraphs at 13 places, so restoration yields 14 paragraphs.
    let paragraphs: Vec<&str> = article.body.lines().collect();
    assert_eq!(paragraphs.len(), 14, "{paragraphs:#?}");
    assert!(paragraphs.iter().all(|p| !p.trim().is_empty()));
    assert!(paragraphs
        .iter()
        .all(|p| p.ends_with('.') || p.ends_with(".\"")));
    // Ordinary Arabic commas survive.
    assert!(article.body.contains('،'));
    let report = reader.report();
    assert_eq!((report.articles, report.rejected), (1, 0));
    assert_eq!(report.encoding, Some(Encoding::Utf8));
}

#[test]
fn ant_corpus_reads_completely() {
    let path = shared("data/news/ant-v1.1.jsonl.gz");
    if !path.exists() {
        eprintln!(
            "note: {} not found; skipping the ANT corpus check",
            path.display()
        );
        return;
    }
    let path = path.to_str().unwrap();
    let mut reader = open(path).unwrap();
    let mut ids = std::collections::HashSet::new();
    let (mut empty_titles, mut empty_bodies) = (0, 0);
    for record in reader.by_ref() {
        match record {
            Record::Article(article) => {
                assert!(article.id.starts_with("ant/"), "{}", article.id);
                // Present-but-empty fields are kept (only a missing body is rejected).
                empty_titles += usize::from(article.title.is_empty());
                empty_bodies += usize::from(article.body.is_empty());
                ids.insert(article.id);
            }
            Record::Rejected(r) => panic!("unexpected rejection: {r}"),
        }
    }
    let report = reader.report();
    assert_eq!(report.articles, 10161);
    assert_eq!(report.rejected, 0);
    assert!(report.reasons.is_empty());
    assert_eq!(ids.len(), 10161, "ids must be unique");
    assert_eq!((empty_titles, empty_bodies), (4, 23));
    assert_eq!(
        reader.input_bytes_read(),
        reader.total_bytes_hint().unwrap()
    );
    assert!(reader.bytes_read() > reader.total_bytes_hint().unwrap());
}

#[test]
fn saudinewsnet_corpus_reads_completely() {
    let path = shared("data/news/saudinewsnet-2015.jsonl.gz");
    if !path.exists() {
        eprintln!(
            "note: {} not found; skipping the SaudiNewsNet check",
            path.display()
        );
        return;
    }
    let mut reader = open(path.to_str().unwrap()).unwrap();
    let (mut with_date, mut with_url) = (0, 0);
    for record in reader.by_ref() {
        let Record::Article(article) = record else {
            panic!("unexpected rejection: {record:?}");
        };
        with_date += usize::from(article.date.is_some());
        with_url += usize::from(article.url.is_some());
    }
    let report = reader.report();
    assert_eq!((report.articles, report.rejected), (31030, 0));
    assert_eq!((with_date, with_url), (31030, 31030));
}
