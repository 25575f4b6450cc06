//! Redactors, one file per kind of personal datum. Each appends its output to a caller-owned
//! buffer and copies untouched bytes verbatim.

pub mod email;
pub mod host;
pub mod ip;
pub mod personal;
pub mod text;
pub mod url;
pub mod user;

use crate::config::Config;
use crate::stats::Stats;

/// What replaces a personal value: fixed, URL-safe, free of spaces and quotes (so the line keeps
/// its format), and easy to grep for.
pub const PLACEHOLDER: &[u8] = b"REDACTED";

/// What every redactor needs: the policy, the counters, and scratch space reused across lines.
pub(crate) struct Ctx<'c> {
    pub cfg: &'c Config,
    pub stats: Stats,
    /// Percent-decoded copy of the value being classified.
    pub decoded: Vec<u8>,
}

impl<'c> Ctx<'c> {
    pub fn new(cfg: &'c Config) -> Self {
        Ctx {
            cfg,
            stats: Stats::default(),
            decoded: Vec::new(),
        }
    }
}
