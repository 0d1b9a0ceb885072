//! Entities across articles: linking at index time (incremental, re-indexing, backfill of
//! an unlinked corpus), `entities`, `entity_profile`, `said`, and search through links.

mod common;

use common::article;
use khabar_analysis::{Document, Quote, QuoteKind, Speaker, TextSpan};
use khabar_corpus::{About, Corpus, IndexOptions, SaidRequest, SearchRequest, Searcher};
use khabar_ingest::Article;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The names this test's fixed recognizer knows.
const NAMES: &[(&str, &str)] = &[
    ("غولمرود حليموف", "PER"),
    ("جولمورود حليموف", "PER"),
    ("غول مراد حليموف", "PER"),
    ("عادل الجبير", "PER"),
    ("محمد العلي", "PER"),
    ("محمود العلي", "PER"),
    ("حليموف", "PER"),
    ("الجبير", "PER"),
    ("موسكو", "LOC"),
    ("طاجيكستان", "LOC"),
    ("وزارة الداخلية", "ORG"),
];

/// Entities: every known name, longest first, not overlapping. Quotations: `قال NAME: «…»`.
fn analyze(a: &Article) -> Document {
    let mut doc: Document = khabar_pipeline::Pipeline::default().analyze(a);
    doc.entities.clear();
    doc.quotes.clear();
    common::mark_names(&mut doc, NAMES);
    let chars: Vec<char> = doc.text.chars().collect();
    let span = |s: usize, e: usize| TextSpan {
        text: chars[s..e].iter().collect(),
        start: s,
        end: e,
    };
    for (i, e) in doc.entities.iter().enumerate() {
        let cue_start = e.start.saturating_sub(4);
        if e.label != "PER" || chars[cue_start..e.start].iter().collect::<String>() != "قال " {
            continue;
        }
        let Some(open) = chars[e.end..].iter().position(|c| *c == '«') else {
            continue;
        };
        let open = e.end + open + 1;
        let Some(close) = chars[open..].iter().position(|c| *c == '»') else {
            continue;
        };
        doc.quotes.push(Quote {
            kind: QuoteKind::Direct,
            cue: span(cue_start, e.start - 1),
            content: span(open, open + close),
            speaker: Speaker {
                text: e.text.clone(),
                mention: Some(span(e.start, e.end)),
                entity: Some(i),
                role: None,
                chain: None,
            },
        });
    }
    doc
}

fn options() -> IndexOptions {
    IndexOptions {
        batch_size: 2,
        threads: 2,
        writer_memory: 20 << 20,
        analyze: Some(Arc::new(analyze)),
        ..Default::default()
    }
}

fn articles() -> Vec<Article> {
    vec![
        article(
            "a1",
            "Alpha",
            "2024-06-01",
            "قائد أمني يغادر",
            "قال غولمرود حليموف: «سأعود إلى طاجيكستان قريبا». وكان حليموف قائدا في وزارة الداخلية.",
        ),
        article(
            "a2",
            "beta",
            "2024-06-03",
            "تسجيل مصور جديد",
            "قال جولمورود حليموف: «زرت موسكو مرات كثيرة». ولم تعلق وزارة الداخلية.",
        ),
        article(
            "a3",
            "gamma",
            "2024-06-05",
            "مطالبات بتسليمه",
            "طالبت طاجيكستان بتسليم غول مراد حليموف. وقال عادل الجبير: «الأمر يخص طاجيكستان وحدها».",
        ),
        article(
            "a4",
            "beta",
            "2024-06-07",
            "مقابلة",
            "قال الجبير: «لا تعليق». ثم التقى محمد العلي ومحمود العلي.",
        ),
    ]
}

fn write(dir: &Path, name: &str, articles: &[Article]) -> PathBuf {
    let path = dir.join(name);
    common::write_jsonl(&path, articles);
    path
}

fn index(db: &Path, inputs: &[PathBuf], opts: &IndexOptions) -> khabar_corpus::IndexReport {
    let mut corpus = Corpus::open(db).unwrap();
    let mut rejected = Vec::new();
    let r =
        khabar_corpus::index_inputs(&mut corpus, inputs, opts, &mut |r| rejected.push(r.clone()))
            .unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    r
}

/// (name, type, [(variant, count)], articles) of one entity.
type Row = (String, String, Vec<(String, u64)>, u64);

