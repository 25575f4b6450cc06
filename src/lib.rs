//! logscrub: makes web-server access logs privacy-compliant while keeping their format.
//!
//! The embeddable API is small: build a [`Config`], make a [`Scrubber`] per thread, and feed it
//! lines as bytes. [`pipeline::run`] does the same for files and streams.
//!
//! ```
//! use logscrub::{Config, Scrubber};
//!
//! let config = Config::default();
//! let mut scrubber = Scrubber::new(&config);
//! let mut out = Vec::new();
//! scrubber.scrub(b"203.0.113.9 - bob [10/Oct/2000:13:55:36 -0700] \"GET /?sid=42 HTTP/1.0\" 200 5\n", &mut out);
//! assert_eq!(out, b"203.0.113.0 - - [10/Oct/2000:13:55:36 -0700] \"GET /?sid=REDACTED HTTP/1.0\" 200 5\n");
//! ```

pub mod check;
pub mod config;
#[cfg(feature = "fuzz")]
pub mod differential;
pub mod error;
#[cfg(feature = "fuzz")]
pub mod format;
#[cfg(not(feature = "fuzz"))]
mod format;
pub mod key;
pub(crate) mod lines;
pub mod pipeline;
pub(crate) mod redact;
pub(crate) mod scrub;
pub mod stats;
pub(crate) mod vocab;

pub use config::{
    AgentPolicy, Config, ConfigBuilder, HashFormat, IpPolicy, ReferrerPolicy, RequestPolicy,
    Rotation, UserPolicy,
};
pub use error::Error;
pub use format::Format;
pub use key::Key;
pub use scrub::Scrubber;
pub use stats::Stats;
pub use vocab::Role;
