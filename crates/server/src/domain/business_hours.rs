//! Business hours (upstream's single, default business hour of the Community Edition).
//!
//! Upstream stores per weekday an opening and a closing time in the business hour's
//! timezone and runs cron jobs at those instants; agents carry the ids of the business hours
//! open for them (`openBusinessHours`) and may not make themselves available outside them.
//! Here whether a business hour is open is a pure function of the clock
//! ([`is_open`]), evaluated in its timezone at every tick, so daylight-saving changes need no
//! separate verifier. Closing makes available agents unavailable and marks them
//! (`livechatStatusSystemModified`); opening brings back exactly those agents (upstream
//! makes every agent available).

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{BusinessHour, BusinessHourTimezone, DayTime, User, WorkHour, WorkTime};
use crate::time::Ts;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

pub const DEFAULT: &str = "default";
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const SETTING: &str = "Livechat_enable_business_hours";

fn day_index(day: &str) -> Option<i64> {
    DAYS.iter().position(|d| *d == day).map(|i| i as i64)
}

fn utc(now: Ts) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now.millis()).unwrap_or_default()
}

/// `HH:mm` → minutes since midnight.
fn minutes(hm: &str) -> Option<u32> {
    let t = NaiveTime::parse_from_str(hm, "%H:%M").ok()?;
    Some(t.hour() * 60 + t.minute())
}

/// The server's timezone (upstream's `moment.tz.guess()`): `TZ` when it names a zone, else UTC.
pub fn server_timezone() -> String {
    std::env::var("TZ")
        .ok()
        .filter(|z| z.parse::<Tz>().is_ok())
        .unwrap_or_else(|| "UTC".into())
}

