//! Word clusters from unlabeled news: skip-gram embeddings (negative sampling), then
//! k-means into 1024 clusters, then the centroids into 256 and 64 (nested levels).
//! Single-threaded and deterministic for a given seed.

use crate::features::clusters::Clusters;
use crate::features::hash::word_key;
use crate::features::hash::Rng;
use crate::features::text::{normalize, simple_tokens};
use crate::train::news::for_each_news_article;
use rustc_hash::FxHashMap;
use std::io::{Read, Write};
use std::path::Path;

/// Options for embedding training and clustering.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Embedding dimension.
    pub dim: usize,
    /// Maximum context window (sampled uniformly per position, as in word2vec).
    pub window: usize,
    /// Negative samples per pair.
    pub negative: usize,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Minimum count of a word to get a vector and a cluster.
    pub min_count: u32,
    /// Keep at most this many most frequent words.
    pub max_vocab: usize,
    /// Frequent-word subsampling threshold.
    pub sample: f64,
    /// Initial learning rate.
    pub lr: f32,
    /// Fine cluster count (mid = fine/4, coarse = fine/16).
    pub k: usize,
    /// k-means iterations.
    pub kmeans_iters: usize,
    /// Seed.
    pub seed: u64,
    /// Read at most this many articles per file (0 = all).
    pub max_articles: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            dim: 100,
            window: 5,
            negative: 5,
            epochs: 3,
            min_count: 5,
            max_vocab: 200_000,
            sample: 1e-4,
            lr: 0.025,
            k: 1024,
            kmeans_iters: 12,
            seed: 7,
            max_articles: 0,
        }
    }
}

/// Corpus of word ids (articles separated by `u32::MAX`) and the vocabulary.
pub struct Corpus {
    /// Word ids; `u32::MAX` separates articles.
    pub ids: Vec<u32>,
    /// Words, most frequent first.
    pub words: Vec<String>,
    /// Counts, aligned with `words`.
    pub counts: Vec<u64>,
}

/// Reads `title` and `body` of JSONL(.gz) news files into a normalized token corpus.
pub fn read_corpus(
    paths: &[&Path],
    opts: &ClusterOptions,
    log: &mut dyn FnMut(&str),
) -> std::io::Result<Corpus> {
    let mut vocab: FxHashMap<String, u32> = FxHashMap::default();
    let mut counts: Vec<u64> = Vec::new();
    let mut raw: Vec<u32> = Vec::new();
    for path in paths {
        let n = for_each_news_article(path, opts.max_articles, |texts| {
            for t in texts {
                for tok in simple_tokens(t) {
                    let w = normalize(tok);
                    if w.is_empty() {
                        continue;
                    }
                    let id = match vocab.get(&w) {
                        Some(&id) => id,
                        None => {
                            let id = counts.len() as u32;
                            vocab.insert(w, id);
                            counts.push(0);
                            id
                        }
                    };
                    counts[id as usize] += 1;
                    raw.push(id);
                }
            }
            raw.push(u32::MAX);
        })?;
        log(&format!("{}: {n} articles", path.display()));
    }
    let mut words: Vec<(String, u32)> = vocab.into_iter().collect();
    words.sort_by(|a, b| {
        counts[b.1 as usize]
            .cmp(&counts[a.1 as usize])
            .then(a.0.cmp(&b.0))
    });
    words.retain(|w| counts[w.1 as usize] >= opts.min_count as u64);
    words.truncate(opts.max_vocab);
    let mut remap = vec![u32::MAX; counts.len()];
    for (new, (_, old)) in words.iter().enumerate() {
        remap[*old as usize] = new as u32;
    }
    let mut ids = Vec::with_capacity(raw.len());
    for &r in &raw {
        if r == u32::MAX {
            if ids.last() != Some(&u32::MAX) {
                ids.push(u32::MAX);
            }
        } else if remap[r as usize] != u32::MAX {
            ids.push(remap[r as usize]);
        }
    }
    let out_counts = words.iter().map(|w| counts[w.1 as usize]).collect();
    log(&format!(
        "{} tokens, {} kept in vocabulary of {} words",
        raw.len(),
        ids.len(),
        words.len()
    ));
    Ok(Corpus {
        ids,
        words: words.into_iter().map(|w| w.0).collect(),
        counts: out_counts,
    })
}

