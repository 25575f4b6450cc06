//! JSON access logs: one object per line.
//!
//! [`parse`] checks that a line is one well-formed object and yields a [`Field`] per string
//! value, its range inside the quotes, so that keys, numbers, spacing and key order are copied
//! byte for byte. A value's [`Role`] comes from its key: keys the user named first, then the
//! built-in tables for nginx (`escape=json`), Caddy, Traefik, Cloudflare and generic loggers,
//! and [`Role::Text`], the fail-safe scrub, for keys nobody knows.
//!
//! Parsing works on bytes: invalid UTF-8 inside strings passes, and escapes are only skipped
//! here; [`decode`] checks them when a value is redacted, so that one odd escape (nginx without
//! `escape=json` writes `\x22`) costs that value, not the line's format.
//!
//! The parse loop lives here; `scanner` reads JSON's tokens, `path` tracks the open containers
//! and the keys leading to a value, `keys` maps a key to a role, and `values` decodes and
//! encodes string content.

mod keys;
mod path;
mod scanner;
mod values;

use super::{time, Field, Role};
use crate::vocab::may_hold_personal;

pub use keys::Keys;
use path::Path;
use scanner::Scanner;
pub use values::{decode, encode};

/// Parses one line (without terminator) that should be a JSON object. Fills `fields` (cleared
/// first) with one [`Field`] per string value, in line order: the range lies inside the quotes
/// (so `line[range.start - 1]` and `line[range.end]` are `"`), the role comes from the key path,
/// and `escaped` tells whether the raw string contains a backslash. A number under a timestamp
/// key is a [`Role::Time`] field of its own digits, for dating the line. Keys, other numbers,
/// `true`, `false` and `null` are never fields; the strings of an array take the role of the
/// key that holds the array.
///
/// Returns false, with `fields` in an unspecified state, if the line is not a single well-formed
/// object (surrounding whitespace allowed) or nests deeper than 128 levels; the caller then
/// scrubs the whole line. Never panics, and allocates nothing once `fields` has grown.
pub fn parse(line: &[u8], keys: &Keys, fields: &mut Vec<Field>) -> bool {
    fields.clear();
    parse_object(line, keys, fields).is_some()
}

