//! Redactors, one file per kind of personal datum. Each appends its output to a caller-owned
//! buffer and copies untouched bytes verbatim.

pub mod agent;
pub mod email;
pub mod host;
pub mod ip;
pub(crate) mod memo;
pub mod number;
pub mod personal;
pub mod pseudonym;
pub mod secret;
pub mod text;
pub mod url;
pub mod user;

use crate::config::{Config, IpPolicy};
use crate::stats::Stats;

use self::pseudonym::{Date, HashOutput, LineKeys, Pseudonymizer};

/// What replaces a personal value: fixed, URL-safe, free of spaces and quotes (so the line keeps
/// its format), and easy to grep for.
pub const PLACEHOLDER: &[u8] = b"REDACTED";

/// What a redaction replaced, for the counters of `--stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Redaction {
    /// An IP address rewritten.
    Ip,
    /// An e-mail address replaced.
    Email,
    /// A referrer shortened or dropped.
    Referrer,
    /// A request value, path token, credential or number replaced.
    Value,
    /// A user dropped or pseudonymized.
    User,
}

/// What every redactor needs: the policy, the counters, and scratch space reused across lines.
pub(crate) struct Ctx<'c> {
    pub cfg: &'c Config,
    pub stats: Stats,
    /// Percent-decoded copy of the value being classified.
    pub decoded: Vec<u8>,
    /// Whether the value being written is escaped afterwards (a JSON string), so that a tab in
    /// it reaches the output as `\t`, part of the text around it.
    pub escaped: bool,
    /// Scratch space for a user agent scrubbed before it is reduced.
    pub agent: Vec<u8>,
    /// Whether `+` in free text stands for a space, as W3C logs write it: then it ends an
    /// e-mail address's local part instead of being part of it.
    pub plus_is_space: bool,
    /// Verdicts of the personal-data test on URL parts seen before.
    pub verdicts: memo::Verdicts,
    /// Present when a policy pseudonymizes.
    pseudo: Option<Pseudonymizer>,
    /// Whether the current line has pseudonym keys (always, unless rotation is on and the line
    /// has no usable timestamp, or its period's key could not be had).
    keyed: bool,
    /// The keys of the line being scrubbed, counted when it ends.
    line_keys: Option<LineKeys>,
    /// Values written under a pseudonymizing policy, whose writing depends on the line's keys
    /// and so may not be remembered by the values' bytes alone.
    keyed_writes: u64,
}

impl<'c> Ctx<'c> {
    pub fn new(cfg: &'c Config) -> Self {
        Ctx {
            cfg,
            stats: Stats::default(),
            decoded: Vec::new(),
            escaped: false,
            plus_is_space: false,
            agent: Vec::new(),
            verdicts: memo::Verdicts::new(),
            pseudo: cfg
                .key_source()
                .map(|source| Pseudonymizer::new(source, cfg.rotation())),
            keyed: true,
            line_keys: None,
            keyed_writes: 0,
        }
    }

    /// Counts one redaction of `kind`: the one place the redactors touch the counters.
    #[inline]
    pub fn count(&mut self, kind: Redaction) {
        let counter = match kind {
            Redaction::Ip => &mut self.stats.ips,
            Redaction::Email => &mut self.stats.emails,
            Redaction::Referrer => &mut self.stats.referrers,
            Redaction::Value => &mut self.stats.request_values,
            Redaction::User => &mut self.stats.users,
        };
        *counter += 1;
    }

    /// Prepares for a line dated by its own timestamp, selecting the pseudonym keys of its
    /// period.
    /// `date` is only called when key rotation needs it.
    /// A line may be begun more than once (read as its format, then fail-safe); the keys of the
    /// last reading count, once, at [`Ctx::end_line`].
    pub fn begin_line(&mut self, date: impl FnOnce() -> Option<Date>) {
        if let Some(pseudo) = &mut self.pseudo {
            let keys = pseudo.begin_line(date, &mut self.stats);
            self.keyed = keys == LineKeys::Keyed;
            self.line_keys = Some(keys);
        }
    }

    /// How many writings so far depended on the line's pseudonym keys (or their absence): a
    /// value whose writing leaves this unchanged was written by its bytes and the policy alone.
    #[inline]
    pub fn keyed_writes(&self) -> u64 {
        self.keyed_writes
    }

    /// Counts the line begun last as unkeyed or as failed, if it was.
    pub fn end_line(&mut self) {
        match self.line_keys.take() {
            Some(LineKeys::Undated) => self.stats.unkeyed_lines += 1,
            Some(LineKeys::Failed) => self.stats.key_failed_lines += 1,
            Some(LineKeys::Keyed) | None => {}
        }
    }

    /// Writes `addr` as the IP policy rewrites it. Under a pseudonymizing policy, a line without
    /// keys (no usable timestamp under rotation) is masked instead.
    pub fn write_ip(&mut self, addr: ip::Addr, out: &mut Vec<u8>) {
        self.write_ip_masked(addr, u32::MAX, out);
    }

    /// [`Ctx::write_ip`] for an IPv4 address that starts a host name, which reverse-DNS names
    /// write backwards (`77.113.0.203.dsl.example.net` is 203.0.113.77): a mask cuts both
    /// ends, so that the address keeps no host bits whichever way it is read.
    pub fn write_ip_either_order(&mut self, v4: u32, out: &mut Vec<u8>) {
        self.write_ip_masked(ip::Addr::V4(v4), self.cfg.v4_keep().swap_bytes(), out);
    }

    /// `also_keep`: the bits an IPv4 mask keeps besides the policy's own.
    fn write_ip_masked(&mut self, addr: ip::Addr, also_keep: u32, out: &mut Vec<u8>) {
        let mask = |addr: ip::Addr, cfg: &Config| match ip::mask(addr, cfg) {
            ip::Addr::V4(v4) => ip::Addr::V4(v4 & also_keep),
            v6 => v6,
        };
        if self.cfg.keeps(addr) {
            // The operator's own networks (`--skip-private`, `--keep-networks`).
            return ip::write_addr(addr, out);
        }
        self.count(Redaction::Ip);
        self.keyed_writes += u64::from(self.pseudo.is_some());
        let pseudo = self.pseudo.as_mut().filter(|_| self.keyed);
        match (self.cfg.ip(), pseudo) {
            (IpPolicy::Hash, Some(p)) => match p.hash(addr, self.cfg.hash_format()) {
                HashOutput::Addr(pseudonym) => ip::write_addr(pseudonym, out),
                HashOutput::Token(token) => write_hex(token, out),
            },
            (IpPolicy::Prefix, Some(p)) => match p.prefix(addr) {
                Some(pseudonym) => ip::write_addr(pseudonym, out),
                None => ip::write_addr(mask(addr, self.cfg), out),
            },
            _ => ip::write_addr(mask(addr, self.cfg), out),
        }
    }

    /// Writes the keyed token of a user, or `-` where the line has no keys.
    pub fn write_user_token(&mut self, user: &[u8], out: &mut Vec<u8>) {
        self.keyed_writes += 1;
        let token = self
            .pseudo
            .as_mut()
            .filter(|_| self.keyed)
            .and_then(|p| p.user_token(user));
        match token {
            Some(token) => {
                out.push(b'u');
                write_hex(token, out);
            }
            None => out.push(b'-'),
        }
    }
}

/// Sixteen lowercase hex digits.
fn write_hex(value: u64, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        out.push(DIGITS[((value >> (shift * 4)) & 0xf) as usize]);
    }
}
