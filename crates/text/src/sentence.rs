//! Sentence splitting over the token stream.
//!
//! A sentence ends at `.`, `!`, `?`, `؟`, `…` (and runs of them) and at every line break —
//! but not inside a number (the tokenizer keeps `3.5` whole), after an abbreviation
//! (`د.`, `Mr.`), inside a URL (one token), or inside a quotation that continues after the
//! mark: «سجنت ثلاث مرات.. أردت أن أرى» is one sentence. Closing quotes and brackets right
//! after the mark stay with the sentence they close.

use crate::tokenize::{RawToken, TokenKind};

/// A span of chars, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// Arabic and Latin abbreviations that end with a dot without ending the sentence.
/// (م and هـ after a year usually do end the sentence, so they are not here.) Single Latin
/// letters (initials: J. K.) are abbreviations too.
const ABBREVIATIONS: &[&str] = &[
    "د", "أ", "ص", "ب", "ق", "ج", "س", "ت", "ش", "ع", "ك", "Mr", "Mrs", "Ms", "Dr", "Prof", "St",
    "Jr", "Sr", "Inc", "Ltd", "Co", "vs", "etc", "No",
];

/// The longest a quotation may run before khabar stops treating its marks as internal.
const MAX_QUOTE_CHARS: usize = 1500;

fn is_opening_quote(s: &str) -> bool {
    matches!(s, "«" | "“" | "„" | "‹")
}

fn is_closing_quote(s: &str) -> bool {
    matches!(s, "»" | "”" | "›")
}

fn is_terminal(s: &str) -> bool {
    s.starts_with('.') || s.starts_with('!') || s.starts_with('?') || s.starts_with('؟') || s == "…"
}

fn is_closer(s: &str) -> bool {
    matches!(s, "»" | "”" | "\"" | "'" | "’" | ")" | "]" | "›" | "“")
}

