//! Word normalization, light clitic splitting and word shape used by the NER features.
//!
//! These functions are deliberately frozen inside this crate: the model's feature hashes
//! depend on them, so a change in the general text analyzer must not silently change
//! what the shipped model sees.

use std::borrow::Cow;

/// Maps one character to its normalized form (`None` drops it).
#[inline]
fn norm_char(c: char) -> Option<char> {
    match c {
        // Harakat, shadda, sukun, superscript alef, Quranic marks, tatweel: dropped.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => None,
        '\u{200B}'..='\u{200F}' | '\u{FEFF}' => None,
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ى' => Some('ي'),
        'ة' => Some('ه'),
        // Persian/Urdu letter variants seen in news and gazetteers.
        'ک' => Some('ك'),
        'ی' | 'ې' => Some('ي'),
        '٠'..='٩' => Some(char::from(b'0' + (c as u32 - '٠' as u32) as u8)),
        '۰'..='۹' => Some(char::from(b'0' + (c as u32 - '۰' as u32) as u8)),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        _ => Some(c),
    }
}

/// Normalizes a word for feature lookup: no diacritics or tatweel, one alef, final ya/ta
/// marbuta folded, Arabic digits to ASCII, ASCII lowercased.
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if let Some(n) = norm_char(c) {
            out.push(n);
        }
    }
    out
}

/// Result of splitting the proclitics off a normalized word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Conjunction/preposition proclitics (و ف ب ل ك), without the article.
    pub pre: &'a str,
    /// The word without conjunction/preposition proclitics; keeps ال (`والعراق` → `العراق`,
    /// `للمدينه` → `المدينه`).
    pub core: Cow<'a, str>,
    /// `core` without the article ال.
    pub bare: &'a str,
    /// The word minus one leading و ف ب ل ك letter when at least three letters remain
    /// (`لقوات` → `قوات`); ambiguous (`لبنان`), so only used as a separate, weaker feature.
    pub alt: Option<&'a str>,
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Splits proclitics from a normalized word. Unambiguous cases only: و/ف and ب/ل/ك are
/// removed when the article follows (والعراق, بالموصل, وللمدينه); everything else stays whole,
/// so names like `لبنان` or `وليد` are never cut.
pub fn split_clitics(w: &str) -> Split<'_> {
    let alt = w
        .chars()
        .next()
        .filter(|c| matches!(c, 'و' | 'ف' | 'ب' | 'ل' | 'ك'))
        .map(|c| &w[c.len_utf8()..])
        .filter(|r| char_len(r) >= 3);
    let mut rest = w;
    if let Some(r) = rest.strip_prefix('و').or_else(|| rest.strip_prefix('ف')) {
        if r.starts_with("ال")
            || r.starts_with("لل")
            || r.starts_with("بال")
            || r.starts_with("كال")
        {
            rest = r;
        }
    }
    if let Some(r) = rest.strip_prefix("لل") {
        if char_len(r) >= 2 {
            let pre = &w[..w.len() - rest.len() + 'ل'.len_utf8()];
            return Split {
                pre,
                core: Cow::Owned(format!("ال{r}")),
                bare: r,
                alt,
            };
        }
    }
    for p in ["بال", "كال", "لال"] {
        if rest.starts_with(p) && char_len(rest) >= 5 {
            rest = &rest['ب'.len_utf8()..];
            break;
        }
    }
    if char_len(rest) < 3 {
        rest = w;
    }
    let pre = &w[..w.len() - rest.len()];
    let bare = match rest.strip_prefix("ال") {
        Some(b) if char_len(b) >= 2 => b,
        _ => rest,
    };
    Split {
        pre,
        core: Cow::Borrowed(rest),
        bare,
        alt,
    }
}

/// Character offset (in chars of the original token) where the core of the word begins,
/// i.e. after conjunction/preposition proclitics. Fallback for trimming entity spans.
pub fn core_char_offset(token: &str) -> usize {
    let n = normalize(token);
    let removed = char_len(split_clitics(&n).pre);
    // Map normalized-char count back to original chars, skipping dropped marks.
    let mut seen = 0;
    for (i, c) in token.chars().enumerate() {
        if seen == removed && norm_char(c).is_some() {
            return i;
        }
        if norm_char(c).is_some() {
            seen += 1;
        }
    }
    token.chars().count()
}

