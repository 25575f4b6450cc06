//! What parameter, key and header names say about their values: personal, secret, a
//! coordinate, a version. Names are split into words first (case, `-`, `_`, `.`, brackets,
//! camelCase), so `shipping_first_name`, `user[email]` and `newEmail` read as they mean.

/// What a parameter name says about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// Nothing: the value is judged by its look alone.
    Plain,
    /// Personal data (an e-mail address, a name, a phone number, a search term) or a secret
    /// (a token, a password, a session, a signature): the value is replaced.
    Sensitive,
    /// A geographic coordinate: its value is coarsened to two decimals (about 1 km).
    Geo,
    /// A version or object identifier (`ver`, `app_version`, `oid`): dotted quads in its value
    /// are versions, not addresses.
    Version,
}

/// Words that make a name sensitive wherever they stand in it, after the name is split into
/// words (`shipping_first_name`, `user[email]`, `newEmail`, `billing.address`).
const PERSONAL_WORDS: &[&[u8]] = &[
    b"udid",
    b"imei",
    b"imsi",
    b"idfa",
    b"gaid",
    b"adid",
    b"address",
    b"addr",
    b"adresse",
    b"anschrift",
    b"birth",
    b"person",
    b"birthdate",
    b"birthday",
    b"ccnum",
    b"city",
    b"contact",
    b"courriel",
    b"cvc",
    b"cvv",
    b"dob",
    b"email",
    b"familyname",
    b"fax",
    b"firstname",
    b"forename",
    b"fullname",
    b"geburtsdatum",
    b"geburtstag",
    b"givenname",
    b"handy",
    b"iban",
    b"ip",
    b"lastname",
    b"login",
    b"mail",
    b"mobile",
    b"mobil",
    b"msisdn",
    b"nachname",
    b"naissance",
    b"nickname",
    b"nom",
    b"phone",
    b"pin",
    b"plz",
    b"postal",
    b"postcode",
    b"prenom",
    b"recipient",
    b"ssn",
    b"strasse",
    b"street",
    b"surname",
    b"tel",
    b"telefon",
    b"telephone",
    b"telefono",
    b"uid",
    b"userid",
    b"username",
    b"vorname",
    b"zip",
    b"zipcode",
    b"sid",
    b"sig",
    b"otp",
    b"pwd",
    b"pw",
    b"pass",
    b"mfa",
    b"totp",
    b"saml",
    b"ticket",
    // National identifiers (`passport`, `nino`, the German `svnr`, `steuerid`).
    b"passport",
    b"nino",
    b"nin",
    b"svnr",
    b"steuerid",
    b"taxid",
    b"personalausweis",
];

/// Fragments that make a name sensitive wherever they occur in its letters (`access_token`,
/// `PHPSESSID`, `_wpnonce`, `X-Amz-Signature`, `oauth_verifier`).
const SECRET_PARTS: &[&[u8]] = &[
    // Identifiers of one device, which follow its owner (`DeviceId`, `advertising_id`).
    b"deviceid",
    b"advertisingid",
    b"androidid",
    b"apikey",
    b"auth",
    b"credential",
    b"csrf",
    b"email",
    b"jwt",
    b"nonce",
    b"passw",
    b"passwd",
    b"secret",
    b"session",
    b"sessid",
    b"signature",
    b"token",
    b"xsrf",
    b"verifier",
    b"telefon",
    b"geburts",
    b"vorname",
    b"nachname",
    b"strasse",
];

/// Whole names that are sensitive only on their own: search terms and generic credentials.
/// Identifiers that ad and mail platforms add to links, one per click or per recipient, and
/// link back to the person (`gclid`, `fbclid`, `mc_eid`, `_hsenc`), as written without
/// separators and in lower case.
const TRACKING_IDS: &[&[u8]] = &[
    b"gclid",
    b"dclid",
    b"gbraid",
    b"wbraid",
    b"fbclid",
    b"msclkid",
    b"yclid",
    b"twclid",
    b"ttclid",
    b"lifatid",
    b"igshid",
    b"mceid",
    b"hsenc",
    b"hsmi",
    b"mkttok",
    b"veroid",
    b"olyencid",
    b"olyanonid",
];

/// Last words of a name that hold a search's terms, whatever comes before them.
const SEARCH_LAST: &[&[u8]] = &[b"query", b"keyword", b"keywords"];

/// Last words of a name that hold a search's terms after the word `search`.
const SEARCH_TEXT_LAST: &[&[u8]] = &[
    b"term", b"terms", b"text", b"string", b"phrase", b"input", b"q", b"words",
];

const WHOLE_NAMES: &[&[u8]] = &[
    b"q",
    b"s",
    b"query",
    b"search",
    b"term",
    b"keyword",
    b"keywords",
    b"key",
    b"code",
    b"name",
];

