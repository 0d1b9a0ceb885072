//! Tagging-time forward pass of the network: the same arithmetic as the training forward,
//! arranged for speed. The part of the LSTM input that depends only on the word (its
//! vector and character CNN, projected onto both directions' gates) is cached per thread
//! (keyed by the raw token on the tagger's path, so cached words need no normalized
//! strings), and the loops are compiled twice: for AVX2 with fused multiply-adds where the
//! CPU has both, and for plain SSE2.

#![allow(clippy::needless_range_loop)] // parallel arrays per position, as in the parent

use super::{axpy, dot, fast_tanh, sigmoid, NeuralInput, NeuralTagger};
use crate::features::cache::prefetch;
use crate::tags::NUM_TAGS;
use std::cell::RefCell;

/// Most cached word projections per thread (direct-mapped slots).
const CACHE_SLOTS: usize = 65536;

/// Most vector rows whose part of the projection is cached per thread (direct-mapped).
const VEC_SLOTS: usize = 16384;

struct Slot {
    net: u64,
    /// Whether `word` is a raw token (0: a normalized word; see [`Words`]).
    raw: bool,
    word: String,
    /// `2 × 4h` gate pre-activations contributed by the word's vector and characters.
    proj: Vec<f32>,
}

#[derive(Default)]
struct Cache {
    slots: Vec<Option<Slot>>,
    /// Projections computed since `slots` was last sized ([`crate::features::cache::grown_len`]).
    stored: usize,
    /// Buffers of [`NeuralTagger::word_projection`].
    words: WordScratch,
    /// Scratch buffers reused across sentences.
    pre: Vec<f32>,
    hs: Vec<f32>,
    ssum: Vec<f32>,
    c: Vec<f32>,
    hprev: Vec<f32>,
    out_rows: Vec<f32>,
    /// Slot of each token of the sentence.
    at: Vec<usize>,
}

