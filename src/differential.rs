//! The differential oracle of the `check_scrub` fuzz target, here so that the target and the
//! replay of its findings (`tests/fuzz_regressions.rs`) are one implementation.
//!
//! For any input, under five policies and five formats (the first byte picks them): the
//! independent audit of `src/check/` finds nothing in the scrubbed output, and scrubbing is
//! idempotent, `scrub(scrub(x)) == scrub(x)`, for the policies without keyed pseudonyms
//! (which a second pass would key again).

use std::sync::OnceLock;

use crate::check::{Auditor, Class};
use crate::config::{Config, IpPolicy, ReferrerPolicy, RequestPolicy, UserPolicy};
use crate::format::Format;
use crate::scrub::Scrubber;

const FORMATS: [Format; 5] = [
    Format::Auto,
    Format::Json,
    Format::W3c,
    Format::Haproxy,
    Format::Alb,
];

/// Policies, and whether scrubbing under them is meant to be idempotent.
fn configs() -> &'static [(Config, bool)] {
    static CONFIGS: OnceLock<Vec<(Config, bool)>> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let mut all = Vec::new();
        for format in FORMATS {
            let b = || Config::builder().format(format);
            let built = |b: crate::config::ConfigBuilder| b.build().expect("a valid policy");
            all.push((built(b()), true));
            all.push((built(b().ip(IpPolicy::Drop)), true));
            all.push((built(b().ip(IpPolicy::Hash).user(UserPolicy::Hash)), false));
            all.push((built(b().ipv4_mask(16).ipv6_mask(32)), true));
            let keep = b()
                .referrer(ReferrerPolicy::Keep)
                .request(RequestPolicy::Keep)
                .user(UserPolicy::Keep);
            all.push((built(keep), true));
        }
        all
    })
}

fn scrub(cfg: &Config, sample: &[u8], input: &[u8]) -> Vec<u8> {
    let mut scrubber = Scrubber::new(cfg);
    // As the binary does: the format is recognised from the input's first lines.
    scrubber.set_layout(cfg.layout_for(sample));
    let mut out = Vec::new();
    scrubber.scrub(input, &mut out);
    out
}

/// Checks one fuzz input: the first byte picks the policy and format, the rest is the log.
/// The error describes the disagreement, output included (fuzz inputs hold no one's data).
pub fn check_scrub(data: &[u8]) -> Result<(), String> {
    let Some((&pick, input)) = data.split_first() else {
        return Ok(());
    };
    let (cfg, idempotent) = &configs()[usize::from(pick) % configs().len()];
    let once = scrub(cfg, input, input);

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
        return Err(format!(
            "check finds {found:?} in the scrubbed output:\n{}",
            once.escape_ascii()
        ));
    }
    if *idempotent {
        let twice = scrub(cfg, input, &once);
        if twice != once {
            return Err(format!(
                "scrubbing twice changes the output:\nonce:  {}\ntwice: {}",
                once.escape_ascii(),
                twice.escape_ascii()
            ));
        }
    }
    Ok(())
}
