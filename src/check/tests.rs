use super::*;
use crate::config::CustomFormat;

fn findings(cfg: &Config, input: &str) -> Vec<(Class, u64)> {
    let mut auditor = Auditor::new(cfg);
    auditor.check(input.as_bytes());
    let audit = auditor.audit();
    Class::ALL
        .iter()
        .flat_map(|&k| audit.first_lines(k).iter().map(move |&n| (k, n)))
        .collect()
}

fn classes(cfg: &Config, line: &str) -> Vec<Class> {
    let mut auditor = Auditor::new(cfg);
    auditor.check(line.as_bytes());
    let audit = auditor.audit();
    Class::ALL
        .into_iter()
        .filter(|&c| audit.count(c) > 0)
        .collect()
}

/// The audit is its own implementation: nothing under `src/check/` uses the scrubber's
/// redactors.
#[test]
fn shares_nothing_with_the_redactors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let needle = ["redact", "::"].concat();
        assert!(
            !text.contains(&needle),
            "{} mentions the scrubber's redactors",
            path.display()
        );
        read += 1;
    }
    assert!(read >= 5);
}

/// Found by fuzzing the old audit: a query field followed by literal text (`"%q}i"`) was read
/// with that text as part of its last value.
#[test]
fn queries_in_fields_end_with_the_field() {
    let cfg = Config::builder()
        .custom_format(CustomFormat::Apache(r#"%h "%q}i""#.into()))
        .build()
        .unwrap();
    assert_eq!(
        findings(&cfg, "203.0.113.0 \"?file=a.pdf&email=REDACTED}i\"\n"),
        vec![]
    );
    assert_eq!(
        findings(&cfg, "203.0.113.0 \"?file=a.pdf&email=x}i\"\n"),
        vec![(Class::Parameter, 1)]
    );
}

#[test]
fn finds_each_class_by_line() {
    let cfg = Config::default();
    let line = |rest: &str| {
        format!("203.0.113.0 - - [10/Oct/2023:13:55:36 +0200] \"GET {rest} HTTP/1.1\" 200 1 \"-\" \"UA/1.0\"")
    };
    let cases: &[(&str, Class)] = &[
        ("/?x=192.0.2.44", Class::Ip),
        ("/u/jane.doe%40example.org", Class::Email),
        ("/u/ana%2540example.net", Class::Email),
        ("/p?sid=abc", Class::Parameter),
        ("/p?t=AKIAIOSFODNN7EXAMPLE", Class::Credential),
        ("/reset/Ab12Cd34", Class::Token),
        ("/call/%2B4930123456", Class::Phone),
        ("/pay/4111111111111111", Class::Card),
        ("/iban/DE89370400440532013000", Class::Iban),
        ("/o/3f2b8c1e-9d4a-4e7b-b6a1-2c5d8e9f0a1b", Class::Uuid),
        ("/maps/@48.137154,11.576124,15z", Class::Coordinates),
    ];
    for (target, class) in cases {
        let found = classes(&cfg, &line(target));
        assert!(
            found.contains(class) && found.len() <= 2,
            "{target}: {found:?}"
        );
    }
    let clf =
        "dsl-1.dyn.example.net - jane [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1\n";
    assert_eq!(classes(&cfg, clf), [Class::ClientHost, Class::User]);
    let referrer = "203.0.113.0 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1 \"http://u:p@intranet/\" \"-\"";
    assert!(classes(&cfg, referrer).contains(&Class::Userinfo));
}

#[test]
fn scrubbed_values_are_clean() {
    let cfg = Config::default();
    for line in [
        "203.0.113.0 - - [10/Oct/2023:13:55:36 +0200] \"GET /a?sid=REDACTED&q=REDACTED&page=2 HTTP/1.1\" 200 5 \"https://x.example/p\" \"Mozilla/5.0 (X11; rv:109.0) Gecko/20100101 Firefox/118.0\" \"sess=REDACTED; n=5\"",
        "example.net - - [10/Oct/2023:13:55:36 +0200] \"GET /img/logo@2x.png HTTP/1.1\" 200 5 \"-\" \"Chrome/120.0.6099.109\"",
        "garbage foo=REDACTED x=1 Bearer REDACTED 2001:db8:: c-192-0-2-0.hsd1.example.net",
    ] {
        assert_eq!(classes(&cfg, line), [], "{line}");
    }
}

#[test]
fn counts_lines_not_findings() {
    let cfg = Config::default();
    let mut auditor = Auditor::new(&cfg);
    auditor.check("10.0.0.1 10.0.0.2\n".repeat(30).as_bytes());
    assert_eq!(auditor.audit().count(Class::Ip), 30);
    assert_eq!(auditor.audit().first_lines(Class::Ip).len(), LINES_KEPT);
}

#[test]
fn policies_decide_what_is_allowed() {
    let line = "203.0.113.9 - jane [10/Oct/2023:13:55:36 +0200] \"GET /a?sid=abc HTTP/1.1\" 200 5 \"https://x.example/?q=jane\" \"UA\"\n";
    let keep = Config::builder()
        .ip(IpPolicy::Keep)
        .user(UserPolicy::Keep)
        .request(RequestPolicy::Keep)
        .referrer(ReferrerPolicy::Keep)
        .build()
        .unwrap();
    assert_eq!(classes(&keep, line), []);
    let hash = Config::builder()
        .ip(IpPolicy::Hash)
        .user(UserPolicy::Hash)
        .build()
        .unwrap();
    let pseudonyms = "249.89.145.88 - u08a685bc42f6a7e7 [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"fda8:9d43::1\"\n";
    assert_eq!(classes(&hash, pseudonyms), []);
    assert_eq!(
        classes(&hash, line),
        [Class::Ip, Class::Parameter, Class::User]
    );
}

fn cfg_default() -> Config {
    Config::default()
}

/// Found by the differential fuzz target (`check_scrub`): written lines the scrubber rightly
/// leaves alone, which an earlier audit took for personal data.
#[test]
fn fuzz_regressions_are_clean() {
    let drop = Config::builder().ip(IpPolicy::Drop).build().unwrap();
    let hash = Config::builder().ip(IpPolicy::Hash).build().unwrap();
    for (cfg, line) in [
        // Names are ASCII with a letter: `7=…`, `u/=…`, `2_=…`, `\x8a=…` are no pairs.
        (&drop, "\u{8a}=\u{ff}"),
        (&drop, "7=\u{fffd}"),
        (&drop, "u/=x X)=x :4=x 2_=x m$0=z"),
        // Numbers: `.1`, `20.`; values end at `<` and `#`.
        (&drop, "a=.1 s=0. K=5<5 ?(G=#G="),
        // A name after `:` ends an address or a port (a pseudonym here).
        (&hash, "fd1b:e9db:1a93:e666:ec5e:b41f:e19f:c3ee=\u{d7}"),
        // `:::8`, `:8::8`, `.:00::5`, `arg_::3`, `é:6::`: no address after no word.
        (
            &drop,
            ":::8 :8::8 .:00::5 arg_::3 t_::e z_::9@3 2_::2 arg_4::",
        ),
        (&drop, "\u{e7}:6:: \u{ef}:5::44"),
        (&drop, "extVVVVVVVVVVVVV:!444444:A::A:0"),
        // Local parts and userinfo of letters and digits only.
        (&drop, "z1'@2.ur A://&@"),
        // An encoded `@` with no host after it; `\x` and a hex digit is an escape.
        (&drop, "Ore://Bv}ot%%%%40 . RO\\xb@b"),
        // Groups of twelve are no card's.
        (&drop, "2200+512950032200+5129:"),
        // A placeholder glues like a word; `/94::` after an address is its prefix length;
        // digits written by escapes (`%30`) make no address; groups of 4-5-4 no card.
        (&drop, "REDACTED::4~G 4177::4::/94::/::/jj94::/93"),
        (&drop, "2:7%25551::7%25551:"),
        (
            &cfg_default(),
            "\"::7:0%2545` 1::%2545`=: #V?XX\\XX\u{d8}X=#REDACTED F4\\F4\0",
        ),
        (&cfg_default(), ":8.0.0.0%308( 4*79 4 (4279 44079 4424 4"),
        // A pseudonym glued to an escape is read as written (`%24` + `5.189…` it is not).
        (&hash, "04~0.0520~%245.189.207.152%545.:544.:"),
        // `T5\fd78:…` is a pseudonym after a word, not a logon; `ab\cd`, `A\bc` are none.
        (
            &hash,
            "T5\\fd78:3099:9d68:38ee:a826:83b0:3803:3852 ab\\cd A\\bc",
        ),
        // U+FFFD is no letter of a local part or a domain.
        (&drop, "\u{fffd}#@5.\u{fffd}\u{fffd}"),
    ] {
        assert_eq!(classes(cfg, line), [], "{line}");
    }
    // The same shapes with data in them are found.
    let cfg = Config::default();
    assert_eq!(classes(&cfg, "x a1=secret"), [Class::Parameter]);
    assert_eq!(classes(&cfg, "peer:2001:db8::9"), [Class::Ip]);
    // After a placeholder as after a word: a logon before the colon was replaced.
    assert_eq!(classes(&cfg, "REDACTED:2001:db8::9"), [Class::Ip]);
    assert_eq!(classes(&cfg, "REDACTED:2001:db8::"), []);
    assert_eq!(classes(&cfg, "CONTOSO\\jane"), [Class::User]);
}

/// Credentials the scrubber keeps in free text and user agents (reported): the audit finds
/// them.
#[test]
fn digest_credentials_are_found() {
    let cfg = Config::default();
    for line in [
        "x Authorization: Digest username=\"jdoe\", realm=\"api\", response=\"6629fae4\"",
        "192.0.2.0 - - [10/Oct/2023:13:55:36 +0200] \"GET /a HTTP/1.1\" 200 5 \"-\" \"UA (Digest REDACTED\\\"jdoe\\\")\"",
    ] {
        assert!(classes(&cfg, line).contains(&Class::Credential), "{line}");
    }
}

/// Where the audit and the scrubber disagreed under fuzzing (`check_scrub`, 2026-12-01) and
/// the audit was the one to change: what it now reads as no finding, and the same shapes that
/// are findings.
#[test]
fn shapes_settled_with_the_scrubber() {
    let cfg = Config::default();
    for line in [
        // `&` and `=` are a query's, not a userinfo's.
        "W://&A@A",
        // A dashed quad after more groups of digits is a number.
        "05-5-010-4-5.example",
        // A domain that runs into a placeholder; a Google key's alphabet running on.
        "x 4AA@aA4.rrREDACTEDrrrrrr0. y",
        "AIza_____________________7______________",
        // RFC 7239 parameters.
        "x for=198.51.100.0;proto=https;by=unknown;host=a.example",
    ] {
        assert_eq!(classes(&cfg, line), [], "{line}");
    }
    for (line, class) in [
        ("http://bob:pw@host.example/", Class::Userinfo),
        ("c-5-010-4-5.example", Class::Ip),
        ("ec2-203-0-113-25.compute-1.example", Class::Ip),
        ("x whsec_abcdefghijklmnopqrstuvwx y", Class::Credential),
        ("x xapp-1-A0123456789 y", Class::Credential),
    ] {
        assert!(classes(&cfg, line).contains(&class), "{line}");
    }
}
