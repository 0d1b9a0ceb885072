//! Prints the segmentation of each word given on the command line, with lexicon counts:
//! `cargo run -p khabar-text --example segment -- والتدريب لقوات`
fn main() {
    let a = khabar_text::TextAnalyzer::shared();
    for w in std::env::args().skip(1) {
        let r = a.analyze_word(&w);
        let segs: Vec<String> = r
            .segments
            .iter()
            .map(|s| format!("{}({})", s.text, a.lexicon().count(&s.text)))
            .collect();
        println!(
            "{w}\t{}\t{}\tstem={}\tkey={}",
            a.lexicon().count(&r.norm),
            segs.join(" + "),
            r.stem,
            r.key
        );
    }
}
