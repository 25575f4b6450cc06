//! Keyed pseudonyms: HMAC-SHA256 addresses and user tokens, and ipcrypt-pfx prefix-preserving
//! encryption, with keys rotated by the period of each line's own timestamp.
//!
//! Mapping (specified in README.md so that another implementation can reproduce it):
//!
//! - `--ip hash`: `mac = HMAC-SHA256(hmac_key, family || address)` with family `0x04` and the 4
//!   address bytes, or `0x06` and the 16 bytes. IPv4 becomes `240.0.0.0/4` with the first 28 bits
//!   of `mac` below the prefix; IPv6 becomes `fd00::/8` with the first 120 bits of `mac`. An
//!   IPv4-mapped IPv6 address is hashed as its IPv4 address and stays mapped. With
//!   `--hash-format hex` the pseudonym is the first 8 bytes of `mac` in lowercase hex.
//! - `--ip prefix`: ipcrypt-pfx (draft-denis-ipcrypt) under the period key.
//! - `--user hash`: `u` followed by the first 8 bytes of `HMAC-SHA256(hmac_key, 0x75 || user)`
//!   in hex.

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes128;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ip::{Addr, MAPPED_MASK, MAPPED_PREFIX};
use crate::config::{HashFormat, Rotation};
use crate::key::Key;

type HmacSha256 = Hmac<Sha256>;

/// A calendar date as written in a log line, in the line's own time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's `days_from_civil`).
    fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub(crate) fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// ISO 8601 week-numbering year and week.
    fn iso_week(self) -> (i32, u32) {
        let z = self.days();
        let weekday = (z + 3).rem_euclid(7) + 1; // Monday = 1; 1970-01-01 was a Thursday
        let thursday = z - (weekday - 4);
        let year = Date::from_days(thursday).year;
        let jan1 = Date {
            year,
            month: 1,
            day: 1,
        }
        .days();
        (year, ((thursday - jan1) / 7 + 1) as u32)
    }

    fn is_valid(self) -> bool {
        (1..=12).contains(&self.month) && self.day >= 1 && Date::from_days(self.days()) == self
    }
}

/// The rotation period a date falls in: its number (to notice changes cheaply) and its label.
pub fn period(rotation: Rotation, date: Date) -> (i64, String) {
    match rotation {
        Rotation::None => (0, String::new()),
        Rotation::Daily => (
            date.days(),
            format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
        ),
        Rotation::Weekly => {
            let (year, week) = date.iso_week();
            (
                i64::from(year) * 100 + i64::from(week),
                format!("{year:04}-W{week:02}"),
            )
        }
        Rotation::Monthly => (
            i64::from(date.year) * 100 + i64::from(date.month),
            format!("{:04}-{:02}", date.year, date.month),
        ),
    }
}

/// The keys of one period.
struct PeriodKeys {
    hmac: HmacSha256,
    pfx: Option<(Aes128, Aes128)>,
}

impl PeriodKeys {
    fn derive(master: &Key, rotation: Rotation, label: &str) -> PeriodKeys {
        let period_key: [u8; 32] = if rotation == Rotation::None {
            *master.bytes()
        } else {
            hkdf32(
                master.bytes(),
                format!("logscrub period v1 {label}").as_bytes(),
            )
        };
        let hmac_key = hkdf32(&period_key, b"logscrub hmac-sha256 v1");
        let (k1, k2) = period_key.split_at(16);
        // Equal halves: the master key is checked when the policy is built; a derived key
        // with equal halves has probability 2^-128, and then pfx falls back to masking.
        let pfx = (k1 != k2).then(|| {
            (
                Aes128::new_from_slice(k1).expect("16-byte half"),
                Aes128::new_from_slice(k2).expect("16-byte half"),
            )
        });
        PeriodKeys {
            hmac: <HmacSha256 as Mac>::new_from_slice(&hmac_key)
                .expect("HMAC takes any key length"),
            pfx,
        }
    }
}

