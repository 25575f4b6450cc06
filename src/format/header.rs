//! HTTP header names: the one place that decides what a header's value holds.
//!
//! Every format that logs headers by name asks [`role`]: Apache `%{Name}i` and `%{Name}o`,
//! nginx `$http_name`, `$sent_http_name` and `$upstream_http_name`, W3C `cs(Name)` and
//! `sc(Name)`, and JSON keys that name a header (`http_name`, Traefik's `request_Name`,
//! Caddy's `headers` objects, bare header names). A name is compared without regard to ASCII
//! case, with `_` and `-` alike, so `X_Api_Key`, `x-api-key` and `$http_x_api_key` agree.
//!
//! The rules, in order:
//! - `Referer`, `Referrer` are the referrer; `User-Agent` the user agent;
//! - the forwarding headers (`X-Forwarded-For`, `X-Real-IP`, `Forwarded`, `True-Client-IP`,
//!   `CF-Connecting-IP`, …) are address lists, as is any name whose last word is `ip`, `addr`
//!   or `address`;
//! - `X-Forwarded-User`, `X-Remote-User`, `Remote-User` are the authenticated user;
//! - `From` (an e-mail address by definition) is a secret;
//! - `WWW-Authenticate` and `Proxy-Authenticate` are challenges (scheme and realm), free text;
//! - `Host`, `X-Forwarded-Host`, `X-Forwarded-Proto` and content negotiation headers are plain;
//! - any name containing `cookie`, `token`, `secret`, `session`, `sessid`, `auth`, `api-key`,
//!   `apikey`, `csrf`, `xsrf`, `signature`, `passw`, `credential`, `jwt`, `email`, `e-mail`, or
//!   the word `otp`, is a secret. `auth` counts inside `author` (an author is a person) but not
//!   inside `authority` (the HTTP/2 name of the host), which alone makes a name plain;
//! - a name that names personal data as a query parameter would (`X-Device-Id`,
//!   `X-User-Name`, `X-Customer-Id`) is a secret;
//! - everything else is free text, which gets the fail-safe scrub.

use super::Role;

/// The role of the value of the header `name`: what [`known`] says; else a secret where the
/// name is one of a personal parameter (`X-Device-Id`, `X-User-Name`, `X-Customer-Id`), as
/// JSON keys and query names are read; else free text.
pub fn role(name: &[u8]) -> Role {
    known(name).unwrap_or_else(|| {
        if crate::vocab::names::name_kind(name) == crate::vocab::names::NameKind::Sensitive {
            Role::Secret
        } else {
            Role::Text
        }
    })
}

/// The role the rules give the header `name`; `None` for a name they say nothing about, which
/// [`role`] reads as free text and the JSON key tables may still place.
pub fn known(name: &[u8]) -> Option<Role> {
    let mut buf = [0; NAME_CAP];
    if let Some(name) = normalized(name, &mut buf) {
        if let Some(role) = exact(name) {
            return Some(role);
        }
    }
    // Fetch metadata and client hints (`Sec-Fetch-User: ?1`, `Sec-CH-UA-Platform`): the
    // browser's, about the request, never a person's.
    if starts_with_folded(name, b"sec-fetch-") || starts_with_folded(name, b"sec-ch-") {
        return Some(Role::Plain);
    }
    let mut authority = false;
    if SECRET_PARTS.iter().any(|part| contains(name, part))
        || has_word(name, b"otp")
        || has_auth(name, &mut authority)
    {
        return Some(Role::Secret);
    }
    if ["ip", "addr", "address"]
        .iter()
        .any(|word| ends_with_word(name, word.as_bytes()))
    {
        return Some(Role::Addrs);
    }
    authority.then_some(Role::Plain)
}

/// The longest name compared with the exact names; the word rules apply at any length.
const NAME_CAP: usize = 48;

/// Fragments that make any header name a secret (`auth` has its own rule, [`has_auth`]).
const SECRET_PARTS: &[&[u8]] = &[
    b"cookie",
    b"token",
    b"secret",
    b"session",
    b"sessid",
    b"api-key",
    b"apikey",
    b"csrf",
    b"xsrf",
    b"signature",
    b"passw",
    b"credential",
    b"jwt",
    b"email",
    b"e-mail",
];

