//! [`TextAnalyzer`]: tokenize → normalize → segment → stem, in one pass.

use crate::lexicon::{fingerprint, Lexicon};
use crate::normalize::{normalize_aligned_into, NormalizeOptions};
use crate::segment::{restore_ta_marbuta, Counts, SegmentKind, Split};
use crate::sentence::{split_sentences, Span};
use crate::stem::light_stem;
use crate::tokenize::{for_each_token, RawToken, TokenKind};
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
            let len_bytes: usize = norm[byte_pos..]
                .chars()
                .take(e - s)
                .map(char::len_utf8)
                .sum();
            let text = &norm[byte_pos..byte_pos + len_bytes];
            byte_pos += len_bytes;
            let (os, oe) = if s < e {
                (
                    self.alignments[s].0 as usize,
                    self.alignments[e - 1].1 as usize,
                )
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
    /// Identifies this analyzer's entries in the per-thread token cache.
    id: u64,
}

/// Longest surface (and norm, stem, key) kept in the token cache, in bytes.
const CACHED_BYTES: usize = 24;
/// Slots of the per-thread token cache (a power of two; about 4 MB, in L3).
const CACHE_SLOTS: usize = 1 << 15;

/// One cached word analysis, stored inline.
#[derive(Clone, Copy)]
struct CachedToken {
    fp: u64,
    split: Split,
    chars: u8,
    lens: [u8; 4],
    surface: [u8; CACHED_BYTES],
    norm: [u8; CACHED_BYTES],
    stem: [u8; CACHED_BYTES],
    key: [u8; CACHED_BYTES],
}

impl CachedToken {
    const EMPTY: CachedToken = CachedToken {
        fp: 0,
        split: Split::WHOLE,
        chars: 0,
        lens: [0; 4],
        surface: [0; CACHED_BYTES],
        norm: [0; CACHED_BYTES],
        stem: [0; CACHED_BYTES],
        key: [0; CACHED_BYTES],
    };

    fn norm(&self) -> &[u8] {
        &self.norm[..self.lens[1] as usize]
    }
    fn stem(&self) -> &[u8] {
        &self.stem[..self.lens[2] as usize]
    }
    fn key(&self) -> &[u8] {
        &self.key[..self.lens[3] as usize]
    }

    fn fill(&mut self, fp: u64, surface: &str, view: &TokenView<'_>, chars: u8) {
        fn put(dst: &mut [u8; CACHED_BYTES], src: &str) -> u8 {
            *dst = [0; CACHED_BYTES];
            dst[..src.len()].copy_from_slice(src.as_bytes());
            src.len() as u8
        }
        self.fp = fp;
        self.split = view.split;
        self.chars = chars;
        self.lens = [
            put(&mut self.surface, surface),
            put(&mut self.norm, view.norm),
            put(&mut self.stem, view.stem),
            put(&mut self.key, view.key),
        ];
    }
}

/// A direct-mapped cache of word analyses, one per thread: news text repeats its words, and
/// a hit skips normalization, the lexicon probe and stemming.
struct TokenCache {
    owner: u64,
    slots: Vec<CachedToken>,
}

const EMPTY_RAW: RawToken = RawToken {
    kind: TokenKind::Symbol,
    byte_start: 0,
    byte_end: 0,
    start: 0,
    end: 0,
};

impl TokenCache {
    /// Hints the CPU to load the slot of fingerprint `fp`.
    #[inline]
    fn prefetch(&self, fp: u64) {
        #[cfg(target_arch = "x86_64")]
        if let Some(slot) = self.slots.get(fp as usize & (CACHE_SLOTS - 1)) {
            let p = slot as *const CachedToken as *const i8;
            // SAFETY: prefetching is a hint with no architectural effect; both addresses lie
            // inside the slot, which is a live element of `slots`.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(p);
                _mm_prefetch::<_MM_HINT_T0>(p.add(64));
            }
        }
    }

    /// Empties the cache if it holds another analyzer's entries.
    fn claim(&mut self, owner: u64) {
        if self.owner != owner {
            self.owner = owner;
            self.slots.clear();
            self.slots.resize(CACHE_SLOTS, CachedToken::EMPTY);
        }
    }
}

thread_local! {
    static TOKEN_CACHE: std::cell::RefCell<TokenCache> =
        const { std::cell::RefCell::new(TokenCache { owner: 0, slots: Vec::new() }) };
}

