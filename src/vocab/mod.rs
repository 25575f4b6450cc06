//! The vocabulary every layer shares, at the bottom of the crate: field roles, the dates of
//! lines, addresses as parsed values, what names say about their values, and hex digits as
//! bytes. Format readers use it to say what a field holds; redactors use it to decide how to
//! rewrite; neither imports the other.

mod addr;
mod date;
pub mod hex;
pub mod names;
mod role;

pub use addr::Addr;
pub use date::Date;
pub use role::Role;

/// Whether personal data the scrubber looks for in free text can start at `b`: an address (at
/// its `.` or `:`), an e-mail address or userinfo (`@`, `%40`), a query or fragment (`?`, `#`),
/// a `name=value` pair (`=`), a logon (`\\`). Values without any such byte hold nothing it
/// rewrites; format readers use this to tell keys and values that need no scan.
#[inline]
pub fn may_start_personal(b: u8) -> bool {
    matches!(b, b'.' | b':' | b'@' | b'%' | b'?' | b'#' | b'=' | b'\\')
}

/// Whether `s` may hold personal data the scrubber looks for in free text: a byte where some
/// starts ([`may_start_personal`]), seven digits (the fewest of a phone, card or account
/// number), or a space (a credential after its scheme: `Bearer abc123`). Format readers and
/// the scrubber copy values without any of them as they are.
#[inline]
pub fn may_hold_personal(s: &[u8]) -> bool {
    let mut digits = 0;
    for &b in s {
        if may_start_personal(b) || b == b' ' {
            return true;
        }
        digits += usize::from(b.is_ascii_digit());
    }
    digits >= 7
}
