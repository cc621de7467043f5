//! JavaScript `Date` parsing for the timestamp forms the grammar accepts, with the
//! `getTime() / 1000 | 0` int32 conversion upstream applies.

use std::time::{SystemTime, UNIX_EPOCH};

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Howard Hinnant's algorithm; m in 1..=12, d may overflow the month (JS normalises)
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Milliseconds since the epoch for `YYYY-MM-DDTHH:MM:SS.mmm[±HH:MM]` as V8 parses it
/// (no offset = local time, taken as UTC), or `None` for an invalid date.
#[allow(clippy::too_many_arguments)]
fn parse_iso(
    year: &str,
    month: &str,
    day: &str,
    h: &str,
    mi: &str,
    s: &str,
    ms: &str,
    tz: Option<&str>,
) -> Option<f64> {
    let (y, mo, d, h, mi, s, ms) = (
        num(year)?,
        num(month)?,
        num(day)?,
        num(h)?,
        num(mi)?,
        num(s)?,
        num(ms)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 24 || mi > 59 || s > 59 {
        return None;
    }
    if h == 24 && (mi != 0 || s != 0 || ms != 0) {
        return None;
    }
    let mut offset_min = 0i64;
    if let Some(tz) = tz {
        let sign = if tz.starts_with('-') { -1 } else { 1 };
        let (th, tm) = tz[1..].split_once(':')?;
        let (th, tm) = (num(th)?, num(tm)?);
        if th > 23 || tm > 59 {
            return None;
        }
        offset_min = sign * (th * 60 + tm);
    }
    let days = days_from_civil(y, mo, d);
    let ms_total = ((days * 24 + h) * 60 + mi - offset_min) * 60_000 + s * 1000 + ms;
    let v = ms_total as f64;
    if v.abs() > 8.64e15 {
        return None;
    }
    Some(v)
}

/// ECMAScript ToInt32 of `ms / 1000`, as a decimal string.
fn to_int32_seconds(ms: Option<f64>) -> String {
    let Some(ms) = ms else {
        return "0".to_string();
    };
    let x = (ms / 1000.0).trunc();
    let m = x.rem_euclid(4294967296.0);
    let v = if m >= 2147483648.0 {
        m - 4294967296.0
    } else {
        m
    };
    (v as i64).to_string()
}

/// `timestampFromIsoTime`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn from_iso(
    year: &str,
    month: &str,
    day: &str,
    h: &str,
    mi: &str,
    s: &str,
    ms: Option<&str>,
    tz: Option<&str>,
) -> String {
    let ms = ms.unwrap_or("000");
    to_int32_seconds(parse_iso(year, month, day, h, mi, s, ms, tz))
}

/// `timestampFromHours`: today's (UTC) date with the given time. Without an offset the
/// upstream code appends the string "null", which makes the date invalid ("0").
pub(crate) fn from_hours(h: &str, mi: &str, s: Option<&str>, tz: Option<&str>) -> String {
    let Some(tz) = tz else {
        return "0".to_string();
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(now_ms.div_euclid(86_400_000));
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        return "0".to_string();
    };
    let month = format!("{m:02}");
    let day = format!("{d:02}");
    to_int32_seconds(parse_iso(
        &year,
        &month,
        &day,
        h,
        mi,
        s.unwrap_or("00"),
        "000",
        Some(tz),
    ))
}