/// A coarse word shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Arabic letters only.
    Arabic,
    /// Latin letters only.
    Latin,
    /// Digits only.
    Digit,
    /// Digits with separators (dates, decimals).
    Number,
    /// Punctuation or symbols only.
    Punct,
    /// Anything else.
    Mixed,
}

/// Classifies a normalized word.
pub fn shape(w: &str) -> Shape {
    let (mut ar, mut la, mut di, mut pu, mut other) = (0, 0, 0, 0, 0);
    for c in w.chars() {
        // U+0620..=U+064A are all letters: skip the Unicode table for the common case.
        if ('\u{0620}'..='\u{064A}').contains(&c)
            || (('\u{0600}'..='\u{06FF}').contains(&c) && c.is_alphabetic())
        {
            ar += 1;
        } else if c.is_ascii_alphabetic() || (c.is_alphabetic() && (c as u32) < 0x0600) {
            la += 1;
        } else if c.is_ascii_digit() {
            di += 1;
        } else if c.is_ascii_punctuation() || matches!(c, '،' | '؛' | '؟' | '«' | '»' | '…' | '٪')
        {
            pu += 1;
        } else {
            other += 1;
        }
    }
    if other > 0 {
        Shape::Mixed
    } else if ar > 0 && la == 0 && di == 0 {
        Shape::Arabic
    } else if la > 0 && ar == 0 && di == 0 {
        Shape::Latin
    } else if di > 0 && ar == 0 && la == 0 {
        if pu == 0 {
            Shape::Digit
        } else {
            Shape::Number
        }
    } else if pu > 0 && ar == 0 && la == 0 && di == 0 {
        Shape::Punct
    } else {
        Shape::Mixed
    }
}

/// Splits raw text into NER-style tokens (letter runs, digit runs, single punctuation
/// marks), used for the unlabeled news corpus. Returns byte ranges.
pub fn simple_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    for (i, c) in text.char_indices() {
        let is_word =
            c.is_alphanumeric() || ('\u{064B}'..='\u{0670}').contains(&c) || c == '\u{0640}';
        if is_word {
            let digit = c.is_numeric();
            match start {
                Some((_, d)) if d == digit => {}
                Some((s, _)) => {
                    out.push(&text[s..i]);
                    start = Some((i, digit));
                }
                None => start = Some((i, digit)),
            }
        } else {
            if let Some((s, _)) = start.take() {
                out.push(&text[s..i]);
            }
            if !c.is_whitespace() {
                out.push(&text[i..i + c.len_utf8()]);
            }
        }
    }
    if let Some((s, _)) = start {
        out.push(&text[s..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("أَحْمَد"), "احمد");
        assert_eq!(normalize("مدرسة"), "مدرسه");
        assert_eq!(normalize("على"), "علي");
        assert_eq!(normalize("٢٠١٩"), "2019");
    }

    #[test]
    fn splits_clitics() {
        let n = normalize("لقوات");
        let s = split_clitics(&n);
        assert_eq!((s.pre, &*s.core, s.alt), ("", "لقوات", Some("قوات")));
        let n = normalize("والعراق");
        let s = split_clitics(&n);
        assert_eq!((s.pre, &*s.core, s.bare), ("و", "العراق", "عراق"));
        let n = normalize("وبالموصل");
        let s = split_clitics(&n);
        assert_eq!((s.pre, &*s.core, s.bare), ("وب", "الموصل", "موصل"));
        let n = normalize("للمدينة");
        let s = split_clitics(&n);
        assert_eq!((s.pre, &*s.core, s.bare), ("ل", "المدينه", "مدينه"));
        let n = normalize("لبنان");
        assert_eq!(split_clitics(&n).core, "لبنان");
        let n = normalize("وزير");
        assert_eq!(split_clitics(&n).core, "وزير");
    }

    #[test]
    fn core_offsets() {
        assert_eq!(core_char_offset("لقوات"), 0);
        assert_eq!(core_char_offset("والعراق"), 1);
        assert_eq!(core_char_offset("العراق"), 0);
        assert_eq!(core_char_offset("وَالعراق"), 2);
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("2019"), Shape::Digit);
        assert_eq!(shape("3.5"), Shape::Number);
        assert_eq!(shape("بغداد"), Shape::Arabic);
        assert_eq!(shape("cnn"), Shape::Latin);
        assert_eq!(shape("،"), Shape::Punct);
    }

    #[test]
    fn tokenizes() {
        assert_eq!(
            simple_tokens("قال: \"نعم\" 2019م"),
            vec!["قال", ":", "\"", "نعم", "\"", "2019", "م"]
        );
    }
}
