//! IP addresses in every spelling, parsed with the standard library: dotted quads, IPv6 (full,
//! compressed, with a zone, after `word:`, with an IPv4 tail), IPv4 embedded in IPv6 (mapped,
//! compatible, NAT64, 6to4) and addresses spelled out in host-name labels
//! (`c-192-0-2-44.hsd1.example.net`). An address is a finding when it keeps bits that the
//! configured masks and policy do not allow.

use std::net::Ipv6Addr;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::scan::no_word;

use super::names::{self, NameKind};
use crate::config::{Config, IpPolicy};

/// What the policy allows an address to keep.
#[derive(Clone, Debug)]
pub struct IpRules {
    /// False under `--ip keep` and `--ip prefix` (encrypted addresses look like any address).
    pub active: bool,
    /// `--ip hash`: the pseudonym ranges 240.0.0.0/4 and fd00::/8 are allowed.
    hash: bool,
    /// The netmasks the scrubber cuts addresses to (zero under `--ip drop`): what an address
    /// may keep while `active`.
    v4_keep: u32,
    v6_keep: u128,
    kept: std::sync::Arc<crate::config::KeptNetworks>,
}

impl IpRules {
    pub fn new(cfg: &Config) -> Self {
        IpRules {
            kept: std::sync::Arc::new(cfg.kept_networks().clone()),
            active: !matches!(cfg.ip(), IpPolicy::Keep | IpPolicy::Prefix),
            hash: cfg.ip() == IpPolicy::Hash,
            v4_keep: cfg.v4_keep(),
            v6_keep: cfg.v6_keep(),
        }
    }

    /// Whether an IPv4 address keeps more than allowed. `a.0.0.0` never does: it is a /8, and
    /// how browsers write versions (`Chrome/120.0.0.0`).
    pub fn v4_identifies(&self, addr: u32) -> bool {
        // The operator's own networks (`--skip-private`, `--keep-networks`) are allowed.
        if !self.active || addr & 0x00ff_ffff == 0 || self.kept.contains_v4(addr) {
            return false;
        }
        if self.hash && addr >> 28 == 0xf {
            return false;
        }
        addr & !self.v4_keep != 0
    }

    /// Whether `addr`, or its octets read backwards, is a `--ip hash` pseudonym (240.0.0.0/4).
    fn is_pseudonym_v4(&self, addr: u32) -> bool {
        self.hash && (addr >> 28 == 0xf || addr.swap_bytes() >> 28 == 0xf)
    }

    /// Whether an IPv6 address keeps more than allowed: an embedded IPv4 address by the IPv4
    /// rule, the rest by the IPv6 mask.
    pub fn v6_identifies(&self, addr: u128) -> bool {
        if !self.active || self.kept.contains_v6(addr) {
            return false;
        }
        match embedded_v4(addr) {
            Some((v4, Embedding::Whole)) => return self.v4_identifies(v4),
            Some((v4, Embedding::SixToFour)) if self.v4_identifies(v4) => return true,
            _ => {}
        }
        if self.hash && addr >> 120 == 0xfd {
            return false;
        }
        addr & !self.v6_keep != 0
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Embedding {
    /// The address is the IPv4 address and a fixed prefix: mapped, compatible, NAT64.
    Whole,
    /// 6to4: the IPv4 address is the site prefix; subnet and interface bits follow.
    SixToFour,
}

/// The IPv4 address inside an IPv6 address, for the forms that carry one.
fn embedded_v4(addr: u128) -> Option<(u32, Embedding)> {
    let low = addr as u32;
    if addr >> 32 == 0xffff || (addr >> 32 == 0 && addr > 0xffff) {
        // ::ffff:a.b.c.d and the deprecated ::a.b.c.d.
        return Some((low, Embedding::Whole));
    }
    if addr >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some((low, Embedding::Whole));
    }
    if addr >> 112 == 0x2002 {
        return Some(((addr >> 80) as u32, Embedding::SixToFour));
    }
    None
}

fn dotted() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[0-9]+(?:\.[0-9]+)+").expect("valid"))
}

fn hexrun() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*").expect("valid"))
}

fn dashed() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([0-9]{1,3})([-_])([0-9]{1,3})[-_]([0-9]{1,3})[-_]([0-9]{1,3})\.[A-Za-z]")
            .expect("valid")
    })
}

