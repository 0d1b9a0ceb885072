//! The neural stage of the recognizer: a BiLSTM-CRF over three views of each token —
//! the linear model's sparse feature keys (summed embeddings), a character CNN over the
//! normalized word, and frozen word embeddings learned by khabar from the news.
//!
//! Written by hand rather than with a framework (candle builds here) so that training and
//! tagging run the very same forward code, tagging needs no tensor runtime, and the whole
//! network fits the 9-tag task: small dense matrices, no batching across sentences at
//! tagging time. Gradients are checked against finite differences in the tests.

// The dense math indexes several parallel arrays per position; range loops say it plainest.
#![allow(clippy::needless_range_loop)]

use crate::decode::{allowed, viterbi, Transitions, START};
use crate::hash::word_key;
use crate::tags::{Tag, NUM_TAGS};
use rustc_hash::FxHashMap;

mod infer;

/// Identity of a network for the per-thread word cache of the tagging forward.
pub(crate) fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Shape and training settings of the network.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralConfig {
    /// LSTM hidden units per direction.
    pub hidden: usize,
    /// Width of the summed sparse-feature embedding.
    pub sparse_dim: usize,
    /// Character embedding width.
    pub char_dim: usize,
    /// Character CNN filters.
    pub char_filters: usize,
    /// Character CNN window (odd).
    pub char_width: usize,
    /// Dropout on the input and on the LSTM outputs while training.
    pub dropout: f32,
    /// Probability of hiding each sparse feature of a token while training, so the
    /// network cannot lean on a few memorized keys.
    pub key_dropout: f32,
    /// Adam learning rate.
    pub lr: f32,
    /// Maximum epochs.
    pub epochs: usize,
    /// Stop after this many epochs without a dev improvement.
    pub patience: usize,
    /// Sentences per update.
    pub batch: usize,
    /// Sparse features seen fewer times than this get no embedding.
    pub min_count: u32,
    /// Also read the linear model's tag scores of each token (`NeuralInput::scores`).
    pub scores: bool,
    /// Decay of the running average of the parameters that is evaluated and kept
    /// (0 keeps the last parameters).
    pub average: f32,
    /// Seed for initialization, shuffling and dropout.
    pub seed: u64,
}

impl Default for NeuralConfig {
    fn default() -> Self {
        NeuralConfig {
            hidden: 64,
            sparse_dim: 32,
            char_dim: 16,
            char_filters: 32,
            char_width: 3,
            dropout: 0.5,
            key_dropout: 0.0,
            lr: 2e-3,
            epochs: 25,
            patience: 4,
            batch: 8,
            min_count: 2,
            scores: false,
            average: 0.998,
            seed: 42,
        }
    }
}

/// One sentence as the network reads it.
#[derive(Debug, Clone, Default)]
pub struct NeuralInput {
    /// Sparse feature keys of token i: `keys[offsets[i]..offsets[i + 1]]`.
    pub keys: Vec<u32>,
    /// Offsets into `keys` (`n + 1` entries).
    pub offsets: Vec<usize>,
    /// Normalized word of each token (characters for the CNN, key for the embeddings).
    pub words: Vec<String>,
    /// Alternative embedding lookup (clitic-stripped core) when the word has none.
    pub cores: Vec<String>,
    /// The linear model's tag scores of each token, for a network trained with
    /// `NeuralConfig::scores` (empty: none).
    pub scores: Vec<[f32; NUM_TAGS]>,
}

impl NeuralInput {
    /// The network's view of a sentence: its tokens and the linear model's feature keys
    /// for them (`keys[offsets[i]..offsets[i + 1]]` for token i).
    pub fn new(tokens: &[&str], keys: Vec<u32>, offsets: Vec<usize>) -> NeuralInput {
        let words: Vec<String> = tokens
            .iter()
            .map(|t| crate::features::norm_word(t))
            .collect();
        let cores = words
            .iter()
            .map(|w| crate::text::split_clitics(w).core.to_string())
            .collect();
        NeuralInput {
            keys,
            offsets,
            words,
            cores,
            scores: Vec::new(),
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Keys of token i (none if the offsets do not describe `keys`).
    #[inline]
    fn keys_of(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&lo), Some(&hi)) if lo <= hi && hi <= self.keys.len() => &self.keys[lo..hi],
            _ => &[],
        }
    }

    /// Clitic-stripped core of token i (the word itself if `cores` is short).
    #[inline]
    fn core_of(&self, i: usize) -> &str {
        self.cores.get(i).unwrap_or(&self.words[i])
    }

    /// True for an empty sentence.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Frozen word embeddings, stored as i8 with one scale per row (a quarter of the memory
/// of f32; training and tagging read the same quantized values).
#[derive(Debug, Clone, Default)]
pub struct WordVectors {
    /// Word key → row.
    pub index: FxHashMap<u32, u32>,
    /// Row-major quantized vectors.
    pub(crate) q: Vec<i8>,
    /// Scale of each row.
    pub(crate) scales: Vec<f32>,
    /// Vector width (0: none).
    pub dim: usize,
}

