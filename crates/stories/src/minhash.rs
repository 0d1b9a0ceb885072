//! MinHash signatures and LSH banding.
//!
//! Written here rather than taken from a crate (gaoya builds and works): the signatures are
//! stored in the corpus and compared across processes and khabar versions, so the hash
//! family must be fixed in code (seeded splitmix64 below), and the banding runs once over a
//! sorted batch, which is a few lines with a hash map.

use rustc_hash::FxHashMap;

/// Hash functions per signature.
pub const SIGNATURE_LEN: usize = 64;
/// LSH bands × rows = [`SIGNATURE_LEN`]; 16 × 4 makes a pair with Jaccard 0.5 a candidate
/// with probability 0.65, and one with 0.8 with probability 0.9999.
pub const BANDS: usize = 16;
const ROWS: usize = SIGNATURE_LEN / BANDS;
/// Words per shingle.
pub const SHINGLE: usize = 4;

#[inline]
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a: a stable 64-bit hash of a string (std's hasher may change between releases).
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    splitmix(h)
}

/// The signature of a sequence of word hashes: the minimum, under each of the
/// [`SIGNATURE_LEN`] hash functions, over its [`SHINGLE`]-word shingles (the whole sequence
/// when shorter). Empty input gives an empty signature.
pub fn signature(words: &[u64]) -> Vec<u32> {
    if words.is_empty() {
        return Vec::new();
    }
    let mut sig = vec![u32::MAX; SIGNATURE_LEN];
    let n = words.len().saturating_sub(SHINGLE - 1).max(1);
    for i in 0..n {
        let mut h: u64 = 0;
        for w in &words[i..(i + SHINGLE).min(words.len())] {
            h = splitmix(h ^ w);
        }
        for (k, slot) in sig.iter_mut().enumerate() {
            let v = (splitmix(h ^ (k as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

/// Estimated Jaccard similarity: the share of equal positions (0 when either is empty or
/// the lengths differ).
pub fn similarity(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / a.len() as f32
}

/// Pairs `(i, j)`, `i < j`, whose signatures share at least one LSH band and whose
/// estimated similarity is at least `min_similarity`; sorted.
pub fn similar_pairs(signatures: &[&[u32]], min_similarity: f32) -> Vec<(usize, usize, f32)> {
    let mut pairs = Vec::new();
    let mut buckets: FxHashMap<(usize, u64), Vec<usize>> = FxHashMap::default();
    for (i, sig) in signatures.iter().enumerate() {
        if sig.len() != SIGNATURE_LEN {
            continue;
        }
        for b in 0..BANDS {
            let mut h = b as u64;
            for v in &sig[b * ROWS..(b + 1) * ROWS] {
                h = splitmix(h ^ *v as u64);
            }
            buckets.entry((b, h)).or_default().push(i);
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    let mut keys: Vec<&(usize, u64)> = buckets.keys().collect();
    keys.sort_unstable();
    for key in keys {
        let members = &buckets[key];
        // A huge bucket is one boilerplate text (an empty template): compare each member
        // with the first few only, so a pathological day stays linear.
        for (x, &i) in members.iter().enumerate() {
            for &j in members[x + 1..]
                .iter()
                .take(if x < 8 { usize::MAX } else { 0 })
            {
                if seen.insert((i, j)) {
                    let s = similarity(signatures[i], signatures[j]);
                    if s >= min_similarity {
                        pairs.push((i.min(j), i.max(j), s));
                    }
                }
            }
        }
    }
    pairs.sort_by_key(|p| (p.0, p.1));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<u64> {
        s.split_whitespace().map(stable_hash).collect()
    }

    #[test]
    fn copies_match_and_edits_lower_similarity() {
        let text = "اعلنت الوزارة اليوم عن خطة جديدة لتطوير الطرق في المنطقة الشرقية خلال العام المقبل بتكلفة كبيرة";
        let a = signature(&words(text));
        assert_eq!(a.len(), SIGNATURE_LEN);
        assert_eq!(similarity(&a, &signature(&words(text))), 1.0);
        let edited = text.replace("الشرقية", "الغربية");
        let s = similarity(&a, &signature(&words(&edited)));
        assert!(s > 0.3 && s < 1.0, "{s}");
        let other = signature(&words(
            "فاز الفريق الاول على منافسه بثلاثة اهداف في المباراة النهائية للبطولة الاسيوية مساء امس",
        ));
        assert!(similarity(&a, &other) < 0.2);
        assert!(signature(&[]).is_empty());
        assert_eq!(similarity(&a, &[]), 0.0);
    }

    #[test]
    fn banding_finds_copies_not_strangers() {
        let t1 = "اعلنت الوزارة اليوم عن خطة جديدة لتطوير الطرق في المنطقة الشرقية خلال العام المقبل بتكلفة كبيرة";
        let t2 =
            "فاز الفريق الاول على منافسه بثلاثة اهداف في المباراة النهائية للبطولة الاسيوية مساء امس";
        let sigs: Vec<Vec<u32>> = [t1, t2, t1].iter().map(|t| signature(&words(t))).collect();
        let refs: Vec<&[u32]> = sigs.iter().map(|s| s.as_slice()).collect();
        assert_eq!(similar_pairs(&refs, 0.7), vec![(0, 2, 1.0)]);
    }
}
