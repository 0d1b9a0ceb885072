//! Online same-story clustering and near-duplicate groups.

use crate::features::{term_hash, Features};
use crate::minhash::{similar_pairs, stable_hash};
use rustc_hash::{FxHashMap, FxHashSet};

/// One article to cluster.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Article id (orders articles of one time, and names stories).
    pub id: &'a str,
    /// Publication time, seconds since the epoch; undated articles are clustered among
    /// themselves after the dated ones (no time window can apply to them).
    pub time: Option<i64>,
    /// The article's story features.
    pub features: &'a Features,
    /// Corpus entity ids of the entities it mentions.
    pub entities: &'a [i64],
}

/// Clustering settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Similarity to a story from which an article joins it.
    pub threshold: f32,
    /// A story is open to articles up to this long after its last one.
    pub window_secs: i64,
    /// Weight of the content-terms cosine (words, numbers, dates).
    pub term_weight: f32,
    /// Weight of the headline cosine.
    pub title_weight: f32,
    /// Weight of the linked-entities cosine.
    pub entity_weight: f32,
    /// Weight of the specific-numbers cosine.
    pub number_weight: f32,
    /// Estimated Jaccard similarity from which two texts are near-duplicates.
    pub duplicate_similarity: f32,
    /// How an article is compared with a story.
    pub linkage: Linkage,
}

/// How an article's similarity to a story is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Cosine with the story's centroid.
    Centroid,
    /// Mean cosine with the story's articles: a story whose articles drift apart (a topic
    /// rather than one news item) takes new articles less easily than a tight one.
    Average,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: 0.52,
            window_secs: 3 * 86_400,
            term_weight: 1.0,
            title_weight: 0.5,
            entity_weight: 1.0,
            number_weight: 0.0,
            duplicate_similarity: 0.7,
            linkage: Linkage::Average,
        }
    }
}

/// A story: articles (indices into the input) in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Stable id: a hash of the first article's id (below 2^53, exact in JSON).
    pub id: i64,
    /// Members, in processing (time, id) order.
    pub members: Vec<usize>,
    /// The member closest to the story's centroid (its headline is the story's title).
    pub central: usize,
    /// Members by decreasing similarity to the centroid.
    pub by_centrality: Vec<usize>,
}

/// Articles whose texts are near-copies of each other.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    /// Members (input indices) with their estimated similarity to the first, which is the
    /// earliest; the first has 1.0.
    pub members: Vec<(usize, f32)>,
}

/// The result of [`cluster`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clustering {
    /// Stories, in order of their first article.
    pub stories: Vec<Story>,
    /// Story index of each input.
    pub story_of: Vec<usize>,
    /// Near-duplicate groups (two or more members), in order of their first member.
    pub duplicates: Vec<DuplicateGroup>,
}

/// Sparse unit vector: (feature, weight), sorted by feature.
pub type Vector = Vec<(u32, f32)>;

/// The views of an article compared separately: content words, headline words, linked
/// entities, specific numbers. Each is a TF-IDF unit vector over the collection's own
/// document frequencies; a similarity is a weighted sum of their cosines (one merged vector
/// drowns the few entities among eighty words).
pub const CHANNELS: usize = 4;

fn channel_raw(x: &Input, channel: usize) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> = match channel {
        0 => x
            .features
            .terms
            .iter()
            .map(|&(h, n)| (h, 1.0 + n.max(1.0).ln()))
            .collect(),
        1 => x.features.title.iter().map(|&h| (h, 1.0)).collect(),
        3 => x.features.numbers.iter().map(|&h| (h, 1.0)).collect(),
        _ => x
            .entities
            .iter()
            .map(|&e| (term_hash(&format!("#e{e}")), 1.0))
            .collect(),
    };
    v.sort_unstable_by_key(|t| t.0);
    v.dedup_by_key(|t| t.0);
    v
}

