//! Recognisers for text: e-mail addresses, userinfo, credentials and known token formats,
//! random tokens, `name=value` pairs and `DOMAIN\user` logons. Each answers whether its class
//! occurs in a byte string; none reports where or what.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use regex::bytes::Regex;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// No byte, or one that is not part of a word (MSRV 1.80 has no `Option::is_none_or`).
pub fn no_word(b: Option<&u8>) -> bool {
    b.map_or(true, |&b| !is_word(b))
}

pub fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A placeholder written by the scrubber, replaced by NUL bytes before any scan, so that it is
/// never a finding nor part of one.
pub const PLACEHOLDER: &[u8] = b"REDACTED";

/// `text` with every [`PLACEHOLDER`] blanked out (NUL bytes: no recogniser takes them).
pub fn blank_placeholders(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(text);
    let finder = memchr::memmem::Finder::new(PLACEHOLDER);
    let at: Vec<usize> = finder.find_iter(text).collect();
    for start in at {
        out[start..start + PLACEHOLDER.len()].fill(0);
    }
}

/// Percent-decodes `%HH` and unescapes `\xHH` (Apache and nginx escapes) into `out`; returns
/// whether anything was decoded. `+` stays as it is.
pub fn decode(text: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        // `%` right after `:` starts an IPv6 zone (`fe80::1%eth0`, `::%33`), not an escape.
        if b == b'%' && i + 2 < text.len() && !(i > 0 && text[i - 1] == b':') {
            if let (Some(h), Some(l)) = (hex(text[i + 1]), hex(text[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                changed = true;
                continue;
            }
        }
        if b == b'\\' && text.get(i + 1) == Some(&b'x') && i + 3 < text.len() {
            if let (Some(h), Some(l)) = (hex(text[i + 2]), hex(text[i + 3])) {
                out.push(h << 4 | l);
                i += 4;
                changed = true;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    changed
}

/// E-mail addresses, plain or with non-ASCII parts (raw UTF-8). Not: retina image names
/// (`logo@2x.png`), package pins (`jquery@3.7.1`: no top-level domain), handles and scopes at
/// a segment's start (`/@vite/client`: nothing before the `@`).
pub fn email(text: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"(?-u)([A-Za-z0-9._+%\x80-\xff-]+)@([A-Za-z0-9\x80-\xff](?:[A-Za-z0-9\x80-\xff-]*[A-Za-z0-9\x80-\xff])?(?:\.[A-Za-z0-9\x80-\xff](?:[A-Za-z0-9\x80-\xff-]*[A-Za-z0-9\x80-\xff])?)+)",
    );
    re.captures_iter(text).any(|c| {
        let local = &c[1];
        let domain = &c[2];
        // Letters and digits in any script; U+FFFD (what a reader made of bad bytes) is none.
        let text_of = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        // Addresses are text: bytes that are no UTF-8 make none.
        if std::str::from_utf8(local).is_err() || std::str::from_utf8(domain).is_err() {
            return false;
        }
        if !text_of(local).chars().any(char::is_alphanumeric) {
            return false;
        }
        let tld = text_of(domain.rsplit(|&b| b == b'.').next().unwrap_or(b""));
        // Top-level domains are letters; a hyphen only in their ASCII form (`xn--p1ai`).
        let tld_ok = tld.chars().count() >= 2
            && (tld.chars().all(char::is_alphabetic)
                || (tld.starts_with("xn--")
                    && tld.len() > 4
                    && tld.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')));
        // `@2x.png`, `@1.5x.jpg`, `@2x-1024x512.jpg`.
        let digits = domain
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        let retina = digits > 0 && matches!(domain.get(digits), Some(b'x' | b'X'));
        // A domain that runs into a placeholder's blanked bytes goes on as a word: the
        // scrubber read its last label through the placeholder (`a@b.rrREDACTEDrr0`).
        let end = c.get(2).expect("domain").end();
        let runs_on = text.get(end) == Some(&0);
        tld_ok && !retina && !runs_on
    })
}

/// `scheme://user[:password]@` with something in it. An `&` or `=` is a query's, not a
/// userinfo's (`?next=http://a.example&to=x@y`): what follows is a parameter.
pub fn userinfo(text: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r#"(?i)[a-z][a-z0-9+.-]*://([^/?#@&=\s"'<>\\\[\]]*)@[a-z0-9\[]"#,
    );
    re.captures_iter(text)
        .any(|c| c[1].iter().any(|&b| b.is_ascii_alphanumeric() || b >= 0x80))
}

/// Known token formats: each prefix found by one Aho-Corasick pass, then checked by the
/// format's own pattern at that place.
const TOKEN_FORMATS: &[(&str, &str)] = &[
    ("AKIA", r"^AKIA[A-Z0-9]{16}"),
    ("ASIA", r"^ASIA[A-Z0-9]{16}"),
    ("AGPA", r"^AGPA[A-Z0-9]{16}"),
    ("AIDA", r"^AIDA[A-Z0-9]{16}"),
    ("AROA", r"^AROA[A-Z0-9]{16}"),
    ("AIPA", r"^AIPA[A-Z0-9]{16}"),
    ("ANPA", r"^ANPA[A-Z0-9]{16}"),
    ("ANVA", r"^ANVA[A-Z0-9]{16}"),
    ("ghp_", r"^ghp_[A-Za-z0-9]{30,}"),
    ("gho_", r"^gho_[A-Za-z0-9]{30,}"),
    ("ghu_", r"^ghu_[A-Za-z0-9]{30,}"),
    ("ghs_", r"^ghs_[A-Za-z0-9]{30,}"),
    ("ghr_", r"^ghr_[A-Za-z0-9]{30,}"),
    ("github_pat_", r"^github_pat_[A-Za-z0-9_]{30,}"),
    ("glpat-", r"^glpat-[A-Za-z0-9_-]{20,}"),
    ("glptt-", r"^glptt-[A-Za-z0-9_-]{20,}"),
    ("xoxa-", r"^xoxa-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxb-", r"^xoxb-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxp-", r"^xoxp-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxo-", r"^xoxo-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxs-", r"^xoxs-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxr-", r"^xoxr-[0-9]+-[A-Za-z0-9-]{6,}"),
    ("xoxe-", r"^xoxe-[A-Za-z0-9_-]{10,}"),
    ("xapp-", r"^xapp-[A-Za-z0-9_-]{10,}"),
    ("sk_live_", r"^sk_live_[A-Za-z0-9]{16,}"),
    ("rk_live_", r"^rk_live_[A-Za-z0-9]{16,}"),
    ("pk_live_", r"^pk_live_[A-Za-z0-9]{16,}"),
    ("sk_test_", r"^sk_test_[A-Za-z0-9]{16,}"),
    ("rk_test_", r"^rk_test_[A-Za-z0-9]{16,}"),
    ("whsec_", r"^whsec_[A-Za-z0-9]{24,}"),
    ("AIza", r"^AIza[0-9A-Za-z_-]{35}"),
    ("ya29.", r"^ya29\.[0-9A-Za-z_-]{10,}"),
    ("npm_", r"^npm_[A-Za-z0-9]{36}"),
    ("hf_", r"^hf_[A-Za-z0-9]{30,}"),
    ("shpat_", r"^shpat_[a-fA-F0-9]{32}"),
    ("shpss_", r"^shpss_[a-fA-F0-9]{32}"),
    ("shpca_", r"^shpca_[a-fA-F0-9]{32}"),
    ("shppa_", r"^shppa_[a-fA-F0-9]{32}"),
    ("SG.", r"^SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
];

struct Formats {
    prefixes: AhoCorasick,
    patterns: Vec<Regex>,
}

fn formats() -> &'static Formats {
    static FORMATS: OnceLock<Formats> = OnceLock::new();
    FORMATS.get_or_init(|| Formats {
        prefixes: AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(TOKEN_FORMATS.iter().map(|(p, _)| p))
            .expect("the prefixes compile"),
        patterns: TOKEN_FORMATS
            .iter()
            .map(|(_, p)| Regex::new(p).expect("valid pattern"))
            .collect(),
    })
}

/// Credentials: `Bearer`, `Basic` and `Digest` credentials, JWTs, and the known token formats.
pub fn credential(text: &[u8]) -> bool {
    let f = formats();
    for m in f.prefixes.find_overlapping_iter(text) {
        let start = m.start();
        if start > 0 && is_word(text[start - 1]) {
            continue;
        }
        if let Some(found) = f.patterns[m.pattern().as_usize()].find(&text[start..]) {
            let end = start + found.end();
            // A key of a fixed length in the URL-safe alphabet (`AIza` + 35) that runs on in
            // that alphabet is longer than a key.
            let url_safe = TOKEN_FORMATS[m.pattern().as_usize()].0 == "AIza";
            let runs_on = |b: u8| is_word(b) || (url_safe && matches!(b, b'_' | b'-'));
            if !text.get(end).is_some_and(|&b| runs_on(b)) {
                return true;
            }
        }
    }
    jwt(text) || auth_scheme(text)
}

fn jwt(text: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
    );
    re.find_iter(text)
        .any(|m| m.start() == 0 || !is_word(text[m.start() - 1]))
}

fn auth_scheme(text: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"(?i)(bearer|basic|digest)(?:[ +]|%20)+([A-Za-z0-9._~+/=\x00-]+)",
    );
    re.captures_iter(text).any(|c| {
        let whole = c.get(0).expect("match");
        if whole.start() > 0 && is_word(text[whole.start() - 1]) {
            return false;
        }
        // A token's case is as written: `Bearer`, `bearer`, `BEARER`.
        let scheme = c[1].to_ascii_lowercase();
        let token = &c[2];
        if scheme.as_slice() == b"digest" {
            // `Digest username="jdoe", … response="…"`: any quoted value that says something.
            let rest = &text[c.get(1).expect("scheme").end()..];
            return digest_value(rest);
        }
        if token.contains(&0) || token.is_empty() {
            return false;
        }
        let after = &text[whole.end()..];
        match scheme.as_slice() {
            b"basic" => {
                let t = token.strip_suffix(b"=").unwrap_or(token);
                let t = t.strip_suffix(b"=").unwrap_or(t);
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(t)
                    .is_ok_and(|d| d.contains(&b':') && d.len() >= 3)
            }
            // `Bearer realm="api"` is a challenge, not a credential.
            _ => {
                let challenge = token.ends_with(b"=")
                    && after.first() == Some(&b'"')
                    && token[..token.len() - 1].iter().all(u8::is_ascii_alphabetic);
                scheme.as_slice() == b"bearer"
                    && !challenge
                    && token.len() >= 4
                    && (token.len() >= 12
                        || token
                            .iter()
                            .any(|b| b.is_ascii_digit() || b"._~+/-".contains(b)))
            }
        }
    })
}

fn digest_value(rest: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(&RE, r#"\\?"([^"\\]*)"#);
    re.captures_iter(&rest[..rest.len().min(600)])
        .any(|c| c[1].iter().any(u8::is_ascii_alphanumeric))
}

/// A random token in a value or path segment: 16+ hex digits mixing digits and letters, 32+
/// base64 characters mixing cases and digits, or `min_random`+ letters and digits mixing cases
/// and digits that change class at most characters (`aB3dE5fG7hJ9kL1m`; not
/// `iPhone15ProMax256GB`). `hex16_allowed`: exactly 16 hex digits are a pseudonym
/// (`--ip hash --hash-format hex`).
pub fn token(text: &[u8], min_random: usize, hex16_allowed: bool) -> bool {
    static HEX: OnceLock<Regex> = OnceLock::new();
    static B64: OnceLock<Regex> = OnceLock::new();
    static RUN: OnceLock<Regex> = OnceLock::new();
    let hex = re(&HEX, r"[0-9A-Fa-f]{16,}");
    let b64 = re(&B64, r"[A-Za-z0-9+/_=-]{32,}");
    let run = re(&RUN, r"[A-Za-z0-9_-]+");
    let alone = |s: usize, e: usize| (s == 0 || !is_word(text[s - 1])) && no_word(text.get(e));
    let hex_found = hex.find_iter(text).any(|m| {
        let s = m.as_bytes();
        alone(m.start(), m.end())
            && s.iter().any(u8::is_ascii_digit)
            && s.iter().any(u8::is_ascii_alphabetic)
            && !(hex16_allowed && s.len() == 16)
    });
    if hex_found {
        return true;
    }
    let mixed = |s: &[u8]| {
        s.iter().any(u8::is_ascii_uppercase)
            && s.iter().any(u8::is_ascii_lowercase)
            && s.iter().any(u8::is_ascii_digit)
    };
    // Long runs of base64 change class often; slugs (`36955-Newb-s-Guide-to-Multiboxing`)
    // do not.
    let changes = |s: &[u8]| {
        let s: Vec<u8> = s
            .iter()
            .copied()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        s.len() >= 24 && class_changes(&s) * 10 >= (s.len() - 1) * 3
    };
    if b64
        .find_iter(text)
        .any(|m| mixed(m.as_bytes()) && changes(m.as_bytes()))
    {
        return true;
    }
    run.find_iter(text).any(|m| {
        let s: Vec<u8> = m
            .as_bytes()
            .iter()
            .copied()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        s.len() >= min_random && mixed(&s) && random_looking(&s)
    })
}

/// Class changes (upper, lower, digit) at 60 % of the places or more.
fn random_looking(s: &[u8]) -> bool {
    class_changes(s) * 10 >= (s.len() - 1) * 6
}

fn class_changes(s: &[u8]) -> usize {
    let class = |b: u8| {
        if b.is_ascii_digit() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else {
            2
        }
    };
    s.windows(2).filter(|w| class(w[0]) != class(w[1])).count()
}

/// What a `name=value` pair in free text holds.
pub struct Pair<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
}

/// The `name=value` pairs of free text: a name of anything but spaces and separators, a value
/// up to a space, `,`, `;`, `&`, `|`, `)`, `}`, `]`, `>`, or, quoted, to its closing quote.
pub fn pairs(text: &[u8]) -> Vec<Pair<'_>> {
    let mut found = Vec::new();
    // Names are ASCII letters, digits and `_.-[]`, with a letter (`u/=x`, `2_=x` have none).
    let name_byte =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']');
    let stops_value = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(
                b,
                b',' | b';'
                    | b'&'
                    | b'|'
                    | b')'
                    | b'}'
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
                    | b'\''
                    | b'#'
                    | 0
            )
    };
    let mut at = 0;
    while let Some(k) = memchr::memchr(b'=', &text[at..]) {
        let eq = at + k;
        at = eq + 1;
        let mut s = eq;
        while s > 0 && name_byte(text[s - 1]) {
            s -= 1;
        }
        let name = &text[s..eq];
        // After a `:` the name is the end of something else (`host:port`, an address).
        if !name.iter().any(u8::is_ascii_alphabetic) || (s > 0 && text[s - 1] == b':') {
            continue;
        }
        let rest = &text[eq + 1..];
        // A quoted value (`h3=":443"`, `charset="utf-8"`) is a parameter of a header, not a
        // pair; credentials written so (`Digest username="…"`) are credentials. Under a
        // personal or secret name (`password="…"`, `user=<jane>`) it is the value.
        if let Some(close) = match rest.first() {
            Some(b'"') => Some(b'"'),
            Some(b'\'') => Some(b'\''),
            Some(b'<') => Some(b'>'),
            _ => None,
        } {
            let mut decoded = Vec::new();
            decode(name, &mut decoded);
            let sensitive = matches!(
                super::names::kind(if decoded.is_empty() { name } else { &decoded }),
                super::names::NameKind::Personal | super::names::NameKind::Secret
            );
            if let Some(k) = rest[1..].iter().take(256).position(|&b| b == close) {
                if sensitive {
                    found.push(Pair {
                        name,
                        value: &rest[1..1 + k],
                    });
                }
            }
            continue;
        }
        let end = rest
            .iter()
            .position(|&b| stops_value(b))
            .unwrap_or(rest.len());
        let value = &rest[..end];
        found.push(Pair { name, value });
    }
    found
}

