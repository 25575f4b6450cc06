//! Fuzzed request targets and referrers inside a combined line: the line keeps its format and
//! the audit of the output is clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscrub::check::Auditor;
use logscrub::format::{clf, Format};
use logscrub::{Config, Scrubber};

fuzz_target!(|data: &[u8]| {
    // A URL has no spaces, quotes, backslashes or line breaks inside a log field.
    let url: Vec<u8> = data
        .iter()
        .map(|&b| if matches!(b, b' ' | b'"' | b'\\' | b'\n' | b'\r') { b'_' } else { b })
        .collect();
    let (target, referrer) = url.split_at(url.len() / 2);
    let mut line = b"198.51.100.7 - - [10/Oct/2023:13:55:36 +0200] \"GET /".to_vec();
    line.extend_from_slice(target);
    line.extend_from_slice(b" HTTP/1.1\" 200 1 \"http://");
    line.extend_from_slice(referrer);
    line.extend_from_slice(b"\" \"-\"\n");
    let cfg = Config::default();
    let mut out = Vec::new();
    Scrubber::new(&cfg).scrub(&line, &mut out);
    let body = out.strip_suffix(b"\n").expect("terminator kept");
    assert!(clf::parse(body, Format::Combined).is_some(), "no longer combined");
    let mut auditor = Auditor::new(&cfg);
    auditor.check(&out);
    assert!(auditor.audit().is_clean(), "check found personal data in scrubbed output");
});