fn parse_object(line: &[u8], keys: &Keys, fields: &mut Vec<Field>) -> Option<()> {
    let mut s = Scanner::new(line);
    let mut path = Path::default();
    s.skip_ws();
    s.expect(b'{')?;
    path.open(false, None)?;
    // Right after an opening bracket, where the container may close at once.
    let mut fresh = true;
    loop {
        s.skip_ws();
        if fresh && s.eat(path.closer()) {
            path.close();
        } else {
            if !path.in_array() {
                let (key, escaped) = s.string()?;
                // Keys are names and copied, unless one could hide something: then it is
                // free text like any unknown value.
                let key_text = &line[key.clone()];
                if may_hold_personal(key_text) || key_text.contains(&b'\\') {
                    fields.push(Field {
                        range: key.clone(),
                        role: Role::Text,
                        escaped,
                    });
                }
                path.set_key(key);
                s.skip_ws();
                s.expect(b':')?;
                s.skip_ws();
            }
            match s.peek()? {
                b'"' => {
                    let (range, escaped) = s.string()?;
                    let (role, _) = path.role(line, keys);
                    let role = time::checked(role, &line[range.clone()]);
                    fields.push(Field {
                        range,
                        role,
                        escaped,
                    });
                }
                open @ (b'{' | b'[') => {
                    let (role, passes) = path.role(line, keys);
                    s.pos += 1;
                    path.open(open == b'[', passes.then_some(role))?;
                    fresh = true;
                    continue;
                }
                b't' => s.word(b"true")?,
                b'f' => s.word(b"false")?,
                b'n' => s.word(b"null")?,
                _ => {
                    let start = s.pos;
                    s.number()?;
                    // Numeric timestamps (Caddy's `ts`, Cloudflare's `EdgeStartTimestamp`)
                    // date the line for key rotation; the writer copies them unchanged.
                    match path.role(line, keys).0 {
                        Role::Time if time::is_plain_timestamp(&line[start..s.pos]) => {
                            fields.push(Field::new(start..s.pos, Role::Time));
                        }
                        // Coarsened where it stands, and still a number.
                        Role::Coordinate => {
                            fields.push(Field::new(start..s.pos, Role::Coordinate));
                        }
                        _ => {}
                    }
                }
            }
        }
        fresh = false;
        // After a value: the next member or element, or closing brackets.
        loop {
            s.skip_ws();
            if path.depth == 0 {
                return (s.pos == line.len()).then_some(());
            }
            if s.eat(b',') {
                break;
            }
            s.expect(path.closer())?;
            path.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path::{DEPTH_CAP, PATH_CAP};
    use super::*;
    use proptest::prelude::*;
    use Role::*;

    /// Checks what every accepted line keeps: ranges in order and apart, each between quotes
    /// (but numeric timestamps), `escaped` exactly when the raw value has a backslash.
    fn check_ranges(line: &[u8], fields: &[Field]) {
        for pair in fields.windows(2) {
            assert!(pair[0].range.end < pair[1].range.start, "{pair:?}");
        }
        for field in fields {
            let range = field.range.clone();
            if field.role == Time
                && line[range.start].is_ascii_digit()
                && line[range.start - 1] != b'"'
            {
                assert!(line[range.clone()]
                    .iter()
                    .all(|b| b.is_ascii_digit() || b"-+.eE".contains(b)));
                continue;
            }
            assert_eq!(line[range.start - 1], b'"', "{range:?}");
            assert_eq!(line[range.end], b'"', "{range:?}");
            assert_eq!(field.escaped, line[range].contains(&b'\\'));
        }
    }

    /// The fields of an accepted line, checked; `None` if the line is rejected.
    fn parsed(line: &[u8], keys: &Keys) -> Option<Vec<Field>> {
        // Left over from a previous line: must be cleared.
        let mut fields = vec![Field::new(0..0, Text)];
        if !parse(line, keys, &mut fields) {
            return None;
        }
        check_ranges(line, &fields);
        Some(fields)
    }

    fn values<'l>(line: &'l str, keys: &Keys) -> Vec<(&'l str, Role)> {
        parsed(line.as_bytes(), keys)
            .unwrap_or_else(|| panic!("rejected: {line}"))
            .into_iter()
            .map(|f| (&line[f.range], f.role))
            .collect()
    }

    const CADDY: &str = r#"{"level":"info","ts":1716723772.6014807,"logger":"http.log.access.log17","msg":"handled request","request":{"remote_ip":"10.5.1.1","remote_port":"38574","client_ip":"10.10.10.117","proto":"HTTP/2.0","method":"GET","host":"mirrors.tnonline.net:400","uri":"/gentoo/distfiles/9b/tl-hrlatex.tar.xz","headers":{"Accept":["*/*"],"User-Agent":["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"],"X-Forwarded-For":["10.10.10.117"],"Referer":["https://example.com/beta/"]},"tls":{"resumed":false,"version":772,"proto":"h2","server_name":"example.com"}},"bytes_read":0,"user_id":"","duration":0.017557019,"size":3768,"status":200,"resp_headers":{"Server":["Caddy","nginx/1.20.1"],"Etag":["\"cacq4sswpg5c2wo\""],"Alt-Svc":["h3=\":443\"; ma=2592000"]}}"#;

    const TRAEFIK: &str = r#"{"ClientAddr": "172.20.0.1:52458","ClientHost": "1.2.3.4","ClientPort":"52458","ClientUsername":"-","request_User-Agent":"Prometheus/2.40.5","request_Referer":"www.example.com","DownstreamContentSize":15,"DownstreamStatus":"200","Duration":10002425284,"OriginStatus":504,"RequestAddr":"localhost","RequestCount":1,"RequestHost":"localhost","RequestMethod":"GET","RequestPath":"/my/app/auth?id=1234&user=dude","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"RouterName":"my-router@file","ServiceAddr":"apache:80","ServiceName":"my-service@file","ServiceURL":{"Scheme":"http","Opaque":"","User":null,"Host":"apache:80","Path":"","RawPath":"","OmitHost":false,"ForceQuery":false,"RawQuery":"","Fragment":""},"StartLocal":"2023-08-11T11:39:21.773360139Z","StartUTC":"2023-08-11T11:39:21.773360139Z","entryPointName":"http","level":"info","msg":"","time":"2023-08-11T11:41:25"}"#;
    #[test]
    fn flavours() {
        let cases: &[(&str, &[(&str, Role)])] = &[
            (
                CADDY,
                &[
                    ("info", Plain),
                    ("1716723772.6014807", Time),
                    ("http.log.access.log17", Plain),
                    ("handled request", Text),
                    ("10.5.1.1", Client),
                    ("38574", Text),
                    ("10.10.10.117", Client),
                    ("HTTP/2.0", Plain),
                    ("GET", Plain),
                    ("mirrors.tnonline.net:400", Plain),
                    ("/gentoo/distfiles/9b/tl-hrlatex.tar.xz", Url),
                    ("*/*", Plain),
                    (
                        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                        Agent,
                    ),
                    ("10.10.10.117", Addrs),
                    ("https://example.com/beta/", Referrer),
                    ("h2", Plain),
                    ("example.com", Plain),
                    ("", User),
                    ("Caddy", Plain),
                    ("nginx/1.20.1", Plain),
                    (r#"\"cacq4sswpg5c2wo\""#, Text),
                    (r#"h3=\":443\"; ma=2592000"#, Text),
                ],
            ),
            (
                r#"{"ClientIP":"89.163.242.206","ClientRequestHost":"www.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/","ClientRequestUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","ClientRequestReferer":"","EdgeEndTimestamp":1712790000123000000,"EdgeResponseBytes":12480,"EdgeResponseStatus":200,"EdgeStartTimestamp":1712790000100000000,"RayID":"87a1b2c3d4e5f001","CacheCacheStatus":"miss","ClientCountry":"US","ClientRequestProtocol":"HTTP/2","EdgeColoCode":"SEA","WAFAction":"allow","WAFRuleID":"","FirewallMatchesActions":[],"FirewallMatchesRuleIDs":[]}"#,
                &[
                    ("89.163.242.206", Client),
                    ("www.example.com", Plain),
                    ("GET", Plain),
                    ("/", Url),
                    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Agent),
                    ("", Referrer),
                    ("1712790000123000000", Time),
                    ("1712790000100000000", Time),
                    ("87a1b2c3d4e5f001", Text),
                    ("miss", Plain),
                    ("US", Plain),
                    ("HTTP/2", Plain),
                    ("SEA", Plain),
                    ("allow", Text),
                    ("", Text),
                ],
            ),
            (
                r#"{"ClientIP":"185.220.101.34","ClientRequestURI":"/.env","WAFRuleID":"100022","FirewallMatchesActions":["block"],"FirewallMatchesRuleIDs":["100022"]}"#,
                &[
                    ("185.220.101.34", Client),
                    ("/.env", Url),
                    ("100022", Text),
                    ("block", Text),
                    ("100022", Text),
                ],
            ),
            // Cloudflare Logpush fields the sample lacks.
            (
                r#"{"ClientIP":"2001:db8::1","ClientSrcPort":443,"ClientRequestPath":"/a","EdgeServerIP":"198.51.100.7","OriginIP":"203.0.113.5","EdgeStartTimestamp":"2024-04-10T23:00:00Z","Cookies":{"__cf_bm":"abc","lang":"de"},"RequestHeaders":{"x-forwarded-for":"192.0.2.1","cf-connecting-ip":"192.0.2.1"}}"#,
                &[
                    ("2001:db8::1", Client),
                    ("/a", Url),
                    ("198.51.100.7", Addrs),
                    ("203.0.113.5", Addrs),
                    ("2024-04-10T23:00:00Z", Time),
                    ("abc", Secret),
                    ("de", Secret),
                    ("192.0.2.1", Addrs),
                    ("192.0.2.1", Addrs),
                ],
            ),
            (
                r#"{"idsite":1,"ip": "1.2.3.4","host": "www.piwik.org","path": "/piwik.php?action_name=Clearcode&idsite=1&url=http%3A%2F%2Fclearcode.cc%2F&_id=1da79fc743e8bcc4","status": "200","referrer": "http://clearcode.cc/","user_agent": "Mozilla/5.0 (Windows NT 6.1; WOW64)","length": 192,"generation_time_milli": 0.008,"date": "2013-10-10T16:52:00+02:00"}"#,
                &[
                    ("1.2.3.4", Client),
                    ("www.piwik.org", Plain),
                    (
                        "/piwik.php?action_name=Clearcode&idsite=1&url=http%3A%2F%2Fclearcode.cc%2F&_id=1da79fc743e8bcc4",
                        Url,
                    ),
                    ("200", Plain),
                    ("http://clearcode.cc/", Referrer),
                    ("Mozilla/5.0 (Windows NT 6.1; WOW64)", Agent),
                    ("2013-10-10T16:52:00+02:00", Time),
                ],
            ),
            // nginx `log_format … escape=json`, every variable a string.
            (
                r#"{"time_local":"10/Oct/2000:13:55:36 -0700","remote_addr":"203.0.113.9","remote_user":"bob","request":"GET /a?sid=42 HTTP/1.1","status":"200","body_bytes_sent":"5","request_time":"0.005","http_referer":"https://ex.com/?q=x","http_user_agent":"curl/8.0","http_x_forwarded_for":"198.51.100.1, 10.0.0.1","http_cookie":"sid=42","http_authorization":"Basic Ym9iOnNlY3JldA==","upstream_addr":"10.0.0.5:8080","server_name":"ex.com","args":"sid=42","request_uri":"/a?sid=42","uri":"/a","time_iso8601":"2000-10-10T13:55:36-07:00","http_x_real_ip":"203.0.113.9","http_host":"ex.com","realip_remote_addr":"10.0.0.1"}"#,
                &[
                    ("10/Oct/2000:13:55:36 -0700", Time),
                    ("203.0.113.9", Client),
                    ("bob", User),
                    ("GET /a?sid=42 HTTP/1.1", Request),
                    ("200", Plain),
                    ("5", Plain),
                    ("0.005", Plain),
                    ("https://ex.com/?q=x", Referrer),
                    ("curl/8.0", Agent),
                    ("198.51.100.1, 10.0.0.1", Addrs),
                    ("sid=42", Secret),
                    ("Basic Ym9iOnNlY3JldA==", Secret),
                    ("10.0.0.5:8080", Addrs),
                    ("ex.com", Plain),
                    ("sid=42", Query),
                    ("/a?sid=42", Url),
                    ("/a", Url),
                    ("2000-10-10T13:55:36-07:00", Time),
                    ("203.0.113.9", Addrs),
                    ("ex.com", Plain),
                    ("10.0.0.1", Client),
                ],
            ),
            (
                TRAEFIK,
                &[
                    ("172.20.0.1:52458", Client),
                    ("1.2.3.4", Client),
                    ("52458", Text),
                    ("-", User),
                    ("Prometheus/2.40.5", Agent),
                    ("www.example.com", Referrer),
                    ("200", Plain),
                    ("localhost", Addrs),
                    ("localhost", Plain),
                    ("GET", Plain),
                    ("/my/app/auth?id=1234&user=dude", Url),
                    ("-", Text),
                    ("HTTP/1.1", Plain),
                    ("http", Plain),
                    ("my-router@file", Plain),
                    ("apache:80", Addrs),
                    ("my-service@file", Plain),
                    ("http", Plain),
                    ("", Text),
                    ("apache:80", Plain),
                    ("", Url),
                    ("", Url),
                    ("", Query),
                    ("", Text),
                    ("2023-08-11T11:39:21.773360139Z", Time),
                    ("2023-08-11T11:39:21.773360139Z", Time),
                    ("http", Plain),
                    ("info", Plain),
                    ("", Text),
                    ("2023-08-11T11:41:25", Time),
                ],
            ),
            // Traefik's header fields.
            (
                r#"{"request_X-Forwarded-For":"203.0.113.1","request_Cookie":"a=b","request_Authorization":"Bearer x","downstream_Set-Cookie":"s=1","request_X-Real-Ip":"203.0.113.1","origin_Content-Type":"text/html"}"#,
                &[
                    ("203.0.113.1", Addrs),
                    ("a=b", Secret),
                    ("Bearer x", Secret),
                    ("s=1", Secret),
                    ("203.0.113.1", Addrs),
                    ("text/html", Plain),
                ],
            ),
        ];
        for (line, want) in cases {
            assert_eq!(values(line, &Keys::default()), want.to_vec(), "{line}");
        }
    }

    #[test]
    fn escapes() {
        let line = r#"{"remote_user":"bob\u0040example.com","uri":"\/a\/b","http_user_agent":"say \"hi\" \\o\/","msg":"plain","request":"GET /\x22 HTTP/1.1"}"#;
        let fields = parsed(line.as_bytes(), &Keys::default()).unwrap();
        let want: &[(&str, bool, Option<&str>)] = &[
            (r"bob\u0040example.com", true, Some("bob@example.com")),
            (r"\/a\/b", true, Some("/a/b")),
            (r#"say \"hi\" \\o\/"#, true, Some(r#"say "hi" \o/"#)),
            ("plain", false, Some("plain")),
            // nginx without `escape=json`: the line parses, the value does not decode.
            (r"GET /\x22 HTTP/1.1", true, None),
        ];
        assert_eq!(fields.len(), want.len());
        let mut out = Vec::new();
        for (field, &(raw, escaped, decoded)) in fields.iter().zip(want) {
            assert_eq!(&line[field.range.clone()], raw);
            assert_eq!(field.escaped, escaped, "{raw}");
            let ok = decode(raw.as_bytes(), &mut out);
            assert_eq!(ok.then_some(&out[..]), decoded.map(str::as_bytes), "{raw}");
        }
    }
    #[test]
    fn arrays_and_nesting() {
        let cases: &[(&str, &[(&str, Role)])] = &[
            (
                r#"{"X-Forwarded-For":["10.0.0.1","10.0.0.2"],"list":[["x",["y"]],{"referer":"r"},1,null],"after":"t"}"#,
                &[
                    ("10.0.0.1", Addrs),
                    ("10.0.0.2", Addrs),
                    ("x", Text),
                    ("y", Text),
                    ("r", Referrer),
                    ("t", Text),
                ],
            ),
            // A secret key's role passes to everything inside it, and ends with it.
            (
                r#"{"Cookies":{"sid":"1","nested":{"deep":["2"]},"uri":"3"},"session":[{"id":"4"}],"uri":"/"}"#,
                &[
                    ("1", Secret),
                    ("2", Secret),
                    ("3", Secret),
                    ("4", Secret),
                    ("/", Url),
                ],
            ),
            // The members of a headers object go by the header rules; objects in a headers
            // array do not.
            (
                r#"{"resp_headers":{"Set-Cookie":["a=b"],"Www-Authenticate":["Basic"]},"headers":[{"name":"x"}]}"#,
                &[("a=b", Secret), ("Basic", Text), ("x", Secret)],
            ),
            // Caddy's `request` is an object: its role does not pass to its members.
            (
                r#"{"request":{"method":"GET","request":"GET / HTTP/1.1","headers":{}},"msg":"m"}"#,
                &[("GET", Plain), ("GET / HTTP/1.1", Request), ("m", Text)],
            ),
        ];
        for (line, want) in cases {
            assert_eq!(values(line, &Keys::default()), want.to_vec(), "{line}");
        }
    }

    /// `{"k":{"k":…{"key":"v"}…}}` with `levels` objects in all.
    fn nested(levels: usize, key: &str) -> String {
        let mut line = r#"{"k":"#.repeat(levels - 1);
        line.push_str(&format!(r#"{{"{key}":"v"}}"#));
        line.push_str(&"}".repeat(levels - 1));
        line
    }

    #[test]
    fn depth() {
        let keys = Keys::default();
        assert_eq!(values(&nested(1, "referer"), &keys), [("v", Referrer)]);
        assert_eq!(
            values(&nested(PATH_CAP, "referer"), &keys),
            [("v", Referrer)]
        );
        assert_eq!(
            values(&nested(PATH_CAP + 1, "referer"), &keys),
            [("v", Text)]
        );
        // An inherited secret reaches below the kept keys.
        let deep = format!(r#"{{"cookie":{}}}"#, nested(2 * PATH_CAP, "uri"));
        assert_eq!(values(&deep, &keys), [("v", Secret)]);
        let arrays = |n: usize| format!(r#"{{"a":{}"s"{}}}"#, "[".repeat(n), "]".repeat(n));
        assert!(parsed(arrays(DEPTH_CAP - 1).as_bytes(), &keys).is_some());
        assert!(parsed(arrays(DEPTH_CAP).as_bytes(), &keys).is_none());
        assert!(parsed(nested(DEPTH_CAP, "a").as_bytes(), &keys).is_some());
        assert!(parsed(nested(DEPTH_CAP + 1, "a").as_bytes(), &keys).is_none());
    }

    #[test]
    fn user_named_keys() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let keys = Keys::default()
            .with(Addrs, &names(&["REQUEST.Remote_IP"]))
            .with(User, &names(&["visitor"]))
            .with(Text, &names(&["meta.visitor"]))
            .with(Referrer, &names(&["request.headers.x-custom"]))
            .with(Url, &names(&["meta.tags"]))
            .with(Plain, &names(&["http.request.method", "remote_ip"]))
            .with(Secret, &names(&[""]));
        let line = r#"{"request":{"remote_ip":"10.0.0.1","client_ip":"1.2.3.4","headers":{"X-Custom":["a"],"Referer":["r"]}},"remote_ip":"5.6.7.8","visitor":"v","meta":{"visitor":"w","tags":["t1",{"k":"t2"}]},"http.request.method":"GET","":"e"}"#;
        let want = [
            // A dotted name beats a bare one and the tables.
            ("10.0.0.1", Addrs),
            ("1.2.3.4", Client),
            ("a", Referrer),
            ("r", Referrer),
            // A bare name beats the tables.
            ("5.6.7.8", Plain),
            ("v", User),
            ("w", Text),
            // A named array passes its role to everything inside.
            ("t1", Url),
            ("t2", Url),
            // A dotted name also matches a top-level key with dots; the key itself, holding
            // dots, is scanned as free text.
            ("http.request.method", Text),
            ("GET", Plain),
            // Empty names are ignored.
            ("e", Text),
        ];
        assert_eq!(values(line, &keys), want);
        // The same dotted name given twice: the first wins.
        let keys = Keys::default()
            .with(User, &names(&["a.b"]))
            .with(Url, &names(&["a.b"]));
        assert_eq!(
            values(r#"{"a":{"b":"x"},"b":"y"}"#, &keys),
            [("x", User), ("y", Text)]
        );
    }
    #[test]
    fn well_formed_edge_cases() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"{}", &[]),
            (
                b" \t{ \"a\" : [ ] , \"b\" : { } , \"c\" : \"d\" } \r",
                &[b"d"],
            ),
            (
                b"{\"a\":-0.5e+10,\"b\":[true,false,null],\"c\":0,\"d\":1E3,\"e\":12.25}",
                &[],
            ),
            (b"{\"\":\"\"}", &[b""]),
            // Raw control bytes and invalid UTF-8 inside strings pass; parsing is byte-based.
            (
                b"{\"a\":\"x\x01y\",\"b\":\"\xff\xfe bot\",\"\xc3\":\"caf\xc3\"}",
                &[b"x\x01y", b"\xff\xfe bot", b"caf\xc3"],
            ),
        ];
        for (line, want) in cases {
            let fields = parsed(line, &Keys::default())
                .unwrap_or_else(|| panic!("rejected: {}", line.escape_ascii()));
            let got: Vec<&[u8]> = fields.iter().map(|f| &line[f.range.clone()]).collect();
            assert_eq!(got, want.to_vec(), "{}", line.escape_ascii());
        }
    }

    #[test]
    fn malformed_lines() {
        let lines: &[&[u8]] = &[
            b"",
            b"   ",
            b"{",
            b"}",
            b"{\"a\":1",
            b"{\"a\":\"b",
            b"{\"a\":\"b\\\"}",
            b"{\"a\":\"b\\",
            b"{\"a\":1}{\"b\":2}",
            b"{\"a\":1} x",
            b"{\"a\":1}}",
            b"x{\"a\":1}",
            b"{\"a\":1}\x00",
            b"[1,2]",
            b"\"s\"",
            b"1",
            b"null",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\" 1}",
            b"{\"a\":1,}",
            b"{,}",
            b"{\"a\":1 \"b\":2}",
            b"{\"a\":\"b\"\"c\"}",
            b"{\"a\":[1,]}",
            b"{\"a\":[1 2]}",
            b"{\"a\":[}",
            b"{\"a\":{]}",
            b"{\"a\":[1}]",
            b"{'a':1}",
            b"{a:1}",
            b"{1:2}",
            b"{\"a\":tru}",
            b"{\"a\":truex}",
            b"{\"a\":nul}",
            b"{\"a\":01}",
            b"{\"a\":-}",
            b"{\"a\":1.}",
            b"{\"a\":.5}",
            b"{\"a\":1e}",
            b"{\"a\":+1}",
            b"{\"a\":NaN}",
            b"{\"a\":1,\xff:2}",
            b"{\"a\"\x0b:1}",
        ];
        for line in lines {
            assert!(
                parsed(line, &Keys::default()).is_none(),
                "accepted: {}",
                line.escape_ascii()
            );
        }
        // No strict prefix of an object is an object.
        for line in [CADDY, TRAEFIK] {
            for end in 0..line.len() {
                assert!(parsed(&line.as_bytes()[..end], &Keys::default()).is_none());
            }
        }
    }

    proptest! {
        #[test]
        fn any_bytes_parse_without_panic(
            line in proptest::collection::vec(
                proptest::sample::select(b"{}[]:,\"\\ u0-1.etrnaf\xff".to_vec()),
                0..48,
            )
        ) {
            let mut fields = Vec::new();
            if parse(&line, &Keys::default(), &mut fields) {
                check_ranges(&line, &fields);
            }
            let mut out = Vec::new();
            let _ = decode(&line, &mut out);
        }
    }
}