impl WordVectors {
    /// Builds the table from words and row-major f32 vectors (quantized here).
    pub fn new(words: &[String], vecs: Vec<f32>, dim: usize) -> WordVectors {
        let rows = vecs.len().checked_div(dim).unwrap_or(0).min(words.len());
        let index = words[..rows]
            .iter()
            .enumerate()
            .map(|(i, w)| (word_key(w), i as u32))
            .collect();
        let mut q = Vec::with_capacity(rows * dim);
        let mut scales = Vec::with_capacity(rows);
        for r in 0..rows {
            scales.push(crate::model::quantize_row(
                &vecs[r * dim..(r + 1) * dim],
                &mut q,
            ));
        }
        WordVectors {
            index,
            q,
            scales,
            dim,
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// True without vectors.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Writes the vector of `w` (or else of `alt`) into `out`; false if neither has one.
    fn row_into(&self, w: &str, alt: &str, out: &mut [f32]) -> bool {
        self.row_of(w, alt)
            .is_some_and(|r| self.values_into(r, out))
    }

    /// The row of `w`'s vector, or else of `alt`'s.
    fn row_of(&self, w: &str, alt: &str) -> Option<usize> {
        if self.dim == 0 {
            return None;
        }
        let r = self
            .index
            .get(&word_key(w))
            .or_else(|| self.index.get(&word_key(alt)))?;
        Some(*r as usize)
    }

    /// Writes row `r`'s vector into `out`; false if there is no such row.
    fn values_into(&self, r: usize, out: &mut [f32]) -> bool {
        let d = self.dim;
        let (Some(q), Some(&sc)) = (self.q.get(r * d..(r + 1) * d), self.scales.get(r)) else {
            return false;
        };
        for (o, &v) in out.iter_mut().zip(q) {
            *o = v as f32 * sc;
        }
        true
    }
}

/// Positions of each parameter block in the flat dense vector.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub(crate) h: usize,
    pub(crate) s: usize,
    /// Linear tag scores read (0 or `NUM_TAGS`).
    pub(crate) q: usize,
    /// Start of the word part (vector, then characters) of the input.
    pub(crate) w0: usize,
    pub(crate) e: usize,
    pub(crate) cd: usize,
    pub(crate) nf: usize,
    pub(crate) cw: usize,
    pub(crate) nchars: usize,
    pub(crate) d: usize,
    pub(crate) char_emb: usize,
    pub(crate) conv_w: usize,
    pub(crate) conv_b: usize,
    pub(crate) wx: [usize; 2],
    pub(crate) wh: [usize; 2],
    pub(crate) b: [usize; 2],
    pub(crate) out_w: usize,
    pub(crate) out_b: usize,
    pub(crate) trans: usize,
    pub(crate) total: usize,
}

impl Layout {
    fn new(cfg: &NeuralConfig, e: usize, nchars: usize) -> Layout {
        Layout::from_dims(
            [
                cfg.hidden,
                cfg.sparse_dim,
                cfg.char_dim,
                cfg.char_filters,
                cfg.char_width,
                if cfg.scores { NUM_TAGS } else { 0 },
            ],
            e,
            nchars,
        )
    }

    /// Layout from `[hidden, sparse_dim, char_dim, char_filters, char_width, scores]`.
    pub(crate) fn from_dims(dims: [usize; 6], e: usize, nchars: usize) -> Layout {
        let [h, s, cd, nf, cw, q] = dims;
        let w0 = s + q;
        let d = w0 + e + nf;
        let mut at = 0usize;
        let mut take = |n: usize| {
            let a = at;
            at += n;
            a
        };
        let char_emb = take(nchars * cd);
        let conv_w = take(nf * cw * cd);
        let conv_b = take(nf);
        let wx0 = take(4 * h * d);
        let wh0 = take(4 * h * h);
        let b0 = take(4 * h);
        let wx1 = take(4 * h * d);
        let wh1 = take(4 * h * h);
        let b1 = take(4 * h);
        let out_w = take(NUM_TAGS * 2 * h);
        let out_b = take(NUM_TAGS);
        let trans = take((NUM_TAGS + 1) * NUM_TAGS);
        Layout {
            h,
            s,
            q,
            w0,
            e,
            cd,
            nf,
            cw,
            nchars,
            d,
            char_emb,
            conv_w,
            conv_b,
            wx: [wx0, wx1],
            wh: [wh0, wh1],
            b: [b0, b1],
            out_w,
            out_b,
            trans,
            total: at,
        }
    }
}

/// A trained (or initialized) BiLSTM-CRF.
#[derive(Debug)]
pub struct NeuralTagger {
    pub(crate) lay: Layout,
    /// Sparse feature key → embedding row.
    pub(crate) sparse_index: FxHashMap<u32, u32>,
    /// Rows of `sparse_dim`.
    pub(crate) sparse: Vec<f32>,
    /// Character → index (0 = boundary padding, 1 = unknown).
    pub(crate) char_index: FxHashMap<char, u16>,
    /// All dense parameters (see [`Layout`]).
    pub(crate) dense: Vec<f32>,
    /// Frozen embeddings.
    pub(crate) vectors: WordVectors,
    /// Unique per network (and per parameter change), keys the tagging cache.
    pub(crate) id: u64,
    /// Factor applied to the linear scores read as input.
    pub(crate) score_scale: f32,
    /// The sparse rows as a model file stores them, for a network read from one: a
    /// scale per row and i8 values, whose products are exactly `sparse`. Lets the tagger
    /// keep the rows in a quarter of the memory with the same arithmetic; `None` for a
    /// network built or changed in memory.
    pub(crate) sparse_q: Option<(Vec<f32>, Vec<i8>)>,
}

impl Clone for NeuralTagger {
    fn clone(&self) -> Self {
        NeuralTagger {
            lay: self.lay.clone(),
            sparse_index: self.sparse_index.clone(),
            sparse: self.sparse.clone(),
            char_index: self.char_index.clone(),
            dense: self.dense.clone(),
            vectors: self.vectors.clone(),
            score_scale: self.score_scale,
            // A clone may be trained on: it must not share cached projections, nor claim
            // that its rows are still the file's.
            id: next_id(),
            sparse_q: None,
        }
    }
}

/// Longest word (in chars) the character CNN reads.
const MAX_WORD_CHARS: usize = 24;

/// tanh as a rational function (the form Eigen uses): a few multiplies and one division,
/// so gate loops vectorize; within 1e-6 of `f32::tanh` (tested).
#[inline(always)]
pub(crate) fn fast_tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16f32;
    p = p * x2 + 2.000_188e-13;
    p = p * x2 - 8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    p *= x;
    let mut q = 1.198_258_4e-6f32;
    q = q * x2 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_7e-3;
    q = q * x2 + 4.893_525e-3;
    p / q
}

/// Logistic function through [`fast_tanh`].
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    0.5 + 0.5 * fast_tanh(0.5 * x)
}

/// `y += a * x`.
#[inline]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Dot product with eight independent accumulators so it vectorizes.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `out += W x` with `W` stored column-major (`cols` columns of `rows`).
#[inline]
fn gemv_cols(out: &mut [f32], w: &[f32], x: &[f32], rows: usize) {
    for (j, &xj) in x.iter().enumerate() {
        if xj != 0.0 {
            axpy(out, xj, &w[j * rows..(j + 1) * rows]);
        }
    }
}

fn log_sum_exp(v: &[f32]) -> f32 {
    let m = v.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    if m == f32::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f32>().ln()
}

use crate::clusters::Rng;

