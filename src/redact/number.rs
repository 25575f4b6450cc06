//! Numbers that identify someone: phone numbers, payment card numbers, IBANs and UUIDs.
//!
//! A long number alone is not personal: timestamps (`1716000000123`), order numbers, EANs and
//! build numbers are the common case in logs. So each shape needs what makes it that datum: a
//! phone number its `+`, `00` or trunk `0` (or the North American `(555) 123-4567` grouping), a
//! card number a valid Luhn check digit and a card network's first digit, an IBAN a country code
//! and a valid mod-97 check.

use std::ops::Range;

use crate::vocab::hex::{percent_escape, unescape};

/// Whether a whole value (decoded, `+` already read as a space in queries) is a phone number,
/// a card number or an IBAN.
pub fn is_personal_number(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    is_phone(v) || is_card(v) || is_iban(v)
}

/// A phone number: digits and the separators people write (`+ ()./-` and spaces), starting
/// with `+` (7 to 15 digits), `00` (9 to 15) or a single trunk `0` (9 to 12), or grouped the
/// North American way (`555-123-4567`, `(555) 123-4567`).
pub fn is_phone(v: &[u8]) -> bool {
    if v.is_empty() || !v.iter().all(|&b| b.is_ascii_digit() || is_phone_sep(b)) {
        return false;
    }
    // Every group of digits but a country code has two or more (`0/0/1/16/18` is a timing).
    let mut groups = v.split(|b| !b.is_ascii_digit()).filter(|g| !g.is_empty());
    let country = v.iter().find(|b| !b.is_ascii_whitespace() && **b != b'(') == Some(&b'+');
    if country {
        // The country code, then an area code that may have one digit (`+81-3-…`, `+33 1 …`).
        groups.next();
        groups.next();
    }
    if groups.any(|g| g.len() < 2) {
        return false;
    }
    let digits: usize = v.iter().filter(|b| b.is_ascii_digit()).count();
    // Inside, a `+` is a space written the W3C or form way, between two groups.
    let inner_plus_ok = v.iter().enumerate().skip(1).all(|(k, &b)| {
        b != b'+' || (v[k - 1].is_ascii_digit() && v.get(k + 1).is_some_and(u8::is_ascii_digit))
    });
    if !inner_plus_ok {
        return false;
    }
    let lead = v.iter().position(u8::is_ascii_digit).unwrap_or(0);
    let first = &v[lead..];
    if v[..lead].contains(&b'+') {
        return (7..=15).contains(&digits);
    }
    // A country code never starts with 0: `000…` is a zero-padded id (`0000123456`).
    if first.starts_with(b"00") {
        let third = v.iter().filter(|b| b.is_ascii_digit()).nth(2);
        return (9..=15).contains(&digits) && third != Some(&b'0');
    }
    if first.starts_with(b"0") {
        return (9..=12).contains(&digits);
    }
    is_nanp(v)
}

fn is_phone_sep(b: u8) -> bool {
    matches!(b, b'+' | b' ' | b'(' | b')' | b'.' | b'/' | b'-')
}

/// Ten digits whose weighted sum (10 × the first … 1 × the last) is a multiple of 11.
pub fn is_isbn10(v: &[u8]) -> bool {
    v.len() == 10
        && v.iter().all(u8::is_ascii_digit)
        && v.iter()
            .zip((1..=10u32).rev())
            .map(|(&d, w)| w * u32::from(d - b'0'))
            .sum::<u32>()
            % 11
            == 0
}

