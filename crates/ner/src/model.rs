//! The model: resources + weights, and its binary file format.
//!
//! File layout: magic `KHNERMDL`, u32 format version, u32 feature version, u64 payload
//! length, u64 payload hash, then the zlib-compressed payload (all little endian).

use crate::decode::{viterbi, Transitions};
use crate::features::clusters::Clusters;
use crate::features::doc;
use crate::features::hash::hash_bytes;
use crate::features::lexicon::{Gazetteer, WordStats};
use crate::features::{
    add_extra_features, doc_form_key_in, extra_features, sentence_features_origins,
    sentence_features_rows, sentence_features_words, Dense, MemoKey, Resources, CONTEXT,
    FEATURE_VERSION, NO_ROW,
};
use crate::merged::{
    with_word_sums, MergedTable, Position, Sums, WordSums, GROUPS, PREFETCH_AHEAD,
};
use crate::neural::{Layout, NeuralInput, NeuralTagger, WordVectors};
use crate::tags::{Tag, NUM_TAGS};
use rustc_hash::FxHashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// File magic.
pub const MAGIC: &[u8; 8] = b"KHNERMDL";
/// Current file format version (3 added the neural stage; version 2 files still load).
pub const FORMAT_VERSION: u32 = 3;

/// Width of a dense row: tag scores a word adds to the token before it, itself and the
/// token after it (`[offset][tag]`, offsets −1, 0, +1 seen from the scored token).
pub const DENSE_W: usize = 3 * NUM_TAGS;
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8;

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    /// The file could not be read.
    #[error("cannot read NER model {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Not a model file.
    #[error("{path} is not a khabar NER model (bad magic bytes)")]
    BadMagic {
        /// File.
        path: PathBuf,
    },
    /// Made by another version of khabar.
    #[error("NER model {path} has format {found_format}/features {found_features}; this khabar reads format {FORMAT_VERSION}/features {FEATURE_VERSION} (retrain with `khabar train ner`)")]
    Version {
        /// File.
        path: PathBuf,
        /// Format version in the file.
        found_format: u32,
        /// Feature version in the file.
        found_features: u32,
    },
    /// Truncated or damaged.
    #[error("NER model {path} is truncated or corrupt: {detail}")]
    Corrupt {
        /// File.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

/// Weights of the linear model.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    /// Feature key → its `NUM_TAGS` weights, stored in the map itself: tagging is bound by
    /// memory latency (~50 probes per token), and an index into a separate row array
    /// cost a second cache miss per feature found.
    pub rows: FxHashMap<u32, [f32; NUM_TAGS]>,
    /// For weights read from a model file: the scale of their i16 form (each weight is
    /// exactly `q as f32 * scale`), which lets the tagger store them in half the memory
    /// with the same arithmetic. `None` for weights built in memory.
    pub quant: Option<f32>,
    /// Transition scores.
    pub trans: Transitions,
    /// Per dense row (word): the embedding features' contribution to the tag scores,
    /// `[d * NUM_TAGS + t]` for the token at offset `d - 1` from the word. Empty without
    /// dense features.
    pub dense: Vec<[f32; DENSE_W]>,
}

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

/// Emission scores of each token.
pub(crate) fn emissions(
    w: &Weights,
    keys: &[u32],
    offsets: &[usize],
    rows: &[u32],
    em: &mut Vec<[f32; NUM_TAGS]>,
) {
    em.clear();
    let n = offsets.len().saturating_sub(1);
    for i in 0..n {
        let mut e = [0f32; NUM_TAGS];
        for k in &keys[offsets[i]..offsets[i + 1]] {
            if let Some(row) = w.rows.get(k) {
                for t in 0..NUM_TAGS {
                    e[t] += row[t];
                }
            }
        }
        em.push(e);
    }
    add_dense(&w.dense, rows, em);
}

