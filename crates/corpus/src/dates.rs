//! Publication dates in the many shapes the inputs write them, normalized to a sortable form.
//!
//! `2015-07-21 02:51:32`, `2017-01-20T21:43:00+01:00`, `20/01/2017` (day first, as Arabic
//! outlets write it), `Tue, 21 Jul 2015 02:51:32 GMT`, `21 يوليو 2015`, `٢١ تموز ٢٠١٥` all
//! become `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (local time as written: the day an article
//! appeared is the day its outlet printed).
//!
//! ```
//! use khabar_corpus::dates::normalize_date;
//! let d = normalize_date("20/01/2017").unwrap();
//! assert_eq!(d.iso, "2017-01-20");
//! assert_eq!(d.day, 20170120);
//! assert_eq!(normalize_date("Tue, 21 Jul 2015 02:51:32 GMT").unwrap().iso, "2015-07-21T02:51:32");
//! ```

/// A normalized date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormDate {
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    pub iso: String,
    /// The day as a sortable integer, `YYYYMMDD`.
    pub day: i64,
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("أبريل", 4),
    ("ابريل", 4),
    ("إبريل", 4),
    ("مايو", 5),
    ("ماي", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("جوان", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("جويلية", 7),
    ("أغسطس", 8),
    ("اغسطس", 8),
    ("أوت", 8),
    ("سبتمبر", 9),
    ("أكتوبر", 10),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("جانفي", 1),
    ("فيفري", 2),
    ("أفريل", 4),
    ("افريل", 4),
    ("تموز", 7),
    ("آب", 8),
    ("اب", 8),
    ("أيلول", 9),
    ("ايلول", 9),
    ("تشرين الأول", 10),
    ("تشرين الاول", 10),
    ("تشرين الثاني", 11),
    ("كانون الأول", 12),
    ("كانون الاول", 12),
    ("كانون الثاني", 1),
    ("شباط", 2),
    ("آذار", 3),
    ("اذار", 3),
    ("نيسان", 4),
    ("أيار", 5),
    ("ايار", 5),
    ("حزيران", 6),
];

/// A `--from` / `--to` style argument: `None` when absent, an error naming the option when
/// it is not a date.
pub(crate) fn date_argument(v: &Option<String>, what: &str) -> crate::Result<Option<NormDate>> {
    v.as_deref()
        .map(|s| {
            normalize_date(s)
                .ok_or_else(|| crate::Error::Query(format!("--{what}: not a date: {s:?}")))
        })
        .transpose()
}

/// Parses a date written in any of the supported shapes; `None` when no valid date is found.
pub fn normalize_date(raw: &str) -> Option<NormDate> {
    // ASCII digits, and words separated from numbers.
    let mut s = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '٠'..='٩' => s.push(char::from(b'0' + (c as u32 - '٠' as u32) as u8)),
            '۰'..='۹' => s.push(char::from(b'0' + (c as u32 - '۰' as u32) as u8)),
            _ => s.push(c),
        }
    }
    let lower = s.to_lowercase();
    // Month names: the longest match wins (تشرين الثاني before تشرين).
    let mut month_name = None;
    let mut best_len = 0;
    for &(name, m) in MONTHS {
        if name.len() > best_len && contains_word(&lower, name) {
            month_name = Some(m);
            best_len = name.len();
        }
    }
    let nums = numbers(&lower);
    let (y, m, d, rest): (u32, u32, u32, &[(u32, usize)]) = if let Some(m) = month_name {
        let yi = nums.iter().position(|&(_, len)| len == 4)?;
        let di = nums
            .iter()
            .position(|&(v, len)| len <= 2 && (1..=31).contains(&v))?;
        if di > yi {
            // "July 2015 21"? Only "2015 July 21" style: day after year, time after day.
            (nums[yi].0, m, nums[di].0, &nums[di + 1..])
        } else {
            (nums[yi].0, m, nums[di].0, &nums[yi + 1..])
        }
    } else {
        if nums.len() < 3 {
            // Compact forms: 20150721 or 20150721T025132.
            let (v, len) = *nums.first()?;
            if len == 8 {
                let date = date_parts(v / 10000, v / 100 % 100, v % 100)?;
                let time = nums
                    .get(1)
                    .filter(|n| n.1 == 6)
                    .map(|&(t, _)| (t / 10000, t / 100 % 100, t % 100));
                return Some(finish(date, time));
            }
            return None;
        }
        let (a, b, c) = (nums[0], nums[1], nums[2]);
        if a.1 == 4 {
            (a.0, b.0, c.0, &nums[3..])
        } else if c.1 == 4 {
            if b.0 > 12 && a.0 <= 12 {
                (c.0, a.0, b.0, &nums[3..])
            } else {
                (c.0, b.0, a.0, &nums[3..])
            }
        } else {
            return None;
        }
    };
    let date = date_parts(y, m, d)?;
    let time = match rest {
        [(h, _), (mi, _), (sec, _), ..] => Some((*h, *mi, *sec)),
        [(h, _), (mi, _)] => Some((*h, *mi, 0)),
        // 2017-01-20T214300: compact time.
        [(t, 6), ..] => Some((t / 10000, t / 100 % 100, t % 100)),
        _ => None,
    };
    Some(finish(date, time))
}

