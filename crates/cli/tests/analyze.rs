//! End-to-end tests of `khabar analyze` and `khabar quotes` on the shipped examples and the
//! shared seed article.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/examples/seed-article.txt"
);
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/article.txt");
const WIRE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/wire.jsonl");

fn khabar(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .output()
        .expect("run khabar")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// The segments of the first token whose text (in the original) is `surface`.
fn segments_of(doc: &Value, surface: &str) -> Vec<String> {
    let chars: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let tok = doc["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            let (s, e) = (
                t["start"].as_u64().unwrap() as usize,
                t["end"].as_u64().unwrap() as usize,
            );
            chars[s..e].iter().collect::<String>() == surface
        })
        .unwrap_or_else(|| panic!("no token {surface}"));
    tok["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn seed_article_sentences_and_segments() {
    let doc = stdout_json(&khabar(&["analyze", "--tokens", SEED]));
    assert_eq!(doc["schema"], "khabar.analysis/1");
    let text = doc["text"].as_str().unwrap();
    assert!(text.starts_with("مجنّد طاجيكي في داعش"));
    assert!(!text.contains(".,"), "paragraph glue restored");
    let n = doc["sentences"].as_array().unwrap().len();
    assert!((22..=34).contains(&n), "{n} sentences");
    assert_eq!(segments_of(&doc, "لقوات"), ["ل", "قوات"]);
    assert_eq!(segments_of(&doc, "لداعش"), ["ل", "داعش"]);
    assert_eq!(segments_of(&doc, "والتدريب"), ["و", "ال", "تدريب"]);
    for name in ["الباغوز", "الموصل"] {
        let s = segments_of(&doc, name);
        let bare = name.strip_prefix("ال").unwrap();
        assert!(s == [name] || s == ["ال", bare], "{name}: {s:?}");
    }
    // الرقة occurs only as والرقة: و comes off, the name stays whole (or loses only ال)
    let s = segments_of(&doc, "والرقة");
    assert!(s == ["و", "الرقة"] || s == ["و", "ال", "رقة"], "{s:?}");
    assert_eq!(segments_of(&doc, "وبيجي"), ["و", "بيجي"]);
    // every sentence span maps onto the text and no two overlap
    let chars: Vec<char> = text.chars().collect();
    let mut last = 0;
    for s in doc["sentences"].as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert!(a >= last && a < b && b <= chars.len());
        last = b;
    }
}

#[test]
fn quoted_ellipsis_does_not_split_the_seed_quote() {
    let doc = stdout_json(&khabar(&["analyze", SEED]));
    let chars: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let sentences: Vec<String> = doc["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            chars[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize]
                .iter()
                .collect()
        })
        .collect();
    let quote = sentences
        .iter()
        .find(|s| s.contains("سجنت ثلاث مرات"))
        .unwrap();
    assert!(quote.contains("دولة الخلافة"), "{quote}");
}

#[test]
fn example_article_pretty_view() {
    let out = khabar(&["analyze", "--format", "pretty", "--tokens", EXAMPLE]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("  1. وزير الطاقة الأردني"));
    assert!(s.contains("و+قال"), "segmented tokens shown");
    let keywords = s
        .lines()
        .find(|l| l.starts_with("Keywords: "))
        .expect("keywords shown");
    assert!(keywords.contains("الكهرباء"), "{keywords}");
    let summary = s.split("\nSummary:\n").nth(1).expect("summary shown");
    assert!(
        summary
            .lines()
            .next()
            .is_some_and(|l| l.trim_start().starts_with("2. ")),
        "the lead sentence first: {summary}"
    );
}

