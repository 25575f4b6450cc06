//! The built-in formats that are not common/combined: each a list of templates, tried in turn.
//!
//! They are written in a small notation of their own, `{role}` for a field and anything else
//! literal, because their fields (a load balancer's backend, S3's requester) have no Apache or
//! nginx directive.

use std::sync::{Arc, OnceLock};

use super::template::{Check, Spec, Template};
use super::{apache, nginx, Format, Role};

/// The template-driven formats compiled on first use, at their [`slot`]: recognising an
/// input's format tries them all, once per input.
static COMPILED: [OnceLock<Arc<[Template]>>; 6] = [const { OnceLock::new() }; 6];

/// The place of a template-driven `format` in [`COMPILED`].
fn slot(format: Format) -> Option<usize> {
    Some(match format {
        Format::CombinedXff => 0,
        Format::VhostCombined => 1,
        Format::Haproxy => 2,
        Format::Elb => 3,
        Format::Alb => 4,
        Format::S3 => 5,
        Format::Auto
        | Format::Common
        | Format::Combined
        | Format::Json
        | Format::W3c
        | Format::Custom => return None,
    })
}

/// The templates of `format`, most specific first, compiled once per process; empty for the
/// formats that are not template-driven (common, combined, JSON, W3C, custom).
pub fn templates(format: Format) -> Arc<[Template]> {
    match slot(format) {
        Some(at) => COMPILED[at].get_or_init(|| compile(format).into()).clone(),
        None => Arc::new([]),
    }
}

/// Compiles the templates of a format that has a [`slot`].
fn compile(format: Format) -> Vec<Template> {
    let apache = |f: &str| apache::compile_template(f).expect("built-in formats compile");
    let nginx = |f: &str| nginx::compile_template(f).expect("built-in formats compile");
    match format {
        Format::CombinedXff => vec![nginx(
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#,
        )],
        // Apache's `vhost_combined`, then the same without the port and without the two
        // trailing fields, as other servers and older configurations write it.
        Format::VhostCombined => [
            r#"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#,
            r#"%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#,
            r#"%v:%p %h %l %u %t "%r" %>s %O"#,
            r#"%v %h %l %u %t "%r" %>s %O"#,
        ]
        .into_iter()
        .map(apache)
        .collect(),
        // `option httplog` behind a syslog prefix: `… haproxy[pid]: client:port [date] …
        // "request"`. Captured headers (`{…}`) sit in the free-text middle.
        Format::Haproxy => vec![notation(
            r#"{any}]: {endpoint} [{date}] {text} "{request}""#,
        )],
        Format::Elb => vec![notation(
            r#"{date} {plain} {endpoint} {endpoint} {number} {number} {number} {status} {status} {number} {number} "{request}" "{agent}"#,
        )],
        Format::Alb => vec![notation(
            r#"{plain} {date} {plain} {endpoint} {endpoint} {number} {number} {number} {status} {status} {number} {number} "{request}" "{agent}"#,
        )],
        Format::S3 => vec![notation(
            r#"{plain} {plain} [{date1}] {client} {user} {plain} {plain} {url} "{request}" {status} {plain} {number} {number} {number} {number} "{referrer}" "{agent}"#,
        )],
        Format::Auto
        | Format::Common
        | Format::Combined
        | Format::Json
        | Format::W3c
        | Format::Custom => unreachable!("{format:?} has no slot"),
    }
}

