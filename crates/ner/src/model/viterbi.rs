//! Linear scoring and BIO-constrained Viterbi decoding.

use crate::tags::{Tag, NUM_TAGS};

/// Row of the transition table used for the sentence start.
pub const START: usize = NUM_TAGS;

/// Transition scores: `trans[prev][cur]`, with `prev == START` at the sentence start.
pub type Transitions = [[f32; NUM_TAGS]; NUM_TAGS + 1];

/// `ALLOWED[prev][cur]`: may tag `cur` follow `prev` (row `START` = sentence start)?
pub fn allowed(prev: usize, cur: usize) -> bool {
    let c = Tag::from_index(cur);
    if prev == START {
        return !matches!(c, Tag::I(_));
    }
    Tag::from_index(prev).allows(c)
}

/// Viterbi over emission scores with transitions; invalid BIO transitions are forbidden.
/// Writes tag indices into `out`.
pub fn viterbi(em: &[[f32; NUM_TAGS]], trans: &Transitions, out: &mut Vec<u8>) {
    out.clear();
    let n = em.len();
    if n == 0 {
        return;
    }
    // Masked transitions, computed once per call (81 entries: cheap).
    let mut t = [[f32::NEG_INFINITY; NUM_TAGS]; NUM_TAGS + 1];
    for (p, row) in t.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            if allowed(p, c) {
                *v = trans[p][c];
            }
        }
    }
    let mut back = vec![[0u8; NUM_TAGS]; n];
    let mut score = [0f32; NUM_TAGS];
    for c in 0..NUM_TAGS {
        score[c] = t[START][c] + em[0][c];
    }
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; NUM_TAGS];
        for c in 0..NUM_TAGS {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for p in 0..NUM_TAGS {
                let v = score[p] + t[p][c];
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            next[c] = best + em[i][c];
            back[i][c] = arg;
        }
        score = next;
    }
    let mut best = 0;
    for c in 1..NUM_TAGS {
        if score[c] > score[best] {
            best = c;
        }
    }
    out.resize(n, 0);
    out[n - 1] = best as u8;
    for i in (1..n).rev() {
        out[i - 1] = back[i][out[i] as usize];
    }
    // Non-finite scores (NaN weights from a bad file) could break the argmax; repair
    // so the output is always valid BIO.
    let mut prev = START;
    for v in out.iter_mut() {
        if !allowed(prev, *v as usize) {
            *v = 0;
        }
        prev = *v as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::is_valid_bio;

    #[test]
    fn forbids_invalid_transitions() {
        // Emissions prefer I-PER everywhere; decoding must start with B-PER.
        let mut em = vec![[0f32; NUM_TAGS]; 3];
        for e in em.iter_mut() {
            e[2] = 5.0;
        }
        let trans = [[0f32; NUM_TAGS]; NUM_TAGS + 1];
        let mut out = Vec::new();
        viterbi(&em, &trans, &mut out);
        assert_eq!(out, vec![1, 2, 2]);
        let tags: Vec<Tag> = out.iter().map(|&i| Tag::from_index(i as usize)).collect();
        assert!(is_valid_bio(&tags));
    }

    #[test]
    fn nan_is_repaired() {
        let em = vec![[f32::NAN; NUM_TAGS]; 4];
        let trans = [[0f32; NUM_TAGS]; NUM_TAGS + 1];
        let mut out = Vec::new();
        viterbi(&em, &trans, &mut out);
        let tags: Vec<Tag> = out.iter().map(|&i| Tag::from_index(i as usize)).collect();
        assert!(is_valid_bio(&tags));
    }
}
