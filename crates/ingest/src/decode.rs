//! Turning the bytes of a text article into a `String`.
//!
//! Arabic news text in the wild arrives as UTF-8 (with or without a byte-order mark), as UTF-16
//! from Windows tools (always with a BOM in practice) and as legacy Windows-1256 from older
//! Gulf and Levant sites. [`decode`] recognises these and refuses anything that looks like
//! binary data instead of silently producing mojibake.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The character encoding an input was decoded from.
///
/// Displays (and serializes) as its conventional label: `"utf-8"`, `"utf-8-bom"`, `"utf-16le"`,
/// `"utf-16be"`, `"windows-1256"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF` (the mark is not part of the text).
    Utf8Bom,
    /// UTF-16 little-endian, recognised by the byte-order mark `FF FE`.
    Utf16Le,
    /// UTF-16 big-endian, recognised by the byte-order mark `FE FF`.
    Utf16Be,
    /// The legacy Arabic Windows code page (cp1256).
    Windows1256,
}

impl Encoding {
    /// All encodings, in a stable order.
    pub const ALL: [Encoding; 5] = [
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1256,
    ];

    /// The label used by `Display` and serde, e.g. `"windows-1256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1256 => "windows-1256",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when parsing an unknown encoding label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding `{0}` (expected utf-8, utf-8-bom, utf-16le, utf-16be or windows-1256)")]
pub struct ParseEncodingError(pub String);

impl FromStr for Encoding {
    type Err = ParseEncodingError;

    /// Accepts the labels produced by `Display` (case-insensitively) and a few common aliases
    /// (`utf8`, `cp1256`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let encoding = match lower.as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "utf-8-bom" | "utf8-bom" => Encoding::Utf8Bom,
            "utf-16le" | "utf16le" => Encoding::Utf16Le,
            "utf-16be" | "utf16be" => Encoding::Utf16Be,
            "windows-1256" | "cp1256" => Encoding::Windows1256,
            _ => return Err(ParseEncodingError(s.to_owned())),
        };
        Ok(encoding)
    }
}

impl Serialize for Encoding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Encoding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let label = Cow::<str>::deserialize(deserializer)?;
        label.parse().map_err(serde::de::Error::custom)
    }
}

/// Why some bytes could not be decoded as text. Every variant carries the byte offset (from the
/// start of the input, byte-order mark included) of the first offending byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input starts with a UTF-8 byte-order mark but is not valid UTF-8.
    #[error("invalid UTF-8 (after a UTF-8 byte-order mark) at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first byte that is not part of a valid UTF-8 sequence.
        offset: usize,
    },
    /// The input starts with a UTF-16 byte-order mark but is not valid UTF-16.
    #[error("invalid {encoding} at byte {offset}: {problem}")]
    InvalidUtf16 {
        /// [`Encoding::Utf16Le`] or [`Encoding::Utf16Be`].
        encoding: Encoding,
        /// Offset of the first byte of the offending code unit.
        offset: usize,
        /// What is wrong, e.g. "unpaired surrogate".
        problem: &'static str,
    },
    /// The input contains NUL or many other control characters: it is binary data (or text in
    /// an encoding we do not support, such as UTF-16 without a byte-order mark).
    #[error("binary data, not text: control character U+{:04X} at byte {offset}", u32::from(*.control))]
    Binary {
        /// Offset of the first control character.
        offset: usize,
        /// The first control character found.
        control: char,
    },
    /// Not UTF-8, and the bytes do not look like Windows-1256 Arabic text either.
    #[error(
        "unknown encoding: byte 0x{byte:02X} at byte {offset} is not valid UTF-8 \
         and the text does not look like Windows-1256 Arabic"
    )]
    UnknownEncoding {
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
        /// The byte at that offset.
        byte: u8,
    },
}

