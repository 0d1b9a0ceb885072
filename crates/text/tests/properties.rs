//! Invariants over arbitrary input: nothing panics, normalization is idempotent, every offset
//! lies on a char boundary and maps back into the original text.

use khabar_text::{normalize, split_sentences, tokenize, NormalizeOptions, TextAnalyzer};
use proptest::prelude::*;

/// Strings mixing Arabic letters, marks, digits, punctuation, invisibles and arbitrary chars.
fn arabic_heavy() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("و".to_string()),
        Just("ال".to_string()),
        Just("قوات".to_string()),
        Just("َ".to_string()),
        Just("ّ".to_string()),
        Just("ـ".to_string()),
        Just("ﻻ".to_string()),
        Just("\u{0654}".to_string()),
        Just("٣٫٥".to_string()),
        Just("1,2.".to_string()),
        Just("«".to_string()),
        Just("»".to_string()),
        Just("\"".to_string()),
        Just("..".to_string()),
        Just("؟".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("\u{200F}".to_string()),
        Just("http://a.b/ج".to_string()),
        Just("x@y.com".to_string()),
        Just("#وسم".to_string()),
        Just("@u".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![arabic_heavy(), any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn normalization_is_idempotent(s in any_text()) {
        for o in [NormalizeOptions::default(), NormalizeOptions::search(), NormalizeOptions::none()] {
            let once = normalize(&s, &o);
            let twice = normalize(once.text(), &o);
            prop_assert_eq!(once.text(), twice.text());
        }
    }

    #[test]
    fn alignments_map_into_the_original(s in any_text()) {
        let n = normalize(&s, &NormalizeOptions::default());
        let len = s.chars().count();
        prop_assert_eq!(n.alignments().len(), n.text().chars().count());
        let mut prev_start = 0;
        for &(a, b) in n.alignments() {
            prop_assert!(a < b && (b as usize) <= len);
            prop_assert!(a >= prev_start, "alignments are monotonic");
            prev_start = a;
        }
    }

    #[test]
    fn tokens_and_sentences_are_in_bounds(s in any_text()) {
        let len = s.chars().count();
        let raw = tokenize(&s);
        let mut last_end = 0;
        for t in &raw {
            prop_assert!(s.is_char_boundary(t.byte_start) && s.is_char_boundary(t.byte_end));
            prop_assert!(t.start < t.end && t.end <= len && t.start >= last_end);
            prop_assert_eq!(s[..t.byte_start].chars().count(), t.start);
            last_end = t.end;
        }
        let sentences = split_sentences(&s, &raw);
        let mut last = 0;
        for sp in &sentences {
            prop_assert!(sp.start < sp.end && sp.end <= len && sp.start >= last);
            last = sp.end;
        }
        // every token lies in exactly one sentence
        for t in &raw {
            prop_assert_eq!(sentences.iter().filter(|sp| sp.start <= t.start && t.end <= sp.end).count(), 1);
        }
    }

    #[test]
    fn segments_cover_the_token(s in any_text()) {
        let a = TextAnalyzer::shared();
        for t in a.tokenize(&s) {
            let joined: String = t.segments.iter().map(|g| g.text.as_str()).collect();
            prop_assert_eq!(&joined, &t.norm);
            prop_assert_eq!(t.segments.iter().filter(|g| g.kind == khabar_text::SegmentKind::Stem).count(), 1);
            for g in &t.segments {
                prop_assert!(t.start <= g.start && g.start <= g.end && g.end <= t.end);
            }
        }
    }

    #[test]
    fn analyze_word_never_panics(s in any_text()) {
        let w = TextAnalyzer::shared().analyze_word(&s);
        prop_assert!(w.norm.chars().count() <= s.chars().count() * 18 + 1);
    }
}

#[test]
fn bytes_decoded_lossily_do_not_panic() {
    // Arbitrary bytes reach the analyzer only after decoding; the replacement char must be safe.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let s = String::from_utf8_lossy(&bytes);
    let (tokens, sentences) = TextAnalyzer::shared().analyze(&s);
    assert!(!tokens.is_empty());
    assert!(!sentences.is_empty());
}
