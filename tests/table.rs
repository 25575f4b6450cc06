//! Table tests in the manner of csv-core's `parses_to!`: every case is scrubbed each way
//! logscrub scrubs — [`Scrubber::scrub_line`] line by line, [`Scrubber::scrub`] on the whole
//! input, and [`pipeline::run`] with 1 and 4 threads and chunks of 1 byte, 7 bytes and the
//! default size — and each way must write exactly the expected bytes. Small chunks cut a W3C
//! file between a `#Fields:` header and the lines it names, so the columns a chunk starts with
//! are tested along with the scrubbing.
//!
//! The expected outputs were written by the binary and reviewed by eye: no address keeps host
//! bits, nothing personal is left. [`assert_scrubs_to`] checks the first of these again.

mod common;

use logscrub::pipeline::{self, Input, Options};
use logscrub::{Config, ConfigBuilder, Format, IpPolicy, Key, ReferrerPolicy, Scrubber};

/// `scrubs_to!(name, |builder| policy, input, expected)`: a test that scrubs `input` under
/// the policy every way and compares each output with `expected`.
macro_rules! scrubs_to {
    ($(#[$doc:meta])* $name:ident, $policy:expr, $input:expr, $expected:expr) => {
        $(#[$doc])*
        #[test]
        fn $name() {
            let policy: fn(ConfigBuilder) -> ConfigBuilder = $policy;
            let cfg = policy(Config::builder()).build().unwrap();
            assert_scrubs_to(&cfg, $input, $expected);
        }
    };
}

/// The key of `benches/identical.sh`, so that hashed addresses can be compared with its runs.
fn fixed_key() -> Key {
    let hex = "6c6f677363727562206265636e63686d61726b206b65792c2033322062797465";
    Key::decode(hex.as_bytes(), "test").unwrap()
}

/// Every way of scrubbing `input` writes `expected`, and no address of `input` with host bits
/// is left in it.
fn assert_scrubs_to(cfg: &Config, input: &[u8], expected: &[u8]) {
    let wrong: Vec<String> = every_way(cfg, input)
        .into_iter()
        .filter(|(_, out)| out != expected)
        .map(|(way, out)| format!("{way}:\n{}", shown(&out)))
        .collect();
    assert!(
        wrong.is_empty(),
        "expected:\n{}\n{}",
        shown(expected),
        wrong.join("\n")
    );
    let left = common::surviving(input, expected);
    assert!(left.is_empty(), "{left:?} survive");
}

/// What each way of scrubbing writes for `input`, named.
fn every_way(cfg: &Config, input: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut outputs = Vec::new();
    // As the binary reads a small input: its format recognised from the whole of it, after
    // which the scrubber follows the `#Fields:` headers itself.
    let layout = cfg.layout_for(input);
    let mut scrubber = Scrubber::new(cfg);
    scrubber.set_layout(layout.clone());
    let mut out = Vec::new();
    for line in input.split_inclusive(|&b| b == b'\n') {
        scrubber.scrub_line(line, &mut out);
    }
    outputs.push(("scrub_line".to_string(), out));
    let mut scrubber = Scrubber::new(cfg);
    scrubber.set_layout(layout);
    let mut out = Vec::new();
    scrubber.scrub(input, &mut out);
    outputs.push(("scrub".to_string(), out));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), input).unwrap();
    let inputs = [Input::Path(file.path().to_path_buf())];
    for threads in [1, 4] {
        for chunk_size in [1, 7, Options::default().chunk_size] {
            let options = Options {
                threads,
                chunk_size,
                ..Options::default()
            };
            let mut out = Vec::new();
            pipeline::run(cfg, &inputs, &mut out, &options, &mut |err| panic!("{err}")).unwrap();
            outputs.push((
                format!("run, {threads} threads, chunks of {chunk_size}"),
                out,
            ));
        }
    }
    outputs
}

