//! Every format parser on any bytes: the first byte picks the format; for `--log-format` and
//! `--nginx-format` the first line is the format string. No panic; every parsed line's field
//! ranges are in bounds, in order and apart; the scrubbed output keeps the line count and
//! `logscrub check` (reading it in the input's format) finds nothing in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscrub::check::Auditor;
use logscrub::config::CustomFormat;
use logscrub::format::Field;
use logscrub::{Config, Format, Scrubber};

const FORMATS: [Format; 9] = [
    Format::Json,
    Format::W3c,
    Format::Haproxy,
    Format::Elb,
    Format::Alb,
    Format::S3,
    Format::VhostCombined,
    Format::CombinedXff,
    Format::Auto,
];

fn lines(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let builder = Config::builder();
    let (builder, input) = match pick % 11 {
        n @ 0..=8 => (builder.format(FORMATS[usize::from(n)]), rest),
        n => {
            let end = memchr(rest);
            let Ok(format) = std::str::from_utf8(&rest[..end]) else { return };
            let custom = if n == 9 {
                CustomFormat::Apache(format.to_string())
            } else {
                CustomFormat::Nginx(format.to_string())
            };
            (builder.custom_format(custom), &rest[(end + 1).min(rest.len())..])
        }
    };
    let Ok(cfg) = builder.build() else { return };

    let mut layout = cfg.layout_for(input);
    let mut fields: Vec<Field> = Vec::new();
    for line in input.split(|&b| b == b'\n') {
        if layout.directive(line) || !layout.parse(line, &mut fields) {
            continue;
        }
        let mut end = 0;
        for field in &fields {
            assert!(end <= field.range.start && field.range.start <= field.range.end);
            assert!(field.range.end <= line.len());
            end = field.range.end;
        }
    }

    let mut scrubber = Scrubber::new(&cfg);
    scrubber.set_layout(cfg.layout_for(input));
    let mut out = Vec::new();
    scrubber.scrub(input, &mut out);
    assert_eq!(lines(input), lines(&out));
    let mut auditor = Auditor::new(&cfg);
    // Read the output in the format recognised for the input, as the scrubber did.
    auditor.set_layout(cfg.layout_for(input));
    auditor.check(&out);
    assert!(auditor.audit().is_clean(), "check found personal data in scrubbed output");
});

/// The end of the first line.
fn memchr(s: &[u8]) -> usize {
    s.iter().position(|&b| b == b'\n').unwrap_or(s.len())
}