/// Everything the forward pass keeps for the backward pass.
#[derive(Default)]
struct Trace {
    /// Input vectors, `n × d` (after dropout).
    x: Vec<f32>,
    /// Input dropout mask (scaled), `n × d`; empty without dropout.
    x_mask: Vec<f32>,
    /// Character ids per token (with padding).
    chars: Vec<Vec<u16>>,
    /// Argmax position of each filter per token, `n × nf`.
    conv_arg: Vec<u32>,
    /// tanh(max conv) per token, `n × nf`.
    conv_out: Vec<f32>,
    /// Sparse rows per token.
    rows: Vec<Vec<u32>>,
    /// Gates `[i, f, g, o]` per direction and step, `n × 4h`.
    gates: [Vec<f32>; 2],
    /// Cell states, `n × h`.
    c: [Vec<f32>; 2],
    /// Hidden states, `n × h` (before output dropout).
    hs: [Vec<f32>; 2],
    /// Output dropout mask, `n × 2h`; empty without dropout.
    h_mask: Vec<f32>,
    /// Emissions, `n`.
    em: Vec<[f32; NUM_TAGS]>,
}

/// Gradient of the loss with respect to all parameters.
struct Grad {
    dense: Vec<f32>,
    sparse: FxHashMap<u32, Vec<f32>>,
    loss: f64,
}

impl Grad {
    fn new(total: usize) -> Grad {
        Grad {
            dense: vec![0.0; total],
            sparse: FxHashMap::default(),
            loss: 0.0,
        }
    }

    fn merge(mut self, o: Grad) -> Grad {
        for (a, b) in self.dense.iter_mut().zip(&o.dense) {
            *a += b;
        }
        for (k, v) in o.sparse {
            match self.sparse.get_mut(&k) {
                Some(a) => axpy(a, 1.0, &v),
                None => {
                    self.sparse.insert(k, v);
                }
            }
        }
        self.loss += o.loss;
        self
    }
}