/// Splits the tokens of `text` into sentences.
pub fn split_sentences(text: &str, tokens: &[RawToken]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut first: Option<usize> = None;
    let mut quote_open_at: Option<usize> = None; // token index of the open quote
    let mut straight_open = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let s = t.text(text);
        // A line break before this token closes the running sentence.
        if let Some(f) = first {
            let gap = &text[tokens[i - 1].byte_end..t.byte_start];
            if gap.contains('\n') {
                out.push(Span {
                    start: tokens[f].start,
                    end: tokens[i - 1].end,
                });
                first = None;
                quote_open_at = None;
                straight_open = false;
            }
        }
        if first.is_none() {
            first = Some(i);
        }
        if t.kind == TokenKind::Punct {
            if is_opening_quote(s) {
                quote_open_at = Some(i);
            } else if is_closing_quote(s) {
                quote_open_at = None;
            } else if s == "\"" {
                straight_open = !straight_open;
                quote_open_at = if straight_open { Some(i) } else { None };
            }
            if is_terminal(s) && !is_abbreviation(text, tokens, i) {
                let inside_quote =
                    quote_open_at.is_some_and(|q| quote_continues(text, tokens, q, i));
                if !inside_quote {
                    let mut end = i;
                    while end + 1 < tokens.len()
                        && tokens[end + 1].kind == TokenKind::Punct
                        && is_closer(tokens[end + 1].text(text))
                        && tokens[end + 1].start == tokens[end].end
                    {
                        end += 1;
                        let c = tokens[end].text(text);
                        if c == "\"" {
                            straight_open = false;
                        }
                        if is_closing_quote(c) || c == "\"" {
                            quote_open_at = None;
                        }
                    }
                    // a quote left open by a sentence that ended is dropped
                    if quote_open_at.is_some() {
                        quote_open_at = None;
                        straight_open = false;
                    }
                    out.push(Span {
                        start: tokens[first.unwrap_or(i)].start,
                        end: tokens[end].end,
                    });
                    first = None;
                    i = end + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    if let Some(f) = first {
        out.push(Span {
            start: tokens[f].start,
            end: tokens[tokens.len() - 1].end,
        });
    }
    out
}

/// A dot right after a known abbreviation or an initial, with no space between.
fn is_abbreviation(text: &str, tokens: &[RawToken], i: usize) -> bool {
    if tokens[i].text(text) != "." || i == 0 {
        return false;
    }
    let prev = tokens[i - 1];
    if prev.end != tokens[i].start || !matches!(prev.kind, TokenKind::Word | TokenKind::Latin) {
        return false;
    }
    let w = prev.text(text);
    // the abbreviation must itself start a word (not "ق" at the end of a longer token)
    let starts_word = i < 2 || tokens[i - 2].end < prev.start || tokens[i - 2].text(text) == ".";
    let initial = prev.kind == TokenKind::Latin && w.chars().count() == 1;
    starts_word && (initial || ABBREVIATIONS.contains(&w))
}

/// True if the quotation opened at token `open` closes later in the same paragraph, after `at`.
fn quote_continues(text: &str, tokens: &[RawToken], open: usize, at: usize) -> bool {
    let open_tok = tokens[open];
    let opener = open_tok.text(text);
    for (j, t) in tokens.iter().enumerate().skip(at + 1) {
        if t.start - open_tok.start > MAX_QUOTE_CHARS {
            return false;
        }
        if text[tokens[j - 1].byte_end..t.byte_start].contains('\n') {
            return false;
        }
        let s = t.text(text);
        let closes = match opener {
            "\"" => s == "\"",
            _ => is_closing_quote(s) || (opener == "„" && s == "“"),
        };
        if closes {
            // Only marks that are followed by more quoted words are internal.
            return j > at + 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn sentences(text: &str) -> Vec<String> {
        let toks = tokenize(text);
        let chars: Vec<char> = text.chars().collect();
        split_sentences(text, &toks)
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect())
            .collect()
    }

    #[test]
    fn splits_on_terminal_marks_and_newlines() {
        assert_eq!(
            sentences("وصل الوفد. بدأت المحادثات! هل انتهت؟ ربما…\nعنوان آخر"),
            [
                "وصل الوفد.",
                "بدأت المحادثات!",
                "هل انتهت؟",
                "ربما…",
                "عنوان آخر"
            ]
        );
    }

    #[test]
    fn not_inside_numbers_urls_or_abbreviations() {
        assert_eq!(
            sentences("ارتفع المؤشر 3.5 نقطة. زار د. أحمد الموقع www.example.com اليوم."),
            [
                "ارتفع المؤشر 3.5 نقطة.",
                "زار د. أحمد الموقع www.example.com اليوم."
            ]
        );
    }

    #[test]
    fn quotation_that_continues_is_one_sentence() {
        assert_eq!(
            sentences("وقال: «تعبنا.. نريد السلام. لا شيء غيره». ثم غادر."),
            ["وقال: «تعبنا.. نريد السلام. لا شيء غيره».", "ثم غادر."]
        );
        assert_eq!(
            sentences("وقال: \"تعبنا.. نريد السلام\". ثم غادر."),
            ["وقال: \"تعبنا.. نريد السلام\".", "ثم غادر."]
        );
    }

    #[test]
    fn closing_quote_stays_with_its_sentence() {
        assert_eq!(
            sentences("قالت: «انتهى الأمر.» وغادرت."),
            ["قالت: «انتهى الأمر.»", "وغادرت."]
        );
    }

    #[test]
    fn unclosed_quote_does_not_swallow_the_paragraph() {
        assert_eq!(
            sentences("قال «لن نتراجع. الأمر محسوم. انتهى"),
            ["قال «لن نتراجع.", "الأمر محسوم.", "انتهى"]
        );
    }

    #[test]
    fn empty_and_blank() {
        assert!(sentences("").is_empty());
        assert!(sentences("  \n ").is_empty());
        assert_eq!(sentences("..."), ["..."]);
    }
}
