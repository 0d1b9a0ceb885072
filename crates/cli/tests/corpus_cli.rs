//! `khabar index|search|stats` end to end, on articles written for this test.

use std::process::Command;

fn khabar(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .output()
        .expect("run khabar");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn index_search_stats() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id":"a1","source":"alpha","date":"2024-03-01","title":"انسحاب لقوات حفظ السلام","body":"أعلنت الأمم المتحدة انسحابا لقوات حفظ السلام من المنطقة."}"#,
            "\n{\"id\": broken\n",
            r#"{"id":"a2","source":"beta","date":"05/03/2024","title":"ارتفاع أسعار النفط","body":"ارتفعت أسعار النفط في الأسواق العالمية."}"#,
            "\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("db");
    let (db, input) = (db.to_str().unwrap(), input.to_str().unwrap());

    let (code, _, err) = khabar(&["index", "--db", db, input]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("news.jsonl:2: "), "{err}");
    let (code, _, _) = khabar(&["index", "--db", db, input, "--strict"]);
    assert_eq!(code, 1);

    let (code, out, err) = khabar(&["search", "--db", db, "القوات", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "a1");
    assert_eq!(v["hits"][0]["date"], "2024-03-01");

    let (_, out, _) = khabar(&[
        "search",
        "--db",
        db,
        "النفط",
        "--source",
        "alpha",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 0);

    let queries = dir.path().join("q.txt");
    std::fs::write(&queries, "القوات\n\nالنفط\n").unwrap();
    let (code, out, _) = khabar(&["search", "--db", db, "--queries", queries.to_str().unwrap()]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["hits"][0]["id"], "a2");

    // A line that is not UTF-8 is reported with its number; the queries around it still run.
    let mut bad = "القوات\n".as_bytes().to_vec();
    bad.extend_from_slice(b"\xff\xfe\x00 \xc3\n");
    bad.extend_from_slice("النفط\n".as_bytes());
    std::fs::write(&queries, bad).unwrap();
    let (code, out, err) = khabar(&["search", "--db", db, "--queries", queries.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("q.txt:2: query is not valid UTF-8"), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query"], "القوات");
    assert_eq!(lines[1]["hits"][0]["id"], "a2");

    let (code, out, _) = khabar(&["search", "--db", db, "\"حفظ السلام\""]);
    assert_eq!(code, 0);
    assert!(out.starts_with("1 results"), "{out}");

    let (code, out, _) = khabar(&["stats", "--db", db, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["articles"], 2);
    assert_eq!(v["days"][0]["name"], "2024-03-01");
    let (code, out, _) = khabar(&["stats", "--db", db]);
    assert_eq!(code, 0);
    assert!(out.contains("articles per source"), "{out}");

    let (code, _, err) = khabar(&[
        "search",
        "--db",
        dir.path().join("none").to_str().unwrap(),
        "x",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn entities_entity_and_said_across_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id":"o1","source":"alpha","date":"2024-03-01","title":"زيارة إلى برلين","body":"وصل الرئيس الأمريكي باراك أوباما إلى برلين أمس. وقال أوباما إن ألمانيا شريك مهم للولايات المتحدة في التجارة."}"#,
            "\n",
            r#"{"id":"o2","source":"beta","date":"2024-03-04","title":"قمة اقتصادية","body":"أكد الرئيس الأمريكي باراك اوباما أن الاقتصاد العالمي يتعافى ببطء. وقال اوباما إن ألمانيا تقود أوروبا في هذا المجال."}"#,
            "\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("db");
    let (db, input) = (db.to_str().unwrap(), input.to_str().unwrap());
    let (code, _, err) = khabar(&["index", "--db", db, input]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = khabar(&["entities", "--db", db, "--type", "PER", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let obama = lines
        .iter()
        .find(|e| e["name"].as_str().is_some_and(|n| n.starts_with("باراك")))
        .unwrap_or_else(|| panic!("no باراك أوباما in {out}"));
    for key in [
        "id", "name", "type", "variants", "articles", "first", "last",
    ] {
        assert!(obama.get(key).is_some(), "{key} missing: {obama}");
    }
    assert_eq!(obama["type"], "PER");
    assert_eq!(obama["articles"], 2, "both spellings, one entity: {obama}");
    assert_eq!(
        obama["first"].as_str().map(|d| &d[..10]),
        Some("2024-03-01")
    );
    let id = obama["id"].as_u64().unwrap().to_string();

    let (code, out, err) = khabar(&["entity", "--db", db, "باراك اوباما", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["id"].as_u64().unwrap().to_string(), id);
    assert_eq!(p["days"].as_array().map(Vec::len), Some(2));
    let (code, out, _) = khabar(&["entity", "--db", db, &id]);
    assert_eq!(code, 0);
    assert!(out.contains("spellings:"), "{out}");

    let (code, out, err) = khabar(&[
        "said",
        "--db",
        db,
        "--speaker",
        "أوباما",
        "--about",
        "ألمانيا",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["speaker"]["id"].as_u64().unwrap().to_string(), id);
    assert!(r["total"].as_u64().unwrap() >= 1, "{r}");
    for q in r["quotes"].as_array().unwrap() {
        for key in ["article", "date", "source", "kind", "cue", "content"] {
            assert!(q.get(key).is_some(), "{key} missing: {q}");
        }
        assert!(q["content"].as_str().unwrap().contains("ألمانيا"));
    }

    for (args, needle) in [
        (vec!["said", "--db", db, "--speaker", "لا أحد"], "no entity"),
        (
            vec!["said", "--db", db, "--speaker", &id, "--from", "أمس"],
            "not a date",
        ),
        (vec!["entities", "--db", db, "--type", "PLACE"], "--type"),
        (vec!["entity", "--db", db, " "], "empty"),
        (vec!["entities", "--db", input], "no corpus"),
    ] {
        let (code, _, err) = khabar(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn stories_story_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    let dam = "افتتح وزير المياه سد وادي الرمال الجديد في محافظة الشمال بطاقة تخزين تبلغ أربعين مليون متر مكعب، ويهدف السد إلى حماية القرى من السيول وتغذية الآبار الجوفية. وقال الوزير إن تكلفة السد بلغت مئتين وخمسين مليون ريال.";
    let line = |id: &str, source: &str, date: &str, title: &str, body: &str| {
        serde_json::json!({"id": id, "source": source, "date": date, "title": title, "body": body})
            .to_string()
    };
    let text = [
        line("s1", "alpha", "2015-08-01 09:00:00", "افتتاح سد وادي الرمال", dam),
        line("s2", "beta", "2015-08-01 12:00:00", "سد جديد في الشمال", dam),
        line("s3", "gamma", "2015-08-01 13:00:00", "النجوم يهزم الساحل بثلاثية", "فاز نادي النجوم على ضيفه نادي الساحل بثلاثة أهداف مقابل هدف في المباراة التي جمعتهما مساء أمس على ملعب المدينة الرياضية."),
    ]
    .join("\n");
    std::fs::write(&input, text).unwrap();
    let db = dir.path().join("db");
    let (db, input) = (db.to_str().unwrap(), input.to_str().unwrap());
    let (code, _, err) = khabar(&["index", "--db", db, input]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("stories: 3 articles in 2 stories"), "{err}");

    // the NDJSON contract: one story a line
    let (code, out, err) = khabar(&["stories", "--db", db, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let stories: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(stories.len(), 1, "min size 2 by default: {out}");
    let s = &stories[0];
    for key in [
        "id", "title", "articles", "sources", "first", "last", "keywords", "summary",
    ] {
        assert!(s.get(key).is_some(), "{key} missing in {s}");
    }
    assert_eq!(s["articles"], serde_json::json!(["s1", "s2"]));
    assert_eq!(s["sources"][0]["source"], "alpha");
    let id = s["id"].as_i64().unwrap().to_string();

    let (code, out, err) = khabar(&["story", "--db", db, &id]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(copy of s1)") && out.contains("سد"), "{out}");
    let (code, out, _) = khabar(&["story", "--db", db, &id, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["articles"][1]["duplicate_of"], "s1");

    let (code, out, _) = khabar(&["duplicates", "--db", db, "--format", "json"]);
    assert_eq!(code, 0);
    let g: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(g["articles"].as_array().unwrap().len(), 2);

    // search hits carry their story
    let (_, out, _) = khabar(&["search", "--db", db, "سد", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"][0]["story"].as_i64().unwrap().to_string(), id);

    // errors: unknown story, bad date, missing corpus
    let (code, _, err) = khabar(&["story", "--db", db, "42"]);
    assert_eq!(code, 2);
    assert!(err.contains("no story 42"), "{err}");
    let (code, _, err) = khabar(&["stories", "--db", db, "--from", "قريبا"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a date"), "{err}");
    let missing = dir.path().join("nothing");
    let (code, _, err) = khabar(&["stories", "--db", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no corpus here"), "{err}");
}
