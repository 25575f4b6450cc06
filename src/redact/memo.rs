//! What the redactors remember between lines: how field values were written ([`Memo`]), so
//! that the next occurrence is copied without being scanned again, and the verdicts of the
//! personal-data test on URL parts ([`Verdicts`]).
//!
//! Access logs repeat themselves: a few hundred user agents, referrers and asset URLs make up
//! most lines. How a value is written is a pure function of the policy, its field's kind and
//! its bytes, except where an address in it is pseudonymized: then the line's date picks the
//! key, and a line without keys is masked instead. So a value is remembered, with what it was
//! written as and the redactions that writing counted, only when no address in it went
//! through the pseudonymizer; replaying it gives exactly what scanning would.

use crate::vocab::Role;

/// Slots in the table, a power of two. The real combined logs of the corpus hold about 2,600
/// distinct requests, 700 referrers and 600 user agents.
const SLOTS: usize = 8192;
/// Shorter values (`-`, `GET /`) are written about as fast as they are looked up; a value
/// as short as `GET / HTTP/1.1` or `https://www.google.com/` costs a scan of a few hundred
/// instructions, which a lookup saves.
const MIN_LEN: usize = 8;
/// Longer values are rare. With these caps a table holds at most about 9 MiB, however
/// adversarial its input.
const MAX_LEN: usize = 512;
/// The longest writing remembered: a value is rarely written longer than it was read.
const MAX_WRITTEN: usize = MAX_LEN + 64;
/// The most redactions of one kind a remembered writing may have counted.
const MAX_COUNT: u64 = u8::MAX as u64;

/// A set-associative table of how values were written, tagged with the kind of field they
/// were in, eight slots to a set with the most recently used first. With fewer ways, values
/// that share a set evict each other on every occurrence: on 40 MB of the real combined logs
/// repeated, two ways cost 15.57 instructions per byte, eight ways 13.89 (and doubling the
/// slots of two ways 14.02, at twice the memory); on the same file, eight ways ran 1.19 times
/// as fast as two (15 interleaved rounds). A word of the hash kept per slot, to read only the
/// slots whose word matched, ran no faster.
///
/// Invariant: a slot with a non-empty `key` holds `[kind, value...]` for a value that
/// `kind`'s redactor, under this scrubber's policy and without the pseudonymizer, wrote as
/// `written` (or back unchanged, when `same`), counting `counts` redactions of each kind. Its
/// set is the one [`hash_slot`] gives.
pub(crate) struct Memo {
    slots: Vec<Slot>,
}

/// Slots in a set, a power of two.
const WAYS: usize = 8;

#[derive(Clone, Default)]
struct Slot {
    key: Vec<u8>,
    written: Vec<u8>,
    same: bool,
    counts: [u8; 5],
}

/// A remembered writing: the bytes to copy and the redactions to count.
pub(crate) struct Written<'m> {
    pub bytes: &'m [u8],
    /// Whether the value was written back unchanged (then `bytes` is the value).
    pub same: bool,
    pub counts: [u8; 5],
}

impl Memo {
    pub fn new() -> Self {
        Memo {
            slots: vec![Slot::default(); SLOTS],
        }
    }

    /// Whether values of `role` are remembered: the kinds whose redactor scans them, under
    /// any policy (a request or referrer kept is still scanned for addresses and e-mail
    /// addresses; a lookup costs less than that scan).
    #[inline]
    pub fn covers(role: Role) -> bool {
        matches!(
            role,
            Role::Request | Role::Url | Role::Referrer | Role::Text | Role::Agent
        )
    }

    /// Whether `value` is worth looking up at all.
    #[inline]
    pub fn applies(value: &[u8]) -> bool {
        (MIN_LEN..=MAX_LEN).contains(&value.len())
    }

    /// How `value` of `kind` was written before, if that is remembered. A hit moves its slot
    /// to the front of its set.
    #[inline]
    pub fn get<'m>(&'m mut self, kind: u8, value: &'m [u8]) -> Option<Written<'m>> {
        let set = set_of(kind, value);
        let way = self.slots[set..set + WAYS].iter().position(|slot| {
            slot.key.len() == value.len() + 1 && slot.key[0] == kind && slot.key[1..] == *value
        })?;
        self.slots[set..=set + way].rotate_right(1);
        let slot = &self.slots[set];
        Some(Written {
            bytes: if slot.same { value } else { &slot.written },
            same: slot.same,
            counts: slot.counts,
        })
    }

