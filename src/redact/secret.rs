//! Credentials recognised by their shape wherever they stand, whatever field or parameter name
//! carries them: JSON Web Tokens, `Bearer`/`Basic` credentials, and the token formats of the
//! large providers (AWS, GitHub, GitLab, Slack, Stripe, Google, npm, Hugging Face). The
//! prefixes follow the published formats that secret scanners (gitleaks, detect-secrets) use.
//!
//! One Aho-Corasick automaton finds every prefix in a single pass; each hit is then checked
//! against the format's length and alphabet, so a prefix alone (`AKIA` in prose, `sk_test` in
//! documentation, `eyJ` in base64 text) is not taken for a token.

use std::ops::Range;
use std::sync::OnceLock;

use crate::vocab::hex::percent_escape;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// How the text after a prefix must look.
#[derive(Clone, Copy)]
enum Body {
    /// A JWT: `eyJ` header, a dot, a payload of at least 5 characters, a dot, a signature.
    Jwt,
    /// An HTTP credential after its scheme word and a space: the scheme is kept, the
    /// credential (at least 6 characters, not a plain word) replaced.
    Credential,
    /// A `Digest` credential: its list of parameters (`username="jdoe", realm="api",
    /// response="…"`) is replaced whole, as the user name and the response both identify; a
    /// single credential after the word is treated as [`Body::Credential`].
    Digest,
    /// Exactly `n` characters of the alphabet, and no more.
    Exact(Alphabet, usize),
    /// At least `n` characters of the alphabet.
    AtLeast(Alphabet, usize),
}

#[derive(Clone, Copy)]
enum Alphabet {
    /// `A-Z0-9`
    Upper,
    /// `A-Za-z0-9`
    Alnum,
    /// `A-Za-z0-9_-`
    Url,
}

impl Alphabet {
    fn admits(self, b: u8) -> bool {
        match self {
            Alphabet::Upper => b.is_ascii_uppercase() || b.is_ascii_digit(),
            Alphabet::Alnum => b.is_ascii_alphanumeric(),
            Alphabet::Url => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
        }
    }
}

/// Prefix and what follows it. The automaton
/// matches case-sensitively (which lets it use its SIMD prefilter), so the spellings of the
/// HTTP schemes are listed.
const RULES: &[(&str, Body)] = &[
    ("eyJ", Body::Jwt),
    ("Bearer", Body::Credential),
    ("bearer", Body::Credential),
    ("BEARER", Body::Credential),
    ("Basic", Body::Credential),
    ("basic", Body::Credential),
    ("BASIC", Body::Credential),
    ("Digest", Body::Digest),
    ("digest", Body::Digest),
    ("DIGEST", Body::Digest),
    // AWS access key ids: long-term (AKIA) and temporary (ASIA) keys and the other ids of IAM.
    ("AKIA", Body::Exact(Alphabet::Upper, 16)),
    ("ASIA", Body::Exact(Alphabet::Upper, 16)),
    ("AGPA", Body::Exact(Alphabet::Upper, 16)),
    ("AIDA", Body::Exact(Alphabet::Upper, 16)),
    ("AROA", Body::Exact(Alphabet::Upper, 16)),
    ("ANPA", Body::Exact(Alphabet::Upper, 16)),
    ("AIPA", Body::Exact(Alphabet::Upper, 16)),
    ("ANVA", Body::Exact(Alphabet::Upper, 16)),
    ("ghp_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("gho_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("ghu_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("ghs_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("ghr_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("github_pat_", Body::AtLeast(Alphabet::Url, 22)),
    ("glpat-", Body::AtLeast(Alphabet::Url, 20)),
    ("glptt-", Body::AtLeast(Alphabet::Url, 20)),
    ("xoxb-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxp-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxa-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxr-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxs-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxo-", Body::AtLeast(Alphabet::Url, 8)),
    ("xoxe-", Body::AtLeast(Alphabet::Url, 10)),
    ("xapp-", Body::AtLeast(Alphabet::Url, 10)),
    ("sk_live_", Body::AtLeast(Alphabet::Alnum, 16)),
    ("rk_live_", Body::AtLeast(Alphabet::Alnum, 16)),
    ("pk_live_", Body::AtLeast(Alphabet::Alnum, 16)),
    ("sk_test_", Body::AtLeast(Alphabet::Alnum, 16)),
    ("rk_test_", Body::AtLeast(Alphabet::Alnum, 16)),
    ("whsec_", Body::AtLeast(Alphabet::Alnum, 24)),
    ("AIza", Body::Exact(Alphabet::Url, 35)),
    ("ya29.", Body::AtLeast(Alphabet::Url, 10)),
    ("npm_", Body::Exact(Alphabet::Alnum, 36)),
    ("hf_", Body::AtLeast(Alphabet::Alnum, 30)),
    ("shpat_", Body::Exact(Alphabet::Alnum, 32)),
    ("shpss_", Body::Exact(Alphabet::Alnum, 32)),
    ("shpca_", Body::Exact(Alphabet::Alnum, 32)),
    ("shppa_", Body::Exact(Alphabet::Alnum, 32)),
    ("SG.", Body::AtLeast(Alphabet::Url, 20)),
];

fn automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(RULES.iter().map(|(prefix, _)| prefix))
            .expect("the secret prefixes form a valid automaton")
    })
}

