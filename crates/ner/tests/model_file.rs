//! Model file handling: missing, truncated, damaged or foreign files give clear errors.

use khabar_ner::{NerError, NerModel, MAGIC, SHIPPED_MODEL};
use std::path::Path;

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("khabar-ner-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn shipped_model_loads() {
    let m = NerModel::try_shipped().expect("embedded model parses");
    assert!(m.num_features() > 1000);
    assert!(std::ptr::eq(NerModel::shipped(), NerModel::shipped()));
}

#[test]
fn missing_file_names_the_file() {
    let err = NerModel::load(Path::new("/nonexistent/dir/ner.bin")).unwrap_err();
    assert!(matches!(err, NerError::Io { .. }));
    assert!(
        err.to_string().contains("/nonexistent/dir/ner.bin"),
        "{err}"
    );
}

#[test]
fn truncated_file_is_rejected() {
    for cut in [0, 5, 20, SHIPPED_MODEL.len() / 2, SHIPPED_MODEL.len() - 1] {
        let p = tmp(&format!("cut{cut}.bin"), &SHIPPED_MODEL[..cut]);
        let err = NerModel::load(&p).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&*p.to_string_lossy()), "{msg}");
        assert!(
            matches!(err, NerError::Corrupt { .. } | NerError::BadMagic { .. }),
            "{msg}"
        );
    }
}

#[test]
fn damaged_payload_is_rejected() {
    let mut b = SHIPPED_MODEL.to_vec();
    let n = b.len();
    b[n / 2] ^= 0x55;
    let p = tmp("damaged.bin", &b);
    let err = NerModel::load(&p).unwrap_err();
    assert!(matches!(err, NerError::Corrupt { .. }), "{err}");
}

#[test]
fn wrong_version_is_rejected() {
    let mut b = SHIPPED_MODEL.to_vec();
    b[8..12].copy_from_slice(&999u32.to_le_bytes());
    let p = tmp("version.bin", &b);
    let err = NerModel::load(&p).unwrap_err();
    assert!(
        matches!(
            err,
            NerError::Version {
                found_format: 999,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("version.bin"));
}

#[test]
fn foreign_file_is_rejected() {
    let p = tmp("foreign.bin", b"PK\x03\x04 not a model at all");
    let err = NerModel::load(&p).unwrap_err();
    assert!(matches!(err, NerError::BadMagic { .. }), "{err}");
    assert_eq!(&SHIPPED_MODEL[..8], MAGIC);
}

#[test]
fn roundtrip_keeps_predictions() {
    let m = NerModel::shipped();
    let bytes = m.to_bytes(0.0);
    let back = NerModel::from_bytes(&bytes, Path::new("memory")).unwrap();
    let toks = ["قال", "الرئيس", "محمد", "عبد", "الله", "في", "القاهرة", "."];
    assert_eq!(m.tag(&toks), back.tag(&toks));
}
