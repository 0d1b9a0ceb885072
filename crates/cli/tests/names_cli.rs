//! `khabar names match` and `khabar names cluster` end to end (names written for this test).

use std::io::Write;
use std::process::{Command, Stdio};

fn khabar(args: &[&str], stdin: &str) -> (String, String, bool) {
    khabar_bytes(args, stdin.as_bytes())
}

fn khabar_bytes(args: &[&str], stdin: &[u8]) -> (String, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run khabar");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn match_prints_score_and_verdict() {
    let (out, _, ok) = khabar(&["names", "match", "جون كيري", "كيرى"], "");
    assert!(ok);
    assert!(out.trim_end().ends_with("\tsame"), "{out}");
    let (out, _, ok) = khabar(&["names", "match", "حسن", "حسين"], "");
    assert!(ok);
    assert!(out.trim_end().ends_with("\tdifferent"), "{out}");
}

#[test]
fn cluster_streams_in_input_order() {
    let input = "أنجيلا ميركل\nحسن\n\nميركيل\nحسين\nعبد الله\nعبدالله\n";
    let (out, err, ok) = khabar(&["names", "cluster", "-"], input);
    assert!(ok, "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows,
        [
            "أنجيلا ميركل\t1",
            "حسن\t2",
            "ميركيل\t1",
            "حسين\t5",
            "عبد الله\t6",
            "عبدالله\t6",
        ]
    );
    assert!(err.contains("<stdin>:3: empty name"), "{err}");
}

#[test]
fn cluster_missing_file_is_an_error() {
    let (_, err, ok) = khabar(&["names", "cluster", "/nonexistent/names.txt"], "");
    assert!(!ok);
    assert!(err.contains("cannot open"), "{err}");
}

#[test]
fn cluster_reports_lines_that_are_not_names_and_keeps_the_rest() {
    // Windows-1256 bytes, a tab inside a name, and a cut JSON line among good names.
    let mut input = "سعيد\n".as_bytes().to_vec();
    input.extend_from_slice(b"\xd3\xda\xed\xcf\n");
    input.extend_from_slice("حسن\tعلي\n{\"name\": \"سع\n سعيد\n".as_bytes());
    let (out, err, ok) = khabar_bytes(&["names", "cluster", "-"], &input);
    assert!(ok, "{err}");
    assert!(err.contains("<stdin>:2: not valid UTF-8"), "{err}");
    assert!(err.contains("<stdin>:3: a tab inside the name"), "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[0], "سعيد\t1");
    assert!(rows[1].ends_with("\t4"), "{out}");
    assert!(rows[2].ends_with("\t1"), "{out}");
}
