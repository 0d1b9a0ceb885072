//! Index/search round trips, filters, re-indexing, inputs of every kind.

mod common;

use common::*;
use khabar_corpus::{Corpus, SearchRequest, Searcher};
use std::io::Write;
use std::path::Path;

fn ids(db: &Path, req: SearchRequest) -> Vec<String> {
    let s = Searcher::open(db).unwrap();
    let mut v: Vec<String> = s
        .search(&req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

fn q(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        limit: 20,
        ..Default::default()
    }
}

fn indexed_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    write_jsonl(&input, &articles());
    let (report, rejected) = index(&dir.path().join("db"), &[input], &options());
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(report.indexed, 5);
    dir
}

#[test]
fn clitics_diacritics_and_hamza_match() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    // القوات finds لقوات (t1) and والقوات (t2).
    assert_eq!(ids(&db, q("القوات")), ["t1", "t2"]);
    assert_eq!(ids(&db, q("قوات")), ["t1", "t2"]);
    // Diacritics in the text or in the query do not matter.
    assert_eq!(ids(&db, q("مدرسة")), ["t2"]);
    assert_eq!(ids(&db, q("مَدْرَسَة")), ["t2"]);
    // Hamza spellings: مسئول in t4, المسؤول in t2.
    assert_eq!(ids(&db, q("مسؤول")), ["t2", "t4"]);
    assert_eq!(ids(&db, q("المسئول")), ["t2", "t4"]);
}

#[test]
fn ranking_snippets_and_json() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    let s = Searcher::open(&db).unwrap();
    let r = s.search(&q("أسعار النفط")).unwrap();
    assert_eq!(r.total, 1);
    let hit = &r.hits[0];
    assert_eq!(hit.id, "t5");
    assert_eq!(hit.title, "ارتفاع أسعار النفط");
    assert_eq!(hit.source.as_deref(), Some("beta"));
    assert_eq!(hit.date.as_deref(), Some("2024-04-01"));
    assert!(hit.snippet.contains("<b>النفط</b>"), "{}", hit.snippet);
    assert!(!hit.highlights.is_empty());
    let json = serde_json::to_value(&r).unwrap();
    for key in ["query", "took_ms", "total", "hits"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    for key in ["id", "score", "title", "source", "date", "snippet"] {
        assert!(json["hits"][0].get(key).is_some(), "{key}");
    }
    // Limit.
    let mut req = q("في");
    req.query = "الخارجية القوات".into();
    req.limit = 1;
    let r = s.search(&req).unwrap();
    assert_eq!(r.hits.len(), 1);
    assert!(r.total >= 3);
}

#[test]
fn phrase_queries() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    // t3 has وزير الخارجية; t4 has الوزير and الخارجية, apart.
    assert_eq!(ids(&db, q("وزير الخارجية")), ["t3", "t4"]);
    assert_eq!(ids(&db, q("\"وزير الخارجية\"")), ["t3"]);
    assert_eq!(ids(&db, q("«حفظ السلام»")), ["t1"]);
    assert!(ids(&db, q("\"السلام حفظ\"")).is_empty());
    // A stopword inside the phrase keeps its place.
    assert_eq!(ids(&db, q("\"ثلاثة في المئة\"")), ["t5"]);
}

#[test]
fn every_filter() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    let all = |f: &dyn Fn(&mut SearchRequest)| {
        let mut r = q("");
        f(&mut r);
        ids(&db, r)
    };
    assert_eq!(all(&|_| {}).len(), 5);
    assert_eq!(all(&|r| r.source = Some("alpha".into())), ["t1", "t3"]);
    assert_eq!(all(&|r| r.source = Some("BETA".into())), ["t2", "t5"]);
    assert_eq!(
        all(&|r| {
            r.from = Some("2024-03-05".into());
            r.to = Some("10/03/2024".into());
        }),
        ["t2", "t3"]
    );
    assert_eq!(all(&|r| r.from = Some("2024-03-11".into())), ["t4", "t5"]);
    assert_eq!(all(&|r| r.to = Some("2024-03-01".into())), ["t1"]);
    assert_eq!(all(&|r| r.entity = Some("محمد العلي".into())), ["t3"]);
    assert_eq!(all(&|r| r.entity = Some("الأمم المتحدة".into())), ["t1"]);
    assert!(all(&|r| r.entity = Some("العلي محمد".into())).is_empty());
    assert_eq!(all(&|r| r.speaker = Some("محمد العلي".into())), ["t3"]);
    assert!(all(&|r| r.speaker = Some("الأمم المتحدة".into())).is_empty());
    // Filters combine with the query and with each other.
    let mut r = q("الخارجية");
    r.source = Some("gamma".into());
    assert_eq!(ids(&db, r), ["t4"]);
    // The query must match, not just the filter.
    let mut r = q("النفط");
    r.source = Some("alpha".into());
    assert!(ids(&db, r).is_empty());
    let mut r = q("\"حفظ السلام\" النفط");
    r.from = Some("2024-01-01".into());
    assert_eq!(ids(&db, r), ["t1"]);
    // Punctuation alone matches nothing.
    assert!(ids(&db, q("؟ ...")).is_empty());
    // A bad date is an error, not a panic.
    let s = Searcher::open(&db).unwrap();
    let mut r = q("النفط");
    r.from = Some("غدا".into());
    assert!(s.search(&r).is_err());
}