/// The per-channel TF-IDF unit vectors of all inputs (for evaluation and baselines).
pub fn article_vectors(inputs: &[Input]) -> Vec<[Vector; CHANNELS]> {
    let raw: Vec<[Vec<(u32, f32)>; CHANNELS]> = inputs
        .iter()
        .map(|x| std::array::from_fn(|c| channel_raw(x, c)))
        .collect();
    let mut df: [FxHashMap<u32, u32>; CHANNELS] = Default::default();
    for v in &raw {
        for c in 0..CHANNELS {
            for &(h, _) in &v[c] {
                *df[c].entry(h).or_insert(0) += 1;
            }
        }
    }
    let n = inputs.len().max(1) as f32;
    raw.into_iter()
        .map(|v| {
            let mut c = 0;
            v.map(|channel| {
                let df = &df[c];
                c += 1;
                let mut out: Vector = channel
                    .into_iter()
                    // a feature of one article cannot tie it to another
                    .filter_map(|(h, w)| {
                        let d = df[&h];
                        // smoothed: in a small collection a feature all articles share still counts
                        (d > 1).then(|| (h, w * (1.0 + n / d as f32).ln()))
                    })
                    .filter(|t| t.1 > 0.0)
                    .collect();
                let norm = out.iter().map(|t| t.1 * t.1).sum::<f32>().sqrt();
                if norm > 0.0 {
                    out.iter_mut().for_each(|t| t.1 /= norm);
                }
                out
            })
        })
        .collect()
}

/// Similarity of two articles under `p`'s channel weights.
pub fn pair_similarity(a: &[Vector; CHANNELS], b: &[Vector; CHANNELS], p: &Params) -> f32 {
    let w = p.weights();
    (0..CHANNELS).map(|c| w[c] * cosine(&a[c], &b[c])).sum()
}

impl Params {
    fn weights(&self) -> [f32; CHANNELS] {
        [
            self.term_weight,
            self.title_weight,
            self.entity_weight,
            self.number_weight,
        ]
    }
}

/// Features of each channel used to find candidate stories: its heaviest ones.
const PROBES: [usize; CHANNELS] = [16, 4, 4, 2];

struct Open {
    sums: [FxHashMap<u32, f32>; CHANNELS],
    norm2: [f32; CHANNELS],
    last: i64,
    members: Vec<usize>,
}

impl Open {
    fn dot(&self, c: usize, v: &Vector) -> f32 {
        v.iter()
            .filter_map(|(h, w)| self.sums[c].get(h).map(|x| x * w))
            .sum()
    }
    /// The story's similarity to an article: per channel, the cosine with the centroid or
    /// the mean cosine with the members, weighted.
    fn similarity(&self, v: &[Vector; CHANNELS], p: &Params) -> f32 {
        let w = p.weights();
        (0..CHANNELS)
            .filter(|&c| w[c] > 0.0)
            .map(|c| {
                let d = self.dot(c, &v[c]);
                w[c] * match p.linkage {
                    Linkage::Centroid if self.norm2[c] > 0.0 => d / self.norm2[c].sqrt(),
                    Linkage::Centroid => 0.0,
                    Linkage::Average => d / self.members.len().max(1) as f32,
                }
            })
            .sum()
    }
    fn add(&mut self, v: &[Vector; CHANNELS], i: usize, time: i64) {
        for (c, vc) in v.iter().enumerate() {
            let mut dot = 0.0;
            for &(h, w) in vc {
                let x = self.sums[c].entry(h).or_insert(0.0);
                dot += *x * w;
                *x += w;
            }
            let vv: f32 = vc.iter().map(|t| t.1 * t.1).sum();
            self.norm2[c] += 2.0 * dot + vv;
        }
        self.last = self.last.max(time);
        self.members.push(i);
    }
}

/// The probe features of an article (channel-tagged so channels never collide).
fn probes(v: &[Vector; CHANNELS], p: &Params) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let w = p.weights();
    for c in (0..CHANNELS).filter(|&c| w[c] > 0.0) {
        let mut f: Vec<&(u32, f32)> = v[c].iter().collect();
        f.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.extend(f.into_iter().take(PROBES[c]).map(|t| (c, t.0)));
    }
    out
}

