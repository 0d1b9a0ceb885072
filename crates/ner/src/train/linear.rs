//! Training of the linear passes: averaged structured perceptron (or a linear-chain CRF)
//! over the hashed feature keys.

use crate::data::Sentence;
use crate::eval::Scores;
use crate::features::{
    add_extra_features, sentence_features_rows, Extra, Resources, LEXICAL, NO_ROW,
};
use crate::model::viterbi::{allowed, viterbi, Transitions, START};
use crate::model::weights::{emissions, Weights, DENSE_W};
use crate::tags::{Tag, NUM_TAGS};
use rustc_hash::FxHashMap;

/// Training options.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Stop after this many epochs without a dev improvement.
    pub patience: usize,
    /// Shuffle seed.
    pub seed: u64,
    /// Features seen fewer times than this in training are ignored.
    pub min_count: u32,
    /// Learning algorithm.
    pub algorithm: Algorithm,
    /// Perceptron: also learn weights shared by B-X and I-X of a type (folded into the
    /// tag weights afterwards, so tagging cost is unchanged).
    pub shared_types: bool,
    /// Perceptron: probability of hiding a token's own word features in a training step.
    pub word_dropout: f64,
    /// Perceptron: members of the ensemble (different shuffles, weights averaged).
    pub ensemble: usize,
    /// Perceptron: scale of the (unit-length) word embeddings used as real-valued
    /// features of the token and its neighbours; 0 disables them.
    pub dense_scale: f32,
    /// Learn a copy of every feature per corpus besides the shared weight when the
    /// training data mixes corpora ([`Sentence::aux`]); the model keeps shared + main.
    pub domain_copies: bool,
    /// Perceptron: share of the auxiliary-corpus sentences ([`Sentence::aux`]) each epoch
    /// visits (a fresh random draw per epoch): how much the larger corpus weighs.
    pub aux_rate: f64,
}

/// Learning algorithm for the linear tagger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Algorithm {
    /// Averaged structured perceptron.
    Perceptron,
    /// Linear-chain CRF trained with SGD and L2 regularization (`c2`), initial step `eta`.
    Crf {
        /// L2 strength (CRFsuite's `c2`).
        c2: f64,
        /// Initial learning rate.
        eta: f64,
    },
    /// Linear-chain CRF trained with AdaGrad; `l2` is applied per feature occurrence.
    AdaCrf {
        /// L2 strength per occurrence.
        l2: f64,
        /// Learning rate.
        eta: f64,
    },
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 30,
            patience: 5,
            seed: 42,
            min_count: 1,
            algorithm: Algorithm::Perceptron,
            shared_types: true,
            word_dropout: 0.0,
            ensemble: 1,
            dense_scale: 0.0,
            domain_copies: true,
            aux_rate: 1.0,
        }
    }
}

/// Per-epoch report.
#[derive(Debug, Clone)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Sentences with at least one mistake during the epoch.
    pub mistakes: usize,
    /// Dev scores with the averaged weights (empty scores when there is no dev set).
    pub dev: Scores,
}

struct Prepared {
    feats: Vec<u32>,
    offsets: Vec<usize>,
    rows: Vec<u32>,
    gold: Vec<u8>,
}

/// Real-valued embedding features of the perceptron: weights `[part][tag][dim]` for the
/// word at offset `part - 1` from the scored token.
struct DenseLearner {
    vecs: std::sync::Arc<Vec<f32>>,
    dim: usize,
    scale: f32,
    w: Vec<f32>,
    acc: Vec<f32>,
}

impl DenseLearner {
    #[inline]
    fn vec(&self, r: u32) -> Option<&[f32]> {
        if r == NO_ROW {
            return None;
        }
        let d = self.dim;
        self.vecs.get(r as usize * d..(r as usize + 1) * d)
    }

