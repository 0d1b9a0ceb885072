//! Tagging behaviour of the shipped model on hand-made sentences, and robustness.

use khabar_ner::tags::is_valid_bio;
use khabar_ner::{Label, NerModel, Tag};
use proptest::prelude::*;

fn tag(s: &str) -> Vec<(String, String)> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let tags = NerModel::shipped().tag(&toks);
    toks.iter()
        .zip(tags)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn finds_obvious_entities() {
    let out = tag("وصل وزير الخارجية الفرنسي إلى بغداد أمس قادما من باريس .");
    let get = |w: &str| out.iter().find(|(t, _)| t == w).unwrap().1.clone();
    assert_eq!(get("بغداد"), "B-LOC");
    assert_eq!(get("باريس"), "B-LOC");
    assert_eq!(get("وزير"), "O");
}

#[test]
fn empty_input() {
    assert!(NerModel::shipped().tag(&[]).is_empty());
    assert!(NerModel::shipped().entities_in("").is_empty());
}

#[test]
fn entity_spans_drop_proclitics_keep_article() {
    let text = "وقال مسؤول إن المقاتلين سلموا أنفسهم لقوات سوريا الديمقراطية في الرقة والعراق.";
    let ents = NerModel::shipped().entities_in(text);
    for e in &ents {
        let chars: Vec<char> = text.chars().collect();
        let slice: String = chars[e.start..e.end].iter().collect();
        assert_eq!(slice, e.text);
    }
    let texts: Vec<&str> = ents.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.contains(&"العراق"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("لقوات")), "{texts:?}");
}

#[test]
fn labels_display() {
    assert_eq!(Label::Per.to_string(), "PER");
    assert_eq!(Tag::B(Label::Org).to_string(), "B-ORG");
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("محمد".to_string()),
        Just("والعراق".to_string()),
        Just("لل".to_string()),
        Just(".".to_string()),
        "\\PC{0,12}",
        "[ءاأإآبتثجحخدذرسشصضطظعغفقكلمنهويىة\u{064B}-\u{0652}\u{0640}]{1,15}",
        prop::collection::vec(any::<char>(), 0..40).prop_map(|v| v.into_iter().collect()),
        "[a-z]{300,400}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn tagging_never_panics_and_is_valid_bio(toks in prop::collection::vec(token(), 0..30)) {
        let refs: Vec<&str> = toks.iter().map(|s| s.as_str()).collect();
        let tags = NerModel::shipped().tag(&refs);
        prop_assert_eq!(tags.len(), refs.len());
        prop_assert!(is_valid_bio(&tags));
    }

    #[test]
    fn entities_never_panic(text in "\\PC{0,200}") {
        let ents = NerModel::shipped().entities_in(&text);
        let n = text.chars().count();
        for e in ents {
            prop_assert!(e.start < e.end && e.end <= n);
        }
    }
}
