//! Training of the neural stage: the CRF loss of a sentence and the gradient of every
//! parameter of the network (backward through the forward pass of [`NeuralTagger`]),
//! checked against finite differences in the tests, and Adam on mini-batches.

// The dense math indexes several parallel arrays per position; range loops say it plainest.
#![allow(clippy::needless_range_loop)]

use crate::features::cache::next_id;
use crate::features::hash::Rng;
use crate::model::neural::{
    axpy, dot, fast_tanh, NeuralConfig, NeuralInput, NeuralTagger, WordVectors,
};
use crate::model::viterbi::{allowed, START};
use crate::tags::{Tag, NUM_TAGS};
use rustc_hash::FxHashMap;

fn log_sum_exp(v: &[f32]) -> f32 {
    let m = v.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    if m == f32::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f32>().ln()
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
    /// CRF negative log-likelihood of `gold` and its gradient with respect to the
    /// emissions and the transitions (added into `g`).
    /// `tbase`: where the transitions begin in `dense` (the main or the auxiliary head).
    fn crf_grad(
        &self,
        em: &[[f32; NUM_TAGS]],
        gold: &[u8],
        dem: &mut [[f32; NUM_TAGS]],
        g: &mut [f32],
        tbase: usize,
    ) -> f32 {
        let n = em.len();
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
        let mut g = Grad::new(self.dense.len());
        let n = s.len();
        if n == 0 {
            return g;
        }
        let tr = self.forward(s, rng, p, p_key);
        let mut dem = vec![[0f32; NUM_TAGS]; n];
        let (out_w, out_b, trans) = self.head(s);
        g.loss = self.crf_grad(&tr.em, gold, &mut dem, &mut g.dense, trans) as f64;
        // Output layer.
        let ow = &self.dense[out_w..out_w + NUM_TAGS * 2 * h];
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
            axpy(&mut g.dense[out_b..out_b + NUM_TAGS], 1.0, e);
            for j in 0..2 * h {
                let col = out_w + j * NUM_TAGS;
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
    if train.iter().any(|x| x.aux) {
        net.add_aux_head(cfg.seed);
    }
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
    let mut net = match (best, avg) {
        (Some((_, b)), _) => b,
        (None, Some(a)) => a,
        (None, None) => net,
    };
    net.drop_aux_head();
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
    use crate::model::neural::tests::{small_cfg, toy};

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
    fn an_auxiliary_sentence_trains_only_the_auxiliary_head_and_the_shared_layers() {
        let (data, gold) = toy();
        let vecs = WordVectors::new(&["محمد".to_string()], vec![0.3, -0.2], 2);
        let mut net = NeuralTagger::init(&small_cfg(), &data, vecs);
        let main_len = net.dense.len();
        net.add_aux_head(7);
        assert_eq!(
            net.dense.len(),
            main_len + crate::model::neural::head_len(net.lay.h)
        );
        let mut aux = data[0].clone();
        aux.aux = true;
        let g = net.sentence_grad(&aux, &gold[0], None, 0.0, 0.0);
        // The main output layer and transitions get nothing; the auxiliary ones and the
        // shared LSTM do.
        let main_head = net.lay.out_w..net.lay.trans + (NUM_TAGS + 1) * NUM_TAGS;
        assert!(g.dense[main_head].iter().all(|&x| x == 0.0));
        assert!(g.dense[main_len..].iter().any(|&x| x != 0.0));
        assert!(g.dense[net.lay.wx[0]..net.lay.out_w]
            .iter()
            .any(|&x| x != 0.0));
        // Its gradient matches finite differences on the auxiliary head.
        let eps = 1e-2f32;
        for i in (main_len..net.dense.len()).step_by(2) {
            let orig = net.dense[i];
            net.dense[i] = orig + eps;
            let lp = loss(&net, &aux, &gold[0]);
            net.dense[i] = orig - eps;
            let lm = loss(&net, &aux, &gold[0]);
            net.dense[i] = orig;
            let num = (lp - lm) / (2.0 * eps as f64);
            let ana = g.dense[i] as f64;
            assert!(
                (num - ana).abs() < 1e-2 + 0.05 * ana.abs(),
                "param {i}: {num} vs {ana}"
            );
        }
        // A main sentence is scored by the main head, and the saved network has none.
        assert_eq!(net.head(&data[0]).0, net.lay.out_w);
        net.drop_aux_head();
        assert_eq!(net.dense.len(), main_len);
        assert_eq!(net.head(&aux).0, net.lay.out_w);
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
    fn repairs_invalid_gold() {
        use crate::tags::Label;
        let g = repair_gold(&[Tag::O, Tag::I(Label::Per), Tag::I(Label::Per)]);
        assert_eq!(g, vec![0, 1, 2]);
    }
}