    fn add_scores(&self, rows: &[u32], em: &mut [[f32; NUM_TAGS]]) {
        let n = em.len();
        let d = self.dim;
        for (i, e) in em.iter_mut().enumerate() {
            for part in 0..3 {
                let j = (i + part).wrapping_sub(1);
                if j >= n {
                    continue;
                }
                let Some(v) = self.vec(rows[j]) else {
                    continue;
                };
                for (t, x) in e.iter_mut().enumerate() {
                    let w = &self.w[(part * NUM_TAGS + t) * d..][..d];
                    *x += self.scale * w.iter().zip(v).map(|(a, b)| a * b).sum::<f32>();
                }
            }
        }
    }

    fn update(&mut self, rows: &[u32], i: usize, g: usize, y: usize, c: f32) {
        let n = rows.len();
        let d = self.dim;
        let s = self.scale;
        for part in 0..3 {
            let j = (i + part).wrapping_sub(1);
            if j >= n || rows[j] == NO_ROW {
                continue;
            }
            let r = rows[j] as usize;
            let v = &self.vecs[r * d..(r + 1) * d];
            for (t, sign) in [(g, 1f32), (y, -1f32)] {
                let o = (part * NUM_TAGS + t) * d;
                let (w, acc) = (&mut self.w[o..o + d], &mut self.acc[o..o + d]);
                for ((w, a), &x) in w.iter_mut().zip(acc.iter_mut()).zip(v) {
                    *w += sign * s * x;
                    *a += sign * s * c * x;
                }
            }
        }
    }

    /// Averaged weights projected onto every row: the table `Weights::dense` holds.
    fn project(&self, c: f32) -> Vec<[f32; DENSE_W]> {
        let d = self.dim;
        let avg: Vec<f32> = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| (w - a / c) * self.scale)
            .collect();
        self.vecs
            .chunks_exact(d)
            .map(|v| {
                std::array::from_fn(|pt| {
                    avg[pt * d..(pt + 1) * d]
                        .iter()
                        .zip(v)
                        .map(|(a, b)| a * b)
                        .sum()
                })
            })
            .collect()
    }
}

/// Entity type of a tag index (0 = O): weights shared by B-X and I-X.
const NUM_TYPES: usize = 5;
#[inline]
fn ty(t: usize) -> usize {
    t.div_ceil(2)
}

struct Learner {
    /// Tokens whose lexical features are dropped in the current step.
    drop: Vec<bool>,
    w: Vec<[f32; NUM_TAGS]>,
    acc: Vec<[f32; NUM_TAGS]>,
    /// Type-level weights (shared by B-X and I-X), folded into `w` when averaging.
    u: Vec<[f32; NUM_TYPES]>,
    uacc: Vec<[f32; NUM_TYPES]>,
    trans: Transitions,
    tacc: Transitions,
    c: f32,
    dense: Option<DenseLearner>,
}

