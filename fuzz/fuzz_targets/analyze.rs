//! Any bytes, decoded as khabar decodes files, through the full pipeline and the JSON writer:
//! nothing may panic and every offset must stay inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match khabar_ingest::decode(data) {
        Ok((text, _)) => text,
        Err(_) => String::from_utf8_lossy(data).into_owned(),
    };
    let article = khabar_ingest::parse_text_article(&text, "fuzz");
    let doc = khabar_pipeline::Pipeline::default().analyze(&article);
    let n = doc.len_chars();
    for s in &doc.sentences {
        assert!(s.start < s.end && s.end <= n);
    }
    for t in &doc.tokens {
        assert!(t.start < t.end && t.end <= n);
    }
    for e in &doc.entities {
        assert!(e.start < e.end && e.end <= n);
        assert_eq!(doc.slice(e.start, e.end), e.text);
    }
    for q in &doc.quantities {
        assert!(q.start < q.end && q.end <= n);
    }
    for q in &doc.quotes {
        assert!(q.content.end <= n && q.cue.end <= n);
    }
    serde_json::to_string(&doc.to_json(true)).expect("serializes");
});