/// Words that, before `name` or `code`, say it names a thing, not a person (`file_name`,
/// `country_code`).
const THING_WORDS: &[&[u8]] = &[
    // What infrastructure names (Kubernetes metadata in shipped logs: `pod_name`,
    // `namespace_name`, `container_name`; GCP's `logName`).
    b"pod",
    b"namespace",
    b"container",
    b"cluster",
    b"node",
    b"deployment",
    b"log",
    b"instance",
    b"volume",
    b"queue",
    b"topic",
    b"database",
    b"db",
    b"schema",
    b"zone",
    b"router",
    b"endpoint",
    b"pipeline",
    b"workflow",
    b"stage",
    b"step",
    b"env",
    b"environment",
    // Kubernetes' recommended label keys (`app.kubernetes.io/name`).
    b"io",
    b"app",
    b"attr",
    b"attribute",
    b"brand",
    b"branch",
    b"browser",
    b"bucket",
    b"category",
    b"class",
    b"column",
    b"component",
    b"country",
    b"currency",
    b"device",
    b"domain",
    b"error",
    b"event",
    b"field",
    b"file",
    b"font",
    b"function",
    b"group",
    b"host",
    b"image",
    b"index",
    b"job",
    b"lang",
    b"language",
    b"layout",
    b"list",
    b"locale",
    b"method",
    b"model",
    b"module",
    b"os",
    b"package",
    b"page",
    b"param",
    b"product",
    b"project",
    b"promo",
    b"region",
    b"repo",
    b"resource",
    b"route",
    b"server",
    b"service",
    b"site",
    b"sort",
    b"status",
    b"table",
    b"tag",
    b"task",
    b"template",
    b"theme",
    b"type",
    b"var",
    b"view",
    b"coupon",
    b"discount",
    b"voucher",
    b"http",
    b"response",
    b"color",
    b"colour",
    b"operation",
    b"action",
    b"mutation",
    b"command",
    b"feature",
    b"flag",
    b"plugin",
    b"widget",
    b"form",
    b"button",
    b"menu",
    b"section",
    b"filter",
    b"metric",
    b"channel",
    b"campaign",
];

/// Last words naming a version or an object identifier.
const VERSION_WORDS: &[&[u8]] = &[
    b"version",
    b"ver",
    b"v",
    b"build",
    b"rev",
    b"revision",
    b"release",
    b"oid",
    b"firmware",
    b"fw",
    b"sdk",
];

/// Words that are personal only as the last word of a name or before one of
/// [`PERSONAL_PARTS`] (`user`, `user_id`, `card_number`, but not `user_tier`, `card_style`).
const PERSONAL_HEADS: &[&[u8]] = &[b"user", b"card", b"customer", b"member", b"account"];

/// Words that are personal only before one of [`PERSONAL_PARTS`] (`national_id`,
/// `tax_number`, `social_security_number`; not `tax` or `tax_rate`).
const ID_HEADS: &[&[u8]] = &[b"national", b"tax", b"security", b"identity", b"insurance"];

/// What makes a [`PERSONAL_HEADS`] word personal when it follows.
const PERSONAL_PARTS: &[&[u8]] = &[
    b"id", b"name", b"email", b"mail", b"login", b"number", b"no", b"num", b"nr", b"holder",
    b"key", b"token", b"handle", b"ref", b"cvv", b"cvc", b"exp", b"expiry",
];

/// Words before a last word `key` that make it a thing's key, not a credential.
const KEY_THINGS: &[&[u8]] = &[
    b"sort",
    b"cache",
    b"group",
    b"partition",
    b"primary",
    b"foreign",
    b"map",
    b"object",
    b"translation",
    b"lookup",
    b"i18n",
    b"public",
    b"idempotency",
    b"route",
    b"dedup",
];

/// Words naming a coordinate.
const GEO_WORDS: &[&[u8]] = &[
    b"lat",
    b"lng",
    b"lon",
    b"long",
    b"coord",
    b"latitude",
    b"longitude",
    b"ll",
    b"latlng",
    b"latlon",
    b"geo",
    b"coords",
    b"coordinates",
    b"location",
    b"gps",
    b"position",
    b"geolocation",
    b"loc",
    b"center",
    b"centre",
    b"near",
    b"destination",
    b"dest",
    b"bbox",
    b"waypoint",
];

/// The longest name looked at; the rest of a longer name is ignored by the word rules (the
/// fragments are still looked for in the whole name).
const NAME_CAP: usize = 64;

/// Whether a (decoded) parameter name marks its value as personal or secret.
pub fn is_sensitive_name(name: &[u8]) -> bool {
    name_kind(name) != NameKind::Plain
}

