//! What the redactors remember between lines: field values written back unchanged ([`Memo`]),
//! so that the next occurrence is copied without being scanned again, and the verdicts of the
//! personal-data test on URL parts ([`Verdicts`]).
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

/// Verdicts of the personal-data test on URL parts (a path segment, a query value), remembered
/// by their bytes: the same segments and values recur across requests that differ elsewhere
/// (`?url=http%3A//example.org/join_form&id=…`), where [`Memo`] sees only whole fields.
///
/// Invariant: a slot holds `[flags, verdict, part...]` for a part whose test under this
/// scrubber's policy, with the flags' reading of `+`, gave `verdict`. The test is a pure
/// function of the part, the flags and the policy, so a remembered verdict is the one a new
/// test would give.
pub(crate) struct Verdicts {
    slots: Vec<Vec<u8>>,
}

/// Slots for verdicts, a power of two.
const VERDICT_SLOTS: usize = 512;
/// Longer parts are rare, and the table stays small.
const VERDICT_MAX_LEN: usize = 256;

impl Verdicts {
    pub fn new() -> Self {
        Verdicts {
            slots: vec![Vec::new(); VERDICT_SLOTS],
        }
    }

    /// The verdict remembered for `part` read with `flags`, if any.
    #[inline]
    pub fn get(&self, flags: u8, part: &[u8]) -> Option<bool> {
        if part.len() > VERDICT_MAX_LEN {
            return None;
        }
        let slot = &self.slots[hash_all(flags, part)];
        (slot.len() == part.len() + 2 && slot[0] == flags && slot[2..] == *part)
            .then(|| slot[1] == 1)
    }

    /// Remembers `verdict` for `part` read with `flags`. Slots keep their capacity, so the
    /// table stops allocating once warm.
    pub fn put(&mut self, flags: u8, part: &[u8], verdict: bool) {
        if part.len() > VERDICT_MAX_LEN {
            return;
        }
        let slot = &mut self.slots[hash_all(flags, part)];
        slot.clear();
        slot.extend_from_slice(&[flags, u8::from(verdict)]);
        slot.extend_from_slice(part);
    }
}

/// A hash of every byte of a short `part`, eight at a time, as a slot of [`Verdicts`].
#[inline]
fn hash_all(flags: u8, part: &[u8]) -> usize {
    let mut h = (part.len() as u64) << 8 | u64::from(flags);
    let mut words = part.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(23);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(0x2545_f491_4f6c_dd1d);
    (h >> 40) as usize & (VERDICT_SLOTS - 1)
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

    #[test]
    fn verdicts_are_kept_by_flags_and_bytes() {
        let mut verdicts = Verdicts::new();
        let long = vec![b'x'; VERDICT_MAX_LEN + 1];
        let cases: &[(u8, &[u8], bool)] = &[
            (0, b"", false),
            (0, b"200x200", false),
            (1, b"200x200", true),
            (0, b"jane%40example.org", true),
            (0, b"http%3A//example.org/join_form", false),
        ];
        for &(flags, part, verdict) in cases {
            verdicts.put(flags, part, verdict);
            assert_eq!(verdicts.get(flags, part), Some(verdict), "{part:?}");
            assert_eq!(
                verdicts.get(flags, &[part, b"1"].concat()),
                None,
                "{part:?}"
            );
        }
        assert_eq!(verdicts.get(0, b"200x200"), Some(false), "apart by flags");
        verdicts.put(0, &long, true);
        assert_eq!(verdicts.get(0, &long), None, "too long to keep");
    }
}
