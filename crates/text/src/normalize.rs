//! Arabic normalization that keeps an alignment from every output character back to the
//! original text, in the spirit of Hugging Face `tokenizers`' `NormalizedString`.
//!
//! ```
//! use khabar_text::normalize::{normalize, NormalizeOptions};
//! let n = normalize("أَعْلَنَتِ الوزارةُ", &NormalizeOptions::default());
//! assert_eq!(n.text(), "اعلنت الوزارة");
//! // "الوزارة" starts at normalized char 6; in the original it starts at char 11.
//! assert_eq!(n.original_span(6, 13), (11, 19));
//! ```

use crate::chars::{digit_value, is_arabic_mark, is_invisible, TATWEEL};
use unicode_normalization::char::compose;
use unicode_normalization::UnicodeNormalization;

/// Which normalization steps run. Every step can be switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// NFKC: presentation forms and ligatures (ﻻ → لا, ﷲ → الله), composed hamza (ا + ٔ → أ).
    pub nfkc: bool,
    /// Remove harakat, tanween, shadda, sukun, dagger alef and Quranic marks.
    pub strip_diacritics: bool,
    /// Remove tatweel (ـ).
    pub strip_tatweel: bool,
    /// أ إ آ ٱ ٲ ٳ → ا
    pub unify_alef: bool,
    /// ى → ي
    pub alef_maksura_to_ya: bool,
    /// ة → ه (off by default: only the search key folds it).
    pub ta_marbuta_to_ha: bool,
    /// Arabic-Indic and Persian digits → ASCII; ٫ → `.` and ٬ → `,`.
    pub ascii_digits: bool,
    /// Drop bidi controls, zero-width characters, BOM and soft hyphen.
    pub drop_invisible: bool,
    /// Lowercase (for Latin-script words in the search key).
    pub lowercase: bool,
}

impl Default for NormalizeOptions {
    /// The normalization behind every token's `norm`: all steps but ة → ه and lowercasing.
    fn default() -> Self {
        NormalizeOptions {
            nfkc: true,
            strip_diacritics: true,
            strip_tatweel: true,
            unify_alef: true,
            alef_maksura_to_ya: true,
            ta_marbuta_to_ha: false,
            ascii_digits: true,
            drop_invisible: true,
            lowercase: false,
        }
    }
}

impl NormalizeOptions {
    /// Every step off: the identity.
    pub fn none() -> Self {
        NormalizeOptions {
            nfkc: false,
            strip_diacritics: false,
            strip_tatweel: false,
            unify_alef: false,
            alef_maksura_to_ya: false,
            ta_marbuta_to_ha: false,
            ascii_digits: false,
            drop_invisible: false,
            lowercase: false,
        }
    }

    /// The search-key normalization: the default plus ة → ه and lowercase.
    pub fn search() -> Self {
        NormalizeOptions {
            ta_marbuta_to_ha: true,
            lowercase: true,
            ..Self::default()
        }
    }
}

/// A normalized text with, for each of its characters, the span of original characters it
/// came from (char indices, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalized {
    text: String,
    alignments: Vec<(u32, u32)>,
    original_len: usize,
}

impl Normalized {
    /// The normalized text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// For each normalized char, its original char span.
    pub fn alignments(&self) -> &[(u32, u32)] {
        &self.alignments
    }

    /// Number of chars of the normalized text.
    pub fn len_chars(&self) -> usize {
        self.alignments.len()
    }

    /// Maps the normalized char span `start..end` back to the original text.
    /// An empty span maps to the empty original span at the corresponding position.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.alignments.len();
        let start = start.min(n);
        let end = end.clamp(start, n);
        if start == end {
            let pos = if start < n {
                self.alignments[start].0 as usize
            } else {
                self.original_len
            };
            return (pos, pos);
        }
        (
            self.alignments[start].0 as usize,
            self.alignments[end - 1].1 as usize,
        )
    }
}

/// Normalizes `text`, keeping the alignment to the original.
pub fn normalize(text: &str, options: &NormalizeOptions) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        alignments: Vec::with_capacity(text.len() / 2),
        original_len: 0,
    };
    let mut sink = AlignedSink {
        text: &mut out.text,
        alignments: Some(&mut out.alignments),
    };
    out.original_len = normalize_with(text, options, &mut sink);
    out
}

/// Normalizes one word with the default options into a new string.
///
/// ```
/// assert_eq!(khabar_text::normalize::normalize_word("إلى"), "الي");
/// assert_eq!(khabar_text::normalize::normalize_word("٢٠١٥"), "2015");
/// ```
pub fn normalize_word(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    normalize_into(word, &NormalizeOptions::default(), &mut s);
    s
}