/// The README's first command (`cargo run --release -p khabar-cli -- ARGS`), run with this
/// build's binary from the repository root: it must still parse and print the article.
#[test]
fn readme_first_command_still_works() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let prefix = "cargo run --release -p khabar-cli -- ";
    let line = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .expect("the README gives the build-and-analyze command");
    let args: Vec<&str> = line.split_whitespace().collect();
    let out = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(&args)
        .current_dir(root)
        .output()
        .expect("run khabar");
    assert!(
        out.status.success(),
        "`khabar {line}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("Entities:") && s.contains("سامر الخطيب"), "{s}");
    assert!(
        readme.contains("\n.ci/test\n"),
        "the README gives the test command"
    );
    let ci = std::fs::read_to_string(format!("{root}/.ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == ".ci/test"),
        ".ci/run runs the README's test command"
    );
    let test = std::fs::read_to_string(format!("{root}/.ci/test")).unwrap();
    for step in ["cargo test --workspace", "-m pytest"] {
        assert!(
            test.lines().any(|l| l.contains(step)),
            ".ci/test runs `{step}`"
        );
    }
}

#[test]
fn jsonl_with_a_bad_line_keeps_the_good_ones() {
    let out = khabar(&["analyze", WIRE]);
    assert!(
        out.status.success(),
        "bad records do not fail without --strict"
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ex-1", "ex-2", "ex-4"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("wire.jsonl:3:"),
        "names file and line: {stderr}"
    );
    assert!(stderr.contains("1 record(s) rejected"), "{stderr}");

    let strict = khabar(&["analyze", "--strict", WIRE]);
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(String::from_utf8(strict.stdout).unwrap().lines().count(), 3);
}

#[test]
fn unreadable_inputs_are_clear_errors() {
    let out = khabar(&["analyze", "/nonexistent/news.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("/nonexistent/news.jsonl"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");

    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("blob.txt");
    std::fs::write(&bin, [0u8, 1, 2, 0xff, 0, 0, 7, 0].repeat(100)).unwrap();
    let out = khabar(&["analyze", bin.to_str().unwrap()]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("blob.txt"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn stdin_windows_1256() {
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1256.encode("عنوان الخبر\nقال المتحدث إن الاجتماع انتهى.");
    let mut child = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(["analyze", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let doc = stdout_json(&out);
    assert_eq!(doc["title"], "عنوان الخبر");
    assert!(String::from_utf8_lossy(&out.stderr).contains("windows-1256"));
}

#[test]
fn quotes_command_on_the_seed() {
    let out = khabar(&["quotes", "--format", "json", SEED]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let quotes = v["quotes"].as_array().unwrap();
    assert_eq!(quotes.len(), 16);
    let nazarov = quotes
        .iter()
        .filter(|q| q["speaker"]["text"] == "عبد الأحد رستم نزاروف")
        .count();
    assert_eq!(nazarov, 15);

    let pretty = khabar(&["quotes", EXAMPLE]);
    let s = String::from_utf8(pretty.stdout).unwrap();
    assert!(s.contains("سامر الخطيب"), "{s}");
    assert!(
        s.contains("«لن نحمّل المواطن أعباء جديدة.. سنبحث عن مصادر تمويل أخرى»"),
        "{s}"
    );
}

#[test]
fn seed_entities_and_quantities_fill_the_json() {
    let doc = stdout_json(&khabar(&["analyze", SEED]));
    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let entities = doc["entities"].as_array().unwrap();
    assert!(!entities.is_empty());
    for e in entities {
        let (s, t) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[s..t].iter().collect::<String>(),
            e["text"].as_str().unwrap()
        );
    }
    assert!(entities
        .iter()
        .any(|e| e["text"] == "عبد الأحد رستم نزاروف" && e["label"] == "PER"));
    let quantities = doc["quantities"].as_array().unwrap();
    assert!(quantities
        .iter()
        .any(|q| q["kind"] == "age" && q["value"] == 28));
    assert!(quantities
        .iter()
        .any(|q| q["value"] == 60000 && q["approx"] == true));
}

#[test]
fn bench_layers_reports_each_layer() {
    let out = khabar(&["bench", "layers", WIRE, "--rounds", "1"]);
    assert!(out.status.success());
    let last = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(v["articles"], 3);
    assert!(v["quotes"].as_u64().unwrap() >= 2, "{v}");
    let share = v["extract_share_of_analysis"].as_f64().unwrap();
    assert!(share > 0.0 && share < v["extract_share_of_text"].as_f64().unwrap());
}

#[test]
fn bench_ner_times_both_passes_and_reports_bad_lines_once() {
    let wire = std::fs::read_to_string(WIRE).unwrap();
    let lines: Vec<&str> = wire.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("half.jsonl");
    let body = format!("{}\n{{\"title\": \"نصف سطر\n{}\n", lines[0], lines[1]);
    std::fs::write(&path, body).unwrap();
    let out = khabar(&["bench", "ner", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("half.jsonl:2").count(), 1, "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["articles"], 2, "{v}");
    assert!(v["tokens"].as_u64().unwrap() > 20, "{v}");
    for key in [
        "tokens_per_s",
        "seconds",
        "peak_rss_mb",
        "linear_only_tokens_per_s",
    ] {
        assert!(v[key].as_f64().unwrap() > 0.0, "{key}: {v}");
    }
    assert!(v["entities"].as_u64().unwrap() >= 1, "{v}");
    assert!(v["linear_only_entities"].as_u64().is_some(), "{v}");
}

#[test]
fn tag_decodes_its_input_like_analyze() {
    let text = "قال المتحدث باسم وزارة الخارجية في القاهرة إن الوفد وصل.";
    let tag_json = |path: &std::path::Path| {
        let out = khabar(&["tag", "--format", "json", path.to_str().unwrap()]);
        let doc = stdout_json(&out);
        let mut ents: Vec<String> = doc["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["label"], e["text"]))
            .collect();
        ents.sort();
        ents
    };
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.txt");
    std::fs::write(&utf8, text).unwrap();
    let want = tag_json(&utf8);
    assert!(want.iter().any(|e| e.contains("القاهرة")), "{want:?}");
    // UTF-16 with a BOM and Windows-1256 give the same entities.
    let utf16 = dir.path().join("utf16.txt");
    let mut b = vec![0xFF, 0xFE];
    b.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    std::fs::write(&utf16, b).unwrap();
    assert_eq!(tag_json(&utf16), want);
    let cp1256 = dir.path().join("cp1256.txt");
    std::fs::write(&cp1256, encoding_rs::WINDOWS_1256.encode(text).0).unwrap();
    assert_eq!(tag_json(&cp1256), want);
    // Binary input: one clear line naming the file, nothing on stdout.
    let bin = dir.path().join("blob.txt");
    std::fs::write(&bin, [0u8, 1, 2, 0xff, 0, 0, 7, 0].repeat(100)).unwrap();
    for format in ["json", "conll"] {
        let out = khabar(&["tag", "--format", format, bin.to_str().unwrap()]);
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("blob.txt") && stderr.contains("undecodable"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn eval_entities_skips_bad_gold_lines_and_scores_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let news = dir.path().join("news.jsonl");
    let mut n = "{\"id\": \"t/1\", \"title\": \"زيارة\", \"body\": \"وصل وزير الخارجية سامح شكري إلى القاهرة أمس.\"}\n"
        .as_bytes()
        .to_vec();
    n.extend_from_slice(b"\xff\n");
    std::fs::write(&news, n).unwrap();
    let gold = dir.path().join("gold.jsonl");
    let mut g = "{\"id\": \"t/1\", \"entities\": [{\"text\": \"القاهرة\", \"label\": \"LOC\"}]}\n{\"id\": \"t/2\", \"entit\n"
        .as_bytes()
        .to_vec();
    g.extend_from_slice(b"\xd3\xda\xed\xcf\n");
    std::fs::write(&gold, g).unwrap();
    let out = khabar(&[
        "eval",
        "entities",
        "--gold",
        gold.to_str().unwrap(),
        "--news",
        news.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("gold.jsonl:2: skipped"), "{stderr}");
    assert!(
        stderr.contains("gold.jsonl:3: skipped: invalid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("news.jsonl:2: skipped: invalid UTF-8"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let loc = stdout.lines().find(|l| l.starts_with("LOC")).unwrap();
    assert!(loc.trim_end().ends_with('1'), "{stdout}");
}