/// Four dotted parts of at most three digits, each up to 255 (leading zeros read as decimal).
fn quad(parts: &[&[u8]]) -> Option<u32> {
    if parts.len() != 4 {
        return None;
    }
    let mut addr = 0u32;
    for part in parts {
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        if n > 255 {
            return None;
        }
        addr = addr << 8 | n;
    }
    Some(addr)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether the dotted quad at `start` is a version by its context: after a product name and
/// its `/`, after `rv:` or `v`, glued to a word in a file name with small first numbers
/// (`setup-2.4.1.7.exe`), or the value of a parameter named as a version (`ver=`).
fn is_version(text: &[u8], start: usize, end: usize) -> bool {
    let before = &text[..start];
    if before.ends_with(b"rv:") {
        return true;
    }
    // A version's first two numbers are below 100 (`Browser/3.6.28.1`, `Chrome/4.0.222.12`,
    // `setup-2.4.1.7.exe`); an address's need not be (`client/198.51.100.23`).
    let small = text[start..end]
        .split(|&b| b == b'.')
        .take(2)
        .all(|part| part.len() <= 2);
    if let Some((&v, rest)) = before.split_last() {
        if (v == b'v' || v == b'V') && no_word(rest.last()) {
            return true;
        }
        if v == b'/' {
            // The product name: letters, digits, `._+-`, with a letter, and not itself a path
            // segment or a URL's host.
            let name_start = rest
                .iter()
                .rposition(|&b| !(is_word(b) || matches!(b, b'.' | b'_' | b'-')))
                .map_or(0, |k| k + 1);
            let name = &rest[name_start..];
            let opener = name_start.checked_sub(1).map(|k| rest[k]);
            if small
                && name.iter().any(u8::is_ascii_alphabetic)
                && !matches!(
                    opener,
                    Some(b'/' | b'=' | b':' | b'?' | b'&' | b'@' | b'#' | b'%')
                )
            {
                return true;
            }
        }
        // A file name: glued to its name's word by `-`, `_` or `.`, with small first numbers,
        // and going on to an extension (`RT-AX88U_3.0.0.4_388_24231.zip`, `lib.1.2.3.4.js`);
        // an address glued so has mostly larger ones (`host-203.0.113.77.example.net`).
        if small && matches!(v, b'-' | b'_' | b'.') && rest.last().is_some_and(|&b| is_word(b)) {
            let after = &text[end..];
            let tail_len = after
                .iter()
                .take_while(|&&b| is_word(b) || matches!(b, b'.' | b'_' | b'-'))
                .count();
            let tail = &after[..tail_len];
            let ext = memchr::memrchr(b'.', tail).map(|dot| &tail[dot + 1..]);
            if ext.is_some_and(|e| {
                (1..=5).contains(&e.len())
                    && e.iter().all(u8::is_ascii_alphanumeric)
                    && e.iter().any(u8::is_ascii_alphabetic)
            }) {
                return true;
            }
        }
        if v == b'=' || v == b':' || v == b'"' {
            // `ver=1.2.3.4`, `"app_version":"10.4.2.7"`.
            let mut k = rest.len();
            while k > 0 && matches!(rest[k - 1], b'"' | b':' | b' ') {
                k -= 1;
            }
            let name_end = k;
            while k > 0 && (is_word(rest[k - 1]) || matches!(rest[k - 1], b'_' | b'-' | b'.')) {
                k -= 1;
            }
            if k < name_end && names::kind(&rest[k..name_end]) == NameKind::Version {
                return true;
            }
        }
    }
    false
}

/// Whether `text` holds an address that keeps more than `rules` allow. `versions` applies the
/// version look-alikes (everywhere but where a field is known to hold addresses).
pub fn find(text: &[u8], rules: &IpRules) -> bool {
    find_decoded(text, text, rules)
}

/// [`find`] in `text`, a decoded form of `raw`: a dotted quad that `raw` holds right after a
/// digit (`%245.189.207.152` decoded to `$5.189.207.152`) is read as `raw` has it, where the
/// digits run on.
pub fn find_decoded(text: &[u8], raw: &[u8], rules: &IpRules) -> bool {
    if !rules.active {
        return false;
    }
    find_v4(text, raw, rules) || find_v6(text, raw, rules) || find_dashed(text, raw, rules)
}

/// [`find`] for IPv6 only: in version fields dotted quads are versions.
pub fn find_v6_only(text: &[u8], rules: &IpRules) -> bool {
    rules.active && find_v6(text, text, rules)
}

fn find_v4(text: &[u8], raw: &[u8], rules: &IpRules) -> bool {
    for m in dotted().find_iter(text) {
        let (start, end) = (m.start(), m.end());
        let parts: Vec<&[u8]> = m.as_bytes().split(|&b| b == b'.').collect();
        let Some(addr) = quad(&parts) else {
            continue;
        };
        // Part of a longer word or number: `1.0.0.21C62`, `x1.2.3.4`, `.1.2.3.4`.
        // NUL: a placeholder's blanked bytes, which glue like a word (`REDACTED1.2.3.4`).
        if text.get(end).is_some_and(|&b| is_word(b) || b == 0) {
            continue;
        }
        // `%2510.1.2.3`: after `%` the digits may be an escape's (`%25` then `10.1.2.3`).
        // After a dot that ends a host name's label the quad is that host's address
        // (`static.203.0.113.77.clients.example.net`); after other dots it is the tail of a
        // longer number.
        let after_label =
            start >= 2 && text[start - 1] == b'.' && text[start - 2].is_ascii_alphabetic();
        if start > 0
            && !after_label
            && (is_word(text[start - 1]) || matches!(text[start - 1], b'.' | b'%' | 0))
        {
            // `v1.2.3.4` is a version; `ip1.2.3.4` glued to a word is not an address either.
            continue;
        }
        if is_version(text, start, end) {
            continue;
        }
        // Digits that only an escape wrote (`8.0.0.0%308` decoded) are no address's.
        let escaped_digits = !std::ptr::eq(text, raw)
            && memchr::memmem::find(raw, m.as_bytes()).is_none()
            && raw
                .windows(3)
                .any(|w| w[0] == b'%' && w[1] == b'3' && w[2].is_ascii_digit());
        // An address that starts a host name may be written backwards, as reverse-DNS names
        // are (`77.113.0.203.dsl.example.net` is 203.0.113.77): read both ways, unless one way
        // it is a pseudonym.
        let starts_name =
            text.get(end) == Some(&b'.') && text.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
        let identifies = if starts_name && !rules.is_pseudonym_v4(addr) {
            rules.v4_identifies(addr) || rules.v4_identifies(addr.swap_bytes())
        } else {
            rules.v4_identifies(addr)
        };
        if identifies && !glued_in_raw(raw, m.as_bytes(), b'.') && !escaped_digits {
            return true;
        }
    }
    false
}

/// Whether `raw` holds `addr` only right after a digit (an escape's: `%245.1.2.3`), unless the
/// digit closes an escape of a separator (`from%2010.1.2.3` is `from 10.1.2.3`).
/// `sep` separates the address's parts (`.`, or a dashed quad's `-` or `_`).
fn glued_in_raw(raw: &[u8], addr: &[u8], sep: u8) -> bool {
    let separator = separator_escape();
    let finder = memchr::memmem::Finder::new(addr);
    let mut glued = false;
    for at in finder.find_iter(raw) {
        // After an escaped separator the address starts a word, unless the escape's digits
        // begin an address of their own as written (`%241.69.45.172`): that reading is raw's.
        let word_start = separator.is_match(&raw[at.saturating_sub(3)..at]) && {
            let from = at - 2;
            let len = raw[from..]
                .iter()
                .take_while(|&&b| b.is_ascii_digit() || b == sep)
                .count();
            let parts: Vec<&[u8]> = raw[from..from + len].split(|&b| b == sep).collect();
            quad(&parts[..parts.len().min(4)]).is_none()
        };
        if at > 0 && raw[at - 1].is_ascii_digit() && !word_start {
            glued = true;
        } else {
            return false;
        }
    }
    glued
}

/// A whole percent-escape of a byte that ends a word: controls, space and punctuation except
/// `.`, `_` and `%` (`%20`, `%5B`).
fn separator_escape() -> &'static Regex {
    static SEPARATOR: OnceLock<Regex> = OnceLock::new();
    SEPARATOR.get_or_init(|| {
        Regex::new(r"^%(?:[01][0-9A-Fa-f]|2[0-46-9A-Da-dFf]|3[A-Fa-f]|40|5[B-Eb-e]|60|7[B-Fb-f])$")
            .expect("valid")
    })
}