/// What computing a word's projection needs besides the network, reused across words.
#[derive(Default)]
struct WordScratch {
    /// Network the two tables below are for (0: none yet; ids start at 1).
    net: u64,
    /// The character convolution's weights transposed (`[input][filter]`), so that a
    /// window's filters are one matrix-vector product.
    conv_t: Vec<f32>,
    ids: Vec<u16>,
    /// Vector part of the projection per vector row (see `vector_part`): direct-mapped
    /// slots, `vec_row[k]` = the row held + 1 (0: none).
    vec_row: Vec<u32>,
    vec_proj: Vec<f32>,
    /// Vector parts computed since the slots were last sized ([`crate::features::cache::grown_len`]).
    vec_stored: usize,
    x: Vec<f32>,
    win: Vec<f32>,
    conv: Vec<f32>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// `out += W x` for a column-major `W` (`x.len()` columns of `out.len()` rows), a block of
/// rows at a time held in a local accumulator so they stay in registers across the
/// columns (an axpy per column would load and store `out` once per column).
/// With `FMA` each step is one fused multiply-add (one rounding instead of two): only
/// for code compiled with the `fma` target feature, where `mul_add` is one instruction.
/// There blocks are 64 rows (eight 8-wide registers): the adds of one row form a chain
/// as long as `x`, and eight independent chains keep both FMA units busy where four
/// (32 rows) waited on the FMA latency — the LSTM's recurrence runs on such chains.
/// Each row still adds its columns in order, so the block size does not change results.
#[inline(always)]
fn gemv_blocked<const FMA: bool>(out: &mut [f32], w: &[f32], x: &[f32]) {
    let rows = out.len();
    let mut r0 = 0;
    if FMA {
        r0 = gemv_rows::<FMA, 64>(out, w, x, r0);
    }
    r0 = gemv_rows::<FMA, 32>(out, w, x, r0);
    if r0 < rows {
        for (j, &xj) in x.iter().enumerate() {
            axpy(&mut out[r0..], xj, &w[j * rows + r0..(j + 1) * rows]);
        }
    }
}

/// [`gemv_blocked`] for the blocks of `B` rows from `r0` on; returns where they end.
#[inline(always)]
fn gemv_rows<const FMA: bool, const B: usize>(
    out: &mut [f32],
    w: &[f32],
    x: &[f32],
    mut r0: usize,
) -> usize {
    let rows = out.len();
    while r0 + B <= rows {
        let mut acc = [0f32; B];
        acc.copy_from_slice(&out[r0..r0 + B]);
        for (j, &xj) in x.iter().enumerate() {
            let col = &w[j * rows + r0..j * rows + r0 + B];
            for k in 0..B {
                acc[k] = if FMA {
                    xj.mul_add(col[k], acc[k])
                } else {
                    acc[k] + xj * col[k]
                };
            }
        }
        out[r0..r0 + B].copy_from_slice(&acc);
        r0 += B;
    }
    r0
}

/// One LSTM step's cell and output from its gate pre-activations `z` (`[i f g o]`, `h`
/// each, overwritten): `c = σ(f)·c + σ(i)·tanh(g)`, `out = σ(o)·tanh(c)`. As separate
/// element-wise loops, which the compiler vectorizes (one loop over the four gates per
/// unit stayed scalar); each unit sees the same operations in the same order.
#[inline(always)]
fn lstm_cell(z: &mut [f32], c: &mut [f32], out: &mut [f32]) {
    let h = c.len();
    let (ifg, rest) = z.split_at_mut(2 * h);
    let (zg, zo) = rest.split_at_mut(h);
    ifg.iter_mut().for_each(|v| *v = sigmoid(*v));
    zg.iter_mut().for_each(|v| *v = fast_tanh(*v));
    zo.iter_mut().for_each(|v| *v = sigmoid(*v));
    let (zi, zf) = ifg.split_at(h);
    for (((c, &i), &f), &g) in c.iter_mut().zip(zi).zip(&zf[..h]).zip(&*zg) {
        *c = f * *c + i * g;
    }
    for ((out, &c), &o) in out.iter_mut().zip(&*c).zip(&*zo) {
        *out = o * fast_tanh(c);
    }
}

/// Slot of a word in a projection cache of `len` slots.
fn slot_of(word: &str, raw: bool, len: usize) -> usize {
    (crate::features::hash::hash_str(0x5107 + raw as u64, word) as usize) & (len - 1)
}

/// Where the forward pass gets each token's word: a [`NeuralInput`]'s normalized words
/// and cores, or raw tokens, normalized only when their projection is not cached (the
/// tagger's path: no strings are built for the common, cached words).
#[derive(Clone, Copy)]
enum Words<'a> {
    Input(&'a NeuralInput),
    Tokens(&'a [&'a str]),
}

impl Words<'_> {
    fn len(&self) -> usize {
        match self {
            Words::Input(inp) => inp.len(),
            Words::Tokens(t) => t.len(),
        }
    }
}

impl NeuralTagger {
    /// Gate pre-activations from the word's vector and character CNN, both directions.
    #[inline(always)] // into the AVX2 build of the forward pass
    fn word_projection<const FMA: bool>(
        &self,
        word: &str,
        core: &str,
        out: &mut Vec<f32>,
        ws: &mut WordScratch,
    ) {
        let lay = &self.lay;
        let (h, d, nf, w0, e) = (lay.h, lay.d, lay.nf, lay.w0, lay.e);
        let g4 = 4 * h;
        if ws.net != self.id {
            self.ready_scratch(ws);
        }
        out.clear();
        out.resize(2 * g4, 0.0);
        ws.x.clear();
        ws.x.resize(e + nf, 0.0);
        // The vector's columns first (each row adds its columns in order, so splitting
        // the product at the vector's end changes nothing). A word without a vector
        // skips them: zeros times the weights leave the rows at +0, as they start.
        if let Some(r) = self.vectors.row_of(word, core) {
            self.vector_part::<FMA>(r, out, ws);
        }
        self.char_ids_into(word, &mut ws.ids);
        self.char_cnn_fast::<FMA>(ws);
        for dir in 0..2 {
            let wx = &self.dense[lay.wx[dir]..lay.wx[dir] + g4 * d];
            let o = &mut out[dir * g4..(dir + 1) * g4];
            gemv_blocked::<FMA>(o, &wx[(w0 + e) * g4..(w0 + e + nf) * g4], &ws.x[e..]);
        }
    }

