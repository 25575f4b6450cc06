//! The parse-and-redact hot path on the real corpus, one thread, no I/O.
//!
//! Run with `cargo bench --bench hot_path`. Needs `../shared/corpus/real/` (skipped with a message
//! when absent).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use logscrub::{Config, IpPolicy, Key, ReferrerPolicy, RequestPolicy, Scrubber, UserPolicy};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");

/// Every real corpus file, concatenated (each ending in a newline).
fn corpus() -> Option<Vec<u8>> {
    let dir = Path::new(CORPUS);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    let mut all = Vec::new();
    for path in paths {
        all.extend(std::fs::read(&path).ok()?);
        if all.last() != Some(&b'\n') {
            all.push(b'\n');
        }
    }
    Some(all)
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
    let Some(input) = corpus() else {
        eprintln!("skipping hot_path: {CORPUS} is not present");
        return;
    };
    let mut group = c.benchmark_group("hot_path");
    group.throughput(Throughput::Bytes(input.len() as u64));
    for (name, config) in policies() {
        let mut scrubber = Scrubber::new(&config);
        let mut out = Vec::with_capacity(input.len() * 2);
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                scrubber.scrub(&input, &mut out);
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
