//! The segmentation and splitting rules the issue names, on khabar's own sentences.

use khabar_text::{SegmentKind, TextAnalyzer};

fn segs(word: &str) -> Vec<String> {
    TextAnalyzer::shared()
        .analyze_word(word)
        .segments
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[test]
fn proclitics_split_before_known_stems() {
    assert_eq!(segs("لقوات"), ["ل", "قوات"]);
    assert_eq!(segs("لداعش"), ["ل", "داعش"]);
    assert_eq!(segs("والتدريب"), ["و", "ال", "تدريب"]);
    assert_eq!(segs("وقال"), ["و", "قال"]);
    assert_eq!(segs("وأضاف"), ["و", "اضاف"]);
    assert_eq!(segs("بالتعليق"), ["ب", "ال", "تعليق"]);
    assert_eq!(segs("للتدريب"), ["لل", "تدريب"]);
    assert_eq!(segs("والعراق"), ["و", "العراق"]);
}

#[test]
fn enclitics_split_before_known_stems() {
    assert_eq!(segs("نظامه"), ["نظام", "ه"]);
    assert_eq!(segs("أغلبهم"), ["اغلب", "هم"]);
    assert_eq!(segs("لها"), ["ل", "ها"]);
    // ة is written ت before the pronoun; the stem is looked up as مدينة
    assert_eq!(segs("مدينته"), ["مدينت", "ه"]);
    assert_eq!(TextAnalyzer::shared().analyze_word("مدينته").stem, "مدين");
}

#[test]
fn names_and_function_words_stay_whole() {
    for w in [
        "البانيا",
        "الان",
        "فلسطين",
        "بيروت",
        "ليبيا",
        "كندا",
        "الباغوز",
        "بيجي",
        "كما",
        "بعد",
        "فقط",
        "وطن",
    ] {
        let norm = khabar_text::normalize_word(w);
        assert_eq!(segs(w), [norm], "{w}");
    }
    // ال may come off a place name, nothing else may
    for w in ["الموصل", "الرقة"] {
        let s = segs(w);
        assert!(s.len() == 1 || (s.len() == 2 && s[0] == "ال"), "{w}: {s:?}");
    }
}

#[test]
fn segment_offsets_point_into_the_original() {
    let text = "وَالتَّدْرِيبُ لِقُوَّاتِ";
    let tokens = TextAnalyzer::shared().tokenize(text);
    let chars: Vec<char> = text.chars().collect();
    let stem = tokens[0].stem_segment();
    let original: String = chars[stem.start..stem.end].iter().collect();
    assert_eq!(original, "تَّدْرِيبُ");
    assert_eq!(tokens[1].segments[0].kind, SegmentKind::Proclitic);
    let original: String = chars[tokens[1].segments[1].start..tokens[1].segments[1].end]
        .iter()
        .collect();
    assert_eq!(original, "قُوَّاتِ");
}

#[test]
fn search_keys_conflate_inflections_and_spellings() {
    let a = TextAnalyzer::shared();
    let key = |w: &str| a.analyze_word(w).key;
    assert_eq!(key("القوات"), key("لقوات"));
    assert_eq!(key("والقوات"), key("قوات"));
    assert_eq!(key("مسؤول"), key("مسئول"));
    assert_eq!(key("المدرسة"), key("مدرسه"));
    assert_eq!(key("Reuters"), "reuters");
    // the preposition على and the name علي share a norm, not a key
    assert_eq!(khabar_text::normalize_word("على"), "علي");
    assert_ne!(key("على"), key("علي"));
    // gazetteer names are not stemmed
    assert_eq!(TextAnalyzer::shared().analyze_word("سلمان").stem, "سلمان");
}
