//! Property tests of the invariants, through the library: one output line per input line, no
//! generated address with host bits survives wherever it is placed (in combined, W3C and JSON
//! lines, under every address policy), lines keep their format, and any thread count and
//! chunk size write what one thread writes.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use common::{has_host_bits, line_count, surviving};
use logscrub::format::clf;
use logscrub::pipeline::{self, Input, Options};
use logscrub::{
    Config, Format, IpPolicy, Key, ReferrerPolicy, RequestPolicy, Scrubber, UserPolicy,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

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
        for cfg in policies().into_iter().chain(address_policies()) {
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

/// Columns a generated `#Fields:` header may name, in any order; those with addresses get
/// generated ones.
const W3C_COLUMNS: [&str; 7] = [
    "date",
    "time",
    "c-ip",
    "s-ip",
    "cs-uri-stem",
    "cs(Referer)",
    "cs-uri-query",
];

/// The columns a W3C row writes its five generated addresses in: the referrer takes two, in
/// its host and its query.
const ADDRESS_COLUMNS: [&str; 5] = ["c-ip", "s-ip", "cs(Referer)", "cs(Referer)", "cs-uri-query"];

/// A W3C log: blocks of a `#Fields:` header and rows under it. A header that names no column
/// (bare or with blanks) leaves the columns as they were, and the rows under it are written in
/// those; before any columns, rows are written in all of [`W3C_COLUMNS`], which no reader
/// takes as data. Terminators are `\n` or `\r\n`, and the last line may have none.
fn w3c_log() -> impl Strategy<Value = (Vec<IpAddr>, String)> {
    let header =
        proptest::sample::subsequence(W3C_COLUMNS.to_vec(), 0..=W3C_COLUMNS.len()).prop_shuffle();
    let rows = proptest::collection::vec(proptest::collection::vec(written_addr(), 5), 1..4);
    let blocks = proptest::collection::vec((header, "[ \t]{0,2}", rows), 1..4);
    (blocks, prop_oneof![Just("\n"), Just("\r\n")], any::<bool>()).prop_map(
        |(blocks, eol, last_eol)| {
            let mut generated = Vec::new();
            let mut lines = Vec::new();
            let mut columns: Option<Vec<&str>> = None;
            for (header, blanks, rows) in blocks {
                lines.push(format!("#Fields:{blanks}{}", header.join(" ")));
                if !header.is_empty() {
                    columns = Some(header);
                }
                let names = columns.as_deref().unwrap_or(&W3C_COLUMNS);
                for row in rows {
                    let t: Vec<&str> = row.iter().map(|(_, text)| text.as_str()).collect();
                    let values: Vec<String> = names
                        .iter()
                        .map(|&name| match name {
                            "date" => "2024-03-05".to_string(),
                            "time" => "10:00:01".to_string(),
                            "c-ip" => t[0].to_string(),
                            "s-ip" => t[1].to_string(),
                            "cs-uri-stem" => "/a/b.html".to_string(),
                            "cs(Referer)" => format!("http://{}/p?ip={}", t[2], t[3]),
                            _ => format!("from={}&x=1", t[4]),
                        })
                        .collect();
                    lines.push(values.join(" "));
                    let written = row.iter().zip(ADDRESS_COLUMNS);
                    generated.extend(
                        written
                            .filter(|(_, column)| names.contains(column))
                            .map(|((addr, _), _)| *addr),
                    );
                }
            }
            let mut log = lines.join(eol);
            if last_eol {
                log.push_str(eol);
            }
            (generated, log)
        },
    )
}

/// JSON lines with an address under a client, forwarding or unknown key, a user, a referrer
/// and a request with addresses in them, some nested as Caddy nests them.
fn json_log() -> impl Strategy<Value = (Vec<IpAddr>, String)> {
    let line = (
        prop_oneof![
            Just("remote_addr"),
            Just("ClientHost"),
            Just("X-Forwarded-For"),
            Just("peer_ip"),
            Just("note"),
        ],
        prop_oneof![Just("remote_user"), Just("user_id"), Just("username")],
        "[a-z]{1,8}",
        prop_oneof![Just("http_referer"), Just("Referer"), Just("cs_referer")],
        proptest::collection::vec(written_addr(), 5),
        any::<bool>(),
    )
        .prop_map(|(addr_key, user_key, user, referrer_key, addrs, nested)| {
            let t: Vec<&str> = addrs.iter().map(|(_, text)| text.as_str()).collect();
            let fields = format!(
                r#""{addr_key}":"{}","{user_key}":"{user}","{referrer_key}":"http://{}/p?ip={}","request":"GET /{}?from={} HTTP/1.1""#,
                t[0], t[1], t[2], t[3], t[4]
            );
            let line = if nested {
                format!(r#"{{"ts":1696938936.1,"request":{{{fields}}}}}"#)
            } else {
                format!(r#"{{"time":"2023-10-10T13:55:36+02:00",{fields}}}"#)
            };
            (addrs.into_iter().map(|(a, _)| a).collect::<Vec<_>>(), line)
        });
    proptest::collection::vec(line, 1..5).prop_map(|lines| {
        let generated = lines.iter().flat_map(|(a, _)| a.clone()).collect();
        let text: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
        (generated, text.join("\n") + "\n")
    })
}

/// The default and the address policies beside it: hashing (with a fixed key), wider masks,
/// dropping, and a referrer kept (addresses in it are still scrubbed).
fn address_policies() -> Vec<Config> {
    let key = "6c6f677363727562206265636e63686d61726b206b65792c2033322062797465";
    let key = Key::decode(key.as_bytes(), "test").unwrap();
    let builders = [
        Config::builder(),
        Config::builder().ip(IpPolicy::Hash).key(key),
        Config::builder().ipv4_mask(16),
        Config::builder().ipv4_mask(32).ipv6_mask(128),
        Config::builder().ip(IpPolicy::Drop),
        Config::builder().referrer(ReferrerPolicy::Keep),
    ];
    builders.into_iter().map(|b| b.build().unwrap()).collect()
}

/// Scrubs `input` as the binary reads it: its format recognised from its start.
fn scrub_as_read(cfg: &Config, input: &[u8]) -> Vec<u8> {
    let mut scrubber = Scrubber::new(cfg);
    scrubber.set_layout(cfg.layout_for(input));
    let mut out = Vec::new();
    scrubber.scrub(input, &mut out);
    out
}

/// Under every address policy, `log` keeps its line count and none of its addresses with host
/// bits, all of which were `generated`.
fn no_address_survives(generated: &[IpAddr], log: &str) -> Result<(), TestCaseError> {
    // The extractor must see what was generated, or the check below proves nothing.
    let seen = common::addresses(log.as_bytes());
    for addr in generated.iter().filter(|a| has_host_bits(a)) {
        prop_assert!(seen.contains(addr), "extractor missed {}", addr);
    }
    for cfg in address_policies() {
        let out = scrub_as_read(&cfg, log.as_bytes());
        prop_assert_eq!(line_count(&out), line_count(log.as_bytes()));
        let left = surviving(log.as_bytes(), &out);
        prop_assert!(
            left.is_empty(),
            "{:?} survive {:?} in\n{}",
            left,
            cfg.ip(),
            String::from_utf8_lossy(&out)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_generated_address_survives_in_w3c((generated, log) in w3c_log()) {
        no_address_survives(&generated, &log)?;
    }

    #[test]
    fn no_generated_address_survives_in_json((generated, log) in json_log()) {
        no_address_survives(&generated, &log)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// W3C and JSON logs under any address policy: 4 threads and small chunks (cutting a log
    /// between a `#Fields:` header and its rows) write what 1 thread writes, in chunks of the
    /// same size and in one chunk.
    #[test]
    fn w3c_and_json_parallel_output_equals_serial(
        (_, log) in prop_oneof![w3c_log(), json_log()],
        policy in 0..6usize,
        chunk_size in 1usize..120,
    ) {
        let cfg = &address_policies()[policy];
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &log).unwrap();
        let inputs = [Input::Path(file.path().to_path_buf())];
        let run = |threads, chunk_size| {
            let options = Options { threads, chunk_size, ..Options::default() };
            let mut out = Vec::new();
            pipeline::run(cfg, &inputs, &mut out, &options, &mut |_| {}).unwrap();
            out
        };
        let serial = run(1, Options::default().chunk_size);
        prop_assert_eq!(line_count(&serial), line_count(log.as_bytes()));
        for threads in [1, 4] {
            let out = run(threads, chunk_size);
            prop_assert!(
                out == serial,
                "{} threads, chunks of {}:\n{}\nserial:\n{}",
                threads,
                chunk_size,
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&serial)
            );
        }
    }
}