#[test]
fn stats_and_store() {
    let dir = indexed_corpus();
    let corpus = Corpus::open_existing(dir.path().join("db")).unwrap();
    let s = khabar_corpus::stats(&corpus, 10).unwrap();
    assert_eq!(s.articles, 5);
    assert_eq!(s.indexed, 5);
    assert_eq!(s.sources[0].name, "Alpha");
    assert_eq!(s.sources[0].count, 2);
    let days: Vec<&str> = s.days.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        days,
        [
            "2024-03-01",
            "2024-03-05",
            "2024-03-10",
            "2024-03-12",
            "2024-04-01"
        ]
    );
    assert_eq!(s.top_entities["PER"][0].name, "محمد العلي");
    assert_eq!(s.top_speakers[0].name, "محمد العلي");
    let json: serde_json::Value =
        serde_json::from_str(&corpus.analysis_json("t3").unwrap().unwrap()).unwrap();
    assert_eq!(json["schema"], "khabar.analysis/1");
    assert_eq!(json["entities"].as_array().unwrap().len(), 3);
    assert!(Corpus::open_existing(dir.path().join("nothing")).is_err());
}

#[test]
fn reindexing_updates_never_duplicates() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    let input = dir.path().join("news.jsonl");
    // Same input again: everything is unchanged.
    let (report, _) = index(&db, std::slice::from_ref(&input), &options());
    assert_eq!((report.indexed, report.unchanged), (0, 5));
    // --force re-analyzes, still no duplicates.
    let mut forced = options();
    forced.force = true;
    let (report, _) = index(&db, std::slice::from_ref(&input), &forced);
    assert_eq!(report.indexed, 5);
    // A changed article replaces the old one.
    let mut changed = articles();
    changed[4].body = "انخفضت أسعار الذهب في الأسواق.".into();
    changed.push(article(
        "t6",
        "beta",
        "2024-04-02",
        "خبر إضافي",
        "نص إضافي عن الذهب.",
    ));
    write_jsonl(&input, &changed);
    let (report, _) = index(&db, &[input], &options());
    assert_eq!((report.indexed, report.unchanged), (2, 4));
    let corpus = Corpus::open_existing(&db).unwrap();
    assert_eq!(corpus.article_count().unwrap(), 6);
    let expected: Vec<String> = (1..=6).map(|i| format!("t{i}")).collect();
    assert_eq!(corpus.ids().unwrap(), expected);
    assert_eq!(corpus.indexed_ids().unwrap(), expected);
    assert_eq!(ids(&db, q("الذهب")), ["t5", "t6"]);
    assert!(ids(&db, q("ثلاثة المئة")).is_empty());
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>افتتاح جسر جديد فوق النهر - موقع الأخبار</title>
<link rel="canonical" href="https://news.example.org/2024/bridge">
<meta property="og:site_name" content="موقع الأخبار">
<meta property="article:published_time" content="2024-05-02T07:30:00+02:00">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a></nav>
<article><h1>افتتاح جسر جديد فوق النهر</h1>
<p>افتتحت البلدية صباح اليوم جسرا جديدا فوق النهر يربط الضفتين بعد أعوام من الانتظار، وحضر الافتتاح عدد كبير من سكان المدينة الذين عبروا عن فرحتهم بالمشروع.</p>
<p>وقال رئيس البلدية إن الجسر سيختصر زمن التنقل بين الحيين إلى النصف، وإن أعمال الصيانة ستتم بانتظام كل عام لضمان سلامة المستخدمين.</p>
<p>وبلغت كلفة المشروع عدة ملايين، وشارك في بنائه مهندسون وعمال من المنطقة طوال ثلاث سنوات من العمل المتواصل في ظروف جوية صعبة أحيانا.</p>
</article>
<footer>جميع الحقوق محفوظة</footer>
</body></html>"#;

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>نشرة المدينة</title><link>https://feed.example.org/</link>
<item><title>مهرجان الكتاب يفتح أبوابه</title><link>https://feed.example.org/book</link>
<guid>feed-1</guid><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;يفتح مهرجان الكتاب أبوابه للزوار اليوم بمشاركة مئات الناشرين.&lt;/p&gt;</description></item>
<item><title>بلا نص</title><guid>feed-2</guid></item>
</channel></rss>"#;