/// Whether a pair's value says nothing: empty, `-`, only punctuation, a placeholder, a plain
/// number (`rt=0.123`, `size=512`).
pub fn inert_value(value: &[u8]) -> bool {
    if value.first() == Some(&0) || !value.iter().any(|&b| is_word(b)) {
        return true;
    }
    // `0.123`, `512`, `.5`.
    let digits = value.strip_prefix(b"-").unwrap_or(value);
    let mut parts = digits.splitn(2, |&b| b == b'.');
    let int = parts.next().unwrap_or(b"");
    let frac = parts.next();
    // `0.123`, `512`, `.5`, `20.`.
    int.iter().all(u8::is_ascii_digit)
        && frac.map_or(!int.is_empty(), |f| {
            (!f.is_empty() || !int.is_empty()) && f.iter().all(u8::is_ascii_digit)
        })
}

/// `DOMAIN\user` logons in free text (not escapes such as `\x16`).
pub fn domain_user(text: &[u8]) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"([A-Z][A-Z0-9.-]{0,13}[A-Z0-9])\\([A-Za-z][A-Za-z0-9._$-]+)",
    );
    re.captures_iter(text).any(|c| {
        let whole = c.get(0).expect("match");
        if whole.start() > 0
            && (is_word(text[whole.start() - 1]) || matches!(text[whole.start() - 1], b'\\' | 0))
        {
            return false;
        }
        let user = &c[2];
        // `T5\fd78:3099:…`: an address follows, not a logon.
        // Glued to more (non-ASCII, a NUL) it is no logon either.
        if matches!(text.get(whole.end()), Some(&(b':' | 0 | 0x80..=0xff))) {
            return false;
        }
        let escape = (user[0] == b'x' && user.len() >= 2 && user[1].is_ascii_hexdigit())
            || (user[0] == b'u' && user.len() >= 5 && user[1..5].iter().all(u8::is_ascii_hexdigit));
        !escape && user.iter().any(u8::is_ascii_alphabetic)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for e in [
            "jane.doe@example.com",
            "zoë.martin@café.example",
            "a+b@mail.example.org",
            "x=crawler@bot.example.com",
        ] {
            assert!(email(e.as_bytes()), "{e}");
        }
        for e in [
            "logo@2x.png",
            "4@8.t-z",
            "banner@1.5x.jpg",
            "hero@2x-1024x512.jpg",
            "jquery@3.7.1",
            "/@babel/core@7.23.5",
            "/@vite/client",
            "\"@timestamp\"",
            "/maps/@48.1,11.5",
            "\0\0\0@example.com",
        ] {
            assert!(!email(e.as_bytes()), "{e}");
        }
    }

    #[test]
    fn credentials() {
        for c in [
            "Authorization: Bearer mF_9.B5f-4.1JqM",
            "Basic amFuZTpzM2NyZXQ=",
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_i6XFmtzIuAffTBUuGNGNgWiFRIArgX5EJXeY",
            "xoxb-540884047714-3323096180327-8eMSo4qjm49yQDd4WCq9CeYb",
            "eyJraWQiOiIxIn0.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl",
            "Digest username=\"jdoe\", realm=\"x\"",
        ] {
            assert!(credential(c.as_bytes()), "{c}");
        }
        for c in [
            "BasicBot/1.0",
            "Bearer realm=\"api\"",
            "Basic rejected",
            "AKIA-key-rotation-guide",
            "ghp_-prefix",
            "xoxb-tokens",
            "sk_test_vs_sk_live",
            "why-tokens-start-with-eyJ",
            "Bearer \0\0\0\0\0\0\0\0",
            // 36 characters after `AIza`: longer than a Google API key.
            "AIza_____________________7______________",
        ] {
            assert!(!credential(c.as_bytes()), "{c}");
        }
    }

    #[test]
    fn tokens() {
        for t in [
            "aB3dE5fG7hJ9kL1m",
            "b1946ac92492d2347c62",
            "k3Jd9QmZ2pLx7Rv4Tn8Yw6Hb",
        ] {
            assert!(token(t.as_bytes(), 16, false), "{t}");
        }
        for t in [
            "iPhone15ProMax256GB",
            "GetViewerNotifications2",
            "InternationalizationProvider",
            "some-article-title-2024",
        ] {
            assert!(!token(t.as_bytes(), 16, false), "{t}");
        }
    }

    #[test]
    fn pairs_and_logons() {
        // A quoted value counts under a personal or secret name only.
        let p = pairs(b"a=1 sess=abc; theme=\"dark\" user=<jane> =v");
        let values: Vec<&[u8]> = p.iter().map(|p| p.value).collect();
        assert_eq!(values, [&b"1"[..], b"abc", b"jane"]);
        assert!(
            inert_value(b"0.123") && inert_value(b"-") && inert_value(b"") && inert_value(b"\0\0")
        );
        assert!(!inert_value(b"abc"));
        assert!(domain_user(br"CONTOSO\jane"));
        assert!(!domain_user(br"\x16\x03"));
    }

    #[test]
    fn decoding() {
        let mut out = Vec::new();
        assert!(decode(b"jane%40example.org", &mut out));
        assert_eq!(out, b"jane@example.org");
        assert!(decode(br"zo\xc3\xab", &mut out));
        assert_eq!(out, "zoë".as_bytes());
    }
}
