//! Prints the quotations and quantities of a headline-first text file (or of the seed).
use khabar_analysis::Document;
use khabar_ingest::{restore_paragraphs, Article};
fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/examples/seed-article.txt").into());
    let raw = std::fs::read_to_string(path).expect("read");
    let (title, body) = raw.split_once('\n').unwrap_or((&raw, ""));
    let art = Article { id: "x".into(), title: title.into(), body: restore_paragraphs(body).into_owned(), date: std::env::args().nth(2), ..Default::default() };
    let doc = Document::from_article(&art);
    for q in khabar_extract::extract_quotes(&doc) {
        println!("{:?} cue=[{}] spk=[{}] mention=[{}]\n    {}", q.kind, q.cue.text, q.speaker.text, q.speaker.mention.map(|m| m.text).unwrap_or_default(), q.content.text);
    }
    for q in khabar_extract::extract_quantities(&doc) {
        println!("{} [{}] {} {:?} {:?}", q.kind, q.text, q.value, q.unit, q.approx);
    }
}
