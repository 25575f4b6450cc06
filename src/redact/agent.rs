//! User-agent reduction (`--agent reduce`): the browser family, its major version and the
//! operating system stay; minor and build versions, device models and app build details — the
//! parts that single a visitor out — go, the way Chrome's User-Agent Reduction does it.
//!
//! - Product tokens keep their name and major version, later components become `0`
//!   (`Chrome/120.0.6099.109` → `Chrome/120.0.0.0`, `rv:1.9.2.13` → `rv:1.0.0.0`); the tokens
//!   browsers froze long ago keep two components (`AppleWebKit/537.36`, `Safari/537.36`,
//!   `Gecko/20100101`, `Mobile/15E148`; `Safari/537.73.11` → `Safari/537.73.0`).
//! - In the comment, an Android device model and build become `K` (`Android 13; K`), the
//!   Android version keeps its major number, iOS and macOS versions keep two components
//!   (`17_1_0`, `10_15_0`), Windows NT versions stay (they name the OS release).
//! - In-app browsers are cut to the app's name and major version (`[FBAN/FBIOS;FBAV/312]`,
//!   `Instagram 312`).
//! - Bots and tools (`Googlebot/2.1; +http://…`, `curl/8.4.0`) identify no person, and bot
//!   statistics need their names, versions and info URLs: they stay whole.
//!
//! Invariant: the output is built from the input's own bytes and `0`, `K`; nothing personal
//! can be added, and a reduced agent reduces to itself.

/// Writes the reduced form of the user agent `ua` (already scrubbed of personal data).
pub fn reduce(ua: &[u8], out: &mut Vec<u8>) {
    if !is_browser(ua) {
        return out.extend_from_slice(ua);
    }
    // W3C logs write the agent's spaces as `+`.
    let sp = if memchr::memchr(b' ', ua).is_none() && memchr::memchr(b'+', ua).is_some() {
        b'+'
    } else {
        b' '
    };
    let mut i = 0;
    while i < ua.len() {
        match ua[i] {
            b'(' => {
                let close = find_close(ua, i);
                out.push(b'(');
                reduce_comment(&ua[i + 1..close], sp, out);
                if close < ua.len() {
                    out.push(b')');
                }
                i = close + 1;
            }
            b'[' => {
                let close = memchr::memchr(b']', &ua[i..]).map_or(ua.len(), |k| i + k);
                out.push(b'[');
                reduce_in_app(&ua[i + 1..close], out);
                if close < ua.len() {
                    out.push(b']');
                }
                i = close + 1;
            }
            b if b == sp => {
                out.push(sp);
                i += 1;
            }
            _ => {
                let end = ua[i..]
                    .iter()
                    .position(|&b| b == sp || b == b'(' || b == b'[')
                    .map_or(ua.len(), |k| i + k);
                let token = &ua[i..end];
                if token == b"Instagram" {
                    i = reduce_instagram(ua, i, sp, out);
                    continue;
                }
                reduce_product(token, out);
                i = end;
            }
        }
    }
}

/// Browsers and in-app browsers announce themselves as `Mozilla/`, `Opera/` or `Dalvik/`;
/// anything else (tools, feed readers, libraries) and anything that calls itself a bot or
/// carries an info URL is kept whole.
fn is_browser(ua: &[u8]) -> bool {
    let browser_like = [&b"Mozilla/"[..], b"Opera/", b"Dalvik/"]
        .iter()
        .any(|p| ua.starts_with(p));
    let bot = [
        "bot", "crawl", "spider", "slurp", "http://", "https://", "+http", "preview",
    ]
    .iter()
    .any(|word| contains_ignore_case(ua, word.as_bytes()));
    browser_like && !bot
}

fn contains_ignore_case(s: &[u8], word: &[u8]) -> bool {
    s.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word))
}

/// The `)` closing the comment opened at `open`, nested comments included; the end if none.
fn find_close(ua: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (k, &b) in ua[open..].iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return open + k;
                }
            }
            _ => {}
        }
    }
    ua.len()
}

/// Tokens that browsers froze: their versions say nothing about the visitor.
const FROZEN: &[&[u8]] = &[
    b"Mozilla",
    b"AppleWebKit",
    b"Safari",
    b"Gecko",
    b"KHTML",
    b"Mobile",
];

/// `Name/1.2.3` → `Name/1.0.0`; a frozen token keeps two components (`AppleWebKit/537.36`,
/// `Safari/537.73.11` → `Safari/537.73.0`); a token without a version is kept.
fn reduce_product(token: &[u8], out: &mut Vec<u8>) {
    match memchr::memchr(b'/', token) {
        Some(slash) => {
            out.extend_from_slice(&token[..=slash]);
            let keep = if FROZEN.contains(&&token[..slash]) {
                2
            } else {
                1
            };
            reduce_version(&token[slash + 1..], keep, out);
        }
        None => out.extend_from_slice(token),
    }
}