fn v6(candidate: &[u8]) -> Option<u128> {
    let s = std::str::from_utf8(candidate).ok()?;
    let s = s.strip_suffix('.').unwrap_or(s);
    Ipv6Addr::from_str(s).ok().map(u128::from)
}

fn find_v6(text: &[u8], raw: &[u8], rules: &IpRules) -> bool {
    for m in hexrun().find_iter(text) {
        let (start, end) = (m.start(), m.end());
        let run = m.as_bytes();
        if run.iter().filter(|&&b| b == b':').count() < 2 {
            continue;
        }
        // `_` joins words too (`arg_::3`).
        let right_ok = no_word(text.get(end)) && !matches!(text.get(end), Some(&(b'_' | 0)));
        let left_ok =
            start == 0 || !(is_word(text[start - 1]) || matches!(text[start - 1], b'_' | b'%' | 0));
        // `4::/94::`: digits after `/` that follow an address are its prefix length.
        let prefix_length = start >= 2
            && text[start - 1] == b'/'
            && text[start - 2] == b':'
            && run.iter().take_while(|b| b.is_ascii_digit()).count()
                == memchr::memchr(b':', run).unwrap_or(0);
        if prefix_length {
            continue;
        }
        let mut candidates: Vec<&[u8]> = Vec::with_capacity(3);
        if left_ok && right_ok {
            candidates.push(run);
        }
        // `%5B2001:db8::1%5D`: the run starts with the hex digits of an escaped separator,
        // after which the address starts a word.
        if right_ok
            && start >= 1
            && run.len() > 2
            && separator_escape().is_match(&text[start - 1..start + 2])
        {
            candidates.push(&run[2..]);
        }
        // `peer:2001:db8::9`: the run may start inside the word before a colon.
        if right_ok {
            if let Some(colon) = memchr::memchr(b':', run) {
                let rest = &run[colon + 1..];
                // Only after a word: `:::8` and `:8::8` hold no address.
                // The word before the colon, with what of it precedes the run (`peer`).
                // NUL: a placeholder's blanked bytes, the word `REDACTED` (`REDACTED:2001:db8::5`,
                // where a logon before the colon was replaced).
                let in_word = |b: u8| b.is_ascii_alphanumeric() || b == 0;
                let mut word_start = start;
                while word_start > 0 && in_word(text[word_start - 1]) {
                    word_start -= 1;
                }
                let word = &text[word_start..start + colon];
                // A word, not hex digits that may belong to the address (`444444:A::A:0`).
                let after_word = !word.is_empty()
                    && word.iter().all(|&b| in_word(b))
                    && word
                        .iter()
                        .any(|&b| b == 0 || (b.is_ascii_alphabetic() && !b.is_ascii_hexdigit()))
                    && (word_start == 0 || text[word_start - 1] != b'_');
                if after_word && !rest.starts_with(b":") {
                    candidates.push(rest);
                }
            }
        }
        // In decoded text, an address counts where a colon was encoded (`2001%3Adb8%3A%3A1`);
        // elsewhere the text as written was judged, and escapes only add digits or zones.
        if !std::ptr::eq(text, raw) && !raw.windows(3).any(|w| w.eq_ignore_ascii_case(b"%3a")) {
            candidates.clear();
        }
        for candidate in candidates {
            if let Some(addr) = v6(candidate) {
                if rules.v6_identifies(addr) {
                    return true;
                }
                break;
            }
        }
    }
    false
}

