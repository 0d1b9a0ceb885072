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
        support::report(name, &sc);
    }
}