static NEXT_ANALYZER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

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
            id: NEXT_ANALYZER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
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
        TOKEN_CACHE.with(|cell| {
            // A nested call (from inside `f`) finds the cache borrowed and runs without it.
            let mut cache = cell.try_borrow_mut().ok();
            if let Some(c) = cache.as_deref_mut() {
                c.claim(self.id);
            }
            match cache.as_deref_mut() {
                Some(c) => self.for_each_cached(text, c, &mut b, &mut f),
                None => for_each_token(text, |raw| f(&self.analyze_raw(text, raw, &mut b))),
            }
        });
    }

    /// Tokens go through in chunks: the cache slot of every word of a chunk is prefetched
    /// before the first is analyzed, so the memory latency of the probes overlaps instead of
    /// adding up (it dominated the per-token cost).
    fn for_each_cached(
        &self,
        text: &str,
        cache: &mut TokenCache,
        b: &mut Buffers,
        f: &mut impl FnMut(&TokenView<'_>),
    ) {
        const CHUNK: usize = 16;
        let mut chunk: [(RawToken, u64); CHUNK] = [(EMPTY_RAW, 0); CHUNK];
        let mut n = 0;
        let mut flush = |chunk: &[(RawToken, u64)], cache: &mut TokenCache, b: &mut Buffers| {
            for &(raw, fp) in chunk {
                if fp != 0 {
                    self.analyze_cached(text, raw, fp, b, cache, f);
                } else {
                    f(&self.analyze_raw(text, raw, b));
                }
            }
        };
        for_each_token(text, |raw| {
            let surface = raw.text(text);
            let fp = if raw.kind == TokenKind::Word && surface.len() <= CACHED_BYTES {
                let h = fingerprint(surface);
                let fp = h | 1;
                cache.prefetch(fp);
                // On a cache miss the lexicon is probed with the normalized word, which for
                // most words is the surface itself.
                self.lexicon.prefetch(h);
                fp
            } else {
                0
            };
            chunk[n] = (raw, fp);
            n += 1;
            if n == CHUNK {
                flush(&chunk, cache, b);
                n = 0;
            }
        });
        flush(&chunk[..n], cache, b);
    }

    /// [`Self::analyze_raw`] through the per-thread cache of frequent words; `f` sees the
    /// cached strings in place on a hit.
    fn analyze_cached(
        &self,
        text: &str,
        raw: RawToken,
        fp: u64,
        b: &mut Buffers,
        cache: &mut TokenCache,
        f: &mut impl FnMut(&TokenView<'_>),
    ) {
        let surface = raw.text(text);
        let index = fp as usize & (CACHE_SLOTS - 1);
        let mut padded = [0u8; CACHED_BYTES];
        padded[..surface.len()].copy_from_slice(surface.as_bytes());
        let slot = &cache.slots[index];
        if slot.fp == fp && slot.lens[0] as usize == surface.len() && slot.surface == padded {
            b.alignments.clear();
            let start = raw.start as u32;
            b.alignments
                .extend((0..slot.chars as u32).map(|i| (start + i, start + i + 1)));
            // SAFETY: each cached byte string was copied whole from a `&str` by `fill`, so it
            // is valid UTF-8; validating it again cost a tenth of the analysis time.
            let (norm, stem, key) = unsafe {
                (
                    std::str::from_utf8_unchecked(slot.norm()),
                    std::str::from_utf8_unchecked(slot.stem()),
                    std::str::from_utf8_unchecked(slot.key()),
                )
            };
            f(&TokenView {
                raw,
                text: surface,
                norm,
                split: slot.split,
                stem,
                key,
                alignments: &b.alignments,
            });
            return;
        }
        let view = self.analyze_raw(text, raw, b);
        // Only words whose normalization is char-for-char are cached: their alignment is
        // the identity and need not be stored.
        let chars = raw.end - raw.start;
        if view.alignments.len() == chars
            && view.norm.len() <= CACHED_BYTES
            && view.stem.len() <= CACHED_BYTES
            && view.key.len() <= CACHED_BYTES
        {
            cache.slots[index].fill(fp, surface, &view, chars as u8);
        }
        f(&view);
    }

    fn analyze_raw<'a>(&self, text: &'a str, raw: RawToken, b: &'a mut Buffers) -> TokenView<'a> {
        let surface = raw.text(text);
        b.norm.clear();
        b.alignments.clear();
        normalize_aligned_into(
            surface,
            &self.options,
            raw.start as u32,
            &mut b.norm,
            &mut b.alignments,
        );
        let is_word = raw.kind == TokenKind::Word;
        // One probe answers both "how does it split" and "is it a name" for whole words.
        let (split, whole_is_name) = if is_word {
            self.lexicon
                .split_and_name(&b.norm, may_have_clitics(&b.norm))
        } else {
            (Split::WHOLE, false)
        };
        // The stem segment, with ة restored where an enclitic turned it into ت (مدينته).
        b.stem_src.clear();
        let n = b.alignments.len();
        let pre = split.prefix_len();
        let stem_chars = n.saturating_sub(pre + split.enclitic as usize);
        b.stem_src.extend(b.norm.chars().skip(pre).take(stem_chars));
        if split.enclitic > 0
            && restore_ta_marbuta(&b.stem_src, &mut b.stem)
            && self.lexicon.count(&b.stem_src) == 0
        {
            std::mem::swap(&mut b.stem_src, &mut b.stem);
        }
        b.stem.clear();
        // Names from the gazetteers keep their letters: سلمان is not سلم + ان.
        let is_name = if split.is_whole() {
            whole_is_name
        } else {
            is_word && self.lexicon.is_name(&b.stem_src)
        };
        if is_word && !is_name {
            b.stem.push_str(light_stem(&b.stem_src));
        } else {
            b.stem.push_str(&b.stem_src);
        }
        b.key.clear();
        fold_key(&b.stem, &mut b.key);
        // على and علي (the name Ali) share a norm; the key keeps them apart when the word is
        // spelled with a final ى.
        if raw.kind == TokenKind::Word && surface.ends_with('ى') && b.key.ends_with('ي') {
            b.key.pop();
            b.key.push('ى');
        }
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
        let mut raw = Vec::with_capacity(text.len() / 8);
        let mut tokens = Vec::with_capacity(text.len() / 8);
        self.for_each_token(text, |v| {
            raw.push(v.raw);
            tokens.push(v.to_token());
        });
        let sentences = split_sentences(text, &raw);
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

/// False when a word can carry neither a proclitic (و ف ب ك ل س ال) nor an enclitic
/// (ه ها هم … ك ني ي): such words skip the lexicon look-up altogether.
#[inline]
fn may_have_clitics(norm: &str) -> bool {
    let first = norm.chars().next();
    let last = norm.chars().next_back();
    matches!(first, Some('و' | 'ف' | 'ب' | 'ك' | 'ل' | 'س' | 'ا'))
        || matches!(last, Some('ه' | 'ا' | 'م' | 'ن' | 'ك' | 'ي'))
}

/// The search-key folding on top of the normalized stem: ة → ه, ؤ and ئ → ء (مسؤول and
/// مسئول are one word spelled two ways), lowercase.
pub fn fold_key(stem: &str, out: &mut String) {
    for c in stem.chars() {
        match c {
            'ة' => out.push('ه'),
            'ؤ' | 'ئ' => out.push('ء'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            '\u{0600}'..='\u{06FF}' => out.push(c),
            c if c.is_uppercase() => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache must be invisible: cached and uncached analyses agree token for token.
    #[test]
    fn cached_and_uncached_analyses_agree() {
        let a = TextAnalyzer::shared();
        let text =
            "قالَ الوزيرُ إنّ القوات وصلت. وقال المتحدث: «لقواتنا» 3.5% والتدريب ﻻ مدينته\n".repeat(3);
        let mut b = Buffers::default();
        let uncached: Vec<Token> = crate::tokenize::tokenize(&text)
            .into_iter()
            .map(|r| a.analyze_raw(&text, r, &mut b).to_token())
            .collect();
        // twice: the first pass fills the cache, the second reads it
        for _ in 0..2 {
            assert_eq!(a.tokenize(&text), uncached);
        }
    }

    #[test]
    fn nested_calls_work_without_the_cache() {
        let a = TextAnalyzer::shared();
        let mut inner = Vec::new();
        a.for_each_token("قال الوزير", |v| {
            inner.push((v.norm.to_string(), a.tokenize(v.text)[0].norm.clone()));
        });
        assert_eq!(
            inner,
            [
                ("قال".into(), "قال".into()),
                ("الوزير".into(), "الوزير".into())
            ]
        );
    }

    #[test]
    fn analyzers_with_different_lexicons_do_not_share_cache_entries() {
        let empty = TextAnalyzer::new(Lexicon::default());
        let shipped = TextAnalyzer::shared();
        let word = "والتدريب";
        assert_eq!(shipped.tokenize(word)[0].segments.len(), 3);
        assert_eq!(empty.tokenize(word)[0].segments.len(), 1);
        assert_eq!(shipped.tokenize(word)[0].segments.len(), 3);
    }
}
