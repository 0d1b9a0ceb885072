//! Averaged structured perceptron training.

use crate::data::Sentence;
use crate::decode::{viterbi, Transitions, START};
use crate::eval::Scores;
use crate::features::{sentence_features, Resources};
use crate::model::{NerModel, Weights};
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
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 30,
            patience: 5,
            seed: 42,
            min_count: 1,
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
    gold: Vec<u8>,
}

struct Learner {
    w: Vec<[f32; NUM_TAGS]>,
    acc: Vec<[f32; NUM_TAGS]>,
    trans: Transitions,
    tacc: Transitions,
    c: f32,
}

impl Learner {
    fn emissions(&self, p: &Prepared, em: &mut Vec<[f32; NUM_TAGS]>) {
        em.clear();
        for i in 0..p.gold.len() {
            let mut e = [0f32; NUM_TAGS];
            for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                let row = &self.w[f as usize];
                for t in 0..NUM_TAGS {
                    e[t] += row[t];
                }
            }
            em.push(e);
        }
    }

    fn update(&mut self, p: &Prepared, pred: &[u8]) {
        let c = self.c;
        let n = p.gold.len();
        for i in 0..n {
            let (g, y) = (p.gold[i] as usize, pred[i] as usize);
            if g != y {
                for &f in &p.feats[p.offsets[i]..p.offsets[i + 1]] {
                    let f = f as usize;
                    self.w[f][g] += 1.0;
                    self.acc[f][g] += c;
                    self.w[f][y] -= 1.0;
                    self.acc[f][y] -= c;
                }
            }
            let pg = if i == 0 { START } else { p.gold[i - 1] as usize };
            let py = if i == 0 { START } else { pred[i - 1] as usize };
            if (pg, g) != (py, y) {
                self.trans[pg][g] += 1.0;
                self.tacc[pg][g] += c;
                self.trans[py][y] -= 1.0;
                self.tacc[py][y] -= c;
            }
        }
    }

    fn averaged(&self) -> (Vec<[f32; NUM_TAGS]>, Transitions) {
        let c = self.c.max(1.0);
        let w = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| std::array::from_fn(|t| w[t] - a[t] / c))
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

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Trains a model. `dev` may be empty; then all `epochs` run and the last weights win.
/// `progress` is called after each epoch. Single-threaded and deterministic for a seed.
pub fn train(
    res: Resources,
    train: &[Sentence],
    dev: &[Sentence],
    opts: &TrainOptions,
    mut progress: impl FnMut(&EpochReport),
) -> (NerModel, Vec<EpochReport>) {
    let mut keys = Vec::new();
    let mut offsets = Vec::new();
    let mut raw: Vec<(Vec<u32>, Vec<usize>)> = Vec::with_capacity(train.len());
    let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
    for s in train {
        let toks: Vec<&str> = s.tokens.iter().map(|t| t.as_str()).collect();
        sentence_features(&res, &toks, &mut keys, &mut offsets);
        for k in &keys {
            *counts.entry(*k).or_insert(0) += 1;
        }
        raw.push((keys.clone(), offsets.clone()));
    }
    let mut index: FxHashMap<u32, u32> = FxHashMap::default();
    let mut data: Vec<Prepared> = Vec::with_capacity(train.len());
    for ((keys, offs), s) in raw.into_iter().zip(train) {
        let mut feats = Vec::with_capacity(keys.len());
        let mut offsets = Vec::with_capacity(offs.len());
        offsets.push(0);
        for i in 0..offs.len() - 1 {
            for k in &keys[offs[i]..offs[i + 1]] {
                if counts[k] >= opts.min_count {
                    let next = index.len() as u32;
                    feats.push(*index.entry(*k).or_insert(next));
                }
            }
            offsets.push(feats.len());
        }
        data.push(Prepared {
            feats,
            offsets,
            gold: s.tags.iter().map(|t| t.index() as u8).collect(),
        });
    }
    let nf = index.len();
    let mut l = Learner {
        w: vec![[0.0; NUM_TAGS]; nf],
        acc: vec![[0.0; NUM_TAGS]; nf],
        trans: [[0.0; NUM_TAGS]; NUM_TAGS + 1],
        tacc: [[0.0; NUM_TAGS]; NUM_TAGS + 1],
        c: 1.0,
    };
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = opts.seed.max(1);
    let mut em = Vec::new();
    let mut pred = Vec::new();
    let mut reports = Vec::new();
    let mut best: Option<(f64, Weights)> = None;
    let mut since_best = 0;
    for epoch in 1..=opts.epochs {
        for i in (1..order.len()).rev() {
            let j = (xorshift(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut mistakes = 0;
        for &k in &order {
            let p = &data[k];
            l.emissions(p, &mut em);
            viterbi(&em, &l.trans, &mut pred);
            if pred != p.gold {
                mistakes += 1;
                l.update(p, &pred);
            }
            l.c += 1.0;
        }
        let (w, trans) = l.averaged();
        let weights = Weights {
            index: index.clone(),
            w,
            trans,
        };
        let model = NerModel::from_parts(res.clone(), weights, String::new());
        let dev_scores = evaluate(&model, dev);
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
            best = Some((f1, model.weights));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= opts.patience {
                break;
            }
        }
    }
    let weights = best.map(|b| b.1).unwrap_or_default();
    (NerModel::from_parts(res, weights, String::new()), reports)
}

/// Tags each sentence and scores against its gold tags.
pub fn evaluate(model: &NerModel, data: &[Sentence]) -> Scores {
    let mut scores = Scores::default();
    for s in data {
        let toks: Vec<&str> = s.tokens.iter().map(|t| t.as_str()).collect();
        let pred = model.tag(&toks);
        scores.add(&s.tags, &pred);
    }
    scores
}

/// The most-frequent-tag baseline: each token gets the tag it had most often in
/// training (unknown tokens get `O`), then invalid `I-` tags are turned into `B-`.
pub fn most_frequent_tag_baseline(train: &[Sentence], test: &[Sentence]) -> Scores {
    let mut counts: FxHashMap<&str, [u32; NUM_TAGS]> = FxHashMap::default();
    for s in train {
        for (t, g) in s.tokens.iter().zip(&s.tags) {
            counts.entry(t.as_str()).or_insert([0; NUM_TAGS])[g.index()] += 1;
        }
    }
    let mut scores = Scores::default();
    for s in test {
        let mut pred: Vec<Tag> = s
            .tokens
            .iter()
            .map(|t| match counts.get(t.as_str()) {
                Some(c) => {
                    let best = (0..NUM_TAGS).max_by_key(|&i| (c[i], i == 0)).unwrap_or(0);
                    Tag::from_index(best)
                }
                None => Tag::O,
            })
            .collect();
        let mut prev = Tag::O;
        for t in pred.iter_mut() {
            if let Tag::I(l) = *t {
                if !prev.allows(*t) {
                    *t = Tag::B(l);
                }
            }
            prev = *t;
        }
        scores.add(&s.tags, &pred);
    }
    scores
}
