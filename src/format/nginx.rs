//! nginx `log_format` strings, compiled into a [`Template`].
//!
//! A variable's name decides its field's role, as for Apache directives; a header variable's
//! (`$http_…`, `$sent_http_…`, `$upstream_http_…`) by the header's name ([`header::role`]);
//! unknown variables are scanned as free text.

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
    let s = format.as_bytes();
    let mut b = Template::builder();
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' if i + 1 < s.len() => {
                match s[i + 1] {
                    b't' => b.literal(b"\t"),
                    b'n' => b.literal(b"\n"),
                    _ => b.literal(&s[i + 1..i + 2]),
                };
                i += 2;
            }
            b'$' => {
                let (name, next) = variable(s, i)?;
                b.field(spec(name));
                i = next;
            }
            _ => {
                b.literal(&s[i..=i]);
                i += 1;
            }
        }
    }
    b.build()
        .ok_or_else(|| "the format has no $variable, so no field to scrub".to_string())
}

/// The name of the variable at `s[start] == b'$'` (`$name` or `${name}`) and where the
/// format goes on.
fn variable(s: &[u8], start: usize) -> Result<(&[u8], usize), String> {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if s.get(start + 1) == Some(&b'{') {
        let len = s[start + 2..].iter().take_while(|b| is_name(b)).count();
        if s.get(start + 2 + len) != Some(&b'}') || len == 0 {
            return Err(format!("unclosed `${{` at byte {}", start + 1));
        }
        return Ok((&s[start + 2..start + 2 + len], start + 3 + len));
    }
    let len = s[start + 1..].iter().take_while(|b| is_name(b)).count();
    if len == 0 {
        return Err(format!("`$` without a variable name at byte {}", start + 1));
    }
    Ok((&s[start + 1..start + 1 + len], start + 1 + len))
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
        "ssl_client_s_dn" | "ssl_client_raw_cert" | "ssl_client_cert" => Spec::new(Role::Secret),
        _ => Spec::new(Role::Text),
    }
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
    fn rejects_bad_formats() {
        for (format, message) in [
            ("$remote_addr ${x", "unclosed"),
            ("$ x", "without a variable name"),
            ("plain", "no $variable"),
        ] {
            let err = compile(format).unwrap_err();
            assert!(err.contains(message), "{format}: {err}");
        }
    }
}