/// `bytes` a line at a time, escaped, terminators shown.
fn shown(bytes: &[u8]) -> String {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|line| format!("  {}", line.escape_ascii()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An IIS log whose `#Fields:` header changes twice, the last time to a host-name column.
const FIELDS_CHANGE: &[u8] = b"#Software: Microsoft Internet Information Services 10.0\n\
      #Version: 1.0\n\
      #Date: 2024-03-05 10:00:00\n\
      #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status\n\
      2024-03-05 10:00:01 10.0.0.5 GET /login user=jane@example.com&lang=en 443 CONTOSO\\jane 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) https://ref.example/p?sid=abc123 200\n\
      #Fields: date time c-ip cs-username cs-uri-query\n\
      2024-03-05 10:00:02 198.51.100.23 bob q=hello\n\
      #Fields: date time c-dns cs-uri-stem\n\
      2024-03-05 10:00:03 dsl-198-51-100-23.dyn.isp.example /index.html\n\
      2024-03-05 10:00:04 laptop-jane.corp.example /about\n";

/// `#Fields:` lines that name no column, bare and with blanks: the columns in effect stay, here
/// a host-name column. (A parallel run once read the lines after such a line differently.)
const EMPTY_FIELDS: &[u8] = b"#Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-ip c-dns cs-uri-query\n\
      2024-03-05 10:00:01 192.0.2.7 client7.corp.example id=7\n\
      #Fields:\n\
      2024-03-05 10:00:02 192.0.2.8 laptop-jane.corp.example email=jane@example.com\n\
      #Fields: \t\n\
      2024-03-05 10:00:03 192.0.2.9 host9.dyn.isp.example -\n";

/// Combined lines with addresses in the client, path, referrer and user agent; the last line
/// has no terminator.
const COMBINED: &[u8] = br#"83.149.9.216 - frank [17/May/2015:10:05:03 +0000] "GET /s?q=x&page=2 HTTP/1.1" 200 203023 "http://a.example/b?c=d" "Mozilla/5.0 (+mailto:bot@example.org)"
2001:db8:85a3::8a2e:370:7334 - - [17/May/2015:10:05:04 +0000] "GET /u/jane@example.com HTTP/1.1" 404 0 "https://203.0.113.9/p?ip=198.51.100.77" "curl/8.0"
::ffff:192.0.2.44 - bob [17/May/2015:10:05:05 +0000] "POST /login?user=bob&password=hunter2 HTTP/1.1" 302 0 "-" "-""#;

/// JSON lines: nginx `escape=json` keys, escapes included, and Caddy's nested ones.
const JSON: &[u8] = br#"{"time":"2023-10-10T13:55:36+02:00","remote_addr":"203.0.113.61","remote_user":"karl","request":"GET /search?q=karl%40example.org HTTP/1.1","status":200,"http_referer":"https://mail.example.com/?u=karl@example.org","http_user_agent":"Mozilla/5.0","http_x_forwarded_for":"198.51.100.9, 10.0.0.1"}
{"time":"2023-10-10T13:55:37+02:00","remote_addr":"2001:db8::77","remote_user":"-","request":"GET \/profile?email=karl\u0040example.org HTTP\/1.1","status":200,"http_referer":"","http_user_agent":"curl\/8.4.0","http_x_forwarded_for":""}
{"ts":1696938936.123,"request":{"remote_ip":"203.0.113.62","client_ip":"::ffff:198.51.100.62","uri":"/reset?token=0123456789abcdef0123&mail=mia@example.org","headers":{"Referer":["https://example.com/account?user=mia@example.org"]}},"user_id":"mia"}
"#;

scrubs_to!(
    w3c_fields_change_mid_file,
    |b| b,
    FIELDS_CHANGE,
    b"#Software: Microsoft Internet Information Services 10.0\n\
      #Version: 1.0\n\
      #Date: 2024-03-05 10:00:00\n\
      #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status\n\
      2024-03-05 10:00:01 10.0.0.0 GET /login user=REDACTED&lang=en 443 - 203.0.113.0 Mozilla/5.0+(Windows+NT+10.0) https://ref.example/p 200\n\
      #Fields: date time c-ip cs-username cs-uri-query\n\
      2024-03-05 10:00:02 198.51.100.0 - q=REDACTED\n\
      #Fields: date time c-dns cs-uri-stem\n\
      2024-03-05 10:00:03 isp.example /index.html\n\
      2024-03-05 10:00:04 corp.example /about\n"
);

scrubs_to!(
    w3c_fields_change_mid_file_ipv4_mask_16,
    |b| b.ipv4_mask(16),
    FIELDS_CHANGE,
    b"#Software: Microsoft Internet Information Services 10.0\n\
      #Version: 1.0\n\
      #Date: 2024-03-05 10:00:00\n\
      #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status\n\
      2024-03-05 10:00:01 10.0.0.0 GET /login user=REDACTED&lang=en 443 - 203.0.0.0 Mozilla/5.0+(Windows+NT+10.0) https://ref.example/p 200\n\
      #Fields: date time c-ip cs-username cs-uri-query\n\
      2024-03-05 10:00:02 198.51.0.0 - q=REDACTED\n\
      #Fields: date time c-dns cs-uri-stem\n\
      2024-03-05 10:00:03 isp.example /index.html\n\
      2024-03-05 10:00:04 corp.example /about\n"
);

scrubs_to!(
    w3c_empty_fields_line_keeps_the_columns,
    |b| b,
    EMPTY_FIELDS,
    b"#Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-ip c-dns cs-uri-query\n\
      2024-03-05 10:00:01 192.0.2.0 corp.example id=7\n\
      #Fields:\n\
      2024-03-05 10:00:02 192.0.2.0 corp.example email=REDACTED\n\
      #Fields: \t\n\
      2024-03-05 10:00:03 192.0.2.0 isp.example -\n"
);

scrubs_to!(
    w3c_empty_fields_line_ip_drop,
    |b| b.ip(IpPolicy::Drop),
    EMPTY_FIELDS,
    b"#Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-ip c-dns cs-uri-query\n\
      2024-03-05 10:00:01 0.0.0.0 - id=7\n\
      #Fields:\n\
      2024-03-05 10:00:02 0.0.0.0 - email=REDACTED\n\
      #Fields: \t\n\
      2024-03-05 10:00:03 0.0.0.0 - -\n"
);

scrubs_to!(
    w3c_empty_fields_line_ip_hash,
    |b| b.ip(IpPolicy::Hash).key(fixed_key()),
    EMPTY_FIELDS,
    b"#Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-ip c-dns cs-uri-query\n\
      2024-03-05 10:00:01 253.131.187.210 corp.example id=7\n\
      #Fields:\n\
      2024-03-05 10:00:02 255.62.141.234 corp.example email=REDACTED\n\
      #Fields: \t\n\
      2024-03-05 10:00:03 245.191.157.201 isp.example -\n"
);

scrubs_to!(
    w3c_fields_first_and_last_line,
    |b| b,
    b"#Fields: date time c-ip cs-username c-dns\n\
      2024-03-05 10:00:01 203.0.113.77 alice pc-alice.home.example\n\
      #Fields: date c-ip\n",
    b"#Fields: date time c-ip cs-username c-dns\n\
      2024-03-05 10:00:01 203.0.113.0 - home.example\n\
      #Fields: date c-ip\n"
);

scrubs_to!(
    w3c_crlf,
    |b| b,
    b"#Fields: date time c-ip cs-uri-stem cs-uri-query c-dns\r\n\
      2024-03-05 10:00:01 192.0.2.33 /a sid=9 host-33.isp.example\r\n\
      #Fields:\r\n\
      2024-03-05 10:00:02 192.0.2.34 /b - host-34.isp.example\r\n",
    b"#Fields: date time c-ip cs-uri-stem cs-uri-query c-dns\r\n\
      2024-03-05 10:00:01 192.0.2.0 /a sid=REDACTED isp.example\r\n\
      #Fields:\r\n\
      2024-03-05 10:00:02 192.0.2.0 /b - isp.example\r\n"
);

scrubs_to!(
    w3c_headerless_lines_then_fields_without_final_newline,
    |b| b,
    b"2024-03-05 10:00:00 10.0.0.5 GET /a q=1 443 - 203.0.113.50 ua - 200 0 0 31\n\
      #Fields: date time c-dns cs-uri-query\n\
      2024-03-05 10:00:01 ws-jane.corp.example email=jane@example.com",
    b"2024-03-05 10:00:00 10.0.0.0 GET /a q=REDACTED 443 - 203.0.113.0 ua - 200 0 0 31\n\
      #Fields: date time c-dns cs-uri-query\n\
      2024-03-05 10:00:01 corp.example email=REDACTED"
);

scrubs_to!(
    /// A W3C log that starts with a `#Date:` directive: its first chunk may hold only that line.
    w3c_date_directive_first,
    |b| b,
    b"#Date: 2024-03-05 10:00:00\n\
      #Fields: date time c-dns c-ip cs-uri-query\n\
      2024-03-05 10:00:01 laptop-jane.corp.example 192.0.2.8 email=jane@example.com\n\
      #Remark: rotated\n",
    b"#Date: 2024-03-05 10:00:00\n\
      #Fields: date time c-dns c-ip cs-uri-query\n\
      2024-03-05 10:00:01 corp.example 192.0.2.0 email=REDACTED\n\
      #Remark: rotated\n"
);

scrubs_to!(
    /// Blank lines first, which a pipe may hand over alone: they do not decide the format.
    w3c_after_blank_lines,
    |b| b,
    b"\n\
      \x20\t\r\n\
      #Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-dns cs-username\n\
      2024-03-05 10:00:01 laptop-jane.corp.example jane\n",
    b"\n\
      \x20\t\r\n\
      #Software: Microsoft Internet Information Services 10.0\n\
      #Fields: date time c-dns cs-username\n\
      2024-03-05 10:00:01 corp.example -\n"
);

scrubs_to!(
    combined_without_final_newline,
    |b| b,
    COMBINED,
    br#"83.149.9.0 - - [17/May/2015:10:05:03 +0000] "GET /s?q=REDACTED&page=2 HTTP/1.1" 200 203023 "http://a.example/b" "Mozilla/5.0 (+mailto:REDACTED)"
2001:db8:85a3:: - - [17/May/2015:10:05:04 +0000] "GET /u/REDACTED HTTP/1.1" 404 0 "https://203.0.113.0/p" "curl/8.0"
::ffff:192.0.2.0 - - [17/May/2015:10:05:05 +0000] "POST /login?user=REDACTED&password=REDACTED HTTP/1.1" 302 0 "-" "-""#
);

scrubs_to!(
    combined_ip_hash,
    |b| b.ip(IpPolicy::Hash).key(fixed_key()),
    COMBINED,
    br#"246.170.200.141 - - [17/May/2015:10:05:03 +0000] "GET /s?q=REDACTED&page=2 HTTP/1.1" 200 203023 "http://a.example/b" "Mozilla/5.0 (+mailto:REDACTED)"
fd45:3b13:3273:e331:25f9:c3a8:e1d:d8e2 - - [17/May/2015:10:05:04 +0000] "GET /u/REDACTED HTTP/1.1" 404 0 "https://247.87.105.146/p" "curl/8.0"
::ffff:244.147.211.247 - - [17/May/2015:10:05:05 +0000] "POST /login?user=REDACTED&password=REDACTED HTTP/1.1" 302 0 "-" "-""#
);

scrubs_to!(
    combined_referrer_keep,
    |b| b.referrer(ReferrerPolicy::Keep),
    COMBINED,
    br#"83.149.9.0 - - [17/May/2015:10:05:03 +0000] "GET /s?q=REDACTED&page=2 HTTP/1.1" 200 203023 "http://a.example/b?c=d" "Mozilla/5.0 (+mailto:REDACTED)"
2001:db8:85a3:: - - [17/May/2015:10:05:04 +0000] "GET /u/REDACTED HTTP/1.1" 404 0 "https://203.0.113.0/p?ip=198.51.100.0" "curl/8.0"
::ffff:192.0.2.0 - - [17/May/2015:10:05:05 +0000] "POST /login?user=REDACTED&password=REDACTED HTTP/1.1" 302 0 "-" "-""#
);

scrubs_to!(
    combined_ip_drop,
    |b| b.ip(IpPolicy::Drop),
    COMBINED,
    br#"0.0.0.0 - - [17/May/2015:10:05:03 +0000] "GET /s?q=REDACTED&page=2 HTTP/1.1" 200 203023 "http://a.example/b" "Mozilla/5.0 (+mailto:REDACTED)"
:: - - [17/May/2015:10:05:04 +0000] "GET /u/REDACTED HTTP/1.1" 404 0 "https://0.0.0.0/p" "curl/8.0"
::ffff:0.0.0.0 - - [17/May/2015:10:05:05 +0000] "POST /login?user=REDACTED&password=REDACTED HTTP/1.1" 302 0 "-" "-""#
);

scrubs_to!(
    combined_crlf,
    |b| b,
    b"83.149.9.216 - frank [17/May/2015:10:05:03 +0000] \"GET /s?q=x&page=2 HTTP/1.1\" 200 203023 \"http://a.example/b?c=d\" \"Mozilla/5.0\"\r\n\
      198.51.100.77 - - [17/May/2015:10:05:04 +0000] \"GET /reset?token=0123456789abcdef0123 HTTP/1.1\" 200 5 \"-\" \"curl/8.0 (admin@example.org)\"\r\n",
    b"83.149.9.0 - - [17/May/2015:10:05:03 +0000] \"GET /s?q=REDACTED&page=2 HTTP/1.1\" 200 203023 \"http://a.example/b\" \"Mozilla/5.0\"\r\n\
      198.51.100.0 - - [17/May/2015:10:05:04 +0000] \"GET /reset?token=REDACTED HTTP/1.1\" 200 5 \"-\" \"curl/8.0 (REDACTED)\"\r\n"
);

scrubs_to!(empty_input, |b| b, b"", b"");

scrubs_to!(
    /// Blank lines with either terminator, and a last line that ends in a `\r` but no `\n`:
    /// every terminator is copied as it is.
    odd_terminators,
    |b| b,
    b"\n\r\n192.0.2.77 x\r",
    b"\n\r\n192.0.2.0 x\r"
);

scrubs_to!(
    json_lines,
    |b| b,
    JSON,
    br#"{"time":"2023-10-10T13:55:36+02:00","remote_addr":"203.0.113.0","remote_user":"-","request":"GET /search?q=REDACTED HTTP/1.1","status":200,"http_referer":"https://mail.example.com/","http_user_agent":"Mozilla/5.0","http_x_forwarded_for":"198.51.100.0, 10.0.0.0"}
{"time":"2023-10-10T13:55:37+02:00","remote_addr":"2001:db8::","remote_user":"-","request":"GET /profile?email=REDACTED HTTP/1.1","status":200,"http_referer":"","http_user_agent":"curl\/8.4.0","http_x_forwarded_for":""}
{"ts":1696938936.123,"request":{"remote_ip":"203.0.113.0","client_ip":"::ffff:198.51.100.0","uri":"/reset?token=REDACTED&mail=REDACTED","headers":{"Referer":["https://example.com/account"]}},"user_id":"-"}
"#
);

scrubs_to!(
    json_lines_ipv4_mask_16,
    |b| b.ipv4_mask(16),
    JSON,
    br#"{"time":"2023-10-10T13:55:36+02:00","remote_addr":"203.0.0.0","remote_user":"-","request":"GET /search?q=REDACTED HTTP/1.1","status":200,"http_referer":"https://mail.example.com/","http_user_agent":"Mozilla/5.0","http_x_forwarded_for":"198.51.0.0, 10.0.0.0"}
{"time":"2023-10-10T13:55:37+02:00","remote_addr":"2001:db8::","remote_user":"-","request":"GET /profile?email=REDACTED HTTP/1.1","status":200,"http_referer":"","http_user_agent":"curl\/8.4.0","http_x_forwarded_for":""}
{"ts":1696938936.123,"request":{"remote_ip":"203.0.0.0","client_ip":"::ffff:198.51.0.0","uri":"/reset?token=REDACTED&mail=REDACTED","headers":{"Referer":["https://example.com/account"]}},"user_id":"-"}
"#
);

scrubs_to!(
    json_lines_ip_hash,
    |b| b.ip(IpPolicy::Hash).key(fixed_key()),
    JSON,
    br#"{"time":"2023-10-10T13:55:36+02:00","remote_addr":"253.172.0.229","remote_user":"-","request":"GET /search?q=REDACTED HTTP/1.1","status":200,"http_referer":"https://mail.example.com/","http_user_agent":"Mozilla/5.0","http_x_forwarded_for":"242.162.47.138, 247.251.32.22"}
{"time":"2023-10-10T13:55:37+02:00","remote_addr":"fd1c:acc6:59cd:1512:e571:fc14:e2eb:86a1","remote_user":"-","request":"GET /profile?email=REDACTED HTTP/1.1","status":200,"http_referer":"","http_user_agent":"curl\/8.4.0","http_x_forwarded_for":""}
{"ts":1696938936.123,"request":{"remote_ip":"251.145.138.162","client_ip":"::ffff:248.48.145.168","uri":"/reset?token=REDACTED&mail=REDACTED","headers":{"Referer":["https://example.com/account"]}},"user_id":"-"}
"#
);

scrubs_to!(
    json_lines_referrer_keep,
    |b| b.referrer(ReferrerPolicy::Keep),
    JSON,
    br#"{"time":"2023-10-10T13:55:36+02:00","remote_addr":"203.0.113.0","remote_user":"-","request":"GET /search?q=REDACTED HTTP/1.1","status":200,"http_referer":"https://mail.example.com/?u=REDACTED","http_user_agent":"Mozilla/5.0","http_x_forwarded_for":"198.51.100.0, 10.0.0.0"}
{"time":"2023-10-10T13:55:37+02:00","remote_addr":"2001:db8::","remote_user":"-","request":"GET /profile?email=REDACTED HTTP/1.1","status":200,"http_referer":"","http_user_agent":"curl\/8.4.0","http_x_forwarded_for":""}
{"ts":1696938936.123,"request":{"remote_ip":"203.0.113.0","client_ip":"::ffff:198.51.100.0","uri":"/reset?token=REDACTED&mail=REDACTED","headers":{"Referer":["https://example.com/account?user=REDACTED"]}},"user_id":"-"}
"#
);

scrubs_to!(
    /// A blank line first, which a pipe may hand over alone: it does not decide the format.
    json_after_a_blank_line,
    |b| b,
    b"\n\
      {\"time\":\"2023-10-10T13:55:36+02:00\",\"remote_addr\":\"203.0.113.61\",\"remote_user\":\"karl\",\"request\":\"GET /?email=karl@example.org HTTP/1.1\"}\n",
    b"\n\
      {\"time\":\"2023-10-10T13:55:36+02:00\",\"remote_addr\":\"203.0.113.0\",\"remote_user\":\"-\",\"request\":\"GET /?email=REDACTED HTTP/1.1\"}\n"
);

scrubs_to!(
    /// A URL with a query in a HAProxy header capture: the query ends with the captured value,
    /// and the `}` and the captures after it stay.
    haproxy_capture_with_a_query,
    |b| b.format(Format::Haproxy),
    b"Oct 10 13:55:36 lb01 haproxy[12345]: 84.17.45.203:52344 [10/Oct/2023:13:55:36.123] https-in~ web_backend/web01 0/0/1/16/18 200 4586 - - ---- 12/12/0/0/0 0/0 {https://www.google.com/search?q=jane+doe|www.example.com} {text/html} \"GET /index.html HTTP/1.1\"\n",
    b"Oct 10 13:55:36 lb01 haproxy[12345]: 84.17.45.0:52344 [10/Oct/2023:13:55:36.123] https-in~ web_backend/web01 0/0/1/16/18 200 4586 - - ---- 12/12/0/0/0 0/0 {https://www.google.com/search?q=REDACTED|www.example.com} {text/html} \"GET /index.html HTTP/1.1\"\n"
);

scrubs_to!(
    /// A `#Fields:` line is scrubbed one name at a time: two names that read as a phone
    /// number together (`+49 301234567`) stay two columns.
    w3c_field_names_one_at_a_time,
    |b| b,
    b"#Fields: c-ip cs(X) +49 301234567\n203.0.113.7 a b c\n",
    b"#Fields: c-ip cs(X) +49 301234567\n203.0.113.0 a b c\n"
);

scrubs_to!(
    /// Every reading in one input: a combined line, a line in no format (the fail-safe reading
    /// of the whole line), and a line whose timestamp holds a URL, which reads as common only
    /// once its userinfo is removed and is then written again by its fields (the client `h`,
    /// a host name, becomes `-`).
    every_reading_of_a_common_log,
    |b| b,
    b"203.0.113.9 - jane [10/Oct/2023:13:55:36 +0200] \"GET /a?email=jane@example.org HTTP/1.1\" 200 5 \"-\" \"curl/8.0\"\n\
      jane@example.org logged in from 198.51.100.7\n\
      h - - [x://u:p@h] \"GET / HTTP/1.1\" 200 1\n",
    b"203.0.113.0 - - [10/Oct/2023:13:55:36 +0200] \"GET /a?email=REDACTED HTTP/1.1\" 200 5 \"-\" \"curl/8.0\"\n\
      REDACTED logged in from 198.51.100.0\n\
      - - - [x://h] \"GET / HTTP/1.1\" 200 1\n"
);
