//! Features: what the model reads of a sentence. Each token gets a list of 32-bit hashed
//! feature keys (this module: word forms, affixes, shape, a ±2 window, gazetteer matches,
//! clusters, news word statistics, label propagation), computed from the lexical
//! [`Resources`] stored in the model; the second pass adds document-level keys from an
//! [`Extra`] per token. Below the extraction: text normalization ([`text`], frozen: the
//! keys depend on it), fixed hashing (`hash`), per-thread cache support (`cache`),
//! gazetteers and word statistics ([`lexicon`]) and word clusters ([`clusters`]). Above it,
//! reading its types: document-level counts ([`doc`]) and news tag codes ([`news`]).

pub(crate) mod cache;
pub mod clusters;
pub mod doc;
pub(crate) mod hash;
pub mod lexicon;
pub mod news;
pub mod text;

use crate::features::clusters::Clusters;
use crate::features::hash::{combine, hash_bytes, hash_str, word_key};
use crate::features::lexicon::{Gazetteer, WordStats, GAZ_TYPES, GAZ_TYPE_BITS};
use crate::features::text::{normalize, shape, split_clitics, Shape};
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Version of the feature set; stored in the model and checked at load.
pub const FEATURE_VERSION: u32 = 2;

/// Row value of a token without a dense (embedding) row.
pub const NO_ROW: u32 = u32::MAX;

/// Word embeddings used as real-valued features. At tagging time only `index` is needed:
/// the model stores each word's projection onto the tag scores (see `Weights::dense`);
/// the vectors themselves are present only while training.
#[derive(Debug, Default, Clone)]
pub struct Dense {
    /// Word key of a normalized word → row.
    pub index: FxHashMap<u32, u32>,
    /// Row-major vectors (`dim` per row), training only.
    pub vecs: Arc<Vec<f32>>,
    /// Vector width (0 when the vectors are absent).
    pub dim: usize,
}

impl Dense {
    /// Builds the table from words and row-major vectors.
    pub fn new(words: &[String], vecs: Vec<f32>, dim: usize) -> Dense {
        let index = words
            .iter()
            .enumerate()
            .map(|(i, w)| (word_key(w), i as u32))
            .collect();
        Dense {
            index,
            vecs: Arc::new(vecs),
            dim,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.index.len()
    }

    #[inline]
    fn get(&self, norm: &str) -> Option<u32> {
        if self.index.is_empty() {
            return None;
        }
        self.index.get(&word_key(norm)).copied()
    }
}

/// Lexical resources the features read.
#[derive(Debug, Default, Clone)]
pub struct Resources {
    /// Gazetteer.
    pub gaz: Gazetteer,
    /// Word clusters.
    pub clusters: Clusters,
    /// Article share and frequency of bare forms in news.
    pub stats: WordStats,
    /// Tag distribution of each word's nearest labelled neighbours in embedding space
    /// (see `train::clusters::neighbor_labels`).
    pub knn: WordStats,
    /// Word embeddings as real-valued features (token and ±1).
    pub dense: Dense,
    /// How the first pass tagged each word form across the unlabeled news (see
    /// `train::news::news_table`); read by the second pass.
    pub news: WordStats,
    /// Lets feature extraction memoize per-word analyses (see [`MemoKey`]); set by the
    /// models that own these resources, left off (`Default`) elsewhere.
    pub memo: MemoKey,
}

/// Identity under which feature extraction may keep a word's analysis (normalized form,
/// clitic split, cluster, gazetteer, statistics lookups: a third of the tagging time)
/// in a per-thread cache. Only a model's resources, which are never changed after the
/// model is built, get one (`MemoKey::fresh`); a clone gets none, because the clone
/// may be changed — resources being assembled for training never memoize.
#[derive(Debug, Default)]
pub struct MemoKey(Option<u64>);

impl MemoKey {
    /// The key's value (`None`: these resources do not memoize).
    pub(crate) fn id(&self) -> Option<u64> {
        self.0
    }

