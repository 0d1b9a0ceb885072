//! Entity-level scoring compatible with `conlleval` (exact span and type).
//!
//! Chunks follow conlleval's rules, so an `I-X` after `O` or after another type starts a
//! new chunk (as in IOB1) and sentence boundaries end chunks.

use crate::tags::{Label, Tag};
use std::fmt::Write as _;

/// An entity chunk: `[start, end)` token range and label.
pub type Chunk = (usize, usize, Label);

/// Extracts chunks from a tag sequence with conlleval's start/end rules.
pub fn chunks(tags: &[Tag]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Label)> = None;
    for (i, &t) in tags.iter().enumerate() {
        // Does a chunk end before i?
        if let Some((s, l)) = open {
            let continues = matches!(t, Tag::I(x) if x == l);
            if !continues {
                out.push((s, i, l));
                open = None;
            }
        }
        match t {
            Tag::B(l) => open = Some((i, l)),
            Tag::I(l) if open.is_none() => open = Some((i, l)),
            _ => {}
        }
    }
    if let Some((s, l)) = open {
        out.push((s, tags.len(), l));
    }
    out
}

/// Precision/recall counts per label.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Per label (index = `Label as usize`): (correct, predicted, gold).
    pub counts: [(usize, usize, usize); 4],
    /// Tokens seen.
    pub tokens: usize,
    /// Tokens with the right tag.
    pub tokens_correct: usize,
}

/// Precision, recall and F1 in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    /// Precision (%).
    pub p: f64,
    /// Recall (%).
    pub r: f64,
    /// F1 (%).
    pub f1: f64,
}

fn prf(c: usize, p: usize, g: usize) -> Prf {
    let pr = if p == 0 {
        0.0
    } else {
        100.0 * c as f64 / p as f64
    };
    let re = if g == 0 {
        0.0
    } else {
        100.0 * c as f64 / g as f64
    };
    let f = if pr + re == 0.0 {
        0.0
    } else {
        2.0 * pr * re / (pr + re)
    };
    Prf {
        p: pr,
        r: re,
        f1: f,
    }
}

impl Scores {
    /// Adds one sentence.
    pub fn add(&mut self, gold: &[Tag], pred: &[Tag]) {
        assert_eq!(gold.len(), pred.len(), "gold and predicted lengths differ");
        self.tokens += gold.len();
        self.tokens_correct += gold.iter().zip(pred).filter(|(a, b)| a == b).count();
        let g = chunks(gold);
        let p = chunks(pred);
        for c in &g {
            self.counts[c.2 as usize].2 += 1;
        }
        for c in &p {
            self.counts[c.2 as usize].1 += 1;
            if g.contains(c) {
                self.counts[c.2 as usize].0 += 1;
            }
        }
    }

    /// Adds the counts of another score set.
    pub fn merge(&mut self, o: &Scores) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            a.0 += b.0;
            a.1 += b.1;
            a.2 += b.2;
        }
        self.tokens += o.tokens;
        self.tokens_correct += o.tokens_correct;
    }

    /// Scores of one label.
    pub fn label(&self, l: Label) -> Prf {
        let (c, p, g) = self.counts[l as usize];
        prf(c, p, g)
    }

    /// Micro-averaged scores over all labels.
    pub fn micro(&self) -> Prf {
        let (c, p, g) = self
            .counts
            .iter()
            .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
        prf(c, p, g)
    }

    /// Token accuracy in percent.
    pub fn accuracy(&self) -> f64 {
        if self.tokens == 0 {
            0.0
        } else {
            100.0 * self.tokens_correct as f64 / self.tokens as f64
        }
    }

    /// A conlleval-style report.
    pub fn table(&self) -> String {
        let (c, p, g) = self
            .counts
            .iter()
            .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
        let m = self.micro();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
            self.tokens, g, p, c
        );
        let _ = writeln!(
            s,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            self.accuracy(),
            m.p,
            m.r,
            m.f1
        );
        for l in Label::ALL {
            let x = self.label(l);
            let _ = writeln!(
                s,
                "{:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                l.as_str(),
                x.p,
                x.r,
                x.f1,
                self.counts[l as usize].1
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;
    use Tag::*;

    #[test]
    fn chunk_rules_match_conlleval() {
        // I after O starts a chunk; type change ends one; B after I starts a new one.
        let t = [O, I(Per), I(Per), B(Per), I(Loc), O, B(Org)];
        assert_eq!(
            chunks(&t),
            vec![(1, 3, Per), (3, 4, Per), (4, 5, Loc), (6, 7, Org)]
        );
        assert!(chunks(&[O, O]).is_empty());
        assert!(chunks(&[]).is_empty());
    }

    #[test]
    fn exact_span_and_type() {
        let gold = [B(Per), I(Per), O, B(Loc), O, B(Org), I(Org)];
        let pred = [B(Per), I(Per), O, B(Org), O, B(Org), O];
        let mut s = Scores::default();
        s.add(&gold, &pred);
        // Correct: only the PER chunk. Predicted 3, gold 3.
        let m = s.micro();
        assert!((m.p - 100.0 / 3.0).abs() < 1e-9);
        assert!((m.r - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.label(Per).f1, 100.0);
        assert_eq!(s.label(Loc).f1, 0.0);
        assert_eq!(s.counts[Org as usize], (0, 2, 1));
        assert!((s.accuracy() - 500.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn chunks_do_not_cross_sentences() {
        let mut s = Scores::default();
        s.add(&[B(Loc)], &[B(Loc)]);
        s.add(&[I(Loc)], &[I(Loc)]);
        // conlleval: an I at sentence start opens a new chunk, so 2 gold, 2 correct.
        assert_eq!(s.counts[Loc as usize], (2, 2, 2));
        assert_eq!(s.micro().f1, 100.0);
    }

    #[test]
    fn empty_is_zero() {
        let s = Scores::default();
        assert_eq!(s.micro().f1, 0.0);
    }
}
