/// An IP address as a parsed value: what the redactors rewrite and the policy's networks
/// (`--skip-private`, `--keep-networks`) are matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    /// An IPv4 address as a big-endian integer.
    V4(u32),
    /// An IPv6 address as a big-endian integer.
    V6(u128),
}