/// Keeps the first `keep` numeric components of a version and writes `0` for every later one;
/// separators and anything after the numbers are kept (`120.0.6099.109` → `120.0.0.0`).
fn reduce_version(version: &[u8], keep: usize, out: &mut Vec<u8>) {
    let mut component = 0;
    let mut i = 0;
    while i < version.len() {
        let b = version[i];
        if b.is_ascii_digit() {
            let len = version[i..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if component < keep {
                out.extend_from_slice(&version[i..i + len]);
            } else {
                out.push(b'0');
            }
            component += 1;
            i += len;
        } else if b == b'.' || b == b'_' {
            out.push(b);
            i += 1;
        } else {
            // A word after a separator names a platform or a channel (`15.8.42.29.arm64`,
            // `zgrab/0.x`), as a product's name does: kept. A suffix glued to the numbers
            // (`b3`, `-beta`) goes with the build.
            let word = i > 0 && matches!(version[i - 1], b'.' | b'_') && b.is_ascii_alphabetic();
            if component < keep || word {
                out.extend_from_slice(&version[i..]);
            }
            return;
        }
    }
}

/// The items of a comment, `; `-separated: the platform, the OS version, the device.
fn reduce_comment(comment: &[u8], sp: u8, out: &mut Vec<u8>) {
    let mut android = false;
    let mut device_written = false;
    let mut written = 0;
    for item in comment.split(|&b| b == b';') {
        let lead = item.iter().take_while(|&&b| b == sp).count();
        let (spaces, item) = item.split_at(lead);
        // A device model with its build (`KFAPWI Build/JDQ39`) is one wherever it stands.
        let device = (android && !is_kept_after_android(item)) || find(item, b"Build/").is_some();
        if device && device_written {
            // A second item of the device (`Build/…`): it goes with the first.
            continue;
        }
        if written > 0 {
            out.push(b';');
        }
        written += 1;
        out.extend_from_slice(spaces);
        if device {
            // The device model and its build: one `K`, as Chrome writes it.
            out.push(b'K');
            device_written = true;
        } else if let Some(version) = item.strip_prefix(b"Android") {
            android = true;
            out.extend_from_slice(b"Android");
            let spaces = version.iter().take_while(|&&b| b == sp).count();
            out.extend_from_slice(&version[..spaces]);
            reduce_version(&version[spaces..], 1, out);
        } else if let Some(at) = find(item, &[sp, b'O', b'S', sp]) {
            // `CPU iPhone OS 17_1_2 like Mac OS X`, `Intel Mac OS X 10_15_7`.
            match item[at + 4..].iter().position(u8::is_ascii_digit) {
                Some(k) => {
                    let v = at + 4 + k;
                    out.extend_from_slice(&item[..v]);
                    let end = item[v..]
                        .iter()
                        .position(|&b| !(b.is_ascii_digit() || b == b'_' || b == b'.'))
                        .map_or(item.len(), |k| v + k);
                    reduce_version(&item[v..end], 2, out);
                    out.extend_from_slice(&item[end..]);
                }
                None => out.extend_from_slice(item),
            }
        } else if item.starts_with(b"Windows") || item.starts_with(b"CrOS") {
            out.extend_from_slice(item);
        } else if let Some(version) = item.strip_prefix(b"rv:") {
            out.extend_from_slice(b"rv:");
            reduce_version(version, 1, out);
        } else {
            reduce_words(item, sp, out);
        }
    }
}

/// What may follow `Android N` without being the device: the WebView marker, `Mobile`, `U`,
/// `K` and a locale.
fn is_kept_after_android(item: &[u8]) -> bool {
    matches!(item, b"wv" | b"Mobile" | b"U" | b"K" | b"Tablet") || is_locale(item)
}

/// `en`, `en-US`, `zh_CN`.
fn is_locale(item: &[u8]) -> bool {
    match item.len() {
        2 => item.iter().all(u8::is_ascii_lowercase),
        5 => {
            item[..2].iter().all(u8::is_ascii_lowercase)
                && matches!(item[2], b'-' | b'_')
                && item[3..].iter().all(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

/// Words of a comment item, each product-like word reduced (`Trident/7.0`, `MSIE 10.0`).
fn reduce_words(item: &[u8], sp: u8, out: &mut Vec<u8>) {
    for (n, word) in item.split(|&b| b == sp).enumerate() {
        if n > 0 {
            out.push(sp);
        }
        if word.first().is_some_and(u8::is_ascii_digit) {
            reduce_version(word, 1, out);
        } else {
            reduce_product(word, out);
        }
    }
}

/// `FBAN/FBIOS;FBAV/312.0.0.34.111;FBBV/…;FBDV/iPhone14,2;…`: the app and its major version.
fn reduce_in_app(inner: &[u8], out: &mut Vec<u8>) {
    let mut first = true;
    for item in inner.split(|&b| b == b';') {
        let keep = item.starts_with(b"FBAN/") || item.starts_with(b"FBAV/");
        if !keep {
            continue;
        }
        if !first {
            out.push(b';');
        }
        first = false;
        match item.strip_prefix(b"FBAV/") {
            Some(version) => {
                out.extend_from_slice(b"FBAV/");
                let major = version.iter().take_while(|b| b.is_ascii_digit()).count();
                out.extend_from_slice(&version[..major]);
            }
            None => out.extend_from_slice(item),
        }
    }
}

/// `Instagram 312.0.0.34.111 (iPhone14,2; iOS 17_1_2; …)` → `Instagram 312`: returns where the
/// rest of the agent goes on.
fn reduce_instagram(ua: &[u8], at: usize, sp: u8, out: &mut Vec<u8>) -> usize {
    out.extend_from_slice(b"Instagram");
    let mut i = at + b"Instagram".len();
    if ua.get(i) == Some(&sp) && ua.get(i + 1).is_some_and(u8::is_ascii_digit) {
        let major = ua[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        out.push(sp);
        out.extend_from_slice(&ua[i + 1..i + 1 + major]);
        i += 1 + ua[i + 1..].iter().take_while(|&&b| b != sp).count();
        // The comment after it holds the device, screen, locale and build.
        if ua[i..].starts_with(&[sp, b'(']) {
            i = find_close(ua, i + 1) + 1;
        }
    }
    i
}

fn find(s: &[u8], needle: &[u8]) -> Option<usize> {
    s.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduced(ua: &str) -> String {
        let mut out = Vec::new();
        reduce(ua.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn reduction_table() {
        let cases = [
            ("Mozilla/5.0 zgrab/0.x", "Mozilla/5.0 zgrab/0.x"),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) GSA/15.8.42.29.arm64 Mobile/15E148",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) GSA/15.0.0.0.arm64 Mobile/15E148",
            ),
            ("Mozilla/5.0 App/2.3.1b4 x", "Mozilla/5.0 App/2.0.0 x"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36",
                "Mozilla/5.0 (Linux; Android 13; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36",
                "Mozilla/5.0 (Linux; Android 14; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36",
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
                "Mozilla/5.0 (Linux; Android 13; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            ),
            (
                "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.2.13) Gecko/20101203 Firefox/3.6.13",
                "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.0.0.0) Gecko/20101203 Firefox/3.0.0",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_0 like Mac OS X) AppleWebKit/605.1.0 (KHTML, like Gecko) Version/17.0.0 Mobile/15E148 Safari/604.1",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/21B101 [FBAN/FBIOS;FBAV/444.0.0.35.111;FBBV/540093283;FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_0 like Mac OS X) AppleWebKit/605.1.0 (KHTML, like Gecko) Mobile/21B101 [FBAN/FBIOS;FBAV/444]",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/21B101 Instagram 312.0.0.34.111 (iPhone14,2; iOS 17_1_2; en_US; en; scale=3.00; 1170x2532; 532429312)",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_0 like Mac OS X) AppleWebKit/605.1.0 (KHTML, like Gecko) Mobile/21B101 Instagram 312",
            ),
            (
                "Mozilla/5.0 (Linux; U; en-us; KFAPWI Build/JDQ39) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.13 Safari/535.19 Silk-Accelerated=true",
                "Mozilla/5.0 (Linux; U; en-us; K) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.0 Safari/535.19 Silk-Accelerated=true",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_8_5) AppleWebKit/537.73.11 (KHTML, like Gecko) Version/6.1.1 Safari/537.73.11",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_8_0) AppleWebKit/537.73.0 (KHTML, like Gecko) Version/6.0.0 Safari/537.73.0",
            ),
            (
                "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0.50727)",
                "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0.0)",
            ),
            // Bots and tools stay whole.
            (
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            ),
            // W3C writes spaces as `+`.
            (
                "Mozilla/5.0+(Linux;+Android+13;+SM-A536B)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/119.0.6045.163+Mobile+Safari/537.36",
                "Mozilla/5.0+(Linux;+Android+13;+K)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/119.0.0.0+Mobile+Safari/537.36",
            ),
            (
                "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
                "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
            ),
            ("curl/8.4.0", "curl/8.4.0"),
            ("python-requests/2.31.0", "python-requests/2.31.0"),
            ("Wget/1.21.3", "Wget/1.21.3"),
            ("-", "-"),
        ];
        for (input, want) in cases {
            assert_eq!(reduced(input), want, "{input}");
            assert_eq!(reduced(want), want, "reducing twice: {want}");
        }
    }
}