/// Adds the dense rows' tag scores: token i gets, from the word j at offset `j - i` ∈
/// {−1, 0, +1}, part `j - i + 1` of that word's row.
#[allow(clippy::needless_range_loop)] // j indexes rows and em
pub(crate) fn add_dense(dense: &[[f32; DENSE_W]], rows: &[u32], em: &mut [[f32; NUM_TAGS]]) {
    if dense.is_empty() {
        return;
    }
    let n = em.len().min(rows.len());
    for j in 0..n {
        let r = rows[j];
        if r == NO_ROW {
            continue;
        }
        let Some(d) = dense.get(r as usize) else {
            continue;
        };
        // Offset of word j from token i is j - i ∈ {−1, 0, +1} → part j - i + 1.
        for (part, i) in [(2usize, j.wrapping_sub(1)), (1, j), (0, j + 1)] {
            if i < n {
                let e = &mut em[i];
                for t in 0..NUM_TAGS {
                    e[t] += d[part * NUM_TAGS + t];
                }
            }
        }
    }
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

    /// Tags the sentences of one document. With a second-pass model, each sentence is
    /// tagged again knowing how its words were tagged elsewhere in the document
    /// (`window = Some(w)`: only the w sentences before and after count; `None`: all).
    /// First names the training data never shows join the person after them
    /// ([`crate::first_names`]).
    pub fn tag_document(&self, sents: &[&[&str]], window: Option<usize>) -> Vec<Vec<Tag>> {
        self.tag_document_with(sents, window, true)
    }

    /// [`NerModel::tag_document`], with or without the neural stage.
    pub fn tag_document_with(
        &self,
        sents: &[&[&str]],
        window: Option<usize>,
        neural: bool,
    ) -> Vec<Vec<Tag>> {
        let idx = self.tag_document_indices(sents, window, neural);
        idx.into_iter()
            .zip(sents)
            .map(|(v, toks)| {
                let mut tags: Vec<Tag> =
                    v.into_iter().map(|i| Tag::from_index(i as usize)).collect();
                crate::first_names::extend_first_names(&self.res, toks, &mut tags);
                tags
            })
            .collect()
    }

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

    /// Tags one sentence (or any token sequence, treated as one document): one BIO tag
    /// per token, always valid BIO.
    pub fn tag(&self, tokens: &[&str]) -> Vec<Tag> {
        self.tag_document(&[tokens], None).pop().unwrap_or_default()
    }

    /// Serializes the model; weights are quantized to i16 and features whose weights are
    /// all below `prune` in absolute value are dropped.
    pub fn to_bytes(&self, prune: f32) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&(NUM_TAGS as u32).to_le_bytes());
        write_weights(&mut p, &self.weights, prune);
        p.extend_from_slice(&(self.stage2.is_some() as u32).to_le_bytes());
        if let Some(w2) = &self.stage2 {
            write_weights(&mut p, w2, prune);
        }
        p.extend_from_slice(&self.window.to_le_bytes());
        p.extend_from_slice(&self.o_bias.to_le_bytes());
        // Clusters.
        let cl = &self.res.clusters;
        let mut words: Vec<(u32, u16)> = cl.fine.iter().map(|(&k, &v)| (k, v)).collect();
        words.sort_unstable();
        p.extend_from_slice(&(words.len() as u32).to_le_bytes());
        let mut prev = 0u32;
        for w in &words {
            p.extend_from_slice(&(w.0.wrapping_sub(prev)).to_le_bytes());
            prev = w.0;
        }
        for w in &words {
            p.extend_from_slice(&w.1.to_le_bytes());
        }
        p.extend_from_slice(&(cl.to_mid.len() as u32).to_le_bytes());
        for (&m, &c) in cl.to_mid.iter().zip(&cl.to_coarse) {
            p.extend_from_slice(&m.to_le_bytes());
            p.extend_from_slice(&c.to_le_bytes());
        }
        // Gazetteer.
        let mut gz: Vec<(u64, u8)> = self.res.gaz.entries.iter().map(|(&k, &v)| (k, v)).collect();
        gz.sort_unstable();
        p.extend_from_slice(&(gz.len() as u32).to_le_bytes());
        for g in &gz {
            p.extend_from_slice(&g.0.to_le_bytes());
        }
        for g in &gz {
            p.push(g.1);
        }
        write_codes(&mut p, &self.res.stats);
        write_codes(&mut p, &self.res.knn);
        p.extend_from_slice(&(self.meta.len() as u32).to_le_bytes());
        p.extend_from_slice(self.meta.as_bytes());
        write_dense(&mut p, &self.res.dense, &self.weights, self.stage2.as_ref());
        write_codes(&mut p, &self.res.news);
        match &self.neural {
            None => p.extend_from_slice(&0u32.to_le_bytes()),
            Some(ns) => {
                p.extend_from_slice(&1u32.to_le_bytes());
                p.extend_from_slice(&ns.linear_scale.to_le_bytes());
                p.extend_from_slice(&ns.neural_scale.to_le_bytes());
                p.extend_from_slice(&ns.gate.to_le_bytes());
                write_neural(&mut p, &ns.net);
            }
        }

        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&p).expect("writing to memory");
        let z = enc.finish().expect("writing to memory");
        let mut out = Vec::with_capacity(HEADER_LEN + z.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&(z.len() as u64).to_le_bytes());
        out.extend_from_slice(&hash_bytes(7, &z).to_le_bytes());
        out.extend_from_slice(&z);
        out
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path, prune: f32) -> std::io::Result<usize> {
        let b = self.to_bytes(prune);
        std::fs::write(path, &b)?;
        Ok(b.len())
    }

    /// Loads a model file.
    pub fn load(path: &Path) -> Result<NerModel, NerError> {
        let bytes = std::fs::read(path).map_err(|source| NerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        NerModel::from_bytes(&bytes, path)
    }

    /// Parses model bytes; `path` only names the source in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<NerModel, NerError> {
        let corrupt = |d: &str| NerError::Corrupt {
            path: path.to_path_buf(),
            detail: d.to_string(),
        };
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            if bytes.is_empty() {
                return Err(corrupt("the file is empty"));
            }
            return Err(NerError::BadMagic {
                path: path.to_path_buf(),
            });
        }
        if bytes.len() < HEADER_LEN {
            return Err(corrupt("header cut short"));
        }
        let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
        let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().unwrap());
        let (fv, feat_v) = (u32_at(8), u32_at(12));
        if !(2..=FORMAT_VERSION).contains(&fv) || feat_v != FEATURE_VERSION {
            return Err(NerError::Version {
                path: path.to_path_buf(),
                found_format: fv,
                found_features: feat_v,
            });
        }
        let len = u64_at(16) as usize;
        let z = &bytes[HEADER_LEN..];
        if z.len() != len {
            return Err(corrupt(&format!(
                "payload is {} bytes, header says {len}",
                z.len()
            )));
        }
        if hash_bytes(7, z) != u64_at(24) {
            return Err(corrupt("checksum mismatch"));
        }
        // The shipped payload inflates to ~1.25× its compressed size: reserving 2× spares
        // the doubling reallocations (and their page faults) of a growing vector.
        let mut p = Vec::with_capacity(z.len().saturating_mul(2));
        flate2::read::ZlibDecoder::new(z)
            .read_to_end(&mut p)
            .map_err(|e| corrupt(&format!("decompression failed: {e}")))?;
        parse_payload(&p, fv).map_err(|d| corrupt(&d))
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

