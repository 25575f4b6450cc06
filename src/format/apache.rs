//! Apache `LogFormat` strings, compiled into a [`Template`].
//!
//! Each `%` directive's meaning decides its field's role: `%h` and `%a` are the client, `%u` the
//! user, `%r` the request, `%U` and `%q` the target; a header's name decides its role
//! ([`header::role`]: `%{Referer}i` the referrer, a forwarding header an address list, cookies
//! and tokens a secret); mod_ssl variables (`%{SSL_CIPHER}x`), notes (`%{cookie}n`) and
//! environment variables (`%{UNIQUE_ID}e`) by their names too. What is not known personal data
//! is scanned as free text, never copied unseen.

use nom::branch::alt;
use nom::bytes::complete::{tag, take, take_till, take_till1, take_while};
use nom::combinator::{cut, map, opt, rest};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::template::{Check, Spec, Template};
use super::{header, Role};

/// Compiles `format` as Apache's `mod_log_config` reads it. The string may be written as in a
/// configuration file (`\"%r\"`, `\t`) or with the quotes already removed. Literal text that
/// would put personal data into every line is refused ([`Template::check_literals`]).
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
        // The grammar takes any text but an unclosed `{`, where it fails for good.
        let (after, piece) =
            piece(rest).map_err(|_| format!("unclosed `{{` in the directive at byte {at}"))?;
        match piece {
            Piece::Literal(text) => b.literal(text),
            Piece::Escape(b't') => b.literal(b"\t"),
            Piece::Escape(b'n') => b.literal(b"\n"),
            Piece::Escape(byte @ (b'"' | b'\\')) => b.literal(&[byte]),
            Piece::Escape(byte) => b.literal(&[b'\\', byte]),
            Piece::Directive(arg, letter) => match spec(arg, letter, at)? {
                Some(spec) => b.field(spec),
                None => b.literal(b"%"),
            },
        };
        rest = after;
    }
    b.build()
        .ok_or_else(|| "the format has no % directive, so no field to scrub".to_string())
}

/// A piece of a `LogFormat` string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'s> {
    /// Text copied as it is.
    Literal(&'s [u8]),
    /// The byte after a backslash, as a configuration file writes `\"` or `\t`.
    Escape(u8),
    /// A directive's argument (`{…}`; empty without one) and letter (`None` where the format
    /// ends first).
    Directive(&'s [u8], Option<u8>),
}

/// The next piece of a non-empty format. Fails, with [`nom::Err::Failure`], only on a `{` that
/// is never closed.
fn piece(s: &[u8]) -> IResult<&[u8], Piece<'_>> {
    alt((
        map(take_till1(|b| b == b'\\' || b == b'%'), Piece::Literal),
        map(preceded(tag("\\"), take(1usize)), |byte: &[u8]| {
            Piece::Escape(byte[0])
        }),
        directive,
        // A backslash that ends the format.
        map(tag("\\"), Piece::Literal),
    ))
    .parse(s)
}

/// `%`, conditions, an optional `{argument}`, `<` or `>`, and the letter.
fn directive(s: &[u8]) -> IResult<&[u8], Piece<'_>> {
    // Conditions (`%400,501{User-agent}i`, `%!200{Referer}i`) and `<`/`>` (original or final
    // request) change when a value is logged, not what it is.
    let conditions =
        take_while(|b: u8| b.is_ascii_digit() || matches!(b, b'!' | b',' | b'<' | b'>'));
    let argument = delimited(tag("{"), take_till(|b| b == b'}'), cut(tag("}")));
    let original_or_final = take_while(|b| matches!(b, b'<' | b'>'));
    let (s, (_, _, arg, _, letter)) = (
        tag("%"),
        conditions,
        opt(argument),
        original_or_final,
        opt(take(1usize)),
    )
        .parse(s)?;
    let letter = letter.map(|l: &[u8]| l[0]);
    // `%{…}^ti` / `%{…}^to`: trailer fields, two letters after the caret.
    let (s, _) = if letter == Some(b'^') {
        alt((take(2usize), rest)).parse(s)?
    } else {
        (s, &s[..0])
    };
    Ok((s, Piece::Directive(arg.unwrap_or_default(), letter)))
}