    /// Readies `ws` for this network (once per network per thread): its transposed
    /// convolution weights, and an empty cache of vector parts.
    #[cold]
    fn ready_scratch(&self, ws: &mut WordScratch) {
        let lay = &self.lay;
        let (nf, width) = (lay.nf, lay.cw * lay.cd);
        let cwt = &self.dense[lay.conv_w..lay.conv_w + nf * width];
        ws.conv_t.clear();
        ws.conv_t.resize(width * nf, 0.0);
        for f in 0..nf {
            for j in 0..width {
                ws.conv_t[j * nf + f] = cwt[f * width + j];
            }
        }
        ws.vec_row = Vec::new();
        ws.vec_stored = 0;
        Self::size_vector_slots(ws, lay.h);
        ws.net = self.id;
    }

    /// Gives the cache of vector parts its first size, or a larger one when it is full
    /// (emptied; see [`crate::features::cache::grown_len`]).
    #[inline(always)]
    fn size_vector_slots(ws: &mut WordScratch, h: usize) {
        if let Some(n) =
            crate::features::cache::grown_len(ws.vec_row.len(), VEC_SLOTS, ws.vec_stored)
        {
            ws.vec_row = vec![0; n];
            ws.vec_proj = vec![0.0; n * 2 * 4 * h];
            ws.vec_stored = 0;
        }
    }

    /// The vector columns' part of the word projection for vector row `r` into `out`
    /// (zeros before), through the per-thread cache of it by row: words that miss the
    /// projection cache are often another form (clitics, spelling) of a word whose vector
    /// row is already projected.
    #[inline(always)]
    fn vector_part<const FMA: bool>(&self, r: usize, out: &mut [f32], ws: &mut WordScratch) {
        let lay = &self.lay;
        let (g4, d, w0, e) = (4 * lay.h, lay.d, lay.w0, lay.e);
        Self::size_vector_slots(ws, lay.h);
        let k = r & (ws.vec_row.len() - 1);
        let held = &mut ws.vec_proj[k * 2 * g4..(k + 1) * 2 * g4];
        if ws.vec_row[k] as usize != r + 1 {
            if !self.vectors.values_into(r, &mut ws.x[..e]) {
                return;
            }
            ws.vec_stored += 1;
            held.fill(0.0);
            for dir in 0..2 {
                let wx = &self.dense[lay.wx[dir]..lay.wx[dir] + g4 * d];
                let o = &mut held[dir * g4..(dir + 1) * g4];
                gemv_blocked::<FMA>(o, &wx[w0 * g4..(w0 + e) * g4], &ws.x[..e]);
            }
            ws.vec_row[k] = r as u32 + 1;
        }
        out.copy_from_slice(held);
    }

    /// The character CNN of `ws.ids` into `ws.x[e..]`: what `char_cnn` computes, each
    /// window's filters as one blocked matrix-vector product over the transposed weights
    /// instead of one dot product per filter (equal to rounding: the sums run in another
    /// order).
    #[inline(always)]
    fn char_cnn_fast<const FMA: bool>(&self, ws: &mut WordScratch) {
        let lay = &self.lay;
        let (nf, cd, cw, e) = (lay.nf, lay.cd, lay.cw, lay.e);
        let width = cw * cd;
        let ce = &self.dense[lay.char_emb..];
        let cb = &self.dense[lay.conv_b..lay.conv_b + nf];
        let best = &mut ws.x[e..e + nf];
        best.iter_mut().for_each(|b| *b = f32::NEG_INFINITY);
        ws.win.clear();
        ws.win.resize(width, 0.0);
        ws.conv.clear();
        ws.conv.resize(nf, 0.0);
        for p in 0..ws.ids.len() + 1 - cw {
            for k in 0..cw {
                let c = ws.ids[p + k] as usize;
                ws.win[k * cd..(k + 1) * cd].copy_from_slice(&ce[c * cd..(c + 1) * cd]);
            }
            ws.conv.copy_from_slice(cb);
            gemv_blocked::<FMA>(&mut ws.conv, &ws.conv_t, &ws.win);
            for (b, &v) in best.iter_mut().zip(&ws.conv) {
                if v > *b {
                    *b = v;
                }
            }
        }
        for b in best.iter_mut() {
            *b = fast_tanh(*b);
        }
    }

