//! The tagger's per-thread caches: their sizing ([`grown_len`]), the identities their
//! entries are keyed by ([`next_id`]), and prefetch hints.

/// Slots a per-thread cache starts with.
const FIRST_SLOTS: usize = 1024;

/// The new number of slots of a direct-mapped per-thread cache of `len` slots (0: not
/// allocated yet) and at most `max`, which has stored `stored` new entries since it was
/// last sized; `None` to keep it as it is.
///
/// A cache starts at [`FIRST_SLOTS`] and, once it has stored as many entries as it has
/// slots (it is then mostly full), is emptied and made four times larger, up to `max`.
/// Allocating the full tables at once (tens of MB, zeroed) was most of the memory and
/// about 45 ms of a run over one short article; a long run reaches the full size within
/// a few articles. What a cache holds never changes results, only speed.
///
/// `len` and `max` are powers of two, so every size is one too (slots are found by
/// masking a hash).
pub(crate) fn grown_len(len: usize, max: usize, stored: usize) -> Option<usize> {
    if len == 0 {
        return Some(FIRST_SLOTS.min(max));
    }
    (len < max && stored >= len).then(|| (len * 4).min(max))
}

/// Identity of a network for the per-thread word cache of the tagging forward.
pub(crate) fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Asks the CPU to start loading the cache line holding `v` (a hint: no effect on
/// results; nothing without x86-64).
#[inline(always)]
pub(crate) fn prefetch<T>(v: &T) {
    prefetch_next(v, 0);
}

/// [`prefetch`] of the line `bytes` past `v` (which need not lie inside `v`: a prefetch
/// of any address is harmless).
#[inline(always)]
pub(crate) fn prefetch_next<T>(v: &T, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)]
    // SAFETY: only the address is computed (wrapping), never dereferenced; a prefetch
    // neither reads into Rust values nor faults.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = (v as *const T as *const i8).wrapping_add(bytes);
        _mm_prefetch::<_MM_HINT_T0>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_grows_by_four_once_full_up_to_its_maximum() {
        let max = 1 << 17;
        assert_eq!(grown_len(0, max, 0), Some(1024));
        assert_eq!(grown_len(0, 64, 0), Some(64));
        assert_eq!(grown_len(1024, max, 1023), None);
        assert_eq!(grown_len(1024, max, 1024), Some(4096));
        assert_eq!(grown_len(1 << 16, max, 1 << 16), Some(max));
        assert_eq!(grown_len(max, max, usize::MAX), None);
        // Every size reached from the first is a power of two no larger than the maximum.
        let mut len = 0;
        while let Some(n) = grown_len(len, max, usize::MAX) {
            assert!(n.is_power_of_two() && n <= max && n > len);
            len = n;
        }
        assert_eq!(len, max);
    }
}
