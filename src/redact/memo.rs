//! Field values seen recently that a redactor wrote back unchanged, so that the next occurrence
//! is copied without being scanned again.
//!
//! Access logs repeat themselves: a few hundred user agents, referrers and asset URLs make up
//! most lines. A value that came out unchanged and was counted nowhere was a pure function of
//! the policy and its bytes (no address was rewritten, so neither the line's date nor the
//! pseudonym keys played a part), so copying it again gives exactly what scanning would. Only
//! such values are remembered; whatever changes a value is computed every time.

use crate::config::{Config, IpPolicy, ReferrerPolicy, RequestPolicy};
use crate::format::Role;

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
            Role::Text => self.roles[3],
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

/// A multiplicative hash over 8-byte words (as FxHash does): a few instructions per word,
/// which is all a table of recent values needs.
#[inline]
fn index(kind: u8, value: &[u8]) -> usize {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = mix(u64::from(kind), value.len() as u64);
    let mut words = value.chunks_exact(8);
    for word in &mut words {
        h = mix(h, u64::from_le_bytes(word.try_into().expect("8 bytes")));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = mix(h, u64::from_le_bytes(last));
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