fn warc_record(uri: &str, http: &str) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Date: 2024-05-03T12:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uri.len(),
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http.as_bytes());
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[test]
fn inputs_of_every_kind_and_malformed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir_all(inp.join("pages")).unwrap();
    let arts = articles();
    // JSON Lines with a bad line in the middle.
    let mut lines = String::new();
    lines.push_str(&serde_json::to_string(&arts[0]).unwrap());
    lines.push_str("\n{\"id\": \"broken\", \"title\": \n");
    lines.push_str(&serde_json::to_string(&arts[1]).unwrap());
    lines.push('\n');
    std::fs::write(inp.join("a.jsonl"), lines).unwrap();
    // Truncated gzip: the article before the cut survives.
    let mut gz_src = String::new();
    for a in &arts[2..4] {
        gz_src.push_str(&serde_json::to_string(a).unwrap());
        gz_src.push('\n');
    }
    // Incompressible filler, so that the cut falls after the first two articles.
    let mut x: u64 = 7;
    let filler: String = (0..20000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b'a' + (x >> 59) as u8 % 26)
        })
        .collect();
    gz_src.push_str(&format!(
        "{{\"id\": \"filler\", \"title\": \"\", \"body\": \"{filler}\"}}\n"
    ));
    let gz = gzip(gz_src.as_bytes());
    std::fs::write(inp.join("b.jsonl.gz"), &gz[..gz.len() * 2 / 3]).unwrap();
    // Headline-first text, empty file, binary file.
    std::fs::write(
        inp.join("c.txt"),
        "عنوان نصي\n\nنص المقال الأول عن الحدائق العامة.",
    )
    .unwrap();
    std::fs::write(inp.join("empty.txt"), "").unwrap();
    std::fs::write(
        inp.join("binary.txt"),
        [0u8, 159, 146, 150, 0, 1, 2, 255, 254, 0],
    )
    .unwrap();
    // HTML: a real page and a broken one.
    std::fs::write(inp.join("pages/bridge.html"), PAGE).unwrap();
    std::fs::write(
        inp.join("pages/broken.html"),
        "<html><head><title>مكسور</ti",
    )
    .unwrap();
    // Feeds: one good (one entry lacks text), one broken.
    std::fs::write(inp.join("feed.rss"), FEED).unwrap();
    std::fs::write(
        inp.join("bad.rss"),
        "<rss><channel><item><title>x</title></chan",
    )
    .unwrap();
    // WARC with one HTML response and one 404.
    let mut warc = warc_record(
        "https://warc.example.org/bridge",
        &format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}",
            PAGE.replace(
                "https://news.example.org/2024/bridge",
                "https://warc.example.org/bridge"
            )
        ),
    );
    warc.extend(warc_record(
        "https://warc.example.org/missing",
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html></html>",
    ));
    std::fs::write(inp.join("crawl.warc"), &warc).unwrap();
    std::fs::write(inp.join("crawl2.warc.gz"), gzip(&warc)).unwrap();
    // Unknown extensions inside a directory are skipped.
    std::fs::write(inp.join("notes.md"), "ignored").unwrap();

    let db = dir.path().join("db");
    let (report, rejected) = index(
        &db,
        &[inp.clone(), dir.path().join("missing.jsonl")],
        &options(),
    );
    let shown: Vec<String> = rejected.iter().map(|r| r.to_string()).collect();
    let has = |file: &str, line: Option<usize>| {
        rejected
            .iter()
            .any(|r| r.file.ends_with(file) && (line.is_none() || r.line == line))
    };
    assert!(has("a.jsonl", Some(2)), "{shown:#?}");
    assert!(has("b.jsonl.gz", None), "{shown:#?}");
    assert!(has("empty.txt", None), "{shown:#?}");
    assert!(has("binary.txt", None), "{shown:#?}");
    assert!(has("broken.html", None), "{shown:#?}");
    assert!(has("bad.rss", None), "{shown:#?}");
    assert!(has("feed.rss", Some(2)), "{shown:#?}");
    assert!(has("missing.jsonl", None), "{shown:#?}");
    assert!(
        shown.iter().any(|s| s.contains("a.jsonl:2: ")),
        "{shown:#?}"
    );
    assert_eq!(report.rejected as usize, rejected.len());

    let corpus = Corpus::open_existing(&db).unwrap();
    let ids = corpus.ids().unwrap();
    for id in [
        "t1",
        "t2",
        "t3",
        "t4",
        "feed-1",
        "https://news.example.org/2024/bridge",
        "https://warc.example.org/bridge",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    assert!(ids.iter().any(|i| i == "c"), "{ids:?}");
    assert!(!ids.iter().any(|i| i.contains("missing")));
    // The WARC page appears in both archives with one canonical id: stored once.
    assert_eq!(corpus.ids().unwrap(), corpus.indexed_ids().unwrap());

    let s = Searcher::open(&db).unwrap();
    let r = s.search(&q("الجسر")).unwrap();
    let page = r
        .hits
        .iter()
        .find(|h| h.id == "https://news.example.org/2024/bridge")
        .unwrap();
    assert!(page.title.contains("افتتاح جسر جديد"), "{}", page.title);
    assert_eq!(page.date.as_deref(), Some("2024-05-02T07:30:00"));
    assert_eq!(page.source.as_deref(), Some("موقع الأخبار"));
    let body: String = corpus
        .analysis_json("https://news.example.org/2024/bridge")
        .unwrap()
        .unwrap();
    assert!(!body.contains("جميع الحقوق محفوظة"), "boilerplate kept");
    let r = s.search(&q("مهرجان الكتاب")).unwrap();
    assert_eq!(r.hits[0].id, "feed-1");
    assert_eq!(r.hits[0].date.as_deref(), Some("2024-05-06T10:00:00"));
    assert_eq!(r.hits[0].source.as_deref(), Some("نشرة المدينة"));
}