    /// A key no other resources hold.
    pub(crate) fn fresh() -> MemoKey {
        MemoKey(Some(crate::features::cache::next_id()))
    }
}

impl Clone for MemoKey {
    fn clone(&self) -> MemoKey {
        MemoKey(None)
    }
}

/// Most slots of the per-thread word-analysis cache (direct-mapped).
const INFO_SLOTS: usize = 131072;

struct InfoSlot {
    owner: u64,
    tok: String,
    info: Info,
}

/// The per-thread word-analysis cache: its slots and how many analyses it stored since
/// it was last sized (see [`crate::features::cache::grown_len`]).
struct InfoCache {
    slots: Vec<Option<InfoSlot>>,
    stored: usize,
}

impl InfoCache {
    /// Slot of `tok`.
    fn slot(&self, tok: &str) -> usize {
        (hash_str(0x1AF0, tok) as usize) & (self.slots.len() - 1)
    }
}

thread_local! {
    static INFO_CACHE: std::cell::RefCell<InfoCache> = const {
        std::cell::RefCell::new(InfoCache {
            slots: Vec::new(),
            stored: 0,
        })
    };
}

/// `tok`'s analysis from slot `k` of the cache if it holds it, else computed and kept
/// there (evicting whatever the slot held).
fn info_cached(cache: &mut InfoCache, k: usize, owner: u64, res: &Resources, tok: &str) -> Info {
    if let Some(sl) = &cache.slots[k] {
        if sl.owner == owner && sl.tok == tok {
            return sl.info.clone();
        }
    }
    let x = info(res, tok);
    cache.stored += 1;
    cache.slots[k] = Some(InfoSlot {
        owner,
        tok: tok.to_string(),
        info: x.clone(),
    });
    x
}

/// Runs `f` on this thread's word-analysis cache.
fn with_info_cache<R>(f: impl FnOnce(&mut InfoCache) -> R) -> R {
    INFO_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(n) = crate::features::cache::grown_len(c.slots.len(), INFO_SLOTS, c.stored) {
            c.slots = Vec::new();
            c.slots.resize_with(n, || None);
            c.stored = 0;
        }
        f(&mut c)
    })
}

/// [`info`] through the per-thread cache when `res` has a [`MemoKey`].
fn info_memo(res: &Resources, tok: &str) -> Info {
    match res.memo.0 {
        Some(owner) => with_info_cache(|c| info_cached(c, c.slot(tok), owner, res, tok)),
        None => info(res, tok),
    }
}

/// [`info_memo`] of each token into `out`. The tokens' cache slots, and then their texts
/// and normalized forms, are requested from memory before any is read, so the loads of a
/// sentence (mostly cache misses) overlap instead of following one another.
fn infos_memo(res: &Resources, tokens: &[&str], out: &mut Vec<Info>) {
    use crate::features::cache::{prefetch, prefetch_next};
    out.clear();
    let Some(owner) = res.memo.0 else {
        out.extend(tokens.iter().map(|t| info(res, t)));
        return;
    };
    with_info_cache(|c| {
        // Slot indices are recomputed in each loop rather than kept: hashing is cheaper
        // than a buffer per call.
        for t in tokens {
            let sl = &c.slots[c.slot(t)];
            for off in [0, 64, 128] {
                prefetch_next(sl, off);
            }
        }
        for t in tokens {
            if let Some(sl) = &c.slots[c.slot(t)] {
                if let (Some(a), Some(b)) =
                    (sl.tok.as_bytes().first(), sl.info.norm.as_bytes().first())
                {
                    prefetch(a);
                    prefetch(b);
                }
            }
        }
        out.extend(
            tokens
                .iter()
                .map(|t| info_cached(c, c.slot(t), owner, res, t)),
        );
    })
}

/// Document-level information for one token, from a first tagging pass (stacking).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extra {
    /// First-pass tag index of this token.
    pub own: u8,
    /// First-pass tag of the previous token (`NUM_TAGS` at the start).
    pub prev: u8,
    /// First-pass tag of the next token (`NUM_TAGS` at the end).
    pub next: u8,
    /// How often the same word form got each tag elsewhere in the document.
    pub other: [u16; NUM_TAGS],
    /// Code of the word form's first-pass tags across the unlabeled news (token, previous,
    /// next; see `train::news::news_table`).
    pub news: [Option<u16>; 3],
}

/// Key of a word form for document-level counting (`None` for punctuation, digits and
/// one-letter tokens, which say nothing about entities).
pub fn doc_form_key(tok: &str) -> Option<u64> {
    let n = normalize(cut(tok));
    let shape = shape(&n);
    if !matches!(shape, Shape::Arabic | Shape::Latin) {
        return None;
    }
    form_key(shape, split_clitics(&n).bare)
}

