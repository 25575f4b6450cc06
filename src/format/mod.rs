//! Log formats: each parser turns a line into byte ranges of its fields and never allocates.

pub mod clf;

/// The format of the input lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Decide per line between combined and common.
    Auto,
    /// Common Log Format: `%h %l %u %t "%r" %>s %b`.
    Common,
    /// Combined Log Format: common plus `"%{Referer}i" "%{User-Agent}i"`.
    Combined,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Common => "common",
            Format::Combined => "combined",
        }
    }
}
