//! The linear passes' weights and their emission scores.

use crate::features::NO_ROW;
use crate::model::viterbi::Transitions;
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;

/// Width of a dense row: tag scores a word adds to the token before it, itself and the
/// token after it (`[offset][tag]`, offsets −1, 0, +1 seen from the scored token).
pub const DENSE_W: usize = 3 * NUM_TAGS;

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
