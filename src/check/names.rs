//! Parameter names, split into words and judged by the lists of `docs/detection.md`: personal
//! (e-mail, phone, name, address, birth, search terms…), secret (token, session, password…) or
//! coordinates (`lat`, `lng`, `ll`…).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a parameter's value is, judged by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// Names a person or what they searched for.
    Personal,
    /// A credential, session or signature.
    Secret,
    /// A geographic coordinate.
    Coordinate,
    /// A version or object identifier (`ver`, `app_version`, `oid`): dotted quads are versions.
    Version,
    /// Anything else.
    Other,
}

/// Splits a parameter name into lower-case words: at `-`, `_`, `.`, brackets, spaces and other
/// punctuation, at a lower-to-upper change (`firstName`), and before the last capital of a run
/// of capitals followed by lower case (`HTTPSessionId` → `http`, `session`, `id`).
pub fn words(name: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = String::from_utf8_lossy(name).chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let split = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next_lower);
            if split && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Stems that make a name secret wherever they stand in it (`oauth_token`, `JSESSIONID`,
/// `X-Amz-Signature`, `author` too: the documented rule is "names with").
const SECRET_STEMS: &[&str] = &[
    "token",
    "secret",
    "passw",
    "session",
    "sessid",
    "nonce",
    "signature",
    "auth",
    "csrf",
    "xsrf",
    "credential",
    "verifier",
];

fn secret_stems() -> &'static AhoCorasick {
    static STEMS: OnceLock<AhoCorasick> = OnceLock::new();
    STEMS.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(SECRET_STEMS)
            .expect("the stems compile")
    })
}

/// Whole words that make a name secret.
const SECRET_WORDS: &[&str] = &["sid", "sig", "otp", "pin", "pwd", "pass", "apikey"];

/// Words before `key` or `code` that make them a thing's, not a secret.
const THING_KEYS: &[&str] = &[
    "sort",
    "country",
    "currency",
    "language",
    "lang",
    "zip",
    "postal",
    "post",
    "area",
    "status",
    "error",
    "response",
    "promo",
    "product",
    "color",
    "colour",
    "region",
    "state",
    "iso",
    "locale",
    "class",
    "type",
    "event",
    "exit",
    "return",
    "group",
    "partition",
    "primary",
    "foreign",
    "cache",
    "hot",
    "short",
    "source",
    "zone",
    "discount",
    "coupon",
    "voucher",
    "qr",
    "bar",
];

/// Words that name a person's data by themselves.
const PERSONAL_WORDS: &[&str] = &[
    // A device's own identifiers follow its owner.
    "deviceid",
    "udid",
    "imei",
    "imsi",
    "idfa",
    "gaid",
    "adid",
    "email",
    "mail",
    "phone",
    "tel",
    "telephone",
    "mobile",
    // Not `cell`: A/B tests assign cells (`cell=control`), and a cell phone's number is found
    // by its shape.
    "fax",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "username",
    "nickname",
    "forename",
    "givenname",
    "familyname",
    "address",
    "addr",
    "street",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "birth",
    "birthday",
    "birthdate",
    "dob",
    "person",
    "login",
    "ssn",
    "q",
    "s",
    "query",
    "search",
    "vorname",
    "nachname",
    "geburtsdatum",
    "telefonnummer",
    "telefon",
    "strasse",
    "straße",
    "nom",
    "prenom",
    "prénom",
    "adresse",
    "passport",
    "nino",
    "nin",
    "svnr",
    "steuerid",
    "taxid",
    "personalausweis",
    "contact",
    "recipient",
];

/// Words that make `name` personal (`first_name`, `name`), unless a thing's name comes first.
const NAME_WORDS: &[&str] = &[
    "first",
    "last",
    "full",
    "sur",
    "given",
    "family",
    "nick",
    "display",
    "real",
    "middle",
    "maiden",
    "your",
    "my",
    "contact",
    "customer",
    "user",
    "person",
    "account",
    "member",
    "client",
    "owner",
    "holder",
    "card",
    "billing",
    "shipping",
    "guest",
    "patient",
    "employee",
    "applicant",
];

/// Words that alone, or before `id`, `name`, `number`…, name a person.
const ACCOUNT_WORDS: &[&str] = &["user", "card", "customer", "account"];

/// Words after an account word that keep it personal.
const ACCOUNT_TAILS: &[&str] = &[
    "id", "name", "number", "no", "nr", "num", "mail", "email", "login", "handle", "ref",
];