/// The first secret at or after `from`: the byte range to replace.
pub fn find(s: &[u8], from: usize) -> Option<Range<usize>> {
    let mut at = from;
    while at < s.len() {
        let m = automaton().find(&s[at..])?;
        let (start, end) = (at + m.start(), at + m.end());
        let (_, body) = RULES[m.pattern().as_usize()];
        // A prefix glued to a word is part of it (`task_live_…`); after `_` or `-` it starts
        // a token of its own (`id_hf_…`), as a reader of the line takes it.
        // An escaped separator before it is a separator too (`token%3Dghp_…`, a CloudFront
        // agent's `Mozilla/5.0%20sk_live_…`).
        let escaped_separator = start >= 3
            && percent_escape(&s[start - 3..]).is_some_and(|b| !b.is_ascii_alphanumeric());
        let boundary = start == 0 || !s[start - 1].is_ascii_alphanumeric() || escaped_separator;
        if boundary {
            if let Some(range) = body_of(s, start, end, body) {
                return Some(range);
            }
        }
        at = start + 1;
    }
    None
}

/// Whether `s` holds a secret anywhere.
pub fn contains(s: &[u8]) -> bool {
    find(s, 0).is_some()
}

/// The range to replace for a prefix at `start..end` followed by `body`, if it is one.
fn body_of(s: &[u8], start: usize, end: usize, body: Body) -> Option<Range<usize>> {
    let run = |from: usize, alphabet: Alphabet| {
        from + s[from..]
            .iter()
            .take_while(|&&b| alphabet.admits(b))
            .count()
    };
    match body {
        Body::Jwt => {
            let header_end = run(end, Alphabet::Url);
            let payload_start = header_end + 1;
            if s.get(header_end) != Some(&b'.') || header_end - start < 10 {
                return None;
            }
            let payload_end = run(payload_start, Alphabet::Url);
            if payload_end - payload_start < 5 {
                return None;
            }
            let signature_end = if s.get(payload_end) == Some(&b'.') {
                run(payload_end + 1, Alphabet::Url)
            } else {
                return None;
            };
            Some(start..signature_end)
        }
        // An HTTP scheme's name, then spaces (`+` or `%20` where the text is URL-encoded).
        Body::Digest | Body::Credential if scheme_end(s, end) == end => None,
        Body::Digest => {
            auth_params(s, scheme_end(s, end)).or_else(|| body_of(s, start, end, Body::Credential))
        }
        Body::Credential => {
            let end = scheme_end(s, end);
            let cred_end = end
                + s[end..]
                    .iter()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric()
                            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
                    })
                    .count();
            let cred = &s[end..cred_end];
            let (digits, upper, lower) = cred.iter().fold((0, 0, 0), |(d, u, l), &b| {
                (
                    d + usize::from(b.is_ascii_digit()),
                    u + usize::from(b.is_ascii_uppercase()),
                    l + usize::from(b.is_ascii_lowercase()),
                )
            });
            let symbols = cred
                .iter()
                .any(|b| matches!(b, b'+' | b'/' | b'=' | b'.' | b'_' | b'-'));
            let random = digits > 0 || symbols || (upper >= 2 && lower >= 2);
            // `Bearer realm="api"`: a challenge's parameter (a lower-case name, `=`, a quoted
            // value), not a credential.
            let parameter = cred.last() == Some(&b'=')
                && cred[..cred.len() - 1].iter().all(u8::is_ascii_lowercase)
                && s.get(cred_end) == Some(&b'"');
            (cred.len() >= 6 && random && !parameter).then_some(end..cred_end)
        }
        Body::Exact(alphabet, n) => {
            let body_end = run(end, alphabet);
            (body_end - end == n).then_some(start..body_end)
        }
        Body::AtLeast(alphabet, n) => {
            let body_end = run(end, alphabet);
            (body_end - end >= n).then_some(start..body_end)
        }
    }
}