/// The zone's offset now as upstream writes it (`moment.tz(name).format('Z')`: `+05:30`).
fn offset_text(tz: Tz, now: Ts) -> String {
    let secs = utc(now).with_timezone(&tz).offset().fix().local_minus_utc();
    let (sign, secs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// `day` at `hm` in `tz`, in the week (Sunday first, as moment's `day()`) that holds `now`.
fn instant(tz: Tz, now: Ts, day: i64, hm: u32) -> DateTime<Utc> {
    let local = utc(now).with_timezone(&tz);
    let sunday = local.date_naive() - Duration::days(local.weekday().num_days_from_sunday() as i64);
    let naive = (sunday + Duration::days(day))
        .and_hms_opt(hm / 60, hm % 60, 0)
        .unwrap_or_default();
    // A local time a clock change skips counts from the hour after the gap.
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

fn day_time(t: DateTime<Utc>) -> DayTime {
    DayTime {
        day_of_week: DAYS[t.weekday().num_days_from_sunday() as usize].to_string(),
        time: format!("{:02}:{:02}", t.hour(), t.minute()),
    }
}

fn work_time(tz: Tz, now: Ts, day: i64, hm: &str) -> Result<(WorkTime, DateTime<Utc>)> {
    let m = minutes(hm).ok_or(Code::BusinessHourInvalidTime)?;
    let at = instant(tz, now, day, m);
    // The server runs on UTC, so upstream's `cron` (server-local) is the UTC weekday and time.
    Ok((
        WorkTime {
            time: hm.to_string(),
            utc: day_time(at),
            cron: day_time(at),
        },
        at,
    ))
}

/// Upstream's `convertWorkHours`: each `{day, start: "HH:mm", finish: "HH:mm", open}` with
/// its UTC and cron forms; an open day must close after it opens.
pub fn convert_work_hours(input: &[Value], tz: Tz, now: Ts) -> Result<Vec<WorkHour>> {
    input
        .iter()
        .map(|h| {
            let day = h
                .get("day")
                .and_then(Value::as_str)
                .filter(|d| day_index(d).is_some())
                .ok_or(Code::BusinessHourInvalidTime)?;
            let idx = day_index(day).unwrap_or_default();
            // A stored document sends `{time, utc, cron}`; the form sends the time alone.
            let time_of = |k: &str| {
                let v = h.get(k);
                v.and_then(Value::as_str)
                    .or_else(|| v.and_then(|v| v.get("time")).and_then(Value::as_str))
                    .map(str::to_string)
                    .ok_or(Code::BusinessHourInvalidTime)
            };
            let open = h.get("open").is_some_and(truthy);
            let (start, start_at) = work_time(tz, now, idx, &time_of("start")?)?;
            let (finish, finish_at) = work_time(tz, now, idx, &time_of("finish")?)?;
            if open && finish_at < start_at {
                return Err(Code::BusinessHourFinishBeforeStart.into());
            }
            if open && finish_at == start_at {
                return Err(Code::BusinessHourFinishEqualsStart.into());
            }
            Ok(WorkHour {
                day: day.to_string(),
                start,
                finish,
                open,
                code: h.get("code").cloned(),
            })
        })
        .collect()
}

/// JavaScript truthiness, as upstream's `Boolean(x)`.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Is `bh` open at `now`: active, and `now` (in its timezone) falls on an open day between
/// its opening (included) and closing (excluded) times.
pub fn is_open(bh: &BusinessHour, now: Ts) -> bool {
    let Ok(tz) = bh.timezone.name.parse::<Tz>() else {
        return false;
    };
    let local = utc(now).with_timezone(&tz);
    let day = DAYS[local.weekday().num_days_from_sunday() as usize];
    let m = local.hour() * 60 + local.minute();
    bh.active
        && bh.work_hours.iter().any(|h| {
            h.open
                && h.day == day
                && matches!(
                    (minutes(&h.start.time), minutes(&h.finish.time)),
                    (Some(s), Some(f)) if s <= m && m < f
                )
        })
}

/// Upstream's `createDefaultBusinessHourRow`: Monday to Friday 08:00–20:00 on the server's
/// timezone, the weekend closed.
pub fn default_row(id: String, now: Ts) -> BusinessHour {
    let name = server_timezone();
    let tz: Tz = name.parse().unwrap_or(Tz::UTC);
    let week = [1, 2, 3, 4, 5, 6, 0];
    let work_hours = week
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let t = |hm: &str| work_time(tz, now, d, hm).map(|(w, _)| w);
            WorkHour {
                day: DAYS[d as usize].to_string(),
                start: t("08:00").expect("a valid time"),
                finish: t("20:00").expect("a valid time"),
                open: d != 0 && d != 6,
                code: Some(Value::from(i + 1)),
            }
        })
        .collect();
    BusinessHour {
        id,
        name: String::new(),
        active: true,
        kind: DEFAULT.into(),
        ts: now,
        work_hours,
        timezone: BusinessHourTimezone {
            name,
            // Upstream: `String(moment().utcOffset() / 60)`.
            utc: (utc(now).with_timezone(&tz).offset().fix().local_minus_utc() / 3600).to_string(),
        },
        updated_at: None,
    }
}

/// What a change of the open business hours does to one agent; `None`: nothing.
/// `reset`: a save or the setting turned on (upstream re-applies the state to everyone);
/// otherwise only agents whose open business hours change are touched.
fn transition(u: &User, open: &[String], reset: bool) -> Option<User> {
    let was_open = u
        .open_business_hours
        .as_ref()
        .is_some_and(|v| !v.is_empty());
    let now_open = !open.is_empty();
    let mut n = u.clone();
    let same = match &u.open_business_hours {
        Some(v) => v.as_slice() == open,
        None => !now_open,
    };
    if !same {
        n.open_business_hours = Some(open.to_vec());
    }
    let available = u.status_livechat.as_deref() == Some("available");
    if now_open && (reset || !was_open) && u.livechat_status_system_modified == Some(true) {
        n.livechat_status_system_modified = None;
        if u.active {
            n.status_livechat = Some("available".into());
        }
    }
    // Bots ignore business hours (upstream's `isAgentWithinBusinessHours`).
    if !now_open && (reset || was_open) && available && !u.has_role("bot") {
        n.status_livechat = Some("not-available".into());
        n.livechat_status_system_modified = Some(true);
    }
    (n != *u).then_some(n)
}

impl Livechat {
    fn business_hours_on(&self) -> bool {
        self.settings.bool(SETTING)
    }

    /// The default business hour, created when the database has none.
    pub async fn default_business_hour(&self) -> Result<BusinessHour> {
        if let Some(bh) = self
            .store
            .business_hours(Some(DEFAULT))
            .await?
            .into_iter()
            .next()
        {
            return Ok(bh);
        }
        let bh = default_row(self.ids.object_id(), self.now());
        self.store.put_business_hour(&bh).await?;
        Ok(bh)
    }

    /// `GET livechat/business-hour`: the default one, or a custom one by id; `None` for an
    /// unknown type.
    pub async fn find_business_hour(
        &self,
        id: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Option<BusinessHour>> {
        match kind.unwrap_or(DEFAULT) {
            DEFAULT => Ok(Some(self.default_business_hour().await?)),
            "custom" => Ok(self
                .store
                .business_hours(Some("custom"))
                .await?
                .into_iter()
                .find(|bh| Some(bh.id.as_str()) == id)),
            _ => Ok(None),
        }
    }

    /// `livechat:saveBusinessHour` for the default business hour: `$set` of the sent
    /// fields with the work hours converted, `active` as `Boolean(active)`, the timezone from
    /// `timezoneName` (else the server's). Without `_id` nothing is saved, as upstream.
    pub async fn save_business_hour(&self, data: &Map<String, Value>) -> Result<()> {
        let kind = data.get("type").and_then(Value::as_str).unwrap_or(DEFAULT);
        if kind != DEFAULT {
            return Err(Code::BusinessHourTypeNotAllowed.into());
        }
        let Some(id) = data
            .get("_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            return Ok(());
        };
        let current = self.default_business_hour().await?;
        if current.id != id {
            // Upstream's `updateOne({_id})` matches nothing.
            return Ok(());
        }
        let tz_name = data
            .get("timezoneName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let (name, utc_text) = match &tz_name {
            Some(n) => {
                let tz: Tz = n.parse().map_err(|_| Code::BusinessHourInvalidTimezone)?;
                (n.clone(), offset_text(tz, self.now()))
            }
            None => {
                let n = server_timezone();
                let tz: Tz = n.parse().unwrap_or(Tz::UTC);
                let secs = utc(self.now())
                    .with_timezone(&tz)
                    .offset()
                    .fix()
                    .local_minus_utc();
                (n, (secs / 3600).to_string())
            }
        };
        let tz: Tz = name.parse().unwrap_or(Tz::UTC);
        let work_hours = match data.get("workHours") {
            Some(Value::Array(a)) => convert_work_hours(a, tz, self.now())?,
            _ => return Err(Code::BusinessHourInvalidTime.into()),
        };
        let bh = BusinessHour {
            name: data
                .get("name")
                .and_then(Value::as_str)
                .map_or(current.name.clone(), str::to_string),
            active: data.get("active").is_some_and(truthy),
            work_hours,
            timezone: BusinessHourTimezone {
                name,
                utc: utc_text,
            },
            updated_at: Some(self.now()),
            ..current
        };
        self.store.put_business_hour(&bh).await?;
        self.apply_business_hours(true).await
    }

    /// The ids of the business hours open now.
    /// Business hours are not in use, or the default one is open now.
    pub async fn business_hours_open_now(&self) -> Result<bool> {
        Ok(!self.business_hours_on() || !self.open_business_hours().await?.is_empty())
    }

    async fn open_business_hours(&self) -> Result<Vec<String>> {
        let bh = self.default_business_hour().await?;
        Ok(if is_open(&bh, self.now()) {
            vec![bh.id]
        } else {
            vec![]
        })
    }

    /// Brings every agent in line with the business hours open now (see [`transition`]);
    /// nothing while business hours are off.
    pub async fn apply_business_hours(&self, reset: bool) -> Result<()> {
        if !self.business_hours_on() {
            return Ok(());
        }
        let open = self.open_business_hours().await?;
        let agents = self.all_agents().await?;
        let mut serve_queue = false;
        let now = self.now();
        for agent in agents {
            if transition(&agent, &open, reset).is_none() {
                continue;
            }
            let open = open.clone();
            let changed = self
                .store
                .modify_user(
                    &agent.id,
                    Box::new(move |u| {
                        // Decided again on the stored row: another instance may have acted.
                        if let Some(n) = transition(u, &open, reset) {
                            *u = n;
                            u.updated_at = now;
                        }
                        Ok(())
                    }),
                )
                .await?;
            serve_queue |=
                changed.is_some_and(|u| u.status_livechat.as_deref() == Some("available"));
        }
        if serve_queue {
            self.process_queue().await?;
        }
        Ok(())
    }

    /// The periodic check: business hours that opened or closed since the last one.
    pub async fn business_hours_tick(&self) -> Result<()> {
        self.apply_business_hours(false).await
    }

    /// The setting turned on (every agent put in line) or off (no agent keeps open business
    /// hours, as upstream's `removeBusinessHoursFromAllUsers`).
    pub async fn business_hours_switched(&self, on: bool) -> Result<()> {
        if on {
            return self.apply_business_hours(true).await;
        }
        let agents = self.all_agents().await?;
        for agent in agents
            .into_iter()
            .filter(|a| a.open_business_hours.is_some())
        {
            self.store
                .modify_user(
                    &agent.id,
                    Box::new(|u| {
                        u.open_business_hours = None;
                        Ok(())
                    }),
                )
                .await?;
        }
        Ok(())
    }

    /// Upstream's `onNewAgentCreated`: a new (or re-activated) agent joins the open default
    /// business hour and is available, or is unavailable while it is closed (and comes
    /// back when it opens).
    pub async fn business_hours_new_agent(&self, agent_id: &str) -> Result<()> {
        if !self.business_hours_on() {
            return Ok(());
        }
        let open = self.open_business_hours().await?;
        let now = self.now();
        self.store
            .modify_user(
                agent_id,
                Box::new(move |u| {
                    if open.is_empty() {
                        u.status_livechat = Some("not-available".into());
                        u.livechat_status_system_modified = Some(true);
                    } else {
                        let list = u.open_business_hours.get_or_insert_with(Vec::new);
                        for id in &open {
                            if !list.contains(id) {
                                list.push(id.clone());
                            }
                        }
                        u.status_livechat = Some("available".into());
                        u.livechat_status_system_modified = None;
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        Ok(())
    }

    /// Upstream's `allowAgentChangeServiceStatus`: becoming available needs an open business
    /// hour while they are on (bots excepted).
    pub fn may_become_available(&self, agent: &User, status: &str) -> bool {
        status != "available"
            || !self.business_hours_on()
            || agent.has_role("bot")
            || agent
                .open_business_hours
                .as_ref()
                .is_some_and(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts(s: &str) -> Ts {
        Ts::parse_iso(s).unwrap()
    }

    fn bh(tz: &str, hours: Value, now: Ts) -> BusinessHour {
        let tzv: Tz = tz.parse().unwrap();
        BusinessHour {
            id: "bh".into(),
            name: String::new(),
            active: true,
            kind: DEFAULT.into(),
            ts: now,
            work_hours: convert_work_hours(hours.as_array().unwrap(), tzv, now).unwrap(),
            timezone: BusinessHourTimezone {
                name: tz.into(),
                utc: offset_text(tzv, now),
            },
            updated_at: None,
        }
    }

    #[test]
    fn converts_to_utc_as_upstream() {
        // 2026-12-06 is a Sunday.
        let now = ts("2026-12-06T10:00:00.000Z");
        let b = bh(
            "Asia/Kolkata",
            json!([{"day": "Sunday", "start": "00:00", "finish": "23:59", "open": true}]),
            now,
        );
        let h = &b.work_hours[0];
        assert_eq!(h.start.utc.day_of_week, "Saturday");
        assert_eq!(h.start.utc.time, "18:30");
        assert_eq!(h.finish.utc.day_of_week, "Sunday");
        assert_eq!(h.finish.utc.time, "18:29");
        assert_eq!(b.timezone.utc, "+05:30");
    }

    #[test]
    fn refuses_a_day_that_closes_before_it_opens() {
        let now = ts("2026-12-06T10:00:00.000Z");
        let tz: Tz = "UTC".parse().unwrap();
        let bad = |s: &str, f: &str| {
            convert_work_hours(
                &[json!({"day": "Monday", "start": s, "finish": f, "open": true})],
                tz,
                now,
            )
            .unwrap_err()
        };
        assert_eq!(
            bad("10:00", "09:00"),
            Code::BusinessHourFinishBeforeStart.into()
        );
        assert_eq!(
            bad("10:00", "10:00"),
            Code::BusinessHourFinishEqualsStart.into()
        );
        assert_eq!(bad("25:00", "10:00"), Code::BusinessHourInvalidTime.into());
        // A closed day may hold anything ordered.
        assert!(
            convert_work_hours(
                &[json!({"day": "Monday", "start": "10:00", "finish": "09:00", "open": false})],
                tz,
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn open_in_its_own_timezone_across_midnight_utc() {
        // Monday 09:00–17:00 in Tokyo is Monday 00:00–08:00 UTC.
        let now = ts("2026-12-06T10:00:00.000Z");
        let b = bh(
            "Asia/Tokyo",
            json!([{"day": "Monday", "start": "09:00", "finish": "17:00", "open": true}]),
            now,
        );
        assert!(!is_open(&b, ts("2026-12-06T23:59:00.000Z")));
        assert!(is_open(&b, ts("2026-12-07T00:00:00.000Z")));
        assert!(is_open(&b, ts("2026-12-07T07:59:00.000Z")));
        assert!(!is_open(&b, ts("2026-12-07T08:00:00.000Z")));
        let mut inactive = b.clone();
        inactive.active = false;
        assert!(!is_open(&inactive, ts("2026-12-07T01:00:00.000Z")));
    }

    #[test]
    fn follows_daylight_saving_changes() {
        // Berlin: 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer; the same
        // stored hours stay right on both sides of the 2027-03-28 change.
        let b = bh(
            "Europe/Berlin",
            json!([
                {"day": "Friday", "start": "09:00", "finish": "10:00", "open": true},
                {"day": "Monday", "start": "09:00", "finish": "10:00", "open": true}
            ]),
            ts("2027-03-24T12:00:00.000Z"),
        );
        assert!(is_open(&b, ts("2027-03-26T08:30:00.000Z")));
        assert!(!is_open(&b, ts("2027-03-26T07:30:00.000Z")));
        assert!(is_open(&b, ts("2027-03-29T07:30:00.000Z")));
        assert!(!is_open(&b, ts("2027-03-29T08:30:00.000Z")));
    }

    fn agent(status: &str, open: Option<Vec<&str>>, flag: Option<bool>) -> User {
        let mut u: User = serde_json::from_value(json!({
            "_id": "a", "createdAt": "2026-01-01T00:00:00.000Z", "username": "a",
            "type": "user", "status": "online", "active": true, "roles": ["livechat-agent"],
            "_updatedAt": "2026-01-01T00:00:00.000Z", "statusLivechat": status
        }))
        .unwrap();
        u.open_business_hours = open.map(|v| v.into_iter().map(String::from).collect());
        u.livechat_status_system_modified = flag;
        u
    }

    #[test]
    fn closing_and_opening_bring_back_who_was_available() {
        let open = vec!["bh".to_string()];
        // Closing: the available agent is made unavailable and marked.
        let closed = transition(&agent("available", Some(vec!["bh"]), None), &[], false).unwrap();
        assert_eq!(closed.status_livechat.as_deref(), Some("not-available"));
        assert_eq!(closed.open_business_hours, Some(vec![]));
        assert_eq!(closed.livechat_status_system_modified, Some(true));
        // Opening: back to available.
        let reopened = transition(&closed, &open, false).unwrap();
        assert_eq!(reopened.status_livechat.as_deref(), Some("available"));
        assert_eq!(reopened.livechat_status_system_modified, None);
        // An agent who chose to be away stays away.
        let away = transition(&agent("not-available", Some(vec![]), None), &open, false).unwrap();
        assert_eq!(away.status_livechat.as_deref(), Some("not-available"));
        // Nothing changed, nothing written; a manager's choice outside the hours stands
        // until the next change.
        assert!(transition(&agent("available", None, None), &[], false).is_none());
        assert!(transition(&agent("available", Some(vec!["bh"]), None), &open, false).is_none());
        // A save re-applies the closed state to everyone.
        assert!(transition(&agent("available", None, None), &[], true).is_some());
    }
}
