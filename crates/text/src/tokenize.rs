//! The tokenizer: Arabic and Latin words, numbers, punctuation, URLs, e-mails, hashtags and
//! @mentions, with char offsets into the original text.
//!
//! Hand-written, single pass over the chars: a regex set would be easier to read but costs
//! several times the throughput khabar's benchmark asks for, and the rules below need
//! look-ahead (numbers with separators, URLs with trailing punctuation) that is simple here.
//!
//! ```
//! use khabar_text::tokenize::{tokenize, TokenKind};
//! let t = tokenize("قال: «ارتفع ٣٫٥٪»");
//! let words: Vec<_> = t.iter().map(|t| (t.kind, t.text("قال: «ارتفع ٣٫٥٪»"))).collect();
//! assert_eq!(words[0], (TokenKind::Word, "قال"));
//! assert_eq!(words[4], (TokenKind::Number, "٣٫٥"));
//! ```

use crate::chars::{is_arabic_letter, is_arabic_word_char, is_digit, is_invisible, is_punct};
use serde::{Deserialize, Serialize};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// An Arabic-script word.
    Word,
    /// A Latin-script (or other non-Arabic alphabetic) word.
    Latin,
    /// A number: `2015`, `1,234.5`, `٣٫٥`.
    Number,
    /// Punctuation; runs of `.`, `!`, `?`/`؟` are one token (`..`, `؟!`).
    Punct,
    /// `https://…`, `www.…`
    Url,
    /// `name@example.org`
    Email,
    /// `#وسم`
    Hashtag,
    /// `@user`
    Mention,
    /// Anything else: symbols, emoji.
    Symbol,
}

/// A token's position in the text: byte offsets (for slicing) and char offsets (for output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawToken {
    /// What the token is.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub byte_start: usize,
    /// Byte offset one past the last byte.
    pub byte_end: usize,
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
}

impl RawToken {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.byte_start..self.byte_end]
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<RawToken> {
    let mut out = Vec::with_capacity(text.len() / 8);
    for_each_token(text, |t| out.push(t));
    out
}

/// A cursor over the chars of the text, tracking byte and char positions.
struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    chars: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn peek(&self) -> Option<char> {
        peek_at(self.text, self.pos)
    }

    #[inline]
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        self.chars += 1;
        Some(c)
    }

    /// The char after the next one.
    #[inline]
    fn peek2(&self) -> Option<char> {
        let c = self.peek()?;
        peek_at(self.text, self.pos + c.len_utf8())
    }

    fn starts_with_ignore_ascii_case(&self, prefix: &str) -> bool {
        let rest = &self.bytes[self.pos..];
        rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    }
}

#[inline]
fn peek_at(text: &str, pos: usize) -> Option<char> {
    let b = *text.as_bytes().get(pos)?;
    if b < 0x80 {
        Some(b as char)
    } else {
        text[pos..].chars().next()
    }
}

#[inline]
fn is_latin_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_arabic_letter(c) && !is_digit(c)
        || (!c.is_ascii() && !is_arabic_word_char(c) && is_combining_latin(c))
}

