//! How far two annotators agree on the same articles, and how khabar scores against each:
//! `cargo run --release -p khabar-extract --example quote_agreement -- eval/agreement-round3.jsonl [--errors]`
//! (a second, independent annotation of some dev articles in the gold format; the first is
//! their annotation in `eval/quotes-gold.jsonl`). The metric is the extractor's.
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: quote_agreement SECOND_ANNOTATION.jsonl");
        std::process::exit(2);
    };
    let second = support::read_gold_file(&path);
    let first = support::gold_of_same_articles(&second);
    println!("{} articles annotated twice", first.len());
    support::report(
        "second vs first",
        &support::compare_annotations(&first, &second),
    );
    support::report(
        "first vs second",
        &support::compare_annotations(&second, &first),
    );
    support::report(
        "khabar vs first",
        &support::evaluate_articles(&first, |_| {}),
    );
    // `--errors`: khabar's errors against the second annotation (dev articles only).
    let errors = std::env::args().any(|a| a == "--errors");
    let log = |l: String| {
        if errors {
            println!("{l}")
        }
    };
    support::report(
        "khabar vs second",
        &support::evaluate_articles(&second, log),
    );
}