fn finish((y, m, d): (u32, u32, u32), time: Option<(u32, u32, u32)>) -> NormDate {
    let day = i64::from(y) * 10000 + i64::from(m) * 100 + i64::from(d);
    let iso = match time.filter(|&(h, mi, s)| h < 24 && mi < 60 && s < 61) {
        Some((h, mi, s)) => format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
        None => format!("{y:04}-{m:02}-{d:02}"),
    };
    NormDate { iso, day }
}

fn date_parts(y: u32, m: u32, d: u32) -> Option<(u32, u32, u32)> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1000..=9999).contains(&y) && (1..=days).contains(&d)).then_some((y, m, d))
}

/// Runs of ASCII digits: (value, digit count); absurdly long runs are skipped.
fn numbers(s: &str) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut cur: u64 = 0;
    let mut len = 0;
    for c in s.chars().chain(std::iter::once(' ')) {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            cur = cur.saturating_mul(10).saturating_add(u64::from(d));
            len += 1;
        } else if len > 0 {
            if len <= 8 {
                out.push((cur as u32, len));
            }
            cur = 0;
            len = 0;
        }
    }
    out
}

fn contains_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        normalize_date(s).map(|d| d.iso)
    }

    #[test]
    fn formats() {
        assert_eq!(iso("2015-07-21 02:51:32").unwrap(), "2015-07-21T02:51:32");
        assert_eq!(
            iso("2017-01-20T21:43:00+01:00").unwrap(),
            "2017-01-20T21:43:00"
        );
        assert_eq!(iso("2017-01-20T214300").unwrap(), "2017-01-20T21:43:00");
        assert_eq!(iso("09/02/2017").unwrap(), "2017-02-09");
        assert_eq!(iso("12/31/2017").unwrap(), "2017-12-31");
        assert_eq!(iso("2015/7/3").unwrap(), "2015-07-03");
        assert_eq!(
            iso("Tue, 21 Jul 2015 02:51:32 GMT").unwrap(),
            "2015-07-21T02:51:32"
        );
        assert_eq!(iso("21 يوليو 2015").unwrap(), "2015-07-21");
        assert_eq!(iso("٢١ تموز ٢٠١٥").unwrap(), "2015-07-21");
        assert_eq!(iso("الثلاثاء 3 تشرين الثاني 2015").unwrap(), "2015-11-03");
        assert_eq!(iso("20150721").unwrap(), "2015-07-21");
    }

    #[test]
    fn garbage_is_none() {
        for s in ["", "yesterday", "31/02/2015", "2015", "99/99/9999", "مايو"] {
            assert_eq!(iso(s), None, "{s}");
        }
    }
}