/// Names known one by one, lowercased with `-` for `_`.
fn exact(name: &[u8]) -> Option<Role> {
    Some(match name {
        b"referer" | b"referrer" => Role::Referrer,
        b"user-agent" => Role::Agent,
        b"x-forwarded-for"
        | b"x-original-forwarded-for"
        | b"x-real-ip"
        | b"forwarded"
        | b"true-client-ip"
        | b"cf-connecting-ip"
        | b"x-client-ip"
        | b"x-cluster-client-ip"
        | b"fastly-client-ip" => Role::Addrs,
        b"x-forwarded-user" | b"x-remote-user" | b"remote-user" => Role::User,
        b"cookie" | b"set-cookie" | b"authorization" | b"proxy-authorization" | b"from" => {
            Role::Secret
        }
        b"www-authenticate" | b"proxy-authenticate" => Role::Text,
        b"host" | b"x-forwarded-host" | b"x-forwarded-proto" | b"x-forwarded-port" | b"accept"
        | b"accept-encoding" | b"accept-language" | b"cache-control" | b"content-type"
        | b"content-length" | b"content-encoding" | b"server" | b"vary" => Role::Plain,
        _ => return None,
    })
}

/// Whether `name` starts with `prefix` (folded) as names are compared.
fn starts_with_folded(name: &[u8], prefix: &[u8]) -> bool {
    name.len() >= prefix.len() && name.iter().zip(prefix).all(|(&a, &b)| fold(a) == b)
}

/// A byte as names are compared: ASCII lowercase, `_` as `-`.
fn fold(b: u8) -> u8 {
    if b == b'_' {
        b'-'
    } else {
        b.to_ascii_lowercase()
    }
}

/// `name` folded into `buf`; `None` if it is longer than any exact name.
fn normalized<'b>(name: &[u8], buf: &'b mut [u8; NAME_CAP]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..name.len())?;
    for (dst, &src) in out.iter_mut().zip(name) {
        *dst = fold(src);
    }
    Some(out)
}

/// Whether folded `part` occurs in `name` at `at`.
fn has_at(name: &[u8], at: usize, part: &[u8]) -> bool {
    name.get(at..at + part.len())
        .is_some_and(|w| w.iter().zip(part).all(|(&a, &b)| fold(a) == b))
}

fn contains(name: &[u8], part: &[u8]) -> bool {
    (0..name.len()).any(|at| has_at(name, at, part))
}

/// Whether `word` occurs in `name` between separators (`-`, `_`) or the name's ends.
fn has_word(name: &[u8], word: &[u8]) -> bool {
    let separator = |at: usize| name.get(at).map_or(true, |&b| fold(b) == b'-');
    (0..name.len()).any(|at| {
        has_at(name, at, word) && (at == 0 || separator(at - 1)) && separator(at + word.len())
    })
}

/// Whether `word` is the last word of `name`, after a separator.
fn ends_with_word(name: &[u8], word: &[u8]) -> bool {
    name.len() > word.len()
        && has_at(name, name.len() - word.len(), word)
        && fold(name[name.len() - word.len() - 1]) == b'-'
}

