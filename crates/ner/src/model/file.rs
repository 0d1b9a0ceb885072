//! The model file: its binary format, written and read.
//!
//! File layout: magic `KHNERMDL`, u32 format version, u32 feature version, u64 payload
//! length, u64 payload hash, then the zlib-compressed payload (all little endian).

use crate::features::clusters::Clusters;
use crate::features::hash::hash_bytes;
use crate::features::lexicon::{Gazetteer, WordStats};
use crate::features::{Dense, MemoKey, Resources, FEATURE_VERSION};
use crate::model::neural::{quantize_row, Layout, NeuralTagger, WordVectors};
use crate::model::viterbi::Transitions;
use crate::model::weights::{Weights, DENSE_W};
use crate::model::{NerModel, NeuralStage};
use crate::tags::NUM_TAGS;
use rustc_hash::FxHashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File magic.
pub const MAGIC: &[u8; 8] = b"KHNERMDL";
/// Current file format version (3 added the neural stage, 4 compresses with zstd instead
/// of zlib: it inflates a 25 MB payload about six times faster; versions 2 and 3 still
/// load).
pub const FORMAT_VERSION: u32 = 4;

pub(super) const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8;

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

impl NerModel {
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

        let z = zstd::bulk::compress(&p, 19).expect("compressing in memory");
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
        if fv >= 4 {
            zstd::stream::read::Decoder::with_buffer(z)
                .and_then(|mut d| d.read_to_end(&mut p))
                .map_err(|e| corrupt(&format!("decompression failed: {e}")))?;
        } else {
            flate2::read::ZlibDecoder::new(z)
                .read_to_end(&mut p)
                .map_err(|e| corrupt(&format!("decompression failed: {e}")))?;
        }
        let mut model = parse_payload(&p, fv).map_err(|d| corrupt(&d))?;
        // Freed before the merged table is built: the table and the inflated payload
        // together were the load's high-water mark.
        drop(p);
        model.rebuild_merged();
        Ok(model)
    }
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
        aux_head: 0,
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

pub(super) fn parse_payload(b: &[u8], format: u32) -> Result<NerModel, String> {
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
        skipped: 0,
        merged: None,
    };
    // The merged tagging table is built by the caller once the payload is freed.
    model.neural = neural;
    Ok(model)
}
