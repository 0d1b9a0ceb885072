//! Prints the quotations of the gold articles whose id contains the argument:
//! `cargo run -p khabar-extract --example debug_quotes -- 00421`.
#[path = "../tests/support/mod.rs"]
mod support;
use khabar_analysis::Document;

fn main() {
    let want = std::env::args().nth(1).unwrap_or_default();
    let gold = support::read_gold();
    for g in gold.iter().filter(|g| g.id.contains(&want)) {
        let arts = support::read_articles(&g.file, &[g.id.as_str()]);
        let doc = Document::from_article(&arts[&g.id]);
        for q in khabar_extract::extract_quotes(&doc) {
            let c: String = q.content.text.chars().take(50).collect();
            println!(
                "{:?} cue=[{}] spk=[{}] mention=[{}] :: {}",
                q.kind,
                q.cue.text,
                q.speaker.text,
                q.speaker.mention.map(|m| m.text).unwrap_or_default(),
                c
            );
        }
    }
}
