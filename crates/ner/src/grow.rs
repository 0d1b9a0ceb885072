//! Sizing of the tagger's per-thread caches.

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
