//! The authenticated user (`%u`, `cs-username`).

use super::{text, Ctx, Redaction};
use crate::config::UserPolicy;

/// Writes the user field under the policy. `-` and an empty value (no user) are kept as they
/// are.
pub(crate) fn redact_user(cx: &mut Ctx, user: &[u8], out: &mut Vec<u8>) {
    if user == b"-" || user.is_empty() {
        out.extend_from_slice(user);
        return;
    }
    match cx.cfg.user() {
        UserPolicy::Drop => {
            out.push(b'-');
            cx.count(Redaction::User);
        }
        UserPolicy::Keep => text::scrub_text(cx, user, text::Scan::Text, out),
        UserPolicy::Hash => {
            cx.write_user_token(user, out);
            cx.count(Redaction::User);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn table() {
        let drop = Config::default();
        let keep = Config::builder().user(UserPolicy::Keep).build().unwrap();
        let cases: &[(&Config, &str, &str)] = &[
            (&drop, "-", "-"),
            (&drop, "", ""),
            (&drop, "frank", "-"),
            (&keep, "frank", "frank"),
            (&keep, "frank@example.com", "REDACTED"),
        ];
        for &(cfg, input, want) in cases {
            let mut cx = Ctx::new(cfg);
            let mut out = Vec::new();
            redact_user(&mut cx, input.as_bytes(), &mut out);
            assert_eq!(String::from_utf8_lossy(&out), want, "{input}");
        }
    }
}