impl Learner {
    fn emissions(&self, p: &Prepared, em: &mut Vec<[f32; NUM_TAGS]>) {
        em.clear();
        for i in 0..p.gold.len() {
            let mut e = [0f32; NUM_TAGS];
            let drop = self.drop.get(i).copied().unwrap_or(false);
            for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                if f & LEXICAL != 0 && drop {
                    continue;
                }
                let f = f & !LEXICAL;
                let row = &self.w[f as usize];
                for t in 0..NUM_TAGS {
                    e[t] += row[t];
                }
                if let Some(u) = self.u.get(f as usize) {
                    for t in 0..NUM_TAGS {
                        e[t] += u[ty(t)];
                    }
                }
            }
            em.push(e);
        }
        if let Some(d) = &self.dense {
            d.add_scores(&p.rows, em);
        }
    }

    fn update(&mut self, p: &Prepared, pred: &[u8]) {
        let c = self.c;
        let n = p.gold.len();
        for i in 0..n {
            let (g, y) = (p.gold[i] as usize, pred[i] as usize);
            if g != y {
                if let Some(d) = self.dense.as_mut() {
                    d.update(&p.rows, i, g, y, c);
                }
                let drop = self.drop.get(i).copied().unwrap_or(false);
                for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                    if f & LEXICAL != 0 && drop {
                        continue;
                    }
                    let f = (f & !LEXICAL) as usize;
                    self.w[f][g] += 1.0;
                    self.acc[f][g] += c;
                    self.w[f][y] -= 1.0;
                    self.acc[f][y] -= c;
                    if !self.u.is_empty() && ty(g) != ty(y) {
                        self.u[f][ty(g)] += 1.0;
                        self.uacc[f][ty(g)] += c;
                        self.u[f][ty(y)] -= 1.0;
                        self.uacc[f][ty(y)] -= c;
                    }
                }
            }
            let pg = if i == 0 {
                START
            } else {
                p.gold[i - 1] as usize
            };
            let py = if i == 0 { START } else { pred[i - 1] as usize };
            if (pg, g) != (py, y) {
                self.trans[pg][g] += 1.0;
                self.tacc[pg][g] += c;
                self.trans[py][y] -= 1.0;
                self.tacc[py][y] -= c;
            }
        }
    }

    fn averaged_dense(&self) -> Vec<[f32; DENSE_W]> {
        match &self.dense {
            Some(d) => d.project(self.c.max(1.0)),
            None => Vec::new(),
        }
    }

    fn averaged(&self) -> (Vec<[f32; NUM_TAGS]>, Transitions) {
        let c = self.c.max(1.0);
        let w = self
            .w
            .iter()
            .zip(&self.acc)
            .enumerate()
            .map(|(f, (w, a))| {
                std::array::from_fn(|t| {
                    let shared = match (self.u.get(f), self.uacc.get(f)) {
                        (Some(u), Some(ua)) => u[ty(t)] - ua[ty(t)] / c,
                        _ => 0.0,
                    };
                    w[t] - a[t] / c + shared
                })
            })
            .collect();
        let mut tr = self.trans;
        for (p, row) in tr.iter_mut().enumerate() {
            for (t, v) in row.iter_mut().enumerate() {
                *v -= self.tacc[p][t] / c;
            }
        }
        (w, tr)
    }
}

