//! Key → role: the user-named keys and the built-in tables of known keys.

use super::super::{header, nginx};
use super::Role;
use crate::vocab::names as personal;

/// Which keys hold which kind of value: built-in tables for nginx (`escape=json`), Caddy,
/// Traefik, Cloudflare and generic logs, plus user-named keys, which take precedence.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    /// User-named keys in the order given.
    named: Vec<Named>,
}

#[derive(Clone, Debug)]
struct Named {
    name: Box<[u8]>,
    /// A dotted name is a path from the top-level object; any other name is a key at any depth.
    dotted: bool,
    role: Role,
}

impl Keys {
    /// Adds user-named keys (from `--json-ip-fields`, `--json-url-fields`,
    /// `--json-referrer-fields`, `--json-user-fields`). A name is either a dotted path from the
    /// top-level object (`request.remote_ip`, `request.headers.Referer`) or a bare key matched
    /// at any depth. Matching is ASCII case-insensitive; empty names are ignored.
    ///
    /// A dotted name that spells the whole path beats a bare name that matches the last key;
    /// among names of the same kind, the first one added wins. The role of a named key holding
    /// an object or array passes to every value inside it, unless a value's own key is named.
    pub fn with(mut self, role: Role, names: &[String]) -> Self {
        self.named
            .extend(names.iter().filter(|n| !n.is_empty()).map(|n| Named {
                name: n.as_bytes().into(),
                dotted: n.contains('.'),
                role,
            }));
        self
    }

    /// The role the user gave to the key path `segments` (top-level key first), if any.
    pub(super) fn named<'a>(
        &self,
        segments: impl DoubleEndedIterator<Item = &'a [u8]> + Clone,
    ) -> Option<Role> {
        if self.named.is_empty() {
            return None;
        }
        let last = segments.clone().next_back()?;
        self.named
            .iter()
            .find(|n| n.dotted && spells(&n.name, segments.clone()))
            .or_else(|| {
                self.named
                    .iter()
                    .find(|n| !n.dotted && n.name.eq_ignore_ascii_case(last))
            })
            .map(|n| n.role)
    }
}

/// Whether `name` is the keys of `segments` joined with dots. Comparing segment by segment also
/// lets a name match a top-level key that itself contains dots (`"http.request.method"`).
fn spells<'a>(name: &[u8], segments: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut rest = name;
    for (i, segment) in segments.enumerate() {
        if i > 0 {
            match rest.split_first() {
                Some((b'.', after)) => rest = after,
                _ => return false,
            }
        }
        match rest.get(..segment.len()) {
            Some(head) if head.eq_ignore_ascii_case(segment) => rest = &rest[segment.len()..],
            _ => return false,
        }
    }
    rest.is_empty()
}

/// The longest key (with its prefix, if any) that is looked up in the table.
const NAME_CAP: usize = 32;

/// Prefixes that put a header name into a variable or key name: nginx request, response and
/// upstream headers (`$http_referer`, `$sent_http_set_cookie`), Traefik's header fields
/// (`request_Referer`, `downstream_Set-Cookie`).
const PREFIXES: &[&[u8]] = &[
    b"http_",
    b"sent_http_",
    b"upstream_http_",
    b"request_",
    b"downstream_",
    b"origin_",
];

/// The role of a value by the last key of its path. Keys are matched raw: loggers do not
/// escape the key names they choose, and a key with an escape falls through to the rules for
/// unknown names.
///
/// The table of known keys comes first; then a header name after a prefix (`http_cookie`,
/// `request_User-Agent`) or alone (`X-Forwarded-For`, `user_agent`) goes by the rules every
/// format shares ([`header::known`]); what neither knows goes by JSON's own naming rules, which
/// make an address of any `…Ip` and a secret of any sensitive parameter name.
pub(super) fn builtin_role(key: &[u8]) -> Role {
    let mut buf = [0; NAME_CAP];
    if let Some(name) = normalized(key, &mut buf) {
        if let Some(role) = table(name) {
            return role;
        }
        // `ssl_client_s_dn` and the like, under nginx's names.
        if nginx::names_certificate_holder(name) {
            return Role::Secret;
        }
    }
    if let Some(rest) = PREFIXES.iter().find_map(|prefix| strip_prefix(key, prefix)) {
        let known = header::known(rest).or_else(|| normalized(rest, &mut buf).and_then(table));
        if let Some(role) = known {
            return role;
        }
    }
    if let Some(role) = header::known(key) {
        return role;
    }
    if ends_like_address(key) {
        Role::Addrs
    } else if personal::name_kind(key) == personal::NameKind::Geo {
        Role::Coordinate
    } else if personal::name_kind(key) == personal::NameKind::Version {
        Role::Version
    } else if contains_ignore_case(key, b"cookie") || personal::is_sensitive_name(key) {
        // Cookies, authorization, tokens, session ids, API keys, e-mail addresses.
        Role::Secret
    } else {
        Role::Text
    }
}