fn hkdf32(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut okm)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// Entries of the per-scrubber cache of recent pseudonyms. Clients repeat (a page brings its
/// images, scripts and styles), so most lines cost a lookup instead of an HMAC or 64 AES calls.
const CACHE_SLOTS: usize = 4096;

#[derive(Clone, Copy, Default)]
struct Slot {
    used: bool,
    input: u128,
    output: u128,
}

/// Turns addresses and users into pseudonyms under the key of the current line's period.
pub(crate) struct Pseudonymizer {
    master: Key,
    rotation: Rotation,
    current: Option<i64>,
    keys: Option<PeriodKeys>,
    cache: Vec<Slot>,
}

impl Pseudonymizer {
    pub fn new(master: Key, rotation: Rotation) -> Self {
        let mut p = Pseudonymizer {
            master,
            rotation,
            current: None,
            keys: None,
            cache: vec![Slot::default(); CACHE_SLOTS],
        };
        if rotation == Rotation::None {
            p.keys = Some(PeriodKeys::derive(&p.master, rotation, ""));
            p.current = Some(0);
        }
        p
    }

    /// Selects the keys for a line dated `date`. Returns whether the line has keys: without
    /// rotation always; with rotation only if the line has a valid date.
    pub fn begin_line(&mut self, date: impl FnOnce() -> Option<Date>) -> bool {
        if self.rotation == Rotation::None {
            return true;
        }
        let Some(date) = date().filter(|d| d.is_valid()) else {
            return false;
        };
        let (id, label) = period(self.rotation, date);
        if self.current != Some(id) {
            self.keys = Some(PeriodKeys::derive(&self.master, self.rotation, &label));
            self.current = Some(id);
            self.cache.fill(Slot::default());
        }
        true
    }

    /// The HMAC pseudonym of `addr`: an address (`hex` false) or the 64-bit token (`hex` true,
    /// returned in the low bits).
    pub fn hash(&mut self, addr: Addr, format: HashFormat) -> HashOutput {
        let (family, input) = family_and_bits(addr);
        let mac = self.cached(family, input, |keys| {
            let mut mac = keys.hmac.clone();
            match family {
                4 => {
                    mac.update(&[4]);
                    mac.update(&(input as u32).to_be_bytes());
                }
                _ => {
                    mac.update(&[6]);
                    mac.update(&input.to_be_bytes());
                }
            }
            let bytes = mac.finalize().into_bytes();
            u128::from_be_bytes(bytes[..16].try_into().expect("16 of 32 bytes"))
        });
        if format == HashFormat::Hex {
            return HashOutput::Token((mac >> 64) as u64);
        }
        HashOutput::Addr(match addr {
            Addr::V4(_) => Addr::V4(0xf000_0000 | ((mac >> 100) as u32)),
            Addr::V6(v6) if v6 & MAPPED_MASK == MAPPED_PREFIX => {
                Addr::V6(MAPPED_PREFIX | u128::from(0xf000_0000 | ((mac >> 100) as u32)))
            }
            Addr::V6(_) => Addr::V6((0xfd << 120) | (mac >> 8)),
        })
    }

    /// The ipcrypt-pfx encryption of `addr`, in the same written family, or `None` where the
    /// period key cannot be used by ipcrypt-pfx.
    pub fn prefix(&mut self, addr: Addr) -> Option<Addr> {
        self.keys.as_ref()?.pfx.as_ref()?;
        let bytes16 = match addr {
            Addr::V4(v4) => MAPPED_PREFIX | u128::from(v4),
            Addr::V6(v6) => v6,
        };
        let out = self.cached(16, bytes16, |keys| {
            let (k1, k2) = keys.pfx.as_ref().expect("checked above");
            ipcrypt_pfx(k1, k2, bytes16)
        });
        Some(match addr {
            Addr::V4(_) => Addr::V4(out as u32),
            Addr::V6(_) => Addr::V6(out),
        })
    }

