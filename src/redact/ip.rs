//! IP address literals: recognising them in bytes, masking them, writing canonical text.
//!
//! Nothing here allocates: addresses are parsed from `&[u8]` and written into the caller's buffer.

use std::io::Write as _;
use std::net::Ipv6Addr;

use crate::config::Config;
use crate::vocab::hex::percent_escape;

pub use crate::vocab::Addr;

/// The high 96 bits of an IPv4-mapped IPv6 address (`::ffff:0:0/96`).
pub(crate) const MAPPED_PREFIX: u128 = 0xffff << 32;
/// The high 96 bits of NAT64's well-known prefix (`64:ff9b::/96`).
const NAT64_PREFIX: u128 = 0x0064_ff9b << 96;
/// Selects those 96 bits.
pub(crate) const MAPPED_MASK: u128 = !0u128 << 32;

/// The longest IPv6 literal: eight groups of four and seven colons, or six groups with an IPv4
/// tail. Longer runs are not addresses, and capping the scan keeps the scanner linear.
const MAX_V6_LEN: usize = 45;

/// Parses a dotted quad at the start of `s`, returning it and its length.
///
/// Leading zeros (`010.1.1.1`) are accepted: some loggers write them, and treating them as an
/// address errs on the side of masking. What follows the quad is not looked at.
pub fn parse_v4_prefix(s: &[u8]) -> Option<(u32, usize)> {
    let digit = |i: usize| s.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 10);
    let mut addr: u32 = 0;
    let mut i = 0;
    for octet in 0..4 {
        if octet > 0 {
            if s.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        // One to three digits, unrolled: the loop's bounds and counters cost more than the
        // digits themselves on the client field of every line.
        let mut value = u32::from(digit(i)?);
        i += 1;
        if let Some(d) = digit(i) {
            value = value * 10 + u32::from(d);
            i += 1;
            if let Some(d) = digit(i) {
                value = value * 10 + u32::from(d);
                i += 1;
            }
        }
        if value > 255 {
            return None;
        }
        addr = (addr << 8) | value;
    }
    Some((addr, i))
}

/// Parses exactly `s` as an IPv6 address (no brackets, no zone).
pub fn parse_v6(s: &[u8]) -> Option<u128> {
    if s.len() < 2 || s.len() > MAX_V6_LEN {
        return None;
    }
    // Only ASCII reaches here in practice; from_utf8 is the cheap guard that keeps it safe.
    let text = std::str::from_utf8(s).ok()?;
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return Some(u128::from(v6));
    }
    // std refuses leading zeros in an IPv4 tail (`::ffff:1.2.3.04`); the IPv4 parser here takes
    // them. Accept them here too, or masking the tail alone would write a valid IPv6 address
    // that was never masked.
    let colon = memchr::memrchr(b':', s)?;
    let (v4, len) = parse_v4_prefix(&s[colon + 1..])?;
    if colon + 1 + len != s.len() {
        return None;
    }
    // Rebuilt on the stack: this runs on the hot path, where nothing allocates.
    // The head is at most MAX_V6_LEN bytes and a quad at most 15.
    let mut buf = [0u8; MAX_V6_LEN + 16];
    let head = colon + 1;
    buf[..head].copy_from_slice(&s[..head]);
    let (quad, len) = quad_text(v4);
    buf[head..head + len].copy_from_slice(&quad[..len]);
    std::str::from_utf8(&buf[..head + len])
        .ok()?
        .parse::<Ipv6Addr>()
        .ok()
        .map(u128::from)
}

/// Whether `b` can continue an IPv6 literal (hex digit, colon, or the dot of an IPv4 tail).
#[inline]
fn is_v6_char(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':' || b == b'.'
}

