//! The parse-and-redact hot path on the real corpus, one thread, no I/O.
//!
//! Run with `cargo bench --bench hot_path`. Needs `../shared/corpus/real/` (skipped with a message
//! when absent).
//!
//! `hot_path/*` scrubs every real log in the format recognised for it, per policy.
//! `formats/*` scrubs the real combined logs with the built-in combined parser and with the same
//! format given as an Apache `LogFormat` and as an nginx `log_format` string (compiled
//! templates), under the default policy and with everything kept (parsing alone).
//! `distinct_clients/*` scrubs the real combined logs with every line's client replaced by an
//! address of its own (the lines of `benches/compare.py`'s file b), per policy, with a fresh
//! scrubber for each iteration so that no cache has seen an address before: the case where
//! per-address work cannot be amortised.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use logscrub::config::CustomFormat;
use logscrub::{
    Config, ConfigBuilder, Format, IpPolicy, Key, ReferrerPolicy, RequestPolicy, Scrubber,
    UserPolicy,
};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");

/// Every real corpus file, by name.
fn corpus() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = Path::new(CORPUS);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let mut data = std::fs::read(&path).ok()?;
        if data.last() != Some(&b'\n') {
            data.push(b'\n');
        }
        files.push((path.file_name()?.to_string_lossy().into_owned(), data));
    }
    Some(files)
}

/// A fixed key, so that runs are comparable.
fn key() -> Key {
    Key::from_bytes(*b"logscrub benchmark key, 32 bytes")
}

/// Everything but the IP policy set to `keep`, to compare IP policies alone.
fn ip_only(ip: IpPolicy) -> Config {
    Config::builder()
        .ip(ip)
        .key(key())
        .referrer(ReferrerPolicy::Keep)
        .request(RequestPolicy::Keep)
        .user(UserPolicy::Keep)
        .build()
        .unwrap()
}

fn policies() -> Vec<(&'static str, Config)> {
    vec![
        ("default", Config::default()),
        ("mask_only", ip_only(IpPolicy::Mask)),
        ("hash_only", ip_only(IpPolicy::Hash)),
        ("prefix_only", ip_only(IpPolicy::Prefix)),
        (
            "keep_all",
            Config::builder()
                .ip(IpPolicy::Keep)
                .referrer(ReferrerPolicy::Keep)
                .request(RequestPolicy::Keep)
                .user(UserPolicy::Keep)
                .build()
                .unwrap(),
        ),
    ]
}

fn hot_path(c: &mut Criterion) {
    let Some(files) = corpus() else {
        eprintln!("skipping hot_path: {CORPUS} is not present");
        return;
    };
    let bytes: usize = files.iter().map(|(_, data)| data.len()).sum();
    let mut group = c.benchmark_group("hot_path");
    group.throughput(Throughput::Bytes(bytes as u64));
    for (name, config) in policies() {
        let layouts: Vec<_> = files
            .iter()
            .map(|(_, data)| config.layout_for(data))
            .collect();
        let mut scrubber = Scrubber::new(&config);
        let mut out = Vec::with_capacity(bytes * 2);
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                for ((_, data), layout) in files.iter().zip(&layouts) {
                    scrubber.set_layout(layout.clone());
                    scrubber.scrub(data, &mut out);
                }
                out.len()
            })
        });
    }
    group.finish();
}

const APACHE_COMBINED: &str = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
const NGINX_COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