/// Whether a name says nothing of its value however it is read: plain or a version's, and
/// none of its words one that is sensitive on its own (`s`, `q`, `key`), which a stricter
/// reader (the audit, a person) takes as the name wherever it stands (`sJ`, `s_page`).
pub fn says_nothing(name: &[u8]) -> bool {
    // Past the cap the words are not read, so nothing can be said of them.
    if name.len() > NAME_CAP || !matches!(name_kind(name), NameKind::Plain | NameKind::Version) {
        return false;
    }
    let mut words = [(0u8, 0u8); 16];
    let mut letters = [0u8; NAME_CAP];
    let (count, _) = split_words(name, &mut letters, &mut words);
    !words[..count]
        .iter()
        .any(|&(start, end)| listed(WHOLE_NAMES, &letters[usize::from(start)..usize::from(end)]))
}

/// Classifies a (decoded) parameter or key name after normalising it: ASCII case, `-`, `_`,
/// `.`, brackets and camelCase split it into words.
pub fn name_kind(name: &[u8]) -> NameKind {
    let mut words = [(0u8, 0u8); 16];
    let mut letters = [0u8; NAME_CAP];
    let (count, len) = split_words(&name[..name.len().min(NAME_CAP)], &mut letters, &mut words);
    let joined = &letters[..len];
    let words = &words[..count];
    let word = |i: usize| &joined[usize::from(words[i].0)..usize::from(words[i].1)];
    if count == 0 {
        return NameKind::Plain;
    }
    let last = word(count - 1);
    let thing = count > 1 && listed(THING_WORDS, word(count - 2));
    if (count == 1 && listed(WHOLE_NAMES, last)) || listed(TRACKING_IDS, joined) {
        return NameKind::Sensitive;
    }
    // `first_name`, `customerName`, `auth_code`, but not `file_name` or `country_code`.
    if (last == b"name" || last == b"code") && count > 1 && !thing {
        return NameKind::Sensitive;
    }
    if (0..count).any(|i| listed(PERSONAL_WORDS, word(i))) {
        return NameKind::Sensitive;
    }
    // A search's terms however the name spells them (`search_query`, `searchTerm`,
    // `search_text`, `site_keywords`), not the search's settings (`search_type`) nor a
    // term that is no search's (`payment_term`, `accept_terms`).
    let search_before = || (0..count - 1).any(|i| word(i) == b"search");
    if count > 1
        && (listed(SEARCH_LAST, last) || (listed(SEARCH_TEXT_LAST, last) && search_before()))
    {
        return NameKind::Sensitive;
    }
    let head = |i: usize| {
        let part_follows = i + 1 < count && listed(PERSONAL_PARTS, word(i + 1));
        (listed(PERSONAL_HEADS, word(i)) && (i + 1 == count || part_follows))
            || (listed(ID_HEADS, word(i)) && part_follows)
    };
    if (0..count).any(head) {
        return NameKind::Sensitive;
    }
    if last == b"key" && count > 1 && !listed(KEY_THINGS, word(count - 2)) {
        return NameKind::Sensitive;
    }
    if listed(VERSION_WORDS, last) {
        return NameKind::Version;
    }
    if (0..count).any(|i| listed(GEO_WORDS, word(i))) && count <= 3 {
        return NameKind::Geo;
    }
    // Fragments in the letters of the whole name, however long. Windows are compared only
    // where their first letter matches: comparing every window cost more than all the rest.
    let secret_part = |part: &&[u8]| {
        name.windows(part.len())
            .any(|w| w[0].eq_ignore_ascii_case(&part[0]) && w.eq_ignore_ascii_case(part))
            || joined
                .windows(part.len())
                .any(|w| w[0] == part[0] && w == *part)
    };
    if SECRET_PARTS.iter().any(secret_part) {
        return NameKind::Sensitive;
    }
    NameKind::Plain
}

/// Whether `word` is in `list`. Lengths and first letters are compared before the bytes:
/// that rules out almost every entry without a call to `memcmp`, and names are classified for
/// every query parameter.
fn listed(list: &[&[u8]], word: &[u8]) -> bool {
    list.iter()
        .any(|w| w.len() == word.len() && w.first() == word.first() && *w == word)
}

/// Splits `name` into lower-case words, written one after another into `letters`; their
/// ranges go into `words`. Returns the word count and the letters' length.
fn split_words(
    name: &[u8],
    letters: &mut [u8; NAME_CAP],
    words: &mut [(u8, u8); 16],
) -> (usize, usize) {
    let (mut count, mut len) = (0usize, 0usize);
    let mut start = 0usize;
    let mut prev = 0u8;
    for &b in name {
        let boundary = !b.is_ascii_alphanumeric()
            || (b.is_ascii_uppercase() && prev.is_ascii_lowercase())
            || (b.is_ascii_digit() != prev.is_ascii_digit() && prev.is_ascii_alphanumeric());
        if boundary && len > start {
            if count < words.len() {
                words[count] = (start as u8, len as u8);
                count += 1;
            }
            start = len;
        }
        if b.is_ascii_alphanumeric() {
            letters[len] = b.to_ascii_lowercase();
            len += 1;
        }
        prev = b;
    }
    if len > start && count < words.len() {
        words[count] = (start as u8, len as u8);
        count += 1;
    }
    (count, len)
}