fn find_dashed(text: &[u8], raw: &[u8], rules: &IpRules) -> bool {
    for c in dashed().captures_iter(text) {
        let whole = c.get(0).expect("match");
        let sep = c[2][0];
        // Glued to digits, or after another group of them (`05-5-010-4-5.example`, not
        // `ec2-203-0-113-25.example`): a number. In decoded text, also where raw holds it only
        // so (`%95_5_55_5_5.i`, whose `95` is an escape's, reads `95_5_55_5_5` as written),
        // but for the digits of an escaped separator (`a%2047_229_150_160.ii`).
        let bytes = &whole.as_bytes()[..whole.len() - 2];
        let in_raw_only_after_group = !std::ptr::eq(text, raw) && {
            let mut at = memchr::memmem::find_iter(raw, bytes).peekable();
            at.peek().is_some()
                && at.all(|k| {
                    after_group(&raw[..k], sep)
                        && !separator_escape().is_match(&raw[k.saturating_sub(3)..k])
                })
        };
        if after_group(&text[..whole.start()], sep) || in_raw_only_after_group {
            continue;
        }
        if bytes.iter().any(|&b| matches!(b, b'-' | b'_') && b != sep) {
            continue;
        }
        let parts: Vec<&[u8]> = [1, 3, 4, 5].iter().map(|&i| &c[i]).collect();
        if let Some(addr) = quad(&parts) {
            // As for dotted quads: one that raw holds only after an escape's digit
            // (`%A247_229_150_160` decoded to `\xA247_229_150_160`) is read as raw has it.
            if rules.v4_identifies(addr) && !glued_in_raw(raw, bytes, sep) {
                return true;
            }
        }
    }
    false
}

