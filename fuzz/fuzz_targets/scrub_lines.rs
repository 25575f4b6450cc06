//! Whole lines of any bytes through the scrubber under several policies: no panic, one output
//! line per input line, and `logscrub check` finds nothing in the output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscrub::check::Auditor;
use logscrub::{Config, IpPolicy, ReferrerPolicy, RequestPolicy, Scrubber};

fuzz_target!(|data: &[u8]| {
    let configs = [
        Config::default(),
        Config::builder().ip(IpPolicy::Drop).build().unwrap(),
        Config::builder()
            .referrer(ReferrerPolicy::Redact)
            .request(RequestPolicy::Strip)
            .build()
            .unwrap(),
    ];
    let lines = data.iter().filter(|&&b| b == b'\n').count()
        + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    for cfg in &configs {
        let mut out = Vec::new();
        // As the binary does: the input's format is recognised from its first lines.
        let mut scrubber = Scrubber::new(cfg);
        scrubber.set_layout(cfg.layout_for(data));
        scrubber.scrub(data, &mut out);
        let out_lines = out.iter().filter(|&&b| b == b'\n').count()
            + usize::from(!out.is_empty() && !out.ends_with(b"\n"));
        assert_eq!(lines, out_lines);
        let mut auditor = Auditor::new(cfg);
        auditor.check(&out);
        assert!(auditor.audit().is_clean(), "check found personal data in scrubbed output");
    }
});
