//! The model: the lexical resources, the two linear passes ([`weights`]), the neural stage
//! ([`neural`]), decoded with BIO-constrained Viterbi ([`mod@viterbi`]), stored in the model
//! file ([`mod@file`]). This module holds [`NerModel`] and runs the passes over a document:
//! first pass, document-level extras, second pass, network where the gate lets it run.
//! The passes read their weights through one tagging-time table (`merged`) when the
//! weights come from a model file.

pub mod file;
pub(crate) mod merged;
pub mod neural;
#[cfg(test)]
mod tests;
pub mod viterbi;
pub mod weights;

use crate::features::doc;
use crate::features::{
    add_extra_features, doc_form_key_in, extra_features, sentence_features_origins,
    sentence_features_rows, sentence_features_words, MemoKey, Resources, CONTEXT,
};
use crate::model::merged::{
    with_word_sums, MergedTable, Position, Sums, WordSums, GROUPS, PREFETCH_AHEAD,
};
use crate::model::neural::{NeuralInput, NeuralTagger};
use crate::model::viterbi::{viterbi, Transitions};
use crate::model::weights::{add_dense, emissions, Weights};
use crate::tags::NUM_TAGS;

/// The neural stage and how its scores mix with the second linear pass.
#[derive(Debug, Clone)]
pub struct NeuralStage {
    /// The BiLSTM-CRF, reading the second pass's feature keys.
    pub net: NeuralTagger,
    /// Weight of the linear second pass's scores in the final decoding.
    pub linear_scale: f32,
    /// Weight of the network's scores.
    pub neural_scale: f32,
    /// The network runs only on sentences where some token's second-pass `O` score does
    /// not beat its best entity score by this margin (infinite: always). Sentences the
    /// linear pass calls `O` with confidence keep its tags; tuned on dev by training.
    pub gate: f32,
}

impl NeuralStage {
    /// A stage from a network and its score weights.
    pub fn new(net: NeuralTagger, linear_scale: f32, neural_scale: f32) -> NeuralStage {
        NeuralStage {
            net,
            linear_scale,
            neural_scale,
            gate: f32::INFINITY,
        }
    }
}

/// A trained named-entity recognizer.
#[derive(Debug, Clone, Default)]
pub struct NerModel {
    pub(crate) res: Resources,
    pub(crate) weights: Weights,
    pub(crate) stage2: Option<Weights>,
    pub(crate) neural: Option<NeuralStage>,
    pub(crate) window: u32,
    pub(crate) o_bias: f32,
    pub(crate) meta: String,
    /// Running-text adjustments switched off (bits of `crate::ADJUSTMENTS`), to measure
    /// what each one is worth; 0 in every model that is loaded or trained.
    pub(crate) skipped: u32,
    /// Tagging-time table of the passes' weights (see [`MergedTable`]); rebuilt whenever
    /// the weights or the neural stage change.
    merged: Option<MergedTable>,
}

/// Reused buffers of [`FirstPassScratch::sentence_sums`].
#[derive(Default)]
struct FirstPassScratch {
    keys: Vec<u32>,
    offsets: Vec<usize>,
    origins: Vec<i8>,
    /// Per token: its summed rows.
    acc: Vec<Sums>,
    /// Groups not in the memo: (token, offset of the word giving it, its sums).
    pending: Vec<(usize, i8, Sums)>,
    /// Per token and offset d + 2: index into `pending`, or `READ` (taken from the memo).
    group: Vec<u32>,
    /// Per position −2..n+2 (index + 2): its memo slot if it holds the word.
    held: Vec<Option<usize>>,
    /// Keys to probe and where their rows go (`TO_PENDING` bit: a pending group).
    todo: Vec<(u32, u32)>,
}

const READ: u32 = u32::MAX;
const TO_PENDING: u32 = 1 << 31;

