//! A light stemmer in the family of Larkey's Light10: after clitic segmentation has removed
//! conjunctions, prepositions, the article and pronouns, it strips plural, dual, feminine and
//! nisba suffixes so that inflected forms share one search key.
//!
//! ```
//! use khabar_text::stem::light_stem;
//! assert_eq!(light_stem("مسؤولون"), "مسؤول");
//! assert_eq!(light_stem("السورية"), "سور");
//! assert_eq!(light_stem("قوات"), "قوات"); // too short to strip safely
//! ```

/// Two-letter suffixes, tried first, on stems of at least 5 letters.
const SUFFIXES_2: &[&str] = &["ات", "ون", "ين", "ان", "ية", "يه", "ها"];
/// One-letter suffixes, on stems of at least 4 letters.
const SUFFIXES_1: &[&str] = &["ة", "ه", "ي"];

/// Strips inflectional suffixes from a normalized stem. Keeps at least three letters.
pub fn light_stem(stem: &str) -> &str {
    let mut s = stem;
    let mut n = s.chars().count();
    // An article the segmenter left attached (ال + a name it does not know) still goes.
    if n >= 5 {
        if let Some(t) = s.strip_prefix("ال") {
            s = t;
            n -= 2;
        }
    }
    if n >= 5 {
        if let Some(t) = SUFFIXES_2.iter().find_map(|suf| s.strip_suffix(suf)) {
            s = t;
            n -= 2;
        }
    }
    if n >= 4 {
        if let Some(t) = SUFFIXES_1.iter().find_map(|suf| s.strip_suffix(suf)) {
            s = t;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_inflection() {
        assert_eq!(light_stem("معلمات"), "معلم");
        assert_eq!(light_stem("معلمون"), "معلم");
        assert_eq!(light_stem("معلمين"), "معلم");
        assert_eq!(light_stem("معلمة"), "معلم");
        assert_eq!(light_stem("سعودية"), "سعود");
        assert_eq!(light_stem("سعودي"), "سعود");
        assert_eq!(light_stem("كتابان"), "كتاب");
    }

    #[test]
    fn keeps_short_words() {
        for w in ["قوات", "بيت", "من", "يد", "", "سنة"] {
            assert_eq!(light_stem(w), w);
        }
    }
}
