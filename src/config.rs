//! The scrubbing policy: what happens to each kind of personal datum.
//!
//! A [`Config`] is built once through [`ConfigBuilder::build`], which validates every value and
//! precomputes what the hot path needs (the address masks). After that it is only read.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use ipnet::{Ipv4Net, Ipv6Net};

use crate::format::layout::Layout;
use crate::format::template::Template;
use crate::format::w3c::Columns;
use crate::format::{apache, builtin, json, nginx, Format, Role};
use crate::key::{Key, KeyDir, KeySource};

/// What to do with IP addresses, wherever they appear in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpPolicy {
    /// Zero the low bits (`--ipv4-mask`, `--ipv6-mask`) and write the canonical text.
    Mask,
    /// Replace every address by the all-zero address of its family.
    Drop,
    /// Leave addresses as they are.
    Keep,
    /// Replace by a keyed HMAC-SHA256 pseudonym (an address in 240.0.0.0/4 or fd00::/8).
    Hash,
    /// Encrypt with ipcrypt-pfx: pseudonyms share exactly the prefixes the addresses share.
    Prefix,
}

impl IpPolicy {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            IpPolicy::Mask => "mask",
            IpPolicy::Drop => "drop",
            IpPolicy::Keep => "keep",
            IpPolicy::Hash => "hash",
            IpPolicy::Prefix => "prefix",
        }
    }
}

/// How `--ip hash` writes its pseudonyms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashFormat {
    /// A valid address of the same family, so that analyzers still parse the line.
    Addr,
    /// A 16-digit hex token.
    Hex,
}

/// How often the pseudonym key changes, following the UTC instant of each line's timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// One key for all lines.
    None,
    /// A key per calendar day.
    Daily,
    /// A key per ISO week.
    Weekly,
    /// A key per calendar month.
    Monthly,
}

/// What to do with the referrer field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferrerPolicy {
    /// Keep `scheme://host[:port]/path`; remove userinfo, query and fragment.
    Strip,
    /// Keep `scheme://host[:port]` only.
    Origin,
    /// Keep the URL but replace personal values, as [`RequestPolicy::Redact`] does.
    Redact,
    /// Write `-`.
    Drop,
    /// Leave the referrer as it is (addresses and e-mails in it are still scrubbed).
    Keep,
}

/// What to do with the URL of the request line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestPolicy {
    /// Keep the path and parameter names; replace personal values by the placeholder.
    Redact,
    /// Remove query and fragment; personal path segments are still replaced.
    Strip,
    /// Leave the URL as it is (addresses and e-mails in it are still scrubbed).
    Keep,
}

/// What to do with user-agent fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentPolicy {
    /// Keep the agent (personal data in it is still scrubbed).
    Keep,
    /// Keep browser family, major version and OS; zero minor versions, drop device models
    /// and app build details (see `redact::agent`).
    Reduce,
    /// Write `-`.
    Drop,
}

/// What to do with the authenticated user (`%u`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserPolicy {
    /// Write `-`.
    Drop,
    /// Leave the user as it is (addresses and e-mails in it are still scrubbed).
    Keep,
    /// Replace by a short keyed token.
    Hash,
}

