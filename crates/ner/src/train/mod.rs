//! Training: everything only `khabar train` runs. The linear passes are trained by
//! `linear` (averaged structured perceptron, or a CRF), the second pass over
//! cross-validated first-pass tags and the neural stage over the second pass here
//! ([`train_model`]); [`neural`] trains the network, [`clusters`] learns the word
//! embeddings and clusters, [`news`] reads unlabeled news and builds the news tag table,
//! and [`marks`] marks the gazetteer words the tagging-time rules read.

pub mod clusters;
mod linear;
pub mod marks;
pub mod neural;
pub mod news;

pub use linear::{best_epoch, train_weights, Algorithm, EpochReport, TrainOptions};

use crate::data::Sentence;
use crate::eval::Scores;
use crate::features::doc;
use crate::features::{doc_form_key, Extra, Resources};
use crate::model::neural::{NeuralConfig, NeuralInput, NeuralTagger, WordVectors};
use crate::model::viterbi::viterbi;
use crate::model::weights::{emissions, Weights};
use crate::model::{NerModel, NeuralStage};
use crate::tags::{Tag, NUM_TAGS};
use linear::{decode_all, prepare, score};
use neural::repair_gold;
use rustc_hash::FxHashMap;

/// Options of the two-pass (document-level stacking) model.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Train the second, document-level pass at all.
    pub enabled: bool,
    /// Folds for the cross-validated first-pass tags the second pass trains on.
    pub folds: usize,
    /// Sentences before/after that form the document of a sentence in CoNLL data.
    pub window: usize,
    /// Unlabeled news the first pass tags for the corpus-level features of the second
    /// pass (`news::news_table`); `None` trains without them.
    pub news: Option<std::sync::Arc<news::NewsText>>,
    /// Neural stage over the second pass's features (network settings and frozen word
    /// vectors); `None` trains without it.
    pub neural: Option<(NeuralConfig, WordVectors)>,
    /// Train the neural stage for exactly this many epochs (refit without dev data).
    pub neural_epochs: Option<usize>,
    /// Mix of linear and neural scores to use instead of tuning it on dev (refit).
    pub neural_mix: Option<(f32, f32)>,
    /// Further network settings trained and scored on dev for comparison only.
    pub neural_grid: Vec<(NeuralConfig, WordVectors)>,
    /// Train the network on auxiliary-corpus sentences too ([`Sentence::aux`]); by
    /// default it learns from the main corpus only.
    pub neural_aux: bool,
    /// With `neural_aux`: score the auxiliary sentences by an output layer and CRF
    /// transitions of their own (the corpora share the layers below), dropped before
    /// saving; without it both corpora train one output layer.
    pub neural_aux_head: bool,
    /// Weight pruning applied when the model is saved: the network only reads feature
    /// keys that keep a second-pass weight, so one hash probe serves both at tagging time.
    pub prune: f32,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            enabled: true,
            folds: 5,
            window: 10,
            news: None,
            neural: None,
            neural_epochs: None,
            neural_mix: None,
            neural_grid: Vec::new(),
            neural_aux: false,
            neural_aux_head: false,
            prune: 0.05,
        }
    }
}

/// Summary of [`train_model`].
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// Epochs of the first pass (best on dev, or as given).
    pub epochs1: usize,
    /// Epochs of the second pass.
    pub epochs2: usize,
    /// Dev scores of the first pass alone.
    pub dev1: Scores,
    /// Dev scores of the two linear passes.
    pub dev2: Scores,
    /// Epochs of the neural stage (0 without one).
    pub epochs3: usize,
    /// Dev scores of the neural stage alone.
    pub dev3: Scores,
    /// Dev scores of the full model (linear and neural scores mixed).
    pub dev_full: Scores,
    /// Dev micro F1 with the chosen mix (before any O bias).
    pub dev_mix_f1: f64,
    /// Chosen (linear, neural) score weights.
    pub mix: (f32, f32),
}

fn form_keys(data: &[Sentence]) -> Vec<Vec<Option<u64>>> {
    data.iter()
        .map(|s| s.tokens.iter().map(|t| doc_form_key(t)).collect())
        .collect()
}