/// i8 rows with one f32 scale each: `n`, then the scales, then the values.
fn write_rows_i8(p: &mut Vec<u8>, v: &[f32], width: usize) {
    let n = v.len().checked_div(width).unwrap_or(0);
    p.extend_from_slice(&(n as u32).to_le_bytes());
    let mut vals = Vec::with_capacity(v.len());
    for r in 0..n {
        let s = quantize_row(&v[r * width..(r + 1) * width], &mut vals);
        p.extend_from_slice(&s.to_le_bytes());
    }
    p.extend(vals.iter().map(|&x| x as u8));
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

/// The rows as f32 (value × scale), the scales, and the i8 values.
type RowsI8 = (Vec<f32>, Vec<f32>, Vec<i8>);
fn read_rows_i8_parts(c: &mut Cur<'_>, width: usize) -> Result<RowsI8, String> {
    let n = c.len(4 + width)?;
    let scales = c.take(4 * n)?;
    let vals = c.take(width * n)?;
    let mut out = Vec::with_capacity(n * width);
    let mut row_scales = Vec::with_capacity(n);
    for (s, row) in scales.chunks_exact(4).zip(vals.chunks_exact(width.max(1))) {
        let s = f32::from_le_bytes(s.try_into().unwrap());
        row_scales.push(s);
        out.extend(row.iter().map(|&b| b as i8 as f32 * s));
    }
    let q = vals.iter().map(|&b| b as i8).collect();
    Ok((out, row_scales, q))
}

/// Sorted keys, delta coded, with the row each maps to in `order`.
fn write_keys(p: &mut Vec<u8>, index: &FxHashMap<u32, u32>) -> Vec<u32> {
    let mut keys: Vec<(u32, u32)> = index.iter().map(|(&k, &r)| (k, r)).collect();
    keys.sort_unstable();
    p.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    let mut prev = 0u32;
    for k in &keys {
        p.extend_from_slice(&(k.0.wrapping_sub(prev)).to_le_bytes());
        prev = k.0;
    }
    keys.into_iter().map(|(_, r)| r).collect()
}

fn read_keys(c: &mut Cur<'_>) -> Result<FxHashMap<u32, u32>, String> {
    let n = c.len(4)?;
    let mut index = FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut prev = 0u32;
    for (r, ch) in c.take(4 * n)?.chunks_exact(4).enumerate() {
        prev = prev.wrapping_add(u32::from_le_bytes(ch.try_into().unwrap()));
        index.insert(prev, r as u32);
    }
    Ok(index)
}

/// Rows of `v` (width `w`) in the order `rows`.
fn reorder(v: &[f32], w: usize, rows: &[u32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows.len() * w);
    for &r in rows {
        out.extend_from_slice(&v[r as usize * w..(r as usize + 1) * w]);
    }
    out
}

fn write_neural(p: &mut Vec<u8>, net: &NeuralTagger) {
    let l = &net.lay;
    for d in [l.h, l.s, l.cd, l.nf, l.cw, l.q, l.e, l.nchars] {
        p.extend_from_slice(&(d as u32).to_le_bytes());
    }
    p.extend_from_slice(&net.score_scale.to_le_bytes());
    let mut chars: Vec<(u16, char)> = net.char_index.iter().map(|(&c, &i)| (i, c)).collect();
    chars.sort_unstable();
    p.extend_from_slice(&(chars.len() as u32).to_le_bytes());
    for (i, c) in chars {
        p.extend_from_slice(&(i as u32).to_le_bytes());
        p.extend_from_slice(&(c as u32).to_le_bytes());
    }
    p.extend_from_slice(&(net.dense.len() as u32).to_le_bytes());
    for v in &net.dense {
        p.extend_from_slice(&v.to_le_bytes());
    }
    let order = write_keys(p, &net.sparse_index);
    write_rows_i8(p, &reorder(&net.sparse, l.s, &order), l.s);
    // Word vectors: already i8 rows with a scale each.
    let v = &net.vectors;
    let order = write_keys(p, &v.index);
    p.extend_from_slice(&(order.len() as u32).to_le_bytes());
    for &r in &order {
        p.extend_from_slice(&v.scales[r as usize].to_le_bytes());
    }
    for &r in &order {
        let r = r as usize;
        p.extend(v.q[r * l.e..(r + 1) * l.e].iter().map(|&x| x as u8));
    }
}

fn read_neural(c: &mut Cur<'_>) -> Result<NeuralTagger, String> {
    let mut d = [0usize; 8];
    for v in d.iter_mut() {
        *v = c.u32()? as usize;
        if *v > 1 << 16 {
            return Err("implausible network size".into());
        }
    }
    let [h, s, cd, nf, cw, q, e, nchars] = d;
    if h == 0 || cw == 0 || cw % 2 == 0 || (q != 0 && q != NUM_TAGS) {
        return Err("bad network shape".into());
    }
    let score_scale = c.f32()?;
    let lay = Layout::from_dims([h, s, cd, nf, cw, q], e, nchars);
    let nc = c.len(8)?;
    let mut char_index = FxHashMap::default();
    for _ in 0..nc {
        let i = c.u32()?;
        let ch = char::from_u32(c.u32()?).ok_or("bad character")?;
        if i as usize >= nchars || i < 2 {
            return Err("character index out of range".into());
        }
        char_index.insert(ch, i as u16);
    }
    let nd = c.len(4)?;
    if nd != lay.total {
        return Err(format!(
            "network has {nd} parameters, shape needs {}",
            lay.total
        ));
    }
    let dense: Vec<f32> = c
        .take(4 * nd)?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let sparse_index = read_keys(c)?;
    let (sparse, sparse_scales, sparse_i8) = read_rows_i8_parts(c, s)?;
    if sparse.len() != sparse_index.len() * s {
        return Err("sparse rows do not match their keys".into());
    }
    let vindex = read_keys(c)?;
    let nv = c.len(4 + e)?;
    if nv != vindex.len() {
        return Err("word vectors do not match their keys".into());
    }
    let scales: Vec<f32> = c
        .take(4 * nv)?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let q: Vec<i8> = c.take(e * nv)?.iter().map(|&b| b as i8).collect();
    Ok(NeuralTagger {
        lay,
        sparse_index,
        sparse,
        char_index,
        dense,
        vectors: WordVectors {
            index: vindex,
            q,
            scales,
            dim: e,
        },
        id: crate::features::cache::next_id(),
        sparse_q: Some((sparse_scales, sparse_i8)),
        score_scale: if score_scale.is_finite() {
            score_scale
        } else {
            1.0
        },
    })
}

fn write_weights(p: &mut Vec<u8>, w: &Weights, prune: f32) {
    for row in &w.trans {
        for v in row {
            p.extend_from_slice(&v.to_le_bytes());
        }
    }
    let mut feats: Vec<(u32, [f32; NUM_TAGS])> = w
        .rows
        .iter()
        .map(|(&k, &r)| (k, r))
        .filter(|(_, w)| w.iter().any(|x| x.abs() >= prune && x.is_finite()))
        .collect();
    feats.sort_unstable_by_key(|f| f.0);
    let maxw = feats
        .iter()
        .flat_map(|f| f.1.iter())
        .fold(0f32, |a, &x| a.max(x.abs()));
    let scale = if maxw > 0.0 { maxw / 32000.0 } else { 1.0 };
    p.extend_from_slice(&scale.to_le_bytes());
    p.extend_from_slice(&(feats.len() as u32).to_le_bytes());
    let mut prev = 0u32;
    for f in &feats {
        // Delta-coded sorted keys compress better.
        p.extend_from_slice(&(f.0.wrapping_sub(prev)).to_le_bytes());
        prev = f.0;
    }
    for t in 0..NUM_TAGS {
        for f in &feats {
            let q = (f.1[t] / scale).round().clamp(-32767.0, 32767.0) as i16;
            p.extend_from_slice(&q.to_le_bytes());
        }
    }
}

fn read_weights(c: &mut Cur<'_>) -> Result<Weights, String> {
    let mut trans: Transitions = [[0f32; NUM_TAGS]; NUM_TAGS + 1];
    for row in trans.iter_mut() {
        for v in row.iter_mut() {
            *v = c.f32()?;
        }
    }
    let scale = c.f32()?;
    let n = c.len(4 + 2 * NUM_TAGS)?;
    let mut keys = Vec::with_capacity(n);
    let mut prev = 0u32;
    for ch in c.take(4 * n)?.chunks_exact(4) {
        prev = prev.wrapping_add(u32::from_le_bytes(ch.try_into().unwrap()));
        keys.push(prev);
    }
    let mut w = vec![[0f32; NUM_TAGS]; n];
    for t in 0..NUM_TAGS {
        for (row, ch) in w.iter_mut().zip(c.take(2 * n)?.chunks_exact(2)) {
            row[t] = i16::from_le_bytes(ch.try_into().unwrap()) as f32 * scale;
        }
    }
    let rows = keys.into_iter().zip(w).collect();
    Ok(Weights {
        rows,
        quant: Some(scale),
        trans,
        dense: Vec::new(),
    })
}

fn write_codes(p: &mut Vec<u8>, t: &WordStats) {
    let mut st: Vec<(u32, u16)> = t.codes.iter().map(|(&k, &v)| (k, v)).collect();
    st.sort_unstable();
    p.extend_from_slice(&(st.len() as u32).to_le_bytes());
    let mut prev = 0u32;
    for x in &st {
        p.extend_from_slice(&(x.0.wrapping_sub(prev)).to_le_bytes());
        prev = x.0;
    }
    for x in &st {
        p.extend_from_slice(&x.1.to_le_bytes());
    }
}

fn read_codes(c: &mut Cur<'_>) -> Result<WordStats, String> {
    let ns = c.len(6)?;
    let mut keys = Vec::with_capacity(ns);
    let mut prev = 0u32;
    for ch in c.take(4 * ns)?.chunks_exact(4) {
        prev = prev.wrapping_add(u32::from_le_bytes(ch.try_into().unwrap()));
        keys.push(prev);
    }
    let mut codes = FxHashMap::with_capacity_and_hasher(ns, Default::default());
    for (k, ch) in keys.iter().zip(c.take(2 * ns)?.chunks_exact(2)) {
        codes.insert(*k, u16::from_le_bytes([ch[0], ch[1]]));
    }
    Ok(WordStats { codes })
}

/// Dense section: row count, sorted delta-coded word keys, then per weight set (one or
/// two) a flag and, per row, an f32 scale and `DENSE_W` i8 values.
fn write_dense(p: &mut Vec<u8>, d: &Dense, w1: &Weights, w2: Option<&Weights>) {
    let sets: Vec<&Weights> = std::iter::once(w1).chain(w2).collect();
    let usable = !d.index.is_empty() && sets.iter().all(|w| w.dense.len() >= d.index.len());
    if !usable {
        p.extend_from_slice(&0u32.to_le_bytes());
        return;
    }
    let mut rows: Vec<(u32, u32)> = d.index.iter().map(|(&k, &r)| (k, r)).collect();
    rows.sort_unstable();
    p.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    let mut prev = 0u32;
    for r in &rows {
        p.extend_from_slice(&(r.0.wrapping_sub(prev)).to_le_bytes());
        prev = r.0;
    }
    for w in sets {
        let mut scales = Vec::with_capacity(rows.len());
        let mut vals = Vec::with_capacity(rows.len() * DENSE_W);
        for &(_, r) in &rows {
            let v = &w.dense[r as usize];
            let m = v
                .iter()
                .filter(|x| x.is_finite())
                .fold(0f32, |a, &x| a.max(x.abs()));
            let s = if m > 0.0 { m / 127.0 } else { 1.0 };
            scales.extend_from_slice(&s.to_le_bytes());
            vals.extend(
                v.iter()
                    .map(|&x| (x / s).round().clamp(-127.0, 127.0) as i8 as u8),
            );
        }
        p.extend_from_slice(&scales);
        p.extend_from_slice(&vals);
    }
}

fn read_dense(
    c: &mut Cur<'_>,
    w1: &mut Weights,
    w2: Option<&mut Weights>,
) -> Result<Dense, String> {
    let n = c.len(4)?;
    if n == 0 {
        return Ok(Dense::default());
    }
    let mut index = FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut prev = 0u32;
    for (r, ch) in c.take(4 * n)?.chunks_exact(4).enumerate() {
        prev = prev.wrapping_add(u32::from_le_bytes(ch.try_into().unwrap()));
        index.insert(prev, r as u32);
    }
    for w in std::iter::once(w1).chain(w2) {
        let scales = c.take(4 * n)?;
        let vals = c.take(DENSE_W * n)?;
        w.dense = scales
            .chunks_exact(4)
            .zip(vals.chunks_exact(DENSE_W))
            .map(|(s, v)| {
                let s = f32::from_le_bytes(s.try_into().unwrap());
                std::array::from_fn(|i| v[i] as i8 as f32 * s)
            })
            .collect();
    }
    Ok(Dense {
        index,
        ..Dense::default()
    })
}

struct Cur<'a> {
    b: &'a [u8],
    o: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .o
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| format!("payload ends early at byte {}", self.o))?;
        let s = &self.b[self.o..end];
        self.o = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn len(&mut self, elem: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(elem) > self.b.len() - self.o {
            return Err(format!("count {n} exceeds the payload"));
        }
        Ok(n)
    }
}