/// Trains skip-gram embeddings with negative sampling; returns row-major `vocab × dim`.
pub fn train_embeddings(c: &Corpus, opts: &ClusterOptions, log: &mut dyn FnMut(&str)) -> Vec<f32> {
    let v = c.words.len();
    let d = opts.dim;
    let mut rng = Rng(opts.seed);
    let mut syn0: Vec<f32> = (0..v * d).map(|_| (rng.unit() - 0.5) / d as f32).collect();
    let mut syn1 = vec![0f32; v * d];
    // Unigram^0.75 table for negatives.
    let table_size = 10_000_000usize;
    let pow: Vec<f64> = c.counts.iter().map(|&n| (n as f64).powf(0.75)).collect();
    let total: f64 = pow.iter().sum();
    let mut table = Vec::with_capacity(table_size);
    let mut cum = 0.0;
    let mut w = 0usize;
    for i in 0..table_size {
        let target = (i as f64 + 0.5) / table_size as f64;
        while w + 1 < v && cum + pow[w] / total < target {
            cum += pow[w] / total;
            w += 1;
        }
        table.push(w as u32);
    }
    let total_words: u64 = c.counts.iter().sum();
    let keep: Vec<f32> = c
        .counts
        .iter()
        .map(|&n| {
            let f = n as f64 / total_words as f64;
            let t = opts.sample;
            (((f / t).sqrt() + 1.0) * t / f).min(1.0) as f32
        })
        .collect();
    let total_steps = (c.ids.len() * opts.epochs) as f64;
    let mut step = 0usize;
    let mut grad = vec![0f32; d];
    let mut sent: Vec<u32> = Vec::with_capacity(1024);
    for epoch in 0..opts.epochs {
        let t0 = std::time::Instant::now();
        let mut pos = 0usize;
        while pos < c.ids.len() {
            // Next article (or 1000-word chunk), subsampled.
            sent.clear();
            while pos < c.ids.len() && sent.len() < 1000 {
                let id = c.ids[pos];
                pos += 1;
                step += 1;
                if id == u32::MAX {
                    break;
                }
                if keep[id as usize] >= 1.0 || rng.unit() < keep[id as usize] {
                    sent.push(id);
                }
            }
            let lr =
                (opts.lr * (1.0 - step as f64 / (total_steps + 1.0)) as f32).max(opts.lr * 1e-4);
            for i in 0..sent.len() {
                let b = (rng.next() % opts.window as u64) as usize;
                let lo = i.saturating_sub(opts.window - b);
                let hi = (i + opts.window - b + 1).min(sent.len());
                for j in lo..hi {
                    if j == i {
                        continue;
                    }
                    let ctx = sent[j] as usize;
                    let l1 = ctx * d;
                    grad.iter_mut().for_each(|g| *g = 0.0);
                    for k in 0..=opts.negative {
                        let (target, label) = if k == 0 {
                            (sent[i] as usize, 1.0f32)
                        } else {
                            let t = table[(rng.next() % table_size as u64) as usize] as usize;
                            if t == sent[i] as usize {
                                continue;
                            }
                            (t, 0.0)
                        };
                        let l2 = target * d;
                        let a = &syn0[l1..l1 + d];
                        let o = &mut syn1[l2..l2 + d];
                        let dot: f32 = a.iter().zip(o.iter()).map(|(x, y)| x * y).sum();
                        let sig = if dot > 6.0 {
                            1.0
                        } else if dot < -6.0 {
                            0.0
                        } else {
                            1.0 / (1.0 + (-dot).exp())
                        };
                        let g = (label - sig) * lr;
                        for (gr, &y) in grad.iter_mut().zip(o.iter()) {
                            *gr += g * y;
                        }
                        for (y, &x) in o.iter_mut().zip(a.iter()) {
                            *y += g * x;
                        }
                    }
                    for (x, g) in syn0[l1..l1 + d].iter_mut().zip(&grad) {
                        *x += g;
                    }
                }
            }
        }
        log(&format!(
            "embeddings: epoch {}/{} done in {:.1}s",
            epoch + 1,
            opts.epochs,
            t0.elapsed().as_secs_f64()
        ));
    }
    syn0
}