    /// Remembers that `value` of `kind` was written as `written`, counting `counts` (the
    /// growth of [`crate::stats::Stats::redaction_counts`]), at the front of its set; the
    /// set's least recently used value goes. Slots keep their capacity, so the table stops
    /// allocating once it has seen values of every length it will hold.
    pub fn remember(&mut self, kind: u8, value: &[u8], written: &[u8], counts: [u64; 5]) {
        if counts.iter().any(|&n| n > MAX_COUNT) || written.len() > MAX_WRITTEN {
            return;
        }
        let set = set_of(kind, value);
        self.slots[set..set + WAYS].rotate_right(1);
        let slot = &mut self.slots[set];
        slot.key.clear();
        slot.key.push(kind);
        slot.key.extend_from_slice(value);
        slot.same = written == value;
        slot.written.clear();
        if !slot.same {
            slot.written.extend_from_slice(written);
        }
        slot.counts = counts.map(|n| n as u8);
    }
}

/// The first slot of the set of `value` of `kind`.
#[inline]
fn set_of(kind: u8, value: &[u8]) -> usize {
    hash_slot(kind, value, SLOTS / WAYS) * WAYS
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
        let slot = &self.slots[hash_slot(flags, part, VERDICT_SLOTS)];
        (slot.len() == part.len() + 2 && slot[0] == flags && slot[2..] == *part)
            .then(|| slot[1] == 1)
    }

    /// Remembers `verdict` for `part` read with `flags`. Slots keep their capacity, so the
    /// table stops allocating once warm.
    pub fn put(&mut self, flags: u8, part: &[u8], verdict: bool) {
        if part.len() > VERDICT_MAX_LEN {
            return;
        }
        let slot = &mut self.slots[hash_slot(flags, part, VERDICT_SLOTS)];
        slot.clear();
        slot.extend_from_slice(&[flags, u8::from(verdict)]);
        slot.extend_from_slice(part);
    }
}

/// A hash of every byte of `bytes` and of `tag`, eight bytes at a time, reduced to a slot of a
/// table of `slots` (a power of two). Every byte counts: requests that differ in one word of
/// their middle (`niels.basjes.nl` and `howto.basjes.nl` in the same query) are common, and
/// a hash of a sample of bytes gave them one slot, to evict each other on every line.
#[inline]
fn hash_slot(tag: u8, bytes: &[u8], slots: usize) -> usize {
    let mut h = (bytes.len() as u64) << 8 | u64::from(tag);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(23);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(0x2545_f491_4f6c_dd1d);
    (h >> (64 - slots.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_kind_and_bytes() {
        let mut memo = Memo::new();
        assert!(Memo::covers(Role::Text) && !Memo::covers(Role::Client));
        let ua = b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
        let known = |memo: &mut Memo, kind, value: &[u8]| {
            memo.get(kind, value).map(|w| (w.bytes.to_vec(), w.counts))
        };
        assert!(Memo::applies(ua));
        assert_eq!(known(&mut memo, 1, ua), None);
        memo.remember(1, ua, ua, [0; 5]);
        assert_eq!(known(&mut memo, 1, ua), Some((ua.to_vec(), [0; 5])));
        assert_eq!(known(&mut memo, 2, ua), None, "another kind of field");
        assert_eq!(known(&mut memo, 1, &ua[..ua.len() - 1]), None, "a prefix");
        let mut other = ua.to_vec();
        other[10] = b'Y';
        assert_eq!(known(&mut memo, 1, &other), None, "one byte differs");
        assert!(!Memo::applies(b"short"));

        let referrer = b"https://www.example.org/search?q=jane+doe&page=2";
        let written = b"https://www.example.org/search?q=REDACTED&page=2";
        memo.remember(3, referrer, written, [0, 0, 0, 1, 0]);
        assert_eq!(
            known(&mut memo, 3, referrer),
            Some((written.to_vec(), [0, 0, 0, 1, 0]))
        );
        memo.remember(3, &other, b"x", [0, 0, 0, MAX_COUNT + 1, 0]);
        assert_eq!(
            known(&mut memo, 3, &other),
            None,
            "too many to count in a byte"
        );
        let long = [b'a'; MAX_LEN];
        memo.remember(3, &long, &[b'b'; MAX_WRITTEN + 1], [0; 5]);
        assert_eq!(known(&mut memo, 3, &long), None, "written too long to keep");
    }

    #[test]
    fn a_set_keeps_its_most_recently_used_values() {
        let mut memo = Memo::new();
        // WAYS + 1 values of one set, found by trying names.
        let set = set_of(1, b"value-0");
        let values: Vec<Vec<u8>> = (0..)
            .map(|i| format!("value-{i}").into_bytes())
            .filter(|v| set_of(1, v) == set)
            .take(WAYS + 1)
            .collect();
        let (first, rest) = values.split_first().expect("values");
        for v in &values[..WAYS] {
            memo.remember(1, v, v, [0; 5]);
        }
        // Using the oldest makes the second oldest the one to go.
        assert!(memo.get(1, first).is_some());
        memo.remember(1, &values[WAYS], &values[WAYS], [0; 5]);
        assert!(memo.get(1, first).is_some(), "used last, kept");
        assert!(memo.get(1, &rest[0]).is_none(), "least recently used, gone");
        for v in &rest[1..] {
            assert!(memo.get(1, v).is_some(), "{v:?}");
        }
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
