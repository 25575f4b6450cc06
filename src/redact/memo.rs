//! Field values seen recently that a redactor wrote back unchanged, so that the next occurrence
//! is copied without being scanned again.
//!
//! Access logs repeat themselves: a few hundred user agents, referrers and asset URLs make up
//! most lines. A value that came out unchanged and was counted nowhere was a pure function of
//! the policy and its bytes (no address was rewritten, so neither the line's date nor the
//! pseudonym keys played a part), so copying it again gives exactly what scanning would. Only
//! such values are remembered; whatever changes a value is computed every time.

use crate::config::{Config, IpPolicy, ReferrerPolicy, RequestPolicy};
use crate::vocab::Role;

/// Slots in the table, a power of two.
const SLOTS: usize = 1024;
/// Shorter values are scanned about as fast as they are looked up; longer ones are rare and
/// would make the table large.
const MIN_LEN: usize = 24;
const MAX_LEN: usize = 1024;

/// A direct-mapped table of unchanged values, tagged with the kind of field they were in.
///
/// Invariant: a slot holds `[kind, value...]` for a value that `kind`'s redactor wrote back
/// byte for byte without counting any redaction, under this scrubber's policy.
pub(crate) struct Memo {
    slots: Vec<Vec<u8>>,
    /// The kinds of field worth remembering under the policy.
    roles: [bool; 4],
}

impl Memo {
    /// A table for the fields whose redactor does real work under `cfg`: where a value is
    /// kept (and, for free text, where addresses are kept), the scan is cheaper than the
    /// lookup.
    pub fn new(cfg: &Config) -> Self {
        Memo {
            slots: vec![Vec::new(); SLOTS],
            roles: [
                cfg.request() != RequestPolicy::Keep,
                cfg.request() != RequestPolicy::Keep,
                cfg.referrer() != ReferrerPolicy::Keep,
                cfg.ip() != IpPolicy::Keep,
            ],
        }
    }

    /// Whether values of `role` are remembered.
    #[inline]
    pub fn covers(&self, role: Role) -> bool {
        match role {
            Role::Request => self.roles[0],
            Role::Url => self.roles[1],
            Role::Referrer => self.roles[2],
            Role::Text | Role::Agent => self.roles[3],
            _ => false,
        }
    }

    /// Whether `value` is worth looking up at all.
    #[inline]
    pub fn applies(value: &[u8]) -> bool {
        (MIN_LEN..=MAX_LEN).contains(&value.len())
    }

    /// Whether `value` of `kind` is known to come out unchanged.
    #[inline]
    pub fn known(&self, kind: u8, value: &[u8]) -> bool {
        let slot = &self.slots[index(kind, value)];
        slot.len() == value.len() + 1 && slot[0] == kind && slot[1..] == *value
    }

    /// Remembers that `value` of `kind` came out unchanged. Slots keep their capacity, so the
    /// table stops allocating once it has seen values of every length it will hold.
    pub fn remember(&mut self, kind: u8, value: &[u8]) {
        let slot = &mut self.slots[index(kind, value)];
        slot.clear();
        slot.push(kind);
        slot.extend_from_slice(value);
    }
}

/// A hash of a sample of `value`: its length, its first and last 16 bytes and 8 from the
/// middle, each word multiplied apart so the products run in parallel. Values differing only
/// elsewhere share a slot and evict each other, which costs a scan, never a wrong copy (a
/// lookup compares every byte). Hashing all of a long user agent cost more than the rest of
/// the lookup.
///
/// `value` is at least [`MIN_LEN`] bytes long, as [`Memo::applies`] makes sure.
#[inline]
fn index(kind: u8, value: &[u8]) -> usize {
    let n = value.len();
    let word = |at: usize| u64::from_le_bytes(value[at..at + 8].try_into().expect("8 bytes"));
    let head = word(0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let second = word(8).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    let middle = word(n / 2 - 4).wrapping_mul(0x1656_67b1_9e37_79f9);
    let tail = (word(n - 16) ^ word(n - 8).rotate_left(29)).wrapping_mul(0x517c_c1b7_2722_0a95);
    let h = (head ^ second.rotate_left(21) ^ middle.rotate_left(42) ^ tail)
        .wrapping_add((n as u64) << 8 | u64::from(kind))
        .wrapping_mul(0x2545_f491_4f6c_dd1d);
    (h >> 54) as usize & (SLOTS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_kind_and_bytes() {
        let mut memo = Memo::new(&Config::default());
        assert!(memo.covers(Role::Text) && !memo.covers(Role::Client));
        let ua = b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
        assert!(Memo::applies(ua));
        assert!(!memo.known(1, ua));
        memo.remember(1, ua);
        assert!(memo.known(1, ua));
        assert!(!memo.known(2, ua), "another kind of field");
        assert!(!memo.known(1, &ua[..ua.len() - 1]), "a prefix");
        let mut other = ua.to_vec();
        other[10] = b'Y';
        assert!(!memo.known(1, &other), "one byte differs");
        assert!(!Memo::applies(b"short"));
    }
}