/// `555-123-4567`, `555.123.4567`, `(555) 123-4567`: three, three and four digits.
fn is_nanp(v: &[u8]) -> bool {
    let groups: Vec<&[u8]> = v
        .split(|&b| !b.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() == 3
        && groups[0].len() == 3
        && groups[1].len() == 3
        && groups[2].len() == 4
        && v.iter().any(|&b| is_phone_sep(b))
}

/// A payment card number: digits alone or in groups separated by spaces, dashes or `+` (a
/// space as a form encodes it, also where the text is not decoded: a path, an agent), whose
/// first digits name a card network that issues numbers of that length ([`CARD_RANGES`]), with
/// a valid Luhn check digit. Request and session ids of 14 to 19 digits pass Luhn one time in
/// ten; the network ranges keep most of them.
pub fn is_card(v: &[u8]) -> bool {
    if !v.first().is_some_and(u8::is_ascii_digit)
        || !v
            .iter()
            .all(|&b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'+'))
    {
        return false;
    }
    let digits = v.iter().filter(|b| b.is_ascii_digit());
    let count = digits.clone().count();
    let mut lead = 0u32;
    for &d in digits.clone().take(4) {
        lead = lead * 10 + u32::from(d - b'0');
    }
    let issued = CARD_RANGES
        .iter()
        .any(|&(width, low, high, min_len, max_len)| {
            let prefix = lead / 10u32.pow(4 - width);
            (low..=high).contains(&prefix) && (min_len..=max_len).contains(&count)
        });
    count >= 13 && issued && luhn(digits.copied())
}

/// Issuer ranges of the card networks: prefix width in digits, first and last prefix, and the
/// lengths issued under them (ISO/IEC 7812 as the networks publish it).
const CARD_RANGES: &[(u32, u32, u32, usize, usize)] = &[
    // Visa: 16 digits, 13 on old cards, 19 on some debit cards.
    (1, 4, 4, 13, 13),
    (1, 4, 4, 16, 16),
    (1, 4, 4, 19, 19),
    // Mastercard: the 2-series and 51–55.
    (4, 2221, 2720, 16, 16),
    (2, 51, 55, 16, 16),
    // American Express.
    (2, 34, 34, 15, 15),
    (2, 37, 37, 15, 15),
    // Diners Club.
    (3, 300, 305, 14, 14),
    (2, 36, 36, 14, 14),
    (2, 38, 39, 14, 14),
    // JCB.
    (4, 3528, 3589, 16, 19),
    // Discover and UnionPay.
    (4, 6011, 6011, 16, 19),
    (3, 644, 649, 16, 19),
    (2, 65, 65, 16, 19),
    (2, 62, 62, 16, 19),
];

fn luhn(digits: impl DoubleEndedIterator<Item = u8>) -> bool {
    let sum: u32 = digits
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// An IBAN: a country code, two check digits and 11 to 30 letters and digits (spaces, `+` or
/// dashes allowed between groups), whose mod-97 check holds.
pub fn is_iban(v: &[u8]) -> bool {
    let mut buf = [0u8; 34];
    let mut len = 0;
    for &b in v {
        if matches!(b, b' ' | b'+' | b'-') {
            continue;
        }
        if len == buf.len() || !b.is_ascii_alphanumeric() {
            return false;
        }
        buf[len] = b.to_ascii_uppercase();
        len += 1;
    }
    let iban = &buf[..len];
    if len < 15
        || !iban[..2].iter().all(u8::is_ascii_uppercase)
        || !iban[2..4].iter().all(u8::is_ascii_digit)
        || !v[..2].iter().all(u8::is_ascii_uppercase)
    {
        return false;
    }
    // Move the first four characters to the end, letters as 10..35, remainder mod 97 is 1.
    let mut rem = 0u32;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        rem = if b.is_ascii_digit() {
            (rem * 10 + u32::from(b - b'0')) % 97
        } else {
            (rem * 100 + u32::from(b - b'A') + 10) % 97
        };
    }
    rem == 1
}