impl NeuralTagger {
    /// A freshly initialized network for training data whose sparse keys and words are
    /// given; features seen fewer than `cfg.min_count` times get no row.
    pub fn init(cfg: &NeuralConfig, data: &[NeuralInput], vectors: WordVectors) -> NeuralTagger {
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        let mut char_counts: FxHashMap<char, u32> = FxHashMap::default();
        for s in data {
            for k in &s.keys {
                *counts.entry(*k).or_default() += 1;
            }
            for w in &s.words {
                for c in w.chars() {
                    *char_counts.entry(c).or_default() += 1;
                }
            }
        }
        let mut kept: Vec<u32> = counts
            .into_iter()
            .filter(|&(_, c)| cfg.sparse_dim > 0 && c >= cfg.min_count)
            .map(|(k, _)| k)
            .collect();
        kept.sort_unstable();
        let sparse_index: FxHashMap<u32, u32> = kept
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        let mut chars: Vec<char> = char_counts
            .into_iter()
            .filter(|&(_, c)| c >= 2)
            .map(|(c, _)| c)
            .collect();
        chars.sort_unstable();
        let char_index: FxHashMap<char, u16> = chars
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, i as u16 + 2))
            .collect();
        let lay = Layout::new(cfg, vectors.dim, chars.len() + 2);
        // Linear scores enter with unit standard deviation.
        let (mut n, mut sum2) = (0f64, 0f64);
        for s in data {
            for sc in &s.scores {
                for &v in sc {
                    n += 1.0;
                    sum2 += (v as f64) * (v as f64);
                }
            }
        }
        let score_scale = if sum2 > 0.0 {
            (n / sum2).sqrt() as f32
        } else {
            1.0
        };
        let mut rng = Rng(cfg.seed ^ 0x6E65_7572_616C);
        let mut dense = vec![0f32; lay.total];
        let glorot = |fan_in: usize, fan_out: usize| (6.0 / (fan_in + fan_out) as f32).sqrt();
        let fill =
            |v: &mut [f32], a: f32, rng: &mut Rng| v.iter_mut().for_each(|x| *x = rng.sym(a));
        let (h, d) = (lay.h, lay.d);
        fill(
            &mut dense[lay.char_emb..lay.char_emb + lay.nchars * lay.cd],
            0.5,
            &mut rng,
        );
        let a = glorot(lay.cw * lay.cd, lay.nf);
        fill(
            &mut dense[lay.conv_w..lay.conv_w + lay.nf * lay.cw * lay.cd],
            a,
            &mut rng,
        );
        for dir in 0..2 {
            let a = glorot(d, 4 * h);
            fill(
                &mut dense[lay.wx[dir]..lay.wx[dir] + 4 * h * d],
                a,
                &mut rng,
            );
            let a = glorot(h, 4 * h);
            fill(
                &mut dense[lay.wh[dir]..lay.wh[dir] + 4 * h * h],
                a,
                &mut rng,
            );
            // Forget-gate bias 1: remember by default.
            for v in &mut dense[lay.b[dir] + h..lay.b[dir] + 2 * h] {
                *v = 1.0;
            }
        }
        let a = glorot(2 * h, NUM_TAGS);
        fill(
            &mut dense[lay.out_w..lay.out_w + NUM_TAGS * 2 * h],
            a,
            &mut rng,
        );
        let mut sparse = vec![0f32; kept.len() * lay.s];
        fill(&mut sparse, 0.05, &mut rng);
        NeuralTagger {
            lay,
            sparse_index,
            sparse,
            char_index,
            dense,
            vectors,
            id: next_id(),
            score_scale,
            sparse_q: None,
        }
    }

    /// Whether the network reads the linear model's scores (`NeuralInput::scores`).
    pub fn reads_scores(&self) -> bool {
        self.lay.q > 0
    }

    /// Width of a sparse feature row.
    pub fn sparse_dim(&self) -> usize {
        self.lay.s
    }

    /// Number of sparse feature rows.
    pub fn sparse_rows(&self) -> usize {
        self.sparse_index.len()
    }

    /// Number of parameters (dense and sparse, frozen embeddings excluded).
    pub fn num_params(&self) -> usize {
        self.dense.len() + self.sparse.len()
    }

    /// The learned transition scores, in the linear model's layout.
    pub fn transitions(&self) -> Transitions {
        let mut t = [[0f32; NUM_TAGS]; NUM_TAGS + 1];
        for (p, row) in t.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = self.dense[self.lay.trans + p * NUM_TAGS + c];
            }
        }
        t
    }

    fn char_ids(&self, w: &str) -> Vec<u16> {
        let mut v = Vec::new();
        self.char_ids_into(w, &mut v);
        v
    }

    /// [`NeuralTagger::char_ids`] into a reused buffer.
    pub(crate) fn char_ids_into(&self, w: &str, v: &mut Vec<u16>) {
        let pad = self.lay.cw / 2;
        v.clear();
        v.resize(pad, 0);
        v.extend(
            w.chars()
                .take(MAX_WORD_CHARS)
                .map(|c| self.char_index.get(&c).copied().unwrap_or(1)),
        );
        v.extend(std::iter::repeat_n(0u16, pad));
        // At least one window.
        while v.len() < self.lay.cw {
            v.push(0);
        }
    }

    /// Character CNN of a word's character ids: `out[f]` = tanh of filter f's maximum over
    /// the windows, `arg[f]` the window where it is reached.
    /// (Tagging computes the same as `infer::char_cnn_fast`, arranged for speed.)
    #[inline]
    fn char_cnn(&self, ids: &[u16], out: &mut [f32], arg: &mut [u32]) {
        let lay = &self.lay;
        let (nf, cd, cw) = (lay.nf, lay.cd, lay.cw);
        let ce = &self.dense[lay.char_emb..];
        let cwt = &self.dense[lay.conv_w..];
        let cb = &self.dense[lay.conv_b..lay.conv_b + nf];
        let mut best = vec![f32::NEG_INFINITY; nf];
        let mut win = vec![0f32; cw * cd];
        for p in 0..ids.len() + 1 - cw {
            for k in 0..cw {
                let c = ids[p + k] as usize;
                win[k * cd..(k + 1) * cd].copy_from_slice(&ce[c * cd..(c + 1) * cd]);
            }
            for f in 0..nf {
                let v = cb[f] + dot(&cwt[f * cw * cd..(f + 1) * cw * cd], &win);
                if v > best[f] {
                    best[f] = v;
                    arg[f] = p as u32;
                }
            }
        }
        for f in 0..nf {
            out[f] = fast_tanh(best[f]);
        }
    }

    /// Forward pass; `rng` enables dropout (training).
    fn forward(
        &self,
        s: &NeuralInput,
        mut rng: Option<&mut Rng>,
        p_drop: f32,
        p_key: f32,
    ) -> Trace {
        let lay = &self.lay;
        let (h, d, nf) = (lay.h, lay.d, lay.nf);
        let n = s.len();
        let mut tr = Trace {
            x: vec![0f32; n * d],
            conv_arg: vec![0; n * nf],
            conv_out: vec![0f32; n * nf],
            ..Default::default()
        };
        for i in 0..n {
            let x = &mut tr.x[i * d..(i + 1) * d];
            // Sparse features.
            let keys = s.keys_of(i);
            let mut rows = Vec::with_capacity(keys.len());
            for k in keys {
                if let Some(&r) = self.sparse_index.get(k) {
                    if p_key > 0.0 {
                        if let Some(rg) = rng.as_deref_mut() {
                            if rg.unit() < p_key {
                                continue;
                            }
                        }
                    }
                    let r = r as usize;
                    axpy(
                        &mut x[..lay.s],
                        1.0,
                        &self.sparse[r * lay.s..(r + 1) * lay.s],
                    );
                    rows.push(r as u32);
                }
            }
            tr.rows.push(rows);
            if lay.q > 0 {
                if let Some(sc) = s.scores.get(i) {
                    for (v, &y) in x[lay.s..lay.s + lay.q].iter_mut().zip(sc) {
                        *v = y * self.score_scale;
                    }
                }
            }
            // Word vector.
            self.vectors
                .row_into(&s.words[i], s.core_of(i), &mut x[lay.w0..lay.w0 + lay.e]);
            // Character CNN: max over windows, then tanh.
            let ids = self.char_ids(&s.words[i]);
            let out = &mut x[lay.w0 + lay.e..lay.w0 + lay.e + nf];
            self.char_cnn(&ids, out, &mut tr.conv_arg[i * nf..(i + 1) * nf]);
            tr.conv_out[i * nf..(i + 1) * nf].copy_from_slice(out);
            tr.chars.push(ids);
        }
        if let Some(r) = rng.as_deref_mut() {
            if p_drop > 0.0 {
                let keep = 1.0 / (1.0 - p_drop);
                tr.x_mask = (0..n * d)
                    .map(|_| if r.unit() < p_drop { 0.0 } else { keep })
                    .collect();
                for (x, m) in tr.x.iter_mut().zip(&tr.x_mask) {
                    *x *= m;
                }
            }
        }
        // Two LSTM directions.
        for dir in 0..2 {
            let wx = &self.dense[lay.wx[dir]..lay.wx[dir] + 4 * h * d];
            let wh = &self.dense[lay.wh[dir]..lay.wh[dir] + 4 * h * h];
            let b = &self.dense[lay.b[dir]..lay.b[dir] + 4 * h];
            let mut gates = vec![0f32; n * 4 * h];
            let mut cs = vec![0f32; n * h];
            let mut hs = vec![0f32; n * h];
            let mut prev_h = vec![0f32; h];
            let mut prev_c = vec![0f32; h];
            for step in 0..n {
                let t = if dir == 0 { step } else { n - 1 - step };
                let z = &mut gates[t * 4 * h..(t + 1) * 4 * h];
                z.copy_from_slice(b);
                gemv_cols(z, wx, &tr.x[t * d..(t + 1) * d], 4 * h);
                gemv_cols(z, wh, &prev_h, 4 * h);
                for j in 0..h {
                    let ig = sigmoid(z[j]);
                    let fg = sigmoid(z[h + j]);
                    let gg = fast_tanh(z[2 * h + j]);
                    let og = sigmoid(z[3 * h + j]);
                    z[j] = ig;
                    z[h + j] = fg;
                    z[2 * h + j] = gg;
                    z[3 * h + j] = og;
                    let c = fg * prev_c[j] + ig * gg;
                    cs[t * h + j] = c;
                    hs[t * h + j] = og * fast_tanh(c);
                }
                prev_h.copy_from_slice(&hs[t * h..(t + 1) * h]);
                prev_c.copy_from_slice(&cs[t * h..(t + 1) * h]);
            }
            tr.gates[dir] = gates;
            tr.c[dir] = cs;
            tr.hs[dir] = hs;
        }
        if let Some(r) = rng {
            if p_drop > 0.0 {
                let keep = 1.0 / (1.0 - p_drop);
                tr.h_mask = (0..n * 2 * h)
                    .map(|_| if r.unit() < p_drop { 0.0 } else { keep })
                    .collect();
            }
        }
        let ow = &self.dense[lay.out_w..lay.out_w + NUM_TAGS * 2 * h];
        let ob = &self.dense[lay.out_b..lay.out_b + NUM_TAGS];
        let mut hc = vec![0f32; 2 * h];
        tr.em = Vec::with_capacity(n);
        for t in 0..n {
            hc[..h].copy_from_slice(&tr.hs[0][t * h..(t + 1) * h]);
            hc[h..].copy_from_slice(&tr.hs[1][t * h..(t + 1) * h]);
            if !tr.h_mask.is_empty() {
                for (v, m) in hc.iter_mut().zip(&tr.h_mask[t * 2 * h..(t + 1) * 2 * h]) {
                    *v *= m;
                }
            }
            let mut e = [0f32; NUM_TAGS];
            e.copy_from_slice(ob);
            gemv_cols(&mut e, ow, &hc, NUM_TAGS);
            tr.em.push(e);
        }
        tr
    }

    /// Emission scores of each token (tagging: no dropout).
    pub fn emissions(&self, s: &NeuralInput) -> Vec<[f32; NUM_TAGS]> {
        if s.is_empty() {
            return Vec::new();
        }
        self.emissions_fast(s)
    }

    /// Emissions from the training forward pass (reference for the fast path).
    pub fn emissions_reference(&self, s: &NeuralInput) -> Vec<[f32; NUM_TAGS]> {
        if s.is_empty() {
            return Vec::new();
        }
        self.forward(s, None, 0.0, 0.0).em
    }

    /// BIO-constrained best tag sequence (tag indices).
    pub fn tag(&self, s: &NeuralInput) -> Vec<u8> {
        let em = self.emissions(s);
        let mut out = Vec::new();
        viterbi(&em, &self.transitions(), &mut out);
        out
    }

    /// CRF negative log-likelihood of `gold` and its gradient with respect to the
    /// emissions and the transitions (added into `g`).
    fn crf_grad(
        &self,
        em: &[[f32; NUM_TAGS]],
        gold: &[u8],
        dem: &mut [[f32; NUM_TAGS]],
        g: &mut [f32],
    ) -> f32 {
        let n = em.len();
        let tbase = self.lay.trans;
        let mut t = [[f32::NEG_INFINITY; NUM_TAGS]; NUM_TAGS + 1];
        for (p, row) in t.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                if allowed(p, c) {
                    *v = self.dense[tbase + p * NUM_TAGS + c];
                }
            }
        }
        let mut alpha = vec![[f32::NEG_INFINITY; NUM_TAGS]; n];
        for c in 0..NUM_TAGS {
            alpha[0][c] = t[START][c] + em[0][c];
        }
        let mut buf = [0f32; NUM_TAGS];
        for i in 1..n {
            for c in 0..NUM_TAGS {
                for p in 0..NUM_TAGS {
                    buf[p] = alpha[i - 1][p] + t[p][c];
                }
                alpha[i][c] = log_sum_exp(&buf) + em[i][c];
            }
        }
        let log_z = log_sum_exp(&alpha[n - 1]);
        let mut beta = vec![[0f32; NUM_TAGS]; n];
        for i in (0..n - 1).rev() {
            for p in 0..NUM_TAGS {
                for c in 0..NUM_TAGS {
                    buf[c] = t[p][c] + em[i + 1][c] + beta[i + 1][c];
                }
                beta[i][p] = log_sum_exp(&buf);
            }
        }
        let mut gold_score = t[START][gold[0] as usize] + em[0][gold[0] as usize];
        for i in 1..n {
            gold_score += t[gold[i - 1] as usize][gold[i] as usize] + em[i][gold[i] as usize];
        }
        for i in 0..n {
            for c in 0..NUM_TAGS {
                let p = (alpha[i][c] + beta[i][c] - log_z).exp();
                dem[i][c] = if p.is_finite() { p } else { 0.0 };
            }
            dem[i][gold[i] as usize] -= 1.0;
        }
        for c in 0..NUM_TAGS {
            if allowed(START, c) {
                g[tbase + START * NUM_TAGS + c] += dem[0][c];
            }
        }
        for i in 1..n {
            for p in 0..NUM_TAGS {
                if alpha[i - 1][p] == f32::NEG_INFINITY {
                    continue;
                }
                for c in 0..NUM_TAGS {
                    if !allowed(p, c) {
                        continue;
                    }
                    let m = (alpha[i - 1][p] + t[p][c] + em[i][c] + beta[i][c] - log_z).exp();
                    if m.is_finite() {
                        g[tbase + p * NUM_TAGS + c] += m;
                    }
                }
            }
            g[tbase + gold[i - 1] as usize * NUM_TAGS + gold[i] as usize] -= 1.0;
        }
        log_z - gold_score
    }

    /// Loss of one sentence and the gradient of all parameters.
    fn sentence_grad(
        &self,
        s: &NeuralInput,
        gold: &[u8],
        rng: Option<&mut Rng>,
        p: f32,
        p_key: f32,
    ) -> Grad {
        let lay = &self.lay;
        let (h, d, nf, cd, cw) = (lay.h, lay.d, lay.nf, lay.cd, lay.cw);
        let mut g = Grad::new(lay.total);
        let n = s.len();
        if n == 0 {
            return g;
        }
        let tr = self.forward(s, rng, p, p_key);
        let mut dem = vec![[0f32; NUM_TAGS]; n];
        g.loss = self.crf_grad(&tr.em, gold, &mut dem, &mut g.dense) as f64;
        // Output layer.
        let ow = &self.dense[lay.out_w..lay.out_w + NUM_TAGS * 2 * h];
        let mut dh = [vec![0f32; n * h], vec![0f32; n * h]];
        let mut hc = vec![0f32; 2 * h];
        for t in 0..n {
            hc[..h].copy_from_slice(&tr.hs[0][t * h..(t + 1) * h]);
            hc[h..].copy_from_slice(&tr.hs[1][t * h..(t + 1) * h]);
            let mask = (!tr.h_mask.is_empty()).then(|| &tr.h_mask[t * 2 * h..(t + 1) * 2 * h]);
            if let Some(m) = mask {
                for (v, m) in hc.iter_mut().zip(m) {
                    *v *= m;
                }
            }
            let e = &dem[t];
            axpy(&mut g.dense[lay.out_b..lay.out_b + NUM_TAGS], 1.0, e);
            for j in 0..2 * h {
                let col = lay.out_w + j * NUM_TAGS;
                axpy(&mut g.dense[col..col + NUM_TAGS], hc[j], e);
                let mut v = dot(&ow[j * NUM_TAGS..(j + 1) * NUM_TAGS], e);
                if let Some(m) = mask {
                    v *= m[j];
                }
                dh[j / h][t * h + j % h] += v;
            }
        }
        // LSTM directions, backwards through time.
        let mut dx = vec![0f32; n * d];
        for dir in 0..2 {
            let wx = &self.dense[lay.wx[dir]..lay.wx[dir] + 4 * h * d];
            let wh = &self.dense[lay.wh[dir]..lay.wh[dir] + 4 * h * h];
            let gates = &tr.gates[dir];
            let cs = &tr.c[dir];
            let hs = &tr.hs[dir];
            let mut dh_next = vec![0f32; h];
            let mut dc_next = vec![0f32; h];
            let mut dz = vec![0f32; 4 * h];
            let zero = vec![0f32; h];
            for step in (0..n).rev() {
                let t = if dir == 0 { step } else { n - 1 - step };
                let prev = if step == 0 {
                    None
                } else if dir == 0 {
                    Some(t - 1)
                } else {
                    Some(t + 1)
                };
                let prev_c = prev.map(|q| &cs[q * h..(q + 1) * h]).unwrap_or(&zero);
                let prev_h = prev.map(|q| &hs[q * h..(q + 1) * h]).unwrap_or(&zero);
                let gz = &gates[t * 4 * h..(t + 1) * 4 * h];
                for j in 0..h {
                    let (ig, fg, gg, og) = (gz[j], gz[h + j], gz[2 * h + j], gz[3 * h + j]);
                    let c = cs[t * h + j];
                    let tc = fast_tanh(c);
                    let dhj = dh[dir][t * h + j] + dh_next[j];
                    let d_o = dhj * tc;
                    let dc = dhj * og * (1.0 - tc * tc) + dc_next[j];
                    let d_i = dc * gg;
                    let d_g = dc * ig;
                    let d_f = dc * prev_c[j];
                    dc_next[j] = dc * fg;
                    dz[j] = d_i * ig * (1.0 - ig);
                    dz[h + j] = d_f * fg * (1.0 - fg);
                    dz[2 * h + j] = d_g * (1.0 - gg * gg);
                    dz[3 * h + j] = d_o * og * (1.0 - og);
                }
                axpy(&mut g.dense[lay.b[dir]..lay.b[dir] + 4 * h], 1.0, &dz);
                let x = &tr.x[t * d..(t + 1) * d];
                for (j, &xj) in x.iter().enumerate() {
                    let col = lay.wx[dir] + j * 4 * h;
                    if xj != 0.0 {
                        axpy(&mut g.dense[col..col + 4 * h], xj, &dz);
                    }
                    dx[t * d + j] += dot(&wx[j * 4 * h..(j + 1) * 4 * h], &dz);
                }
                for j in 0..h {
                    let col = lay.wh[dir] + j * 4 * h;
                    if prev_h[j] != 0.0 {
                        axpy(&mut g.dense[col..col + 4 * h], prev_h[j], &dz);
                    }
                    dh_next[j] = dot(&wh[j * 4 * h..(j + 1) * 4 * h], &dz);
                }
            }
        }
        // Inputs: dropout mask, then the sparse rows and the character CNN.
        if !tr.x_mask.is_empty() {
            for (v, m) in dx.iter_mut().zip(&tr.x_mask) {
                *v *= m;
            }
        }
        for t in 0..n {
            let dxt = &dx[t * d..(t + 1) * d];
            for &r in &tr.rows[t] {
                let e = g.sparse.entry(r).or_insert_with(|| vec![0f32; lay.s]);
                axpy(e, 1.0, &dxt[..lay.s]);
            }
            let ids = &tr.chars[t];
            for f in 0..nf {
                let o = tr.conv_out[t * nf + f];
                let dv = dxt[lay.w0 + lay.e + f] * (1.0 - o * o);
                if dv == 0.0 {
                    continue;
                }
                let pos = tr.conv_arg[t * nf + f] as usize;
                g.dense[lay.conv_b + f] += dv;
                for k in 0..cw {
                    let c = ids[pos + k] as usize;
                    let wcol = lay.conv_w + f * cw * cd + k * cd;
                    let ecol = lay.char_emb + c * cd;
                    for q in 0..cd {
                        g.dense[wcol + q] += dv * self.dense[ecol + q];
                        g.dense[ecol + q] += dv * self.dense[wcol + q];
                    }
                }
            }
        }
        g
    }
}