impl FirstPassScratch {
    /// Each token's rows of [`MergedTable`] summed over its feature keys, and its dense
    /// row into `rows`. With an `owner` the groups of keys that
    /// depend on one word (see `features::sentence_features_origins`) are read from this
    /// thread's [`WordSums`] — those keys are then not even computed — or added to it.
    #[allow(clippy::too_many_arguments)]
    fn sentence_sums(
        &mut self,
        res: &Resources,
        table: &MergedTable,
        owner: Option<(u64, u64)>,
        toks: &[&str],
        rows: &mut Vec<u32>,
        forms: &mut Vec<Option<u64>>,
    ) -> &[Sums] {
        let n = toks.len();
        self.acc.clear();
        self.acc.resize(n, Sums::default());
        self.pending.clear();
        self.group.clear();
        self.group.resize(n * GROUPS, 0);
        self.todo.clear();
        let position = |j: isize| -> Position<'_> {
            if j < 0 {
                Position::Start
            } else if j as usize >= n {
                Position::End
            } else {
                Position::Word(toks[j as usize])
            }
        };
        let mut run = |memo: Option<&mut WordSums<'_>>| {
            let mut memo = memo;
            // What the memo has (read only: nothing is evicted before the end). The
            // sentence's slots are requested from memory first, so that their misses
            // overlap; then the groups of the slots that hold their word.
            self.held.clear();
            if let Some(m) = memo.as_ref() {
                for j in -2..n as isize + 2 {
                    m.prefetch_slot(position(j));
                }
            }
            for j in -2..n as isize + 2 {
                let slot = memo.as_ref().and_then(|m| m.slot(position(j))?.ok());
                if let (Some(m), Some(i)) = (memo.as_ref(), slot) {
                    m.prefetch_groups(i);
                }
                self.held.push(slot);
            }
            for i in 0..n {
                for d in -2i8..=2 {
                    let g = i * GROUPS + (d + 2) as usize;
                    let slot = self.held[(i as isize + d as isize + 2) as usize];
                    match memo.as_ref().zip(slot).and_then(|(m, s)| m.get(s, d)) {
                        Some(s) => {
                            self.acc[i].add(s);
                            self.group[g] = READ;
                        }
                        None => {
                            self.group[g] = self.pending.len() as u32;
                            self.pending.push((i, d, Sums::default()));
                        }
                    }
                }
            }
            let group = &self.group;
            let want = |i: usize, d: i8| group[i * GROUPS + (d + 2) as usize] != READ;
            sentence_features_origins(
                res,
                toks,
                &mut self.keys,
                &mut self.offsets,
                rows,
                &mut self.origins,
                &want,
                forms,
            );
            for i in 0..n {
                for j in self.offsets[i]..self.offsets[i + 1] {
                    let o = self.origins[j];
                    let target = if o == CONTEXT {
                        i as u32
                    } else {
                        self.group[i * GROUPS + (o + 2) as usize] | TO_PENDING
                    };
                    self.todo.push((self.keys[j], target));
                }
            }
            for (j, &(k, target)) in self.todo.iter().enumerate() {
                if let Some(&(ahead, _)) = self.todo.get(j + PREFETCH_AHEAD) {
                    table.prefetch(ahead);
                }
                if let Some(r) = table.get(k) {
                    if target & TO_PENDING != 0 {
                        self.pending[(target & !TO_PENDING) as usize].2.add_row(r);
                    } else {
                        self.acc[target as usize].add_row(r);
                    }
                }
            }
            for &(i, d, ref s) in &self.pending {
                self.acc[i].add(s);
                if let Some(m) = memo.as_mut() {
                    m.put(position(i as isize + d as isize), d, s);
                }
            }
        };
        match owner {
            Some(o) => with_word_sums(o, |m| run(Some(m))),
            None => run(None),
        }
        &self.acc
    }
}

/// What the first pass leaves for the second, per sentence.
#[derive(Debug, Default)]
struct SentenceState {
    /// Second-pass scores of the token's own (first-pass) keys.
    partial: Vec<[f32; NUM_TAGS]>,
    /// The network's summed sparse rows so far, `sparse_dim` per token.
    sums: Vec<f32>,
    /// Dense (embedding) row of each token.
    rows: Vec<u32>,
}

/// What the network reads besides the linear scores: a sentence's keys, words and cores
/// (the plain path), or its raw tokens and summed sparse rows (the table's path).
enum NetInput<'a> {
    Keys(NeuralInput),
    Sums {
        tokens: &'a [&'a str],
        sums: &'a [f32],
    },
}

