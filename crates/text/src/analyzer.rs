//! [`TextAnalyzer`]: tokenize → normalize → segment → stem, in one pass.

use crate::lexicon::Lexicon;
use crate::normalize::{normalize_aligned_into, NormalizeOptions};
use crate::segment::{SegmentKind, Split};
use crate::sentence::{split_sentences, Span};
use crate::stem::light_stem;
use crate::tokenize::{for_each_token, tokenize, RawToken, TokenKind};
use std::sync::OnceLock;

/// One segment of a token (a clitic or the stem), with char offsets into the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The segment's normalized text.
    pub text: String,
    /// Proclitic, stem or enclitic.
    pub kind: SegmentKind,
    /// First char in the original text.
    pub start: usize,
    /// One past the last char in the original text.
    pub end: usize,
}

/// An analyzed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// First char in the original text.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
    /// Normalized form ([`NormalizeOptions::default`]).
    pub norm: String,
    /// Clitic segments, in order; a single stem segment for unsplit words.
    pub segments: Vec<Segment>,
    /// Light stem of the stem segment.
    pub stem: String,
    /// Search key: the stem folded further (ة → ه, ؤ/ئ → ء, lowercase).
    pub key: String,
}

impl Token {
    /// The stem segment (every token has exactly one).
    pub fn stem_segment(&self) -> &Segment {
        self.segments
            .iter()
            .find(|s| s.kind == SegmentKind::Stem)
            .unwrap_or(&self.segments[0])
    }
}

/// The analysis of one isolated word (see [`TextAnalyzer::analyze_word`]); segment offsets
/// are chars within the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordAnalysis {
    /// Normalized form.
    pub norm: String,
    /// Segments with offsets into the word.
    pub segments: Vec<Segment>,
    /// Light stem.
    pub stem: String,
    /// Search key.
    pub key: String,
}

/// A borrowed view of one analyzed token, handed to [`TextAnalyzer::for_each_token`]
/// callbacks; nothing is allocated per token.
#[derive(Debug, Clone, Copy)]
pub struct TokenView<'a> {
    /// Position and kind.
    pub raw: RawToken,
    /// Original text of the token.
    pub text: &'a str,
    /// Normalized form.
    pub norm: &'a str,
    /// How `norm` splits into clitics and stem.
    pub split: Split,
    /// Light stem.
    pub stem: &'a str,
    /// Search key.
    pub key: &'a str,
    /// For each char of `norm`, its span in the original text (absolute char offsets).
    pub alignments: &'a [(u32, u32)],
}

impl TokenView<'_> {
    /// The segments: (kind, normalized text, original start, original end).
    pub fn segments(&self) -> impl Iterator<Item = (SegmentKind, &str, usize, usize)> + '_ {
        let n = self.alignments.len();
        let mut byte_pos = 0;
        let norm = self.norm;
        self.split.ranges(n).map(move |(kind, s, e)| {
            let len_bytes: usize = norm[byte_pos..].chars().take(e - s).map(char::len_utf8).sum();
            let text = &norm[byte_pos..byte_pos + len_bytes];
            byte_pos += len_bytes;
            let (os, oe) = if s < e {
                (self.alignments[s].0 as usize, self.alignments[e - 1].1 as usize)
            } else {
                (self.raw.start, self.raw.start)
            };
            (kind, text, os, oe)
        })
    }

    /// An owned [`Token`].
    pub fn to_token(&self) -> Token {
        Token {
            start: self.raw.start,
            end: self.raw.end,
            kind: self.raw.kind,
            norm: self.norm.to_string(),
            segments: self
                .segments()
                .map(|(kind, text, start, end)| Segment {
                    text: text.to_string(),
                    kind,
                    start,
                    end,
                })
                .collect(),
            stem: self.stem.to_string(),
            key: self.key.to_string(),
        }
    }
}

/// Tokenizer, normalizer, segmenter and stemmer with the lexicon they share.
///
/// ```
/// use khabar_text::TextAnalyzer;
/// let a = TextAnalyzer::shared();
/// let tokens = a.tokenize("والتدريب");
/// let segs: Vec<&str> = tokens[0].segments.iter().map(|s| s.text.as_str()).collect();
/// assert_eq!(segs, ["و", "ال", "تدريب"]);
/// ```
#[derive(Debug, Clone)]
pub struct TextAnalyzer {
    lexicon: Lexicon,
    options: NormalizeOptions,
}

