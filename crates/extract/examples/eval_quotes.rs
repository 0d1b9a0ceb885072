//! Scores quotation extraction on the gold set and lists the errors:
//! `cargo run --release -p khabar-extract --example eval_quotes`.
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let sc = support::evaluate(|l| println!("{l}"));
    println!(
        "gold {} pred {} matched {} | P {:.3} R {:.3} F1 {:.3} | speaker accuracy {:.3} ({}/{})",
        sc.gold,
        sc.pred,
        sc.matched,
        sc.precision(),
        sc.recall(),
        sc.f1(),
        sc.speaker_accuracy(),
        sc.speaker_ok,
        sc.matched
    );
}