/// Every entity, sorted.
fn table(db: &Path) -> Vec<Row> {
    let corpus = Corpus::open_existing(db).unwrap();
    let mut v: Vec<_> = corpus
        .entities(None, 1000)
        .unwrap()
        .into_iter()
        .map(|e| {
            let mut vars: Vec<(String, u64)> =
                e.variants.into_iter().map(|v| (v.text, v.count)).collect();
            vars.sort();
            (e.name, e.kind, vars, e.articles)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn spellings_link_to_one_entity_with_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    index(
        &db,
        &[write(dir.path(), "a.jsonl", &articles())],
        &options(),
    );
    // The first run into an empty store builds the mention index by entity at its end.
    let conn = rusqlite::Connection::open(db.join("khabar.sqlite")).unwrap();
    let indexed: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'entities_entity'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, 1);
    // Dropped (a run killed before its end): the next open builds it again.
    conn.execute_batch("DROP INDEX entities_entity").unwrap();
    drop(conn);
    let corpus = Corpus::open_existing(&db).unwrap();
    let persons = corpus.entities(Some("per"), 10).unwrap();
    let h = persons
        .iter()
        .find(|e| e.variants.iter().any(|v| v.text == "جولمورود حليموف"))
        .expect("the person is listed");
    let mut spellings: Vec<&str> = h.variants.iter().map(|v| v.text.as_str()).collect();
    spellings.sort();
    assert_eq!(
        spellings,
        [
            "جولمورود حليموف",
            "حليموف",
            "غول مراد حليموف",
            "غولمرود حليموف"
        ]
    );
    assert_eq!(h.articles, 3);
    assert_eq!(h.first.as_deref().map(|d| &d[..10]), Some("2024-06-01"));
    assert_eq!(h.last.as_deref().map(|d| &d[..10]), Some("2024-06-05"));
    assert!(
        h.variants.iter().any(|v| v.text == h.name) && h.name.contains(' '),
        "the name is a full form: {}",
        h.name
    );
    // The surname alone of article a4 names nobody across articles; محمد ≠ محمود.
    let jubeir = persons.iter().find(|e| e.name == "عادل الجبير").unwrap();
    assert_eq!(jubeir.articles, 1);
    assert!(jubeir.variants.iter().all(|v| v.text != "الجبير"));
    assert!(persons.iter().any(|e| e.name == "محمد العلي"));
    assert!(persons.iter().any(|e| e.name == "محمود العلي"));
    assert!(corpus
        .entities(Some("LOC"), 10)
        .unwrap()
        .iter()
        .all(|e| e.kind == "LOC"));
    let err = corpus.entities(Some("PLACE"), 10).unwrap_err().to_string();
    assert!(err.contains("PER, ORG, LOC, MISC"), "{err}");

    // Any spelling finds the person; so does the id.
    let by_name = corpus.resolve_entity("غولمرود حليموف").unwrap();
    assert_eq!(by_name[0].id, h.id);
    assert_eq!(
        corpus.resolve_entity(&h.id.to_string()).unwrap()[0].id,
        h.id
    );
    assert!(corpus.resolve_entity("غير موجود إطلاقا").unwrap().is_empty());
    assert!(corpus.resolve_entity("  ").is_err());
    assert!(corpus.resolve_entity(&"ا".repeat(10_000)).is_err());

    let p = corpus.entity_profile("جولمورود حليموف", 10).unwrap();
    assert_eq!(p.entity.id, h.id);
    assert_eq!(p.days.len(), 3);
    assert_eq!(p.said_total, 2);
    assert!(p.cooccurring.iter().any(|c| c.name == "طاجيكستان"));
    assert!(p.cooccurring.iter().all(|c| c.id != h.id));
    let tajik = corpus.entity_profile("طاجيكستان", 10).unwrap();
    assert_eq!(tajik.said_about_total, 2, "quoted by حليموف and by الجبير");
    let conn = rusqlite::Connection::open(db.join("khabar.sqlite")).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT article_id FROM entities WHERE entity_id = 1",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("entities_entity"), "{plan}");
}

#[test]
fn said_by_any_spelling_about_an_entity_or_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    index(
        &db,
        &[write(dir.path(), "a.jsonl", &articles())],
        &options(),
    );
    let corpus = Corpus::open_existing(&db).unwrap();
    let said = |speaker: &str, about: Option<&str>| {
        corpus.said(&SaidRequest {
            speaker: speaker.into(),
            about: about.map(Into::into),
            ..Default::default()
        })
    };
    let all = said("غول مراد حليموف", None).unwrap();
    assert_eq!(all.total, 2);
    let mut arts: Vec<&str> = all.quotes.iter().map(|q| q.article.as_str()).collect();
    arts.sort();
    assert_eq!(arts, ["a1", "a2"]);
    assert_eq!(all.quotes[0].article, "a2", "newest first");
    let moscow = said("جولمورود حليموف", Some("موسكو")).unwrap();
    assert!(matches!(moscow.about, Some(About::Entity { .. })));
    assert_eq!(moscow.total, 1);
    assert_eq!(moscow.quotes[0].article, "a2");
    // Not an entity: words, any clitic form (طاجيكستان → إلى طاجيكستان).
    let words = said("غولمرود حليموف", Some("سأعود")).unwrap();
    assert!(matches!(words.about, Some(About::Words { .. })));
    assert_eq!(words.total, 1);
    assert_eq!(words.quotes[0].article, "a1");
    let dated = corpus
        .said(&SaidRequest {
            speaker: "غولمرود حليموف".into(),
            from: Some("2024-06-02".into()),
            to: Some("2024-06-30".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(dated.total, 1);
    for (speaker, about, from, needle) in [
        ("لا أحد بهذا الاسم", None, None, "no entity"),
        ("غولمرود حليموف", Some(" "), None, "--about"),
        ("غولمرود حليموف", Some("؟؟"), None, "no searchable words"),
        ("غولمرود حليموف", None, Some("yesterday-ish"), "not a date"),
    ] {
        let err = corpus
            .said(&SaidRequest {
                speaker: speaker.into(),
                about: about.map(Into::into),
                from: from.map(Into::into),
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
    // Search filters go through the same links: every spelling's article.
    let s = Searcher::open(&db).unwrap();
    let hits = |req: SearchRequest| {
        let mut ids: Vec<String> = s
            .search(&req)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    };
    let ids = hits(SearchRequest {
        entity: Some("جولمورود حليموف".into()),
        limit: 10,
        ..Default::default()
    });
    assert_eq!(ids, ["a1", "a2", "a3"]);
    let speakers = hits(SearchRequest {
        speaker: Some("غول مراد حليموف".into()),
        limit: 10,
        ..Default::default()
    });
    assert_eq!(speakers.len(), 2);
}

#[test]
fn incremental_reindexing_and_backfill_agree() {
    let dir = tempfile::tempdir().unwrap();
    let all = articles();
    let whole = dir.path().join("whole");
    index(&whole, &[write(dir.path(), "all.jsonl", &all)], &options());
    let expected = table(&whole);

    // Article by article, one run each: the same entities.
    let stepwise = dir.path().join("stepwise");
    for (i, a) in all.iter().enumerate() {
        let f = write(
            dir.path(),
            &format!("one{i}.jsonl"),
            std::slice::from_ref(a),
        );
        index(&stepwise, &[f], &options());
    }
    assert_eq!(table(&stepwise), expected);
    let id_of = |db: &Path| {
        Corpus::open_existing(db)
            .unwrap()
            .resolve_entity("جولمورود حليموف")
            .unwrap()[0]
            .id
    };
    let before = id_of(&stepwise);

    // Re-indexing a changed article changes that article's mentions only.
    let mut changed = all[3].clone();
    changed.body = "قال الجبير: «لا تعليق». ثم التقى محمد العلي.".into();
    index(
        &stepwise,
        &[write(dir.path(), "changed.jsonl", &[changed])],
        &options(),
    );
    let after = table(&stepwise);
    assert_eq!(id_of(&stepwise), before);
    assert!(
        !after.iter().any(|e| e.0 == "محمود العلي"),
        "its only article lost it"
    );
    let unchanged = |t: &[Row]| {
        t.iter()
            .filter(|e| e.0 != "محمود العلي")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(unchanged(&after), unchanged(&expected));

    // A corpus indexed without linking is linked by the next run.
    let later = dir.path().join("later");
    let off = IndexOptions {
        link_entities: false,
        ..options()
    };
    index(&later, &[write(dir.path(), "all2.jsonl", &all)], &off);
    assert!(table(&later).is_empty());
    let report = index(&later, &[write(dir.path(), "none.jsonl", &[])], &options());
    assert_eq!(report.backfilled, all.len() as u64);
    assert_eq!(table(&later), expected);
    let corpus = Corpus::open_existing(&later).unwrap();
    assert_eq!(
        corpus
            .said(&SaidRequest {
                speaker: "جولمورود حليموف".into(),
                ..Default::default()
            })
            .unwrap()
            .total,
        2
    );
}