impl NerModel {
    /// Builds a model from parts: resources, first-pass weights, optional second-pass
    /// (document-level) weights, the sentence window used as document for CoNLL input,
    /// and metadata text.
    pub fn from_parts(
        res: Resources,
        weights: Weights,
        stage2: Option<Weights>,
        window: u32,
        meta: String,
    ) -> NerModel {
        let mut res = res;
        res.memo = MemoKey::fresh();
        let mut m = NerModel {
            res,
            weights,
            stage2,
            neural: None,
            window,
            o_bias: 0.0,
            meta,
            skipped: 0,
            merged: None,
        };
        m.rebuild_merged();
        m
    }

    fn rebuild_merged(&mut self) {
        self.merged = self.stage2.as_ref().and_then(|w2| {
            MergedTable::new(&self.weights, w2, self.neural.as_ref().map(|ns| &ns.net))
        });
    }

    /// The neural stage, if the model has one.
    pub fn neural(&self) -> Option<&NeuralStage> {
        self.neural.as_ref()
    }

    /// Sets the neural stage's gate (see `NeuralStage::gate`); no-op without one.
    pub fn set_neural_gate(&mut self, gate: f32) {
        if let Some(ns) = self.neural.as_mut() {
            ns.gate = if gate.is_nan() { f32::INFINITY } else { gate };
        }
    }

    /// Sets (or removes) the neural stage; it only runs with a second pass.
    pub fn set_neural(&mut self, n: Option<NeuralStage>) {
        self.neural = n;
        self.rebuild_merged();
    }

    /// Score subtracted from the `O` tag in the final pass (> 0 trades precision for
    /// recall); tuned on dev by `khabar train ner`.
    pub fn o_bias(&self) -> f32 {
        self.o_bias
    }

    /// Sets [`NerModel::o_bias`].
    pub fn set_o_bias(&mut self, b: f32) {
        self.o_bias = if b.is_finite() { b } else { 0.0 };
    }

    /// Second-pass weights, if the model has a document-level pass.
    pub fn stage2(&self) -> Option<&Weights> {
        self.stage2.as_ref()
    }

    /// Sentences before and after a sentence that serve as its document when tagging a
    /// stream of sentences without document boundaries (CoNLL files).
    pub fn window(&self) -> usize {
        self.window as usize
    }

    /// Each sentence's tags as indices (`Tag::index`), as the passes decode them (the
    /// tags of `NerModel::tag_document` before its first-name step).
    pub(crate) fn tag_document_indices(
        &self,
        sents: &[&[&str]],
        window: Option<usize>,
        use_neural: bool,
    ) -> Vec<Vec<u8>> {
        let Some(w2) = &self.stage2 else {
            return self.tag_first_pass(sents);
        };
        let Some(table) = &self.merged else {
            return self.tag_document_plain(sents, window, use_neural);
        };
        let neural = self.neural.as_ref().filter(|_| use_neural);
        // Width of the network's summed sparse rows (0: the network does not run).
        let sd = neural.map_or(0, |ns| ns.net.sparse_dim());
        let (mut em, mut out) = (Vec::new(), Vec::new());
        let mut first = FirstPassScratch::default();
        let mut states = Vec::with_capacity(sents.len());
        let mut tags1 = Vec::with_capacity(sents.len());
        // Document-level word forms, from the analyses the first pass reads.
        let mut forms = Vec::with_capacity(sents.len());
        // Resources that do not memoize their analyses (changed after the model was
        // built) do not memoize row sums either.
        let owner = self.res.memo.id().map(|r| (table.id, r));
        for toks in sents {
            let mut st = SentenceState::default();
            // One probe per key gives the first pass's weights, the second pass's and the
            // network's sparse row: the second pass then only probes its document-level
            // keys. Groups of keys that depend on one word come summed from the memo.
            let mut f = Vec::with_capacity(toks.len());
            let sums = first.sentence_sums(&self.res, table, owner, toks, &mut st.rows, &mut f);
            forms.push(f);
            em.clear();
            st.partial.reserve(sums.len());
            st.sums.reserve(sums.len() * sd);
            for s in sums {
                let (e1, e2) = table.scores(s);
                em.push(e1);
                st.partial.push(e2);
                st.sums.extend_from_slice(&s.sparse[..sd]);
            }
            add_dense(&self.weights.dense, &st.rows, &mut em);
            viterbi(&em, &self.weights.trans, &mut out);
            tags1.push(out.clone());
            states.push(st);
        }
        let ex = self.document_extras(&forms, &tags1, window);
        let trans = self.final_transitions();
        let (mut extra, mut extra_at) = (Vec::new(), Vec::new());
        let mut res = Vec::with_capacity(sents.len());
        for ((mut st, x), toks) in states.into_iter().zip(&ex).zip(sents) {
            let mut em = std::mem::take(&mut st.partial);
            // All the sentence's document-level keys first, so prefetching runs ahead
            // across tokens.
            extra.clear();
            extra_at.clear();
            extra_at.push(0);
            for xi in x {
                extra_features(xi, &mut extra);
                extra_at.push(extra.len());
            }
            for (i, e) in em.iter_mut().enumerate().take(x.len()) {
                let sums = &mut st.sums[i * sd..(i + 1) * sd];
                for j in extra_at[i]..extra_at[i + 1] {
                    if let Some(&ahead) = extra.get(j + PREFETCH_AHEAD) {
                        table.prefetch(ahead);
                    }
                    if let Some(r) = table.get(extra[j]) {
                        table.add(r, e, sums);
                    }
                }
            }
            add_dense(&w2.dense, &st.rows, &mut em);
            let input = NetInput::Sums {
                tokens: toks,
                sums: &st.sums,
            };
            self.finish_sentence(w2, neural, &trans, em, input, &mut out);
            res.push(out.clone());
        }
        res
    }

