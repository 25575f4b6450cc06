//! Counters of what a run did, merged across inputs (and, later, workers).

/// What was read, written and redacted. Counts never include the data itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines_in: u64,
    /// Lines written; equals `lines_in` because no line is ever dropped.
    pub lines_out: u64,
    /// Non-empty lines that did not parse as the format and went through the fail-safe scrub.
    pub fallback_lines: u64,
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
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
}

impl Stats {
    /// Every redaction counted so far, of any kind: unchanged while a value is copied as it is.
    pub(crate) fn redactions(&self) -> u64 {
        self.ips + self.emails + self.referrers + self.request_values + self.users
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Stats) {
        self.lines_in += other.lines_in;
        self.lines_out += other.lines_out;
        self.fallback_lines += other.fallback_lines;
        self.ips += other.ips;
        self.emails += other.emails;
        self.referrers += other.referrers;
        self.request_values += other.request_values;
        self.users += other.users;
        self.unkeyed_lines += other.unkeyed_lines;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
    }
}