/// Trains the full model: a first pass, then (if enabled) a second pass over first-pass
/// tags of the whole document. The second pass learns from cross-validated first-pass
/// tags so it sees realistic first-pass errors. `opts2` is used for the second pass.
pub fn train_model(
    res: Resources,
    train: &[Sentence],
    dev: &[Sentence],
    opts1: &TrainOptions,
    opts2: &TrainOptions,
    stack: &StackOptions,
    log: &mut dyn FnMut(&str),
) -> (NerModel, TrainSummary) {
    train_model_with(res, train, dev, opts1, opts2, stack, &|_| None, log)
}

/// [`train_model`] where resources that depend on labelled data (label propagation) are
/// rebuilt for each cross-validation fold by `fold_res` from the fold's training part, so
/// the second pass learns from first-pass tags as unbiased as on new text.
#[allow(clippy::too_many_arguments)]
pub fn train_model_with(
    res: Resources,
    train: &[Sentence],
    dev: &[Sentence],
    opts1: &TrainOptions,
    opts2: &TrainOptions,
    stack: &StackOptions,
    fold_res: &dyn Fn(&[Sentence]) -> Option<Resources>,
    log: &mut dyn FnMut(&str),
) -> (NerModel, TrainSummary) {
    let (w1, rep1) = train_weights(&res, train, None, dev, None, opts1, |r| {
        let m = r.dev.micro();
        log(&format!(
            "pass 1 epoch {:2}: {:4} sentences with mistakes; dev P {:.2} R {:.2} F1 {:.2}",
            r.epoch, r.mistakes, m.p, m.r, m.f1
        ))
    });
    let (epochs1, dev1) = match best_epoch(&rep1) {
        Some(b) if !dev.is_empty() => (b.epoch, b.dev.clone()),
        _ => (rep1.len(), Scores::default()),
    };
    if !stack.enabled {
        let m = NerModel::from_parts(res, w1, None, stack.window as u32, String::new());
        let s = TrainSummary {
            epochs1,
            epochs2: 0,
            dev2: dev1.clone(),
            dev_full: dev1.clone(),
            dev1,
            epochs3: 0,
            dev3: Scores::default(),
            dev_mix_f1: 0.0,
            mix: (1.0, 0.0),
        };
        return (m, s);
    }
    // Cross-validated first-pass tags on the training data (contiguous folds).
    let fixed = TrainOptions {
        epochs: epochs1,
        patience: usize::MAX,
        ..opts1.clone()
    };
    let k = stack.folds.max(2).min(train.len().max(2));
    let mut cv: Vec<Vec<u8>> = Vec::with_capacity(train.len());
    let train_forms = form_keys(train);
    // News codes of the training sentences, each from the fold model that did not see it.
    let mut train_news: Vec<Vec<Extra>> = Vec::with_capacity(train.len());
    for f in 0..k {
        let lo = train.len() * f / k;
        let hi = train.len() * (f + 1) / k;
        let rest: Vec<Sentence> = train[..lo].iter().chain(&train[hi..]).cloned().collect();
        let rf = fold_res(&rest).unwrap_or_else(|| res.clone());
        let (wf, _) = train_weights(&rf, &rest, None, &[], None, &fixed, |_| {});
        cv.extend(decode_all(&wf, &prepare(&rf, &train[lo..hi], None)));
        if let Some(news) = &stack.news {
            let table = news::news_table(&rf, &wf, news);
            let mut ex: Vec<Vec<Extra>> = train_forms[lo..hi]
                .iter()
                .map(|s| vec![Extra::default(); s.len()])
                .collect();
            crate::features::news::fill_news(&mut ex, &train_forms[lo..hi], &table);
            train_news.extend(ex);
            log(&format!(
                "pass 1 fold {}/{k}: news table of {} forms",
                f + 1,
                table.codes.len()
            ));
        }
        log(&format!("pass 1 fold {}/{k} tagged", f + 1));
    }
    let mut train_extra = doc::extras(&train_forms, &cv, Some(stack.window));
    for (ex, nx) in train_extra.iter_mut().zip(&train_news) {
        for (e, n) in ex.iter_mut().zip(nx) {
            e.news = n.news;
        }
    }
    let mut res = res;
    if let Some(news) = &stack.news {
        res.news = news::news_table(&res, &w1, news);
        log(&format!("news table of {} forms", res.news.codes.len()));
    }
    let dev1_tags = decode_all(&w1, &prepare(&res, dev, None));
    let dev_forms = form_keys(dev);
    let mut dev_extra = doc::extras(&dev_forms, &dev1_tags, Some(stack.window));
    crate::features::news::fill_news(&mut dev_extra, &dev_forms, &res.news);
    let (w2, rep2) = train_weights(
        &res,
        train,
        Some(&train_extra),
        dev,
        Some(&dev_extra),
        opts2,
        |r| {
            let m = r.dev.micro();
            log(&format!(
                "pass 2 epoch {:2}: {:4} sentences with mistakes; dev P {:.2} R {:.2} F1 {:.2}",
                r.epoch, r.mistakes, m.p, m.r, m.f1
            ))
        },
    );
    let (epochs2, dev2) = match best_epoch(&rep2) {
        Some(b) if !dev.is_empty() => (b.epoch, b.dev.clone()),
        _ => (rep2.len(), Scores::default()),
    };
    let mut summary = TrainSummary {
        epochs1,
        epochs2,
        dev1,
        dev_full: dev2.clone(),
        dev2,
        epochs3: 0,
        dev3: Scores::default(),
        dev_mix_f1: 0.0,
        mix: (1.0, 0.0),
    };
    let neural = if stack.neural.is_some() || !stack.neural_grid.is_empty() {
        // The network learns to reproduce the main corpus's conventions, so it trains on
        // the main corpus alone (unless `neural_aux`); auxiliary sentences stay in the
        // training part of every fold of the linear scores it reads.
        let (main, aux): (Vec<usize>, Vec<usize>) =
            (0..train.len()).partition(|&i| stack.neural_aux || !train[i].aux);
        let pick = |idx: &[usize]| -> (Vec<Sentence>, Vec<Vec<Extra>>) {
            idx.iter()
                .map(|&i| (train[i].clone(), train_extra[i].clone()))
                .unzip()
        };
        let (main_train, main_extra) = pick(&main);
        let (aux_train, aux_extra) = pick(&aux);
        let ctx = NeuralCtx {
            res: &res,
            train: &main_train,
            aux: &aux_train,
            dev,
            train_extra: &main_extra,
            aux_extra: &aux_extra,
            dev_extra: &dev_extra,
            w2: &w2,
            epochs2,
            folds: k,
            opts2,
            prune: stack.prune,
            aux_head: stack.neural_aux_head,
        };
        for (i, (cfg, vectors)) in stack.neural_grid.iter().enumerate() {
            let (_, sum) = train_neural(&ctx, cfg, vectors, None, None, &mut |_| {});
            log(&format!(
                "grid {i}: {cfg:?} vectors {}: neural alone dev F1 {:.2} (epoch {}), mixed {:.2} {:?}",
                vectors.dim,
                sum.dev3.micro().f1,
                sum.epochs3,
                sum.dev_mix_f1,
                sum.mix
            ));
        }
        stack.neural.as_ref().map(|(cfg, vectors)| {
            let (stage, sum) = train_neural(
                &ctx,
                cfg,
                vectors,
                stack.neural_epochs,
                stack.neural_mix,
                log,
            );
            summary.epochs3 = sum.epochs3;
            summary.dev3 = sum.dev3;
            summary.mix = sum.mix;
            stage
        })
    } else {
        None
    };
    let mut m = NerModel::from_parts(res, w1, Some(w2), stack.window as u32, String::new());
    if neural.is_some() {
        m.set_neural(neural);
        if !dev.is_empty() {
            summary.dev_full = evaluate(&m, dev);
        }
    }
    (m, summary)
}

