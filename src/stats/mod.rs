//! Counters of what a run did, merged across inputs and workers, and their rendering for
//! `--stats` and `--stats-json` ([`write_text`], [`write_json`]).

mod report;

pub use report::{write_json, write_text};

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

/// What was read, written and redacted. Counts never include the data itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines_in: u64,
    /// Lines written; equals `lines_in` because no line is ever dropped.
    pub lines_out: u64,
    /// Non-empty lines that did not parse as the format and went through the fail-safe scrub.
    pub fallback_lines: u64,
    /// Lines longer than `--max-line-length`, written as one placeholder line each.
    pub overlong_lines: u64,
    /// IP addresses (and client host names) rewritten.
    pub ips: u64,
    /// E-mail addresses replaced.
    pub emails: u64,
    /// Referrers rewritten.
    pub referrers: u64,
    /// URL parameter values, path segments and userinfo parts replaced or removed.
    pub request_values: u64,
    /// User fields dropped or replaced by a token.
    pub users: u64,
    /// Lines whose addresses were masked instead of pseudonymized: key rotation is on and the
    /// line has no usable timestamp.
    pub unkeyed_lines: u64,
    /// Lines whose addresses were masked instead of pseudonymized because the key of their
    /// period could not be read or made in the key directory.
    pub key_failed_lines: u64,
    /// Labels of the rotation periods whose keys were used (`2024-05-17`, `2024-W20`,
    /// `2024-05`).
    pub period_keys_used: BTreeSet<String>,
    /// Labels of the periods whose key files this run created in the key directory.
    pub period_keys_created: BTreeSet<String>,
    /// How often each user agent was read, by a hash of its bytes (only counted when asked
    /// for, see [`crate::ConfigBuilder::count_agents`]): how much of a fingerprint they are.
    pub agents_in: HashMap<u64, u64>,
    /// The same for the user agents written.
    pub agents_out: HashMap<u64, u64>,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
}

impl Stats {
    /// The counts of each kind of redaction, for [`Stats::set_redaction_counts`].
    pub(crate) fn redaction_counts(&self) -> [u64; 5] {
        [
            self.ips,
            self.emails,
            self.referrers,
            self.request_values,
            self.users,
        ]
    }

    /// Puts back counts taken by [`Stats::redaction_counts`].
    pub(crate) fn set_redaction_counts(&mut self, counts: [u64; 5]) {
        [
            self.ips,
            self.emails,
            self.referrers,
            self.request_values,
            self.users,
        ] = counts;
    }

    /// Adds redactions of each kind, in the order of [`Stats::redaction_counts`].
    pub(crate) fn add_redaction_counts(&mut self, counts: [u8; 5]) {
        self.ips += u64::from(counts[0]);
        self.emails += u64::from(counts[1]);
        self.referrers += u64::from(counts[2]);
        self.request_values += u64::from(counts[3]);
        self.users += u64::from(counts[4]);
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Stats) {
        self.lines_in += other.lines_in;
        self.lines_out += other.lines_out;
        self.fallback_lines += other.fallback_lines;
        self.overlong_lines += other.overlong_lines;
        self.ips += other.ips;
        self.emails += other.emails;
        self.referrers += other.referrers;
        self.request_values += other.request_values;
        self.users += other.users;
        self.unkeyed_lines += other.unkeyed_lines;
        self.key_failed_lines += other.key_failed_lines;
        self.period_keys_used
            .extend(other.period_keys_used.iter().cloned());
        self.period_keys_created
            .extend(other.period_keys_created.iter().cloned());
        for (hash, n) in &other.agents_in {
            *self.agents_in.entry(*hash).or_default() += n;
        }
        for (hash, n) in &other.agents_out {
            *self.agents_out.entry(*hash).or_default() += n;
        }
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
    }

    /// Counts one user agent as read and as written.
    pub(crate) fn count_agent(&mut self, read: &[u8], written: &[u8]) {
        *self.agents_in.entry(hash(read)).or_default() += 1;
        *self.agents_out.entry(hash(written)).or_default() += 1;
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Distinct user agents and the Shannon entropy of their distribution in bits: the
/// fingerprint a user agent carries (0 bits when all visitors send the same one).
pub fn fingerprint(counts: &HashMap<u64, u64>) -> (usize, f64) {
    let total: u64 = counts.values().sum();
    let entropy = counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum::<f64>();
    // A single agent sums to -0.0; adding 0.0 makes it print as 0.00.
    (counts.len(), entropy + 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_of_distributions() {
        let mut s = Stats::default();
        assert_eq!(fingerprint(&s.agents_in), (0, 0.0));
        for ua in ["a", "a", "b", "c"] {
            s.count_agent(ua.as_bytes(), b"x");
        }
        let (distinct, bits) = fingerprint(&s.agents_in);
        assert_eq!(distinct, 3);
        assert!((bits - 1.5).abs() < 1e-9, "{bits}");
        assert_eq!(fingerprint(&s.agents_out), (1, 0.0));
    }
}