/// An invalid policy value. The message names the setting and its allowed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `--ipv4-mask` outside `0..=32`.
    Ipv4Mask(u32),
    /// `--ipv6-mask` outside `0..=128`.
    Ipv6Mask(u32),
    /// The key cannot be used (equal halves under ipcrypt-pfx, or no random key could be drawn).
    Key(String),
    /// A `--log-format` or `--nginx-format` string that does not compile, or that conflicts
    /// with `--format`.
    LogFormat(String),
    /// `--w3c-fields` names no column, or conflicts with `--format` or a custom format.
    W3cFields(String),
    /// A `--keep-networks` entry that is not a network in CIDR notation.
    Network(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Ipv4Mask(bits) => {
                write!(f, "--ipv4-mask must be between 0 and 32 bits, got {bits}")
            }
            ConfigError::Ipv6Mask(bits) => {
                write!(f, "--ipv6-mask must be between 0 and 128 bits, got {bits}")
            }
            ConfigError::Key(why) | ConfigError::LogFormat(why) | ConfigError::W3cFields(why) => {
                f.write_str(why)
            }
            ConfigError::Network(entry) => write!(
                f,
                "--keep-networks: {entry:?} is not a network; write it in CIDR notation, e.g. \
                 192.0.2.0/24 or 2001:db8::/32"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A validated scrubbing policy.
///
/// Invariant: `v4_keep` and `v6_keep` are the netmasks of the networks addresses are cut to, a
/// /(32 - `ipv4_mask`) and a /(128 - `ipv6_mask`); under [`IpPolicy::Drop`] both are zero.
#[derive(Clone, Debug)]
pub struct Config {
    format: Format,
    /// The templates of a template-driven `format` (a built-in one or the custom string).
    templates: Arc<[Template]>,
    json_keys: Arc<json::Keys>,
    /// The W3C columns before any `#Fields:` header (`--w3c-fields`).
    w3c_columns: Option<Arc<Columns>>,
    /// Networks whose addresses are written as they are (`--skip-private`,
    /// `--keep-networks`): the operator's own machines, not visitors.
    kept: Arc<KeptNetworks>,
    ip: IpPolicy,
    ipv4_mask: u32,
    ipv6_mask: u32,
    referrer: ReferrerPolicy,
    request: RequestPolicy,
    user: UserPolicy,
    agent: AgentPolicy,
    /// Whether user agents are counted for `--stats` (distinct agents and their entropy).
    count_agents: bool,
    hash_format: HashFormat,
    rotation: Rotation,
    key: Option<Key>,
    /// Per-period key files (`--key-dir`), in place of `key`.
    key_dir: Option<Arc<KeyDir>>,
    random_key: bool,
    v4_keep: u32,
    v6_keep: u128,
}

impl Default for Config {
    fn default() -> Self {
        ConfigBuilder::default()
            .build()
            .expect("the default policy is valid")
    }
}

impl Config {
    /// Starts from the defaults: anonymous output, not merely pseudonymous.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// How lines are read before any input is seen: the configured format, or per-line common
    /// and combined under `Auto` until an input's format is recognised.
    pub fn layout(&self) -> Layout {
        match self.format {
            Format::Auto | Format::Common | Format::Combined => Layout::Clf(self.format),
            Format::Json => Layout::Json(self.json_keys()),
            Format::W3c => Layout::W3c(self.w3c_columns.clone()),
            format => Layout::Templates(format, self.templates.clone()),
        }
    }

    /// The layout of an input whose first lines are `sample`: the configured format's, or,
    /// under `Auto`, the format recognised from the sample.
    pub fn layout_for(&self, sample: &[u8]) -> Layout {
        match self.format {
            Format::Auto => crate::format::layout::detect(sample, &self.json_keys),
            _ => self.layout(),
        }
    }

    /// The JSON keys to look for, built-in and named.
    pub fn json_keys(&self) -> Arc<json::Keys> {
        self.json_keys.clone()
    }

    /// The input format.
    pub fn format(&self) -> Format {
        self.format
    }
    /// The IP address policy.
    pub fn ip(&self) -> IpPolicy {
        self.ip
    }
    /// Low IPv4 bits zeroed under [`IpPolicy::Mask`].
    pub fn ipv4_mask(&self) -> u32 {
        self.ipv4_mask
    }
    /// Low IPv6 bits zeroed under [`IpPolicy::Mask`].
    pub fn ipv6_mask(&self) -> u32 {
        self.ipv6_mask
    }
    /// The user-agent policy.
    pub fn agent(&self) -> AgentPolicy {
        self.agent
    }

    /// Whether `addr` lies in a network kept as it is (`--skip-private`, `--keep-networks`).
    #[inline]
    pub fn keeps(&self, addr: crate::vocab::Addr) -> bool {
        !self.kept.is_empty() && self.kept.contains(addr)
    }

    /// The networks kept as they are.
    pub fn kept_networks(&self) -> &KeptNetworks {
        &self.kept
    }

    /// Whether user agents are counted.
    pub fn counts_agents(&self) -> bool {
        self.count_agents
    }

    /// The referrer policy.
    pub fn referrer(&self) -> ReferrerPolicy {
        self.referrer
    }
    /// The request URL policy.
    pub fn request(&self) -> RequestPolicy {
        self.request
    }
    /// The user field policy.
    pub fn user(&self) -> UserPolicy {
        self.user
    }
    /// How `--ip hash` writes pseudonyms.
    pub fn hash_format(&self) -> HashFormat {
        self.hash_format
    }
    /// The key rotation period.
    pub fn rotation(&self) -> Rotation {
        self.rotation
    }
    /// The master pseudonym key, present when a policy needs a key and no key directory is
    /// used.
    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }
    /// The directory of per-period keys, present when a policy needs a key and one was given.
    pub fn key_dir(&self) -> Option<&KeyDir> {
        self.key_dir.as_deref()
    }
    /// Where the pseudonym keys come from, when a policy needs them.
    pub(crate) fn key_source(&self) -> Option<KeySource> {
        match (&self.key_dir, &self.key) {
            (Some(dir), _) => Some(KeySource::Dir(dir.clone())),
            (None, Some(key)) => Some(KeySource::Master(key.clone())),
            (None, None) => None,
        }
    }
    /// Whether the key was drawn at random for this run (pseudonyms unlinkable across runs).
    pub fn random_key(&self) -> bool {
        self.random_key
    }
    /// Whether any policy pseudonymizes, and so needs a key.
    pub fn needs_key(&self) -> bool {
        matches!(self.ip, IpPolicy::Hash | IpPolicy::Prefix) || self.user == UserPolicy::Hash
    }
    /// Bits of an IPv4 address that survive (all ones under `Keep`).
    pub(crate) fn v4_keep(&self) -> u32 {
        self.v4_keep
    }
    /// Bits of an IPv6 address that survive (all ones under `Keep`).
    pub(crate) fn v6_keep(&self) -> u128 {
        self.v6_keep
    }
}

/// A custom format string.
#[derive(Clone, Debug)]
pub enum CustomFormat {
    /// An Apache `LogFormat` string (`--log-format`).
    Apache(String),
    /// An nginx `log_format` string (`--nginx-format`).
    Nginx(String),
}

impl CustomFormat {
    fn option(&self) -> &'static str {
        match self {
            CustomFormat::Apache(_) => "--log-format",
            CustomFormat::Nginx(_) => "--nginx-format",
        }
    }
}

