//! Differential: the scrubber and `logscrub check` (`src/check/`, written independently from
//! the class definitions) must agree. For any input, under several policies and formats:
//! `check(scrub(x))` finds nothing, and scrubbing is idempotent, `scrub(scrub(x)) == scrub(x)`
//! (for the policies without keyed pseudonyms, which a second pass would key again).
//!
//! The oracle is `logscrub::differential::check_scrub`, which `tests/fuzz_regressions.rs`
//! also runs on every input this target has failed on.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(disagreement) = logscrub::differential::check_scrub(data) {
        panic!("{disagreement}");
    }
});
