//! The roles of fields: what a format reader says a value holds, and what decides which
//! redactor rewrites it.

/// What a field holds, which decides how it is redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The client: an address (with port, brackets or zone), a host name, `-` or `unix:…`.
    Client,
    /// A client written `address:port` with the port always there (ELB, ALB, HAProxy), an IPv6
    /// address unbracketed (`2001:db8::1:8443`): the last `:digits` is the port.
    Endpoint,
    /// Addresses, alone or as a list (`X-Forwarded-For`, upstream and server addresses): every
    /// address in it is rewritten (by the fail-safe scrub).
    Addrs,
    /// The authenticated user.
    User,
    /// A request line, `METHOD TARGET PROTOCOL`.
    Request,
    /// A request target or a path, with or without its query (`%U`, `$request_uri`, `cs-uri-stem`).
    Url,
    /// A query string, with or without its leading `?` (`%q`, `$args`, `cs-uri-query`).
    Query,
    /// A referrer URL.
    Referrer,
    /// A timestamp: copied as it is, and read for the line's date when keys rotate. Parsers
    /// give this role only to values made like a timestamp ([`time::is_plain_timestamp`]),
    /// which cannot hold an address or an e-mail address.
    Time,
    /// A user agent: free text whose product tokens and versions must come through intact,
    /// scanned for addresses, e-mail addresses, credentials and URLs with queries.
    Agent,
    /// Free text that may carry URLs (user agents, unknown fields): the fail-safe scrub, every
    /// query value included.
    Text,
    /// A version or object identifier (`app_version`, `$arg_ver`): dotted quads in it are
    /// versions; e-mail addresses and credentials are still removed.
    Version,
    /// A geographic coordinate (`lat`, `lng`, `ll`, `location` keys and arguments): coarsened to
    /// two decimals; in JSON also a number value.
    Coordinate,
    /// A value that is personal as a whole (cookies, authorization, session ids, locations):
    /// replaced unless empty or `-`.
    Secret,
    /// Numbers, methods, protocols, server names: expected to hold nothing personal, and
    /// scrubbed fail-safe all the same, which leaves such values unchanged.
    Plain,
    /// What a reader could not place: the identd column, the columns after the last known one,
    /// a vhost line's server name, a directive, a line not in its format read as a whole. The
    /// fail-safe scrub, every query value included.
    Unknown,
}