/// Appends the normalization of `text` to `out` without alignments (the fast path).
pub fn normalize_into(text: &str, options: &NormalizeOptions, out: &mut String) {
    let mut sink = AlignedSink {
        text: out,
        alignments: None,
    };
    normalize_with(text, options, &mut sink);
}

/// Appends the normalization of `text` to `out` and the alignment of each appended char
/// (original char spans, offset by `base`) to `alignments`.
pub fn normalize_aligned_into(
    text: &str,
    options: &NormalizeOptions,
    base: u32,
    out: &mut String,
    alignments: &mut Vec<(u32, u32)>,
) {
    let first = alignments.len();
    let mut sink = AlignedSink {
        text: out,
        alignments: Some(alignments),
    };
    normalize_with(text, options, &mut sink);
    if base != 0 {
        for a in &mut alignments[first..] {
            a.0 += base;
            a.1 += base;
        }
    }
}

struct AlignedSink<'a> {
    text: &'a mut String,
    alignments: Option<&'a mut Vec<(u32, u32)>>,
}

impl AlignedSink<'_> {
    #[inline]
    fn push(&mut self, c: char, span: (u32, u32)) {
        self.text.push(c);
        if let Some(a) = self.alignments.as_deref_mut() {
            a.push(span);
        }
    }

    /// Attaches a dropped original char to the previous output char, so that highlighting
    /// a normalized word also covers its diacritics.
    #[inline]
    fn extend_last(&mut self, index: u32, floor: usize) {
        if let Some(a) = self.alignments.as_deref_mut() {
            if a.len() > floor {
                if let Some(last) = a.last_mut() {
                    if last.1 == index {
                        last.1 = index + 1;
                    }
                }
            }
        }
    }

    #[inline]
    fn last_char(&self, floor_bytes: usize) -> Option<char> {
        if self.text.len() > floor_bytes {
            self.text.chars().next_back()
        } else {
            None
        }
    }

    fn replace_last(&mut self, c: char, index: u32) {
        self.text.pop();
        self.text.push(c);
        if let Some(a) = self.alignments.as_deref_mut() {
            if let Some(last) = a.last_mut() {
                last.1 = index + 1;
            }
        }
    }
}

#[inline]
fn map_char(c: char, o: &NormalizeOptions) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' if o.unify_alef => 'ا',
        'ى' if o.alef_maksura_to_ya => 'ي',
        'ة' if o.ta_marbuta_to_ha => 'ه',
        '٫' if o.ascii_digits => '.',
        '٬' if o.ascii_digits => ',',
        _ if o.ascii_digits && !c.is_ascii() => match digit_value(c) {
            Some(d) => char::from(b'0' + d as u8),
            None => c,
        },
        _ => c,
    }
}

/// True where NFKC may change a char on its own. Plain ASCII and the letters of the Arabic
/// block are stable, which keeps the common path free of table look-ups.
#[inline]
fn may_change_under_nfkc(c: char) -> bool {
    let u = c as u32;
    !(u < 0xA0 || (0x0600..=0x0674).contains(&u) || (0x0679..=0x06FF).contains(&u))
}

fn normalize_with(text: &str, o: &NormalizeOptions, sink: &mut AlignedSink<'_>) -> usize {
    let floor_bytes = sink.text.len();
    let floor_align = sink.alignments.as_ref().map_or(0, |a| a.len());
    let mut index: u32 = 0;
    for c in text.chars() {
        let i = index;
        index += 1;
        // Fast path: the common Arabic letters (not tatweel, marks or hamza-carrying alefs)
        // need at most a one-letter mapping.
        if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}') {
            sink.push(map_char(c, o), (i, i + 1));
            continue;
        }
        if o.drop_invisible && is_invisible(c) {
            continue;
        }
        if c == TATWEEL && o.strip_tatweel {
            sink.extend_last(i, floor_align);
            continue;
        }
        if is_arabic_mark(c) {
            // Madda and hamza above/below compose with the letter before them under NFKC
            // (ا + ٔ → أ); that must happen before the marks are stripped.
            if o.nfkc && matches!(c, '\u{0653}'..='\u{0655}') {
                if let Some(prev) = sink.last_char(floor_bytes) {
                    if let Some(composed) = compose(prev, c) {
                        sink.replace_last(map_char(composed, o), i);
                        continue;
                    }
                }
            }
            if o.strip_diacritics {
                sink.extend_last(i, floor_align);
                continue;
            }
        }
        if o.nfkc && may_change_under_nfkc(c) {
            let mut buf = [0u8; 4];
            let one: &str = c.encode_utf8(&mut buf);
            if unicode_normalization::is_nfkc_quick(one.chars())
                != unicode_normalization::IsNormalized::Yes
            {
                for d in one.nfkc() {
                    emit(d, (i, i + 1), o, sink, floor_align);
                }
                continue;
            }
        }
        emit(c, (i, i + 1), o, sink, floor_align);
    }
    index as usize
}

