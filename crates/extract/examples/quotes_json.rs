//! Prints the quotations and quantities of a headline-first text file as JSON:
//! `cargo run -p khabar-extract --example quotes_json -- FILE [DATE]`.
use khabar_analysis::Document;
use khabar_ingest::{restore_paragraphs, Article};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: quotes_json FILE [DATE]");
    let raw = std::fs::read_to_string(path).expect("read");
    let (title, body) = raw.split_once('\n').unwrap_or((&raw, ""));
    let art = Article {
        id: "x".into(),
        title: title.into(),
        body: restore_paragraphs(body).into_owned(),
        date: std::env::args().nth(2),
        ..Default::default()
    };
    let doc = Document::from_article(&art);
    let out = serde_json::json!({
        "quotes": khabar_extract::extract_quotes(&doc),
        "quantities": khabar_extract::extract_quantities(&doc),
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