/// The field of directive `letter` with `arg` (`None` for `%%`); `at` is where the directive
/// starts, for messages.
fn spec(arg: &[u8], letter: Option<u8>, at: usize) -> Result<Option<Spec>, String> {
    let Some(letter) = letter else {
        return Err(format!("the format ends inside the directive at byte {at}"));
    };
    Ok(Some(match letter {
        b'%' => return Ok(None),
        b'h' | b'a' => Spec::new(Role::Client).check(Check::Client),
        b'A' => Spec::new(Role::Addrs),
        b'u' => Spec::new(Role::User),
        b'p' => Spec::new(Role::Plain).check(Check::Port),
        b'l' | b'v' | b'V' | b'm' | b'H' | b'P' | b'k' | b'X' | b'L' | b'R' => {
            Spec::new(Role::Plain)
        }
        b't' => time_spec(arg),
        b'r' => Spec::new(Role::Request).spaces(2),
        b's' => Spec::new(Role::Plain).check(Check::Status),
        b'b' | b'B' | b'O' | b'I' | b'S' | b'D' | b'T' => {
            Spec::new(Role::Plain).check(Check::Number)
        }
        b'U' => Spec::new(Role::Url),
        b'q' => Spec::new(Role::Query),
        // Request and response headers and trailers (`%{…}^ti`, `%{…}^to`): their names
        // decide, as in every format.
        b'i' | b'o' | b'^' => Spec::new(header::role(arg)),
        b'C' => Spec::new(Role::Secret),
        b'e' | b'n' => note(letter, arg),
        b'x' => ssl_variable(arg),
        b'c' if !arg.is_empty() => ssl_compat(arg),
        b'f' | b'M' => Spec::new(Role::Text),
        other => {
            return Err(format!(
                "unknown LogFormat directive `%{}` at byte {at}",
                char::from(other).escape_default(),
            ))
        }
    }))
}

/// `%t` is `[10/Oct/2000:13:55:36 -0700]`; `%{format}t` is whatever the strftime format
/// writes, whose spaces the template must skip.
fn time_spec(arg: &[u8]) -> Spec {
    let spec = Spec::new(Role::Time);
    if arg.is_empty() {
        return spec.spaces(1).check(Check::Date);
    }
    let format = arg
        .strip_prefix(b"begin:")
        .or_else(|| arg.strip_prefix(b"end:"))
        .unwrap_or(arg);
    // `%c` ("Thu Aug 23 14:55:02 2001") writes four spaces of its own.
    let spaces = format.iter().filter(|&&b| b == b' ').count()
        + 4 * format.windows(2).filter(|w| w == b"%c").count();
    spec.spaces(u8::try_from(spaces).unwrap_or(u8::MAX))
}

/// `%{NAME}x`: a mod_ssl variable. The client certificate and what names its holder (subject
/// DN, subject alternative names, serial, SRP user) and anything a secret's name marks
/// ([`header::role`]: `SSL_SESSION_ID`) are secrets; protocol, cipher and the like are plain;
/// the rest is free text.
fn ssl_variable(name: &[u8]) -> Spec {
    let upper = name.to_ascii_uppercase();
    let starts = |prefix: &str| upper.starts_with(prefix.as_bytes());
    let role = if starts("SSL_CLIENT_S_DN")
        || starts("SSL_CLIENT_SAN")
        || starts("SSL_CLIENT_CERT")
        || starts("SSL_CLIENT_M_SERIAL")
        || starts("SSL_SRP_USER")
    {
        Role::Secret
    } else if starts("SSL_PROTOCOL")
        || starts("SSL_CIPHER")
        || starts("SSL_VERSION")
        || starts("SSL_TLS_SNI")
        || starts("SSL_CLIENT_VERIFY")
        || starts("SSL_SECURE_RENEG")
        || starts("SSL_COMPRESS_METHOD")
        || starts("SSL_SESSION_RESUMED")
    {
        Role::Plain
    } else {
        secret_or_text(name)
    };
    Spec::new(role)
}

/// `%{NAME}c`: mod_ssl's older cryptography variables; the client's certificate and subject
/// DN are secrets.
fn ssl_compat(name: &[u8]) -> Spec {
    let is = |known: &str| name.eq_ignore_ascii_case(known.as_bytes());
    if is("clientcert") || is("subjectdn") {
        Spec::new(Role::Secret)
    } else {
        Spec::new(secret_or_text(name))
    }
}

/// A note (`%{NAME}n`, mod_usertrack's `cookie`) or an environment variable (`%{NAME}e`): a
/// secret if its name is a secret header's ([`header::role`]), free text otherwise. An
/// environment variable named `SSL_…` is a mod_ssl variable (`SSLOptions +StdEnvVars`).
fn note(letter: u8, name: &[u8]) -> Spec {
    if letter == b'e' && name.len() > 4 && name[..4].eq_ignore_ascii_case(b"SSL_") {
        return ssl_variable(name);
    }
    Spec::new(secret_or_text(name))
}