fn logsumexp(xs: &[f64]) -> f64 {
    let m = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// CRF trained by SGD; true weights are `scale * v` so L2 decay is O(1) per step.
struct Crf {
    v: Vec<[f32; NUM_TAGS]>,
    /// AdaGrad accumulators (empty for plain SGD).
    gsum: Vec<[f32; NUM_TAGS]>,
    /// Per-occurrence L2 strength for AdaGrad.
    ada_l2: f32,
    t: [[f64; NUM_TAGS]; NUM_TAGS + 1],
    scale: f64,
}

impl Crf {
    /// One SGD/AdaGrad step on a sentence.
    #[allow(clippy::needless_range_loop)] // forward-backward reads clearer with indices
    fn step(&mut self, p: &Prepared, eta: f64, lambda: f64) {
        let n = p.gold.len();
        if n == 0 {
            return;
        }
        let mask = |a: usize, b: usize| allowed(a, b);
        let mut em = vec![[0f64; NUM_TAGS]; n];
        for i in 0..n {
            for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                let row = &self.v[(f & !LEXICAL) as usize];
                for c in 0..NUM_TAGS {
                    em[i][c] += row[c] as f64;
                }
            }
            for c in 0..NUM_TAGS {
                em[i][c] *= self.scale;
            }
        }
        let ninf = f64::NEG_INFINITY;
        let tr = |a: usize, b: usize| if mask(a, b) { self.t[a][b] } else { ninf };
        let mut alpha = vec![[ninf; NUM_TAGS]; n];
        let mut beta = vec![[0f64; NUM_TAGS]; n];
        let mut buf = [0f64; NUM_TAGS];
        for c in 0..NUM_TAGS {
            alpha[0][c] = tr(START, c) + em[0][c];
        }
        for i in 1..n {
            for c in 0..NUM_TAGS {
                for q in 0..NUM_TAGS {
                    buf[q] = alpha[i - 1][q] + tr(q, c);
                }
                alpha[i][c] = logsumexp(&buf) + em[i][c];
            }
        }
        for i in (0..n - 1).rev() {
            for q in 0..NUM_TAGS {
                for c in 0..NUM_TAGS {
                    buf[c] = tr(q, c) + em[i + 1][c] + beta[i + 1][c];
                }
                beta[i][q] = logsumexp(&buf);
            }
        }
        let z = logsumexp(&alpha[n - 1]);
        if !z.is_finite() {
            return;
        }
        // Transition gradient with the current values, applied after the decay.
        let mut dt = [[0f64; NUM_TAGS]; NUM_TAGS + 1];
        for i in 0..n {
            let gold = p.gold[i] as usize;
            let pg = if i == 0 {
                START
            } else {
                p.gold[i - 1] as usize
            };
            dt[pg][gold] += 1.0;
            if i == 0 {
                for c in 0..NUM_TAGS {
                    dt[START][c] -= (alpha[0][c] + beta[0][c] - z).exp();
                }
            } else {
                for q in 0..NUM_TAGS {
                    for c in 0..NUM_TAGS {
                        if mask(q, c) {
                            dt[q][c] -=
                                (alpha[i - 1][q] + self.t[q][c] + em[i][c] + beta[i][c] - z).exp();
                        }
                    }
                }
            }
        }
        if !self.gsum.is_empty() {
            // AdaGrad: per-parameter steps, L2 on the features touched.
            for (x, d) in self.t.iter_mut().flatten().zip(dt.iter().flatten()) {
                *x += eta * 0.1 * d;
            }
            let (eta, l2) = (eta as f32, self.ada_l2);
            for i in 0..n {
                let gold = p.gold[i] as usize;
                let mut d = [0f32; NUM_TAGS];
                for c in 0..NUM_TAGS {
                    let m = (alpha[i][c] + beta[i][c] - z).exp() as f32;
                    d[c] = if c == gold { 1.0 - m } else { -m };
                }
                for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                    let row = &mut self.v[(f & !LEXICAL) as usize];
                    let gs = &mut self.gsum[(f & !LEXICAL) as usize];
                    for c in 0..NUM_TAGS {
                        let g = d[c] - l2 * row[c];
                        gs[c] += g * g;
                        row[c] += eta * g / (gs[c] + 1e-6).sqrt();
                    }
                }
            }
            return;
        }
        // L2 decay, then the gradient step on v (scaled).
        self.scale *= 1.0 - eta * lambda;
        if self.scale < 1e-6 {
            for row in self.v.iter_mut() {
                for x in row.iter_mut() {
                    *x = (*x as f64 * self.scale) as f32;
                }
            }
            self.scale = 1.0;
        }
        for (row, drow) in self.t.iter_mut().zip(&dt) {
            for (x, d) in row.iter_mut().zip(drow) {
                *x = *x * (1.0 - eta * lambda) + eta * d;
            }
        }
        let g = eta / self.scale;
        for i in 0..n {
            let gold = p.gold[i] as usize;
            let mut d = [0f32; NUM_TAGS];
            for c in 0..NUM_TAGS {
                let m = (alpha[i][c] + beta[i][c] - z).exp();
                let obs = if c == gold { 1.0 } else { 0.0 };
                d[c] = ((obs - m) * g) as f32;
            }
            for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                let row = &mut self.v[(f & !LEXICAL) as usize];
                for c in 0..NUM_TAGS {
                    row[c] += d[c];
                }
            }
        }
    }

    fn weights(&self) -> (Vec<[f32; NUM_TAGS]>, Transitions) {
        let s = self.scale as f32;
        let w = self
            .v
            .iter()
            .map(|r| std::array::from_fn(|c| r[c] * s))
            .collect();
        let mut tr = [[0f32; NUM_TAGS]; NUM_TAGS + 1];
        for (a, row) in tr.iter_mut().enumerate() {
            for (b, x) in row.iter_mut().enumerate() {
                *x = self.t[a][b] as f32;
            }
        }
        (w, tr)
    }
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

