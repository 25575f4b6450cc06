//! Scrubbing time grows linearly with the length of a line, whatever the line holds: a crafted
//! request line must not stall a piped logger. Each pattern repeated to fill a line of n and of
//! 2n bytes; the longer line may take at most about twice as long (best of five runs, the best
//! of three such ratios, with slack for a shared machine; a quadratic scan takes four times as
//! long).

use std::time::{Duration, Instant};

use logscrub::{Config, Scrubber};

fn line(pattern: &str, len: usize) -> Vec<u8> {
    let body = pattern.repeat(len / pattern.len());
    format!(
        "192.0.2.1 - - [10/Oct/2023:13:55:36 +0200] \"GET /?q={body} HTTP/1.1\" 200 5 \"{body}\" \"{body}\" \"{body}\"\n"
    )
    .into_bytes()
}

fn best_of_five(cfg: &Config, input: &[u8]) -> Duration {
    let mut out = Vec::new();
    (0..5)
        .map(|_| {
            let mut scrubber = Scrubber::new(cfg);
            out.clear();
            let start = Instant::now();
            scrubber.scrub(input, &mut out);
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn doubling_a_line_at_most_doubles_the_time() {
    let cfg = Config::default();
    let patterns = [
        "%40", "%2540", "a@", "a=", "1.", "1:", "ab:", "?a=b&", "+1 ", "0 ", "2 ", "x%2540y.",
        "(a;", "A\\b", "eyJ.", "[a]", "1-", "@2x.",
    ];
    // Some scans are quadratic only in a cheap inner step (`memchr` to the end of the line for
    // each of many unclosed values), which shows on longer lines only.
    let sized = patterns
        .iter()
        .map(|&p| (p, 8 << 10))
        .chain([("user=<", 512 << 10)]);
    for (pattern, size) in sized {
        // A loaded machine can slow one measurement down: the best of three ratios counts.
        let (mut best, mut detail) = (f64::MAX, String::new());
        for _ in 0..3 {
            let short = best_of_five(&cfg, &line(pattern, size));
            let long = best_of_five(&cfg, &line(pattern, 2 * size));
            let ratio = long.as_secs_f64() / short.as_secs_f64().max(1e-6);
            if ratio < best {
                best = ratio;
                detail = format!("{short:?} for {size} bytes, {long:?} for twice as many");
            }
            if best < 2.5 {
                break;
            }
        }
        assert!(best < 3.0, "{pattern:?}: {detail} ({best:.1}×)");
    }
}
