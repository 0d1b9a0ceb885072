//! Stories and near-duplicates built at index time: `stories`, `story`, `duplicates`,
//! search hits' story, stability across re-indexing and input order, bad input.

mod common;

use common::{article, write_jsonl};
use khabar_corpus::{index_inputs, Corpus, IndexOptions, SearchRequest, Searcher, StoriesRequest};
use khabar_ingest::Article;
use std::path::{Path, PathBuf};

const DAM: &str = "افتتح وزير المياه سد وادي الرمال الجديد في محافظة الشمال بطاقة تخزين تبلغ أربعين مليون متر مكعب، \
ويهدف السد إلى حماية القرى من السيول وتغذية الآبار الجوفية. وقال الوزير إن تكلفة السد بلغت مئتين وخمسين مليون ريال.";
const DAM2: &str = "دشن وزير المياه مشروع سد وادي الرمال في محافظة الشمال، وتبلغ سعة السد التخزينية أربعين مليون متر مكعب. \
وأوضح أن السد سيحمي القرى من أخطار السيول ويغذي الآبار الجوفية بتكلفة مئتين وخمسين مليون ريال.";
const MATCH: &str =
    "فاز نادي النجوم على ضيفه نادي الساحل بثلاثة أهداف مقابل هدف في المباراة التي جمعتهما مساء أمس \
على ملعب المدينة الرياضية ضمن الجولة الخامسة من الدوري، وسجل المهاجم الشاب هدفين في الشوط الثاني.";

fn articles() -> Vec<Article> {
    let mut undated = article(
        "u1",
        "delta",
        "",
        "حريق في مستودع للأخشاب",
        "اندلع حريق في مستودع للأخشاب بالمنطقة الصناعية فجر اليوم وسيطرت عليه فرق الدفاع المدني.",
    );
    undated.date = None;
    vec![
        article(
            "d1",
            "alpha",
            "2015-08-01 09:00:00",
            "افتتاح سد وادي الرمال",
            DAM,
        ),
        article(
            "d2",
            "beta",
            "2015-08-01 11:30:00",
            "وزير المياه يدشن سد وادي الرمال",
            DAM2,
        ),
        article(
            "m1",
            "alpha",
            "2015-08-01 20:00:00",
            "النجوم يهزم الساحل بثلاثية",
            MATCH,
        ),
        article(
            "d3",
            "gamma",
            "2015-08-02 08:00:00",
            "سد جديد في الشمال",
            DAM,
        ),
        article("e1", "gamma", "2015-08-02 09:00:00", "عنوان بلا نص", ""),
        undated,
    ]
}

fn options() -> IndexOptions {
    IndexOptions {
        batch_size: 2,
        threads: 2,
        writer_memory: 20 << 20,
        analyze: Some(common::analyze_fn()),
        ..Default::default()
    }
}

fn index(db: &Path, inputs: &[PathBuf]) -> khabar_corpus::IndexReport {
    let mut corpus = Corpus::open(db).unwrap();
    index_inputs(&mut corpus, inputs, &options(), &mut |r| {
        panic!("rejected {r:?}")
    })
    .unwrap()
}

