//! The tagging-time table of a model's weights ([`MergedTable`]) and the per-thread memo
//! of the summed rows of word-only feature groups ([`WordSums`]).

use crate::features::cache::{prefetch, prefetch_next};
use crate::model::neural::NeuralTagger;
use crate::model::weights::Weights;
use crate::tags::NUM_TAGS;

/// Network sparse rows up to this width fit in [`MergedRow`]; wider ones (and weights
/// built in memory) take `NerModel::tag_document_plain`.
pub(crate) const INLINE_SPARSE: usize = 16;

/// Everything one feature key gives the three stages of a model read from a file, in the
/// file's quantized form and in one 64-byte cache line. The weights are exactly
/// `q as f32 * scale` (what the f32 weights were read as); the tagger sums the integers
/// `q` exactly and scales once (see [`Sums`]), so its scores differ from the f32 sums of
/// the plain path only by the latter's rounding.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct MergedRow {
    pub(crate) key: u32,
    /// First-pass weights (zeros for a key only later stages read), × `MergedTable::scale1`.
    pub(crate) pass1: [i16; NUM_TAGS],
    /// Second-pass weights, × `MergedTable::scale2`.
    pub(crate) pass2: [i16; NUM_TAGS],
    /// Scale of the network's sparse row (0 without one).
    pub(crate) sparse_scale: f32,
    /// The network's sparse row (zeros past its width).
    pub(crate) sparse: [i8; INLINE_SPARSE],
}

impl MergedRow {
    pub(crate) fn empty(key: u32) -> MergedRow {
        MergedRow {
            key,
            pass1: [0; NUM_TAGS],
            pass2: [0; NUM_TAGS],
            sparse_scale: 0.0,
            sparse: [0; INLINE_SPARSE],
        }
    }
}

/// Tagging is bound by memory latency: about 50 feature keys per token, each probed in
/// the first pass, again in the second and again for the network, each probe a cache
/// miss or two. This table answers all three with one probe per key and one cache line,
/// made in the first pass; the second pass then probes only its ~10 document-level keys
/// per token. Built only for weights read from a model file, where the quantized form is
/// exact (see [`Weights::quant`]).
///
/// Its own open-addressing array rather than hashbrown's table, which keeps slot
/// addresses to itself: here the slot of a key is known before its row is read, so the
/// tagger prefetches the rows of the keys a few places ahead and their cache misses
/// overlap.
#[derive(Debug, Clone)]
pub(crate) struct MergedTable {
    /// Linear-probing slots, at most half full; a free slot has key [`FREE_KEY`].
    slots: Vec<MergedRow>,
    /// Keys in `slots`.
    len: usize,
    /// The row of the key equal to [`FREE_KEY`] (which cannot sit in a slot).
    free_key_row: Option<MergedRow>,
    /// `64 - log2(slots)`: a key's first slot is the top bits of its hash.
    shift: u32,
    scale1: f32,
    scale2: f32,
    /// Identity of the table's contents for the per-thread [`WordSums`] memo (a table is
    /// never changed once built; its clones share the contents and the identity).
    pub(crate) id: u64,
}

/// Key of a free slot of [`MergedTable::slots`].
pub(crate) const FREE_KEY: u32 = 0;

/// Keys looked up ahead of the one being added (rows prefetched).
pub(crate) const PREFETCH_AHEAD: usize = 16;