/// `key` after `prefix` (lowercase, `_`), compared as [`normalized`] does; `None` without it
/// or with nothing after it.
fn strip_prefix<'k>(key: &'k [u8], prefix: &[u8]) -> Option<&'k [u8]> {
    let head = key.get(..prefix.len())?;
    let same = head
        .iter()
        .zip(prefix)
        .all(|(&a, &b)| a.to_ascii_lowercase() == b || (a == b'-' && b == b'_'));
    (same && key.len() > prefix.len()).then(|| &key[prefix.len()..])
}

/// Keys whose object maps header names to values: Caddy's `headers` (of `request`) and
/// `resp_headers`, Cloudflare's `RequestHeaders` and `ResponseHeaders`.
pub(super) fn holds_headers(key: &[u8]) -> bool {
    let mut buf = [0; NAME_CAP];
    matches!(
        normalized(key, &mut buf),
        Some(
            b"headers"
                | b"resp_headers"
                | b"req_headers"
                | b"request_headers"
                | b"response_headers"
                | b"requestheaders"
                | b"responseheaders"
        )
    )
}

/// `key` lowercased, with `-` as `_`, in `buf`; `None` if it is too long for the table.
fn normalized<'b>(key: &[u8], buf: &'b mut [u8; NAME_CAP]) -> Option<&'b [u8]> {
    let name = buf.get_mut(..key.len())?;
    for (dst, &src) in name.iter_mut().zip(key) {
        *dst = if src == b'-' {
            b'_'
        } else {
            src.to_ascii_lowercase()
        };
    }
    Some(name)
}

/// Known keys, lowercased with `_` for `-`; header names are left to [`header::known`], and
/// addresses and secrets that follow a naming pattern to [`ends_like_address`] and the secret
/// rule in [`builtin_role`].
fn table(name: &[u8]) -> Option<Role> {
    Some(match name {
        b"remote_addr"
        | b"remote_ip"
        | b"remoteip"
        | b"remote_host"
        | b"realip_remote_addr"
        | b"client_ip"
        | b"clientip"
        | b"client_addr"
        | b"clientaddr"
        | b"clienthost"
        | b"client"
        | b"ip"
        | b"c_ip" => Role::Client,
        b"remote_user" | b"user" | b"user_id" | b"userid" | b"username" | b"user_name"
        | b"clientusername" | b"cs_username" => Role::User,
        b"request" | b"request_line" => Role::Request,
        b"uri" | b"request_uri" | b"document_uri" | b"path" | b"rawpath" | b"raw_path" | b"url"
        | b"request_url" | b"requestpath" | b"clientrequesturi" | b"clientrequestpath"
        | b"cs_uri_stem"
        // GCP's `httpRequest.requestUrl`, Traefik's `RequestURI`, Envoy's `:path`, Elastic
        // Common Schema's `url.original`.
        | b"requesturl"
        | b"requesturi"
        | b":path"
        | b"http.url"
        | b"url.original"
        | b"url.full" => Role::Url,
        b"args" | b"query" | b"query_string" | b"querystring" | b"rawquery" | b"raw_query"
        | b"cs_uri_query" => Role::Query,
        b"clientrequestreferer" | b"cs_referer" => Role::Referrer,
        b"useragent" | b"clientrequestuseragent" | b"cs_user_agent" => Role::Agent,
        b"ts"
        | b"time"
        | b"timestamp"
        | b"@timestamp"
        | b"time_local"
        | b"time_iso8601"
        | b"msec"
        | b"date"
        | b"datetime"
        | b"startutc"
        | b"startlocal"
        | b"edgestarttimestamp"
        | b"edgeendtimestamp" => Role::Time,
        b"method"
        | b"request_method"
        | b"requestmethod"
        | b"clientrequestmethod"
        | b"proto"
        | b"protocol"
        | b"server_protocol"
        | b"requestprotocol"
        | b"clientrequestprotocol"
        | b"scheme"
        | b"requestscheme"
        | b"clientrequestscheme"
        | b"requesthost"
        | b"clientrequesthost"
        | b"server_name"
        | b"status"
        | b"downstreamstatus"
        | b"upstream_status"
        | b"body_bytes_sent"
        | b"bytes_sent"
        | b"request_length"
        | b"request_time"
        | b"upstream_response_time"
        | b"level"
        | b"logger"
        | b"routername"
        | b"servicename"
        | b"entrypointname"
        | b"clientcountry"
        | b"edgecolocode"
        | b"cachecachestatus" => Role::Plain,
        _ => return None,
    })
}