/// [`doc_form_key`] from the word's analysis in `res`'s per-thread cache (the same key,
/// without normalizing and splitting the token again when the cache has it).
pub fn doc_form_key_in(res: &Resources, tok: &str) -> Option<u64> {
    if res.memo.0.is_none() {
        return doc_form_key(tok);
    }
    let x = info_memo(res, tok);
    form_key(x.shape, x.bare())
}

/// The document-form key of a word of shape `shape` whose bare form is `bare`.
fn form_key(shape: Shape, bare: &str) -> Option<u64> {
    if !matches!(shape, Shape::Arabic | Shape::Latin) || bare.chars().count() < 2 {
        return None;
    }
    Some(hash_str(0xD0C, bare))
}

/// Per-token precomputed information. The clitic-split forms are byte ranges of `norm`
/// (no allocation per form; the rare `لل` core that is not a substring is owned).
#[derive(Clone)]
struct Info {
    /// Shared, so that handing an analysis out of the per-thread cache allocates nothing.
    norm: std::rc::Rc<str>,
    core_owned: Option<std::rc::Rc<str>>,
    core: (usize, usize),
    bare: (usize, usize),
    pre: (usize, usize),
    alt: Option<(usize, usize)>,
    shape: Shape,
    chars: usize,
    cl: Option<u16>,
    cl_alt: Option<u16>,
    gaz_core: u8,
    gaz_alt: u8,
    stat: Option<u16>,
    knn: Option<u16>,
    row: u32,
}

impl Info {
    #[inline]
    fn core(&self) -> &str {
        match &self.core_owned {
            Some(c) => c,
            None => &self.norm[self.core.0..self.core.1],
        }
    }
    #[inline]
    fn bare(&self) -> &str {
        &self.norm[self.bare.0..self.bare.1]
    }
    #[inline]
    fn pre(&self) -> &str {
        &self.norm[self.pre.0..self.pre.1]
    }
    #[inline]
    fn alt(&self) -> Option<&str> {
        self.alt.map(|(a, b)| &self.norm[a..b])
    }
}

/// Byte range of `part` inside `whole` (`part` must be a subslice of it).
#[inline]
fn range_in(whole: &str, part: &str) -> (usize, usize) {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    (start, start + part.len())
}

/// Longest token (in bytes) looked at; longer tokens are cut for features.
const MAX_TOKEN_BYTES: usize = 256;

fn cut(s: &str) -> &str {
    if s.len() <= MAX_TOKEN_BYTES {
        return s;
    }
    let mut e = MAX_TOKEN_BYTES;
    while !s.is_char_boundary(e) {
        e -= 1;
    }
    &s[..e]
}

/// A token's normalized form as every stage reads it (long tokens cut).
pub fn norm_word(tok: &str) -> String {
    normalize(cut(tok))
}

fn info(res: &Resources, tok: &str) -> Info {
    let norm = normalize(cut(tok));
    let sp = split_clitics(&norm);
    let (core_owned, core) = match &sp.core {
        std::borrow::Cow::Borrowed(c) => (None, range_in(&norm, c)),
        std::borrow::Cow::Owned(c) => (Some(std::rc::Rc::from(c.as_str())), (0, 0)),
    };
    let core_str: &str = &sp.core;
    let cl = res
        .clusters
        .get(&norm)
        .or_else(|| res.clusters.get(core_str));
    let cl_alt = sp.alt.and_then(|a| res.clusters.get(a));
    let gaz_core = (res.gaz.single(core_str) | res.gaz.single(&norm)) & GAZ_TYPE_BITS;
    let gaz_alt = sp
        .alt
        .map(|a| res.gaz.single(a) & GAZ_TYPE_BITS)
        .unwrap_or(0);
    let stat = res.stats.get(sp.bare);
    let knn = res.knn.get(&norm).or_else(|| res.knn.get(core_str));
    let row = res
        .dense
        .get(&norm)
        .or_else(|| res.dense.get(core_str))
        .or_else(|| res.dense.get(sp.bare))
        .unwrap_or(NO_ROW);
    let bare = range_in(&norm, sp.bare);
    let pre = range_in(&norm, sp.pre);
    let alt = sp.alt.map(|a| range_in(&norm, a));
    Info {
        row,
        stat,
        knn,
        shape: shape(&norm),
        chars: norm.chars().count(),
        core_owned,
        core,
        bare,
        pre,
        alt,
        cl,
        cl_alt,
        gaz_core,
        gaz_alt,
        norm: std::rc::Rc::from(norm.as_str()),
    }
}