/// Clusters `inputs` into stories and finds near-duplicate groups.
pub fn cluster(inputs: &[Input], p: &Params) -> Clustering {
    let vecs = article_vectors(inputs);
    // near-duplicates first: a copy always joins the story of its original
    let sigs: Vec<&[u32]> = inputs
        .iter()
        .map(|x| x.features.signature.as_slice())
        .collect();
    let pairs = similar_pairs(&sigs, p.duplicate_similarity);
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&inputs[a], &inputs[b]);
        (x.time.is_none(), x.time, x.id, a).cmp(&(y.time.is_none(), y.time, y.id, b))
    });
    let mut rank = vec![0usize; inputs.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let duplicates = duplicate_groups(inputs.len(), &pairs, &rank, &sigs);
    let mut dup_root: Vec<Option<usize>> = vec![None; inputs.len()];
    for g in &duplicates {
        let first = g.members[0].0;
        for &(m, _) in &g.members[1..] {
            dup_root[m] = Some(first);
        }
    }

    let mut stories: Vec<Open> = Vec::new();
    let mut story_of = vec![usize::MAX; inputs.len()];
    let mut postings: FxHashMap<(usize, u32), Vec<usize>> = FxHashMap::default();
    let mut undated_started = false;
    for &i in &order {
        let time = match inputs[i].time {
            Some(t) => t,
            None => {
                if !undated_started {
                    // undated articles never join dated stories
                    undated_started = true;
                    postings.clear();
                }
                i64::MAX
            }
        };
        let v = &vecs[i];
        let open_after = time.saturating_sub(p.window_secs);
        let is_open = |s: &Open| time == i64::MAX || s.last >= open_after;
        let keys = probes(v, p);
        let mut best: Option<(f32, usize)> = None;
        if let Some(root) = dup_root[i].filter(|&r| story_of[r] != usize::MAX) {
            let s = story_of[root];
            if inputs[root].time.is_none() == inputs[i].time.is_none() {
                best = Some((f32::INFINITY, s));
            }
        }
        if best.is_none() {
            let mut seen: FxHashSet<usize> = FxHashSet::default();
            for key in &keys {
                if let Some(list) = postings.get_mut(key) {
                    list.retain(|&s| is_open(&stories[s]));
                    for &s in list.iter() {
                        if seen.insert(s) {
                            let c = stories[s].similarity(v, p);
                            if c >= p.threshold
                                && best.is_none_or(|(bc, bs)| c > bc || (c == bc && s < bs))
                            {
                                best = Some((c, s));
                            }
                        }
                    }
                }
            }
        }
        let s = match best {
            Some((_, s)) => s,
            None => {
                stories.push(Open {
                    sums: Default::default(),
                    norm2: [0.0; CHANNELS],
                    last: time,
                    members: Vec::new(),
                });
                stories.len() - 1
            }
        };
        stories[s].add(v, i, time);
        story_of[i] = s;
        for key in keys {
            let list = postings.entry(key).or_default();
            if list.last() != Some(&s) && !list.contains(&s) {
                list.push(s);
            }
        }
    }

    let mut used_ids: FxHashSet<i64> = FxHashSet::default();
    let stories = stories
        .into_iter()
        .map(|o| {
            let mut by: Vec<(f32, usize)> = o
                .members
                .iter()
                .map(|&m| (o.similarity(&vecs[m], p), m))
                .collect();
            by.sort_by(|a, b| b.0.total_cmp(&a.0).then(rank[a.1].cmp(&rank[b.1])));
            let mut id = (stable_hash(inputs[o.members[0]].id) >> 11) as i64;
            while !used_ids.insert(id) {
                id = (id + 1) & ((1 << 53) - 1);
            }
            Story {
                id,
                central: by[0].1,
                by_centrality: by.into_iter().map(|t| t.1).collect(),
                members: o.members,
            }
        })
        .collect();
    Clustering {
        stories,
        story_of,
        duplicates,
    }
}

/// Connected groups of near-duplicate pairs; each group listed from its earliest member.
fn duplicate_groups(
    n: usize,
    pairs: &[(usize, usize, f32)],
    rank: &[usize],
    sigs: &[&[u32]],
) -> Vec<DuplicateGroup> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for &(a, b, _) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for &(a, b, _) in pairs {
        for x in [a, b] {
            let r = find(&mut parent, x);
            groups.entry(r).or_default().push(x);
        }
    }
    let mut out: Vec<DuplicateGroup> = groups
        .into_values()
        .map(|mut m| {
            m.sort_by_key(|&x| rank[x]);
            m.dedup();
            let first = m[0];
            DuplicateGroup {
                members: m
                    .iter()
                    .map(|&x| (x, crate::minhash::similarity(sigs[first], sigs[x])))
                    .collect(),
            }
        })
        .collect();
    out.sort_by_key(|g| rank[g.members[0].0]);
    out
}

/// Cosine of two unit vectors from [`article_vectors`].
pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}