/// Whether a dashed quad right after `before` goes on a longer number: `before` ends with a
/// digit, or with `sep` after a group of digits (`05-5-010-4-5`).
fn after_group(before: &[u8], sep: u8) -> bool {
    let group_before = before.strip_suffix(&[sep]).map(|head| {
        let start = head
            .iter()
            .rposition(|&b| !b.is_ascii_alphanumeric())
            .map_or(0, |k| k + 1);
        &head[start..]
    });
    before.last().is_some_and(u8::is_ascii_digit)
        || group_before.is_some_and(|g| !g.is_empty() && g.iter().all(u8::is_ascii_digit))
}

/// A client or endpoint value as an address: brackets, port, zone and a trailing dot taken
/// off. `endpoint`: an unbracketed IPv6 address's last `:digits` is a port.
pub fn client_addr(value: &[u8], endpoint: bool) -> Option<Addr> {
    let s = std::str::from_utf8(value).ok()?;
    let s = s.strip_suffix('.').unwrap_or(s);
    let s = if let Some(rest) = s.strip_prefix('[') {
        rest.split(']').next()?
    } else {
        s
    };
    let s = s.split('%').next()?;
    let host = strip_port(s, false);
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let parts: Vec<&[u8]> = host.as_bytes().split(|&b| b == b'.').collect();
        if let Some(v4) = quad(&parts) {
            return Some(Addr::V4(v4));
        }
    }
    if let Ok(v6) = Ipv6Addr::from_str(s) {
        if !endpoint {
            return Some(Addr::V6(u128::from(v6)));
        }
    }
    if endpoint {
        if let Ok(v6) = Ipv6Addr::from_str(strip_port(s, true)) {
            return Some(Addr::V6(u128::from(v6)));
        }
    }
    None
}