#[inline]
fn emit(c: char, span: (u32, u32), o: &NormalizeOptions, sink: &mut AlignedSink<'_>, floor: usize) {
    // Decomposition by NFKC can produce marks, tatweel or invisibles; apply the same rules.
    if (o.strip_diacritics && is_arabic_mark(c))
        || (o.strip_tatweel && c == TATWEEL)
        || (o.drop_invisible && is_invisible(c))
    {
        sink.extend_last(span.0, floor);
        return;
    }
    let m = map_char(c, o);
    if o.lowercase && m.is_uppercase() {
        for l in m.to_lowercase() {
            sink.push(l, span);
        }
    } else {
        sink.push(m, span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s, &NormalizeOptions::default())
            .text()
            .to_string()
    }

    #[test]
    fn strips_diacritics_and_tatweel() {
        assert_eq!(norm("مُحَمَّدٌ"), "محمد");
        assert_eq!(norm("عـــربي"), "عربي");
        assert_eq!(norm("هٰذا"), "هذا"); // dagger alef
        assert_eq!(norm("ذٰلِكَ ٱلْكِتَابُ"), "ذلك الكتاب"); // dagger alef and alef wasla
    }

    #[test]
    fn unifies_alef_and_ya() {
        assert_eq!(norm("أحمد إبراهيم آمن"), "احمد ابراهيم امن");
        assert_eq!(norm("مستشفى"), "مستشفي");
        assert_eq!(norm("مدرسة"), "مدرسة"); // ة stays by default
        let key = normalize("مدرسة", &NormalizeOptions::search());
        assert_eq!(key.text(), "مدرسه");
    }

    #[test]
    fn each_step_can_be_switched_off() {
        let o = NormalizeOptions {
            unify_alef: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize("أَحمد", &o).text(), "أحمد");
        let o = NormalizeOptions {
            strip_diacritics: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize("كَتب", &o).text(), "كَتب");
        assert_eq!(
            normalize("أَحمدـ ٣", &NormalizeOptions::none()).text(),
            "أَحمدـ ٣"
        );
    }

    #[test]
    fn nfkc_presentation_forms_and_ligatures() {
        assert_eq!(norm("ﻻ"), "لا");
        assert_eq!(norm("ﷲ"), "الله");
        assert_eq!(norm("ﺑﻴﺖ"), "بيت");
        // Decomposed hamza composes before marks are stripped: ا + U+0654 → أ → ا
        assert_eq!(norm("\u{0627}\u{0654}حمد"), "احمد");
        let o = NormalizeOptions {
            unify_alef: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize("\u{0627}\u{0654}حمد", &o).text(), "أحمد");
        assert_eq!(normalize("\u{064A}\u{0654}", &o).text(), "ئ");
    }

    #[test]
    fn digits_to_ascii() {
        assert_eq!(norm("٢٠١٥ و۱۴۰۲"), "2015 و1402");
        assert_eq!(norm("٣٫٥"), "3.5");
    }

    #[test]
    fn drops_invisibles() {
        assert_eq!(norm("\u{200F}سوريا\u{200C}\u{FEFF}"), "سوريا");
        assert_eq!(norm("a\u{00AD}b"), "ab");
    }

    #[test]
    fn alignment_maps_back() {
        let src = "قَالَ الرَّئِيسُ";
        let n = normalize(src, &NormalizeOptions::default());
        assert_eq!(n.text(), "قال الرئيس");
        // "الرئيس" is normalized chars 4..10
        let (s, e) = n.original_span(4, 10);
        let orig: String = src.chars().skip(s).take(e - s).collect();
        assert_eq!(orig, "الرَّئِيسُ");
        // ligature expands: both output chars map to the single original char
        let n = normalize("ﻻ", &NormalizeOptions::default());
        assert_eq!(n.alignments(), &[(0, 1), (0, 1)]);
        // empty spans
        assert_eq!(n.original_span(2, 2), (1, 1));
    }

    #[test]
    fn lowercase_for_search() {
        let n = normalize("Reuters رويترز", &NormalizeOptions::search());
        assert_eq!(n.text(), "reuters رويترز");
    }
}
