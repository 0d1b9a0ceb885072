//! Page-size policy around model loading.
//!
//! Loading the models writes about 100 MB of fresh memory once (the decompressed NER
//! payload, its weight tables, the merged key table, the text lexicon). mimalloc asks for
//! transparent huge pages, so each first touch makes the kernel zero a whole 2 MB page;
//! on the shared VM, whose host takes idle memory back, that zeroing cost 150–300 ms of
//! the NER model's load (`khabar bench ner`: 240–306 ms with huge pages, 99–204 ms
//! without). Tagging, though, gains from huge pages (its per-thread caches are probed at
//! random: about 7% slower without them), so they are turned off only while loading.

/// Runs `f` (a model load) with transparent huge pages off for this process, then turns
/// them back on. Linux only; elsewhere, or if the kernel refuses, it just runs `f`.
pub fn load_without_huge_pages<T>(f: impl FnOnce() -> T) -> T {
    set_thp_disabled(true);
    let out = f();
    set_thp_disabled(false);
    out
}

#[cfg(target_os = "linux")]
fn set_thp_disabled(disabled: bool) {
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and changes only which page
    // size the kernel uses for later page faults of this process; no memory is touched.
    // A failure (old kernel) leaves the policy as it was, which is harmless.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            libc::c_ulong::from(disabled),
            0,
            0,
            0,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn set_thp_disabled(_disabled: bool) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn thp_disabled() -> bool {
        // SAFETY: PR_GET_THP_DISABLE takes no argument and only reads the flag.
        unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_only_during_the_load() {
        assert!(!thp_disabled());
        let inside = load_without_huge_pages(thp_disabled);
        assert!(inside, "huge pages stayed on during the load");
        assert!(!thp_disabled(), "huge pages stayed off after the load");
    }
}