/// `host:port` → `host`; an IPv6 address keeps its colons unless `v6_port`.
fn strip_port(s: &str, v6_port: bool) -> &str {
    match s.rsplit_once(':') {
        Some((host, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (v6_port || !host.contains(':')) =>
        {
            host
        }
        _ => s,
    }
}

/// An address read from a client field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    V4(u32),
    V6(u128),
}

impl IpRules {
    pub fn identifies(&self, addr: Addr) -> bool {
        match addr {
            Addr::V4(a) => self.v4_identifies(a),
            Addr::V6(a) => self.v6_identifies(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> IpRules {
        IpRules::new(&Config::default())
    }

    #[test]
    fn every_spelling_is_found() {
        let r = rules();
        for text in [
            "from 192.0.2.44 x",
            "http://192.0.2.201:8080/",
            "peer:2001:db8::9",
            "2001:0db8:0000:0042:0000:8a2e:0370:7334",
            "[2001:db8::1]:443",
            "fe80::1ff:fe23:4567:890a%eth0",
            "::ffff:192.0.2.7",
            "::ffff:c000:22b",
            "2002:c000:204::1",
            "64:ff9b::192.0.2.9",
            "c-192-0-2-44.hsd1.example.net",
            "host_192_0_2_44.example.net",
            "198.51.100.45.nip.example.net",
            "(from+192.0.2.91)",
            "(client/198.51.100.23)",
            "HIER_DIRECT/93.184.216.34 text/html",
            "via 77.113.0.203.dsl.example.net",
            "ptr 44.2.0.192.in-addr.arpa",
            "ptr 0.2.0.192.in-addr.arpa",
            // Inside a host name, after a label or glued to one.
            "static.203.0.113.77.clients.example.net",
            "x.203.0.113.77.net",
            "host-203.0.113.77.example.net",
            "dump_203.0.113.77.txt",
            // After an escaped bracket, the rest unescaped.
            "next=%5B2001:db8::1%5D",
        ] {
            assert!(find(text.as_bytes(), &r), "{text}");
        }
        // Read decoded, as URLs are: an escaped separator starts a word, an escaped digit not.
        for (decoded, raw, found) in [
            ("from 10.1.2.3", "from%2010.1.2.3", true),
            ("a,10.1.2.3", "a%2C10.1.2.3", true),
            // Read as written, `245.189.207.152`: found there (see `find`), not here.
            ("$5.189.207.152", "%245.189.207.152", false),
            ("$5.189.207.0", "%245.189.207.0", false),
            ("15.189.207.152", "%3145.189.207.152", false),
            ("$1.69.45.172", "%241.69.45.172", false),
            ("\u{a2}47_229_150_160.ii", "%A247_229_150_160.ii", false),
            ("$7_229_150_160.ii", "%247_229_150_160.ii", false),
            ("a 47_229_150_160.ii", "a%2047_229_150_160.ii", true),
            // A dashed run that raw holds only after another group (the escape's `95`).
            ("\u{95}_5_55_5_5.ii", "%95_5_55_5_5.ii", false),
            ("x_203_0_113_77.ii", "x%5F203_0_113_77.ii", true),
        ] {
            let got = find_decoded(decoded.as_bytes(), raw.as_bytes(), &r);
            assert_eq!(got, found, "{raw}");
        }
    }

    #[test]
    fn look_alikes_are_not() {
        let r = rules();
        for text in [
            "Chrome/120.0.6099.109",
            "rv:1.9.2.13",
            "Browser/3.6.28.1",
            "AppleCoreMedia/1.0.0.21C62",
            "setup-2.4.1.7.exe",
            "1.3.6.1.4.1.2021.10.1.3.1",
            "/fw/RT-AX88U_3.0.0.4_388_24231.zip",
            "?ver=5.8.4.1",
            "\"app_version\":\"10.4.2.7\"",
            "Chrome/120.0.0.0",
            "4.0.0.0",
            "192.0.2.0/24",
            "2002::/16",
            "13:55:36",
            "std::vector",
            "Data::Dumper",
            "List::add",
            "Vec::dedup",
            "16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
            "::bad::cafe",
            "www-2024-05-17.example.com",
            "10-12-14-16",
            "cdn-1-2.example.net",
            "2001:db8:7:::51234",
            "Instagram 312.0.0.34.111",
            "v1.2.3.4",
            "lib.1.2.3.4.js",
            "a1.203.0.113.77",
            "static.0.0.113.0.clients.example.net",
            "next=%5B2001:db8::%5D",
            "%5Bstd::vector%5D",
            "via 0.113.0.0.dsl.example.net",
            "ptr 0.2.0.0.in-addr.arpa",
        ] {
            assert!(!find(text.as_bytes(), &r), "{text}");
        }
    }

    #[test]
    fn policies_decide() {
        let hash = IpRules::new(&Config::builder().ip(IpPolicy::Hash).build().unwrap());
        assert!(!find(b"249.89.145.88 fda8:9d43::1", &hash));
        assert!(find(b"10.1.2.3", &hash));
        let keep = IpRules::new(&Config::builder().ip(IpPolicy::Keep).build().unwrap());
        assert!(!find(b"10.1.2.3", &keep));
        let wide = IpRules::new(&Config::builder().ipv4_mask(16).build().unwrap());
        assert!(find(b"10.1.2.0", &wide));
        assert!(!find(b"10.1.0.0", &wide));
        let drop = IpRules::new(&Config::builder().ip(IpPolicy::Drop).build().unwrap());
        assert!(find(b"10.1.2.0", &drop));
        assert!(!find(b"0.0.0.0 ::", &drop));
    }

    #[test]
    fn clients_and_endpoints() {
        assert_eq!(
            client_addr(b"192.0.2.1:80", false),
            Some(Addr::V4(0xc000_0201))
        );
        assert_eq!(
            client_addr(b"2001:db8::1:8443", true),
            Some(Addr::V6(0x2001_0db8_0000_0000_0000_0000_0000_0001))
        );
        assert_eq!(
            client_addr(b"[2001:db8::1]:443", false),
            Some(Addr::V6(0x2001_0db8_0000_0000_0000_0000_0000_0001))
        );
        assert_eq!(client_addr(b"example.net", false), None);
    }
}