    /// Emission scores without dropout; equal (to rounding) to the training forward's.
    pub(crate) fn emissions_fast(&self, inp: &NeuralInput) -> Vec<[f32; NUM_TAGS]> {
        self.dispatch(Words::Input(inp), &inp.scores, None)
    }

    /// [`NeuralTagger::emissions_fast`] from raw tokens, the linear scores (read only by a
    /// network trained with them) and the sparse rows of each token already summed by
    /// the caller (`sums`: `n × sparse_dim`).
    pub(crate) fn emissions_from_sums(
        &self,
        tokens: &[&str],
        scores: &[[f32; NUM_TAGS]],
        sums: &[f32],
    ) -> Vec<[f32; NUM_TAGS]> {
        self.dispatch(Words::Tokens(tokens), scores, Some(sums))
    }

    fn dispatch(
        &self,
        words: Words<'_>,
        scores: &[[f32; NUM_TAGS]],
        sums: Option<&[f32]>,
    ) -> Vec<[f32; NUM_TAGS]> {
        if words.len() == 0 {
            return Vec::new();
        }
        // The cache is borrowed here, outside the AVX2 function: code inside a closure
        // passed to `LocalKey::with` is compiled as its own function, without the
        // caller's target features (it ran on SSE2 until this was noticed).
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                    return unsafe { self.emissions_avx2(words, scores, sums, &mut c) };
                }
            }
            self.emissions_cached::<false>(words, scores, sums, &mut c)
        })
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn emissions_avx2(
        &self,
        words: Words<'_>,
        scores: &[[f32; NUM_TAGS]],
        sums: Option<&[f32]>,
        cache: &mut Cache,
    ) -> Vec<[f32; NUM_TAGS]> {
        self.emissions_cached::<true>(words, scores, sums, cache)
    }

    #[inline(always)]
    fn emissions_cached<const FMA: bool>(
        &self,
        words: Words<'_>,
        scores: &[[f32; NUM_TAGS]],
        sums: Option<&[f32]>,
        cache: &mut Cache,
    ) -> Vec<[f32; NUM_TAGS]> {
        let lay = &self.lay;
        let (h, d, s) = (lay.h, lay.d, lay.s);
        let g4 = 4 * h;
        let n = words.len();
        // Sized here, between sentences: slot indices are kept within one.
        if let Some(n) =
            crate::features::cache::grown_len(cache.slots.len(), CACHE_SLOTS, cache.stored)
        {
            cache.slots = Vec::new();
            cache.slots.resize_with(n, || None);
            cache.stored = 0;
        }
        // Gate pre-activations of every token, both directions: bias + word part + sparse.
        let mut pre = std::mem::take(&mut cache.pre);
        pre.clear();
        pre.resize(n * 2 * g4, 0.0);
        // Context part of the input: summed sparse rows, then the linear scores.
        let mut ssum = std::mem::take(&mut cache.ssum);
        ssum.clear();
        ssum.resize(lay.w0, 0.0);
        let word_of = |t: usize| match words {
            Words::Input(inp) => (inp.words[t].as_str(), false),
            Words::Tokens(toks) => (toks[t], true),
        };
        // The sentence's slots, their words and projections are requested from memory
        // before any is read, so that their (mostly cache-missing) loads overlap.
        let mut at = std::mem::take(&mut cache.at);
        at.clear();
        for t in 0..n {
            let (word, raw) = word_of(t);
            let k = slot_of(word, raw, cache.slots.len());
            prefetch(&cache.slots[k]);
            at.push(k);
        }
        for &k in &at {
            if let Some(sl) = &cache.slots[k] {
                if let (Some(w), Some(p)) = (sl.word.as_bytes().first(), sl.proj.first()) {
                    prefetch(w);
                    prefetch(p);
                }
            }
        }
        for t in 0..n {
            let (word, raw) = word_of(t);
            let k = at[t];
            // An empty slot gets buffers; an evicted word's are reused.
            let sl = cache.slots[k].get_or_insert_with(|| Slot {
                net: 0,
                raw,
                word: String::new(),
                proj: Vec::new(),
            });
            if !(sl.net == self.id && sl.raw == raw && sl.word == word) {
                cache.stored += 1;
                (sl.net, sl.raw) = (self.id, raw);
                sl.word.clear();
                sl.word.push_str(word);
                let ws = &mut cache.words;
                match words {
                    Words::Input(inp) => {
                        self.word_projection::<FMA>(word, inp.core_of(t), &mut sl.proj, ws)
                    }
                    Words::Tokens(_) => {
                        let norm = crate::features::norm_word(word);
                        let core = crate::features::text::split_clitics(&norm).core;
                        self.word_projection::<FMA>(&norm, &core, &mut sl.proj, ws)
                    }
                }
            }
            let sl = &*sl;
            ssum.iter_mut().for_each(|v| *v = 0.0);
            match (sums.and_then(|v| v.get(t * s..(t + 1) * s)), words) {
                (Some(given), _) => ssum[..s].copy_from_slice(given),
                (None, Words::Tokens(_)) => {}
                (None, Words::Input(inp)) => {
                    for k in inp.keys_of(t) {
                        if let Some(&r) = self.sparse_index.get(k) {
                            let r = r as usize;
                            axpy(&mut ssum[..s], 1.0, &self.sparse[r * s..(r + 1) * s]);
                        }
                    }
                }
            }
            if lay.q > 0 {
                if let Some(sc) = scores.get(t) {
                    for (v, &y) in ssum[s..].iter_mut().zip(sc) {
                        *v = y * self.score_scale;
                    }
                }
            }
            for dir in 0..2 {
                let wx = &self.dense[lay.wx[dir]..lay.wx[dir] + g4 * d];
                let b = &self.dense[lay.b[dir]..lay.b[dir] + g4];
                let o = &mut pre[(t * 2 + dir) * g4..(t * 2 + dir + 1) * g4];
                // Word part + bias in one pass (what copying it and adding the bias gave).
                for ((o, &p), &b) in o.iter_mut().zip(&sl.proj[dir * g4..]).zip(b) {
                    *o = p + b;
                }
                gemv_blocked::<FMA>(o, &wx[..ssum.len() * g4], &ssum);
            }
        }
        // Recurrences.
        let mut hs = std::mem::take(&mut cache.hs);
        hs.clear();
        hs.resize(n * 2 * h, 0.0);
        let mut c = std::mem::take(&mut cache.c);
        c.clear();
        c.resize(h, 0.0);
        let mut hprev = std::mem::take(&mut cache.hprev);
        hprev.clear();
        hprev.resize(h, 0.0);
        for dir in 0..2 {
            let wh = &self.dense[lay.wh[dir]..lay.wh[dir] + g4 * h];
            c.iter_mut().for_each(|v| *v = 0.0);
            hprev.iter_mut().for_each(|v| *v = 0.0);
            for step in 0..n {
                let t = if dir == 0 { step } else { n - 1 - step };
                // In place: each token's pre-activations are read once.
                let z = &mut pre[(t * 2 + dir) * g4..(t * 2 + dir + 1) * g4];
                gemv_blocked::<FMA>(z, wh, &hprev);
                let out = &mut hs[t * 2 * h + dir * h..t * 2 * h + (dir + 1) * h];
                lstm_cell(z, &mut c, out);
                hprev.copy_from_slice(out);
            }
        }
        // Output layer: rows of the (column-major) output matrix, once per sentence.
        let ow = &self.dense[lay.out_w..lay.out_w + NUM_TAGS * 2 * h];
        let ob = &self.dense[lay.out_b..lay.out_b + NUM_TAGS];
        let mut rows = std::mem::take(&mut cache.out_rows);
        rows.clear();
        rows.extend((0..NUM_TAGS).flat_map(|tag| (0..2 * h).map(move |j| ow[j * NUM_TAGS + tag])));
        let em = (0..n)
            .map(|t| {
                let hc = &hs[t * 2 * h..(t + 1) * 2 * h];
                std::array::from_fn(|tag| ob[tag] + dot(&rows[tag * 2 * h..(tag + 1) * 2 * h], hc))
            })
            .collect();
        cache.pre = pre;
        cache.hs = hs;
        cache.ssum = ssum;
        cache.c = c;
        cache.hprev = hprev;
        cache.out_rows = rows;
        cache.at = at;
        em
    }
}