/// `edge_server_ip`, `X-Real-Ip`, `OriginIP`, `sourceIp`, `ServiceAddr`: an address word after a
/// separator or at a camel-case boundary, so that `zip`, `ZIP` or `skip` do not count.
fn ends_like_address(key: &[u8]) -> bool {
    [b"ip".as_slice(), b"addr"].iter().any(|word| {
        let Some(start) = key.len().checked_sub(word.len()).filter(|&s| s > 0) else {
            return false;
        };
        let (before, first) = (key[start - 1], key[start]);
        key[start..].eq_ignore_ascii_case(word)
            && (matches!(before, b'_' | b'-' | b'.')
                || (first.is_ascii_uppercase()
                    && (before.is_ascii_lowercase() || before.is_ascii_digit())))
    })
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn builtin_roles() {
        let cases: &[(Role, &[&str])] = &[
            (
                Client,
                &[
                    "remote_addr",
                    "remote_ip",
                    "client_ip",
                    "ClientIP",
                    "ClientHost",
                    "ClientAddr",
                    "ip",
                    "IP",
                    "clientip",
                    "client",
                    "c-ip",
                    "realip_remote_addr",
                ],
            ),
            (
                Addrs,
                &[
                    "x-forwarded-for",
                    "X-Forwarded-For",
                    "http_x_forwarded_for",
                    "request_X-Forwarded-For",
                    "upstream_http_x_forwarded_for",
                    "x-real-ip",
                    "X-Real-IP",
                    "forwarded",
                    "true-client-ip",
                    "cf-connecting-ip",
                    "upstream_addr",
                    "server_addr",
                    "OriginIP",
                    "EdgeServerIP",
                    "ClientSrcIP",
                    "sourceIp",
                    "src_ip",
                    "ServiceAddr",
                    "a_key_name_far_too_long_for_the_tables_ip",
                ],
            ),
            (
                User,
                &[
                    "remote_user",
                    "user",
                    "user_id",
                    "username",
                    "ClientUsername",
                    "http_x_forwarded_user",
                ],
            ),
            (Request, &["request"]),
            (
                Url,
                &[
                    "uri",
                    "request_uri",
                    "path",
                    "RequestPath",
                    "ClientRequestURI",
                    "ClientRequestPath",
                    "url",
                    "requestUrl",
                    "RequestURI",
                    ":path",
                    "url.original",
                ],
            ),
            (Query, &["args", "query_string", "query", "RawQuery"]),
            (
                Referrer,
                &[
                    "referer",
                    "referrer",
                    "http_referer",
                    "Referer",
                    "request_Referer",
                    "ClientRequestReferer",
                ],
            ),
            (
                Secret,
                &[
                    "ssl_client_s_dn",
                    "ssl_client_s_dn_legacy",
                    "ssl_client_escaped_cert",
                    "ssl_client_fingerprint",
                    "cookie",
                    "Cookie",
                    "Cookies",
                    "set-cookie",
                    "sent_http_set_cookie",
                    "authorization",
                    "Authorization",
                    "proxy-authorization",
                    "x-api-key",
                    "http_cookie",
                    "http_authorization",
                    "request_Cookie",
                    "request_Authorization",
                    "ClientRequestCookie",
                    "session_id",
                    "access_token",
                    "X-Csrf-Token",
                    "ZIP",
                    "a_key_name_far_too_long_for_the_tables_cookie",
                ],
            ),
            (
                Time,
                &[
                    "ts",
                    "time",
                    "timestamp",
                    "time_local",
                    "time_iso8601",
                    "@timestamp",
                    "StartUTC",
                    "StartLocal",
                    "EdgeStartTimestamp",
                    "EdgeEndTimestamp",
                    "date",
                ],
            ),
            (
                Plain,
                &[
                    "method",
                    "proto",
                    "host",
                    "status",
                    "level",
                    "logger",
                    "request_time",
                    "request_method",
                    "http_host",
                    "RequestMethod",
                ],
            ),
            (
                Agent,
                &[
                    "User-Agent",
                    "user_agent",
                    "http_user_agent",
                    "request_User-Agent",
                    "ClientRequestUserAgent",
                ],
            ),
            (
                Text,
                &[
                    "ssl_client_i_dn",
                    "WWW-Authenticate",
                    "skip",
                    "tooltip",
                    "RayID",
                    "Etag",
                    "",
                    "a_key_name_far_too_long_for_the_tables",
                ],
            ),
        ];
        for (role, names) in cases {
            for name in *names {
                assert_eq!(builtin_role(name.as_bytes()), *role, "{name}");
            }
        }
    }
}