fn formats(c: &mut Criterion) {
    let Some(files) = corpus() else {
        eprintln!("skipping formats: {CORPUS} is not present");
        return;
    };
    let input: Vec<u8> = files
        .iter()
        .filter(|(name, _)| name.ends_with("-combined.log"))
        .flat_map(|(_, data)| data.iter().copied())
        .collect();
    let mut group = c.benchmark_group("formats");
    group.throughput(Throughput::Bytes(input.len() as u64));
    let keep_all = || {
        Config::builder()
            .ip(IpPolicy::Keep)
            .referrer(ReferrerPolicy::Keep)
            .request(RequestPolicy::Keep)
            .user(UserPolicy::Keep)
    };
    type Setup = fn(ConfigBuilder) -> ConfigBuilder;
    let parsers: [(&str, Setup); 3] = [
        ("builtin", |b| b.format(Format::Combined)),
        ("apache", |b| {
            b.custom_format(CustomFormat::Apache(APACHE_COMBINED.into()))
        }),
        ("nginx", |b| {
            b.custom_format(CustomFormat::Nginx(NGINX_COMBINED.into()))
        }),
    ];
    for (policy, start) in [
        ("default", Config::builder as fn() -> ConfigBuilder),
        ("keep_all", keep_all),
    ] {
        for (parser, set) in parsers {
            let config = set(start()).build().unwrap();
            let mut scrubber = Scrubber::new(&config);
            let mut out = Vec::with_capacity(input.len() * 2);
            scrubber.scrub(&input, &mut out);
            // The corpus has one malformed line; every parser must see the same lines.
            assert_eq!(
                scrubber.stats().fallback_lines,
                1,
                "{parser}: fail-safe lines"
            );
            group.bench_function(format!("{policy}/{parser}"), |b| {
                b.iter(|| {
                    out.clear();
                    scrubber.scrub(&input, &mut out);
                    out.len()
                })
            });
        }
    }
    group.finish();
}

/// The combined logs that `benches/compare.py` builds its files from.
const COMBINED_SOURCES: [&str; 3] = [
    "elastic-apache-combined.log",
    "logparser-hackers-combined.log",
    "lnav-shop-nginx-xff.log",
];

/// First octets of public unicast IPv4 space, leaving out the /8s that hold private,
/// loopback, shared, link-local, benchmarking and documentation ranges.
fn public_first_octets() -> Vec<u8> {
    (1..=223)
        .filter(|o| ![10, 100, 127, 169, 172, 192, 198, 203].contains(o))
        .collect()
}

/// The client address of line `n` (counted from 0) of file b: a different /24 for every line
/// (a bijection of the line number onto the /24s under [`public_first_octets`]), the same
/// derivation as `distinct_client` in `benches/compare.py`.
fn distinct_client(n: u64, firsts: &[u8]) -> String {
    let m = firsts.len() as u64 * 65536;
    let s = (n * 2_654_435_761 + 12_345) % m;
    format!(
        "{}.{}.{}.{}",
        firsts[(s >> 16) as usize],
        (s >> 8) & 255,
        s & 255,
        1 + n % 254
    )
}

fn distinct_clients(c: &mut Criterion) {
    let Some(files) = corpus() else {
        eprintln!("skipping distinct_clients: {CORPUS} is not present");
        return;
    };
    let firsts = public_first_octets();
    let mut n = 0;
    let inputs: Vec<Vec<u8>> = COMBINED_SOURCES
        .iter()
        .filter_map(|name| files.iter().find(|(f, _)| f == name))
        .map(|(_, data)| {
            let mut out = Vec::with_capacity(data.len() + data.len() / 8);
            for line in data.split_inclusive(|&b| b == b'\n') {
                match line.iter().position(|&b| b == b' ') {
                    Some(space) => {
                        out.extend_from_slice(distinct_client(n, &firsts).as_bytes());
                        out.extend_from_slice(&line[space..]);
                    }
                    None => out.extend_from_slice(line),
                }
                n += 1;
            }
            out
        })
        .collect();
    let bytes: usize = inputs.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("distinct_clients");
    group.throughput(Throughput::Bytes(bytes as u64));
    for (name, config) in policies() {
        let layouts: Vec<_> = inputs.iter().map(|data| config.layout_for(data)).collect();
        group.bench_function(name, |b| {
            b.iter_batched(
                || (Scrubber::new(&config), Vec::with_capacity(bytes * 2)),
                |(mut scrubber, mut out)| {
                    for (data, layout) in inputs.iter().zip(&layouts) {
                        scrubber.set_layout(layout.clone());
                        scrubber.scrub(data, &mut out);
                    }
                    (scrubber, out)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, hot_path, formats, distinct_clients);
criterion_main!(benches);
