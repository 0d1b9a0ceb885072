//! `open("-")` reads standard input. The test re-runs this test binary as a child process
//! with a helper test that reads its stdin, because a test cannot replace its own stdin.

use std::io::Write;
use std::process::{Command, Stdio};

use khabar_ingest::{open, Record};

const HELPER_ENV: &str = "KHABAR_INGEST_STDIN_HELPER";

/// Does nothing unless started by [`read_stdin`]; then prints one summary line per record,
/// marked with `@@` because libtest's own output shares the lines.
#[test]
#[ignore = "helper, run as a child process by the other tests of this file"]
fn stdin_helper() {
    assert!(
        std::env::var_os(HELPER_ENV).is_some(),
        "only meant to be started by read_stdin"
    );
    let mut reader = open("-").unwrap();
    for record in reader.by_ref() {
        match record {
            Record::Article(a) => println!(
                "@@ARTICLE {} | {} | {}",
                a.id,
                a.title,
                a.body.replace('\n', "\\n")
            ),
            Record::Rejected(r) => println!("@@REJECTED {r}"),
        }
    }
    let report = reader.report();
    println!(
        "@@REPORT {} {} {} {}",
        report.file,
        report.encoding.map_or("none".to_owned(), |e| e.to_string()),
        report.articles,
        report.rejected
    );
}

fn read_stdin(input: &[u8]) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "stdin_helper", "--nocapture"])
        .env(HELPER_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once("@@").map(|(_, ours)| ours.to_owned()))
        .collect()
}

#[test]
fn jsonl_from_stdin() {
    let input = "\n{\"id\":\"s1\",\"title\":\"عنوان\",\"body\":\"نص\"}\n{bad\n{\"title\":\"ثان\",\"text\":\"نص ثان\"}\n";
    assert_eq!(
        read_stdin(input.as_bytes()),
        [
            "ARTICLE s1 | عنوان | نص",
            "REJECTED <stdin>:3: invalid JSON: key must be a string at column 2",
            "ARTICLE stdin:4 | ثان | نص ثان",
            "REPORT <stdin> utf-8 2 1",
        ]
    );
}

#[test]
fn gzip_from_stdin() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all("{\"id\":7,\"title\":\"مضغوط\",\"body\":\"نص مضغوط\"}\n".as_bytes())
        .unwrap();
    assert_eq!(
        read_stdin(&encoder.finish().unwrap()),
        ["ARTICLE 7 | مضغوط | نص مضغوط", "REPORT <stdin> utf-8 1 0"]
    );
}

#[test]
fn windows_1256_text_from_stdin() {
    let text = "خبر من المدخل القياسي\r\n\r\nالفقرة الأولى., الفقرة الثانية.";
    let bytes = encoding_rs::WINDOWS_1256.encode(text).0.into_owned();
    assert_eq!(
        read_stdin(&bytes),
        [
            "ARTICLE stdin | خبر من المدخل القياسي | الفقرة الأولى.\\nالفقرة الثانية.",
            "REPORT <stdin> windows-1256 1 0",
        ]
    );
}
