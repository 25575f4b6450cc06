//! `--agent reduce|drop` in every format with a user-agent field, and the fingerprint figures
//! of `--stats`.

mod common;

use common::run;

const CHROME: &str = "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36";
const REDUCED: &str = "Mozilla/5.0 (Linux; Android 13; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36";

/// Arguments, an input with `{UA}`, and how the format writes an agent.
type Case = (Vec<&'static str>, String, fn(&str) -> String);

fn cases() -> Vec<Case> {
    let plain: fn(&str) -> String = |ua| ua.to_string();
    let w3c: fn(&str) -> String = |ua| ua.replace(' ', "+");
    vec![
        (
            vec!["-f", "combined"],
            "192.0.2.7 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"{UA}\"\n".into(),
            plain,
        ),
        (
            vec!["-f", "vhost_combined"],
            "www.example.com:443 192.0.2.7 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"{UA}\"\n".into(),
            plain,
        ),
        (
            vec!["-f", "json"],
            "{\"remote_addr\":\"192.0.2.7\",\"request\":\"GET / HTTP/1.1\",\"http_user_agent\":\"{UA}\"}\n".into(),
            plain,
        ),
        (
            vec!["-f", "w3c"],
            "#Fields: date time c-ip cs-method cs-uri-stem cs(User-Agent) sc-status\n2024-05-17 10:00:00 192.0.2.7 GET / {UA} 200\n".into(),
            w3c,
        ),
        (
            vec!["-f", "alb"],
            "https 2020-01-01T00:55:04.127531Z app/my-alb/abcdef 192.0.2.7:2817 10.0.0.1:80 0.001 0.102 0.000 200 200 225 24950 \"GET https://www.example.com:443/ HTTP/1.1\" \"{UA}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2\n".into(),
            plain,
        ),
    ]
}

#[test]
fn agents_are_reduced_and_dropped_in_every_format() {
    for (args, template, spell) in cases() {
        let input = template.replace("{UA}", &spell(CHROME));
        let reduce = [args.clone(), vec!["--agent", "reduce"]].concat();
        let out = run(&reduce, input.as_bytes());
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&spell(REDUCED)), "{args:?}: {text}");
        assert!(
            !text.contains("SM-A536B") && !text.contains("6045"),
            "{args:?}: {text}"
        );
        let drop = [args.clone(), vec!["--agent", "drop"]].concat();
        let text = String::from_utf8(run(&drop, input.as_bytes()).stdout).unwrap();
        assert!(!text.contains("Mozilla"), "{args:?}: {text}");
        let keep = String::from_utf8(run(&args, input.as_bytes()).stdout).unwrap();
        assert!(keep.contains(&spell(CHROME)), "{args:?}: {keep}");
    }
}

#[test]
fn agents_in_haproxy_captures_are_reduced() {
    let line = format!(
        "Jul 30 09:03:52 lb haproxy[32450]: 192.0.2.7:38862 [30/Jul/2018:09:03:52.726] fe~ be/web 0/0/1/0/2 200 168 - - ---- 6/6/0/0/0 0/0 {{www.example.com|{CHROME}}} {{|}} \"GET / HTTP/1.1\"\n"
    );
    let out = run(&["-f", "haproxy", "--agent", "reduce"], line.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("{{www.example.com|{REDUCED}}} {{|}}")),
        "{text}"
    );
    let out = run(&["-f", "haproxy", "--agent", "drop"], line.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("{www.example.com|} {|}"), "{text}");
}

#[test]
fn stats_measure_the_fingerprint() {
    let mut input = String::new();
    for build in ["6045.163", "6045.105", "6045.199"] {
        let ua = CHROME.replace("6045.163", build);
        input.push_str(&format!(
            "192.0.2.7 - - [10/Oct/2023:13:55:36 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"{ua}\"\n"
        ));
    }
    let out = run(&["--agent", "reduce", "--stats"], input.as_bytes());
    let stats = String::from_utf8(out.stderr).unwrap();
    assert!(
        stats.contains("user agents: 3 distinct in, 1 out; entropy 1.58 bits in, 0.00 out"),
        "{stats}"
    );
}
