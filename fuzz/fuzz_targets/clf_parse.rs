//! The common/combined parser: never panics, and its ranges are in bounds, in order and
//! non-overlapping, so a writer can copy the gaps between them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscrub::format::{clf, Format};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Auto, Format::Common, Format::Combined] {
        let Some(p) = clf::parse(data, format) else { continue };
        let mut ranges = vec![p.host, p.ident, p.user, p.time, p.request];
        ranges.extend(p.referrer);
        ranges.extend(p.agent);
        ranges.push(p.rest);
        let mut end = 0;
        for r in ranges {
            assert!(end <= r.start && r.start <= r.end && r.end <= data.len());
            end = r.end;
        }
    }
});
