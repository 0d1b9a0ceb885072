//! Character classes of Arabic script text.
//!
//! Written by hand rather than through a Unicode-property crate because the hot loops
//! (tokenizer, normalizer) test every character and a handful of range checks is both
//! faster and more exact about what khabar treats as "Arabic" than general categories.

/// Tatweel (kashida), the elongation stroke: `عـــربي`.
pub const TATWEEL: char = '\u{0640}';

/// Arabic combining marks: harakat, tanween, shadda, sukun, dagger alef, madda/hamza
/// above and below, Quranic annotation marks and the extended-A marks.
#[inline]
pub fn is_arabic_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08CA}'..='\u{08E1}'
        | '\u{08E3}'..='\u{08FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Letters of the Arabic script (including Persian/Urdu letters and presentation forms).
#[inline]
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0621}'..='\u{063F}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFC}')
}

/// Bidi controls, zero-width characters, the byte-order mark and the soft hyphen:
/// invisible characters that break matching and carry no meaning for analysis.
#[inline]
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// The digit value of an ASCII, Arabic-Indic (٠-٩) or Extended Arabic-Indic/Persian (۰-۹) digit.
#[inline]
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// True for a digit in any of the three scripts of [`digit_value`].
#[inline]
pub fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// True for a character that continues an Arabic word: a letter, a mark, tatweel.
#[inline]
pub fn is_arabic_word_char(c: char) -> bool {
    is_arabic_letter(c) || is_arabic_mark(c) || c == TATWEEL
}

/// Punctuation that khabar's tokenizer treats as `Punct` (ASCII, Arabic and typographic).
#[inline]
pub fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '،' | '؛'
                | '؟'
                | '٪'
                | '٭'
                | '۔'
                | '«'
                | '»'
                | '“'
                | '”'
                | '„'
                | '‟'
                | '‘'
                | '’'
                | '‚'
                | '‹'
                | '›'
                | '…'
                | '–'
                | '—'
                | '‐'
                | '‑'
                | '‒'
                | '―'
                | '·'
                | '﴾'
                | '﴿'
                | '¡'
                | '¿'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_arabic_letter('ب'));
        assert!(is_arabic_letter('ﻻ'));
        assert!(!is_arabic_letter('\u{064E}'));
        assert!(is_arabic_mark('\u{064E}')); // fatha
        assert!(is_arabic_mark('\u{0651}')); // shadda
        assert!(is_arabic_mark('\u{0670}')); // dagger alef
        assert!(!is_arabic_mark('ا'));
        assert!(is_invisible('\u{200F}'));
        assert!(is_invisible('\u{FEFF}'));
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۷'), Some(7));
        assert_eq!(digit_value('x'), None);
        assert!(is_punct('،') && is_punct('؟') && is_punct('«'));
        assert!(!is_punct('ب'));
    }
}
