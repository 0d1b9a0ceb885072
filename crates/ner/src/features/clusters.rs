//! Word clusters as the features read them: each word's cluster at three granularities
//! (learned by `train::clusters` and stored inside the model).

use crate::features::hash::word_key;
use crate::features::text::split_clitics;
use rustc_hash::FxHashMap;

/// Word clusters at three granularities (1024 → 256 → 64, nested).
#[derive(Debug, Default, Clone)]
pub struct Clusters {
    /// Word key → fine cluster id.
    pub fine: FxHashMap<u32, u16>,
    /// Fine id → medium id (256).
    pub to_mid: Vec<u16>,
    /// Fine id → coarse id (64).
    pub to_coarse: Vec<u16>,
}

impl Clusters {
    /// Fine cluster of a normalized word.
    #[inline]
    pub fn get(&self, norm: &str) -> Option<u16> {
        self.fine.get(&word_key(norm)).copied()
    }

    /// (coarse, mid, fine) ids of a fine id.
    #[inline]
    pub fn levels(&self, fine: u16) -> (u16, u16, u16) {
        let f = fine as usize;
        (
            self.to_coarse.get(f).copied().unwrap_or(0),
            self.to_mid.get(f).copied().unwrap_or(0),
            fine,
        )
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.fine.len()
    }

    /// True when there are no words.
    pub fn is_empty(&self) -> bool {
        self.fine.is_empty()
    }
}

/// Looks up the cluster of a token: full form first, then its core (clitics removed).
pub fn cluster_of(cl: &Clusters, norm: &str) -> Option<u16> {
    cl.get(norm).or_else(|| {
        let s = split_clitics(norm);
        cl.get(&s.core)
    })
}