/// Builds a [`Config`]; every setting starts at its safe default.
#[derive(Clone, Debug)]
pub struct ConfigBuilder {
    format: Format,
    custom: Option<CustomFormat>,
    w3c_fields: Option<String>,
    json_fields: Vec<(Role, Vec<String>)>,
    skip_private: bool,
    keep_networks: Vec<String>,
    ip: IpPolicy,
    ipv4_mask: u32,
    ipv6_mask: u32,
    referrer: ReferrerPolicy,
    request: RequestPolicy,
    user: UserPolicy,
    agent: AgentPolicy,
    count_agents: bool,
    hash_format: HashFormat,
    rotation: Rotation,
    key: Option<Key>,
    key_dir: Option<Arc<KeyDir>>,
}

impl Default for ConfigBuilder {
    /// The defaults follow common privacy-policy wording ("only an abbreviated IP address is
    /// stored"): the last IPv4 octet and the interface identifier plus 16 more bits of IPv6 are
    /// zeroed (as anonip and Matomo do), referrers keep only where a visitor came from, request
    /// values that identify someone are replaced, and the user field is dropped.
    fn default() -> Self {
        ConfigBuilder {
            format: Format::Auto,
            custom: None,
            w3c_fields: None,
            json_fields: Vec::new(),
            ip: IpPolicy::Mask,
            ipv4_mask: 8,
            ipv6_mask: 80,
            referrer: ReferrerPolicy::Strip,
            request: RequestPolicy::Redact,
            user: UserPolicy::Drop,
            agent: AgentPolicy::Keep,
            count_agents: false,
            skip_private: false,
            keep_networks: Vec::new(),
            hash_format: HashFormat::Addr,
            rotation: Rotation::None,
            key: None,
            key_dir: None,
        }
    }
}