/// Whether `auth` occurs in `name` other than as the start of `authority`; notes in
/// `authority` whether that word occurs.
fn has_auth(name: &[u8], authority: &mut bool) -> bool {
    (0..name.len()).any(|at| {
        if !has_at(name, at, b"auth") {
            return false;
        }
        if has_at(name, at, b"authority") {
            *authority = true;
            return false;
        }
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{apache, json, nginx, w3c, Field};
    use Role::*;

    /// Header names and the role every format must give them.
    const CASES: &[(&str, Role)] = &[
        ("Referer", Referrer),
        ("Referrer", Referrer),
        ("User-Agent", Agent),
        ("X-Forwarded-For", Addrs),
        ("X-Real-IP", Addrs),
        ("Forwarded", Addrs),
        ("True-Client-IP", Addrs),
        ("CF-Connecting-IP", Addrs),
        ("X-Client-IP", Addrs),
        ("X-Cluster-Client-IP", Addrs),
        ("Fastly-Client-IP", Addrs),
        ("X-Original-Forwarded-For", Addrs),
        ("X-Envoy-External-Address", Addrs),
        ("X-Forwarded-User", User),
        ("Cookie", Secret),
        ("Set-Cookie", Secret),
        ("Authorization", Secret),
        ("Proxy-Authorization", Secret),
        ("X-Access-Token", Secret),
        ("X-Auth-Token", Secret),
        ("X-Api-Key", Secret),
        ("X-ApiKey", Secret),
        ("X-CSRF-Token", Secret),
        ("X-XSRF-TOKEN", Secret),
        ("X-Csrftoken", Secret),
        ("X-Hub-Signature-256", Secret),
        ("X-Client-Secret", Secret),
        ("X-Session-Id", Secret),
        ("X-Password", Secret),
        ("X-Credentials", Secret),
        ("X-JWT-Assertion", Secret),
        ("X-OTP", Secret),
        ("X-Goog-Authenticated-User-Email", Secret),
        ("X-Author", Secret),
        ("From", Secret),
        ("X-Device-Id", Secret),
        ("X-User-Name", Secret),
        ("X-Customer-Id", Secret),
        ("WWW-Authenticate", Text),
        ("Proxy-Authenticate", Text),
        ("Host", Plain),
        ("Authority", Plain),
        ("X-Forwarded-Host", Plain),
        ("Accept-Language", Plain),
        ("Sec-Fetch-User", Plain),
        ("Sec-CH-UA-Platform", Plain),
        ("X-Request-Id", Text),
        ("Via", Text),
        ("Hotpath", Text),
        ("X-Custom", Text),
    ];

    #[test]
    fn rules() {
        for &(name, want) in CASES {
            assert_eq!(role(name.as_bytes()), want, "{name}");
            let snake = name.replace('-', "_").to_ascii_lowercase();
            assert_eq!(role(snake.as_bytes()), want, "{snake}");
        }
        let long = "x-a-header-name-much-longer-than-any-known-name-holding-a-token";
        assert_eq!(role(long.as_bytes()), Secret);
        assert_eq!(role(b""), Text);
    }

    /// The role the field of a one-field format gets on the line `v`.
    fn template_role(template: Result<crate::format::template::Template, String>) -> Role {
        let template = template.unwrap();
        let mut fields: Vec<Field> = Vec::new();
        assert!(template.matches(b"v", &mut fields));
        assert_eq!(fields.len(), 1);
        fields[0].role
    }

    fn w3c_role(header: &str) -> Role {
        let columns = w3c::Columns::from_header(format!("#Fields: {header}").as_bytes()).unwrap();
        let mut fields = Vec::new();
        assert!(columns.parse(b"v", &mut fields));
        fields[0].role
    }

    fn json_role(line: &str) -> Role {
        let mut fields = Vec::new();
        assert!(json::parse(
            line.as_bytes(),
            &json::Keys::default(),
            &mut fields
        ));
        fields.last().unwrap().role
    }

    /// Every format gives a header the same role: request and response headers alike, in each
    /// way a format can name them.
    #[test]
    fn formats_agree() {
        for &(name, want) in CASES {
            let var = name.replace('-', "_").to_ascii_lowercase();
            let got = [
                (
                    "apache %{}i",
                    template_role(apache::compile(&format!("%{{{name}}}i"))),
                ),
                (
                    "apache %{}o",
                    template_role(apache::compile(&format!("%{{{name}}}o"))),
                ),
                (
                    "nginx $http_",
                    template_role(nginx::compile(&format!("$http_{var}"))),
                ),
                (
                    "nginx $sent_http_",
                    template_role(nginx::compile(&format!("$sent_http_{var}"))),
                ),
                (
                    "nginx $upstream_http_",
                    template_role(nginx::compile(&format!("$upstream_http_{var}"))),
                ),
                ("w3c cs()", w3c_role(&format!("cs({name})"))),
                ("w3c sc()", w3c_role(&format!("sc({name})"))),
                ("json key", json_role(&format!(r#"{{"{name}":"v"}}"#))),
                ("json http_", json_role(&format!(r#"{{"http_{var}":"v"}}"#))),
                (
                    "json sent_http_",
                    json_role(&format!(r#"{{"sent_http_{var}":"v"}}"#)),
                ),
                (
                    "json traefik request_",
                    json_role(&format!(r#"{{"request_{name}":"v"}}"#)),
                ),
                (
                    "json traefik downstream_",
                    json_role(&format!(r#"{{"downstream_{name}":"v"}}"#)),
                ),
                (
                    "json caddy headers",
                    json_role(&format!(
                        r#"{{"request":{{"headers":{{"{name}":["v"]}}}}}}"#
                    )),
                ),
                (
                    "json caddy resp_headers",
                    json_role(&format!(r#"{{"resp_headers":{{"{name}":["v"]}}}}"#)),
                ),
            ];
            for (how, role) in got {
                assert_eq!(role, want, "{name} by {how}");
            }
        }
    }
}
