//! Document-level context for the second tagging pass: how each word form was tagged
//! elsewhere in the same document (or in a window of neighbouring sentences).

use crate::features::Extra;
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;

type Counts = FxHashMap<u64, [u16; NUM_TAGS]>;

fn add(c: &mut Counts, forms: &[Option<u64>], tags: &[u8], sign: i32) {
    for (f, &t) in forms.iter().zip(tags) {
        if let Some(f) = f {
            let e = c.entry(*f).or_insert([0; NUM_TAGS]);
            let v = &mut e[t as usize % NUM_TAGS];
            *v = (*v as i32 + sign).clamp(0, u16::MAX as i32) as u16;
        }
    }
}

/// Computes [`Extra`] for every token. `forms[s][i]` is the form key of token i of
/// sentence s, `tags[s][i]` its first-pass tag. With `window = Some(w)` the document of a
/// sentence is the w sentences before and after it; with `None` it is all sentences.
pub fn extras(
    forms: &[Vec<Option<u64>>],
    tags: &[Vec<u8>],
    window: Option<usize>,
) -> Vec<Vec<Extra>> {
    let n = forms.len();
    let mut counts = Counts::default();
    let (mut lo, mut hi) = (0usize, 0usize); // sentences [lo, hi) are in `counts`
    let mut out = Vec::with_capacity(n);
    for s in 0..n {
        let (want_lo, want_hi) = match window {
            None => (0, n),
            Some(w) => (s.saturating_sub(w), (s + w + 1).min(n)),
        };
        while hi < want_hi {
            add(&mut counts, &forms[hi], &tags[hi], 1);
            hi += 1;
        }
        while lo < want_lo {
            add(&mut counts, &forms[lo], &tags[lo], -1);
            lo += 1;
        }
        let t = &tags[s];
        let len = t.len();
        let mut ex = Vec::with_capacity(len);
        for i in 0..len {
            let own = t[i];
            let mut other = [0u16; NUM_TAGS];
            if let Some(f) = forms[s][i] {
                if let Some(c) = counts.get(&f) {
                    other = *c;
                    let v = &mut other[own as usize % NUM_TAGS];
                    *v = v.saturating_sub(1);
                }
            }
            ex.push(Extra {
                own,
                prev: if i == 0 { NUM_TAGS as u8 } else { t[i - 1] },
                next: if i + 1 == len {
                    NUM_TAGS as u8
                } else {
                    t[i + 1]
                },
                other,
                news: [None; 3],
            });
        }
        out.push(ex);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_other_mentions() {
        let forms = vec![vec![Some(1), Some(2)], vec![Some(1), None], vec![Some(1)]];
        let tags = vec![vec![1, 0], vec![0, 0], vec![1]];
        let all = extras(&forms, &tags, None);
        // Token 0 of sentence 0 (B-PER): the other mentions are one O and one B-PER.
        assert_eq!(all[0][0].other[1], 1);
        assert_eq!(all[0][0].other[0], 1);
        assert_eq!(all[1][1].other, [0; NUM_TAGS]);
        let win = extras(&forms, &tags, Some(1));
        // Sentence 0 sees sentences 0..=1 only.
        assert_eq!(win[0][0].other[1], 0);
        assert_eq!(win[0][0].other[0], 1);
        assert_eq!(win[2][0].other[0], 1);
        assert_eq!(win[0][1].prev, 1);
        assert_eq!(win[0][1].next, NUM_TAGS as u8);
    }
}