#[test]
fn store_is_versioned() {
    let dir = indexed_corpus();
    let db = dir.path().join("db");
    let conn = rusqlite::Connection::open(db.join("khabar.sqlite")).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, khabar_corpus::SCHEMA_VERSION);
    // An index built with another analyzer is refused, not silently mis-searched.
    conn.execute(
        "UPDATE meta SET value = 'khabar_ar/0' WHERE key = 'analyzer'",
        [],
    )
    .unwrap();
    drop(conn);
    let err = Corpus::open_existing(&db).err().unwrap().to_string();
    assert!(err.contains("khabar_ar/0"), "{err}");
    assert!(Searcher::open(&db).is_err());
}

/// Search ids in rank order.
fn ranked(db: &Path, query: &str) -> Vec<String> {
    let s = Searcher::open(db).unwrap();
    s.search(&q(query))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn lead_and_adjacent_words_rank_first() {
    // Same words and lengths in each pair of articles: plain BM25 ties them (and breaks the
    // tie by index order, so the better article is indexed second).
    let filler = "تحدث السكان عن الطقس البارد هذا الأسبوع وعن المطر. ".repeat(8);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    write_jsonl(
        &input,
        &[
            // The query words adjacent (p1) or apart (p2), both far from the lead.
            article(
                "p2",
                "a",
                "2024-01-01",
                "ب",
                &format!("{filler} اجتمع مجلس مساء الأمن."),
            ),
            article(
                "p1",
                "a",
                "2024-01-01",
                "أ",
                &format!("{filler} اجتمع مجلس الأمن مساء."),
            ),
            // The query words in the lead (l1) or at the end (l2).
            article(
                "l2",
                "a",
                "2024-01-01",
                "د",
                &format!("{filler} ارتفعت صادرات القمح."),
            ),
            article(
                "l1",
                "a",
                "2024-01-01",
                "ج",
                &format!("ارتفعت صادرات القمح. {filler}"),
            ),
        ],
    );
    let (report, rejected) = index(&dir.path().join("db"), &[input], &options());
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(report.indexed, 4);
    let db = dir.path().join("db");
    assert_eq!(ranked(&db, "مجلس الأمن"), ["p1", "p2"]);
    assert_eq!(ranked(&db, "صادرات القمح"), ["l1", "l2"]);
}

#[test]
fn stats_separate_named_speakers_from_unnamed_sources() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    write_jsonl(
        &input,
        &[
            article(
                "s1",
                "a",
                "2024-05-01",
                "تقرير",
                "أفاد التقرير بأن المبيعات تراجعت.",
            ),
            article(
                "s2",
                "a",
                "2024-05-02",
                "تقرير آخر",
                "أفاد التقرير بأن الصادرات زادت.",
            ),
            article(
                "s3",
                "a",
                "2024-05-03",
                "تصريح",
                "وقال محمد العلي إن الاجتماع كان مثمرا.",
            ),
        ],
    );
    let (_, rejected) = index(&dir.path().join("db"), &[input], &options());
    assert!(rejected.is_empty(), "{rejected:?}");
    let corpus = Corpus::open_existing(dir.path().join("db")).unwrap();
    let s = khabar_corpus::stats(&corpus, 10).unwrap();
    assert_eq!(s.quotes, 3);
    let named: Vec<(&str, u64)> = s
        .top_speakers
        .iter()
        .map(|c| (c.name.as_str(), c.count))
        .collect();
    assert_eq!(named, [("محمد العلي", 1)]);
    let unnamed: Vec<(&str, u64, u64)> = s
        .top_unnamed_speakers
        .iter()
        .map(|c| (c.name.as_str(), c.count, c.articles))
        .collect();
    assert_eq!(unnamed, [("التقرير", 2, 2)]);
}