/// `8-4-4-4-12` hex digits exactly.
pub fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The first phone number, card number, IBAN or UUID in free text at or after `from`, as a
/// byte range. Candidates start at a `+` before a digit, at a digit, or at an upper-case
/// country code, where no word goes on before them; they end where the shape's characters do.
///
/// With `slash_ids`, a UUID or IBAN may also stand right after a `/` (`/api/users/<uuid>`), as
/// in free text, where the audit reads them; without, as in a URL kept on request, only a
/// card number does.
pub fn find(s: &[u8], from: usize, slash_ids: bool) -> Option<Range<usize>> {
    let mut i = from;
    while i < s.len() {
        let b = s[i];
        if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'(' | b'%')) {
            i += 1;
            continue;
        }
        // Inside a word nothing starts: the rest of its letters and digits are passed in one
        // go, as most bytes of a line are. (A `+`, `(` or escape glued to a word starts
        // nothing either, but what follows it may: `1(0172227220`.)
        if b.is_ascii_alphanumeric() && i > 0 && s[i - 1].is_ascii_alphanumeric() {
            i += 1;
            while i < s.len() && s[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        // A word starting with a letter can only be a UUID or an IBAN; any other is passed
        // whole, as where a candidate fails below.
        if b.is_ascii_alphabetic()
            && !iban_prefix(&s[i..])
            && !s.get(i..i + 36).is_some_and(is_uuid)
        {
            i = past_word(s, i + 1);
            continue;
        }
        // A joiner glues a number to the word before it (`ref-0800123456`, `img_0123456789`);
        // after no word it is punctuation (`tel -0171234567`). A `/` parts path segments
        // (`/call/+442079460958`).
        let word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
        let iban_at = |k: usize| iban_prefix(&s[k..]);
        let joined = |k: usize| {
            word(s[k]) || (matches!(s[k], b'.' | b'-' | b'_') && k > 0 && word(s[k - 1]))
        };
        // After a `/` only a phone number starts (`/call/+442079460958`): other digit runs there
        // are timings (`0/0/236/236 200 4586`) and path ids.
        // A card number may stand there too (`/cards/5555555555554444`), grouped by four or
        // not: a product's version (`Chrome/119.0`) is not looked at further.
        let after_slash = i > 0 && s[i - 1] == b'/' && !matches!(b, b'+' | b'(' | b'0');
        let four_digits = || s.len() >= i + 4 && s[i..i + 4].iter().all(u8::is_ascii_digit);
        let uuid = || s.get(i..i + 36).is_some_and(is_uuid);
        if after_slash && !four_digits() && !(slash_ids && (uuid() || iban_at(i))) {
            i += 1;
            continue;
        }
        // An IBAN's country code may follow a joiner (`ref-DE89370400440532013000`): its
        // check digits make a look-alike rare.
        let iban_glued = i > 1 && matches!(s[i - 1], b'.' | b'-' | b'_') && iban_at(i);
        // An escaped digit, `+` or `(` starts a number as the byte it stands for does.
        let escape = if b == b'%' {
            percent_escape(&s[i..])
        } else {
            None
        };
        let escaped_start = escape.is_some_and(starts_number);
        let starts =
            (b.is_ascii_alphanumeric() || b == b'+' || opens_number(s, i) || escaped_start)
                && (i == 0 || !joined(i - 1) || iban_glued);
        // An escaped separator starts a word (`to%200151234567`, `%2540` for `@`).
        if b == b'%' {
            let number = |n: usize| s.get(i + n).is_some_and(|&d| starts_number(d));
            // `%25` is a `%` of its own as well as the start of a second escape (`%2502…`): a
            // reader decoding once sees the digits right after it.
            let lone_percent = escape == Some(b'%');
            let lens = [escaped_separator_len(&s[i..]), lone_percent.then_some(3)];
            for n in lens.into_iter().flatten().filter(|&n| number(n)) {
                if let Some(r) = find_at(s, i + n) {
                    return Some(r);
                }
            }
        }
        if !starts {
            i += 1;
            continue;
        }
        // After a `/` a card number, IBAN or UUID (`/api/users/<uuid>`); not a UUID in a cloud
        // resource's name (`arn:aws:acm:…:certificate/<uuid>`), which names no visitor.
        // A path segment of ten digits with a valid ISBN-10 check digit is a book's number
        // (`/dp/0306406152`), even where it reads as a trunk-`0` phone number.
        let fits = |end: usize| {
            let v = &s[i..end];
            let id = is_iban(v) || (is_uuid(v) && !in_resource_name(s, i));
            let book = i > 0 && s[i - 1] == b'/' && is_isbn10(v);
            !book && (!after_slash || is_card(v) || (slash_ids && id))
        };
        if let Some(end) = candidate_at(s, i).filter(|&end| fits(end)) {
            return Some(i..end);
        }
        // Skip the rest of this word: a candidate only starts at a word's start. After a `+`
        // or `(` that starts none, the digits may (`+6281626816681626`: a card, not a phone),
        // and after an escaped digit that starts none, the digits as written
        // (`%38112811381127`, Diners Club as written, nothing decoded).
        // A dash glues only after a letter or digit: after another dash a word starts
        // (`4--0884940440`).
        i += 1;
        if !(matches!(b, b'+' | b'(' | b'%') && s.get(i).is_some_and(u8::is_ascii_digit)) {
            i = past_word(s, i);
        }
    }
    None
}