impl DecodeError {
    /// Byte offset of the first offending byte in the input.
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::InvalidUtf8 { offset }
            | DecodeError::InvalidUtf16 { offset, .. }
            | DecodeError::Binary { offset, .. }
            | DecodeError::UnknownEncoding { offset, .. } => offset,
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// Decodes a whole text file.
///
/// * A byte-order mark decides: `EF BB BF` → [`Encoding::Utf8Bom`], `FF FE` →
///   [`Encoding::Utf16Le`], `FE FF` → [`Encoding::Utf16Be`]. The mark is dropped from the text.
/// * Otherwise valid UTF-8 is [`Encoding::Utf8`].
/// * Otherwise the bytes are decoded as [`Encoding::Windows1256`], but only when most of their
///   non-ASCII bytes are Arabic letters or Arabic punctuation in that code page: every byte
///   value means *something* in Windows-1256, so accepting everything would turn any binary or
///   Latin-1 file into confident garbage.
///
/// Text containing NUL, or more than 1 % of other control characters (tab, line feed, carriage
/// return and form feed excepted), is rejected as [`DecodeError::Binary`].
///
/// ```
/// use khabar_ingest::{decode, Encoding};
/// let bytes = encoding_rs::WINDOWS_1256.encode("خبر عاجل").0;
/// assert_eq!(decode(&bytes).unwrap(), ("خبر عاجل".to_string(), Encoding::Windows1256));
/// ```
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        let text = std::str::from_utf8(rest).map_err(|e| DecodeError::InvalidUtf8 {
            offset: UTF8_BOM.len() + e.valid_up_to(),
        })?;
        check_control_bytes(rest, UTF8_BOM.len())?;
        return Ok((text.to_owned(), Encoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return decode_utf16(rest, Encoding::Utf16Le).map(|text| (text, Encoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        return decode_utf16(rest, Encoding::Utf16Be).map(|text| (text, Encoding::Utf16Be));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            check_control_bytes(bytes, 0)?;
            Ok((text.to_owned(), Encoding::Utf8))
        }
        Err(e) => {
            // Binary first: garbage is better reported as "binary" than as "unknown encoding".
            check_control_bytes(bytes, 0)?;
            let offset = e.valid_up_to();
            let (text, _) = encoding_rs::WINDOWS_1256.decode_without_bom_handling(bytes);
            if looks_like_arabic(&text) {
                Ok((text.into_owned(), Encoding::Windows1256))
            } else {
                Err(DecodeError::UnknownEncoding {
                    offset,
                    byte: bytes[offset],
                })
            }
        }
    }
}

/// Decodes UTF-16 code units (byte-order mark already stripped); offsets in errors count the
/// two-byte mark.
fn decode_utf16(bytes: &[u8], encoding: Encoding) -> Result<String, DecodeError> {
    const BOM_LEN: usize = 2;
    if bytes.len() % 2 == 1 {
        return Err(DecodeError::InvalidUtf16 {
            encoding,
            offset: BOM_LEN + bytes.len() - 1,
            problem: "odd number of bytes (truncated code unit)",
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if encoding == Encoding::Utf16Be {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len());
    let mut controls = ControlCounter::default();
    let mut unit_index = 0usize;
    for decoded in char::decode_utf16(units) {
        let offset = BOM_LEN + 2 * unit_index;
        let c = decoded.map_err(|_| DecodeError::InvalidUtf16 {
            encoding,
            offset,
            problem: "unpaired surrogate",
        })?;
        controls.see(c, offset)?;
        unit_index += c.len_utf16();
        text.push(c);
    }
    controls.finish(unit_index)?;
    Ok(text)
}

/// Control-character check over bytes. Only bytes below 0x80 can be C0 controls, and they mean
/// the same in UTF-8 and Windows-1256, so checking raw bytes works for both.
fn check_control_bytes(bytes: &[u8], base_offset: usize) -> Result<(), DecodeError> {
    let mut controls = ControlCounter::default();
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 || b == 0x7F {
            controls.see(char::from(b), base_offset + i)?;
        }
    }
    controls.finish(bytes.len())
}

/// Counts suspicious control characters; NUL fails immediately.
#[derive(Default)]
struct ControlCounter {
    count: usize,
    first: Option<(usize, char)>,
}

impl ControlCounter {
    fn see(&mut self, c: char, offset: usize) -> Result<(), DecodeError> {
        let is_c0_or_del = c < ' ' || c == '\u{7F}';
        // Tab, LF, CR and form feed (page breaks in old exports) are normal in text.
        if !is_c0_or_del || matches!(c, '\t' | '\n' | '\r' | '\u{0C}') {
            return Ok(());
        }
        self.count += 1;
        let (first_offset, first_control) = *self.first.get_or_insert((offset, c));
        if c == '\0' {
            // Text never contains NUL; it is the signature of binary data or BOM-less UTF-16.
            // Report the first bad byte, which may be an earlier control character.
            return Err(DecodeError::Binary {
                offset: first_offset,
                control: first_control,
            });
        }
        Ok(())
    }

    /// `total` is the size of the text in bytes or code units; short texts are judged as if
    /// they were 100 long so that one stray control byte in a headline is tolerated.
    fn finish(self, total: usize) -> Result<(), DecodeError> {
        match self.first {
            Some((offset, control)) if self.count * 100 > total.max(100) => {
                Err(DecodeError::Binary { offset, control })
            }
            _ => Ok(()),
        }
    }
}

/// Whether text decoded as Windows-1256 plausibly is Arabic: at least 70 % of its non-ASCII
/// characters must be Arabic letters, marks or punctuation (or the few typographic characters
/// that accompany them). Random bytes land on Arabic about half the time, Latin-1 text almost
/// never.
fn looks_like_arabic(text: &str) -> bool {
    let mut non_ascii = 0usize;
    let mut arabic = 0usize;
    for c in text.chars().filter(|c| !c.is_ascii()) {
        non_ascii += 1;
        if matches!(c,
            '\u{0600}'..='\u{06FF}'              // Arabic block: letters, harakat, ، ؛ ؟
            | '\u{FB50}'..='\u{FDFF}'            // presentation forms A
            | '\u{FE70}'..='\u{FEFF}'            // presentation forms B
            | '\u{00A0}' | '\u{00AB}' | '\u{00BB}' // NBSP, « »
            | '\u{200C}'..='\u{200F}'            // ZWNJ, ZWJ, LRM, RLM
        ) {
            arabic += 1;
        }
    }
    non_ascii > 0 && arabic * 10 >= non_ascii * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCE: &str = "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في مدينة صفاقس.";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&pair);
        }
        out
    }

    #[test]
    fn plain_utf8() {
        let (text, enc) = decode(SENTENCE.as_bytes()).unwrap();
        assert_eq!(text, SENTENCE);
        assert_eq!(enc, Encoding::Utf8);
    }

    #[test]
    fn empty_input_is_utf8() {
        assert_eq!(decode(b"").unwrap(), (String::new(), Encoding::Utf8));
    }

    #[test]
    fn utf8_with_bom_drops_the_mark() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(SENTENCE.as_bytes());
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, SENTENCE);
        assert_eq!(enc, Encoding::Utf8Bom);
        assert!(!text.starts_with('\u{FEFF}'));
    }

    #[test]
    fn utf8_bom_followed_by_invalid_utf8_reports_offset() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice("نص".as_bytes()); // 4 bytes
        bytes.push(0xFF);
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { offset: 7 });
        assert_eq!(err.offset(), 7);
    }

    #[test]
    fn utf16_little_endian() {
        let (text, enc) = decode(&utf16(SENTENCE, false)).unwrap();
        assert_eq!(text, SENTENCE);
        assert_eq!(enc, Encoding::Utf16Le);
    }

    #[test]
    fn utf16_big_endian_with_astral_char() {
        let input = format!("{SENTENCE} 📰\n");
        let (text, enc) = decode(&utf16(&input, true)).unwrap();
        assert_eq!(text, input);
        assert_eq!(enc, Encoding::Utf16Be);
    }

    #[test]
    fn utf16_odd_length_is_an_error() {
        let mut bytes = utf16("خبر", false);
        bytes.push(0x41);
        let err = decode(&bytes).unwrap_err();
        assert!(
            matches!(err, DecodeError::InvalidUtf16 { encoding: Encoding::Utf16Le, offset, .. } if offset == bytes.len() - 1),
            "{err:?}"
        );
    }

    #[test]
    fn utf16_unpaired_surrogate_reports_offset() {
        let mut bytes = utf16("خبر", false); // BOM + 3 units = 8 bytes
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        bytes.extend_from_slice(&0x0041u16.to_le_bytes());
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            DecodeError::InvalidUtf16 {
                encoding: Encoding::Utf16Le,
                offset: 8,
                problem: "unpaired surrogate"
            }
        );
    }

    #[test]
    fn windows_1256_arabic() {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(SENTENCE);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, SENTENCE);
        assert_eq!(enc, Encoding::Windows1256);
    }

    #[test]
    fn windows_1256_with_crlf_and_punctuation() {
        let input = "عنوان الخبر\r\n\r\nهل انتهت الأزمة؟ قال الوزير: «نعم»، ثم غادر.\r\n";
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(input);
        assert!(!unmappable);
        assert_eq!(
            decode(&bytes).unwrap(),
            (input.to_owned(), Encoding::Windows1256)
        );
    }

    #[test]
    fn latin1_text_is_not_mistaken_for_windows_1256() {
        // "café crème à la française" in ISO-8859-1: é is 0xE9 at byte 3.
        let bytes = b"caf\xE9 cr\xE8me \xE0 la fran\xE7aise".to_vec();
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            DecodeError::UnknownEncoding {
                offset: 3,
                byte: 0xE9
            }
        );
    }

    #[test]
    fn nul_rich_binary_is_rejected_with_first_offset() {
        let bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
        let err = decode(bytes).unwrap_err();
        // 0x1A at byte 6 is the first bad byte; the NUL at byte 8 is what condemns the input.
        assert_eq!(
            err,
            DecodeError::Binary {
                offset: 6,
                control: '\u{1A}'
            }
        );
        assert_eq!(
            err.to_string(),
            "binary data, not text: control character U+001A at byte 6"
        );
    }

    #[test]
    fn control_heavy_ascii_is_rejected_even_though_valid_utf8() {
        let bytes: Vec<u8> = (0..400u32)
            .map(|i| if i % 10 == 3 { 0x01 } else { b'a' })
            .collect();
        assert!(std::str::from_utf8(&bytes).is_ok());
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Binary {
                offset: 3,
                control: '\u{1}'
            }
        );
    }

    #[test]
    fn one_stray_control_in_real_text_is_tolerated() {
        let input = format!("{SENTENCE}\u{1A}");
        assert_eq!(decode(input.as_bytes()).unwrap().0, input);
    }

    #[test]
    fn utf16_without_bom_is_binary() {
        let bytes: Vec<u8> = "news".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(
            decode(&bytes),
            Err(DecodeError::Binary {
                offset: 1,
                control: '\0'
            })
        );
    }

    #[test]
    fn pseudo_random_garbage_is_rejected() {
        // Deterministic xorshift noise: invalid UTF-8, full of controls.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let err = decode(&bytes).unwrap_err();
        let first_control = bytes
            .iter()
            .position(|&b| (b < 0x20 && !b"\t\n\r\x0c".contains(&b)) || b == 0x7F)
            .unwrap();
        assert!(matches!(err, DecodeError::Binary { .. }), "{err:?}");
        assert_eq!(err.offset(), first_control);
    }

    #[test]
    fn encoding_labels_round_trip() {
        for enc in Encoding::ALL {
            assert_eq!(enc.to_string().parse::<Encoding>().unwrap(), enc);
            let json = serde_json::to_string(&enc).unwrap();
            assert_eq!(json, format!("\"{enc}\""));
            assert_eq!(serde_json::from_str::<Encoding>(&json).unwrap(), enc);
        }
        assert_eq!(Encoding::Windows1256.to_string(), "windows-1256");
        assert_eq!(Encoding::Utf8Bom.to_string(), "utf-8-bom");
        assert!("latin-1".parse::<Encoding>().is_err());
    }
}
