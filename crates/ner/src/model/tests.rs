//! Tests of the tagging passes against a plain reference and of the model file with a
//! neural stage.

use super::*;
use crate::model::file::{parse_payload, FORMAT_VERSION, HEADER_LEN};
use crate::model::neural::{NeuralConfig, NeuralInput, WordVectors};
use std::io::Read;
use std::path::Path;

/// A model with the shipped linear passes and an untrained (randomly initialized)
/// neural stage over their keys.
fn with_random_stage(scores: bool) -> (NerModel, Vec<Vec<&'static str>>) {
    with_random_stage_dim(scores, 4)
}

/// [`with_random_stage`] with sparse rows `sparse_dim` wide.
fn with_random_stage_dim(scores: bool, sparse_dim: usize) -> (NerModel, Vec<Vec<&'static str>>) {
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
        assert_eq!(
            loaded.merged.is_some(),
            dim <= crate::model::merged::INLINE_SPARSE
        );
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
    zstd::stream::read::Decoder::new(&bytes[HEADER_LEN..])
        .unwrap()
        .read_to_end(&mut p)
        .unwrap();
    for cut in [p.len() - 1, p.len() - 100, p.len() - 5000] {
        assert!(parse_payload(&p[..cut], FORMAT_VERSION).is_err());
    }
}