#[inline]
fn key(h: u64) -> u32 {
    ((h >> 32) ^ h) as u32 & !LEXICAL
}

/// High bit of a feature key: set on features that identify the current word itself
/// (its forms and word bigrams). Training drops them at random ("word dropout") so the
/// model also learns from context, affixes, clusters and gazetteers.
pub const LEXICAL: u32 = 1 << 31;

/// Origin of a feature key that depends on more than one token (or on the sentence
/// around the token); see [`sentence_features_origins`].
pub const CONTEXT: i8 = i8::MAX;

struct Sink<'a> {
    out: &'a mut Vec<u32>,
    /// When wanted, the origin of each key pushed (see [`sentence_features_origins`]).
    origins: Option<&'a mut Vec<i8>>,
    /// Origin of the keys pushed next.
    at: i8,
    /// Keys of this origin are not wanted (see [`Sink::group`]): neither hashed nor pushed.
    skip: bool,
}

impl Sink<'_> {
    /// Starts a group of keys of origin `at` for token `i`; `want` says whether the
    /// caller needs it.
    #[inline]
    fn group(&mut self, i: usize, at: i8, want: Want<'_>) {
        self.at = at;
        self.skip = at != CONTEXT && want.is_some_and(|w| !w(i, at));
    }
    #[inline]
    fn push(&mut self, k: u32) {
        self.out.push(k);
        if let Some(o) = self.origins.as_mut() {
            o.push(self.at);
        }
    }
    #[inline]
    fn s(&mut self, t: u64, v: &str) {
        if !self.skip {
            self.push(key(hash_str(t, v)));
        }
    }
    #[inline]
    fn n(&mut self, t: u64, v: u64) {
        if !self.skip {
            self.push(key(hash_bytes(t, &v.to_le_bytes())));
        }
    }
    #[inline]
    fn lex(&mut self, t: u64, v: &str) {
        if !self.skip {
            self.push(key(hash_str(t, v)) | LEXICAL);
        }
    }
    #[inline]
    fn lex2(&mut self, t: u64, a: &str, b: &str) {
        if !self.skip {
            self.push(key(combine(hash_str(t, a), hash_str(t ^ 0xABCD, b))) | LEXICAL);
        }
    }
}

/// Which groups of word-only keys a caller wants: `(token, origin) → bool` (`None`: all).
type Want<'a> = Option<&'a dyn Fn(usize, i8) -> bool>;

fn prefix(s: &str, n: usize) -> Option<&str> {
    let mut it = s.char_indices();
    let (e, _) = it.nth(n)?;
    Some(&s[..e])
}

fn suffix(s: &str, n: usize) -> Option<&str> {
    let mut it = s.char_indices().rev();
    let (b, _) = it.nth(n - 1)?;
    if b == 0 {
        return None;
    }
    Some(&s[b..])
}

const BOS: &str = "<s>";
const EOS: &str = "</s>";

/// Extracts features for a sentence: `keys[offsets[i]..offsets[i+1]]` are token i's keys.
pub fn sentence_features(
    res: &Resources,
    tokens: &[&str],
    keys: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
) {
    let mut rows = Vec::new();
    base_features(
        res, tokens, keys, offsets, &mut rows, None, None, None, None,
    );
}

/// [`sentence_features`] that also gives each token's dense (embedding) row, or
/// [`NO_ROW`].
pub fn sentence_features_rows(
    res: &Resources,
    tokens: &[&str],
    keys: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
    rows: &mut Vec<u32>,
) {
    base_features(res, tokens, keys, offsets, rows, None, None, None, None);
}

/// [`sentence_features_rows`] that also hands out each token's normalized word and its
/// clitic-stripped core (what the neural stage's `NeuralInput::new` would compute again).
pub fn sentence_features_words(
    res: &Resources,
    tokens: &[&str],
    keys: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
    rows: &mut Vec<u32>,
    words: &mut Vec<String>,
    cores: &mut Vec<String>,
) {
    base_features(
        res,
        tokens,
        keys,
        offsets,
        rows,
        Some((words, cores)),
        None,
        None,
        None,
    );
}

