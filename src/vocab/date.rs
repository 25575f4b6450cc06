//! Calendar dates of log lines, in UTC: what dates a line for key rotation. Parsers make
//! them from timestamps; the pseudonymizer picks a period's key by them.

/// A calendar date that dates a log line for key rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's `days_from_civil`).
    pub(crate) fn days(self) -> i64 {
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
    pub(crate) fn iso_week(self) -> (i32, u32) {
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

    pub(crate) fn is_valid(self) -> bool {
        (1..=12).contains(&self.month) && self.day >= 1 && Date::from_days(self.days()) == self
    }

    /// The UTC date of the instant written as this date, `seconds` after its midnight (a leap
    /// second's 86400 counts as the day's last second), in a zone `offset` seconds east of UTC
    /// (`+0200` is 7200, `-1200` is -43200). `None` for an invalid date, or an offset of a day
    /// or more.
    pub fn utc(self, seconds: u32, offset: i32) -> Option<Date> {
        if !self.is_valid() || offset.unsigned_abs() >= 86_400 {
            return None;
        }
        let local = i64::from(seconds.min(86_399));
        let shift = (local - i64::from(offset)).div_euclid(86_400);
        Some(Date::from_days(self.days() + shift))
    }

    /// The UTC date of the instant written as this date followed by `time`: a separator (`:`,
    /// `T` or a space), `hh:mm[:ss[.fraction]]`, and a zone (`Z`, `UTC`, `GMT`, `+hhmm`,
    /// `+hh:mm`, `+hh`, after optional spaces; none is UTC). The CLF `:13:55:36 -0700` and the
    /// ISO 8601 `T13:55:36.5+02:00` both read. A time that does not read leaves the date as
    /// written.
    pub fn utc_at(self, time: &[u8]) -> Date {
        self.read_utc(time).unwrap_or(self)
    }

    fn read_utc(self, time: &[u8]) -> Option<Date> {
        let two = |s: &[u8]| -> Option<u32> {
            match s {
                [a @ b'0'..=b'9', b @ b'0'..=b'9', ..] => {
                    Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
                }
                _ => None,
            }
        };
        let t = match time {
            [b':' | b'T' | b't' | b' ', t @ ..] => t,
            _ => return None,
        };
        let hours = two(t)?;
        let t = t.get(2..)?.strip_prefix(b":")?;
        let minutes = two(t)?;
        let mut rest = &t[2..];
        let mut seconds = 0;
        if let Some(t) = rest.strip_prefix(b":") {
            seconds = two(t)?;
            rest = &t[2..];
        }
        if let [b'.' | b',', t @ ..] = rest {
            rest = &t[t.iter().take_while(|b| b.is_ascii_digit()).count()..];
        }
        let rest = &rest[rest.iter().take_while(|&&b| b == b' ').count()..];
        let offset = match rest {
            [sign @ (b'+' | b'-'), t @ ..] => {
                let zone_hours = two(t)?;
                let t = &t[2..];
                let zone_minutes = match t {
                    [b':', t @ ..] => two(t)?,
                    [b'0'..=b'9', ..] => two(t)?,
                    _ => 0,
                };
                if zone_minutes > 59 {
                    return None;
                }
                let offset = (zone_hours * 3600 + zone_minutes * 60) as i32;
                if *sign == b'-' {
                    -offset
                } else {
                    offset
                }
            }
            // `Z`, `UTC`, `GMT`, nothing, or a zone name nobody can resolve here: as UTC.
            _ => 0,
        };
        if hours > 23 || minutes > 59 || seconds > 60 {
            return None;
        }
        self.utc(hours * 3600 + minutes * 60 + seconds, offset)
    }
}
