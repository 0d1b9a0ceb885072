//! khabar's Arabic analysis as a tantivy tokenizer.
//!
//! [`KhabarTokenizer`] emits, for every word, number, hashtag or mention of the text, a key
//! computed by `khabar-text`: normalization (diacritics, tatweel, alef and hamza forms),
//! clitic segmentation (و، ف، ب، ل، ك، ال، pronouns) and light stemming, folded (ة → ه,
//! ؤ/ئ → ء, lowercase). Punctuation and symbols produce nothing. [`KeyMode`] stops the chain
//! early, for the relevance ablation. An optional stopword filter ([`stopword_filter`])
//! drops function words after analysis, so `وفي` and `في` both go, while positions stay as
//! they were and phrase queries keep working; the corpus does not use it
//! ([`AnalyzerKind::CORPUS`]).
//!
//! The same analyzer must run at index and query time: [`register`] installs it on an index
//! under [`TOKENIZER`], and [`query_terms`] analyzes query text with it.

use khabar_text::{fold_key, SegmentKind, TextAnalyzer as KhabarText, TokenKind};
use std::sync::OnceLock;
use tantivy::tokenizer::{
    LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream,
    Tokenizer, WhitespaceTokenizer,
};

/// Name under which the khabar analyzer is registered on an index.
pub const TOKENIZER: &str = "khabar_ar";

/// Version of the corpus analyzer, recorded in the store: an index built by another version
/// must be rebuilt, since its terms would not match the queries.
pub const ANALYZER_VERSION: &str = "khabar_ar/3 (residual prefixes, no stopwords; lead field)";

/// How far the analysis chain goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// Normalization only: the normalized word, folded.
    Norm,
    /// Normalization and clitic segmentation: the stem segment, folded.
    Clitics,
    /// The full search key: normalization, clitics and light stemming.
    Stem,
    /// The search key with Lucene-style suffix stripping on top (experiment).
    Aggressive,
    /// The search key with article/preposition prefixes the segmenter left attached removed
    /// (`للاغاث` → `اغاث`).
    Residual,
    /// The search key, plus the unstemmed form (clitics removed) at the same position when
    /// it differs: exact forms score above mere stem matches.
    Dual,
}

/// A tantivy [`Tokenizer`] producing khabar search keys.
#[derive(Clone)]
pub struct KhabarTokenizer {
    mode: KeyMode,
    tokens: Vec<Token>,
}

impl KhabarTokenizer {
    /// A tokenizer going as far as `mode`.
    pub fn new(mode: KeyMode) -> Self {
        KhabarTokenizer {
            mode,
            tokens: Vec::new(),
        }
    }
}

impl Default for KhabarTokenizer {
    fn default() -> Self {
        KhabarTokenizer::new(KeyMode::Stem)
    }
}

/// The tokens of one text, computed up front (the khabar analyzer works by callback).
pub struct KhabarTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for KhabarTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Whether tokens of this kind are searchable.
fn indexed_kind(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word
            | TokenKind::Latin
            | TokenKind::Number
            | TokenKind::Hashtag
            | TokenKind::Mention
            | TokenKind::Url
            | TokenKind::Email
    )
}

/// Calls `f(byte_start, byte_end, key, stacked)` for every searchable token of `text`;
/// `stacked` keys share the position of the key before them ([`KeyMode::Dual`]).
pub fn for_each_key(text: &str, mode: KeyMode, mut f: impl FnMut(usize, usize, &str, bool)) {
    let mut buf = String::new();
    KhabarText::shared().for_each_token(text, |v| {
        if !indexed_kind(v.raw.kind) {
            return;
        }
        let clitics = |buf: &mut String| {
            buf.clear();
            let stem = v
                .segments()
                .find(|s| s.0 == SegmentKind::Stem)
                .map_or(v.norm, |s| s.1);
            fold_key(stem, buf);
        };
        let key = match mode {
            KeyMode::Stem | KeyMode::Dual => v.key,
            KeyMode::Aggressive => {
                buf.clear();
                buf.push_str(strip_suffixes(v.key));
                &buf
            }
            KeyMode::Residual => {
                buf.clear();
                buf.push_str(strip_residual_prefix(v.key));
                &buf
            }
            KeyMode::Norm => {
                buf.clear();
                fold_key(v.norm, &mut buf);
                &buf
            }
            KeyMode::Clitics => {
                clitics(&mut buf);
                &buf
            }
        };
        if key.is_empty() {
            return;
        }
        f(v.raw.byte_start, v.raw.byte_end, key, false);
        if mode == KeyMode::Dual {
            clitics(&mut buf);
            if !buf.is_empty() && buf != v.key {
                f(v.raw.byte_start, v.raw.byte_end, &buf, true);
            }
        }
    });
}

/// Prefixes [`KeyMode::Residual`] removes from keys: (conjunction/preposition +) article.
const RESIDUAL_PREFIXES: &[&str] = &["وبال", "وال", "بال", "كال", "فال", "لل", "ال"];