#[inline]
fn is_combining_latin(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

#[inline]
fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// Calls `f` for every token of `text`, in order. No allocation.
pub fn for_each_token(text: &str, mut f: impl FnMut(RawToken)) {
    let mut cur = Cursor {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        chars: 0,
    };
    while let Some(c) = cur.peek() {
        let (byte_start, start) = (cur.pos, cur.chars);
        if c.is_whitespace() || is_invisible(c) {
            cur.bump();
            continue;
        }
        let kind = if is_arabic_word_char(c) {
            scan_arabic_word(&mut cur);
            TokenKind::Word
        } else if is_digit(c) {
            scan_number(&mut cur);
            TokenKind::Number
        } else if c.is_ascii_alphabetic()
            && (cur.starts_with_ignore_ascii_case("http://")
                || cur.starts_with_ignore_ascii_case("https://")
                || cur.starts_with_ignore_ascii_case("www."))
        {
            scan_url(&mut cur);
            TokenKind::Url
        } else if c.is_ascii_alphanumeric() && email_end(&cur).is_some() {
            let end = email_end(&cur).unwrap_or(cur.pos);
            while cur.pos < end {
                cur.bump();
            }
            TokenKind::Email
        } else if c.is_alphabetic() {
            scan_latin_word(&mut cur);
            TokenKind::Latin
        } else if c == '#' && cur.peek2().is_some_and(is_tag_char) {
            cur.bump();
            while cur.peek().is_some_and(is_tag_char) {
                cur.bump();
            }
            TokenKind::Hashtag
        } else if c == '@'
            && cur
                .peek2()
                .is_some_and(|d| d.is_ascii_alphanumeric() || d == '_')
        {
            cur.bump();
            while cur
                .peek()
                .is_some_and(|d| d.is_ascii_alphanumeric() || d == '_')
            {
                cur.bump();
            }
            TokenKind::Mention
        } else if is_punct(c) {
            cur.bump();
            match c {
                '.' => {
                    while cur.peek() == Some('.') {
                        cur.bump();
                    }
                }
                '!' | '?' | '؟' => {
                    while cur.peek().is_some_and(|d| matches!(d, '!' | '?' | '؟')) {
                        cur.bump();
                    }
                }
                _ => {}
            }
            TokenKind::Punct
        } else {
            cur.bump();
            TokenKind::Symbol
        };
        f(RawToken {
            kind,
            byte_start,
            byte_end: cur.pos,
            start,
            end: cur.chars,
        });
    }
}

#[inline]
fn is_tag_char(c: char) -> bool {
    c == '_' || is_arabic_word_char(c) || c.is_alphanumeric()
}

fn scan_arabic_word(cur: &mut Cursor<'_>) {
    cur.bump();
    loop {
        match cur.peek() {
            Some(c) if is_arabic_word_char(c) => {
                cur.bump();
            }
            // ZWNJ/ZWJ inside a word (Persian spelling, some keyboards) keep it whole.
            Some('\u{200C}' | '\u{200D}') if cur.peek2().is_some_and(is_arabic_word_char) => {
                cur.bump();
            }
            _ => break,
        }
    }
}

fn scan_number(cur: &mut Cursor<'_>) {
    while cur.peek().is_some_and(is_digit) {
        cur.bump();
    }
    // 1,234.5 / ٣٫٥ / ١٬٠٠٠: a separator joins digits only when a digit follows it.
    while let Some(sep @ ('.' | ',' | '٫' | '٬')) = cur.peek() {
        let _ = sep;
        if !cur.peek2().is_some_and(is_digit) {
            break;
        }
        cur.bump();
        while cur.peek().is_some_and(is_digit) {
            cur.bump();
        }
    }
}

fn scan_latin_word(cur: &mut Cursor<'_>) {
    cur.bump();
    loop {
        match cur.peek() {
            Some(c) if is_latin_word_char(c) || c.is_ascii_digit() => {
                cur.bump();
            }
            // l'Aube, don't: an apostrophe between letters stays inside the word.
            Some('\'' | '’')
                if cur
                    .peek2()
                    .is_some_and(|d| d.is_alphabetic() && !is_arabic_letter(d)) =>
            {
                cur.bump();
            }
            _ => break,
        }
    }
}

fn scan_url(cur: &mut Cursor<'_>) {
    let start = cur.pos;
    let mut last_good = cur.pos;
    let mut last_good_chars = cur.chars;
    while let Some(c) = cur.peek() {
        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '«' | '»' | '“' | '”') {
            break;
        }
        cur.bump();
        // Trailing punctuation belongs to the sentence, not the URL.
        if !matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\'' | '،' | '؛' | '؟'
        ) {
            last_good = cur.pos;
            last_good_chars = cur.chars;
        }
    }
    if last_good > start {
        cur.pos = last_good;
        cur.chars = last_good_chars;
    }
}

