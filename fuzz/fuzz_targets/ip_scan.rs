//! Free text made of address-like pieces (digits, hex, dots, colons, brackets, percent signs)
//! through the fail-safe scrub: no address keeps host bits, by `logscrub check`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscrub::check::{Auditor, Class};
use logscrub::{Config, Scrubber};

const ALPHABET: &[u8] = b"0123456789abcdefABCDEF.:[]%/ =@,x";

fuzz_target!(|data: &[u8]| {
    let text: Vec<u8> = data
        .iter()
        .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
        .collect();
    let cfg = Config::default();
    let mut out = Vec::new();
    Scrubber::new(&cfg).scrub(&text, &mut out);
    let mut auditor = Auditor::new(&cfg);
    auditor.check(&out);
    assert_eq!(
        auditor.audit().count(Class::Ip),
        0,
        "an address kept its host bits"
    );
});