/// Where the spaces after an HTTP scheme's name (`Bearer`) end, the name ending at `end`:
/// spaces, `+` and `%20`, as the audit reads them.
fn scheme_end(s: &[u8], mut end: usize) -> usize {
    loop {
        match s.get(end..) {
            Some([b' ' | b'+', ..]) => end += 1,
            Some([b'%', b'2', b'0', ..]) => end += 3,
            _ => return end,
        }
    }
}

/// The range of a list of authentication parameters starting at `from`: `name=value` pairs
/// joined by commas and spaces, each value a token or a quoted string, written with plain
/// quotes or, inside a quoted log field, escaped ones (`username=\"jdoe\"`). `None` if no
/// parameter starts at `from`.
fn auth_params(s: &[u8], from: usize) -> Option<Range<usize>> {
    let mut i = from;
    let mut list_end = None;
    loop {
        let name_len = s[i..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            .count();
        if name_len == 0 || s.get(i + name_len) != Some(&b'=') {
            break;
        }
        let value = i + name_len + 1;
        let rest = &s[value..];
        // An unclosed quote runs to the end of the field (a raw quote) or of the text.
        let value_end = if rest.starts_with(b"\\\"") {
            memchr::memmem::find(&rest[2..], b"\\\"").map_or_else(
                || value + memchr::memchr(b'"', &rest[2..]).map_or(rest.len(), |k| k + 2),
                |k| value + k + 4,
            )
        } else if rest.starts_with(b"\"") {
            memchr::memchr(b'"', &rest[1..]).map_or(s.len(), |k| value + k + 2)
        } else {
            value
                + rest
                    .iter()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric()
                            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b':')
                    })
                    .count()
        };
        list_end = Some(value_end);
        i = value_end;
        if s.get(i) != Some(&b',') {
            break;
        }
        i += 1;
        i += s[i..].iter().take_while(|&&b| b == b' ').count();
    }
    list_end.map(|end| from..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_table() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl y",
                Some("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
            ),
            (
                "alg none eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
                Some("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."),
            ),
            ("Authorization: Bearer abc.def-123_x", Some("abc.def-123_x")),
            ("Basic Ym9iOnNlY3JldA==", Some("Ym9iOnNlY3JldA==")),
            ("basic dXNlcjpwYXNzd29yZA", Some("dXNlcjpwYXNzd29yZA")),
            ("key AKIAIOSFODNN7EXAMPLE.", Some("AKIAIOSFODNN7EXAMPLE")),
            (
                "/t/ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                Some("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
            ),
            (
                "glpat-xxxxxxxxxxxxxxxxxxxx",
                Some("glpat-xxxxxxxxxxxxxxxxxxxx"),
            ),
            (
                "xoxb-1234567890-abcdefghij",
                Some("xoxb-1234567890-abcdefghij"),
            ),
            (
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                Some("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ),
            (
                "k=AIzaSyA-1234567890abcdefghijklmnopqrstu",
                Some("AIzaSyA-1234567890abcdefghijklmnopqrstu"),
            ),
            (
                "Mozilla/5.0%20sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                Some("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ),
            (
                "a token%3Dghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                Some("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
            ),
            ("x%20Bearer%20abcdef1234567890", Some("abcdef1234567890")),
            ("q=Bearer+abcdef1234567890", Some("abcdef1234567890")),
            // Look-alikes.
            ("Bearer-token abcdef1234567890", None),
            ("ask_live_4eC39HqLyjWDarjtT1zdp7dc", None),
            ("AKIA alone", None),
            ("SlovAKIA0123456789ABCDEF", None),
            ("BasicBot/1.0", None),
            (r#"{Bearer realm="api"}"#, None),
            (r#""x Basic Ym9iOmJvYnB3" y"#, Some("Ym9iOmJvYnB3")),
            ("(Authorization: Bearer cu_77zz)", Some("cu_77zz")),
            ("Basic authentication", None),
            (
                r#"Authorization: Digest username="jdoe", realm="api", response="6629fae4" x"#,
                Some(r#"username="jdoe", realm="api", response="6629fae4""#),
            ),
            (
                r#""UA (Digest username=\"jdoe\", realm=\"x\")" y"#,
                Some(r#"username=\"jdoe\", realm=\"x\""#),
            ),
            (r#"Digest username="jdoe"#, Some(r#"username="jdoe"#)),
            ("Digest dXNlcjpwYXNzd29yZA", Some("dXNlcjpwYXNzd29yZA")),
            ("Digest authentication", None),
            ("bearer token", None),
            ("use sk_test_ keys", None),
            ("eyJ alone", None),
            ("eyJhbGciOiJIUzI1NiJ9 only", None),
            ("ghp_short", None),
            ("AIzaShort", None),
        ];
        for &(input, want) in cases {
            let got = find(input.as_bytes(), 0).map(|r| &input[r]);
            assert_eq!(got, want, "{input}");
        }
    }
}