/// Story of each article id, as (id → story id).
fn partition(db: &Path) -> Vec<(String, i64)> {
    let corpus = Corpus::open_existing(db).unwrap();
    let mut v: Vec<(String, i64)> = corpus
        .ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let s = corpus
                .story_of(&id)
                .unwrap()
                .expect("every article has a story");
            (id, s)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn stories_duplicates_and_search_after_indexing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jsonl");
    write_jsonl(&input, &articles());
    let db = dir.path().join("db");
    let report = index(&db, std::slice::from_ref(&input));
    let s = report.stories.expect("stories are rebuilt after a run");
    assert_eq!(s.articles, 6);
    assert_eq!(s.undated, 1);
    assert_eq!(s.duplicate_groups, 1);

    let corpus = Corpus::open_existing(&db).unwrap();
    let list = corpus
        .stories(&StoriesRequest {
            min_size: 2,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let dam = &list[0];
    assert_eq!(dam.articles, vec!["d1", "d2", "d3"], "by time");
    assert_eq!(dam.size, 3);
    assert!([
        "افتتاح سد وادي الرمال",
        "وزير المياه يدشن سد وادي الرمال",
        "سد جديد في الشمال"
    ]
    .contains(&dam.title.as_str()));
    let outlets: Vec<(&str, Option<&str>)> = dam
        .sources
        .iter()
        .map(|x| (x.source.as_str(), x.first.as_deref()))
        .collect();
    assert_eq!(
        outlets,
        vec![
            ("alpha", Some("2015-08-01T09:00:00")),
            ("beta", Some("2015-08-01T11:30:00")),
            ("gamma", Some("2015-08-02T08:00:00"))
        ]
    );
    assert_eq!(dam.first.as_deref(), Some("2015-08-01T09:00:00"));
    assert_eq!(dam.last.as_deref(), Some("2015-08-02T08:00:00"));
    assert!(
        dam.keywords.iter().any(|k| k.text.contains("سد")),
        "{:?}",
        dam.keywords
    );
    assert!(!dam.summary.is_empty());
    let texts: Vec<&str> = dam.summary.iter().map(|x| x.text.as_str()).collect();
    let mut distinct = texts.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), texts.len(), "no sentence twice: {texts:?}");

    // one story in detail: the copy names its original
    let (record, arts) = corpus.story(dam.id).unwrap().unwrap();
    assert_eq!(record, *dam);
    let copy = arts.iter().find(|a| a.id == "d3").unwrap();
    assert_eq!(copy.duplicate_of.as_deref(), Some("d1"));
    assert!(arts
        .iter()
        .find(|a| a.id == "d1")
        .unwrap()
        .duplicate_of
        .is_none());
    assert!(corpus.story(12345).unwrap().is_none());

    let dups = corpus.duplicates(10).unwrap();
    assert_eq!(dups.len(), 1);
    let ids: Vec<&str> = dups[0].articles.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, vec!["d1", "d3"]);
    assert!(dups[0].articles[1].similarity > 0.95);

    // the undated article and the empty body have stories of their own
    let all = corpus
        .stories(&StoriesRequest {
            min_size: 1,
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 4);
    let undated = all.iter().find(|s| s.articles == ["u1"]).unwrap();
    assert!(undated.first.is_none() && undated.last.is_none());
    let total: usize = all.iter().map(|s| s.size).sum();
    assert_eq!(total, 6, "no article lost or counted twice");

    // dates filter the list; a bad date is a clear error
    let day2 = |from: &str, to: &str| {
        corpus
            .stories(&StoriesRequest {
                from: Some(from.into()),
                to: Some(to.into()),
                min_size: 1,
                limit: 100,
            })
            .map(|v| v.into_iter().map(|s| s.size).collect::<Vec<_>>())
    };
    assert_eq!(day2("2015-08-02", "2015-08-30").unwrap(), vec![3, 1]);
    assert_eq!(
        day2("2015-07-01", "2015-07-30").unwrap(),
        Vec::<usize>::new()
    );
    let err = day2("yesterday", "2015-08-30").unwrap_err().to_string();
    assert!(err.contains("--from") && err.contains("yesterday"), "{err}");

    // search hits carry their story
    let searcher = Searcher::open(&db).unwrap();
    let res = searcher
        .search(&SearchRequest {
            query: "النجوم".into(),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(res.hits[0].id, "m1");
    assert_eq!(res.hits[0].story, corpus.story_of("m1").unwrap());
    assert!(res.hits[0].story.is_some());
}

#[test]
fn stories_do_not_depend_on_input_order_or_reindexing() {
    let dir = tempfile::tempdir().unwrap();
    let forward = dir.path().join("f.jsonl");
    let backward = dir.path().join("b.jsonl");
    let mut arts = articles();
    write_jsonl(&forward, &arts);
    arts.reverse();
    write_jsonl(&backward, &arts);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    index(&a, std::slice::from_ref(&forward));
    index(&b, &[backward]);
    let first = partition(&a);
    assert_eq!(
        first,
        partition(&b),
        "same stories, same ids, whatever the order"
    );

    // indexing the same articles again changes nothing and rebuilds nothing
    let again = index(&a, &[forward]);
    assert_eq!(again.indexed, 0);
    assert!(again.stories.is_none());
    assert_eq!(partition(&a), first);

    // one article at a time gives the same stories as one run
    let c = dir.path().join("c");
    for art in articles() {
        let one = dir.path().join(format!("{}.jsonl", art.id));
        write_jsonl(&one, &[art]);
        index(&c, &[one]);
    }
    assert_eq!(partition(&c), first);
}

#[test]
fn a_corpus_without_story_features_gets_them_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jsonl");
    write_jsonl(&input, &articles());
    let db = dir.path().join("db");
    index(&db, std::slice::from_ref(&input));
    let expected = partition(&db);
    {
        // as a store from before stories: no features, no stories
        let conn = rusqlite::Connection::open(db.join("khabar.sqlite")).unwrap();
        conn.execute_batch(
            "DELETE FROM story_features; DELETE FROM stories; DELETE FROM story_articles; DELETE FROM duplicates;",
        )
        .unwrap();
    }
    let report = index(&db, &[input]);
    assert_eq!(report.indexed, 0);
    let s = report.stories.expect("stale stories are rebuilt");
    assert_eq!(s.backfilled, 6);
    assert_eq!(partition(&db), expected);
}

#[test]
fn corrupt_feature_records_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jsonl");
    write_jsonl(&input, &articles());
    let db = dir.path().join("db");
    index(&db, &[input]);
    {
        let conn = rusqlite::Connection::open(db.join("khabar.sqlite")).unwrap();
        conn.execute(
            "UPDATE story_features SET data = x'0102' WHERE article_id = 'm1'",
            [],
        )
        .unwrap();
    }
    let corpus = Corpus::open_existing(&db).unwrap();
    let mut bad = Vec::new();
    let r = corpus
        .rebuild_stories(&Default::default(), &mut |id, why| {
            bad.push(format!("{id}: {why}"))
        })
        .unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].starts_with("m1: story features"), "{bad:?}");
    assert_eq!(r.articles, 5, "the good ones go through");
}