/// Reused buffers of the per-token pipeline.
#[derive(Default)]
struct Buffers {
    norm: String,
    alignments: Vec<(u32, u32)>,
    stem_src: String,
    stem: String,
    key: String,
}

impl TextAnalyzer {
    /// An analyzer with the given lexicon.
    pub fn new(lexicon: Lexicon) -> Self {
        TextAnalyzer {
            lexicon,
            options: NormalizeOptions::default(),
        }
    }

    /// The analyzer with the shipped lexicon, loaded once per process.
    pub fn shared() -> &'static TextAnalyzer {
        static SHARED: OnceLock<TextAnalyzer> = OnceLock::new();
        SHARED.get_or_init(|| TextAnalyzer::new(Lexicon::shipped()))
    }

    /// The lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Analyzes every token of `text`, calling `f` with a borrowed view (the fast path).
    pub fn for_each_token(&self, text: &str, mut f: impl FnMut(&TokenView<'_>)) {
        let mut b = Buffers::default();
        for_each_token(text, |raw| {
            let view = self.analyze_raw(text, raw, &mut b);
            f(&view);
        });
    }

    fn analyze_raw<'a>(&self, text: &'a str, raw: RawToken, b: &'a mut Buffers) -> TokenView<'a> {
        let surface = raw.text(text);
        b.norm.clear();
        b.alignments.clear();
        normalize_aligned_into(surface, &self.options, raw.start as u32, &mut b.norm, &mut b.alignments);
        let split = if raw.kind == TokenKind::Word {
            self.lexicon.split(&b.norm)
        } else {
            Split::WHOLE
        };
        // The stem segment, with ة restored where an enclitic turned it into ت (مدينته).
        b.stem_src.clear();
        let n = b.alignments.len();
        let pre = split.prefix_len();
        let stem_chars = n.saturating_sub(pre + split.enclitic as usize);
        b.stem_src.extend(b.norm.chars().skip(pre).take(stem_chars));
        if split.enclitic > 0 && b.stem_src.ends_with('ت') && self.lexicon.count(&b.stem_src) == 0 {
            b.stem_src.pop();
            b.stem_src.push('ة');
        }
        b.stem.clear();
        if raw.kind == TokenKind::Word {
            b.stem.push_str(light_stem(&b.stem_src));
        } else {
            b.stem.push_str(&b.stem_src);
        }
        b.key.clear();
        fold_key(&b.stem, &mut b.key);
        TokenView {
            raw,
            text: surface,
            norm: &b.norm,
            split,
            stem: &b.stem,
            key: &b.key,
            alignments: &b.alignments,
        }
    }

    /// Analyzes all tokens of `text` into owned [`Token`]s.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::with_capacity(text.len() / 8);
        self.for_each_token(text, |v| out.push(v.to_token()));
        out
    }

    /// Tokens and sentences of `text`.
    pub fn analyze(&self, text: &str) -> (Vec<Token>, Vec<Span>) {
        let raw = tokenize(text);
        let sentences = split_sentences(text, &raw);
        let mut b = Buffers::default();
        let tokens = raw
            .iter()
            .map(|&r| self.analyze_raw(text, r, &mut b).to_token())
            .collect();
        (tokens, sentences)
    }

    /// Analyzes one isolated word (an ANERcorp token, a query term). A "word" that the
    /// tokenizer would split (`3.5%`) is analyzed as one token of the kind of its first part.
    pub fn analyze_word(&self, word: &str) -> WordAnalysis {
        let mut kind = TokenKind::Symbol;
        for_each_token(word, |t| {
            if kind == TokenKind::Symbol {
                kind = t.kind;
            }
        });
        let raw = RawToken {
            kind,
            byte_start: 0,
            byte_end: word.len(),
            start: 0,
            end: word.chars().count(),
        };
        let mut b = Buffers::default();
        let t = self.analyze_raw(word, raw, &mut b).to_token();
        WordAnalysis {
            norm: t.norm,
            segments: t.segments,
            stem: t.stem,
            key: t.key,
        }
    }
}

/// The search-key folding on top of the normalized stem: ة → ه, ؤ and ئ → ء (مسؤول and
/// مسئول are one word spelled two ways), lowercase.
pub fn fold_key(stem: &str, out: &mut String) {
    for c in stem.chars() {
        match c {
            'ة' => out.push('ه'),
            'ؤ' | 'ئ' => out.push('ء'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c if c.is_uppercase() => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
}