/// What the neural stage is trained from: the linear passes and their training data.
struct NeuralCtx<'a> {
    res: &'a Resources,
    train: &'a [Sentence],
    /// Sentences in the linear training of every fold but not in the network's.
    aux: &'a [Sentence],
    dev: &'a [Sentence],
    train_extra: &'a [Vec<Extra>],
    aux_extra: &'a [Vec<Extra>],
    dev_extra: &'a [Vec<Extra>],
    w2: &'a Weights,
    epochs2: usize,
    folds: usize,
    opts2: &'a TrainOptions,
    prune: f32,
    /// Auxiliary training sentences get an output layer of their own.
    aux_head: bool,
}

/// Second-pass tag scores of every training sentence from second-pass weights trained on
/// the other folds, so the network sees scores as unbiased as on new text.
fn cv_linear_scores(ctx: &NeuralCtx<'_>) -> Vec<Vec<[f32; NUM_TAGS]>> {
    let fixed = TrainOptions {
        epochs: ctx.epochs2.max(1),
        patience: usize::MAX,
        ..ctx.opts2.clone()
    };
    let (train, k) = (ctx.train, ctx.folds.max(2).min(ctx.train.len().max(2)));
    let mut out = Vec::with_capacity(train.len());
    let mut em = Vec::new();
    for f in 0..k {
        let lo = train.len() * f / k;
        let hi = train.len() * (f + 1) / k;
        let rest: Vec<Sentence> = train[..lo]
            .iter()
            .chain(&train[hi..])
            .chain(ctx.aux)
            .cloned()
            .collect();
        let rest_x: Vec<Vec<Extra>> = ctx.train_extra[..lo]
            .iter()
            .chain(&ctx.train_extra[hi..])
            .chain(ctx.aux_extra)
            .cloned()
            .collect();
        let (wf, _) = train_weights(ctx.res, &rest, Some(&rest_x), &[], None, &fixed, |_| {});
        for (kk, o, r) in prepare(ctx.res, &train[lo..hi], Some(&ctx.train_extra[lo..hi])) {
            emissions(&wf, &kk, &o, &r, &mut em);
            out.push(em.clone());
        }
    }
    out
}

