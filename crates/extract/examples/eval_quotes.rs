//! Scores quotation extraction on the gold set and lists the errors:
//! `cargo run --release -p khabar-extract --example eval_quotes`.
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let split = std::env::args().nth(1);
    for name in ["dev", "test", "all"] {
        if split.as_deref().is_some_and(|s| s != name) {
            continue;
        }
        let verbose = split.is_some();
        let sc = support::evaluate((name != "all").then_some(name), |l| {
            if verbose {
                println!("{l}")
            }
        });
        report(name, &sc);
    }
}

fn report(name: &str, sc: &support::Scores) {
    println!(
        "{name:>4}: gold {} pred {} matched {} | P {:.3} R {:.3} F1 {:.3} | speaker accuracy {:.3} ({}/{})",
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
