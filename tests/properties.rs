//! Property tests of the invariants, through the library: one output line per input line, no
//! generated address with host bits survives wherever it is placed, lines keep their format.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use common::{has_host_bits, line_count, surviving};
use logscrub::format::clf;
use logscrub::pipeline::{self, Input, Options};
use logscrub::{Config, Format, ReferrerPolicy, RequestPolicy, Scrubber, UserPolicy};
use proptest::prelude::*;

fn scrub(cfg: &Config, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Scrubber::new(cfg).scrub(input, &mut out);
    out
}

/// An address and one of the ways logs write it.
fn written_addr() -> impl Strategy<Value = (IpAddr, String)> {
    let v4 = any::<u32>().prop_map(|n| IpAddr::V4(Ipv4Addr::from(n)));
    let v6 = prop_oneof![
        any::<u128>(),
        // Zero runs, so that `::` compression shows up.
        (any::<u64>(), any::<u16>()).prop_map(|(hi, lo)| (u128::from(hi) << 64) | u128::from(lo)),
        any::<u32>().prop_map(|n| 0xffff_0000_0000 | u128::from(n)),
    ]
    .prop_map(|n| IpAddr::V6(Ipv6Addr::from(n)));
    (prop_oneof![v4, v6], 0..5u8).prop_map(|(addr, style)| {
        let text = match (addr, style) {
            (IpAddr::V4(a), 0 | 1) => a.to_string(),
            (IpAddr::V4(a), _) => format!("{a}:{}", 1024 + u16::from(style)),
            (IpAddr::V6(a), 0) => a.to_string(),
            (IpAddr::V6(a), 1) => a.to_string().to_uppercase(),
            (IpAddr::V6(a), 2) => format!("[{a}]:443"),
            (IpAddr::V6(a), 3) => format!("[{a}]"),
            (IpAddr::V6(a), _) => format!("{a}%eth0"),
        };
        (addr, text)
    })
}

/// A combined line with addresses in the client field, the URL path and query, the referrer
/// host and query, the user agent and a trailing X-Forwarded-For list.
fn line_with_addrs() -> impl Strategy<Value = (Vec<IpAddr>, String)> {
    (
        proptest::collection::vec(written_addr(), 7),
        "[a-z]{1,8}",
        "[ -~&&[^\"\\\\]]{0,20}",
    )
        .prop_map(|(addrs, word, agent)| {
            let t: Vec<&str> = addrs.iter().map(|(_, text)| text.as_str()).collect();
            let line = format!(
                "{} - - [10/Oct/2023:13:55:36 +0200] \"GET /{word}/{}?from={}&x=1 HTTP/1.1\" 200 5 \"http://{}/p?ip={}\" \"{agent} ({})\" \"{}, 10.0.0.1\"",
                t[0], t[1], t[2], t[3], t[4], t[5], t[6]
            );
            (addrs.into_iter().map(|(a, _)| a).collect(), line)
        })
}

fn policies() -> Vec<Config> {
    vec![
        Config::default(),
        Config::builder()
            .referrer(ReferrerPolicy::Keep)
            .request(RequestPolicy::Keep)
            .user(UserPolicy::Keep)
            .build()
            .unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_generated_address_survives((addrs, line) in line_with_addrs()) {
        for cfg in policies() {
            let out = scrub(&cfg, line.as_bytes());
            let left = surviving(line.as_bytes(), &out);
            prop_assert!(left.is_empty(), "{:?} survive in {}", left, String::from_utf8_lossy(&out));
            // The extractor must see what was generated, or the check above proves nothing.
            let seen = common::addresses(line.as_bytes());
            for addr in addrs.iter().filter(|a| has_host_bits(a)) {
                prop_assert!(seen.contains(addr), "extractor missed {}", addr);
            }
            let parsed = clf::parse(&out, Format::Combined);
            prop_assert!(parsed.is_some(), "no longer combined: {}", String::from_utf8_lossy(&out));
        }
    }

    #[test]
    fn line_count_is_kept_for_any_bytes(input in proptest::collection::vec(any::<u8>(), 0..400)) {
        for cfg in policies() {
            let out = scrub(&cfg, &input);
            prop_assert_eq!(line_count(&out), line_count(&input));
            prop_assert_eq!(input.ends_with(b"\n"), out.ends_with(b"\n"));
        }
    }

    #[test]
    fn lines_are_scrubbed_independently(a in "[ -~]{0,80}", b in "[ -~]{0,80}") {
        let cfg = Config::default();
        let joined = scrub(&cfg, format!("{a}\n{b}\n").as_bytes());
        let separate = [scrub(&cfg, format!("{a}\n").as_bytes()), scrub(&cfg, format!("{b}\n").as_bytes())].concat();
        prop_assert_eq!(joined, separate);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any thread count and chunk size give the same bytes as one thread.
    #[test]
    fn parallel_output_equals_serial(
        lines in proptest::collection::vec("[ -~]{0,60}|[0-9.]{7,15} - - \\[t\\] \"GET /[a-z?=&@.]{0,20} HTTP/1.1\" 200 1", 0..60),
        threads in 2usize..6,
        chunk_size in 1usize..300,
    ) {
        let data = lines.join("\n");
        let path = std::env::temp_dir().join(format!("logscrub-prop-{}-{threads}-{chunk_size}", std::process::id()));
        std::fs::write(&path, &data).unwrap();
        let inputs = [Input::Path(path.clone())];
        let cfg = Config::default();
        let mut serial = Vec::new();
        let one = Options { threads: 1, chunk_size, ..Options::default() };
        pipeline::run(&cfg, &inputs, &mut serial, &one, &mut |_| {}).unwrap();
        let mut parallel = Vec::new();
        let many = Options { threads, chunk_size, ..Options::default() };
        pipeline::run(&cfg, &inputs, &mut parallel, &many, &mut |_| {}).unwrap();
        std::fs::remove_file(&path).unwrap();
        prop_assert_eq!(line_count(&serial), line_count(data.as_bytes()));
        prop_assert!(serial == parallel);
    }
}