/// Where the word that goes on at `s[i]` ends: its letters and digits, and the dashes that
/// join it to more (`blue-widget-2000`), up to a dash before an IBAN, which starts there.
fn past_word(s: &[u8], mut i: usize) -> usize {
    while i < s.len()
        && (s[i].is_ascii_alphanumeric()
            || s[i] == b'-' && s[i - 1].is_ascii_alphanumeric() && !iban_prefix(&s[i + 1..]))
    {
        i += 1;
    }
    i
}

/// Whether `s[i]` is inside an AWS resource name (`arn:aws:…`): one word, without spaces,
/// quotes or separators of pairs, that starts with `arn:aws` at most 200 bytes before.
fn in_resource_name(s: &[u8], i: usize) -> bool {
    let floor = i.saturating_sub(200);
    let boundary = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b'=');
    let start = match s[floor..i].iter().rposition(boundary) {
        Some(k) => floor + k + 1,
        None if floor == 0 => 0,
        None => return false,
    };
    s[start..i].starts_with(b"arn:aws")
}

/// Whether the `(` at `s[i]` may open a phone number: one bracket before the digits or the
/// `+` (`(030) 1234567`, `(+49) 30 1234567`); a run of brackets opens none, and a number read
/// from the last of them on stays the same when a second pass reads it after a placeholder.
fn opens_number(s: &[u8], i: usize) -> bool {
    s[i] == b'('
        && s.get(i + 1)
            .is_some_and(|&b| b.is_ascii_digit() || b == b'+')
}

/// A digit, `+` or `(`: what a phone or card number starts with, written or escaped.
fn starts_number(b: u8) -> bool {
    b.is_ascii_digit() || b == b'+' || b == b'('
}

/// Whether `s` starts as an IBAN does: two upper-case letters (the country) and two digits.
fn iban_prefix(s: &[u8]) -> bool {
    s.len() >= 4
        && s[..2].iter().all(u8::is_ascii_uppercase)
        && s[2..4].iter().all(u8::is_ascii_digit)
}

/// The length of the percent-escape at the start of `s` (`%20`, or `%2520` escaped twice) if it
/// stands for a byte that parts words: not a letter, digit, joiner (`.`, `-`, `_`) or `%`.
fn escaped_separator_len(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'%') {
        return None;
    }
    match unescape(s)? {
        // A `%25` before no second escape is a `%` of its own, which parts words too.
        (b'%', 3) => Some(3),
        (b, len) => {
            (!(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'%'))).then_some(len)
        }
    }
}

/// A phone, card, IBAN or UUID starting at `s[i]` whatever stands before it: the text after a
/// replacement, which starts a word in the output (`::9+2242+29 4229` becomes `::+2242…`).
pub fn find_at(s: &[u8], i: usize) -> Option<Range<usize>> {
    let b = *s.get(i)?;
    if !(b.is_ascii_alphanumeric() || b == b'+' || opens_number(s, i)) {
        return None;
    }
    candidate_at(s, i).map(|end| i..end)
}

