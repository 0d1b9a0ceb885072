use khabar_analysis::Document;
use khabar_ingest::{restore_paragraphs, Article};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let raw = std::fs::read_to_string(path).unwrap();
    let (title, body) = raw.split_once('\n').unwrap();
    let art = Article { id: "seed".into(), title: title.into(), body: restore_paragraphs(body).into_owned(), ..Default::default() };
    let doc = Document::from_article(&art);
    for (i, s) in doc.sentences.iter().enumerate() {
        println!("S{i} [{}..{}] {}", s.start, s.end, doc.slice(s.start, s.end));
    }
    for t in &doc.tokens {
        let segs: Vec<String> = t.segments.iter().map(|s| format!("{:?}:{}", s.kind, s.text)).collect();
        println!("{} {} {:?} {} | {}", t.start, t.end, t.kind, t.norm, segs.join(" "));
    }
}
