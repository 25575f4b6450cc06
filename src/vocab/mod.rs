//! The vocabulary every layer shares, at the bottom of the crate: field roles, the dates of
//! lines, what names say about their values, and hex digits as bytes. Format readers use it to say what a field
//! holds; redactors use it to decide how to rewrite; neither imports the other.

mod date;
pub mod hex;
pub mod names;
mod role;

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