/// The end of a phone, card, IBAN or UUID starting at `s[i]`.
fn candidate_at(s: &[u8], i: usize) -> Option<usize> {
    let rest = &s[i..];
    // A UUID: exactly 36 characters and a word boundary after them.
    if rest.len() >= 36
        && is_uuid(&rest[..36])
        && !rest.get(36).is_some_and(u8::is_ascii_alphanumeric)
    {
        return Some(i + 36);
    }
    // An IBAN, possibly grouped by four with single spaces: at most 42 bytes.
    if rest.len() >= 15 && iban_prefix(rest) {
        let mut end = 4;
        while end < rest.len().min(42) {
            // Grouped by spaces, by `+` (a space in a query or a W3C field) or by dashes.
            let grouping = matches!(rest[end], b' ' | b'+' | b'-')
                && rest.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)
                && end - 4 < 34;
            if !(rest[end].is_ascii_alphanumeric() || grouping) {
                break;
            }
            end += 1;
        }
        let mut cut = end;
        while cut >= 15 {
            if is_iban(&rest[..cut]) {
                return Some(i + cut);
            }
            // A word after the IBAN: try without the last group.
            match rest[..cut]
                .iter()
                .rposition(|&b| matches!(b, b' ' | b'+' | b'-'))
            {
                Some(sp) => cut = sp,
                None => break,
            }
        }
        return None;
    }
    // Phone and card numbers start with a digit, `+`, `(` or an escape: a word of letters, as
    // most words a scan stops at are, starts neither.
    if rest[0].is_ascii_alphabetic() {
        return None;
    }
    // `+49%2030%201234567`, `+600%280229`, `+%3349301234567`: an escaped separator or digit
    // reads as what it stands for. Such text is read through a decoded copy of its first bytes, whose ends map
    // back to `rest`; the copy is made only where the digits and separators run into an
    // escape, as they rarely do.
    let run = rest
        .iter()
        .take(32)
        .take_while(|&&b| b.is_ascii_digit() || is_phone_sep(b))
        .count();
    let escaped_sep =
        |t: &[u8]| percent_escape(t).filter(|&b| b.is_ascii_digit() || is_phone_sep(b));
    if escaped_sep(&rest[run..]).is_some() {
        let mut buf = [0u8; 40];
        let mut raw_end = [0usize; 40];
        let (mut n, mut k) = (0, 0);
        while n < buf.len() && k < rest.len() {
            let (b, width) = match escaped_sep(&rest[k..]) {
                Some(sep) => (sep, 3),
                None => (rest[k], 1),
            };
            buf[n] = b;
            k += width;
            raw_end[n] = k;
            n += 1;
        }
        // As written, too: an escaped digit after a whole number (`+4930123456%3312345678`)
        // can run the decoded digits past any phone's length, where a reader of the raw text
        // (as the audit is) still sees the number end at the `%`.
        if let Some(end) = phone_or_card_end(&buf[..n]) {
            return Some(i + raw_end[end - 1]);
        }
    }
    phone_or_card_end(rest).map(|end| i + end)
}