/// Adam state.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    sm: Vec<f32>,
    sv: Vec<f32>,
    t: i32,
}

/// One epoch's report.
#[derive(Debug, Clone)]
pub struct NeuralEpoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss per sentence.
    pub loss: f64,
    /// Dev micro F1 (0 without dev data).
    pub dev_f1: f64,
}

/// Gold tags as indices, with `I-X` not allowed at its position turned into `B-X` (the
/// CRF gives invalid sequences zero probability).
pub fn repair_gold(tags: &[Tag]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tags.len());
    let mut prev = START;
    for t in tags {
        let mut i = t.index();
        if !allowed(prev, i) {
            if let Tag::I(l) = t {
                i = Tag::B(*l).index();
            }
        }
        out.push(i as u8);
        prev = i;
    }
    out
}

/// Trains the network with Adam on mini-batches (sentences of a batch in parallel),
/// keeping the parameters of the epoch with the best dev F1 (`dev_f1` scores a tagging).
#[allow(clippy::too_many_arguments)]
pub fn train(
    cfg: &NeuralConfig,
    train: &[NeuralInput],
    gold: &[Vec<u8>],
    vectors: WordVectors,
    dev_f1: &dyn Fn(&NeuralTagger) -> f64,
    fixed_epochs: Option<usize>,
    log: &mut dyn FnMut(&NeuralEpoch),
) -> (NeuralTagger, Vec<NeuralEpoch>) {
    use rayon::prelude::*;
    let mut net = NeuralTagger::init(cfg, train, vectors);
    let mut adam = Adam {
        m: vec![0.0; net.dense.len()],
        v: vec![0.0; net.dense.len()],
        sm: vec![0.0; net.sparse.len()],
        sv: vec![0.0; net.sparse.len()],
        t: 0,
    };
    let mut rng = Rng(cfg.seed);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut reports = Vec::new();
    let mut best: Option<(f64, NeuralTagger)> = None;
    let epochs = fixed_epochs.unwrap_or(cfg.epochs);
    let mut since_best = 0;
    let mut avg = (cfg.average > 0.0).then(|| net.clone());
    let mut steps = 0u64;
    for epoch in 1..=epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut total = 0f64;
        for batch in order.chunks(cfg.batch.max(1)) {
            let seeds: Vec<u64> = batch.iter().map(|_| rng.next()).collect();
            let net_ref = &net;
            // Gradients in parallel, summed in batch order: the result does not depend on
            // how the threads split the work (training is reproducible bit for bit).
            let grads: Vec<Grad> = batch
                .par_iter()
                .zip(seeds)
                .map(|(&i, seed)| {
                    let mut r = Rng(seed);
                    net_ref.sentence_grad(
                        &train[i],
                        &gold[i],
                        Some(&mut r),
                        cfg.dropout,
                        cfg.key_dropout,
                    )
                })
                .collect();
            let g = grads.into_iter().reduce(Grad::merge);
            let Some(g) = g else { continue };
            total += g.loss;
            adam_step(&mut net, &mut adam, g, cfg.lr);
            if let Some(avg) = avg.as_mut() {
                // Bias-corrected running average: early steps are not pulled to the init.
                steps += 1;
                let dcy = cfg.average.min(1.0 - 1.0 / (steps as f32 + 1.0));
                let blend = |a: &mut [f32], w: &[f32]| {
                    for (a, w) in a.iter_mut().zip(w) {
                        *a = dcy * *a + (1.0 - dcy) * w;
                    }
                };
                blend(&mut avg.dense, &net.dense);
                blend(&mut avg.sparse, &net.sparse);
                avg.id = next_id();
            }
        }
        let eval_net = avg.as_ref().unwrap_or(&net);
        let f1 = dev_f1(eval_net);
        let rep = NeuralEpoch {
            epoch,
            loss: total / train.len().max(1) as f64,
            dev_f1: f1,
        };
        log(&rep);
        reports.push(rep);
        if fixed_epochs.is_some() {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| f1 > *b) {
            best = Some((f1, eval_net.clone()));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                break;
            }
        }
    }
    let net = match (best, avg) {
        (Some((_, b)), _) => b,
        (None, Some(a)) => a,
        (None, None) => net,
    };
    (net, reports)
}

