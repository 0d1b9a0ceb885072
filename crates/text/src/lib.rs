//! # khabar-text
//!
//! The Arabic text core of khabar: normalization with alignments back to the original text,
//! tokenization, clitic segmentation against a shipped stem lexicon, light stemming, search
//! keys and sentence splitting. All offsets are Unicode scalar (char) indices, end exclusive.
//!
//! ```
//! use khabar_text::TextAnalyzer;
//! let (tokens, sentences) = TextAnalyzer::shared().analyze("وصلَ الوفدُ إلى بيروت. وبدأت المحادثات.");
//! assert_eq!(sentences.len(), 2);
//! assert_eq!(tokens[1].norm, "الوفد");
//! ```

pub mod analyzer;
pub mod chars;
pub mod lexicon;
pub mod normalize;
pub mod segment;
pub mod sentence;
pub mod stem;
pub mod titles;
pub mod tokenize;

pub use analyzer::{fold_key, Segment, TextAnalyzer, Token, TokenView, WordAnalysis};
pub use lexicon::{Lexicon, LexiconError, WordCounter};
pub use normalize::{normalize, normalize_word, NormalizeOptions, Normalized};
pub use segment::{SegmentKind, Split};
pub use sentence::{split_sentences, Span};
pub use tokenize::{tokenize, RawToken, TokenKind};
