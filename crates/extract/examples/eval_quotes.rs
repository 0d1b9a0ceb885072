//! Scores quotation extraction on the gold set and lists the errors:
//! `cargo run --release -p khabar-extract --example eval_quotes [dev|blind|shared]` (errors
//! are listed for `dev` only).
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let split = std::env::args().nth(1);
    for name in ["dev", "dev1", "dev2", "dev3", "blind", "shared"] {
        if split.as_deref().is_some_and(|s| s != name) {
            continue;
        }
        // Errors are listed for the dev split only: the blind split and the independent
        // annotations are measured, never read case by case.
        let verbose = split.is_some() && name.starts_with("dev");
        let sc = support::evaluate(Some(name), |l| {
            if verbose {
                println!("{l}")
            }
        });
        report(name, &sc);
    }
}

fn report(name: &str, sc: &support::Scores) {
    println!(
        "{name:>6}: gold {} pred {} matched {} | P {:.3} R {:.3} F1 {:.3} | speaker accuracy {:.3} ({}/{}), exact name {:.3}",
        sc.gold,
        sc.pred,
        sc.matched,
        sc.precision(),
        sc.recall(),
        sc.f1(),
        sc.speaker_accuracy(),
        sc.speaker_ok,
        sc.matched,
        sc.speaker_exact_accuracy()
    );
}