/// If an e-mail address starts at the cursor, the byte offset where it ends.
fn email_end(cur: &Cursor<'_>) -> Option<usize> {
    let b = cur.bytes;
    let mut i = cur.pos;
    while i < b.len() && is_email_local(b[i] as char) {
        i += 1;
    }
    if i == cur.pos || i >= b.len() || b[i] != b'@' {
        return None;
    }
    i += 1;
    let domain_start = i;
    let mut last_dot = None;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b'.') {
        if b[i] == b'.' {
            last_dot = Some(i);
        }
        i += 1;
    }
    // Trailing dot is sentence punctuation.
    while i > domain_start && b[i - 1] == b'.' {
        i -= 1;
        if last_dot == Some(i) {
            last_dot = b[domain_start..i]
                .iter()
                .rposition(|&x| x == b'.')
                .map(|p| p + domain_start);
        }
    }
    let dot = last_dot?;
    let tld = &b[dot + 1..i];
    (dot > domain_start && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(TokenKind, &str)> {
        tokenize(s).iter().map(|t| (t.kind, t.text(s))).collect()
    }

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn arabic_words_and_punctuation() {
        assert_eq!(
            texts("قال الوزير، إن الوضع مستقر؛ أليس كذلك؟"),
            [
                "قال",
                "الوزير",
                "،",
                "إن",
                "الوضع",
                "مستقر",
                "؛",
                "أليس",
                "كذلك",
                "؟"
            ]
        );
    }

    #[test]
    fn diacritics_and_tatweel_stay_inside_words() {
        assert_eq!(texts("مُحَمَّدٌ عـــربي"), ["مُحَمَّدٌ", "عـــربي"]);
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("بلغ 1,234.5 و٣٫٥ و١٬٠٠٠ عام 2015."),
            [
                (TokenKind::Word, "بلغ"),
                (TokenKind::Number, "1,234.5"),
                (TokenKind::Word, "و"),
                (TokenKind::Number, "٣٫٥"),
                (TokenKind::Word, "و"),
                (TokenKind::Number, "١٬٠٠٠"),
                (TokenKind::Word, "عام"),
                (TokenKind::Number, "2015"),
                (TokenKind::Punct, "."),
            ]
        );
        assert_eq!(texts("10/10/1436هـ"), ["10", "/", "10", "/", "1436", "هـ"]);
        assert_eq!(texts("50%"), ["50", "%"]);
    }

    #[test]
    fn quotes_and_ellipses() {
        assert_eq!(
            texts("«نعم».. “لا” „ربما“ …"),
            ["«", "نعم", "»", "..", "“", "لا", "”", "„", "ربما", "“", "…"]
        );
        assert_eq!(texts("حقا؟! نعم!!"), ["حقا", "؟!", "نعم", "!!"]);
    }

    #[test]
    fn urls_emails_hashtags_mentions() {
        assert_eq!(
            toks("زوروا https://example.org/ar/خبر?id=5. وراسلونا على info@example.org، #عاجل_الآن @khabar_news"),
            [
                (TokenKind::Word, "زوروا"),
                (TokenKind::Url, "https://example.org/ar/خبر?id=5"),
                (TokenKind::Punct, "."),
                (TokenKind::Word, "وراسلونا"),
                (TokenKind::Word, "على"),
                (TokenKind::Email, "info@example.org"),
                (TokenKind::Punct, "،"),
                (TokenKind::Hashtag, "#عاجل_الآن"),
                (TokenKind::Mention, "@khabar_news"),
            ]
        );
        assert_eq!(toks("www.example.com")[0].0, TokenKind::Url);
    }

    #[test]
    fn latin_words() {
        assert_eq!(
            texts("فيلم Demain Dès l'Aube F16"),
            ["فيلم", "Demain", "Dès", "l'Aube", "F16"]
        );
    }

    #[test]
    fn char_offsets() {
        let s = "في «بيروت» 3";
        let t = tokenize(s);
        assert_eq!((t[2].start, t[2].end), (4, 9));
        let chars: Vec<char> = s.chars().collect();
        for tok in &t {
            let from_chars: String = chars[tok.start..tok.end].iter().collect();
            assert_eq!(from_chars, tok.text(s));
        }
    }

    #[test]
    fn invisible_and_whitespace_skipped() {
        assert_eq!(
            texts("\u{200F}سوريا\u{00A0}\u{200B} لبنان\n"),
            ["سوريا", "لبنان"]
        );
    }
}
