//! URLs (request targets, referrers, URL and query fields): path segments, matrix and query
//! parameters, fragments and URLs nested in values, judged part by part.

use super::names::{self, NameKind};
use super::numbers;
use super::scan::{self, is_word};
use super::{Class, Found};

/// Words after which a path segment with letters and digits is a one-time link's token.
const LINK_WORDS: &[&str] = &[
    "reset",
    "confirm",
    "confirmation",
    "verify",
    "verification",
    "activate",
    "activation",
    "invite",
    "invitation",
    "accept",
    "unsubscribe",
    "magic",
    "login",
    "token",
    "share",
    "shared",
    "download",
    "downloads",
    "s",
    "auth",
    "claim",
    "redeem",
    "approve",
    "optout",
    "opt-out",
];

/// How deep URLs nested in values are followed.
const MAX_DEPTH: u8 = 3;

/// Options that change what a URL may hold.
#[derive(Clone, Copy, Debug)]
pub struct UrlRules {
    /// 16 hex digits are `--ip hash --hash-format hex` pseudonyms.
    pub hex16_allowed: bool,
}

/// Finds personal data in the parts of `url` (placeholders already blanked): parameters by
/// name, path tokens, one-time-link tokens, coordinates, and URLs nested in values.
/// `query_only`: the value is a query string, with or without its `?`.
pub fn scan(url: &[u8], query_only: bool, rules: UrlRules, found: &mut Found) {
    scan_at(url, query_only, rules, found, 0);
}

fn scan_at(url: &[u8], query_only: bool, rules: UrlRules, found: &mut Found, depth: u8) {
    let (path, params) = if query_only {
        (&b""[..], url.strip_prefix(b"?").unwrap_or(url))
    } else {
        match url.iter().position(|&b| b == b'?' || b == b'#') {
            Some(k) => (&url[..k], &url[k + 1..]),
            None => (url, &b""[..]),
        }
    };
    let path = match memchr::memmem::find(path, b"://") {
        Some(k) => {
            let after = &path[k + 3..];
            after
                .iter()
                .position(|&b| b == b'/')
                .map_or(&b""[..], |p| &after[p..])
        }
        None => path,
    };
    let mut previous: &[u8] = b"";
    let mut decoded = Vec::new();
    for raw in path.split(|&b| b == b'/') {
        let mut pieces = raw.split(|&b| b == b';');
        let segment = pieces.next().unwrap_or(b"");
        for matrix in pieces {
            param(matrix, rules, found, depth);
        }
        scan::decode(segment, &mut decoded);
        let segment_text = if decoded.is_empty() {
            segment
        } else {
            &decoded
        };
        check_segment(segment_text, previous, rules, found);
        previous = segment;
    }
    // Query and fragment: `&` and `;` separate parameters, and a second `?` or `#` starts
    // more of them.
    for item in params.split(|&b| matches!(b, b'&' | b';' | b'?' | b'#')) {
        param(item, rules, found, depth);
    }
}