/// The end of a phone or card number starting at `rest[0]`, if one does.
fn phone_or_card_end(rest: &[u8]) -> Option<usize> {
    // Phones and cards: digits and separators, ending at the last digit. A `/` only after an
    // area code (`030/1234567`): elsewhere in free text it separates timings (`0/0/1/16/18`),
    // dates and ids.
    // At most 32 bytes: no phone or card number is longer, and the bound keeps a line of
    // digits and spaces linear to scan.
    let area = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let area_slash = (rest[0] == b'0' && (2..=5).contains(&area)).then_some(area);
    let len = rest
        .iter()
        .take(32)
        .enumerate()
        .take_while(|&(k, &b)| {
            b.is_ascii_digit() || (is_phone_sep(b) && (b != b'/' || area_slash == Some(k)))
        })
        .count();
    // Seven digits at the least (`+49 30 12`… has more); most numbers in text are versions.
    if rest[..len].iter().filter(|b| b.is_ascii_digit()).count() < 7 {
        return None;
    }
    // A phone starts with `+`, `(` or `0`, or groups three digits first (North America); a
    // card number starts with 2 to 6. Anything else is no candidate, whatever follows.
    let group = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(matches!(rest[0], b'+' | b'(' | b'0' | b'2'..=b'6') || group == 3) {
        return None;
    }
    let mut end = rest[..len].iter().rposition(u8::is_ascii_digit)? + 1;
    // A last group that runs into a word (`0171 2345678x`) is the word's: the number, if any,
    // ends before it.
    if rest
        .get(end)
        .is_some_and(|&b| b.is_ascii_alphabetic() || b >= 0x80)
    {
        end = rest[..end].iter().rposition(|&b| !b.is_ascii_digit())?;
        end = rest[..end].iter().rposition(u8::is_ascii_digit)? + 1;
    }
    while end > 0 {
        let candidate = &rest[..end];
        // Not cut off before `.` and a digit: the digits go on as a decimal or a dotted address
        // (`23:07:02 192.168.16.1` holds no `02 192.168.16`). Before `.` and a letter they name
        // a file (`0123456789.jpg`), which a phone number does not.
        let dot_then =
            |f: fn(&u8) -> bool| rest.get(end) == Some(&b'.') && rest.get(end + 1).is_some_and(f);
        let cut = dot_then(u8::is_ascii_digit);
        let file = dot_then(u8::is_ascii_alphabetic) && !is_card(candidate);
        // Dots part a number's groups only where nothing else does (`030.1234567`); beside
        // spaces they are an address's (`23:07:02 192.168.16.11`).
        let mixed = candidate.contains(&b'.')
            && candidate
                .iter()
                .any(|&b| !b.is_ascii_digit() && !matches!(b, b'.' | b'+'));
        if !cut && !file && !mixed && (is_phone(candidate) || is_card(candidate)) {
            return Some(end);
        }
        // Text before a number often runs into it (`tel 030 1234567 ext`, `+49301234567++1`):
        // shorten from the end by one group.
        match candidate.iter().rposition(|&b| !b.is_ascii_digit()) {
            Some(sp) => end = candidate[..sp].iter().rposition(u8::is_ascii_digit)? + 1,
            None => break,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_values() {
        let personal = [
            "+49 30 1234567",
            "+1 (555) 123-4567",
            "0049301234567",
            "030-12345678",
            "0612345678",
            "(555) 123-4567",
            "555.123.4567",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "4111+1111+1111+1111",
            "5555555555554444",
            "378282246310005",
            "DE89 3704 0044 0532 0130 00",
            "DE89370400440532013000",
            "NO9386011117947",
            "GB82WEST12345698765432",
        ];
        for v in personal {
            assert!(is_personal_number(v.as_bytes()), "{v}");
        }
        let not_personal = [
            "1716000000",
            "1715940000000",
            "100000123",
            "4006381333931",
            "5901234123457",
            "0 12 34 56 78 9",
            "0000123456",
            "00012345678",
            "978-0-306-40615-7",
            "2024-000417",
            "20240517-103045",
            "4111 1111 1111 1112",
            "4242424242424241",
            "2015-01-13",
            "60844",
            "DE89370400440532013001",
            "1Z999AA10123456784",
            "12.5",
            // Luhn-valid ids outside every card network's range.
            "3004162128217401",
            "2004162128217403",
        ];
        for v in not_personal {
            assert!(!is_personal_number(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn in_free_text() {
        let cases: &[(&str, Option<&str>)] = &[
            ("App/2.1 (call +49 30 1234567; x)", Some("+49 30 1234567")),
            (
                "note: card 4111 1111 1111 1111 ok",
                Some("4111 1111 1111 1111"),
            ),
            ("pay to NO93 8601 1117 947 now", Some("NO93 8601 1117 947")),
            ("/pay/4111+1111+1111+1111/ok", Some("4111+1111+1111+1111")),
            (
                "device 3F2504E0-4F89-11D3-9A0C-0305E82C3301)",
                Some("3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
            ),
            ("Chrome/120.0.6099.109 Safari/537.36", None),
            ("Build/TP1A.220624.014", None),
            ("ts 1716000000123", None),
            ("0/0/1/16/18 200 64 - -", None),
            ("tel:+4930901820", Some("+4930901820")),
            ("tel +4930123456%3312345678 x", Some("+4930123456")),
            ("to +81-3-1234-5678.", Some("+81-3-1234-5678")),
            ("refund to NO9386011117947 queued", Some("NO9386011117947")),
            ("data=5425233430109903|12|27", Some("5425233430109903")),
            ("Android 14; Pixel 8", None),
            // Zero-padded ids, file names and book numbers in paths.
            ("/invoice/0000123456 x", None),
            ("/img/0123456789.jpg", None),
            ("/dp/0306406152?tag=x", None),
            ("/dp/0306406153?tag=x", Some("0306406153")),
            ("/call/0301234567.", Some("0301234567")),
            ("x-3F2504E0-4F89-11D3-9A0C-0305E82C3301", None),
            ("tel -0171234567", Some("0171234567")),
            ("-080000000 x", Some("080000000")),
            ("ref-0800123456", None),
            ("img_0123456789.jpg", None),
            ("a/0171234567", Some("0171234567")),
            ("call 030/1234567 x", Some("030/1234567")),
            ("~0440444/00@", None),
            ("01/02/2024", None),
            ("0/0/0/236/236 200 4586 -", None),
            (
                "/p/d37f693e-45d3-4973-92e7-c0f3e769a0a9/",
                Some("d37f693e-45d3-4973-92e7-c0f3e769a0a9"),
            ),
            ("tel +49+30+1234567 x", Some("+49+30+1234567")),
            ("x +62681662++122)", Some("+62681662")),
            ("v1.502.502.5420", None),
            ("\u{e9}.502.502.5420", None),
            ("at .502.502.5420", Some("502.502.5420")),
            ("9:066226666          666660x", Some("066226666")),
            ("call 0171234567x", None),
            ("x +38040%2024%20567 y", Some("+38040%2024%20567")),
            ("@%20015095516-", Some("015095516")),
            ("%25400808000080 x", Some("0808000080")),
            ("%2E0808000080 x", None),
            ("+628162681668162661++1", Some("628162681668162661")),
            ("23:07:02 192.168.16.1 POST", None),
            ("23:07:02 192.168.16.11 POST", None),
            ("call 030.1234567 x", Some("030.1234567")),
            // Regression (fuzz): no number decoded (`8112…`), one as written (Diners Club).
            ("%38112811381127", Some("38112811381127")),
            (
                "x/12345678-1234-1234-1234-123456789012 y",
                Some("12345678-1234-1234-1234-123456789012"),
            ),
            (
                "arn:aws:acm:eu-west-1:1:certificate/12345678-1234-1234-1234-123456789012",
                None,
            ),
            // Regression (fuzz): a run of brackets opens no number.
            ("((((((((((((((((((((((((0000000000000000001=", None),
            ("((((((((0301234567", Some("(0301234567")),
            ("x //BA654444440JJJJJ", Some("BA654444440JJJJJ")),
            (
                "/u/3f2b8c1e-9d4a-4e7b-b6a1-2c5d8e9f0a1b/",
                Some("3f2b8c1e-9d4a-4e7b-b6a1-2c5d8e9f0a1b"),
            ),
        ];
        for &(text, want) in cases {
            let got = find(text.as_bytes(), 0, true).map(|r| &text[r]);
            assert_eq!(got, want, "{text}");
        }
    }
}