/// Writes embeddings: u32 count, u32 dim, then per word a u16 byte length, the UTF-8
/// word, its u64 count and `dim` f32 values.
pub fn save_embeddings(c: &Corpus, emb: &[f32], dim: usize, path: &Path) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(&(c.words.len() as u32).to_le_bytes())?;
    w.write_all(&(dim as u32).to_le_bytes())?;
    for (i, word) in c.words.iter().enumerate() {
        w.write_all(&(word.len() as u16).to_le_bytes())?;
        w.write_all(word.as_bytes())?;
        w.write_all(&c.counts[i].to_le_bytes())?;
        for v in &emb[i * dim..(i + 1) * dim] {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    w.flush()
}

/// Embeddings as read from disk: (words, counts, dim, row-major vectors).
pub type Embeddings = (Vec<String>, Vec<u64>, usize, Vec<f32>);

/// Reads embeddings written by [`save_embeddings`].
pub fn load_embeddings(path: &Path) -> std::io::Result<Embeddings> {
    let b = std::fs::read(path)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "bad embeddings file");
    let get = |o: usize, n: usize| b.get(o..o + n).ok_or_else(bad);
    let n = u32::from_le_bytes(get(0, 4)?.try_into().unwrap()) as usize;
    let dim = u32::from_le_bytes(get(4, 4)?.try_into().unwrap()) as usize;
    let mut o = 8;
    let (mut words, mut counts, mut vecs) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n * dim),
    );
    for _ in 0..n {
        let l = u16::from_le_bytes(get(o, 2)?.try_into().unwrap()) as usize;
        o += 2;
        words.push(String::from_utf8_lossy(get(o, l)?).into_owned());
        o += l;
        counts.push(u64::from_le_bytes(get(o, 8)?.try_into().unwrap()));
        o += 8;
        for ch in get(o, 4 * dim)?.chunks_exact(4) {
            vecs.push(f32::from_le_bytes(ch.try_into().unwrap()));
        }
        o += 4 * dim;
    }
    Ok((words, counts, dim, vecs))
}

/// Scales each row of a row-major matrix (width `d`) to unit length.
pub fn normalize_rows(m: &mut [f32], d: usize) {
    for row in m.chunks_exact_mut(d) {
        let n = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            row.iter_mut().for_each(|x| *x /= n);
        }
    }
}