fn secret_or_text(name: &[u8]) -> Role {
    match header::role(name) {
        Role::Secret => Role::Secret,
        _ => Role::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Field;

    fn roles(format: &str, line: &str) -> Option<Vec<(String, Role)>> {
        let t = compile(format).unwrap();
        let mut fields: Vec<Field> = Vec::new();
        t.matches(line.as_bytes(), &mut fields).then(|| {
            fields
                .iter()
                .map(|f| (line[f.range.clone()].to_string(), f.role))
                .collect()
        })
    }

    #[test]
    fn compiles_common_directives() {
        use Role::*;
        let r = |v: &str, role| (v.to_string(), role);
        type Case = (&'static str, &'static str, Option<Vec<(String, Role)>>);
        let cases: &[Case] = &[
            (
                r#"%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""#,
                r#"www.example.com:443 1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET /?a=b HTTP/1.1" 200 5 "-" "ua""#,
                Some(vec![
                    r("www.example.com", Plain),
                    r("443", Plain),
                    r("1.2.3.4", Client),
                    r("-", Plain),
                    r("bob", User),
                    r("[10/Oct/2000:13:55:36 -0700]", Time),
                    r("GET /?a=b HTTP/1.1", Request),
                    r("200", Plain),
                    r("5", Plain),
                    r("-", Referrer),
                    r("ua", Agent),
                ]),
            ),
            (
                r#"%a %{%Y-%m-%d %H:%M:%S}t %D "%U%q" %{X-Forwarded-For}i %{Cookie}i %%"#,
                "::1 2024-01-02 03:04:05 1234 \"/p?x=1\" 203.0.113.9, 10.0.0.1 sid=4 %",
                Some(vec![
                    r("::1", Client),
                    r("2024-01-02 03:04:05", Time),
                    r("1234", Plain),
                    r("/p?x=1", Url),
                    r("203.0.113.9, 10.0.0.1", Addrs),
                    r("sid=4", Secret),
                ]),
            ),
            (
                "%h\t%!200,304{Referer}i\t%<s",
                "h.example\t-\t404",
                Some(vec![
                    r("h.example", Client),
                    r("-", Referrer),
                    r("404", Plain),
                ]),
            ),
            (
                "%h %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{UNIQUE_ID}e %{cookie}n %{Set-Cookie}o %{SSL_CLIENT_S_DN_CN}x %{SSL_SESSION_ID}x %{X-Api-Key}e %{mynote}n %{HTTPS}x %{subjectdn}c %{version}c %{Grpc-Status}^to",
                "h.example TLSv1.3 TLS_AES_256_GCM_SHA384 ZkJ7 u.1 s=1 Jane 5F3A 42 n on CN=j TLSv1.2 0",
                Some(vec![
                    r("h.example", Client),
                    r("TLSv1.3", Plain),
                    r("TLS_AES_256_GCM_SHA384", Plain),
                    r("ZkJ7", Text),
                    r("u.1", Secret),
                    r("s=1", Secret),
                    r("Jane", Secret),
                    r("5F3A", Secret),
                    r("42", Secret),
                    r("n", Text),
                    r("on", Text),
                    r("CN=j", Secret),
                    r("TLSv1.2", Text),
                    r("0", Text),
                ]),
            ),
            (r#"%h %>s"#, "1.2.3.4 2000", None),
        ];
        for (format, line, want) in cases {
            assert_eq!(roles(format, line), *want, "{format}");
        }
    }

    #[test]
    fn pieces() {
        use Piece::*;
        let cases: &[(&str, Piece, &str)] = &[
            ("ab%h", Literal(b"ab"), "%h"),
            (r#"\"x"#, Escape(b'"'), "x"),
            ("\\", Literal(b"\\"), ""),
            ("%>s x", Directive(b"", Some(b's')), " x"),
            (
                "%!400,501{User-agent}i",
                Directive(b"User-agent", Some(b'i')),
                "",
            ),
            ("%{%d}t}", Directive(b"%d", Some(b't')), "}"),
            (
                "%{Grpc-Status}^to%h",
                Directive(b"Grpc-Status", Some(b'^')),
                "%h",
            ),
            ("%{X}^t", Directive(b"X", Some(b'^')), ""),
            ("%%", Directive(b"", Some(b'%')), ""),
            ("%<", Directive(b"", None), ""),
        ];
        for (format, want, rest) in cases {
            let (after, got) = piece(format.as_bytes()).unwrap();
            assert_eq!((got, after), (*want, rest.as_bytes()), "{format}");
        }
        assert!(matches!(piece(b"%{Referer"), Err(nom::Err::Failure(_))));
    }

    #[test]
    fn rejects_bad_formats() {
        for (format, message) in [
            ("%h %Z", "unknown LogFormat directive `%Z` at byte 4"),
            ("%h %{Referer", "unclosed `{` in the directive at byte 4"),
            ("%h %", "the format ends inside the directive at byte 4"),
            ("%>{x}", "ends inside"),
            ("%c", "unknown LogFormat directive `%c` at byte 1"),
            (
                "%\u{e9}",
                "unknown LogFormat directive `%\\u{c3}` at byte 1",
            ),
            ("no directive", "no % directive"),
            ("%%", "no % directive"),
        ] {
            let err = compile(format).unwrap_err();
            assert!(err.contains(message), "{format}: {err}");
        }
    }
}