#[test]
fn records_from_memory_are_indexed_like_a_file_and_rejections_keep_their_place() {
    use khabar_ingest::{Record, Rejected};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut records: Vec<Record> = articles().into_iter().map(Record::Article).collect();
    records.insert(
        2,
        Record::Rejected(Rejected {
            file: "<records>".into(),
            line: Some(3),
            reason: "missing body".into(),
        }),
    );
    let mut corpus = Corpus::open(&db).unwrap();
    let mut rejected = Vec::new();
    let report =
        khabar_corpus::index_records(&mut corpus, records.into_iter(), &options(), &mut |r| {
            rejected.push(r.to_string())
        })
        .unwrap();
    drop(corpus);
    assert_eq!((report.indexed, report.rejected, report.files), (5, 1, 0));
    assert_eq!(rejected, ["<records>:3: missing body"]);
    // The same search answers as for the file-indexed corpus.
    assert_eq!(ids(&db, q("القوات")), ["t1", "t2"]);
    // Again: nothing changed, nothing re-analyzed.
    let mut corpus = Corpus::open(&db).unwrap();
    let again = khabar_corpus::index_records(
        &mut corpus,
        articles().into_iter().map(Record::Article),
        &options(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((again.indexed, again.unchanged), (0, 5));
}

#[test]
fn snippets_come_from_the_lead_or_from_further_on() {
    use khabar_ingest::Record;
    let filler = "وتواصلت الاجتماعات في القاعة الكبرى طوال اليوم بحضور الوفود. ".repeat(12);
    let late = article(
        "late",
        "Alpha",
        "2024-03-01",
        "اجتماعات متواصلة",
        &format!("{filler}وفي الختام أعلن المنظمون عن جائزة للمخترعين الشباب."),
    );
    let early = article(
        "early",
        "Alpha",
        "2024-03-01",
        "جائزة جديدة",
        &format!("أعلن المنظمون عن جائزة للمخترعين الشباب. {filler}"),
    );
    assert!(late.body.chars().count() > 600);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut corpus = Corpus::open(&db).unwrap();
    khabar_corpus::index_records(
        &mut corpus,
        [late, early].into_iter().map(Record::Article),
        &options(),
        &mut |r| panic!("{r}"),
    )
    .unwrap();
    drop(corpus);
    let s = Searcher::open(&db).unwrap();
    let hits = s.search(&q("للمخترعين")).unwrap().hits;
    assert_eq!(hits.len(), 2);
    for h in &hits {
        // The match is highlighted whether it stands in the lead or 700 chars in.
        assert!(h.snippet.contains("<b>"), "{}: {}", h.id, h.snippet);
        assert!(!h.highlights.is_empty());
    }
}
