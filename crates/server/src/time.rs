//! Dates as Rocket.Chat shows them: ISO-8601 with milliseconds and `Z` over REST, EJSON
//! `{"$date": ms}` over DDP; and the injectable clock that every timestamp comes from.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A point in time with millisecond precision (Mongo's `Date`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(i64);

impl Ts {
    pub fn from_millis(ms: i64) -> Self {
        Ts(ms)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or_default()
    }
    pub fn iso(self) -> String {
        use chrono::{Datelike, Timelike};
        let d = self.datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            d.timestamp_subsec_millis()
        )
    }
    pub fn parse_iso(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| Ts(d.with_timezone(&Utc).timestamp_millis()))
    }
    /// JavaScript's `Date.parse` for the forms clients send: ISO 8601 (a date alone, or a
    /// time without a zone, read as UTC — the server's zone upstream runs in), with `T` or a
    /// space, and RFC 2822. `None` where `Date.parse` answers `NaN`.
    pub fn parse_js(s: &str) -> Option<Self> {
        use chrono::NaiveDate;
        let s = s.trim();
        if let Some(t) = Ts::parse_iso(s) {
            return Some(t);
        }
        if let Ok(d) = DateTime::parse_from_rfc2822(s) {
            return Some(Ts(d.with_timezone(&Utc).timestamp_millis()));
        }
        let spaced = s.replacen(' ', "T", 1);
        if let Some(t) = Ts::parse_iso(&spaced) {
            return Some(t);
        }
        for f in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(d) = chrono::NaiveDateTime::parse_from_str(&spaced, f) {
                return Some(Ts(d.and_utc().timestamp_millis()));
            }
        }
        let date = match s.len() {
            4 => NaiveDate::parse_from_str(&format!("{s}-01-01"), "%Y-%m-%d"),
            7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d"),
            _ => NaiveDate::parse_from_str(s, "%Y-%m-%d"),
        };
        date.ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Ts(d.and_utc().timestamp_millis()))
    }
    /// Seconds from `earlier` to `self`, as upstream's `(a - b) / 1000`.
    pub fn secs_since(self, earlier: Ts) -> f64 {
        (self.0 - earlier.0) as f64 / 1000.0
    }
    pub fn plus_millis(self, ms: i64) -> Ts {
        Ts(self.0 + ms)
    }
    /// `YYYY-MM`, the month tag upstream stores in `activity`.
    pub fn month_tag(self) -> String {
        self.datetime().format("%Y-%m").to_string()
    }
}

thread_local! {
    static EJSON: Cell<bool> = const { Cell::new(false) };
}

/// Serialise with dates as EJSON (`{"$date": ms}`) for the duration of `f`, as DDP needs.
pub fn with_ejson<R>(f: impl FnOnce() -> R) -> R {
    let prev = EJSON.with(|c| c.replace(true));
    let r = f();
    EJSON.with(|c| c.set(prev));
    r
}

/// In the API document: the REST spelling (ISO 8601 in UTC with milliseconds and `Z`).
impl utoipa::PartialSchema for Ts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"))
            .description(Some("A date: ISO 8601, UTC, with milliseconds and `Z`"))
            .into()
    }
}

impl utoipa::ToSchema for Ts {
    fn name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if EJSON.with(|c| c.get()) {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry("$date", &self.0)?;
            m.end()
        } else {
            s.serialize_str(&self.iso())
        }
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Iso(String),
            Ejson {
                #[serde(rename = "$date")]
                date: i64,
            },
            Millis(i64),
        }
        match Repr::deserialize(d)? {
            Repr::Iso(s) => Ts::parse_iso(&s)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid date {s:?}"))),
            Repr::Ejson { date } | Repr::Millis(date) => Ok(Ts(date)),
        }
    }
}

/// Where "now" comes from. Production uses the system clock; tests replay timelines.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Ts;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Ts {
        Ts(Utc::now().timestamp_millis())
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Ts) -> Self {
        ManualClock(AtomicI64::new(start.0))
    }
    pub fn set(&self, t: Ts) {
        self.0.store(t.0, Ordering::SeqCst)
    }
    pub fn advance_millis(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Ts {
        Ts(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_ejson() {
        let t = Ts::parse_iso("2021-07-09T20:12:19.795Z").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2021-07-09T20:12:19.795Z\""
        );
        let e = with_ejson(|| serde_json::to_string(&t).unwrap());
        assert_eq!(e, format!("{{\"$date\":{}}}", t.millis()));
        let back: Ts = serde_json::from_str(&e).unwrap();
        assert_eq!(back, t);
        assert_eq!(t.month_tag(), "2021-07");
        let later = Ts::parse_iso("2021-07-09T20:19:53.243Z").unwrap();
        assert_eq!(
            later.secs_since(Ts::parse_iso("2021-07-09T20:19:29.422Z").unwrap()),
            23.821
        );
    }

    #[test]
    fn javascript_date_parse() {
        let ms = |s: &str| Ts::parse_js(s).map(Ts::millis);
        assert_eq!(ms("2019-10-25T15:08:17.248Z"), Some(1572016097248));
        assert_eq!(ms("2019-10-25"), Some(1571961600000));
        assert_eq!(ms("2019-10-25 15:08:17"), Some(1572016097000));
        assert_eq!(ms("2019-10-25T15:08"), Some(1572016080000));
        assert_eq!(ms("Fri, 25 Oct 2019 15:08:17 GMT"), Some(1572016097000));
        assert_eq!(ms("2019"), Some(1546300800000));
        assert_eq!(ms("invalid-date"), None);
        assert_eq!(ms(""), None);
    }
}
