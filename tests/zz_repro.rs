use logscrub::{Config, Format, ReferrerPolicy, RequestPolicy, Scrubber, UserPolicy};
#[test]
fn repro() {
    let input = std::fs::read("/tmp/fz/in1").unwrap();
    for f in [Format::Alb, Format::Auto] {
        let cfg = Config::builder()
            .format(f)
            .referrer(ReferrerPolicy::Keep)
            .request(RequestPolicy::Keep)
            .user(UserPolicy::Keep)
            .build()
            .unwrap();
        let mut s = Scrubber::new(&cfg);
        s.set_layout(cfg.layout_for(&input));
        let mut out = Vec::new();
        s.scrub(&input, &mut out);
        eprintln!("{:?} {:?}", f, String::from_utf8_lossy(&out));
        let mut s = Scrubber::new(&cfg);
        let mut out = Vec::new();
        s.scrub(&input, &mut out);
        eprintln!("nolayout {:?} {:?}", f, String::from_utf8_lossy(&out));
    }
}