/// Trains one neural stage; with dev data, early stopping and the linear/neural mix are
/// chosen on dev (unless `epochs`/`mix` fix them).
fn train_neural(
    ctx: &NeuralCtx<'_>,
    cfg: &NeuralConfig,
    vectors: &WordVectors,
    epochs: Option<usize>,
    mix: Option<(f32, f32)>,
    log: &mut dyn FnMut(&str),
) -> (NeuralStage, TrainSummary) {
    let (train, dev) = (ctx.train, ctx.dev);
    let build = |data: &[Sentence], extra: &[Vec<Extra>], w: Option<&Weights>| {
        let mut em = Vec::new();
        prepare(ctx.res, data, Some(extra))
            .into_iter()
            .zip(data)
            .map(|((k, o, r), s)| {
                let toks: Vec<&str> = s.tokens.iter().map(|t| t.as_str()).collect();
                let scores = match w {
                    Some(w) => {
                        emissions(w, &k, &o, &r, &mut em);
                        em.clone()
                    }
                    None => Vec::new(),
                };
                let mut x = NeuralInput::new(&toks, k, o);
                x.scores = scores;
                x.aux = s.aux && ctx.aux_head;
                x
            })
            .collect::<Vec<NeuralInput>>()
    };
    // Only keys the saved second pass keeps (see `StackOptions::prune`).
    let kept = |k: &u32| {
        ctx.w2
            .rows
            .get(k)
            .is_some_and(|r| r.iter().any(|x| x.abs() >= ctx.prune && x.is_finite()))
    };
    let restrict = |v: Vec<NeuralInput>| -> Vec<NeuralInput> {
        v.into_iter()
            .map(|mut x| {
                let mut keys = Vec::with_capacity(x.keys.len());
                let mut offsets = vec![0];
                for i in 0..x.len() {
                    let (lo, hi) = (x.offsets[i], x.offsets[i + 1]);
                    keys.extend(x.keys[lo..hi].iter().copied().filter(|k| kept(k)));
                    offsets.push(keys.len());
                }
                x.keys = keys;
                x.offsets = offsets;
                x
            })
            .collect()
    };
    let mut tr_in = restrict(build(train, ctx.train_extra, None));
    if cfg.scores {
        for (x, sc) in tr_in.iter_mut().zip(cv_linear_scores(ctx)) {
            x.scores = sc;
        }
    }
    let dev_in = restrict(build(dev, ctx.dev_extra, Some(ctx.w2)));
    let gold: Vec<Vec<u8>> = train.iter().map(|s| repair_gold(&s.tags)).collect();
    let dev_scores = |net: &NeuralTagger| -> Scores {
        let pred: Vec<Vec<u8>> = dev_in.iter().map(|x| net.tag(x)).collect();
        score(dev, &pred)
    };
    let fixed = epochs.or(dev.is_empty().then_some(cfg.epochs));
    let (net, reps) = neural::train(
        cfg,
        &tr_in,
        &gold,
        vectors.clone(),
        &|n| {
            if dev.is_empty() {
                0.0
            } else {
                dev_scores(n).micro().f1
            }
        },
        fixed,
        &mut |r| {
            log(&format!(
                "neural epoch {:2}: loss {:.3}; dev F1 {:.2}",
                r.epoch, r.loss, r.dev_f1
            ))
        },
    );
    let best_epoch = if fixed.is_some() {
        reps.len()
    } else {
        reps.iter()
            .fold(None, |b: Option<&neural::NeuralEpoch>, r| match b {
                Some(b) if b.dev_f1 >= r.dev_f1 => Some(b),
                _ => Some(r),
            })
            .map(|r| r.epoch)
            .unwrap_or(reps.len())
    };
    let mut sum = TrainSummary {
        epochs1: 0,
        epochs2: ctx.epochs2,
        dev1: Scores::default(),
        dev2: Scores::default(),
        epochs3: best_epoch,
        dev3: Scores::default(),
        dev_full: Scores::default(),
        dev_mix_f1: 0.0,
        mix: (0.0, 1.0),
    };
    let chosen = match mix {
        Some(m) => m,
        None if dev.is_empty() => (0.0, 1.0),
        None => {
            sum.dev3 = dev_scores(&net);
            let neu: Vec<Vec<[f32; NUM_TAGS]>> = dev_in.iter().map(|x| net.emissions(x)).collect();
            let nt = net.transitions();
            let mut best = ((0.0f32, 1.0f32), f64::MIN);
            let mut out = Vec::new();
            let mut em = Vec::new();
            for ls in [0.0f32, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5] {
                let mut t = ctx.w2.trans;
                for (row, nrow) in t.iter_mut().zip(&nt) {
                    for (v, n) in row.iter_mut().zip(nrow) {
                        *v = ls * *v + n;
                    }
                }
                let pred: Vec<Vec<u8>> = dev_in
                    .iter()
                    .zip(&neu)
                    .map(|(x, ne)| {
                        em.clear();
                        em.extend(
                            x.scores
                                .iter()
                                .zip(ne)
                                .map(|(a, b)| std::array::from_fn(|i| ls * a[i] + b[i])),
                        );
                        viterbi(&em, &t, &mut out);
                        out.clone()
                    })
                    .collect();
                let f = score(dev, &pred).micro().f1;
                log(&format!("mix linear {ls} + neural 1: dev F1 {f:.2}"));
                if f > best.1 + 1e-9 {
                    best = ((ls, 1.0), f);
                }
            }
            sum.dev_mix_f1 = best.1;
            best.0
        }
    };
    sum.mix = chosen;
    (NeuralStage::new(net, chosen.0, chosen.1), sum)
}

/// Tags the sentences as one stream (documents = the model's sentence window) and
/// scores them against their gold tags.
pub fn evaluate(model: &NerModel, data: &[Sentence]) -> Scores {
    let toks: Vec<Vec<&str>> = data
        .iter()
        .map(|s| s.tokens.iter().map(|t| t.as_str()).collect())
        .collect();
    let refs: Vec<&[&str]> = toks.iter().map(|v| v.as_slice()).collect();
    let pred = model.tag_document(&refs, Some(model.window()));
    let mut scores = Scores::default();
    for (s, p) in data.iter().zip(&pred) {
        scores.add(&s.tags, p);
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
