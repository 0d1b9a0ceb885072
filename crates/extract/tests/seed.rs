//! The seed article: 16 quotations with their speakers, and its quantities.

use khabar_analysis::{Document, QuoteKind};
use khabar_extract::{extract_quantities, extract_quotes};
use khabar_ingest::{restore_paragraphs, Article};
use serde_json::json;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/examples/seed-article.txt"
);
const NAZAROV: &str = "عبد الأحد رستم نزاروف";
const OFFICIALS: &str = "مسؤولون من وزارة الداخلية وجهاز أمن الدولة في طاجيكستان";

fn seed() -> Document {
    let raw = std::fs::read_to_string(SEED).expect("seed article");
    let (title, body) = raw.split_once('\n').expect("headline line");
    Document::from_article(&Article {
        id: "seed".into(),
        title: title.into(),
        body: restore_paragraphs(body).into_owned(),
        ..Default::default()
    })
}

#[test]
fn sixteen_quotations_with_their_speakers() {
    let doc = seed();
    let qs = extract_quotes(&doc);
    assert_eq!(
        qs.len(),
        16,
        "{:#?}",
        qs.iter()
            .map(|q| (&q.cue.text, &q.content.text))
            .collect::<Vec<_>>()
    );
    let officials: Vec<_> = qs.iter().filter(|q| q.speaker.text == OFFICIALS).collect();
    assert_eq!(officials.len(), 1);
    assert!(officials[0]
        .content
        .text
        .starts_with("الوزارة والجهاز لم يتلقيا"));
    assert_eq!(qs.iter().filter(|q| q.speaker.text == NAZAROV).count(), 15);
    // The cue-less lead (its verb is missing in the seed) is attributed through "رجل".
    assert_eq!(qs[0].cue.text, "");
    assert!(qs[0].content.text.starts_with("أجانب كثيرين"));
    // "وقال الرجل" is linked to the man the article names.
    assert_eq!(qs[1].speaker.mention.as_ref().unwrap().text, "الرجل");
    // Subject-less continuations carry no mention of their own.
    let cues: Vec<&str> = qs.iter().map(|q| q.cue.text.as_str()).collect();
    assert_eq!(
        cues,
        [
            "",
            "وقال",
            "ويقول",
            "وقال",
            "وأضاف",
            "وتابع",
            "وقال",
            "وكشف",
            "وأضاف",
            "قال",
            "وقال",
            "وتابع",
            "وأكد",
            "روى",
            "وتابع",
            "وقال"
        ]
    );
    for q in &qs {
        if matches!(q.cue.text.as_str(), "وأضاف" | "وتابع")
            || q.cue.text == "وقال" && q.speaker.mention.is_none()
        {
            assert!(q.speaker.mention.is_none());
            assert_eq!(q.speaker.text, NAZAROV);
        }
    }
    // Direct quotes over several sentences with "..": the whole quotation.
    let direct: Vec<_> = qs.iter().filter(|q| q.kind == QuoteKind::Direct).collect();
    assert_eq!(direct.len(), 4);
    assert!(direct[0]
        .content
        .text
        .starts_with("سجنت ثلاث مرات لمحاولتي الهرب.. أردت"));
    assert!(direct[0].content.text.ends_with("مبايعة دولة الخلافة"));
    assert!(direct[2].content.text.ends_with("وبيجي والرقة"));
    // Spans are consistent with the text.
    for q in &qs {
        assert_eq!(doc.slice(q.content.start, q.content.end), q.content.text);
        assert_eq!(doc.slice(q.cue.start, q.cue.end), q.cue.text);
    }
}

#[test]
fn seed_quantities() {
    let doc = seed();
    let qs = extract_quantities(&doc);
    let find = |kind: &str, value: serde_json::Value| {
        qs.iter().find(|q| q.kind == kind && q.value == value)
    };
    let age = find("age", json!(28)).expect("age 28");
    assert_eq!(age.text, "28 عاما");
    let times = find("number", json!(3)).expect("ثلاث مرات");
    assert_eq!(times.text, "ثلاث مرات");
    assert!(find("year", json!(2014)).is_some());
    assert!(find("year", json!(2017)).is_some());
    let about = find("number", json!(60000)).expect("نحو 60 ألفا");
    assert_eq!(about.text, "نحو 60 ألفا");
    assert_eq!(about.approx, Some(true));
    // آلافا: an approximate count.
    assert!(find("count", json!(1000)).is_some_and(|q| q.approx == Some(true)));
    // No publication date: "الشهر الماضي" stays unresolved and is not reported.
    assert!(!qs.iter().any(|q| q.text.contains("الشهر")));
}

#[test]
fn seed_quotes_snapshot() {
    let doc = seed();
    let qs = extract_quotes(&doc);
    insta::assert_json_snapshot!("seed_quotes", qs);
}
