//! Log formats: each parser turns a line into byte ranges of its fields and never allocates.
//!
//! Common and combined lines have a hand-written parser ([`clf`]). Every other format is a
//! [`template::Template`] (compiled from an Apache `LogFormat`, an nginx `log_format`, a W3C
//! `#Fields:` header or a built-in definition) or a JSON object ([`json`]). All of them yield
//! [`Field`]s whose [`Role`] decides the redactor; the bytes between fields are copied. A
//! logged header's role comes from its name, the same in every format ([`header::role`]).

pub mod apache;
pub mod builtin;
pub mod clf;
pub mod header;
pub mod json;
pub mod layout;
pub mod nginx;
pub mod template;
pub mod time;
pub mod w3c;

use std::ops::Range;

/// The format of the input lines, as chosen on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Recognise each input's format from its first lines.
    Auto,
    /// Common Log Format: `%h %l %u %t "%r" %>s %b`.
    Common,
    /// Combined Log Format: common plus `"%{Referer}i" "%{User-Agent}i"`.
    Combined,
    /// nginx combined with a trailing `"$http_x_forwarded_for"`.
    CombinedXff,
    /// Apache `vhost_combined`: `%v:%p` before combined.
    VhostCombined,
    /// One JSON object per line.
    Json,
    /// W3C extended (IIS, CloudFront, Incapsula, NetScaler), driven by `#Fields:` headers;
    /// before any, by `--w3c-fields` or IIS's default columns.
    W3c,
    /// HAProxy HTTP log (`option httplog`), with its syslog prefix.
    Haproxy,
    /// AWS Classic Load Balancer access log.
    Elb,
    /// AWS Application Load Balancer access log.
    Alb,
    /// AWS S3 server access log.
    S3,
    /// A format string given with `--log-format` or `--nginx-format`.
    Custom,
}

impl Format {
    /// The name used on the command line and in `--stats`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Common => "common",
            Format::Combined => "combined",
            Format::CombinedXff => "combined_xff",
            Format::VhostCombined => "vhost_combined",
            Format::Json => "json",
            Format::W3c => "w3c",
            Format::Haproxy => "haproxy",
            Format::Elb => "elb",
            Format::Alb => "alb",
            Format::S3 => "s3",
            Format::Custom => "custom",
        }
    }
}

pub use crate::vocab::Role;

/// One field of a parsed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The value's bytes in the line, without surrounding quotes.
    pub range: Range<usize>,
    pub role: Role,
    /// A JSON string value with backslash escapes, to be decoded before and encoded after
    /// redaction.
    pub escaped: bool,
}

impl Field {
    pub fn new(range: Range<usize>, role: Role) -> Self {
        Field {
            range,
            role,
            escaped: false,
        }
    }
}