impl ConfigBuilder {
    /// Sets the input format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Reads lines in a custom format: an Apache `LogFormat` or an nginx `log_format` string,
    /// compiled once by [`ConfigBuilder::build`]. The format must be left at `Auto` (or set
    /// to `Custom`).
    pub fn custom_format(mut self, custom: CustomFormat) -> Self {
        self.custom = Some(custom);
        self
    }

    /// Reads W3C lines before any `#Fields:` header by these columns, named as in a `#Fields:`
    /// line (`date time c-ip cs-uri-stem`; commas also separate). Implies the W3C format; a
    /// `#Fields:` line in the input replaces them. The format must be left at `Auto` (or set to
    /// `W3c`); [`ConfigBuilder::build`] refuses a list that names no column.
    pub fn w3c_fields(mut self, names: String) -> Self {
        self.w3c_fields = Some(names);
        self
    }

    /// Names further JSON keys (dotted paths or bare names) that hold values of `role`.
    pub fn json_fields(mut self, role: Role, names: Vec<String>) -> Self {
        self.json_fields.push((role, names));
        self
    }
    /// Sets the IP policy.
    pub fn ip(mut self, ip: IpPolicy) -> Self {
        self.ip = ip;
        self
    }
    /// Sets how many low IPv4 bits are zeroed (0..=32).
    pub fn ipv4_mask(mut self, bits: u32) -> Self {
        self.ipv4_mask = bits;
        self
    }
    /// Sets how many low IPv6 bits are zeroed (0..=128).
    pub fn ipv6_mask(mut self, bits: u32) -> Self {
        self.ipv6_mask = bits;
        self
    }
    /// Keeps addresses in private, loopback, link-local, shared and unique-local ranges as
    /// they are (anonip's `--skip-private`).
    pub fn skip_private(mut self, yes: bool) -> Self {
        self.skip_private = yes;
        self
    }

    /// Keeps addresses in these networks (CIDR notation) as they are; validated by
    /// [`ConfigBuilder::build`].
    pub fn keep_networks(mut self, networks: Vec<String>) -> Self {
        self.keep_networks = networks;
        self
    }

    /// Sets the user-agent policy.
    pub fn agent(mut self, agent: AgentPolicy) -> Self {
        self.agent = agent;
        self
    }

    /// Counts the user agents read and written (for `--stats`), at the cost of a hash and a
    /// table lookup per line.
    pub fn count_agents(mut self, yes: bool) -> Self {
        self.count_agents = yes;
        self
    }

    /// Sets the referrer policy.
    pub fn referrer(mut self, referrer: ReferrerPolicy) -> Self {
        self.referrer = referrer;
        self
    }
    /// Sets the request URL policy.
    pub fn request(mut self, request: RequestPolicy) -> Self {
        self.request = request;
        self
    }
    /// Sets the user policy.
    pub fn user(mut self, user: UserPolicy) -> Self {
        self.user = user;
        self
    }

    /// Sets how `--ip hash` writes pseudonyms.
    pub fn hash_format(mut self, format: HashFormat) -> Self {
        self.hash_format = format;
        self
    }
    /// Sets the key rotation period.
    pub fn rotation(mut self, rotation: Rotation) -> Self {
        self.rotation = rotation;
        self
    }
    /// Sets the pseudonym key. Without one, a policy that needs a key gets a random one.
    pub fn key(mut self, key: Key) -> Self {
        self.key = Some(key);
        self
    }
    /// Takes the pseudonym keys from a directory of per-period key files instead of a master
    /// key. Needs a rotation period.
    pub fn key_dir(mut self, dir: KeyDir) -> Self {
        self.key_dir = Some(Arc::new(dir));
        self
    }