fn has_extension(segment: &[u8]) -> bool {
    match segment.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => {
            let ext = &segment[dot + 1..];
            (1..=6).contains(&ext.len())
                && ext.iter().all(u8::is_ascii_alphanumeric)
                && ext.iter().any(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

fn check_segment(segment: &[u8], previous: &[u8], rules: UrlRules, found: &mut Found) {
    if segment.is_empty() || segment[0] == 0 {
        return;
    }
    if has_extension(segment) {
        // A file name: content hashes and versions are no one's.
        return;
    }
    if object_id(segment, previous) {
        return;
    }
    if scan::token(segment, 16, rules.hex16_allowed) {
        found.set(Class::Token);
    }
    // `/reset/…`, `/magic-link/…`, `/Account/ResetPassword/…`.
    let mut words = names::words(previous);
    words.push(String::from_utf8_lossy(previous).to_ascii_lowercase());
    if words.iter().any(|w| LINK_WORDS.contains(&w.as_str()))
        && segment.len() >= 6
        && segment.iter().any(u8::is_ascii_alphabetic)
        && segment.iter().any(u8::is_ascii_digit)
        && random_looking(segment)
    {
        found.set(Class::Token);
    }
}

/// A content digest (`sha256:0d17…`, an image manifest's) or a git object after `commit`,
/// `commits`, `tree` or `blob` (`/commit/311b9ffb…`): hashes of content, no one's.
fn object_id(segment: &[u8], previous: &[u8]) -> bool {
    let hex = |h: &[u8]| h.len() >= 7 && h.iter().all(u8::is_ascii_hexdigit);
    let digest = ["sha1:", "sha256:", "sha384:", "sha512:", "md5:"]
        .iter()
        .find_map(|p| segment.strip_prefix(p.as_bytes()));
    if let Some(h) = digest {
        return hex(h);
    }
    let git = ["commit", "commits", "tree", "blob"]
        .iter()
        .any(|w| previous.eq_ignore_ascii_case(w.as_bytes()));
    git && segment.len() <= 40 && hex(segment)
}

/// Whether a word of `segment` alternates letters and digits more than once (`Xy7kP2qR`):
/// versions (`v1.4.2`), slugs (`report-2024-q1`) and route names (`oauth2`, `windows-x64`)
/// do not.
fn random_looking(segment: &[u8]) -> bool {
    segment.split(|b| !b.is_ascii_alphanumeric()).any(|word| {
        let kinds: Vec<bool> = word.iter().map(u8::is_ascii_digit).collect();
        kinds.windows(2).filter(|k| k[0] != k[1]).count() > 1
    })
}

/// One `name=value` parameter.
fn param(item: &[u8], rules: UrlRules, found: &mut Found, depth: u8) {
    let Some(eq) = memchr::memchr(b'=', item) else {
        return;
    };
    let (raw_name, raw_value) = (&item[..eq], &item[eq + 1..]);
    let mut name = Vec::new();
    scan::decode(raw_name, &mut name);
    let name = if name.is_empty() {
        raw_name.to_vec()
    } else {
        name
    };
    // Decoded until nothing changes (a value may be encoded twice).
    let mut value = raw_value.to_vec();
    let mut next = Vec::new();
    for _ in 0..3 {
        if !scan::decode(&value, &mut next) {
            break;
        }
        std::mem::swap(&mut value, &mut next);
    }
    if value.first() == Some(&0) || !value.iter().any(|&b| is_word(b)) {
        return;
    }
    match names::kind(&name) {
        NameKind::Personal | NameKind::Secret => found.set(Class::Parameter),
        NameKind::Coordinate => {
            if numbers::precise_number(&value) {
                found.set(Class::Coordinates);
            }
        }
        NameKind::Version => {}
        NameKind::Other => {
            if scan::token(&value, 20, rules.hex16_allowed) {
                found.set(Class::Token);
            }
            if numbers::coordinate_pair(&value) {
                found.set(Class::Coordinates);
            }
        }
    }
    // A URL in a value (`next=%2Fhome%3Fsession%3D…`): its parameters count too.
    if depth < MAX_DEPTH
        && (value.contains(&b'?')
            || value.starts_with(b"/")
            || memchr::memmem::find(&value, b"://").is_some())
    {
        scan_at(&value, false, rules, found, depth + 1);
    }
}

/// Parameters after a `?` in free text or a user agent (`… +https://x.example/?token=…)`),
/// judged by their names only.
pub fn embedded_queries(text: &[u8], found: &mut Found) {
    let mut at = 0;
    while let Some(k) = memchr::memchr(b'?', &text[at..]) {
        let start = at + k + 1;
        let end = text[start..]
            .iter()
            .position(|&b| {
                b.is_ascii_whitespace() || matches!(b, b'"' | b')' | b'\'' | b'<' | b'>' | 0)
            })
            .map_or(text.len(), |e| start + e);
        for item in text[start..end].split(|&b| matches!(b, b'&' | b';' | b'?' | b'#')) {
            let Some(eq) = memchr::memchr(b'=', item) else {
                continue;
            };
            let mut value = Vec::new();
            scan::decode(&item[eq + 1..], &mut value);
            let value = if value.is_empty() {
                item[eq + 1..].to_vec()
            } else {
                value
            };
            if value.first() == Some(&0) || !value.iter().any(|&b| is_word(b)) {
                continue;
            }
            match names::kind(&item[..eq]) {
                NameKind::Personal | NameKind::Secret => found.set(Class::Parameter),
                NameKind::Coordinate if numbers::precise_number(&value) => {
                    found.set(Class::Coordinates)
                }
                _ => {}
            }
        }
        at = end.max(start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(url: &str) -> Vec<Class> {
        let mut found = Found::default();
        scan(
            url.as_bytes(),
            false,
            UrlRules {
                hex16_allowed: false,
            },
            &mut found,
        );
        Class::ALL.into_iter().filter(|&c| found.has(c)).collect()
    }

    #[test]
    fn parts_are_judged() {
        assert_eq!(
            classes("/login?user=frank&password=hunter2"),
            [Class::Parameter]
        );
        assert_eq!(classes("/reset/Ab12Cd34"), [Class::Token]);
        assert_eq!(classes("/invite/accept/3c1f-9ab2-77de"), [Class::Token]);
        assert_eq!(
            classes("/maps?ll=48.137154,11.576124"),
            [Class::Coordinates]
        );
        assert_eq!(
            classes("/go?next=%2Fhome%3Fsession%3Dabc"),
            [Class::Parameter]
        );
        assert_eq!(
            classes("/go?next=%252Fhome%253Fsid%253Dabc"),
            [Class::Parameter]
        );
        assert_eq!(
            classes("/shop;jsessionid=A1B2C3D4E5?item=7"),
            [Class::Parameter]
        );
        assert_eq!(
            classes("/callback#access_token=abc123&state=xyz"),
            [Class::Parameter]
        );
        assert_eq!(classes("/p/aB3dE5fG7hJ9kL1m"), [Class::Token]);
    }

    #[test]
    fn look_alikes_are_not() {
        for url in [
            "/password/reset",
            "/static/css/main.4e5f6a7b8c9d0e1f.css",
            "/products/blue-widget-2000",
            "/?sort=name&page=2&lang=de&utm_source=mail",
            "/?sid=\0\0\0\0\0\0\0\0",
            "/?lat=48.13&lng=11.57",
            "/?zoom=12.5&price=48.13",
            "https://www.example.com:443/path/index.html",
            "/download/setup-2.4.1.exe",
            "/releases/download/v1.4.2/app.apk",
            "/login/oauth2/code/google",
            "/download/windows-x64",
            "/v2/library/nginx/manifests/sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "/org/repo/commit/311b9ffb8e7c6a5d4f3e2d1c0b9a8f7e6d5c4b3a",
            "/?operationName=GetViewerNotifications2",
        ] {
            assert_eq!(classes(url), [], "{url}");
        }
    }
}