/// Strips one residual prefix, keeping at least three letters.
fn strip_residual_prefix(key: &str) -> &str {
    let n = key.chars().count();
    for p in RESIDUAL_PREFIXES {
        if let Some(rest) = key.strip_prefix(p) {
            if n - p.chars().count() >= 3 {
                return rest;
            }
        }
    }
    key
}

/// Suffixes removed by [`KeyMode::Aggressive`], in order (keys have ة folded to ه).
const EXTRA_SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/// Lucene ArabicStemmer-style suffix stripping: each suffix in turn, keeping two letters.
fn strip_suffixes(key: &str) -> &str {
    let mut s = key;
    for suf in EXTRA_SUFFIXES {
        if s.ends_with(suf) && s.chars().count() >= suf.chars().count() + 2 {
            s = &s[..s.len() - suf.len()];
        }
    }
    s
}

impl Tokenizer for KhabarTokenizer {
    type TokenStream<'a> = KhabarTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KhabarTokenStream<'a> {
        self.tokens.clear();
        let tokens = &mut self.tokens;
        let mut position = 0;
        for_each_key(text, self.mode, |start, end, key, stacked| {
            if !stacked && !tokens.is_empty() {
                position += 1;
            }
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position,
                text: key.to_string(),
                position_length: 1,
            });
        });
        KhabarTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// Function words dropped from the index and from queries: prepositions, conjunctions,
/// particles, pronouns, demonstratives, relatives and the commonest auxiliaries. They are
/// listed as written; [`stopword_keys`] turns them into keys. على is not one: normalized
/// (ى → ي) its key is that of the name علي.
pub const STOPWORDS: &[&str] = &[
    "في",
    "من",
    "إلى",
    "الى",
    "عن",
    "مع",
    "حتى",
    "منذ",
    "عند",
    "لدى",
    "بين",
    "خلال",
    "بعد",
    "قبل",
    "حول",
    "دون",
    "ضد",
    "نحو",
    "عبر",
    "أمام",
    "وراء",
    "فوق",
    "تحت",
    "لدي",
    "أن",
    "إن",
    "ان",
    "أنّ",
    "إنّ",
    "لكن",
    "لكنّ",
    "بل",
    "أو",
    "ام",
    "أم",
    "ثم",
    "إذا",
    "اذا",
    "إذ",
    "لو",
    "لولا",
    "كي",
    "لكي",
    "حيث",
    "كما",
    "مثل",
    "غير",
    "سوى",
    "ما",
    "لا",
    "لم",
    "لن",
    "قد",
    "لقد",
    "هل",
    "ليس",
    "ليست",
    "إلا",
    "الا",
    "أي",
    "أيّ",
    "كل",
    "بعض",
    "أيضا",
    "أيضاً",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "هذان",
    "هاتان",
    "هؤلاء",
    "أولئك",
    "هنا",
    "هناك",
    "الذي",
    "التي",
    "الذين",
    "اللذان",
    "اللتان",
    "اللواتي",
    "اللاتي",
    "هو",
    "هي",
    "هم",
    "هن",
    "هما",
    "أنا",
    "نحن",
    "أنت",
    "أنتم",
    "كان",
    "كانت",
    "كانوا",
    "يكون",
    "تكون",
    "وقد",
    "منه",
    "منها",
    "فيه",
    "فيها",
    "له",
    "لها",
    "لهم",
    "به",
    "بها",
    "إنه",
    "أنه",
    "إنها",
    "أنها",
    "وهو",
    "وهي",
    "كذلك",
    "أيضا",
    "ذات",
    "عدة",
    "تم",
    "يتم",
];