    /// Validates the settings, precomputes the masks, and draws a random key if a policy needs
    /// a key and none was given.
    pub fn build(self) -> Result<Config, ConfigError> {
        if self.ipv4_mask > 32 {
            return Err(ConfigError::Ipv4Mask(self.ipv4_mask));
        }
        if self.ipv6_mask > 128 {
            return Err(ConfigError::Ipv6Mask(self.ipv6_mask));
        }
        // Pseudonymizing policies keep the masks: a line without a usable timestamp under
        // key rotation is masked instead.
        let (v4_keep, v6_keep) = match self.ip {
            IpPolicy::Mask | IpPolicy::Hash | IpPolicy::Prefix => {
                (keep_bits_v4(self.ipv4_mask), keep_bits_v6(self.ipv6_mask))
            }
            IpPolicy::Drop => (0, 0),
            IpPolicy::Keep => (u32::MAX, u128::MAX),
        };
        let needs_key =
            matches!(self.ip, IpPolicy::Hash | IpPolicy::Prefix) || self.user == UserPolicy::Hash;
        if self.key_dir.is_some() {
            if self.rotation == Rotation::None {
                return Err(ConfigError::Key(
                    "--key-dir needs --key-rotation daily, weekly or monthly: it holds one key \
                     per period"
                        .to_string(),
                ));
            }
            if self.key.is_some() {
                return Err(ConfigError::Key(
                    "--key-dir replaces --key-file and LOGSCRUB_KEY; give only one".to_string(),
                ));
            }
        }
        let key_dir = self.key_dir.filter(|_| needs_key);
        let random_key = needs_key && self.key.is_none() && key_dir.is_none();
        let key = match (needs_key, self.key) {
            (false, _) => None,
            (true, Some(key)) => Some(key),
            (true, None) if key_dir.is_some() => None,
            (true, None) => Some(Key::random().map_err(|e| ConfigError::Key(e.to_string()))?),
        };
        if self.ip == IpPolicy::Prefix && key.as_ref().is_some_and(|k| !k.halves_differ()) {
            return Err(ConfigError::Key(
                "--ip prefix needs a key whose two 16-byte halves differ (ipcrypt-pfx); \
                 make one with `logscrub keygen PATH`"
                    .to_string(),
            ));
        }
        let (format, templates) = match (self.format, &self.custom) {
            (Format::Auto | Format::Custom, Some(custom)) => {
                let template = match custom {
                    CustomFormat::Apache(f) => apache::compile(f),
                    CustomFormat::Nginx(f) => nginx::compile(f),
                }
                .map_err(|why| ConfigError::LogFormat(format!("{}: {why}", custom.option())))?;
                refuse_personal_text(&template)
                    .map_err(|why| ConfigError::LogFormat(format!("{}: {why}", custom.option())))?;
                (Format::Custom, Arc::from([template]))
            }
            (Format::Custom, None) => {
                return Err(ConfigError::LogFormat(
                    "the custom format needs --log-format or --nginx-format".to_string(),
                ))
            }
            (format, Some(custom)) => {
                return Err(ConfigError::LogFormat(format!(
                    "{} cannot be combined with --format {}; leave --format out",
                    custom.option(),
                    format.name()
                )))
            }
            (format, None) => (format, builtin::templates(format)),
        };
        let (format, templates, w3c_columns) = match self.w3c_fields {
            None => (format, templates, None),
            Some(names) => {
                if self.custom.is_some() || !matches!(format, Format::Auto | Format::W3c) {
                    return Err(ConfigError::W3cFields(format!(
                        "--w3c-fields cannot be combined with {}; leave --format out or use \
                         --format w3c",
                        match &self.custom {
                            Some(custom) => custom.option().to_string(),
                            None => format!("--format {}", format.name()),
                        }
                    )));
                }
                let columns = Columns::from_names(&names).ok_or_else(|| {
                    ConfigError::W3cFields(
                        "--w3c-fields names no column; give the names of a #Fields: line, \
                         e.g. 'date time c-ip cs-username cs-uri-stem cs-uri-query'"
                            .to_string(),
                    )
                })?;
                (Format::W3c, Arc::from([]), Some(Arc::new(columns)))
            }
        };
        let json_keys = self
            .json_fields
            .into_iter()
            .fold(json::Keys::default(), |keys, (role, names)| {
                keys.with(role, &names)
            });
        let mut kept = KeptNetworks::default();
        if self.skip_private {
            for net in PRIVATE_NETWORKS {
                kept.add(net.parse().expect("the private networks are valid CIDR"));
            }
        }
        for entry in &self.keep_networks {
            for part in entry.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let net = part
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| ConfigError::Network(part.to_string()))?;
                kept.add(net);
            }
        }
        Ok(Config {
            format,
            templates,
            json_keys: Arc::new(json_keys),
            w3c_columns,
            ip: self.ip,
            ipv4_mask: self.ipv4_mask,
            ipv6_mask: self.ipv6_mask,
            referrer: self.referrer,
            request: self.request,
            user: self.user,
            agent: self.agent,
            count_agents: self.count_agents,
            kept: Arc::new(kept),
            hash_format: self.hash_format,
            rotation: self.rotation,
            key,
            key_dir,
            random_key,
            v4_keep,
            v6_keep,
        })
    }
}

