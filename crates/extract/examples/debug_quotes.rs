//! Prints the chains and quotations of the dev articles whose id contains the argument
//! (blind articles are never shown): `cargo run -p khabar-extract --example debug_quotes -- 00421`.
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let want = std::env::args().nth(1).unwrap_or_default();
    let gold = support::read_gold();
    for g in gold
        .iter()
        .filter(|g| g.split == "dev" && g.id.contains(&want))
    {
        let arts = support::read_articles(&g.file, &[g.id.as_str()]);
        let doc = support::analyze(&arts[&g.id]);
        println!("■ {}", g.id);
        for (i, c) in doc.chains.iter().enumerate() {
            let ms: Vec<String> = c
                .mentions
                .iter()
                .map(|m| format!("{}:{:?}", doc.slice(m.start, m.end), m.kind))
                .collect();
            println!(
                "  chain {i} {} [{}] roles={:?} {}",
                c.label,
                c.name,
                c.roles,
                ms.join(" | ")
            );
        }
        for q in &doc.quotes {
            let c: String = q.content.text.chars().take(50).collect();
            println!(
                "  {:?} cue=[{}] spk=[{}] role={:?} chain={:?} mention=[{}] :: {}",
                q.kind,
                q.cue.text,
                q.speaker.text,
                q.speaker.role,
                q.speaker.chain,
                q.speaker
                    .mention
                    .as_ref()
                    .map(|m| m.text.as_str())
                    .unwrap_or_default(),
                c
            );
        }
        for q in &g.quotes {
            println!(
                "  GOLD [{}] role={:?} :: {}",
                q.speaker, q.role, q.start_snippet
            );
        }
    }
}