/// Finds an address literal that starts exactly at `s[i]`, honouring word boundaries, and
/// returns it with its length.
///
/// IPv4 needs the previous byte not to be a digit or a dot (so `1.2.3.4.5` and the tail of a
/// version number do not match) and the quad not to run on into more digits. IPv6 needs a real
/// word boundary before it (so `std::abc` is not an address), at least two colons, and no word
/// character after it, unless `after_written`: `s[i]` follows a `:` whose left side is written
/// out already, so the literal may start here whatever stood before the colon. A trailing
/// sentence dot or colon is not part of the address.
fn addr_at(s: &[u8], i: usize, after_written: bool) -> Option<(Addr, usize)> {
    let prev = if i == 0 { b' ' } else { s[i - 1] };
    let rest = &s[i..];
    let first = *rest.first()?;
    if first.is_ascii_digit() && v4_may_start(s, i, prev) {
        if let Some((v4, len)) = parse_v4_prefix(rest) {
            let after = rest.get(len).copied();
            let after2 = rest.get(len + 1).copied();
            let runs_on = match after {
                Some(b) if b.is_ascii_digit() => true,
                Some(b'.') => after2.is_some_and(|b| b.is_ascii_digit()),
                _ => false,
            };
            if !runs_on {
                return Some((Addr::V4(v4), len));
            }
        }
    }
    if (first.is_ascii_hexdigit() || first == b':') && (after_written || v6_may_start(s, i)) {
        let mut len = 0;
        while len < rest.len() && len <= MAX_V6_LEN && is_v6_char(rest[len]) {
            len += 1;
        }
        if len > MAX_V6_LEN {
            return None;
        }
        if rest
            .get(len)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        let mut token = &rest[..len];
        while let Some((&last, head)) = token.split_last() {
            let trailing_colon = last == b':' && !head.ends_with(b":");
            if last == b'.' || trailing_colon {
                token = head;
            } else {
                break;
            }
        }
        let colons = token.iter().filter(|&&b| b == b':').count();
        if colons < 2 {
            return None;
        }
        return parse_v6(token).map(|v6| (Addr::V6(v6), token.len()));
    }
    None
}

/// Whether an IPv4 address may start at `s[i]`, `prev` being the byte before it: not after a
/// digit or a dot (the tail of a longer number or a version), unless that digit ends a
/// percent-escape of a separator (`from%2010.1.2.3` reads `from 10.1.2.3`), or the dot ends a
/// host name's label (`static.203.0.113.77.clients.example.net`, as hosting providers name
/// their clients' addresses).
#[inline]
fn v4_may_start(s: &[u8], i: usize, prev: u8) -> bool {
    let after_label = prev == b'.' && i >= 2 && s[i - 2].is_ascii_alphabetic();
    (!prev.is_ascii_digit() && prev != b'.') || after_label || after_escaped_separator(s, i)
}

/// Whether `s[..i]` ends with a percent-escape (`%20`, `%2C`, `%3A`, or one escaped twice:
/// `%2540`) of a byte that separates words: an address after it starts a word once the text
/// is decoded.
#[inline]
fn after_escaped_separator(s: &[u8], i: usize) -> bool {
    let separates = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%'));
    let once = i >= 3 && percent_escape(&s[i - 3..i]).is_some_and(separates);
    once || i >= 5
        && s[i - 5..i - 2].eq_ignore_ascii_case(b"%25")
        && percent_escape(&[b'%', s[i - 2], s[i - 1]]).is_some_and(separates)
}

/// Whether an IPv6 literal may start at `s[i]`: at a word boundary (so `std::abc` is not an
/// address), or right after `word:` where the word cannot be a hex group (`peer:2001:db8::9`,
/// `client:fe80::1`), as labelled values in free text are written.
#[inline]
fn v6_may_start(s: &[u8], i: usize) -> bool {
    let prev = if i == 0 { b' ' } else { s[i - 1] };
    // After a `%` two hex digits are an escape's (`%2540::` holds `::`, not `2540::`).
    if prev == b'%' && percent_escape(&s[i - 1..]).is_some() {
        return false;
    }
    if !(prev.is_ascii_alphanumeric() || matches!(prev, b':' | b'.' | b'_'))
        || after_escaped_separator(s, i)
    {
        return true;
    }
    if prev != b':' || s.get(i) == Some(&b':') {
        return false;
    }
    let word = &s[..i - 1];
    // NUL glues like a word, as the audit reads a placeholder's bytes blanked to NUL.
    let len = word
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(**b, b'_' | b'-' | 0))
        .count();
    let word = &word[word.len() - len..];
    // A hex group has at most four digits (`0000000000:0::` holds `0::`).
    !word.is_empty() && (word.len() > 4 || word.iter().any(|b| !b.is_ascii_hexdigit()))
}