/// The netmask left when the low `zeroed` bits (at most 32) of an IPv4 address go: that of a
/// /(32 - `zeroed`) network, so the default `--ipv4-mask 8` keeps a /24.
fn keep_bits_v4(zeroed: u32) -> u32 {
    let kept = Ipv4Net::new(Ipv4Addr::UNSPECIFIED, (32 - zeroed) as u8);
    u32::from(kept.expect("a prefix of at most 32 bits").netmask())
}

/// The IPv6 counterpart of [`keep_bits_v4`]: the default `--ipv6-mask 80` keeps a /48.
fn keep_bits_v6(zeroed: u32) -> u128 {
    let kept = Ipv6Net::new(Ipv6Addr::UNSPECIFIED, (128 - zeroed) as u8);
    u128::from(kept.expect("a prefix of at most 128 bits").netmask())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_cover_the_full_range() {
        let cases: &[(u32, u32)] = &[
            (0, 0xffff_ffff),
            (1, 0xffff_fffe),
            (8, 0xffff_ff00),
            (31, 0x8000_0000),
            (32, 0),
        ];
        for &(bits, want) in cases {
            assert_eq!(keep_bits_v4(bits), want, "ipv4 mask {bits}");
        }
        assert_eq!(keep_bits_v6(0), u128::MAX);
        assert_eq!(keep_bits_v6(80), u128::MAX << 80);
        assert_eq!(keep_bits_v6(127), 1u128 << 127);
        assert_eq!(keep_bits_v6(128), 0);
    }

    #[test]
    fn out_of_range_masks_are_rejected() {
        let err = Config::builder().ipv4_mask(33).build().unwrap_err();
        assert_eq!(err, ConfigError::Ipv4Mask(33));
        assert!(err.to_string().contains("--ipv4-mask"));
        let err = Config::builder().ipv6_mask(129).build().unwrap_err();
        assert_eq!(err, ConfigError::Ipv6Mask(129));
    }

    #[test]
    fn w3c_fields_imply_w3c_and_must_name_columns() {
        let cfg = Config::builder()
            .w3c_fields("date time c-ip".to_string())
            .build()
            .unwrap();
        assert_eq!(cfg.format(), Format::W3c);
        assert!(matches!(cfg.layout(), Layout::W3c(Some(_))));
        assert!(matches!(cfg.layout_for(b"x\n"), Layout::W3c(Some(_))));
        let cfg = Config::builder()
            .format(Format::W3c)
            .w3c_fields("c-ip".to_string())
            .build()
            .unwrap();
        assert!(matches!(cfg.layout(), Layout::W3c(Some(_))));
        for names in ["", "  ", ",", "#Fields:"] {
            let err = Config::builder()
                .w3c_fields(names.to_string())
                .build()
                .unwrap_err();
            assert!(matches!(err, ConfigError::W3cFields(_)), "{names:?}");
            assert!(err.to_string().contains("names no column"), "{err}");
        }
        let err = Config::builder()
            .format(Format::Combined)
            .w3c_fields("c-ip".to_string())
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("--format combined"), "{err}");
        let err = Config::builder()
            .custom_format(CustomFormat::Apache("%h".to_string()))
            .w3c_fields("c-ip".to_string())
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("--log-format"), "{err}");
    }

    #[test]
    fn drop_and_keep_override_the_masks() {
        let drop = Config::builder().ip(IpPolicy::Drop).build().unwrap();
        assert_eq!((drop.v4_keep(), drop.v6_keep()), (0, 0));
        let keep = Config::builder().ip(IpPolicy::Keep).build().unwrap();
        assert_eq!((keep.v4_keep(), keep.v6_keep()), (u32::MAX, u128::MAX));
    }
}

