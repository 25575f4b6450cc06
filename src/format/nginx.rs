//! nginx `log_format` strings, compiled into a [`Template`].
//!
//! A variable's name decides its field's role, as for Apache directives; a header variable's
//! (`$http_…`, `$sent_http_…`, `$upstream_http_…`) by the header's name ([`header::role`]);
//! unknown variables are scanned as free text.

use nom::branch::alt;
use nom::bytes::complete::{tag, take, take_till1, take_while1};
use nom::combinator::{cut, map};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::template::{Check, Spec, Template};
use super::{header, Role};

/// Compiles an nginx `log_format` string (the concatenated quoted parts, with or without the
/// backslashes of the configuration file's escapes). Literal text that would put personal data
/// into every line is refused ([`Template::check_literals`]).
pub fn compile(format: &str) -> Result<Template, String> {
    let template = compile_template(format)?;
    template.check_literals()?;
    Ok(template)
}

/// [`compile`] without refusing literal text: for the built-in formats, whose text is known.
pub(crate) fn compile_template(format: &str) -> Result<Template, String> {
    let mut b = Template::builder();
    let mut rest = format.as_bytes();
    while !rest.is_empty() {
        // Where the piece starts, counted from 1, for messages.
        let at = format.len() - rest.len() + 1;
        let (after, piece) = piece(rest).map_err(|err| match err {
            nom::Err::Failure(_) => format!("unclosed `${{` at byte {at}"),
            _ => format!("`$` without a variable name at byte {at}"),
        })?;
        match piece {
            Piece::Literal(text) => b.literal(text),
            Piece::Escape(b't') => b.literal(b"\t"),
            Piece::Escape(b'n') => b.literal(b"\n"),
            Piece::Escape(byte) => b.literal(&[byte]),
            Piece::Variable(name) => b.field(spec(name)),
        };
        rest = after;
    }
    b.build()
        .ok_or_else(|| "the format has no $variable, so no field to scrub".to_string())
}

/// A piece of a `log_format` string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'s> {
    /// Text copied as it is.
    Literal(&'s [u8]),
    /// The byte after a backslash, as a configuration file writes `\"` or `\t`.
    Escape(u8),
    /// A variable's name, from `$name` or `${name}`.
    Variable(&'s [u8]),
}

/// The next piece of a non-empty format. Fails only at a `$`: with [`nom::Err::Failure`] after
/// `${` without a name and `}`, with [`nom::Err::Error`] where no name follows the `$`.
fn piece(s: &[u8]) -> IResult<&[u8], Piece<'_>> {
    alt((
        map(take_till1(|b| b == b'\\' || b == b'$'), Piece::Literal),
        map(preceded(tag("\\"), take(1usize)), |byte: &[u8]| {
            Piece::Escape(byte[0])
        }),
        map(variable, Piece::Variable),
        // A backslash that ends the format.
        map(tag("\\"), Piece::Literal),
    ))
    .parse(s)
}

/// `$name` or `${name}`: the name.
fn variable(s: &[u8]) -> IResult<&[u8], &[u8]> {
    let name = || take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_');
    preceded(
        tag("$"),
        alt((delimited(tag("{"), cut(name()), cut(tag("}"))), name())),
    )
    .parse(s)
}

