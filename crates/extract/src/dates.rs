//! Calendar arithmetic for resolving relative dates (proleptic Gregorian, no time zones).

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> Ymd {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Ymd {
        y: (if m <= 2 { y + 1 } else { y }) as i32,
        m,
        d,
    }
}

impl Ymd {
    fn days(self) -> i64 {
        days_from_civil(self.y, self.m, self.d)
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        ((self.days() + 3).rem_euclid(7) + 1) as u32
    }

    pub fn add_days(self, n: i64) -> Ymd {
        civil_from_days(self.days() + n)
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }

    /// ISO week-numbering year and week.
    pub fn iso_week(self) -> (i32, u32) {
        let thursday = self.add_days(4 - self.weekday() as i64);
        let jan1 = Ymd {
            y: thursday.y,
            m: 1,
            d: 1,
        };
        (thursday.y, ((thursday.days() - jan1.days()) / 7 + 1) as u32)
    }
}

/// The most recent `wd` before `d` (on `d` itself too when `inclusive`).
pub fn weekday_before(d: Ymd, wd: u32, inclusive: bool) -> Ymd {
    let mut back = (d.weekday() as i64 - wd as i64).rem_euclid(7);
    if back == 0 && !inclusive {
        back = 7;
    }
    d.add_days(-back)
}

/// The next `wd` after `d`.
pub fn weekday_after(d: Ymd, wd: u32) -> Ymd {
    let mut fwd = (wd as i64 - d.weekday() as i64).rem_euclid(7);
    if fwd == 0 {
        fwd = 7;
    }
    d.add_days(fwd)
}

/// Month arithmetic: (year, month) plus `n` months.
pub fn add_months(y: i32, m: u32, n: i32) -> (i32, u32) {
    let idx = y * 12 + m as i32 - 1 + n;
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

/// Parses the date part of "2015-07-21 02:51:32" or RFC 3339 "2017-01-20T21:43:00+01:00".
pub fn parse_doc_date(s: &str) -> Option<Ymd> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(Ymd { y, m, d })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_and_arithmetic() {
        let d = parse_doc_date("2015-07-21 02:51:32").unwrap();
        assert_eq!(d.weekday(), 2); // a Tuesday
        assert_eq!(d.add_days(-21).iso(), "2015-06-30");
        assert_eq!(weekday_before(d, 7, false).iso(), "2015-07-19");
        assert_eq!(weekday_before(d, 2, true).iso(), "2015-07-21");
        assert_eq!(weekday_after(d, 2).iso(), "2015-07-28");
        assert_eq!(add_months(2015, 1, -1), (2014, 12));
        assert_eq!(
            Ymd {
                y: 2015,
                m: 1,
                d: 1
            }
            .iso_week(),
            (2015, 1)
        );
        assert_eq!(
            parse_doc_date("2017-01-20T21:43:00+01:00").unwrap().iso(),
            "2017-01-20"
        );
        assert!(parse_doc_date("yesterday").is_none());
    }
}