/// Judges a parameter name (already percent-decoded).
pub fn kind(name: &[u8]) -> NameKind {
    let words = words(name);
    if words.is_empty() {
        return NameKind::Other;
    }
    let is = |w: &str, list: &[&str]| list.contains(&w);
    // Coordinates first: `lat` holds numbers that are to be coarsened, not removed.
    const COORDINATES: &[&str] = &[
        "lat",
        "lng",
        "lon",
        "long",
        "latitude",
        "longitude",
        "ll",
        "location",
        "geo",
        "coords",
        "coord",
        "coordinates",
        "gps",
        "position",
        "center",
        "centre",
        "near",
        "destination",
        "latlng",
        "latlon",
    ];
    let secret = secret_stems().is_match(name) || words.iter().any(|w| is(w, SECRET_WORDS)) || {
        let last = words.last().map(String::as_str).unwrap_or("");
        (last == "key" || last == "code")
            && (words.len() == 1 || !is(&words[words.len() - 2], THING_KEYS))
    };
    if secret {
        return NameKind::Secret;
    }
    // Click and recipient identifiers of ad and mail platforms, however separated
    // (`gclid`, `mc_eid`, `_hsenc`, `li_fat_id`): each leads back to one person.
    const TRACKING: &[&str] = &[
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "lifatid",
        "igshid",
        "mceid",
        "hsenc",
        "hsmi",
        "mkttok",
        "veroid",
        "olyencid",
        "olyanonid",
    ];
    if is(&words.concat(), TRACKING) {
        return NameKind::Personal;
    }
    if words.iter().any(|w| is(w, COORDINATES)) {
        return NameKind::Coordinate;
    }
    // Builds, revisions, releases and firmware are numbered like versions (`fw=5.4.0.12`,
    // `build=10.0.19041.1`), and `v=` is how assets say theirs (`app.js?v=1.2.3.4`).
    const VERSION_LAST: &[&str] = &[
        "v", "build", "rev", "revision", "release", "firmware", "fw", "sdk",
    ];
    if words
        .iter()
        .any(|w| w == "ver" || w == "version" || w == "oid" || w.ends_with("version"))
        || is(&words[words.len() - 1], VERSION_LAST)
    {
        return NameKind::Version;
    }
    let personal = words.iter().enumerate().any(|(i, w)| {
        if is(w, PERSONAL_WORDS) {
            return true;
        }
        let next = words.get(i + 1).map(String::as_str);
        // `DeviceId`, `device_id`, `advertising_id`, `android_id`.
        if matches!(w.as_str(), "device" | "advertising" | "android") && next == Some("id") {
            return true;
        }
        if w == "name" {
            // `name` alone, or after a person's word; not a thing's (`file_name`).
            return i == 0 && next.is_none() || i > 0 && is(&words[i - 1], NAME_WORDS);
        }
        // `national_id`, `tax_number`, `social_security_number`; not `tax_rate`.
        if matches!(
            w.as_str(),
            "national" | "tax" | "security" | "identity" | "insurance"
        ) && next.is_some_and(|n| matches!(n, "id" | "number" | "no" | "nr" | "num"))
        {
            return true;
        }
        if is(w, ACCOUNT_WORDS) {
            return next.is_none() && i == 0 || next.is_some_and(|n| is(n, ACCOUNT_TAILS));
        }
        false
    });
    if personal {
        NameKind::Personal
    } else {
        NameKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words(b"firstName"), ["first", "name"]);
        assert_eq!(words(b"HTTPSessionId"), ["http", "session", "id"]);
        assert_eq!(words(b"user[email]"), ["user", "email"]);
        assert_eq!(words(b"X-Amz-Signature"), ["x", "amz", "signature"]);
    }

    #[test]
    fn names_are_judged_by_their_words() {
        for name in [
            "email",
            "first_name",
            "lastName",
            "q",
            "userId",
            "user",
            "vorname",
            "nom",
            "DeviceId",
            "http_x_client_device_id",
            "advertising_id",
            "imei",
            "national_id",
            "tax_number",
            "passport_number",
            "nino",
            "nickname",
            "recipient",
            "customer_ref",
            "gclid",
            "mc_eid",
            "_hsenc",
        ] {
            assert_eq!(kind(name.as_bytes()), NameKind::Personal, "{name}");
        }
        for name in [
            "sid",
            "password",
            "oauth_token",
            "JSESSIONID",
            "activation_key",
            "auth_code",
            "code",
            "X-Amz-Signature",
            "pin",
        ] {
            assert_eq!(kind(name.as_bytes()), NameKind::Secret, "{name}");
        }
        for name in [
            "page",
            "sort",
            "lang",
            "utm_source",
            "user_agent",
            "user_tier",
            "tax",
            "tax_rate",
            "pod_name",
            "card_style",
            "bic",
            "file_name",
            "country_code",
            "sort_key",
            "operationName",
            "nameserver",
            "namespace",
            "fields",
            "tab",
            "spin",
            "signal",
            "device",
            "DeviceType",
            "device_name",
            "cell",
        ] {
            assert_eq!(kind(name.as_bytes()), NameKind::Other, "{name}");
        }
        assert_eq!(kind(b"lat"), NameKind::Coordinate);
        assert_eq!(kind(b"ll"), NameKind::Coordinate);
        assert_eq!(kind(b"ver"), NameKind::Version);
        assert_eq!(kind(b"app_version"), NameKind::Version);
        assert_eq!(kind(b"v"), NameKind::Version);
        assert_eq!(kind(b"app_build"), NameKind::Version);
        assert_eq!(kind(b"build_id"), NameKind::Other);
    }
}