    /// [`NerModel::tag_document_indices`] computed plainly, each stage probing its own
    /// weights: for models whose weights were built in memory (training), which have no
    /// exact quantized form for [`MergedTable`]. Same scores as the table's path up to
    /// f32 rounding.
    fn tag_document_plain(
        &self,
        sents: &[&[&str]],
        window: Option<usize>,
        use_neural: bool,
    ) -> Vec<Vec<u8>> {
        let Some(w2) = &self.stage2 else {
            return self.tag_first_pass(sents);
        };
        let neural = self.neural.as_ref().filter(|_| use_neural);
        let (mut em, mut out) = (Vec::new(), Vec::new());
        let mut feats = Vec::with_capacity(sents.len());
        let mut tags1 = Vec::with_capacity(sents.len());
        for toks in sents {
            let (mut k, mut o, mut r) = (Vec::new(), Vec::new(), Vec::new());
            let (mut words, mut cores) = (Vec::new(), Vec::new());
            if neural.is_some() {
                sentence_features_words(
                    &self.res, toks, &mut k, &mut o, &mut r, &mut words, &mut cores,
                );
            } else {
                sentence_features_rows(&self.res, toks, &mut k, &mut o, &mut r);
            }
            emissions(&self.weights, &k, &o, &r, &mut em);
            viterbi(&em, &self.weights.trans, &mut out);
            tags1.push(out.clone());
            feats.push((k, o, r, words, cores));
        }
        let forms: Vec<Vec<Option<u64>>> = sents
            .iter()
            .map(|s| s.iter().map(|t| doc_form_key_in(&self.res, t)).collect())
            .collect();
        let ex = self.document_extras(&forms, &tags1, window);
        let trans = self.final_transitions();
        let mut res = Vec::with_capacity(sents.len());
        for ((k, o, r, words, cores), x) in feats.into_iter().zip(&ex) {
            let (mut k2, mut o2) = (Vec::new(), Vec::new());
            add_extra_features(&k, &o, x, &mut k2, &mut o2);
            emissions(w2, &k2, &o2, &r, &mut em);
            let input = NetInput::Keys(NeuralInput {
                keys: k2,
                offsets: o2,
                words,
                cores,
                scores: Vec::new(),
                aux: false,
            });
            self.finish_sentence(w2, neural, &trans, std::mem::take(&mut em), input, &mut out);
            res.push(out.clone());
        }
        res
    }