    /// The keyed token of a user name, in the low 64 bits.
    pub fn user_token(&mut self, user: &[u8]) -> Option<u64> {
        let keys = self.keys.as_ref()?;
        let mut mac = keys.hmac.clone();
        mac.update(b"u");
        mac.update(user);
        let bytes = mac.finalize().into_bytes();
        Some(u64::from_be_bytes(
            bytes[..8].try_into().expect("8 of 32 bytes"),
        ))
    }

    /// Looks `input` up in the cache (tagged by `family`), computing and storing it on a miss.
    fn cached(
        &mut self,
        family: u8,
        input: u128,
        compute: impl FnOnce(&PeriodKeys) -> u128,
    ) -> u128 {
        let tagged = input ^ (u128::from(family) << 120).rotate_left(7);
        let hash = (tagged as u64 ^ (tagged >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.cache[(hash >> 52) as usize % CACHE_SLOTS];
        if slot.used && slot.input == tagged {
            return slot.output;
        }
        let keys = self.keys.as_ref().expect("keys are derived before use");
        let output = compute(keys);
        *slot = Slot {
            used: true,
            input: tagged,
            output,
        };
        output
    }
}

/// What `--ip hash` writes.
pub(crate) enum HashOutput {
    Addr(Addr),
    Token(u64),
}

/// The HMAC input family (4 or 6) and the address bits hashed; a mapped address is its IPv4.
fn family_and_bits(addr: Addr) -> (u8, u128) {
    match addr {
        Addr::V4(v4) => (4, u128::from(v4)),
        Addr::V6(v6) if v6 & MAPPED_MASK == MAPPED_PREFIX => (4, v6 & 0xffff_ffff),
        Addr::V6(v6) => (6, v6),
    }
}

/// ipcrypt-pfx encryption of a 16-byte address (IPv4 as `::ffff:a.b.c.d`), bit by bit from the
/// most significant: each output bit is the input bit XOR the low bit of
/// `AES(K1, p) XOR AES(K2, p)`, where `p` is the input prefix so far padded with a 1 separator
/// bit. IPv4-mapped inputs start at bit 96 and keep their mapped prefix.
pub fn ipcrypt_pfx(k1: &Aes128, k2: &Aes128, input: u128) -> u128 {
    let ipv4 = input & MAPPED_MASK == MAPPED_PREFIX;
    let (start, mut padded, mut out) = if ipv4 {
        (96, (1u128 << 96) | 0xffff, input & MAPPED_MASK)
    } else {
        (0, 1u128, 0)
    };
    for prefix_len in start..128 {
        let mut b1 = padded.to_be_bytes().into();
        let mut b2 = b1;
        k1.encrypt_block(&mut b1);
        k2.encrypt_block(&mut b2);
        let cipher_bit = u128::from((b1[15] ^ b2[15]) & 1);
        let position = 127 - prefix_len;
        let bit = (input >> position) & 1;
        out |= (cipher_bit ^ bit) << position;
        padded = (padded << 1) | bit;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn key(hex: &str) -> Key {
        Key::decode(hex.as_bytes(), "test").unwrap()
    }

    fn pfx(key_hex: &str, ip: &str) -> String {
        let key = key(key_hex);
        let (k1, k2) = key.bytes().split_at(16);
        let (k1, k2) = (
            Aes128::new_from_slice(k1).unwrap(),
            Aes128::new_from_slice(k2).unwrap(),
        );
        match ip.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => {
                let out = ipcrypt_pfx(&k1, &k2, MAPPED_PREFIX | u128::from(u32::from(v4)));
                std::net::Ipv4Addr::from(out as u32).to_string()
            }
            IpAddr::V6(v6) => {
                std::net::Ipv6Addr::from(ipcrypt_pfx(&k1, &k2, u128::from(v6))).to_string()
            }
        }
    }

    /// The ipcrypt-pfx test vectors of draft-denis-ipcrypt.
    #[test]
    fn ipcrypt_pfx_draft_vectors() {
        let k1 = "0123456789abcdeffedcba98765432101032547698badcfeefcdab8967452301";
        let k2 = "2b7e151628aed2a6abf7158809cf4f3ca9f5ba40db214c3798f2e1c23456789a";
        let vectors = [
            (k1, "0.0.0.0", "151.82.155.134"),
            (k1, "255.255.255.255", "94.185.169.89"),
            (k1, "192.0.2.1", "100.115.72.131"),
            (k1, "2001:db8::1", "c180:5dd4:2587:3524:30ab:fa65:6ab6:f88"),
            (k2, "10.0.0.47", "19.214.210.244"),
            (k2, "10.0.0.129", "19.214.210.80"),
            (k2, "10.0.0.234", "19.214.210.30"),
            (k2, "172.16.5.193", "210.78.229.136"),
            (k2, "172.16.97.42", "210.78.179.241"),
            (k2, "172.16.248.177", "210.78.121.215"),
            (
                k2,
                "2001:db8::a5c9:4e2f:bb91:5a7d",
                "7cec:702c:1243:f70:1956:125:b9bd:1aba",
            ),
            (
                k2,
                "2001:db8::7234:d8f1:3c6e:9a52",
                "7cec:702c:1243:f70:a3ef:c8e:95c1:cd0d",
            ),
            (
                k2,
                "2001:db8::f1e0:937b:26d4:8c1a",
                "7cec:702c:1243:f70:443c:c8e:6a62:b64d",
            ),
            (
                k2,
                "2001:db8:3a5c:0:e7d1:4b9f:2c8a:f673",
                "7cec:702c:3503:bef:e616:96bd:be33:a9b9",
            ),
            (
                k2,
                "2001:db8:9f27:0:b4e2:7a3d:5f91:c8e6",
                "7cec:702c:a504:b74e:194a:3d90:b047:2d1a",
            ),
            (
                k2,
                "2001:db8:d8b4:0:193c:a5e7:8b2f:46d1",
                "7cec:702c:f840:aa67:1b8:e84f:ac9d:77fb",
            ),
        ];
        for (k, ip, want) in vectors {
            assert_eq!(pfx(k, ip), want, "{ip}");
        }
    }

    #[test]
    fn dates_and_periods() {
        let d = |year, month, day| Date { year, month, day };
        let cases = [
            (d(2023, 10, 10), Rotation::Daily, "2023-10-10"),
            (d(2023, 10, 10), Rotation::Weekly, "2023-W41"),
            (d(2023, 10, 10), Rotation::Monthly, "2023-10"),
            (d(2021, 1, 3), Rotation::Weekly, "2020-W53"),
            (d(2024, 12, 30), Rotation::Weekly, "2025-W01"),
            (d(2026, 11, 23), Rotation::Weekly, "2026-W48"),
            (d(2000, 2, 29), Rotation::Daily, "2000-02-29"),
        ];
        for (date, rotation, want) in cases {
            assert_eq!(period(rotation, date).1, want, "{date:?} {rotation:?}");
        }
        assert!(!d(2023, 2, 29).is_valid());
        assert!(!d(2023, 13, 1).is_valid());
        assert!(d(1969, 12, 31).is_valid());
        assert_eq!(d(1970, 1, 1).days(), 0);
    }

    #[test]
    fn rotation_changes_pseudonyms_at_the_period_boundary() {
        let master = key("0123456789abcdeffedcba98765432101032547698badcfeefcdab8967452301");
        let mut p = Pseudonymizer::new(master, Rotation::Daily);
        let addr = Addr::V4(0xc000_0201);
        let day = |n| {
            Some(Date {
                year: 2023,
                month: 10,
                day: n,
            })
        };
        assert!(p.begin_line(|| day(10)));
        let before = p.prefix(addr);
        assert!(p.begin_line(|| day(10)));
        assert_eq!(p.prefix(addr), before);
        assert!(p.begin_line(|| day(11)));
        assert_ne!(p.prefix(addr), before);
        assert!(!p.begin_line(|| None));
    }
}