/// [`sentence_features_rows`] that also tells each key's origin: `d` ∈ −2..=2 when the
/// key depends only on the token at offset `d` from its own (the sentence boundary past
/// either end counts as a token), [`CONTEXT`] when it depends on more. A key of origin
/// `d` is the same for every token whose neighbour at `d` has the same text, which lets
/// the tagger keep the summed weights of such groups per word: `want(i, d)` false leaves
/// out token i's keys of origin `d` (not even hashed). `forms` gets each token's
/// [`doc_form_key`], from the analyses the features read anyway.
#[allow(clippy::too_many_arguments)]
pub fn sentence_features_origins(
    res: &Resources,
    tokens: &[&str],
    keys: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
    rows: &mut Vec<u32>,
    origins: &mut Vec<i8>,
    want: &dyn Fn(usize, i8) -> bool,
    forms: &mut Vec<Option<u64>>,
) {
    let (words, origins, want) = (None, Some(origins), Some(want));
    forms.clear();
    base_features(
        res,
        tokens,
        keys,
        offsets,
        rows,
        words,
        origins,
        want,
        Some(forms),
    );
}

/// Appends the document-level features of `extra` to base features computed by
/// [`sentence_features`]; `keys`/`offsets` are rebuilt into `out_keys`/`out_offsets`.
pub fn add_extra_features(
    keys: &[u32],
    offsets: &[usize],
    extra: &[Extra],
    out_keys: &mut Vec<u32>,
    out_offsets: &mut Vec<usize>,
) {
    out_keys.clear();
    out_offsets.clear();
    out_offsets.push(0);
    for (i, x) in extra.iter().enumerate() {
        out_keys.extend_from_slice(&keys[offsets[i]..offsets[i + 1]]);
        extra_features(x, out_keys);
        out_offsets.push(out_keys.len());
    }
}

/// Appends the document-level feature keys of one token (what [`add_extra_features`]
/// adds after the token's own keys).
pub fn extra_features(x: &Extra, out_keys: &mut Vec<u32>) {
    {
        let mut s = Sink {
            out: out_keys,
            origins: None,
            at: CONTEXT,
            skip: false,
        };
        s.n(200, x.own as u64);
        s.n(201, ((x.prev as u64) << 8) | x.own as u64);
        s.n(202, ((x.own as u64) << 8) | x.next as u64);
        let total: u32 = x.other.iter().map(|&c| c as u32).sum();
        let ent: u32 = x.other[1..].iter().map(|&c| c as u32).sum();
        // Share of the other mentions tagged as an entity, in quarters.
        if let Some(quarters) = (4 * ent).checked_div(total) {
            s.n(203, quarters as u64);
            for (t, &c) in x.other.iter().enumerate() {
                if c > 0 {
                    s.n(204, t as u64);
                    s.n(205, ((x.own as u64) << 8) | t as u64);
                }
            }
            let best = (1..NUM_TAGS).max_by_key(|&t| (x.other[t], NUM_TAGS - t));
            if let Some(b) = best.filter(|&b| x.other[b] > 0) {
                s.n(206, b as u64);
                s.n(
                    207,
                    (((4 * x.other[b] as u32) / total) as u64) << 8 | b as u64,
                );
            }
        } else {
            s.n(208, 0);
        }
        news_features(&mut s, x);
    }
}

/// Features of the news code (see `train::news::news_table`): bits 0-2 entity share in eighths,
/// 3-4 most frequent entity type, 5-6 its share of the entity tags in quarters, 7-8 share
/// of `B-` among that type's tags in quarters, 9-11 log2 of the count.
fn news_features(s: &mut Sink<'_>, x: &Extra) {
    match x.news[0] {
        Some(c) => {
            let ent = (c & 7) as u64;
            let ty = ((c >> 3) & 3) as u64;
            let tys = ((c >> 5) & 3) as u64;
            let b = ((c >> 7) & 3) as u64;
            let cnt = ((c >> 9) & 7) as u64;
            s.n(210, ent);
            s.n(211, (ent << 8) | (ty << 4) | tys);
            s.n(212, (ent << 8) | cnt);
            s.n(213, ((x.own as u64) << 8) | ent);
            if ent > 0 {
                s.n(214, (ty << 8) | (b << 4) | tys);
                s.n(215, (ty << 8) | ent);
            }
        }
        None => s.n(216, 0),
    }
    for (k, c) in [(217u64, x.news[1]), (218, x.news[2])] {
        if let Some(c) = c {
            let ent = (c & 7) as u64;
            let ty = ((c >> 3) & 3) as u64;
            s.n(k, (ent << 4) | if ent > 1 { ty } else { 9 });
        }
    }
}