/// The keys of [`STOPWORDS`] under `mode`, sorted and deduplicated.
pub fn stopword_keys(mode: KeyMode) -> Vec<String> {
    let mut keys = Vec::new();
    for w in STOPWORDS {
        for_each_key(w, mode, |_, _, k, _| keys.push(k.to_string()));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Tantivy's stopword filter loaded with [`stopword_keys`].
pub fn stopword_filter(mode: KeyMode) -> StopWordFilter {
    StopWordFilter::remove(stopword_keys(mode))
}

/// The analyzers compared by the relevance benchmark (and the one used by the corpus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnalyzerKind {
    /// Whitespace split and lowercase.
    Whitespace,
    /// Split on non-alphanumerics and lowercase (tantivy's default, close to Lucene's
    /// StandardAnalyzer).
    Simple,
    /// Tantivy's stock Arabic chain: SimpleTokenizer, LowerCaser, Snowball Arabic stemmer.
    StockArabic,
    /// khabar, stopping after `KeyMode`, with or without stopword removal.
    Khabar {
        /// How far the chain goes.
        mode: KeyMode,
        /// Drop [`STOPWORDS`].
        stopwords: bool,
    },
}

impl AnalyzerKind {
    /// The corpus analyzer: full keys with residual prefixes stripped. Stopwords stay:
    /// dropping them cost relevance in the headline → article benchmark (docs/corpus.md),
    /// and queries stay fast without.
    pub const CORPUS: AnalyzerKind = AnalyzerKind::Khabar {
        mode: KeyMode::Residual,
        stopwords: false,
    };

    /// A short name for tables.
    pub fn name(&self) -> String {
        match self {
            AnalyzerKind::Whitespace => "whitespace+lowercase".into(),
            AnalyzerKind::Simple => "simple+lowercase".into(),
            AnalyzerKind::StockArabic => "tantivy stock arabic".into(),
            AnalyzerKind::Khabar { mode, stopwords } => {
                let m = match mode {
                    KeyMode::Norm => "normalize",
                    KeyMode::Clitics => "normalize+clitics",
                    KeyMode::Stem => "normalize+clitics+stem",
                    KeyMode::Aggressive => "normalize+clitics+stem+suffixes",
                    KeyMode::Residual => "normalize+clitics+stem+residual prefixes",
                    KeyMode::Dual => "normalize+clitics+stem, unstemmed too",
                };
                if *stopwords {
                    format!("khabar {m}+stopwords")
                } else {
                    format!("khabar {m}")
                }
            }
        }
    }

    /// The tantivy analyzer.
    pub fn build(&self) -> TextAnalyzer {
        match *self {
            AnalyzerKind::Whitespace => TextAnalyzer::builder(WhitespaceTokenizer::default())
                .filter(LowerCaser)
                .build(),
            AnalyzerKind::Simple => TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .build(),
            AnalyzerKind::StockArabic => TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(tantivy::tokenizer::Language::Arabic))
                .build(),
            AnalyzerKind::Khabar { mode, stopwords } => {
                if stopwords {
                    TextAnalyzer::builder(KhabarTokenizer::new(mode))
                        .filter(stopword_filter(mode))
                        .build()
                } else {
                    TextAnalyzer::builder(KhabarTokenizer::new(mode)).build()
                }
            }
        }
    }
}

/// The corpus analyzer, built once.
fn corpus_analyzer() -> TextAnalyzer {
    static ANALYZER: OnceLock<TextAnalyzer> = OnceLock::new();
    ANALYZER
        .get_or_init(|| AnalyzerKind::CORPUS.build())
        .clone()
}

/// Registers the corpus analyzer on `index` as [`TOKENIZER`].
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(TOKENIZER, corpus_analyzer());
}

/// A query token: its key and its position in the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The search key.
    pub key: String,
    /// Position (stopwords count, as at index time).
    pub position: usize,
}

/// Analyzes query text with `analyzer` (keys and positions).
pub fn query_terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<QueryTerm> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(QueryTerm {
            key: t.text.clone(),
            position: t.position,
        });
    }
    out
}

/// Analyzes query text with the corpus analyzer.
pub fn corpus_query_terms(text: &str) -> Vec<QueryTerm> {
    query_terms(&mut corpus_analyzer(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        corpus_query_terms(text)
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn clitic_forms_share_a_key() {
        let k = keys("قوات القوات لقوات والقوات بالقوات");
        assert_eq!(k.len(), 5);
        assert!(k.iter().all(|x| x == &k[0]), "{k:?}");
    }

    #[test]
    fn diacritics_and_hamza_do_not_matter() {
        assert_eq!(keys("مَدْرَسَةٌ"), keys("مدرسة"));
        assert_eq!(keys("مسؤول"), keys("مسئول"));
        assert_eq!(keys("أحمد"), keys("احمد"));
    }

    #[test]
    fn stopwords_dropped_positions_kept() {
        let mut a = AnalyzerKind::Khabar {
            mode: KeyMode::Stem,
            stopwords: true,
        }
        .build();
        let t = query_terms(&mut a, "وزير في الحكومة");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].position, 2);
        assert!(query_terms(&mut a, "وفي من عن").is_empty());
        assert_eq!(keys("وزير في الحكومة").len(), 3);
    }

    #[test]
    fn residual_prefixes() {
        assert_eq!(strip_residual_prefix("للاغاث"), "اغاث");
        assert_eq!(strip_residual_prefix("والمجلس"), "مجلس");
        assert_eq!(strip_residual_prefix("الله"), "الله");
        assert_eq!(strip_residual_prefix("قوات"), "قوات");
    }

    #[test]
    fn names_are_not_stopwords() {
        let keys = stopword_keys(KeyMode::Stem);
        assert!(!keys.contains(&"علي".to_string()), "{keys:?}");
    }

    #[test]
    fn punctuation_is_not_indexed() {
        assert_eq!(keys("، . ! « »"), Vec::<String>::new());
    }

    #[test]
    fn ablation_modes_differ() {
        let mut norm = AnalyzerKind::Khabar {
            mode: KeyMode::Norm,
            stopwords: false,
        }
        .build();
        let mut clitics = AnalyzerKind::Khabar {
            mode: KeyMode::Clitics,
            stopwords: false,
        }
        .build();
        let n: Vec<_> = query_terms(&mut norm, "والمعلمات")
            .into_iter()
            .map(|t| t.key)
            .collect();
        let c: Vec<_> = query_terms(&mut clitics, "والمعلمات")
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(n, ["والمعلمات"]);
        assert_eq!(c, ["معلمات"]);
        assert_eq!(keys("والمعلمات"), ["معلم"]);
    }
}