fn adam_step(net: &mut NeuralTagger, a: &mut Adam, mut g: Grad, lr: f32) {
    net.id = next_id();
    const B1: f32 = 0.9;
    const B2: f32 = 0.999;
    const EPS: f32 = 1e-8;
    const CLIP: f32 = 5.0;
    // Clip the global gradient norm.
    let mut norm2: f64 = g.dense.iter().map(|x| (*x as f64) * (*x as f64)).sum();
    for v in g.sparse.values() {
        norm2 += v.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>();
    }
    let norm = norm2.sqrt() as f32;
    let scale = if norm > CLIP { CLIP / norm } else { 1.0 };
    a.t += 1;
    let c1 = 1.0 - B1.powi(a.t);
    let c2 = 1.0 - B2.powi(a.t);
    let step = lr * c2.sqrt() / c1;
    for i in 0..net.dense.len() {
        let gi = g.dense[i] * scale;
        a.m[i] = B1 * a.m[i] + (1.0 - B1) * gi;
        a.v[i] = B2 * a.v[i] + (1.0 - B2) * gi * gi;
        net.dense[i] -= step * a.m[i] / (a.v[i].sqrt() + EPS);
    }
    // Lazy Adam for the sparse rows: only rows with a gradient move.
    let s = net.lay.s;
    for (r, v) in g.sparse.drain() {
        let base = r as usize * s;
        for q in 0..s {
            let i = base + q;
            let gi = v[q] * scale;
            a.sm[i] = B1 * a.sm[i] + (1.0 - B1) * gi;
            a.sv[i] = B2 * a.sv[i] + (1.0 - B2) * gi * gi;
            net.sparse[i] -= step * a.sm[i] / (a.sv[i].sqrt() + EPS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<NeuralInput>, Vec<Vec<u8>>) {
        let mk = |words: &[&str], keys: &[&[u32]]| {
            let mut k = Vec::new();
            let mut o = vec![0];
            for ks in keys {
                k.extend_from_slice(ks);
                o.push(k.len());
            }
            NeuralInput {
                keys: k,
                offsets: o,
                words: words.iter().map(|s| s.to_string()).collect(),
                cores: words.iter().map(|s| s.to_string()).collect(),
                scores: words
                    .iter()
                    .enumerate()
                    .map(|(i, _)| std::array::from_fn(|t| ((i + 2 * t) % 5) as f32 - 2.0))
                    .collect(),
            }
        };
        let a = mk(&["زار", "محمد", "عمان"], &[&[1, 2], &[3, 4, 5], &[6, 7]]);
        let b = mk(&["قال", "محمد"], &[&[1, 8], &[3, 4]]);
        (
            vec![a.clone(), b.clone(), a, b],
            vec![vec![0, 1, 3], vec![0, 1], vec![0, 1, 3], vec![0, 1]],
        )
    }

    fn small_cfg() -> NeuralConfig {
        NeuralConfig {
            scores: true,
            hidden: 4,
            sparse_dim: 3,
            char_dim: 2,
            char_filters: 3,
            dropout: 0.0,
            min_count: 1,
            ..Default::default()
        }
    }

    fn loss(net: &NeuralTagger, s: &NeuralInput, gold: &[u8]) -> f64 {
        net.sentence_grad(s, gold, None, 0.0, 0.0).loss
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (data, gold) = toy();
        let vecs = WordVectors::new(&["محمد".to_string()], vec![0.3, -0.2], 2);
        let mut net = NeuralTagger::init(&small_cfg(), &data, vecs);
        // Nudge the transitions off zero so their gradient is exercised.
        for (i, v) in net.dense[net.lay.trans..].iter_mut().enumerate() {
            *v = ((i * 7919) % 13) as f32 * 0.05 - 0.3;
        }
        let g = net.sentence_grad(&data[0], &gold[0], None, 0.0, 0.0);
        let eps = 1e-2f32;
        let mut checked = 0;
        for i in (0..net.dense.len()).step_by(3) {
            let orig = net.dense[i];
            net.dense[i] = orig + eps;
            let lp = loss(&net, &data[0], &gold[0]);
            net.dense[i] = orig - eps;
            let lm = loss(&net, &data[0], &gold[0]);
            net.dense[i] = orig;
            let num = (lp - lm) / (2.0 * eps as f64);
            let ana = g.dense[i] as f64;
            // The max-pooling argmax may switch under a nudge; skip those kinks.
            if (num - ana).abs() > 1e-2 + 0.05 * ana.abs() {
                let in_conv = i >= net.lay.char_emb && i < net.lay.wx[0];
                assert!(in_conv, "param {i}: numeric {num} vs analytic {ana}");
            }
            checked += 1;
        }
        assert!(checked > 100);
        for (&r, v) in &g.sparse {
            for q in 0..net.lay.s {
                let i = r as usize * net.lay.s + q;
                let orig = net.sparse[i];
                net.sparse[i] = orig + eps;
                let lp = loss(&net, &data[0], &gold[0]);
                net.sparse[i] = orig - eps;
                let lm = loss(&net, &data[0], &gold[0]);
                net.sparse[i] = orig;
                let num = (lp - lm) / (2.0 * eps as f64);
                assert!((num - v[q] as f64).abs() < 1e-2 + 0.05 * num.abs());
            }
        }
    }

    #[test]
    fn learns_a_toy_task() {
        let (data, gold) = toy();
        let cfg = NeuralConfig {
            epochs: 40,
            lr: 0.05,
            batch: 2,
            ..small_cfg()
        };
        let (net, reps) = train(
            &cfg,
            &data,
            &gold,
            WordVectors::default(),
            &|_| 0.0,
            Some(40),
            &mut |_| {},
        );
        assert!(reps.last().unwrap().loss < reps[0].loss);
        assert_eq!(net.tag(&data[0]), gold[0]);
        assert_eq!(net.tag(&data[1]), gold[1]);
    }

    #[test]
    fn fast_path_matches_training_forward() {
        let (data, _) = toy();
        let vecs = WordVectors::new(&["محمد".to_string()], vec![0.3, -0.2], 2);
        let mut net = NeuralTagger::init(&small_cfg(), &data, vecs);
        let mut r = Rng(5);
        for v in net.dense.iter_mut() {
            *v += r.sym(0.3);
        }
        net.id = next_id();
        for s in &data {
            let a = net.emissions_reference(s);
            // Twice: the second call reads the word cache.
            for _ in 0..2 {
                let b = net.emissions(s);
                for (x, y) in a.iter().zip(&b) {
                    for t in 0..NUM_TAGS {
                        assert!((x[t] - y[t]).abs() < 1e-4, "{} vs {}", x[t], y[t]);
                    }
                }
            }
        }
    }

    /// The vector part of a projection is cached by vector row: two words sharing a
    /// row (a word and a clitic form whose core has the vector) get the same part, and a
    /// second network in the same thread does not read the first one's.
    #[test]
    fn vector_part_cache_is_per_row_and_network() {
        let (data, _) = toy();
        let words = ["محمد".to_string(), "عمان".to_string()];
        let vecs = WordVectors::new(&words, vec![0.3, -0.2, 0.1, 0.5], 2);
        let mut clitic = data[0].clone();
        clitic.words[1] = "ومحمد".to_string();
        clitic.cores[1] = "محمد".to_string();
        for seed in [5, 6] {
            let mut net = NeuralTagger::init(&small_cfg(), &data, vecs.clone());
            let mut r = Rng(seed);
            for v in net.dense.iter_mut() {
                *v += r.sym(0.3);
            }
            net.id = next_id();
            for s in [&data[0], &clitic, &data[1]] {
                let a = net.emissions_reference(s);
                let b = net.emissions(s);
                for (x, y) in a.iter().zip(&b) {
                    for t in 0..NUM_TAGS {
                        assert!(
                            (x[t] - y[t]).abs() < 1e-4,
                            "seed {seed}: {} vs {}",
                            x[t],
                            y[t]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fast_tanh_is_close() {
        let mut worst = 0f32;
        for i in -20000..=20000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((fast_tanh(x) - x.tanh()).abs());
        }
        assert!(worst < 1e-5, "max error {worst}");
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
        assert!((sigmoid(3.0) - 1.0 / (1.0 + (-3f32).exp())).abs() < 1e-5);
    }

    #[test]
    fn repairs_invalid_gold() {
        use crate::tags::Label;
        let g = repair_gold(&[Tag::O, Tag::I(Label::Per), Tag::I(Label::Per)]);
        assert_eq!(g, vec![0, 1, 2]);
    }

    #[test]
    fn empty_and_odd_inputs() {
        let (data, _) = toy();
        let net = NeuralTagger::init(&small_cfg(), &data, WordVectors::default());
        assert!(net.tag(&NeuralInput::default()).is_empty());
        let odd = NeuralInput {
            keys: vec![],
            offsets: vec![0, 0],
            words: vec![String::new()],
            cores: vec![String::new()],
            scores: vec![],
        };
        assert_eq!(net.tag(&odd).len(), 1);
        // Offsets that do not describe the keys, missing cores: no panic, no keys read.
        let bad = NeuralInput {
            keys: vec![1, 2],
            offsets: vec![0, 5, 1],
            words: vec!["محمد".into(), "قال".into()],
            cores: vec![],
            scores: vec![[1.0; NUM_TAGS]],
        };
        assert_eq!(net.tag(&bad).len(), 2);
        assert_eq!(
            net.emissions(&bad).len(),
            net.emissions_reference(&bad).len()
        );
    }
}