/// Finds an IPv4 address written with dashes in the host-name label that ends at the `.` at
/// `s[dot]`, as providers name their customers' addresses (`c-192-0-2-44.hsd1.example.net`,
/// `ip-10-0-0-7.ec2.internal`, `192-0-2-44.static.example.com`). Returns its range and value.
/// The label is not looked at below `floor`.
pub fn dashed_quad_before(s: &[u8], dot: usize, floor: usize) -> Option<(usize, usize, u32)> {
    // Most dots follow a letter (host names, file names); a quad ending the label needs a digit
    // here.
    if dot <= floor || !s[dot - 1].is_ascii_digit() {
        return None;
    }
    let label_start = s[floor..dot]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .map_or(floor, |k| floor + k + 1);
    let label = &s[label_start..dot];
    let sep = if label.iter().filter(|&&b| b == b'_').count() >= 3 {
        b'_'
    } else {
        b'-'
    };
    if label.len() < 7 || label.iter().filter(|&&b| b == sep).count() < 3 {
        return None;
    }
    // A dashed quad starts at the label's start, after a dash or after letters
    // (`ip68-100-12-34.ri.ri.cox.net`), and ends at its end or before a dash (or the same with
    // underscores: `host_192_0_2_44.example.net`); one that ends the label wins.
    let quad_at = |start: usize| -> Option<(usize, u32)> {
        let mut v4 = 0u32;
        let mut i = start;
        for octet in 0..4 {
            if octet > 0 {
                if label.get(i) != Some(&sep) {
                    return None;
                }
                i += 1;
            }
            let digits = label[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let value = label[i..i + digits]
                .iter()
                .fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
            if digits == 0 || digits > 3 || value > 255 {
                return None;
            }
            v4 = v4 << 8 | value;
            i += digits;
        }
        (i == label.len() || label[i] == sep).then_some((i, v4))
    };
    // A quad inside a longer run of groups of digits (`005-4-5-005-5-25401`, `05-5-010-4-5`)
    // is part of a number, not an address. One that ends the label is followed by a name's
    // label, not by a dotted number (`8-8-3-3.8.8.8` holds `3.8.8.8`).
    let all_digits = |g: &[u8]| !g.is_empty() && g.iter().all(u8::is_ascii_digit);
    let quad_at = |start: usize| {
        quad_at(start).filter(|&(end, _)| {
            let head = &label[..start.saturating_sub(1)];
            let group_before = &head[memchr::memrchr(sep, head).map_or(0, |k| k + 1)..];
            let digits_before = start >= 2 && label[start - 1] == sep && all_digits(group_before);
            let tail = label.get(end + 1..).unwrap_or_default();
            let group_after = &tail[..memchr::memchr(sep, tail).unwrap_or(tail.len())];
            let digits_after = end < label.len() && all_digits(group_after);
            let dotted_after = end == label.len() && s.get(dot + 1).is_some_and(u8::is_ascii_digit);
            !(digits_before || digits_after || dotted_after)
        })
    };
    // Every digit that follows no digit: at the label's start, after a separator, or after
    // letters (`4C2_5_5_5`).
    let starts = || {
        (0..label.len())
            .filter(|&k| label[k].is_ascii_digit() && (k == 0 || !label[k - 1].is_ascii_digit()))
    };
    let found = starts()
        .filter_map(|start| quad_at(start).map(|(end, v4)| (start, end, v4)))
        .find(|&(_, end, _)| end == label.len())
        .or_else(|| starts().find_map(|start| quad_at(start).map(|(end, v4)| (start, end, v4))));
    found.map(|(start, end, v4)| (label_start + start, label_start + end, v4))
}

/// Looks for an address around a `.` or `:` at `s[p]`, the way a scanner that jumps from
/// separator to separator (with SIMD `memchr`) finds them: every address contains one.
///
/// The candidate starts are the positions of the run of address characters around `p`, but not
/// below `floor` (bytes already written out). Returns the first address found, or else where
/// the next search can resume: the end of the run, or just after `p` in a run too long to
/// look at whole.
pub fn addr_near(s: &[u8], p: usize, floor: usize) -> Result<(usize, usize, Addr), usize> {
    let (mut dots, mut colons) = (0u32, 0u32);
    let mut count = |b: u8| {
        dots += u32::from(b == b'.');
        colons += u32::from(b == b':');
    };
    count(s[p]);
    let mut start = p;
    while start > floor && p - start < MAX_V6_LEN && is_v6_char(s[start - 1]) {
        start -= 1;
        count(s[start]);
    }
    let mut end = p + 1;
    while end < s.len() && end - p <= MAX_V6_LEN && is_v6_char(s[end]) {
        count(s[end]);
        end += 1;
    }
    // Version numbers (`5.0`, `537.36`) and times end here: an IPv4 address has three dots,
    // an IPv6 address two colons.
    let (try_v4, try_v6) = (dots >= 3, colons >= 2);
    if !try_v4 && !try_v6 {
        return Err(end);
    }
    let mut prev = if start == 0 { b' ' } else { s[start - 1] };
    for c in start..end {
        let b = s[c];
        // The boundary rules of `addr_at`, checked inline because most positions fail them.
        let v4_start = try_v4 && b.is_ascii_digit() && v4_may_start(s, c, prev);
        // Right after a `:` at the floor, what stood before the colon is written out already
        // (a logon's placeholder, most often): it is no group of a literal starting here.
        let after_floor = floor > 0 && c == floor + 1 && s[floor] == b':';
        let v6_start =
            try_v6 && (b.is_ascii_hexdigit() || b == b':') && (after_floor || v6_may_start(s, c));
        if v4_start || v6_start {
            if let Some((addr, len)) = addr_at(s, c, after_floor) {
                return Ok((c, len, addr));
            }
        }
        prev = b;
    }
    // Where the run was cut by the length cap, the next search must start right after `p`:
    // resuming at the cut would hide the start of an address that straddles it.
    let capped = end < s.len() && is_v6_char(s[end]);
    Err(if capped { p + 1 } else { end })
}

/// A cheap test, at a `.` or `:` found by a scan, of whether [`addr_near`] could find an address
/// there: a first dot of an IPv4 address has digits on both sides and two more dots after it
/// (`1.2.3…`); a colon of an IPv6 address has a hex digit or colon beside it. Most dots in
/// logs are in host names and version numbers (`Mozilla/5.0`), most colons in `http://`.
#[inline]
pub fn worth_a_look(s: &[u8], p: usize) -> bool {
    let prev = if p == 0 { b' ' } else { s[p - 1] };
    let next = s.get(p + 1).copied().unwrap_or(b' ');
    if s[p] == b':' {
        return prev.is_ascii_hexdigit()
            || prev == b':'
            || next.is_ascii_hexdigit()
            || next == b':';
    }
    if !prev.is_ascii_digit() || !next.is_ascii_digit() {
        return false;
    }
    let mut i = p + 1;
    for _ in 0..2 {
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || s.get(i) != Some(&b'.') {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `s` contains an address anywhere.
pub fn contains_addr(s: &[u8]) -> bool {
    let mut pos = 0;
    while let Some(k) = memchr::memchr2(b'.', b':', &s[pos..]) {
        if !worth_a_look(s, pos + k) {
            pos += k + 1;
            continue;
        }
        match addr_near(s, pos + k, 0) {
            Ok((start, len, addr)) if is_network(s, start + len, addr, 24, 64) => pos = start + len,
            // `v1.2.3.4`, a version segment (`/api/v1.2.3.4/status`), as in free text.
            Ok((start, len, Addr::V4(_))) if after_version_v(s, start) => pos = start + len,
            Ok(_) => return true,
            Err(next) => pos = next,
        }
    }
    false
}

/// Whether `s[start]` follows a lone `v` or `V`, which makes the dotted numbers after it a
/// version (`v1.2.3.4`, not `dev1.2.3.4`).
pub fn after_version_v(s: &[u8], start: usize) -> bool {
    start >= 1
        && matches!(s[start - 1], b'v' | b'V')
        && (start == 1 || !s[start - 2].is_ascii_alphanumeric())
}

/// Whether the address ending at `s[end]` is written as a network (`2002::/16`,
/// `192.0.2.0/24`): a prefix length of at most `v4_bits` or `v6_bits` follows, and the address
/// has no bit set past it. Such a prefix names no host.
pub fn is_network(s: &[u8], end: usize, addr: Addr, v4_bits: u32, v6_bits: u32) -> bool {
    let Some(rest) = s.get(end..).and_then(|r| r.strip_prefix(b"/")) else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || rest.get(digits).is_some_and(u8::is_ascii_alphanumeric) {
        return false;
    }
    let len: u32 = rest[..digits]
        .iter()
        .fold(0, |n, &b| n * 10 + u32::from(b - b'0'));
    match addr {
        // `192.0.2.44/0` has host bits past its length too: every bit counts.
        Addr::V4(v4) => len <= v4_bits && len < 32 && v4 << len == 0,
        Addr::V6(v6) => len <= v6_bits && len < 128 && v6 << len == 0,
    }
}

/// Applies the policy's mask. IPv4-mapped IPv6 addresses are masked with the IPv4 mask and
/// stay mapped, so that `::ffff:1.2.3.4` ends as `::ffff:1.2.3.0`, not `::`.
#[inline]
pub fn mask(addr: Addr, cfg: &Config) -> Addr {
    match addr {
        Addr::V4(v4) => Addr::V4(v4 & cfg.v4_keep()),
        Addr::V6(v6) if v6 & MAPPED_MASK == MAPPED_PREFIX => {
            let v4 = (v6 as u32) & cfg.v4_keep();
            Addr::V6(MAPPED_PREFIX | u128::from(v4))
        }
        // NAT64's well-known prefix (`64:ff9b::192.0.2.9`) and the deprecated IPv4-compatible
        // form (`::192.0.2.9`) hold the IPv4 address in their last 32 bits: masked the same way.
        Addr::V6(v6) if v6 & MAPPED_MASK == NAT64_PREFIX || (v6 >> 32 == 0 && v6 > 0xffff) => {
            let v4 = (v6 as u32) & cfg.v4_keep();
            Addr::V6((v6 & MAPPED_MASK) | u128::from(v4))
        }
        // 6to4 (`2002:c000:0204::1`) holds the IPv4 address in bits 16 to 48, above the usual
        // /48 mask: the IPv4 mask applies to it as well.
        Addr::V6(v6) if v6 >> 112 == 0x2002 => {
            let v4 = ((v6 >> 80) as u32) & cfg.v4_keep();
            let masked = v6 & cfg.v6_keep() & !(u128::from(u32::MAX) << 80);
            Addr::V6(masked | u128::from(v4) << 80)
        }
        Addr::V6(v6) => Addr::V6(v6 & cfg.v6_keep()),
    }
}

/// Writes the canonical text: a dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run
/// compressed), with an IPv4 tail where the last 32 bits are an IPv4 address: mapped, NAT64
/// (RFC 6052 writes `64:ff9b::192.0.2.0`) and the old IPv4-compatible form.
///
/// The tail stays dotted because a masked `::192.0.2.9` written `::c000:200` would end in a
/// word: before `=` that word reads as a parameter's name, and a second pass would redact
/// what the first kept.
pub fn write_addr(addr: Addr, out: &mut Vec<u8>) {
    match addr {
        Addr::V4(v4) => write_v4(v4, out),
        // A first octet of 0 is no IPv4 address (`::1:0` is not `::0.1.0.0`).
        Addr::V6(v6) if (v6 as u32) >> 24 != 0 && v6 & MAPPED_MASK == NAT64_PREFIX => {
            out.extend_from_slice(b"64:ff9b::");
            write_v4(v6 as u32, out);
        }
        Addr::V6(v6) if (v6 as u32) >> 24 != 0 && v6 >> 32 == 0 => {
            out.extend_from_slice(b"::");
            write_v4(v6 as u32, out);
        }
        Addr::V6(v6) => {
            // std's Display follows RFC 5952 and writes into the Vec without allocating.
            let _ = write!(out, "{}", Ipv6Addr::from(v6));
        }
    }
}

/// Writes a dotted quad without going through `fmt`, which is measurably slower per line.
#[inline]
pub fn write_v4(v4: u32, out: &mut Vec<u8>) {
    let (text, len) = quad_text(v4);
    out.extend_from_slice(&text[..len]);
}

/// Each octet's decimal digits followed by a dot, padded to four bytes.
static OCTETS: [[u8; 4]; 256] = {
    let mut table = [[0u8; 4]; 256];
    let mut o = 0;
    while o < 256 {
        let digits = [(o / 100) as u8, (o / 10 % 10) as u8, (o % 10) as u8];
        let skip = if o >= 100 {
            0
        } else if o >= 10 {
            1
        } else {
            2
        };
        let mut j = 0;
        while j < 3 - skip {
            table[o][j] = b'0' + digits[skip + j];
            j += 1;
        }
        table[o][j] = b'.';
        o += 1;
    }
    table
};

/// The dotted quad of `v4` and its length: four table entries copied whole, each advancing
/// by its octet's digits and dot, composed on the stack so that the caller appends once.
#[inline]
fn quad_text(v4: u32) -> ([u8; 16], usize) {
    let mut text = [0u8; 16];
    let mut len = 0;
    for octet in v4.to_be_bytes() {
        text[len..len + 4].copy_from_slice(&OCTETS[usize::from(octet)]);
        len += 2 + usize::from(octet >= 10) + usize::from(octet >= 100);
    }
    // The last octet's dot is not part of the address.
    (text, len - 1)
}

/// A client or host field understood as an address, possibly with port, brackets or zone.
#[derive(Debug, PartialEq, Eq)]
pub struct HostAddr {
    /// Bytes before the address (`[` or nothing).
    pub before: usize,
    /// The address.
    pub addr: Addr,
    /// Byte offset where the address text ends; everything after is kept (`%zone`, `]:443`).
    pub after: usize,
}

/// Parses a whole field as `a.b.c.d[:port]`, `v6[%zone]` or `[v6[%zone]][:port]`.
pub fn parse_host_addr(s: &[u8]) -> Option<HostAddr> {
    if let Some(inner) = s.strip_prefix(b"[") {
        let close = memchr::memchr(b']', inner)?;
        let tail = &inner[close + 1..];
        if !(tail.is_empty() || is_port_suffix(tail)) {
            return None;
        }
        let addr_end = memchr::memchr(b'%', &inner[..close]).unwrap_or(close);
        if !is_zone(&inner[addr_end..close]) {
            return None;
        }
        let v6 = parse_v6(&inner[..addr_end])?;
        return Some(HostAddr {
            before: 1,
            addr: Addr::V6(v6),
            after: 1 + addr_end,
        });
    }
    if let Some((v4, len)) = parse_v4_prefix(s) {
        if len == s.len() || is_port_suffix(&s[len..]) {
            return Some(HostAddr {
                before: 0,
                addr: Addr::V4(v4),
                after: len,
            });
        }
        return None;
    }
    // Host names are the common case here; without two colons nothing can be IPv6.
    if s.iter().filter(|&&b| b == b':').count() < 2 {
        return None;
    }
    let addr_end = memchr::memchr(b'%', s).unwrap_or(s.len());
    if !is_zone(&s[addr_end..]) {
        return None;
    }
    let v6 = parse_v6(&s[..addr_end])?;
    Some(HostAddr {
        before: 0,
        addr: Addr::V6(v6),
        after: addr_end,
    })
}

/// Nothing, or `%` and a zone: an interface name or number (at most 15 characters of letters,
/// digits, `_`, `-` and `.`, as `IFNAMSIZ` allows), or its URL form `%25…`. Anything else after
/// a `%` is not a zone, and the field is then scrubbed as text.
fn is_zone(s: &[u8]) -> bool {
    match s.split_first() {
        None => true,
        Some((b'%', zone)) => {
            let zone = zone
                .strip_prefix(b"25")
                .filter(|z| !z.is_empty())
                .unwrap_or(zone);
            (1..=15).contains(&zone.len())
                && zone
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        }
        Some(_) => false,
    }
}

/// `:` followed by one to five digits.
fn is_port_suffix(s: &[u8]) -> bool {
    match s.split_first() {
        Some((b':', digits)) => {
            !digits.is_empty() && digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IpPolicy;

    /// Every octet value in every position is written as std writes it, and read back by
    /// `parse_v4_prefix`, which also takes leading zeros and stops where the quad does.
    #[test]
    fn quads_are_written_and_read_back() {
        for octet in 0..=255u32 {
            for shift in [0, 8, 16, 24] {
                let v4 = (octet << shift) | (0x0a01_0203 & !(0xff << shift));
                let mut out = Vec::new();
                write_v4(v4, &mut out);
                let want = std::net::Ipv4Addr::from(v4).to_string();
                assert_eq!(out, want.as_bytes());
                assert_eq!(parse_v4_prefix(&out), Some((v4, out.len())), "{want}");
            }
        }
        type Quad = Option<(u32, usize)>;
        let cases: &[(&[u8], Quad)] = &[
            (b"010.001.1.1:80", Some((0x0a01_0101, 11))),
            (b"1.2.3.4567", None),
            (b"1.2.3.2345", Some((0x0102_03ea, 9))),
            (b"1.2.3.4.5", Some((0x0102_0304, 7))),
            (b"256.1.1.1", None),
            (b"1.2.3", None),
            (b"1.2.3.", None),
            (b"1..2.3", None),
            (b"", None),
            (b".1.2.3.4", None),
        ];
        for &(input, want) in cases {
            assert_eq!(
                parse_v4_prefix(input),
                want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    fn cfg(v4: u32, v6: u32) -> Config {
        Config::builder()
            .ipv4_mask(v4)
            .ipv6_mask(v6)
            .build()
            .unwrap()
    }

    fn masked(text: &str, cfg: &Config) -> String {
        let host = parse_host_addr(text.as_bytes()).expect(text);
        let mut out = text.as_bytes()[..host.before].to_vec();
        write_addr(mask(host.addr, cfg), &mut out);
        out.extend_from_slice(&text.as_bytes()[host.after..]);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks_with_default_bits() {
        let c = cfg(8, 80);
        let cases = [
            ("1.2.3.4", "1.2.3.0"),
            ("255.255.255.255", "255.255.255.0"),
            ("0.0.0.0", "0.0.0.0"),
            ("010.001.002.003", "10.1.2.0"),
            ("1.2.3.4:5678", "1.2.3.0:5678"),
            ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::"),
            ("2001:DB8:85A3:0:0:8A2E:370:7334", "2001:db8:85a3::"),
            ("[2001:db8::1]:443", "[2001:db8::]:443"),
            ("[2001:db8::1]", "[2001:db8::]"),
            ("fe80::1%eth0", "fe80::%eth0"),
            ("[fe80::1%25eth0]:80", "[fe80::%25eth0]:80"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.0"),
            ("::ffff:1.2.3.04", "::ffff:1.2.3.0"),
            ("::daA:0.0.4.00", "::"),
            ("2002:c000:0204::1", "2002:c000:200::"),
            ("2002:c000:02ff:1234::1", "2002:c000:200::"),
            ("64:ff9b::192.0.2.9", "64:ff9b::192.0.2.0"),
            ("64:ff9b::c000:209", "64:ff9b::192.0.2.0"),
            ("::192.0.2.9", "::192.0.2.0"),
            ("::c000:209", "::192.0.2.0"),
            ("::1:0", "::1:0"),
            ("::1", "::"),
            ("::", "::"),
        ];
        for (input, want) in cases {
            assert_eq!(masked(input, &c), want, "{input}");
        }
    }

    #[test]
    fn addresses_in_segments() {
        let cases = [
            ("1.2.3.4", true),
            ("dev1.2.3.4", true),
            ("v1.2.3.4", false),
            ("V10.0.0.1", false),
            ("v1.2.3.4-10.1.2.3", true),
            ("192.0.2.0/24", false),
            ("2001:db8::1", true),
        ];
        for (text, want) in cases {
            assert_eq!(contains_addr(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn networks_are_not_hosts() {
        let cases = [
            ("2002::/16", true),
            ("64:ff9b::/96", false),
            ("2001:db8::/32", true),
            ("192.0.2.0/24", true),
            ("192.0.2.44/32", false),
            ("192.0.2.0/28", false),
            ("2001:db8::1/64", false),
            ("192.0.2.0", false),
            ("192.0.2.44/0", false),
            ("0.0.0.0/0", true),
            ("2001:db8::1/0", false),
        ];
        for (text, want) in cases {
            let (addr, len) = addr_at(text.as_bytes(), 0, false).unwrap();
            assert_eq!(
                is_network(text.as_bytes(), len, addr, 24, 64),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn dashed_quads_in_host_names() {
        let cases: &[(&str, Option<&str>)] = &[
            ("c-192-0-2-44.hsd1.example.net", Some("192-0-2-44")),
            ("ec2-192-0-2-44.compute-1.amazonaws.com", Some("192-0-2-44")),
            ("192-0-2-44.static.example.com", Some("192-0-2-44")),
            ("ip-10-0-0-7.ec2.internal", Some("10-0-0-7")),
            ("www-2024-05-17.example.com", None),
            ("cdn-1-2.example.net", None),
            // Five groups of digits are a number, not an address in a name.
            ("a-1-2-3-4-5.example", None),
            ("005-4-5-005-5-25401.example", None),
            ("05-5-010-4-5.example", None),
            // Regression (fuzz): after letters; before a dotted address.
            ("4C2_5_5_5.i", Some("2_5_5_5")),
            ("8-8-3-3.8.8.8", None),
            ("x-300-1-2-3.example", None),
            ("host_192_0_2_44.example.net", Some("192_0_2_44")),
            ("ip68-100-12-34.ri.ri.cox.net", Some("68-100-12-34")),
            (
                "pool-71-174-32-10.bstnma.fios.verizon.net",
                Some("71-174-32-10"),
            ),
        ];
        for &(text, want) in cases {
            let dot = text.find('.').unwrap();
            let got = dashed_quad_before(text.as_bytes(), dot, 0).map(|(a, b, _)| &text[a..b]);
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn full_and_empty_masks() {
        let all = cfg(32, 128);
        assert_eq!(masked("203.0.113.9", &all), "0.0.0.0");
        assert_eq!(masked("2001:db8::1", &all), "::");
        assert_eq!(masked("::ffff:1.2.3.4", &all), "::ffff:0.0.0.0");
        let none = cfg(0, 0);
        assert_eq!(masked("203.0.113.9", &none), "203.0.113.9");
        assert_eq!(masked("2001:db8::1", &none), "2001:db8::1");
        let odd = cfg(1, 127);
        assert_eq!(masked("203.0.113.9", &odd), "203.0.113.8");
        assert_eq!(masked("8000::1", &odd), "8000::");
    }

    #[test]
    fn drop_zeroes_everything() {
        let c = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        assert_eq!(masked("1.2.3.4:80", &c), "0.0.0.0:80");
        assert_eq!(masked("[2001:db8::1]:443", &c), "[::]:443");
    }

    #[test]
    fn rejects_non_addresses_as_host() {
        for input in [
            "",
            "-",
            "1.2.3",
            "1.2.3.256",
            "1.2.3.4:",
            "1.2.3.4:123456",
            "1.2.3.4x",
            "example.com",
            "dead:beef",
            "[1.2.3.4]",
            "[::1",
            "unix:/run/sock",
        ] {
            assert_eq!(parse_host_addr(input.as_bytes()), None, "{input:?}");
        }
    }

    #[test]
    fn finds_addresses_at_word_boundaries_only() {
        let cases: &[(&str, usize, Option<&str>)] = &[
            ("1.2.3.4", 0, Some("1.2.3.4")),
            ("ip=1.2.3.4&x", 3, Some("1.2.3.4")),
            ("v1.2.3.4", 1, Some("1.2.3.4")),
            ("at 1.2.3.4.", 3, Some("1.2.3.4")),
            ("1.2.3.4.5", 0, None),
            ("11.2.3.4", 1, None),
            ("Chrome/66.0.3359.158", 7, None),
            ("x 2001:db8::1 y", 2, Some("2001:db8::1")),
            ("x 2001:db8::1. y", 2, Some("2001:db8::1")),
            ("std::abc", 3, None),
            ("Foo::Bar", 3, None),
            ("10:05:03", 0, None),
            ("00:1a:2b:3c:4d:5e", 0, None),
            ("(::ffff:10.0.0.1)", 1, Some("::ffff:10.0.0.1")),
            ("2001:db8::1g", 0, None),
            ("peer:2001:db8:1:2::9", 5, Some("2001:db8:1:2::9")),
            ("abc:2001:db8::1", 4, None),
            ("a::b", 2, None),
            ("from%2010.1.2.3", 7, Some("10.1.2.3")),
            ("to%2Cfe80::1", 5, Some("fe80::1")),
            ("%3110.1.2.3", 3, None),
            // After a word of more hex digits than a group has.
            ("0000000000:0::", 11, Some("0::")),
            ("abcd:0::", 5, None),
        ];
        for &(text, i, want) in cases {
            let got = addr_at(text.as_bytes(), i, false).map(|(_, len)| &text[i..i + len]);
            assert_eq!(got, want, "{text:?} at {i}");
        }
    }
}