#[inline]
fn row_hash(key: u32) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl MergedTable {
    /// The table, or `None` when some weights have no exact quantized form.
    pub(crate) fn new(
        w1: &Weights,
        w2: &Weights,
        net: Option<&NeuralTagger>,
    ) -> Option<MergedTable> {
        let (scale1, scale2) = (w1.quant?, w2.quant?);
        let quantized = |w: &[f32; NUM_TAGS], scale: f32| -> Option<[i16; NUM_TAGS]> {
            let mut q = [0i16; NUM_TAGS];
            for (q, &x) in q.iter_mut().zip(w) {
                let v = (x / scale).round();
                if !(-32768.0..=32767.0).contains(&v) || v as i16 as f32 * scale != x {
                    return None;
                }
                *q = v as i16;
            }
            Some(q)
        };
        // Built in place: filling the rows is most of the model's load time.
        // Sized for the distinct keys: the stages share most of them, and a table sized
        // for their sum would be twice as large (64-byte rows) for nothing.
        let mut distinct = w1.rows.len();
        distinct += w2.rows.keys().filter(|k| !w1.rows.contains_key(k)).count();
        if let Some(net) = net {
            distinct += (net.sparse_index.keys())
                .filter(|k| !w1.rows.contains_key(k) && !w2.rows.contains_key(k))
                .count();
        }
        let mut t = MergedTable::with_capacity(distinct, scale1, scale2);
        // Each insert is a cache miss in a table of tens of megabytes: the slots of the
        // keys a few places ahead are prefetched so that the misses overlap (a third of the
        // load time otherwise).
        let w1_rows: Vec<(u32, &[f32; NUM_TAGS])> = w1.rows.iter().map(|(&k, w)| (k, w)).collect();
        t.fill(&w1_rows, |row, w| {
            row.pass1 = quantized(w, scale1)?;
            Some(())
        })?;
        let w2_rows: Vec<(u32, &[f32; NUM_TAGS])> = w2.rows.iter().map(|(&k, w)| (k, w)).collect();
        t.fill(&w2_rows, |row, w| {
            row.pass2 = quantized(w, scale2)?;
            Some(())
        })?;
        if let Some(net) = net {
            let sd = net.sparse_dim();
            let (scales, q) = net.sparse_q.as_ref()?;
            if sd > INLINE_SPARSE {
                return None;
            }
            let sparse_rows: Vec<(u32, usize)> = net
                .sparse_index
                .iter()
                .map(|(&k, &r)| (k, r as usize))
                .collect();
            t.fill(&sparse_rows, |row, &r| {
                row.sparse_scale = *scales.get(r)?;
                row.sparse[..sd].copy_from_slice(q.get(r * sd..(r + 1) * sd)?);
                Some(())
            })?;
        }
        Some(t)
    }

    /// Sets the row of each key of `items` with `set` (inserting it), prefetching the slots
    /// of the keys [`PREFETCH_AHEAD`] places ahead; `None` as soon as `set` gives `None`.
    fn fill<T>(
        &mut self,
        items: &[(u32, T)],
        mut set: impl FnMut(&mut MergedRow, &T) -> Option<()>,
    ) -> Option<()> {
        for (i, (key, item)) in items.iter().enumerate() {
            if let Some((ahead, _)) = items.get(i + PREFETCH_AHEAD) {
                self.prefetch(*ahead);
            }
            set(self.row_mut(*key), item)?;
        }
        Some(())
    }

    /// An empty table with room for `n` keys.
    pub(crate) fn with_capacity(n: usize, scale1: f32, scale2: f32) -> MergedTable {
        let bits = (2 * n.max(1)).next_power_of_two().trailing_zeros().max(4);
        MergedTable {
            slots: vec![MergedRow::empty(FREE_KEY); 1 << bits],
            len: 0,
            free_key_row: None,
            shift: 64 - bits,
            scale1,
            scale2,
            id: crate::features::cache::next_id(),
        }
    }

    /// The row of `key`, inserted (all zeros) if absent.
    pub(crate) fn row_mut(&mut self, key: u32) -> &mut MergedRow {
        if key == FREE_KEY {
            return self.free_key_row.get_or_insert(MergedRow::empty(key));
        }
        if 2 * (self.len + 1) > self.slots.len() {
            // Keep it at most half full: double and re-insert.
            let old = std::mem::take(&mut self.slots);
            *self = MergedTable {
                free_key_row: self.free_key_row.take(),
                ..MergedTable::with_capacity(old.len(), self.scale1, self.scale2)
            };
            for r in old.into_iter().filter(|r| r.key != FREE_KEY) {
                *self.row_mut(r.key) = r;
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        while self.slots[i].key != key {
            if self.slots[i].key == FREE_KEY {
                self.slots[i].key = key;
                self.len += 1;
                break;
            }
            i = (i + 1) & mask;
        }
        &mut self.slots[i]
    }

    #[inline]
    fn slot(&self, key: u32) -> usize {
        (row_hash(key) >> self.shift) as usize
    }

    #[inline]
    pub(crate) fn get(&self, key: u32) -> Option<&MergedRow> {
        if key == FREE_KEY {
            return self.free_key_row.as_ref();
        }
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.slot(key) & mask;
        loop {
            let r = self.slots.get(i)?;
            if r.key == key {
                return Some(r);
            }
            if r.key == FREE_KEY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Asks the CPU to start loading the first slot of `key` (a hint; no effect on
    /// results).
    #[inline]
    pub(crate) fn prefetch(&self, key: u32) {
        if let Some(r) = self.slots.get(self.slot(key)) {
            prefetch(r);
        }
    }

    /// Adds a row's second-pass scores into `e2` and the network's sparse row into `sums`
    /// (`sparse_dim` wide, empty: not wanted); the first pass sums its rows as [`Sums`].
    #[inline]
    pub(crate) fn add(&self, r: &MergedRow, e2: &mut [f32; NUM_TAGS], sums: &mut [f32]) {
        for (v, &q) in e2.iter_mut().zip(&r.pass2) {
            *v += q as f32 * self.scale2;
        }
        if r.sparse_scale != 0.0 {
            for (v, &q) in sums.iter_mut().zip(&r.sparse) {
                *v += q as f32 * r.sparse_scale;
            }
        }
    }

    /// Scores of summed rows: `(first pass, second pass)`.
    #[inline]
    pub(crate) fn scores(&self, s: &Sums) -> ([f32; NUM_TAGS], [f32; NUM_TAGS]) {
        let (mut e1, mut e2) = ([0f32; NUM_TAGS], [0f32; NUM_TAGS]);
        for t in 0..NUM_TAGS {
            e1[t] = s.pass1[t] as f32 * self.scale1;
            e2[t] = s.pass2[t] as f32 * self.scale2;
        }
        (e1, e2)
    }
}

/// Rows of [`MergedTable`] summed over a group of keys: the quantized linear weights as
/// exact integers (scaled once, by [`MergedTable::scores`]), the network's sparse rows in
/// f32.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums {
    pub(crate) pass1: [i32; NUM_TAGS],
    pub(crate) pass2: [i32; NUM_TAGS],
    pub(crate) sparse: [f32; INLINE_SPARSE],
}

impl Sums {
    /// Adds one row.
    #[inline]
    pub(crate) fn add_row(&mut self, r: &MergedRow) {
        for t in 0..NUM_TAGS {
            self.pass1[t] += r.pass1[t] as i32;
            self.pass2[t] += r.pass2[t] as i32;
        }
        if r.sparse_scale != 0.0 {
            for (v, &q) in self.sparse.iter_mut().zip(&r.sparse) {
                *v += q as f32 * r.sparse_scale;
            }
        }
    }

    /// Adds other sums.
    #[inline]
    pub(crate) fn add(&mut self, o: &Sums) {
        for t in 0..NUM_TAGS {
            self.pass1[t] += o.pass1[t];
            self.pass2[t] += o.pass2[t];
        }
        for (v, &x) in self.sparse.iter_mut().zip(&o.sparse) {
            *v += x;
        }
    }
}

/// What a group of feature keys depends on: one token's text, or the sentence boundary
/// before the first token or after the last (see `features::sentence_features_origins`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position<'a> {
    /// A token, by its text.
    Word(&'a str),
    /// Before the first token.
    Start,
    /// After the last token.
    End,
}

impl Position<'_> {
    fn kind(&self) -> u8 {
        match self {
            Position::Word(_) => 0,
            Position::Start => 1,
            Position::End => 2,
        }
    }
    fn text(&self) -> &str {
        match self {
            Position::Word(w) => w,
            _ => "",
        }
    }
}

/// Offsets −2..=2 a word's groups are seen from.
pub(crate) const GROUPS: usize = 5;

/// Most slots of the per-thread memo (direct-mapped, 752 bytes each: 24 MB per thread).
const SUM_SLOTS: usize = 32768;

/// Longest token text (bytes) the memo keeps; longer tokens are always probed.
const TEXT_CAP: usize = 46;

/// One word's groups, inline (no pointer to chase): `groups[d + 2]` sums the keys of
/// origin `d` the word gives the token `d` places before it, valid when bit `d + 2` of
/// `valid` is set.
#[derive(Clone, Copy)]
#[repr(C)]
struct SumSlot {
    owner: (u64, u64),
    kind: u8,
    len: u8,
    valid: u8,
    text: [u8; TEXT_CAP],
    groups: [Sums; GROUPS],
}

const EMPTY_SLOT: SumSlot = SumSlot {
    owner: (0, 0),
    kind: 0,
    len: 0,
    valid: 0,
    text: [0; TEXT_CAP],
    groups: [Sums {
        pass1: [0; NUM_TAGS],
        pass2: [0; NUM_TAGS],
        sparse: [0.0; INLINE_SPARSE],
    }; GROUPS],
};

/// The memo's slots and how many words it stored since it was last sized (see
/// [`crate::features::cache::grown_len`]).
struct SumMemo {
    slots: Vec<SumSlot>,
    stored: usize,
}

thread_local! {
    static WORD_SUMS: std::cell::RefCell<SumMemo> = const {
        std::cell::RefCell::new(SumMemo {
            slots: Vec::new(),
            stored: 0,
        })
    };
}

/// The per-thread memo of word groups' summed rows. Most of a token's ~55 feature keys
/// depend on a single word (the token's own forms, affixes, clusters and statistics; the
/// word, core, shape and cluster of each neighbour): their summed rows are the same
/// wherever the word occurs, so a frequent word's five groups are hashed and probed once
/// and then read from here, and a token only probes its context keys (bigrams,
/// multi-token gazetteer matches). Entries belong to one (table, resources) pair,
/// `owner`; a slot holds one word, found by its exact text.
pub(crate) struct WordSums<'a> {
    memo: std::cell::RefMut<'a, SumMemo>,
    owner: (u64, u64),
}

/// Runs `f` with this thread's memo for `owner` (table id, resources memo id; ids start
/// at 1, so an empty slot's owner (0, 0) is nobody's).
pub(crate) fn with_word_sums<R>(owner: (u64, u64), f: impl FnOnce(&mut WordSums<'_>) -> R) -> R {
    WORD_SUMS.with(|c| {
        let mut memo = c.borrow_mut();
        // Sized here, between sentences: slot indices are kept within one.
        if let Some(n) = crate::features::cache::grown_len(memo.slots.len(), SUM_SLOTS, memo.stored)
        {
            memo.slots = vec![EMPTY_SLOT; n];
            memo.stored = 0;
        }
        f(&mut WordSums { memo, owner })
    })
}

impl WordSums<'_> {
    /// The memo slot of `p`'s text; `None` for a text too long to keep.
    #[inline]
    fn slot_index(&self, p: Position<'_>) -> Option<usize> {
        let text = p.text().as_bytes();
        if text.len() > TEXT_CAP {
            return None;
        }
        let h = crate::features::hash::hash_bytes(0x5_u64 + p.kind() as u64, text);
        Some((h as usize) & (self.memo.slots.len() - 1))
    }

    /// Slot of a position, if it holds that position's word now (`Ok`) or could (`Err`);
    /// `None` for a text too long to keep.
    #[inline]
    pub(crate) fn slot(&self, p: Position<'_>) -> Option<Result<usize, usize>> {
        let i = self.slot_index(p)?;
        let text = p.text().as_bytes();
        let s = &self.memo.slots[i];
        let held = s.owner == self.owner
            && s.kind == p.kind()
            && s.len as usize == text.len()
            && &s.text[..text.len()] == text;
        Some(if held { Ok(i) } else { Err(i) })
    }

    /// Requests from memory the part of the slot of `p` that [`WordSums::slot`] reads (a
    /// hint: no effect on results).
    #[inline]
    pub(crate) fn prefetch_slot(&self, p: Position<'_>) {
        if let Some(i) = self.slot_index(p) {
            prefetch(&self.memo.slots[i]);
            prefetch_next(&self.memo.slots[i], 64);
        }
    }

    /// Requests from memory the groups of slot `i` (a hint: no effect on results).
    #[inline]
    pub(crate) fn prefetch_groups(&self, i: usize) {
        let s = &self.memo.slots[i];
        for off in (64..std::mem::size_of::<SumSlot>()).step_by(64) {
            prefetch_next(s, off);
        }
    }

    /// The group of origin `d` in slot `i` (one [`WordSums::slot`] found holding the
    /// word), if computed.
    #[inline]
    pub(crate) fn get(&self, i: usize, d: i8) -> Option<&Sums> {
        let s = &self.memo.slots[i];
        let b = (d + 2) as usize;
        (s.valid & (1 << b) != 0).then(|| &s.groups[b])
    }

    /// Keeps the group of origin `d` of the word at `p`, evicting whatever word held its
    /// slot.
    pub(crate) fn put(&mut self, p: Position<'_>, d: i8, sums: &Sums) {
        let i = match self.slot(p) {
            None => return,
            Some(Ok(i)) => i,
            Some(Err(i)) => {
                self.memo.stored += 1;
                let text = p.text().as_bytes();
                let s = &mut self.memo.slots[i];
                s.owner = self.owner;
                s.kind = p.kind();
                s.len = text.len() as u8;
                s.text[..text.len()].copy_from_slice(text);
                s.valid = 0;
                i
            }
        };
        let b = (d + 2) as usize;
        let s = &mut self.memo.slots[i];
        s.groups[b] = *sums;
        s.valid |= 1 << b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The merged table finds every key it holds (0, its free-slot marker, included)
        /// with its own row, and no other key.
        #[test]
        fn merged_table_finds_exactly_its_keys(
            keys in proptest::collection::hash_set(proptest::prelude::any::<u32>(), 0..300),
            probes in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..100),
            with_zero in proptest::prelude::any::<bool>(),
        ) {
            let mut keys: Vec<u32> = keys.into_iter().filter(|&k| k != 0).collect();
            if with_zero {
                keys.push(0);
            }
            let row = |k: u32| MergedRow {
                key: k,
                pass1: [(k % 1000) as i16; NUM_TAGS],
                pass2: [0; NUM_TAGS],
                sparse_scale: 0.0,
                sparse: [0; INLINE_SPARSE],
            };
            // Room for a few keys only: the table grows as it fills.
            let mut t = MergedTable::with_capacity(4, 1.0, 1.0);
            for &k in &keys {
                *t.row_mut(k) = row(k);
            }
            for &k in &keys {
                let r = t.get(k);
                proptest::prop_assert_eq!(r.map(|r| (r.key, r.pass1[0])), Some((k, (k % 1000) as i16)));
            }
            for k in probes {
                proptest::prop_assert_eq!(t.get(k).is_some(), keys.contains(&k));
                t.prefetch(k);
            }
        }
    }
}
