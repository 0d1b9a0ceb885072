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

use crate::features::cache::next_id;
use crate::features::hash::word_key;
use crate::features::hash::Rng;
use crate::model::viterbi::{viterbi, Transitions};
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;

mod infer;

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
    /// A training sentence of the auxiliary corpus: scored by the network's auxiliary
    /// output layer while training (see `NeuralTagger::aux_head`).
    pub aux: bool,
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
            .map(|w| crate::features::text::split_clitics(w).core.to_string())
            .collect();
        NeuralInput {
            keys,
            offsets,
            words,
            cores,
            scores: Vec::new(),
            aux: false,
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
            scales.push(quantize_row(&vecs[r * dim..(r + 1) * dim], &mut q));
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
    /// While training on two corpora: where a second output layer and CRF transitions
    /// for the auxiliary corpus begin in `dense`, after the layout's parameters (the
    /// corpora share everything below the output layer). 0 otherwise; never saved.
    pub(crate) aux_head: usize,
}

/// Width of an output layer with its CRF transitions: weights, bias, transitions.
pub(crate) fn head_len(h: usize) -> usize {
    NUM_TAGS * 2 * h + NUM_TAGS + (NUM_TAGS + 1) * NUM_TAGS
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
            aux_head: self.aux_head,
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
pub(crate) fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
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

/// Everything the forward pass keeps for the backward pass.
#[derive(Default)]
pub(crate) struct Trace {
    /// Input vectors, `n × d` (after dropout).
    pub(crate) x: Vec<f32>,
    /// Input dropout mask (scaled), `n × d`; empty without dropout.
    pub(crate) x_mask: Vec<f32>,
    /// Character ids per token (with padding).
    pub(crate) chars: Vec<Vec<u16>>,
    /// Argmax position of each filter per token, `n × nf`.
    pub(crate) conv_arg: Vec<u32>,
    /// tanh(max conv) per token, `n × nf`.
    pub(crate) conv_out: Vec<f32>,
    /// Sparse rows per token.
    pub(crate) rows: Vec<Vec<u32>>,
    /// Gates `[i, f, g, o]` per direction and step, `n × 4h`.
    pub(crate) gates: [Vec<f32>; 2],
    /// Cell states, `n × h`.
    pub(crate) c: [Vec<f32>; 2],
    /// Hidden states, `n × h` (before output dropout).
    pub(crate) hs: [Vec<f32>; 2],
    /// Output dropout mask, `n × 2h`; empty without dropout.
    pub(crate) h_mask: Vec<f32>,
    /// Emissions, `n`.
    pub(crate) em: Vec<[f32; NUM_TAGS]>,
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
            aux_head: 0,
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

    /// Where the output weights, bias and transitions that score `s` begin: the
    /// auxiliary head for an auxiliary training sentence, else the layout's.
    pub(crate) fn head(&self, s: &NeuralInput) -> (usize, usize, usize) {
        if s.aux && self.aux_head > 0 {
            let w = self.aux_head;
            let b = w + NUM_TAGS * 2 * self.lay.h;
            (w, b, b + NUM_TAGS)
        } else {
            (self.lay.out_w, self.lay.out_b, self.lay.trans)
        }
    }

    /// Adds an auxiliary output layer and CRF transitions for training on a second
    /// corpus ([`NeuralInput::aux`]), initialized like the main one.
    pub(crate) fn add_aux_head(&mut self, seed: u64) {
        if self.aux_head > 0 {
            return;
        }
        let h = self.lay.h;
        self.aux_head = self.dense.len();
        self.dense.resize(self.aux_head + head_len(h), 0.0);
        let a = (6.0 / (2 * h + NUM_TAGS) as f32).sqrt();
        let mut rng = Rng(seed ^ 0x6175_7868);
        for x in &mut self.dense[self.aux_head..self.aux_head + NUM_TAGS * 2 * h] {
            *x = rng.sym(a);
        }
    }

    /// Drops the auxiliary head (the saved network scores the main corpus only).
    pub(crate) fn drop_aux_head(&mut self) {
        if self.aux_head > 0 {
            self.dense.truncate(self.aux_head);
            self.aux_head = 0;
        }
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
    /// (Tagging computes the same as `char_cnn_fast` of the `infer` module, arranged for speed.)
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
    pub(crate) fn forward(
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
        let (out_w, out_b, _) = self.head(s);
        let ow = &self.dense[out_w..out_w + NUM_TAGS * 2 * h];
        let ob = &self.dense[out_b..out_b + NUM_TAGS];
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
}

/// Appends `row` as i8 values to `out` and returns its scale (max |x| / 127).
pub(crate) fn quantize_row(row: &[f32], out: &mut Vec<i8>) -> f32 {
    let m = row
        .iter()
        .filter(|x| x.is_finite())
        .fold(0f32, |a, &x| a.max(x.abs()));
    let s = if m > 0.0 { m / 127.0 } else { 1.0 };
    out.extend(
        row.iter()
            .map(|&x| (x / s).round().clamp(-127.0, 127.0) as i8),
    );
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn toy() -> (Vec<NeuralInput>, Vec<Vec<u8>>) {
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
                aux: false,
            }
        };
        let a = mk(&["زار", "محمد", "عمان"], &[&[1, 2], &[3, 4, 5], &[6, 7]]);
        let b = mk(&["قال", "محمد"], &[&[1, 8], &[3, 4]]);
        (
            vec![a.clone(), b.clone(), a, b],
            vec![vec![0, 1, 3], vec![0, 1], vec![0, 1, 3], vec![0, 1]],
        )
    }

    pub(crate) fn small_cfg() -> NeuralConfig {
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
            aux: false,
        };
        assert_eq!(net.tag(&odd).len(), 1);
        // Offsets that do not describe the keys, missing cores: no panic, no keys read.
        let bad = NeuralInput {
            keys: vec![1, 2],
            offsets: vec![0, 5, 1],
            words: vec!["محمد".into(), "قال".into()],
            cores: vec![],
            scores: vec![[1.0; NUM_TAGS]],
            aux: false,
        };
        assert_eq!(net.tag(&bad).len(), 2);
        assert_eq!(
            net.emissions(&bad).len(),
            net.emissions_reference(&bad).len()
        );
    }
}