fn parse_payload(b: &[u8], format: u32) -> Result<NerModel, String> {
    let mut c = Cur { b, o: 0 };
    if c.u32()? as usize != NUM_TAGS {
        return Err("unexpected tag count".into());
    }
    let weights = read_weights(&mut c)?;
    let stage2 = match c.u32()? {
        0 => None,
        1 => Some(read_weights(&mut c)?),
        _ => return Err("bad stage flag".into()),
    };
    let window = c.u32()?;
    let o_bias = c.f32()?;
    let nw = c.len(6)?;
    let mut wkeys = Vec::with_capacity(nw);
    let mut prev = 0u32;
    for ch in c.take(4 * nw)?.chunks_exact(4) {
        prev = prev.wrapping_add(u32::from_le_bytes(ch.try_into().unwrap()));
        wkeys.push(prev);
    }
    let mut fine = FxHashMap::with_capacity_and_hasher(nw, Default::default());
    for (k, ch) in wkeys.iter().zip(c.take(2 * nw)?.chunks_exact(2)) {
        fine.insert(*k, u16::from_le_bytes(ch.try_into().unwrap()));
    }
    let nf = c.len(4)?;
    let mut to_mid = Vec::with_capacity(nf);
    let mut to_coarse = Vec::with_capacity(nf);
    for ch in c.take(4 * nf)?.chunks_exact(4) {
        to_mid.push(u16::from_le_bytes([ch[0], ch[1]]));
        to_coarse.push(u16::from_le_bytes([ch[2], ch[3]]));
    }
    let ng = c.len(9)?;
    let gkeys = c.take(8 * ng)?;
    let gbits = c.take(ng)?;
    let mut entries = FxHashMap::with_capacity_and_hasher(ng, Default::default());
    for (ch, &bits) in gkeys.chunks_exact(8).zip(gbits) {
        entries.insert(u64::from_le_bytes(ch.try_into().unwrap()), bits);
    }
    let stats = read_codes(&mut c)?;
    let knn = read_codes(&mut c)?;
    let nm = c.len(1)?;
    let meta = String::from_utf8_lossy(c.take(nm)?).into_owned();
    let mut weights = weights;
    let mut stage2 = stage2;
    let dense = read_dense(&mut c, &mut weights, stage2.as_mut())?;
    let news = read_codes(&mut c)?;
    let neural = if format >= 3 {
        match c.u32()? {
            0 => None,
            1 => {
                let linear_scale = c.f32()?;
                let neural_scale = c.f32()?;
                let gate = c.f32()?;
                let net = read_neural(&mut c)?;
                let mut stage = NeuralStage::new(
                    net,
                    if linear_scale.is_finite() {
                        linear_scale
                    } else {
                        1.0
                    },
                    if neural_scale.is_finite() {
                        neural_scale
                    } else {
                        0.0
                    },
                );
                // A NaN gate means no gate.
                stage.gate = if gate.is_nan() { f32::INFINITY } else { gate };
                Some(stage)
            }
            _ => return Err("bad neural flag".into()),
        }
    } else {
        None
    };
    let mut model = NerModel {
        neural: None,
        res: Resources {
            gaz: Gazetteer { entries },
            clusters: Clusters {
                fine,
                to_mid,
                to_coarse,
            },
            stats,
            knn,
            dense,
            news,
            memo: MemoKey::fresh(),
        },
        weights,
        stage2,
        window,
        o_bias: if o_bias.is_finite() { o_bias } else { 0.0 },
        meta,
        merged: None,
    };
    model.set_neural(neural);
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neural::{NeuralConfig, NeuralInput};

    /// A model with the shipped linear passes and an untrained (randomly initialized)
    /// neural stage over their keys.
    fn with_random_stage(scores: bool) -> (NerModel, Vec<Vec<&'static str>>) {
        with_random_stage_dim(scores, 4)
    }

    /// [`with_random_stage`] with sparse rows `sparse_dim` wide.
    fn with_random_stage_dim(
        scores: bool,
        sparse_dim: usize,
    ) -> (NerModel, Vec<Vec<&'static str>>) {
        let sents: Vec<Vec<&str>> = vec![
            vec!["قال", "الرئيس", "محمد", "علي", "في", "القاهرة", "."],
            vec!["وصل", "وفد", "الأمم", "المتحدة", "إلى", "بيروت", "أمس", "."],
            // Words seen before at other offsets (the row-sum memo's groups), a sentence
            // of one token, a token too long for the memo.
            vec!["محمد", "علي", "في", "بيروت"],
            vec!["القاهرة"],
            vec!["في", "مؤتمرالأممالمتحدةللتجارةوالتنميةوالتعاون", "محمد"],
        ];
        let mut m = crate::NerModel::try_shipped().unwrap();
        let w2 = m.stage2.clone().expect("shipped model has a second pass");
        let mut inputs = Vec::new();
        for toks in &sents {
            let (mut k, mut o, mut r) = (Vec::new(), Vec::new(), Vec::new());
            sentence_features_rows(&m.res, toks, &mut k, &mut o, &mut r);
            let mut x = NeuralInput::new(toks, k, o);
            let mut em = Vec::new();
            emissions(&w2, &x.keys, &x.offsets, &r, &mut em);
            x.scores = em;
            inputs.push(x);
        }
        let cfg = NeuralConfig {
            hidden: 8,
            sparse_dim,
            char_filters: 6,
            min_count: 1,
            scores,
            ..Default::default()
        };
        let net = NeuralTagger::init(&cfg, &inputs, WordVectors::default());
        m.set_neural(Some(NeuralStage::new(net, 0.01, 1.0)));
        (m, sents)
    }

    /// Tags computed the plain way: each pass and the network on its own keys.
    fn reference_tags(m: &NerModel, sents: &[&[&str]], neural: bool) -> Vec<Vec<u8>> {
        let w2 = m.stage2.as_ref().unwrap();
        let (mut em, mut out) = (Vec::new(), Vec::new());
        let mut feats = Vec::new();
        let mut tags1 = Vec::new();
        for toks in sents {
            let (mut k, mut o, mut r) = (Vec::new(), Vec::new(), Vec::new());
            sentence_features_rows(&m.res, toks, &mut k, &mut o, &mut r);
            emissions(&m.weights, &k, &o, &r, &mut em);
            viterbi(&em, &m.weights.trans, &mut out);
            tags1.push(out.clone());
            feats.push((k, o, r));
        }
        let forms: Vec<Vec<Option<u64>>> = sents
            .iter()
            .map(|s| s.iter().map(|t| crate::features::doc_form_key(t)).collect())
            .collect();
        let mut ex = doc::extras(&forms, &tags1, None);
        crate::features::news::fill_news(&mut ex, &forms, &m.res.news);
        let mut res = Vec::new();
        for ((toks, (k, o, r)), x) in sents.iter().zip(&feats).zip(&ex) {
            let (mut k2, mut o2) = (Vec::new(), Vec::new());
            crate::features::add_extra_features(k, o, x, &mut k2, &mut o2);
            emissions(w2, &k2, &o2, r, &mut em);
            let ns = m.neural.as_ref().filter(|_| neural);
            let mut trans = w2.trans;
            if let Some(ns) = ns.filter(|ns| needs_network(&em, ns.gate)) {
                let mut x = NeuralInput::new(toks, k2.clone(), o2.clone());
                x.scores = em.clone();
                let ne = ns.net.emissions_reference(&x);
                for (e, n) in em.iter_mut().zip(&ne) {
                    for t in 0..NUM_TAGS {
                        e[t] = ns.linear_scale * e[t] + ns.neural_scale * n[t];
                    }
                }
                trans = m.final_transitions();
            }
            em.iter_mut().for_each(|e| e[0] -= m.o_bias);
            viterbi(&em, &trans, &mut out);
            res.push(out.clone());
        }
        res
    }

    #[test]
    fn merged_probes_match_separate_models() {
        assert!(
            crate::NerModel::shipped().merged.is_some(),
            "the shipped model tags through the merged table"
        );
        // 4: sparse rows in the table; 20: too wide for it (the plain path).
        for (scores, dim) in [(false, 4), (true, 4), (true, 20)] {
            let (mut m, sents) = with_random_stage_dim(scores, dim);
            let refs: Vec<&[&str]> = sents.iter().map(|s| s.as_slice()).collect();
            // An untrained network's scores are small: weigh them up so they decide.
            let ns = m.neural.as_mut().unwrap();
            (ns.linear_scale, ns.neural_scale) = (1e-4, 1e3);
            // Weights built in memory have no exact quantized form: no table.
            m.rebuild_merged();
            assert!(m.merged.is_none());
            // Read back from a file they have one (unless the rows are too wide).
            let mut loaded = NerModel::from_bytes(&m.to_bytes(0.0), Path::new("memory")).unwrap();
            assert_eq!(loaded.merged.is_some(), dim <= crate::merged::INLINE_SPARSE);
            // Another model's row sums in this thread's memo must not be read.
            NerModel::shipped().tag_document_indices(&refs, None, true);
            for gate in [f32::INFINITY, 0.0] {
                for model in [&mut m, &mut loaded] {
                    model.set_neural_gate(gate);
                    for neural in [false, true] {
                        let want = reference_tags(model, &refs, neural);
                        let what = format!("scores {scores} dim {dim} gate {gate} neural {neural}");
                        assert_eq!(
                            model.tag_document_indices(&refs, None, neural),
                            want,
                            "{what}"
                        );
                        assert_eq!(
                            model.tag_document_plain(&refs, None, neural),
                            want,
                            "{what}"
                        );
                    }
                }
            }
            // The network does change the tags (so the comparison covers its inputs).
            loaded.set_neural_gate(f32::INFINITY);
            assert_ne!(
                loaded.tag_document_indices(&refs, None, true),
                loaded.tag_document_indices(&refs, None, false)
            );
        }
    }

    #[test]
    fn gate_skips_confident_sentences() {
        let confident = vec![[10.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]; 3];
        assert!(!needs_network(&confident, 5.0));
        assert!(needs_network(&confident, 9.0));
        assert!(needs_network(&confident, f32::INFINITY));
        let mut one_unsure = confident.clone();
        one_unsure[1][3] = 9.5;
        assert!(needs_network(&one_unsure, 5.0));
        assert!(!needs_network(&one_unsure, f32::NEG_INFINITY));
        // A gate that skips everything gives the linear passes' tags.
        let (mut m, sents) = with_random_stage(true);
        let refs: Vec<&[&str]> = sents.iter().map(|s| s.as_slice()).collect();
        m.set_neural_gate(f32::NEG_INFINITY);
        assert_eq!(
            m.tag_document(&refs, None),
            m.tag_document_with(&refs, None, false)
        );
        let back = NerModel::from_bytes(&m.to_bytes(0.0), Path::new("memory")).unwrap();
        assert_eq!(back.neural().unwrap().gate, f32::NEG_INFINITY);
    }

    #[test]
    fn neural_stage_survives_a_file_roundtrip() {
        let (m, sents) = with_random_stage(true);
        let back = NerModel::from_bytes(&m.to_bytes(0.0), Path::new("memory")).unwrap();
        assert!(back.neural().is_some());
        let refs: Vec<&[&str]> = sents.iter().map(|s| s.as_slice()).collect();
        assert_eq!(m.tag_document(&refs, None), back.tag_document(&refs, None));
        // A cut inside the neural section is an error, not a panic.
        let bytes = m.to_bytes(0.0);
        let mut p = Vec::new();
        flate2::read::ZlibDecoder::new(&bytes[HEADER_LEN..])
            .read_to_end(&mut p)
            .unwrap();
        for cut in [p.len() - 1, p.len() - 100, p.len() - 5000] {
            assert!(parse_payload(&p[..cut], FORMAT_VERSION).is_err());
        }
    }
}