pub(crate) type Feats = (Vec<u32>, Vec<usize>, Vec<u32>);

pub(crate) fn prepare(
    res: &Resources,
    data: &[Sentence],
    extra: Option<&[Vec<Extra>]>,
) -> Vec<Feats> {
    let mut keys = Vec::new();
    let mut offsets = Vec::new();
    let mut rows = Vec::new();
    let mut k2 = Vec::new();
    let mut o2 = Vec::new();
    data.iter()
        .enumerate()
        .map(|(i, s)| {
            let toks: Vec<&str> = s.tokens.iter().map(|t| t.as_str()).collect();
            sentence_features_rows(res, &toks, &mut keys, &mut offsets, &mut rows);
            match extra {
                Some(x) => {
                    add_extra_features(&keys, &offsets, &x[i], &mut k2, &mut o2);
                    (k2.clone(), o2.clone(), rows.clone())
                }
                None => (keys.clone(), offsets.clone(), rows.clone()),
            }
        })
        .collect()
}

pub(crate) fn decode_all(w: &Weights, feats: &[Feats]) -> Vec<Vec<u8>> {
    let mut em = Vec::new();
    let mut out = Vec::new();
    feats
        .iter()
        .map(|(k, o, r)| {
            emissions(w, k, o, r, &mut em);
            viterbi(&em, &w.trans, &mut out);
            out.clone()
        })
        .collect()
}

pub(crate) fn score(gold: &[Sentence], pred: &[Vec<u8>]) -> Scores {
    let mut s = Scores::default();
    for (g, p) in gold.iter().zip(pred) {
        let p: Vec<Tag> = p.iter().map(|&i| Tag::from_index(i as usize)).collect();
        s.add(&g.tags, &p);
    }
    s
}