/// Compiles the `{role}` notation.
fn notation(format: &str) -> Template {
    let mut b = Template::builder();
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        b.literal(&rest.as_bytes()[..open]);
        let close = open
            + rest[open..]
                .find('}')
                .expect("built-in formats are well formed");
        b.field(match &rest[open + 1..close] {
            "client" => Spec::new(Role::Client).check(Check::Client),
            // Load balancers write `address:port`, an IPv6 address without brackets.
            "endpoint" => Spec::new(Role::Endpoint).check(Check::Client),
            "addrs" => Spec::new(Role::Addrs),
            "user" => Spec::new(Role::User),
            "request" => Spec::new(Role::Request),
            "url" => Spec::new(Role::Url),
            "referrer" => Spec::new(Role::Referrer),
            "date" => Spec::new(Role::Time).check(Check::Date),
            "date1" => Spec::new(Role::Time).spaces(1).check(Check::Date),
            "status" => Spec::new(Role::Plain).check(Check::Status),
            "number" => Spec::new(Role::Plain).check(Check::Number),
            "plain" => Spec::new(Role::Plain),
            "text" => Spec::new(Role::Text),
            "agent" => Spec::new(Role::Agent),
            "any" => Spec::new(Role::Plain).spaces(u8::MAX),
            other => unreachable!("unknown role `{other}` in a built-in format"),
        });
        rest = &rest[close + 1..];
    }
    b.literal(rest.as_bytes());
    b.build().expect("built-in formats have fields")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Field;

    /// One line per format from `../shared/corpus/formats/`, shortened; the values of the
    /// client and request fields.
    #[test]
    fn sample_lines_match() {
        let cases: &[(Format, &str, &str, &str)] = &[
            (
                Format::Haproxy,
                r#"Jul 30 09:03:52 localhost haproxy[32450]: 1.2.3.4:38862 [30/Jul/2018:09:03:52.726] incoming~ docs/docs 0/0/1/0/2 304 168 - - ---- 6/6/0/0/0 0/0 {docs.example.internal||} {|||} "GET /x.js HTTP/1.1""#,
                "1.2.3.4:38862",
                "GET /x.js HTTP/1.1",
            ),
            (
                Format::Haproxy,
                r#"May 22 02:22:22 server1 haproxy[5089]: -:22222 [22/May/2021:02:22:22.222] www-https~ myapp/node2 site.domain.com 0/0/0/18/18 200 200 - - ---- 222/222/2/0/0 0/0 "OPTIONS /api/v2/app/ HTTP/1.1""#,
                "-:22222",
                "OPTIONS /api/v2/app/ HTTP/1.1",
            ),
            (
                Format::Elb,
                r#"2015-05-13T23:39:43.945958Z my-loadbalancer 1.2.3.4:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/path/index.html HTTP/1.1" "Mozilla/5.0" DHE-RSA-AES128-SHA TLSv1.2"#,
                "1.2.3.4:2817",
                "GET https://www.example.com:443/path/index.html HTTP/1.1",
            ),
            (
                Format::Elb,
                r#"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -"#,
                "192.168.131.39:2817",
                "- - - ",
            ),
            (
                Format::Alb,
                r#"https 2020-01-01T00:55:04.127531Z app/my-alb/abcdef 1.2.3.4:2817 10.0.0.1:80 0.001 0.102 0.000 200 200 225 24950 "GET https://www.example.com:443/path/index.html HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789123:targetgroup/MyTargetGroup/abcdef12 "Root=1-58337262" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-""#,
                "1.2.3.4:2817",
                "GET https://www.example.com:443/path/index.html HTTP/1.1",
            ),
            (
                Format::S3,
                r#"b659b576cff1e15e www.example.com [10/Feb/2012:16:42:07 -0500] 1.2.3.4 arn:aws:iam::179580289999:user/phillip.boss EB3502676500C6BE WEBSITE.GET.OBJECT index "GET /index HTTP/1.1" 200 - 368 368 10 9 "-" "Mozilla/5.0 (X11)""#,
                "1.2.3.4",
                "GET /index HTTP/1.1",
            ),
            (
                Format::VhostCombined,
                r#"www.example.com:443 1.2.3.4 - - [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.0" 301 368 "-" "ua""#,
                "1.2.3.4",
                "GET / HTTP/1.0",
            ),
            (
                Format::VhostCombined,
                r#"www.example.com 1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.0" 301 368"#,
                "1.2.3.4",
                "GET / HTTP/1.0",
            ),
            (
                Format::CombinedXff,
                r#"54.36.149.41 - - [22/Jan/2019:03:56:14 +0330] "GET /a HTTP/1.1" 200 30577 "-" "ua" "-""#,
                "54.36.149.41",
                "GET /a HTTP/1.1",
            ),
        ];
        let mut fields: Vec<Field> = Vec::new();
        for (format, line, client, request) in cases {
            let matched = templates(*format)
                .iter()
                .any(|t| t.matches(line.as_bytes(), &mut fields));
            assert!(matched, "{format:?}: {line}");
            let value = |roles: &[Role]| {
                let f = fields.iter().find(|f| roles.contains(&f.role)).unwrap();
                &line[f.range.clone()]
            };
            assert_eq!(value(&[Role::Client, Role::Endpoint]), *client, "{line}");
            assert_eq!(value(&[Role::Request]), *request, "{line}");
        }
    }

    #[test]
    fn compiled_once() {
        for format in [Format::CombinedXff, Format::S3] {
            assert!(!templates(format).is_empty(), "{format:?}");
            assert!(Arc::ptr_eq(&templates(format), &templates(format)));
        }
        assert!(templates(Format::Json).is_empty());
    }

    #[test]
    fn formats_do_not_match_each_other() {
        let combined =
            r#"1.2.3.4 - - [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.0" 301 368 "-" "ua""#;
        let mut fields = Vec::new();
        for format in [
            Format::VhostCombined,
            Format::Haproxy,
            Format::Elb,
            Format::Alb,
            Format::S3,
        ] {
            for t in templates(format).iter() {
                assert!(!t.matches(combined.as_bytes(), &mut fields), "{format:?}");
            }
        }
    }
}