    /// Document-level extras of every token from the first pass's tags and each token's
    /// word form (`features::doc_form_key`).
    fn document_extras(
        &self,
        forms: &[Vec<Option<u64>>],
        tags1: &[Vec<u8>],
        window: Option<usize>,
    ) -> Vec<Vec<crate::features::Extra>> {
        let mut ex = doc::extras(forms, tags1, window);
        crate::features::news::fill_news(&mut ex, forms, &self.res.news);
        ex
    }

    /// Decodes a sentence from its second-pass scores `em`: where the gate lets the
    /// network run (see [`NeuralStage::gate`]), its scores are mixed in and the mixed
    /// transitions `trans` used; then the `O` bias and Viterbi into `out`.
    fn finish_sentence(
        &self,
        w2: &Weights,
        neural: Option<&NeuralStage>,
        trans: &Transitions,
        mut em: Vec<[f32; NUM_TAGS]>,
        input: NetInput<'_>,
        out: &mut Vec<u8>,
    ) {
        let ran = match neural {
            Some(ns) if needs_network(&em, ns.gate) => {
                let scores: &[[f32; NUM_TAGS]] = if ns.net.reads_scores() { &em } else { &[] };
                let ne = match input {
                    NetInput::Sums { tokens, sums } => {
                        ns.net.emissions_from_sums(tokens, scores, sums)
                    }
                    NetInput::Keys(mut inp) => {
                        inp.scores = scores.to_vec();
                        ns.net.emissions_fast(&inp)
                    }
                };
                for (e, n) in em.iter_mut().zip(&ne) {
                    for t in 0..NUM_TAGS {
                        e[t] = ns.linear_scale * e[t] + ns.neural_scale * n[t];
                    }
                }
                true
            }
            _ => false,
        };
        em.iter_mut().for_each(|e| e[0] -= self.o_bias);
        viterbi(&em, if ran { trans } else { &w2.trans }, out);
    }

    /// Tags of a model without a second pass: the first pass, sentence by sentence.
    fn tag_first_pass(&self, sents: &[&[&str]]) -> Vec<Vec<u8>> {
        let (mut keys, mut offsets, mut rows) = (Vec::new(), Vec::new(), Vec::new());
        let (mut em, mut out) = (Vec::new(), Vec::new());
        let mut res = Vec::with_capacity(sents.len());
        for toks in sents {
            sentence_features_rows(&self.res, toks, &mut keys, &mut offsets, &mut rows);
            emissions(&self.weights, &keys, &offsets, &rows, &mut em);
            em.iter_mut().for_each(|e| e[0] -= self.o_bias);
            viterbi(&em, &self.weights.trans, &mut out);
            res.push(out.clone());
        }
        res
    }

    /// Transitions of the final pass: the second pass's, mixed with the network's.
    fn final_transitions(&self) -> Transitions {
        let Some(w2) = &self.stage2 else {
            return self.weights.trans;
        };
        let Some(ns) = &self.neural else {
            return w2.trans;
        };
        let nt = ns.net.transitions();
        let mut t = w2.trans;
        for (row, nrow) in t.iter_mut().zip(&nt) {
            for (v, n) in row.iter_mut().zip(nrow) {
                *v = ns.linear_scale * *v + ns.neural_scale * n;
            }
        }
        t
    }

    /// Training metadata stored in the file (JSON text).
    pub fn meta(&self) -> &str {
        &self.meta
    }

    /// Number of weighted features.
    pub fn num_features(&self) -> usize {
        self.weights.rows.len()
    }

    /// The weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Lexical resources.
    pub fn resources(&self) -> &Resources {
        &self.res
    }
}

/// Does some token's `O` score fail to beat its best entity score by `gate`?
pub(crate) fn needs_network(em: &[[f32; NUM_TAGS]], gate: f32) -> bool {
    // +∞ (and NaN): always. −∞ is an ordinary margin every finite score clears: never.
    if gate.is_nan() || gate == f32::INFINITY {
        return true;
    }
    em.iter().any(|e| {
        let best = e[1..].iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        // NaN scores count as unsure.
        (e[0] - best).partial_cmp(&gate) != Some(std::cmp::Ordering::Greater)
    })
}
