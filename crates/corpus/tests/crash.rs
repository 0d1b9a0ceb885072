//! Crash safety: a child process indexing is killed with SIGKILL between commits; a second
//! run completes the corpus with nothing lost and nothing duplicated.

mod common;

use common::*;
use khabar_corpus::Corpus;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "KHABAR_CORPUS_CRASH_CHILD";
const N: usize = 240;

fn inputs(dir: &std::path::Path) -> Vec<PathBuf> {
    let base = articles();
    let many: Vec<_> = (0..N)
        .map(|i| {
            let mut a = base[i % base.len()].clone();
            a.id = format!("crash-{i:04}");
            a.body = format!("{} رقم {i}.", a.body);
            a
        })
        .collect();
    // Two inputs, so the resumed run also crosses a file boundary.
    let (a, b) = many.split_at(N / 2);
    let pa = dir.join("a.jsonl");
    let pb = dir.join("b.jsonl");
    write_jsonl(&pa, a);
    write_jsonl(&pb, b);
    vec![pa, pb]
}

/// The child: indexes slowly (small batches, a pause after each commit) until killed.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let mut opts = options();
    opts.batch_size = 8;
    opts.commit_pause = Some(Duration::from_millis(40));
    index(
        &dir.join("db"),
        &[dir.join("a.jsonl"), dir.join("b.jsonl")],
        &opts,
    );
}

#[test]
fn killed_mid_index_then_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let db = dir.path().join("db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then kill -9.
    let start = Instant::now();
    let mut committed = 0;
    while start.elapsed() < Duration::from_secs(60) {
        if db.join("khabar.sqlite").exists() {
            if let Ok(c) = Corpus::open_existing(&db).and_then(|c| c.article_count()) {
                committed = c;
                if c >= 40 {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(committed >= 40, "child committed only {committed}");

    // After the kill: whatever SQLite committed is in the index, nothing twice.
    let corpus = Corpus::open_existing(&db).unwrap();
    let stored = corpus.ids().unwrap();
    let indexed = corpus.indexed_ids().unwrap();
    assert!(
        (stored.len() as u64) >= committed && stored.len() < N,
        "{}",
        stored.len()
    );
    let mut dedup = indexed.clone();
    dedup.dedup();
    assert_eq!(dedup, indexed, "duplicates in the index after the kill");
    assert!(stored.iter().all(|id| indexed.binary_search(id).is_ok()));
    drop(corpus);

    // Resume: everything is there exactly once; committed articles are not redone.
    let mut opts = options();
    opts.batch_size = 64;
    let (report, rejected) = index(&db, &files, &opts);
    assert!(rejected.is_empty());
    assert_eq!(report.articles, N as u64);
    assert!(report.unchanged >= stored.len() as u64, "{report:?}");
    let corpus = Corpus::open_existing(&db).unwrap();
    let expected: Vec<String> = (0..N).map(|i| format!("crash-{i:04}")).collect();
    assert_eq!(corpus.ids().unwrap(), expected);
    assert_eq!(corpus.indexed_ids().unwrap(), expected);
    assert_eq!(corpus.article_count().unwrap(), N as u64);
    assert_eq!(corpus.indexed_count().unwrap(), N as u64);

    // A third run changes nothing.
    let (report, _) = index(&db, &files, &options());
    assert_eq!((report.indexed, report.unchanged), (0, N as u64));
    assert_eq!(
        Corpus::open_existing(&db).unwrap().indexed_ids().unwrap(),
        expected
    );
}