fn spec(name: &[u8]) -> Spec {
    let Ok(name) = std::str::from_utf8(name) else {
        return Spec::new(Role::Text);
    };
    // Request, response and upstream response headers: their names decide, as in every
    // format (`header::role` reads `_` as `-`).
    if let Some(field) = ["http_", "sent_http_", "upstream_http_"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
    {
        return Spec::new(header::role(field.as_bytes()));
    }
    if let Some(arg) = name.strip_prefix("arg_") {
        use crate::vocab::names::{name_kind, NameKind};
        return Spec::new(match name_kind(arg.as_bytes()) {
            NameKind::Sensitive => Role::Secret,
            NameKind::Geo => Role::Coordinate,
            NameKind::Version => Role::Version,
            NameKind::Plain => Role::Text,
        });
    }
    if name.starts_with("cookie_") || name.starts_with("upstream_cookie_") {
        return Spec::new(Role::Secret);
    }
    match name {
        "remote_addr" | "realip_remote_addr" => Spec::new(Role::Client).check(Check::Client),
        "proxy_add_x_forwarded_for" | "upstream_addr" | "server_addr" => Spec::new(Role::Addrs),
        "remote_user" => Spec::new(Role::User),
        "time_local" => Spec::new(Role::Time).spaces(1).check(Check::Date),
        "time_iso8601" | "msec" => Spec::new(Role::Time).check(Check::Date),
        "request" => Spec::new(Role::Request).spaces(2),
        "status" => Spec::new(Role::Plain).check(Check::Status),
        "body_bytes_sent" | "bytes_sent" | "request_length" | "request_time" => {
            Spec::new(Role::Plain).check(Check::Number)
        }
        "request_uri" | "uri" | "document_uri" => Spec::new(Role::Url),
        "args" | "query_string" => Spec::new(Role::Query),
        "remote_port" | "server_port" => Spec::new(Role::Plain).check(Check::Port),
        "connection"
        | "connection_requests"
        | "pipe"
        | "is_args"
        | "scheme"
        | "server_protocol"
        | "request_method"
        | "host"
        | "hostname"
        | "server_name"
        | "ssl_protocol"
        | "ssl_cipher"
        | "gzip_ratio"
        | "request_id"
        | "upstream_status"
        | "upstream_response_time"
        | "upstream_connect_time"
        | "upstream_header_time"
        | "upstream_cache_status"
        | "pid" => Spec::new(Role::Plain),
        _ if names_certificate_holder(name.as_bytes()) => Spec::new(Role::Secret),
        _ => Spec::new(Role::Text),
    }
}

/// nginx's variables of a client certificate that name or single out its holder: the
/// subject (`$ssl_client_s_dn`, `CN=Jane Doe,O=…`), the certificate itself, its serial and
/// fingerprint. JSON access logs take the same names as keys. Not the issuer's name nor the
/// verification result and validity dates, which are the same for many holders.
pub(crate) fn names_certificate_holder(name: &[u8]) -> bool {
    name.strip_prefix(b"ssl_client_").is_some_and(|rest| {
        rest.starts_with(b"s_dn")
            || matches!(
                rest,
                b"cert" | b"raw_cert" | b"escaped_cert" | b"serial" | b"fingerprint" | b"email"
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Field;

    #[test]
    fn compiles_common_variables() {
        use Role::*;
        let format = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" ${request_time}s $uri$is_args$args $cookie_sid $arg_email $http_x_custom"#;
        let line = r#"10.1.2.3 - bob [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 5 "-" "ua" "203.0.113.9, 10.0.0.1" 0.002s /a?b=1 abc me@x.org v"#;
        let t = compile(format).unwrap();
        let mut fields: Vec<Field> = Vec::new();
        assert!(t.matches(line.as_bytes(), &mut fields));
        let got: Vec<(&str, Role)> = fields
            .iter()
            .map(|f| (&line[f.range.clone()], f.role))
            .collect();
        assert_eq!(
            got,
            vec![
                ("10.1.2.3", Client),
                ("bob", User),
                ("10/Oct/2000:13:55:36 -0700", Time),
                ("GET /a?b=1 HTTP/1.1", Request),
                ("200", Plain),
                ("5", Plain),
                ("-", Referrer),
                ("ua", Agent),
                ("203.0.113.9, 10.0.0.1", Addrs),
                ("0.002", Plain),
                ("/a?b=1", Url),
                ("abc", Secret),
                ("me@x.org", Secret),
                ("v", Text),
            ]
        );
    }

    #[test]
    fn pieces() {
        use Piece::*;
        let cases: &[(&str, Piece, &str)] = &[
            ("ab$x", Literal(b"ab"), "$x"),
            (r#"\"x"#, Escape(b'"'), "x"),
            ("\\", Literal(b"\\"), ""),
            ("$request_time-", Variable(b"request_time"), "-"),
            ("${request_time}s", Variable(b"request_time"), "s"),
        ];
        for (format, want, rest) in cases {
            let (after, got) = piece(format.as_bytes()).unwrap();
            assert_eq!((got, after), (*want, rest.as_bytes()), "{format}");
        }
        assert!(matches!(piece(b"${x"), Err(nom::Err::Failure(_))));
        assert!(matches!(piece(b"$-"), Err(nom::Err::Error(_))));
    }

    #[test]
    fn rejects_bad_formats() {
        for (format, message) in [
            ("$remote_addr ${x", "unclosed `${` at byte 14"),
            ("$remote_addr ${}", "unclosed `${` at byte 14"),
            ("$ x", "`$` without a variable name at byte 1"),
            ("$status $", "`$` without a variable name at byte 9"),
            ("plain", "no $variable"),
        ] {
            let err = compile(format).unwrap_err();
            assert!(err.contains(message), "{format}: {err}");
        }
    }
}
