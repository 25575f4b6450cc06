//! Differential: the scrubber and `logscrub check` (`src/check/`, written independently from
//! the class definitions) must agree. For any input, under several policies and formats:
//! `check(scrub(x))` finds nothing, and scrubbing is idempotent, `scrub(scrub(x)) == scrub(x)`
//! (for the policies without keyed pseudonyms, which a second pass would key again).
//!
//! The first byte picks the policy and the format; the rest is the input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use logscrub::check::{Auditor, Class};
use logscrub::{Config, Format, IpPolicy, ReferrerPolicy, RequestPolicy, Scrubber, UserPolicy};

const FORMATS: [Format; 5] = [
    Format::Auto,
    Format::Json,
    Format::W3c,
    Format::Haproxy,
    Format::Alb,
];

/// Policies, and whether scrubbing under them is meant to be idempotent.
fn configs() -> &'static Vec<(Config, bool)> {
    static CONFIGS: OnceLock<Vec<(Config, bool)>> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let mut all = Vec::new();
        for format in FORMATS {
            let b = || Config::builder().format(format);
            all.push((b().build().unwrap(), true));
            all.push((b().ip(IpPolicy::Drop).build().unwrap(), true));
            all.push((
                b().ip(IpPolicy::Hash)
                    .user(UserPolicy::Hash)
                    .build()
                    .unwrap(),
                false,
            ));
            all.push((b().ipv4_mask(16).ipv6_mask(32).build().unwrap(), true));
            all.push((
                b().referrer(ReferrerPolicy::Keep)
                    .request(RequestPolicy::Keep)
                    .user(UserPolicy::Keep)
                    .build()
                    .unwrap(),
                true,
            ));
        }
        all
    })
}

fn scrub(cfg: &Config, input: &[u8]) -> Vec<u8> {
    let mut scrubber = Scrubber::new(cfg);
    // As the binary does: the input's format is recognised from its first lines.
    scrubber.set_layout(cfg.layout_for(input));
    let mut out = Vec::new();
    scrubber.scrub(input, &mut out);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let configs = configs();
    let (cfg, idempotent) = &configs[usize::from(pick) % configs.len()];
    let once = scrub(cfg, input);

    let mut auditor = Auditor::new(cfg);
    // The output read in the input's format, as the scrubber read the input.
    auditor.set_layout(cfg.layout_for(input));
    auditor.check(&once);
    let audit = auditor.audit();
    if !audit.is_clean() {
        let found: Vec<(&str, &[u64])> = Class::ALL
            .into_iter()
            .filter(|&c| audit.count(c) > 0)
            .map(|c| (c.key(), audit.first_lines(c)))
            .collect();
        panic!(
            "check finds {found:?} in the scrubbed output:\n{}",
            String::from_utf8_lossy(&once)
        );
    }

    if *idempotent {
        let mut scrubber = Scrubber::new(cfg);
        scrubber.set_layout(cfg.layout_for(input));
        let mut twice = Vec::new();
        scrubber.scrub(&once, &mut twice);
        assert!(
            twice == once,
            "scrubbing twice changes the output:\nonce:  {}\ntwice: {}",
            String::from_utf8_lossy(&once),
            String::from_utf8_lossy(&twice)
        );
    }
});