#[allow(clippy::needless_range_loop)] // positions index several parallel arrays
#[allow(clippy::too_many_arguments)]
fn base_features(
    res: &Resources,
    tokens: &[&str],
    keys: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
    rows: &mut Vec<u32>,
    words_out: Option<(&mut Vec<String>, &mut Vec<String>)>,
    mut origins: Option<&mut Vec<i8>>,
    want: Want<'_>,
    forms: Option<&mut Vec<Option<u64>>>,
) {
    keys.clear();
    offsets.clear();
    offsets.push(0);
    rows.clear();
    if let Some(o) = origins.as_mut() {
        o.clear();
    }
    let mut words_out = words_out;
    if let Some((w, c)) = words_out.as_mut() {
        w.clear();
        c.clear();
    }
    let n = tokens.len();
    if n == 0 {
        return;
    }
    let mut infos = Vec::with_capacity(n);
    infos_memo(res, tokens, &mut infos);
    rows.extend(infos.iter().map(|x| x.row));
    if let Some(f) = forms {
        f.extend(infos.iter().map(|x| form_key(x.shape, x.bare())));
    }
    let norms: Vec<&str> = infos.iter().map(|x| &*x.norm).collect();
    let cores: Vec<&str> = infos.iter().map(|x| x.core()).collect();
    let alts: Vec<Option<&str>> = infos.iter().map(|x| x.alt()).collect();
    let gm = res.gaz.mark(&norms, &cores, &alts);
    let cls = &res.clusters;

    let word = |j: isize| -> &str {
        if j < 0 {
            BOS
        } else if j as usize >= n {
            EOS
        } else {
            &infos[j as usize].norm
        }
    };
    let core = |j: isize| -> &str {
        if j < 0 {
            BOS
        } else if j as usize >= n {
            EOS
        } else {
            infos[j as usize].core()
        }
    };
    let cl = |j: isize| -> Option<(u16, u16, u16)> {
        if j < 0 || j as usize >= n {
            None
        } else {
            infos[j as usize].cl.map(|c| cls.levels(c))
        }
    };
    let shp = |j: isize| -> u64 {
        if j < 0 {
            100
        } else if j as usize >= n {
            101
        } else {
            infos[j as usize].shape as u64
        }
    };

    for i in 0..n {
        let x = &infos[i];
        let ii = i as isize;
        // Each group of keys notes what it depends on: the word at offset `at` alone, or
        // CONTEXT (see `sentence_features_origins`).
        let mut s = Sink {
            out: keys,
            origins: origins.as_deref_mut(),
            at: 0,
            skip: false,
        };
        s.group(i, 0, want);
        s.n(1, 0);
        s.lex(2, &x.norm);
        s.lex(3, x.core());
        s.lex(4, x.bare());
        s.s(5, x.pre());
        for k in 1..=3 {
            if let Some(p) = prefix(x.bare(), k) {
                s.s(10 + k as u64, p);
            }
        }
        for k in 1..=4 {
            if let Some(p) = suffix(&x.norm, k) {
                s.s(20 + k as u64, p);
            }
        }
        s.n(30, x.shape as u64);
        s.n(31, x.chars.min(12) as u64);
        for d in [-2isize, -1, 1, 2] {
            s.group(i, d as i8, want);
            let t = (40 + d) as u64;
            s.s(t, word(ii + d));
            s.s(t + 10, core(ii + d));
            s.n(t + 20, shp(ii + d));
        }
        s.group(i, CONTEXT, want);
        s.lex2(70, word(ii - 1), &x.norm);
        s.lex2(71, &x.norm, word(ii + 1));
        s.lex2(72, core(ii - 1), x.core());
        s.group(i, 0, want);
        match cl(ii) {
            Some((a, b, c)) => {
                s.n(80, a as u64);
                s.n(81, b as u64);
                s.n(82, c as u64);
            }
            None => s.n(83, x.shape as u64),
        }
        if let Some(c) = x.cl_alt {
            let (a, b, c) = cls.levels(c);
            s.n(84, a as u64);
            s.n(85, b as u64);
            s.n(86, c as u64);
        }
        for d in [-1isize, 1] {
            s.group(i, d as i8, want);
            let t = (90 + 3 * d) as u64;
            match cl(ii + d) {
                Some((a, b, c)) => {
                    s.n(t, a as u64);
                    s.n(t + 1, b as u64);
                    s.n(t + 2, c as u64);
                }
                None => s.n(t, 9999),
            }
        }
        for d in [-2isize, 2] {
            s.group(i, d as i8, want);
            if let Some((a, _, _)) = cl(ii + d) {
                s.n((96 + d) as u64, a as u64);
            }
        }
        s.group(i, CONTEXT, want);
        if let (Some((_, b0, _)), Some((_, b1, _))) = (cl(ii - 1), cl(ii)) {
            s.n(99, ((b0 as u64) << 16) | b1 as u64);
        }
        s.group(i, 0, want);
        match x.stat {
            Some(c) => {
                s.n(140, (c & 0xFF) as u64);
                s.n(141, ((c >> 4) & 15) as u64);
                s.n(142, (c & 15) as u64);
                s.n(144, (c >> 8) as u64);
                s.n(147, (c >> 4) as u64);
            }
            None => s.n(143, 0),
        }
        for d in [-1isize, 1] {
            s.group(i, d as i8, want);
            let j = ii + d;
            if j >= 0 && (j as usize) < n {
                let v = infos[j as usize]
                    .stat
                    .map(|c| ((c >> 4) & 15) as u64)
                    .unwrap_or(99);
                s.n((145 + d) as u64, v);
            }
        }
        s.group(i, 0, want);
        if let Some(c) = x.knn {
            let mut best = (0u16, 0u64);
            for t in 0..4u64 {
                let b = (c >> (4 * t)) & 15;
                if b > 0 {
                    s.n(150 + t, b as u64);
                }
                if b > best.0 {
                    best = (b, t + 1);
                }
            }
            s.n(155, (best.1 << 8) | best.0 as u64);
        }
        for d in [-1isize, 1] {
            s.group(i, d as i8, want);
            let j = ii + d;
            if j >= 0 && (j as usize) < n {
                if let Some(c) = infos[j as usize].knn {
                    let mut best = (0u16, 0u64);
                    for t in 0..4u64 {
                        let b = (c >> (4 * t)) & 15;
                        if b > best.0 {
                            best = (b, t + 1);
                        }
                    }
                    s.n((157 + d) as u64, (best.1 << 8) | (best.0 / 2) as u64);
                }
            }
        }
        s.group(i, 0, want);
        if x.gaz_core != 0 {
            s.n(100, x.gaz_core as u64);
        }
        if x.gaz_alt != 0 {
            s.n(101, x.gaz_alt as u64);
        }
        // Multi-token gazetteer matches depend on the neighbours.
        s.group(i, CONTEXT, want);
        for t in 0..GAZ_TYPES {
            let v = gm[i][t];
            if v != 0 {
                s.n(110 + t as u64, v as u64);
            }
            if i > 0 && gm[i - 1][t] != 0 {
                s.n(120 + t as u64, gm[i - 1][t] as u64);
            }
            if i + 1 < n && gm[i + 1][t] != 0 {
                s.n(130 + t as u64, gm[i + 1][t] as u64);
            }
        }
        offsets.push(keys.len());
    }
    if let Some((words, cores)) = words_out {
        for x in infos {
            cores.push(x.core().to_string());
            words.push(x.norm.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memoized_word_analyses_give_the_same_features() {
        let model = crate::NerModel::try_shipped().unwrap();
        let memo = &model.res;
        assert!(memo.memo.0.is_some(), "a model's resources memoize");
        let plain = memo.clone();
        assert!(plain.memo.0.is_none(), "a clone does not");
        let toks = [
            "وقال",
            "الرئيس",
            "للصحفيين",
            "في",
            "بغداد",
            "إن",
            "الحكومة",
            "ستدعم",
            "الرئيس",
            "بغداد",
            "،",
            "123",
            "IBM",
        ];
        let (mut k1, mut o1, mut k2, mut o2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // Twice with the cache: the second pass reads every word from it.
        for _ in 0..2 {
            sentence_features(memo, &toks, &mut k1, &mut o1);
            sentence_features(&plain, &toks, &mut k2, &mut o2);
            assert_eq!((&k1, &o1), (&k2, &o2));
        }
        // A model whose resources differ does not see the first one's analyses.
        let mut other = plain.clone();
        other.clusters = Default::default();
        other.memo = MemoKey::fresh();
        sentence_features(&other, &toks, &mut k2, &mut o2);
        for t in toks {
            assert_eq!(doc_form_key_in(memo, t), doc_form_key(t), "{t}");
        }
        let mut k3 = Vec::new();
        // A clone does not memoize: its features are computed afresh.
        sentence_features(&other.clone(), &toks, &mut k3, &mut o2);
        assert_eq!(k2, k3);
        assert_ne!(k1, k2, "without clusters the features differ");
    }

    /// Words for the origin property: clitics, names that form multi-token gazetteer
    /// matches, punctuation, digits, Latin, an empty and a long token.
    const VOCAB: [&str; 16] = [
        "وقال",
        "الأمم",
        "المتحدة",
        "في",
        "بغداد",
        "لقوات",
        "سوريا",
        "الديمقراطية",
        "،",
        "2015",
        "IBM",
        "",
        "محمد",
        "علي",
        "والعراق",
        "مؤتمرالأممالمتحدةللتجارةوالتنمية",
    ];

    proptest::proptest! {
        /// Keys of origin `d` are a function of the word at offset `d` alone (or of the
        /// boundary), which is what lets the tagger memoize their summed rows per word;
        /// the keys themselves are exactly `sentence_features`'s, and leaving groups out
        /// removes exactly their keys.
        #[test]
        fn word_only_groups_depend_on_their_word_alone(
            sents in proptest::collection::vec(
                proptest::collection::vec(0..VOCAB.len(), 0..9), 1..6),
            mask in proptest::prelude::any::<u64>(),
        ) {
            let res = &crate::NerModel::shipped().res;
            let mut groups: std::collections::HashMap<(isize, &str, i8), Vec<u32>> =
                Default::default();
            let (mut k0, mut o0, mut k, mut o, mut rows, mut org) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            let mut forms = vec![];
            for s in &sents {
                let toks: Vec<&str> = s.iter().map(|&w| VOCAB[w]).collect();
                let n = toks.len() as isize;
                sentence_features(res, &toks, &mut k0, &mut o0);
                sentence_features_origins(res, &toks, &mut k, &mut o, &mut rows, &mut org, &|_, _| true, &mut forms);
                proptest::prop_assert_eq!((&k, &o), (&k0, &o0));
                let plain: Vec<Option<u64>> = toks.iter().map(|t| doc_form_key(t)).collect();
                proptest::prop_assert_eq!(&forms, &plain);
                proptest::prop_assert_eq!(org.len(), k.len());
                for i in 0..toks.len() {
                    for d in -2i8..=2 {
                        let j = i as isize + d as isize;
                        // (-1 before the start | 0 a word | 1 after the end, its text, d).
                        let at = if j < 0 {
                            (-1, "", d)
                        } else if j >= n {
                            (1, "", d)
                        } else {
                            (0, toks[j as usize], d)
                        };
                        let mut g: Vec<u32> = (o[i]..o[i + 1])
                            .filter(|&x| org[x] == d)
                            .map(|x| k[x])
                            .collect();
                        g.sort_unstable();
                        let seen = groups.entry(at).or_insert_with(|| g.clone());
                        proptest::prop_assert_eq!(&*seen, &g, "group {:?} of token {}", at, i);
                    }
                }
                let want = |i: usize, d: i8| mask >> ((i * 5 + (d + 2) as usize) % 64) & 1 == 1;
                let expected: Vec<Vec<u32>> = (0..toks.len())
                    .map(|i| {
                        (o[i]..o[i + 1])
                            .filter(|&x| org[x] == CONTEXT || want(i, org[x]))
                            .map(|x| k[x])
                            .collect()
                    })
                    .collect();
                let (mut kw, mut ow, mut orgw) = (vec![], vec![], vec![]);
                sentence_features_origins(res, &toks, &mut kw, &mut ow, &mut rows, &mut orgw, &want, &mut forms);
                let got: Vec<Vec<u32>> =
                    (0..toks.len()).map(|i| kw[ow[i]..ow[i + 1]].to_vec()).collect();
                proptest::prop_assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn affixes() {
        assert_eq!(prefix("قوات", 2), Some("قو"));
        assert_eq!(prefix("قو", 2), None);
        assert_eq!(suffix("قوات", 2), Some("ات"));
        assert_eq!(suffix("ات", 2), None);
    }

    #[test]
    fn features_per_token() {
        let res = Resources::default();
        let mut k = Vec::new();
        let mut o = Vec::new();
        sentence_features(&res, &["قال", "", "محمد"], &mut k, &mut o);
        assert_eq!(o.len(), 4);
        assert!(o.windows(2).all(|w| w[0] < w[1]));
        sentence_features(&res, &[], &mut k, &mut o);
        assert_eq!(o, vec![0]);
    }
}
