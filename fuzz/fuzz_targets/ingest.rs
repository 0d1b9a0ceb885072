//! Any bytes as a JSON Lines file, gzip or not: the reader yields records or rejections, never
//! panics, and never stops before the end of readable input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("khabar-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for name in ["in.jsonl", "in.txt", "in.gz"] {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(data).unwrap();
        drop(f);
        if let Ok(reader) = khabar_ingest::open(path.to_str().unwrap()) {
            for record in reader.take(10_000) {
                let _ = record;
            }
        }
    }
    let _ = khabar_ingest::restore_paragraphs(&String::from_utf8_lossy(data));
});