/// Trains one linear tagger. `extra` (document-level first-pass information) must be
/// given for both sets or neither. `dev` may be empty: then all epochs run and the last
/// weights win; otherwise the best dev epoch wins, with early stopping.
pub fn train_weights(
    res: &Resources,
    train: &[Sentence],
    train_extra: Option<&[Vec<Extra>]>,
    dev: &[Sentence],
    dev_extra: Option<&[Vec<Extra>]>,
    opts: &TrainOptions,
    mut progress: impl FnMut(&EpochReport),
) -> (Weights, Vec<EpochReport>) {
    let raw = prepare(res, train, train_extra);
    let dev_feats = prepare(res, dev, dev_extra);
    let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
    for (keys, _, _) in &raw {
        for k in keys {
            *counts.entry(*k).or_insert(0) += 1;
        }
    }
    let mut index: FxHashMap<u32, u32> = FxHashMap::default();
    // Feature copies per corpus (Daumé's "frustratingly easy" domain adaptation): a feature
    // of an ANERcorp sentence also fires as its main-corpus copy, one of an auxiliary
    // sentence as its auxiliary copy; the general weight learns what both corpora share.
    // Tagging news reads general + main copy, folded into one weight per feature below, so
    // the model file and tagging cost do not change.
    let copies = opts.domain_copies && train.iter().any(|s| s.aux);
    let mut main_copy: FxHashMap<u32, u32> = FxHashMap::default();
    let mut aux_copy: FxHashMap<u32, u32> = FxHashMap::default();
    let mut next = 0u32;
    let mut id_of = |map: &mut FxHashMap<u32, u32>, k: u32| {
        *map.entry(k).or_insert_with(|| {
            next += 1;
            next - 1
        })
    };
    let mut data: Vec<Prepared> = Vec::with_capacity(train.len());
    for ((keys, offs, rows), s) in raw.into_iter().zip(train) {
        let mut feats = Vec::with_capacity(keys.len() * if copies { 2 } else { 1 });
        let mut offsets = Vec::with_capacity(offs.len());
        offsets.push(0);
        for i in 0..offs.len() - 1 {
            for k in &keys[offs[i]..offs[i + 1]] {
                if counts[k] >= opts.min_count {
                    let id = id_of(&mut index, *k);
                    feats.push(id | (k & LEXICAL));
                    if copies {
                        let map = if s.aux { &mut aux_copy } else { &mut main_copy };
                        feats.push(id_of(map, *k) | (k & LEXICAL));
                    }
                }
            }
            offsets.push(feats.len());
        }
        data.push(Prepared {
            feats,
            offsets,
            rows,
            gold: s.tags.iter().map(|t| t.index() as u8).collect(),
        });
    }
    let nf = next as usize;
    // The weight of a feature on the main corpus: general + main copy.
    let fold = |w: &[[f32; NUM_TAGS]], k: u32, r: u32| {
        let mut x = w[r as usize];
        if let Some(&m) = main_copy.get(&k) {
            for (a, b) in x.iter_mut().zip(&w[m as usize]) {
                *a += b;
            }
        }
        x
    };
    let is_perceptron = matches!(opts.algorithm, Algorithm::Perceptron);
    let members = if is_perceptron {
        opts.ensemble.max(1)
    } else {
        0
    };
    let mut learners: Vec<(Learner, Vec<usize>, u64)> = (0..members)
        .map(|m| {
            let l = Learner {
                w: vec![[0.0; NUM_TAGS]; nf],
                acc: vec![[0.0; NUM_TAGS]; nf],
                drop: Vec::new(),
                u: vec![[0.0; NUM_TYPES]; if opts.shared_types { nf } else { 0 }],
                uacc: vec![[0.0; NUM_TYPES]; if opts.shared_types { nf } else { 0 }],
                trans: [[0.0; NUM_TAGS]; NUM_TAGS + 1],
                tacc: [[0.0; NUM_TAGS]; NUM_TAGS + 1],
                c: 1.0,
                dense: (opts.dense_scale > 0.0 && res.dense.dim > 0).then(|| {
                    let d = res.dense.dim;
                    DenseLearner {
                        vecs: res.dense.vecs.clone(),
                        dim: d,
                        scale: opts.dense_scale,
                        w: vec![0.0; DENSE_W * d],
                        acc: vec![0.0; DENSE_W * d],
                    }
                }),
            };
            let seed = opts.seed.max(1).wrapping_add(0x9E37_79B9 * m as u64);
            (l, (0..data.len()).collect(), seed)
        })
        .collect();
    let is_crf = !matches!(opts.algorithm, Algorithm::Perceptron);
    let is_ada = matches!(opts.algorithm, Algorithm::AdaCrf { .. });
    let mut crf = Crf {
        v: vec![[0.0; NUM_TAGS]; if is_crf { nf } else { 0 }],
        gsum: vec![[0.0; NUM_TAGS]; if is_ada { nf } else { 0 }],
        ada_l2: match opts.algorithm {
            Algorithm::AdaCrf { l2, .. } => l2 as f32,
            _ => 0.0,
        },
        t: [[0.0; NUM_TAGS]; NUM_TAGS + 1],
        scale: 1.0,
    };
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = opts.seed.max(1);
    let mut em = Vec::new();
    let mut pred = Vec::new();
    let mut reports = Vec::new();
    let mut best: Option<(f64, Weights)> = None;
    let mut since_best = 0;
    let mut step = 0f64;
    for epoch in 1..=opts.epochs {
        for i in (1..order.len()).rev() {
            let j = (xorshift(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut mistakes = 0;
        let mut dense: Vec<[f32; DENSE_W]> = Vec::new();
        let (w, trans) = match opts.algorithm {
            Algorithm::Perceptron => {
                // Ensemble members differ only in their shuffles; their averaged
                // weights are averaged (one linear model, same tagging cost).
                let mut sum: Option<(Vec<[f32; NUM_TAGS]>, Transitions)> = None;
                for (l, order, rng) in learners.iter_mut() {
                    for i in (1..order.len()).rev() {
                        let j = (xorshift(rng) % (i as u64 + 1)) as usize;
                        order.swap(i, j);
                    }
                    for &k in order.iter() {
                        // Each epoch visits a random share of the auxiliary sentences.
                        if opts.aux_rate < 1.0
                            && train[k].aux
                            && ((xorshift(rng) >> 11) as f64 / (1u64 << 53) as f64) >= opts.aux_rate
                        {
                            continue;
                        }
                        let p = &data[k];
                        l.drop.clear();
                        if opts.word_dropout > 0.0 {
                            for _ in 0..p.gold.len() {
                                let r = (xorshift(rng) >> 11) as f64 / (1u64 << 53) as f64;
                                l.drop.push(r < opts.word_dropout);
                            }
                        }
                        l.emissions(p, &mut em);
                        viterbi(&em, &l.trans, &mut pred);
                        if pred != p.gold {
                            mistakes += 1;
                            l.update(p, &pred);
                        }
                        l.c += 1.0;
                    }
                    let (w, t) = l.averaged();
                    let dw = l.averaged_dense();
                    if dense.is_empty() {
                        dense = dw;
                    } else {
                        for (a, b) in dense.iter_mut().zip(&dw) {
                            for c in 0..DENSE_W {
                                a[c] += b[c];
                            }
                        }
                    }
                    sum = Some(match sum {
                        None => (w, t),
                        Some((mut sw, mut st)) => {
                            for (a, b) in sw.iter_mut().zip(&w) {
                                for c in 0..NUM_TAGS {
                                    a[c] += b[c];
                                }
                            }
                            for (a, b) in st.iter_mut().zip(&t) {
                                for c in 0..NUM_TAGS {
                                    a[c] += b[c];
                                }
                            }
                            (sw, st)
                        }
                    });
                }
                let (mut w, mut t) = sum.expect("at least one ensemble member");
                let inv = 1.0 / members as f32;
                w.iter_mut().flatten().for_each(|x| *x *= inv);
                t.iter_mut().flatten().for_each(|x| *x *= inv);
                dense.iter_mut().flatten().for_each(|x| *x *= inv);
                mistakes /= members;
                (w, t)
            }
            Algorithm::Crf { c2, eta } => {
                let n = data.len() as f64;
                let lambda = 2.0 * c2 / n;
                for &k in &order {
                    let e = eta / (1.0 + step / n);
                    crf.step(&data[k], e, lambda);
                    step += 1.0;
                }
                crf.weights()
            }
            Algorithm::AdaCrf { eta, .. } => {
                for &k in &order {
                    crf.step(&data[k], eta, 0.0);
                }
                crf.weights()
            }
        };
        let weights = Weights {
            rows: index.iter().map(|(&k, &r)| (k, fold(&w, k, r))).collect(),
            quant: None,
            trans,
            dense,
        };
        let dev_scores = score(dev, &decode_all(&weights, &dev_feats));
        let rep = EpochReport {
            epoch,
            mistakes,
            dev: dev_scores,
        };
        progress(&rep);
        let f1 = rep.dev.micro().f1;
        reports.push(rep);
        let improved = match &best {
            None => true,
            Some((b, _)) => f1 > *b || dev.is_empty(),
        };
        if improved {
            best = Some((f1, weights));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= opts.patience {
                break;
            }
        }
    }
    (best.map(|b| b.1).unwrap_or_default(), reports)
}

/// Best epoch (highest dev F1, earliest on ties) of a run, with its scores.
pub fn best_epoch(reports: &[EpochReport]) -> Option<&EpochReport> {
    reports
        .iter()
        .fold(None, |b: Option<&EpochReport>, r| match b {
            Some(b) if b.dev.micro().f1 >= r.dev.micro().f1 => Some(b),
            _ => Some(r),
        })
}