/// The ranges `--skip-private` keeps: RFC 1918, loopback, link-local, shared address space
/// (carrier-grade NAT), unique-local and the IPv6 loopback.
const PRIVATE_NETWORKS: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
];

/// Networks kept as they are, as masks and prefixes for a branch-light test per address.
#[derive(Clone, Debug, Default)]
pub struct KeptNetworks {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl KeptNetworks {
    fn add(&mut self, net: ipnet::IpNet) {
        match net {
            ipnet::IpNet::V4(n) => {
                let mask = u32::from(n.netmask());
                self.v4.push((u32::from(n.network()) & mask, mask));
            }
            ipnet::IpNet::V6(n) => {
                let mask = u128::from(n.netmask());
                self.v6.push((u128::from(n.network()) & mask, mask));
            }
        }
    }

    /// Whether `addr` is in one of the networks; an IPv4-mapped address (`::ffff:10.0.0.1`) is
    /// judged by its IPv4 address.
    pub fn contains(&self, addr: crate::vocab::Addr) -> bool {
        match addr {
            crate::vocab::Addr::V4(a) => self.contains_v4(a),
            crate::vocab::Addr::V6(a) => self.contains_v6(a),
        }
    }

    /// [`KeptNetworks::contains`] for an IPv4 address as a big-endian integer.
    pub fn contains_v4(&self, addr: u32) -> bool {
        self.v4.iter().any(|&(net, mask)| addr & mask == net)
    }

    /// [`KeptNetworks::contains`] for an IPv6 address as a big-endian integer.
    pub fn contains_v6(&self, addr: u128) -> bool {
        const MAPPED: u128 = 0xffff << 32;
        if addr & (!0u128 << 32) == MAPPED {
            return self.contains_v4(addr as u32);
        }
        self.v6.iter().any(|&(net, mask)| addr & mask == net)
    }

    /// Whether no network is kept.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

/// Refuses a format string whose literal text holds what `logscrub check` finds (an address, an
/// e-mail address, a sensitive parameter, userinfo): it would be written into every line.
fn refuse_personal_text(template: &Template) -> Result<(), String> {
    let cfg = Config::default();
    for lit in template.literals() {
        let mut auditor = crate::check::Auditor::new(&cfg);
        auditor.check(lit);
        if !auditor.audit().is_clean() {
            return Err(format!(
                "the text `{}` holds an address, e-mail address, sensitive parameter or \
                 userinfo, which would be written into every line; leave it out of the format",
                String::from_utf8_lossy(lit).escape_debug()
            ));
        }
    }
    Ok(())
}