/// Weighted spherical k-means; returns assignments and centroids.
fn kmeans(
    x: &[f32],
    weights: &[f32],
    d: usize,
    k: usize,
    iters: usize,
    seed: u64,
) -> (Vec<u16>, Vec<f32>) {
    let n = x.len() / d;
    let k = k.min(n).max(1);
    let mut rng = Rng(seed);
    // Distinct random initial centroids.
    let mut picked = rustc_hash::FxHashSet::default();
    let mut cent = Vec::with_capacity(k * d);
    while picked.len() < k {
        let i = (rng.next() % n as u64) as usize;
        if picked.insert(i) {
            cent.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
    }
    let mut assign = vec![0u16; n];
    for _ in 0..iters {
        for i in 0..n {
            let row = &x[i * d..(i + 1) * d];
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0;
            for (c, cr) in cent.chunks_exact(d).enumerate() {
                let s: f32 = row.iter().zip(cr).map(|(a, b)| a * b).sum();
                if s > best {
                    best = s;
                    arg = c;
                }
            }
            assign[i] = arg as u16;
        }
        let mut sum = vec![0f32; k * d];
        let mut cnt = vec![0f32; k];
        for i in 0..n {
            let c = assign[i] as usize;
            cnt[c] += weights[i];
            for (s, v) in sum[c * d..(c + 1) * d]
                .iter_mut()
                .zip(&x[i * d..(i + 1) * d])
            {
                *s += weights[i] * v;
            }
        }
        for c in 0..k {
            if cnt[c] > 0.0 {
                cent[c * d..(c + 1) * d].copy_from_slice(&sum[c * d..(c + 1) * d]);
            } else {
                // Re-seed an empty cluster with a random point.
                let i = (rng.next() % n as u64) as usize;
                cent[c * d..(c + 1) * d].copy_from_slice(&x[i * d..(i + 1) * d]);
            }
        }
        normalize_rows(&mut cent, d);
    }
    (assign, cent)
}

/// Clusters embeddings into nested 1024/256/64 levels.
pub fn cluster(
    c: &Corpus,
    emb: &mut [f32],
    opts: &ClusterOptions,
    log: &mut dyn FnMut(&str),
) -> Clusters {
    let d = opts.dim;
    normalize_rows(emb, d);
    let t0 = std::time::Instant::now();
    // Words weigh by log frequency so rare words do not dominate the centroids.
    let wts: Vec<f32> = c.counts.iter().map(|&n| (n as f32).ln().max(1.0)).collect();
    let (fine_assign, fine_cent) = kmeans(emb, &wts, d, opts.k, opts.kmeans_iters, opts.seed ^ 1);
    log(&format!(
        "k-means {}: {:.1}s",
        opts.k,
        t0.elapsed().as_secs_f64()
    ));
    let kf = fine_cent.len() / d;
    let mut sizes = vec![0f32; kf];
    for (a, w) in fine_assign.iter().zip(&wts) {
        sizes[*a as usize] += w;
    }
    let (mid_assign, mid_cent) = kmeans(&fine_cent, &sizes, d, opts.k / 4, 30, opts.seed ^ 2);
    let km = mid_cent.len() / d;
    let mut msizes = vec![0f32; km];
    for (a, s) in mid_assign.iter().zip(&sizes) {
        msizes[*a as usize] += s;
    }
    let (coarse_of_mid, _) = kmeans(&mid_cent, &msizes, d, opts.k / 16, 30, opts.seed ^ 3);
    let to_coarse = mid_assign
        .iter()
        .map(|&m| coarse_of_mid[m as usize])
        .collect();
    let mut fine = FxHashMap::default();
    for (w, &a) in c.words.iter().zip(&fine_assign) {
        fine.insert(word_key(w), a);
    }
    Clusters {
        fine,
        to_mid: mid_assign,
        to_coarse,
    }
}

const CL_MAGIC: &[u8; 8] = b"KHNERCLS";
const CL_VERSION: u32 = 1;

/// Writes clusters (zlib-compressed) with a small header.
pub fn save_clusters(cl: &Clusters, path: &Path) -> std::io::Result<usize> {
    let mut p = Vec::new();
    let mut words: Vec<(u32, u16)> = cl.fine.iter().map(|(&k, &v)| (k, v)).collect();
    words.sort_unstable();
    p.extend_from_slice(&(words.len() as u32).to_le_bytes());
    for w in &words {
        p.extend_from_slice(&w.0.to_le_bytes());
        p.extend_from_slice(&w.1.to_le_bytes());
    }
    p.extend_from_slice(&(cl.to_mid.len() as u32).to_le_bytes());
    for (&m, &c) in cl.to_mid.iter().zip(&cl.to_coarse) {
        p.extend_from_slice(&m.to_le_bytes());
        p.extend_from_slice(&c.to_le_bytes());
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&p)?;
    let z = enc.finish()?;
    let mut out = Vec::new();
    out.extend_from_slice(CL_MAGIC);
    out.extend_from_slice(&CL_VERSION.to_le_bytes());
    out.extend_from_slice(&z);
    std::fs::write(path, &out)?;
    Ok(out.len())
}

/// Reads clusters written by [`save_clusters`].
pub fn load_clusters(path: &Path) -> Result<Clusters, String> {
    let b = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bad = |m: &str| format!("{}: {m}", path.display());
    if b.len() < 12 || &b[..8] != CL_MAGIC {
        return Err(bad("not a khabar cluster file"));
    }
    if u32::from_le_bytes(b[8..12].try_into().unwrap()) != CL_VERSION {
        return Err(bad("unsupported cluster file version"));
    }
    let mut p = Vec::new();
    flate2::read::ZlibDecoder::new(&b[12..])
        .read_to_end(&mut p)
        .map_err(|e| bad(&format!("corrupt: {e}")))?;
    let rd = |o: usize, n: usize| -> Result<&[u8], String> {
        p.get(o..o + n).ok_or_else(|| bad("truncated"))
    };
    let n = u32::from_le_bytes(rd(0, 4)?.try_into().unwrap()) as usize;
    let mut fine = FxHashMap::default();
    let mut o = 4;
    for _ in 0..n {
        let r = rd(o, 6)?;
        fine.insert(
            u32::from_le_bytes(r[..4].try_into().unwrap()),
            u16::from_le_bytes([r[4], r[5]]),
        );
        o += 6;
    }
    let k = u32::from_le_bytes(rd(o, 4)?.try_into().unwrap()) as usize;
    o += 4;
    let mut to_mid = Vec::new();
    let mut to_coarse = Vec::new();
    for _ in 0..k {
        let r = rd(o, 4)?;
        to_mid.push(u16::from_le_bytes([r[0], r[1]]));
        to_coarse.push(u16::from_le_bytes([r[2], r[3]]));
        o += 4;
    }
    Ok(Clusters {
        fine,
        to_mid,
        to_coarse,
    })
}

/// Label propagation through the embeddings: for every word with a vector, the gold tag
/// distribution (O, PER, LOC, ORG, MISC) of its `k` nearest labelled training words
/// (itself excluded), packed as four 4-bit buckets of P(PER), P(LOC), P(ORG), P(MISC)
/// (bucket = ⌊8p⌋, 0..=7). Keyed by the word key of the normalized word.
/// `vecs` must be L2-normalized rows (see [`normalize_rows`]).
pub fn neighbor_labels(
    words: &[String],
    vecs: &[f32],
    dim: usize,
    train: &[crate::data::Sentence],
    k: usize,
) -> crate::features::lexicon::WordStats {
    use crate::tags::Tag;
    let index: FxHashMap<&str, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    // Gold type counts per normalized form.
    let mut counts: FxHashMap<usize, [u32; 5]> = FxHashMap::default();
    for s in train {
        for (t, g) in s.tokens.iter().zip(&s.tags) {
            let n = normalize(t);
            if let Some(&i) = index.get(n.as_str()) {
                let ty = match g {
                    Tag::O => 0,
                    Tag::B(l) | Tag::I(l) => 1 + *l as usize,
                };
                counts.entry(i).or_insert([0; 5])[ty] += 1;
            }
        }
    }
    // Labelled set: forms seen twice or seen as an entity.
    let mut lab: Vec<(usize, [f32; 5])> = counts
        .iter()
        .filter(|(_, c)| c.iter().sum::<u32>() >= 2 || c[1..].iter().any(|&x| x > 0))
        .map(|(&i, c)| {
            let tot: u32 = c.iter().sum();
            (i, std::array::from_fn(|t| c[t] as f32 / tot as f32))
        })
        .collect();
    lab.sort_by_key(|x| x.0);
    let lv: Vec<f32> = lab
        .iter()
        .flat_map(|(i, _)| vecs[i * dim..(i + 1) * dim].iter().copied())
        .collect();
    // Each word's neighbours are independent: spread the words over all cores (results
    // do not depend on the thread count).
    use rayon::prelude::*;
    let pairs: Vec<(u32, u16)> = words
        .par_iter()
        .enumerate()
        .map_init(
            || Vec::with_capacity(k + 1),
            |top: &mut Vec<(f32, usize)>, (w, word)| {
                let q = &vecs[w * dim..(w + 1) * dim];
                top.clear();
                for (j, row) in lv.chunks_exact(dim).enumerate() {
                    if lab[j].0 == w {
                        continue;
                    }
                    let s = crate::model::neural::dot(q, row);
                    if top.len() < k || s > top[top.len() - 1].0 {
                        let pos = top.partition_point(|x| x.0 >= s);
                        top.insert(pos, (s, j));
                        top.truncate(k);
                    }
                }
                let mut dist = [0f32; 5];
                let mut wsum = 0f32;
                for &(s, j) in top.iter() {
                    let s = s.max(0.0);
                    for (d, p) in dist.iter_mut().zip(&lab[j].1) {
                        *d += s * p;
                    }
                    wsum += s;
                }
                if wsum <= 0.0 {
                    return None;
                }
                let mut code = 0u16;
                for (t, d) in dist.iter().enumerate().skip(1) {
                    let b = ((d / wsum) * 8.0).floor().clamp(0.0, 7.0) as u16;
                    code |= b << (4 * (t - 1));
                }
                Some((word_key(word), code))
            },
        )
        .flatten()
        .collect();
    let codes: FxHashMap<u32, u16> = pairs.into_iter().collect();
    crate::features::lexicon::WordStats { codes }
}
