//! Omnichannel analytics: the manager's dashboards (`livechat/analytics/dashboards/*`), the
//! overview (`livechat/analytics/overview`) and the agents' overview (`agent-overview`).
//! Every figure is computed from the rooms' recorded `metrics`, `servedBy`, `responseBy` and
//! messages as upstream's aggregations compute it (its filters, titles, value formats and
//! roundings, quirks included). Days are UTC days: upstream reports in the server's zone
//! (`Default_Timezone_For_Reporting` = `server`), and Ferrochat's is UTC.

use super::Livechat;
use crate::error::Result;
use crate::model::Room;
use crate::store::AnalyticsRoom;
use crate::time::Ts;
use chrono::{NaiveDate, Timelike};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

const DAY_MS: i64 = 86_400_000;

/// A dashboard's period (`start`/`end`, instants) and department.
#[derive(Clone, Debug)]
pub struct Period {
    pub start: Ts,
    pub end: Ts,
    pub department_id: Option<String>,
}

impl Period {
    fn department(&self) -> Option<&str> {
        department(self.department_id.as_deref())
    }
    /// `ts >= start` and `closedAt <= end` (a closed room of the period).
    fn closed_within(&self, r: &Room) -> bool {
        r.ts >= self.start && r.closed_at.is_some_and(|c| c <= self.end)
    }
}

/// Upstream's `departmentId && departmentId !== 'undefined'`.
fn department(d: Option<&str>) -> Option<&str> {
    d.filter(|d| !d.is_empty() && *d != "undefined")
}

/// The start of `t`'s day (`moment.tz(t, zone).startOf('day')`).
fn day_start(t: Ts) -> Ts {
    Ts::from_millis(t.millis().div_euclid(DAY_MS) * DAY_MS)
}

/// The end of `t`'s day (`endOf('day')`: its last millisecond).
fn day_end(t: Ts) -> Ts {
    day_start(t).plus_millis(DAY_MS - 1)
}

/// `moment.tz(s, 'YYYY-MM-DD', zone)`: the day `s` names, or `None` when moment's would be
/// invalid.
fn parse_day(s: &str) -> Option<Ts> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(Ts::from_millis(
        d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis(),
    ))
}

/// JavaScript's `Math.round`: halves go up.
fn js_round(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// JavaScript's `x.toFixed(2)`: the nearest hundredth, a tie going to the larger one (Rust's
/// formatting would give the even one). Exact ties are the doubles `k/8`.
pub fn to_fixed2(x: f64) -> String {
    let scaled = x * 100.0;
    if (scaled - scaled.trunc()).abs() == 0.5 && (x * 8.0).fract() == 0.0 {
        let n = if x >= 0.0 {
            scaled.trunc() + 1.0
        } else {
            scaled.trunc()
        };
        return format!("{:.2}", n / 100.0);
    }
    format!("{x:.2}")
}

/// Upstream's `secondsToHHMMSS`: whole hours and minutes, the rest rounded (so `59.5` seconds
/// read `00:00:60`, as upstream's do).
pub fn hhmmss(sec: f64) -> String {
    let h = (sec / 3600.0).floor();
    let m = ((sec - h * 3600.0) / 60.0).floor();
    let s = js_round(sec - h * 3600.0 - m * 60.0);
    format!("{:02}:{:02}:{:02}", h as i64, m as i64, s as i64)
}

/// `secondsToHHMMSS(x.toFixed(2))`, the form most averages take.
fn hhmmss_fixed(x: f64) -> String {
    hhmmss(to_fixed2(x).parse().unwrap_or(0.0))
}

/// A double as JavaScript prints it in JSON (`24`, not `24.0`).
fn js_num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// A double as JavaScript's template strings print it.
fn js_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        (x as i64).to_string()
    } else {
        x.to_string()
    }
}

/// JavaScript's `parseFloat`: the number the text starts with (`"28.57%"` → 28.57,
/// `"00:01:02"` → 0), NaN when none.
fn parse_float(v: &Value) -> f64 {
    let s = match v {
        Value::Number(n) => return n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => s.trim_start(),
        _ => return f64::NAN,
    };
    let mut end = 0;
    let mut seen_dot = false;
    for (i, c) in s.char_indices() {
        match c {
            '0'..='9' => end = i + 1,
            '.' if !seen_dot => seen_dot = true,
            '-' | '+' if i == 0 => {}
            _ => break,
        }
    }
    s[..end].parse().unwrap_or(f64::NAN)
}

/// Upstream's `sortByValue`: by `parseFloat(value)`, descending when `inv`; a stable sort
/// where incomparable values stay in place.
fn sort_by_value(rows: &mut [Value], inv: bool) {
    rows.sort_by(|a, b| {
        let (x, y) = (parse_float(&a["value"]), parse_float(&b["value"]));
        let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
        if inv { o.reverse() } else { o }
    });
}

fn totalizer(title: &str, value: impl Into<Value>) -> Value {
    json!({ "title": title, "value": value.into() })
}

/// Holding a chat is Enterprise (`livechat/room.onHold`), so no Ferrochat room is ever on
/// hold; upstream's `onHold` filters keep their place through this.
fn on_hold(_: &Room) -> bool {
    false
}

fn has_chat_duration(r: &Room) -> bool {
    r.metrics
        .as_ref()
        .is_some_and(|m| m.chat_duration.is_some())
}

/// A number aggregations count as present (`$ifNull(x, false)` under `$and`: not 0).
fn truthy(x: Option<f64>) -> Option<f64> {
    x.filter(|v| *v != 0.0)
}

fn response_by_last(r: &Room) -> Option<Ts> {
    let v = r.response_by.as_ref()?.get("lastMessageTs")?;
    serde_json::from_value(v.clone()).ok()
}

fn response_by_username(r: &Room) -> Option<String> {
    r.response_by
        .as_ref()?
        .get("username")?
        .as_str()
        .map(str::to_string)
}

/// Rooms grouped by `departmentId` (no department is a group too), in order of appearance:
/// upstream's per-department `$group`.
fn by_department<'a>(rooms: impl Iterator<Item = &'a Room>) -> Vec<Vec<&'a Room>> {
    let mut keys: Vec<Option<&str>> = Vec::new();
    let mut groups: Vec<Vec<&Room>> = Vec::new();
    for r in rooms {
        let k = r.department_id.as_deref();
        match keys.iter().position(|x| *x == k) {
            Some(i) => groups[i].push(r),
            None => {
                keys.push(k);
                groups.push(vec![r]);
            }
        }
    }
    groups
}

/// The mean of per-department figures, 0 without departments (the dashboards' reduce).
fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// `hA` of an hour of the day: `12AM`, `1PM`…
fn hour_label(h: u32) -> String {
    let h = h % 24;
    let (n, ap) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{n}{ap}")
}

/// Per-agent accumulation, agents in order of appearance (upstream's `Map`).
#[derive(Default)]
struct PerAgent(Vec<(String, f64, i64)>);

impl PerAgent {
    fn add(&mut self, who: &str, value: f64) {
        match self.0.iter_mut().find(|(n, _, _)| n == who) {
            Some(e) => {
                e.1 += value;
                e.2 += 1;
            }
            None => self.0.push((who.to_string(), value, 1)),
        }
    }
    fn min(&mut self, who: &str, value: f64) {
        match self.0.iter_mut().find(|(n, _, _)| n == who) {
            Some(e) => e.1 = e.1.min(value),
            None => self.0.push((who.to_string(), value, 1)),
        }
    }
}

/// The charts the overview answers.
const OVERVIEW_CHARTS: &[&str] = &["Conversations", "Productivity"];

/// The charts the agents' overview answers.
const AGENT_CHARTS: &[&str] = &[
    "Total_conversations",
    "Avg_chat_duration",
    "Total_messages",
    "Avg_first_response_time",
    "Best_first_response_time",
    "Avg_response_time",
    "Avg_reaction_time",
];

impl Livechat {
    async fn analytics_rooms(
        &self,
        from: Ts,
        to: Ts,
        department_id: Option<&str>,
    ) -> Result<Vec<AnalyticsRoom>> {
        Ok(self
            .store
            .analytics_rooms(from, to, department(department_id))
            .await?
            .into_iter()
            .filter(|a| a.room.t == "l")
            .collect())
    }

    /// The overview's `Conversations` over whole days `from`..`to`.
    async fn conversations_overview(
        &self,
        from: Ts,
        to: Ts,
        department_id: Option<&str>,
    ) -> Result<Vec<Value>> {
        let (from, to) = (day_start(from), day_end(to));
        let days = (to.millis() - from.millis()) / DAY_MS + 1;
        let rooms = self.analytics_rooms(from, to, department_id).await?;
        let mut open = 0;
        let mut total_messages = 0;
        // Messages per creation day, then per creation hour, in order of appearance.
        let mut per_day: Vec<(NaiveDate, Vec<(u32, i64)>)> = Vec::new();
        for a in &rooms {
            let r = &a.room;
            // `$unwind` keeping empty arrays and `$sum: 1`: a room without messages counts 1.
            let msgs = a.msgs.max(1);
            if r.metrics
                .as_ref()
                .is_some_and(|m| truthy(m.chat_duration).is_none())
                && !on_hold(r)
            {
                open += 1;
            }
            let dt = r.ts.datetime();
            let (day, hour) = (dt.date_naive(), dt.hour());
            let i = match per_day.iter().position(|(d, _)| *d == day) {
                Some(i) => i,
                None => {
                    per_day.push((day, Vec::new()));
                    per_day.len() - 1
                }
            };
            let hours = &mut per_day[i].1;
            match hours.iter_mut().find(|(h, _)| *h == hour) {
                Some(e) => e.1 += msgs,
                None => hours.push((hour, msgs)),
            }
            total_messages += msgs;
        }
        let on_hold_count = rooms
            .iter()
            .filter(|a| on_hold(&a.room) && a.room.ts < to)
            .count();
        // The busiest day: most messages (the first of equals); its busiest hour likewise.
        let mut most = -1;
        let mut busiest: Option<&(NaiveDate, Vec<(u32, i64)>)> = None;
        for d in &per_day {
            let sum: i64 = d.1.iter().map(|(_, n)| n).sum();
            if sum > most {
                most = sum;
                busiest = Some(d);
            }
        }
        let mut busiest_hour: Option<u32> = None;
        let mut max = 0;
        for (h, n) in busiest.map(|d| d.1.as_slice()).unwrap_or_default() {
            if *n > max {
                max = *n;
                busiest_hour = Some(*h);
            }
        }
        let busiest_day = busiest.map_or("-".to_string(), |(d, _)| d.format("%A").to_string());
        let busiest_time = busiest_hour.map_or("-".to_string(), |h| {
            format!("{} - {}", hour_label(h), hour_label(h + 1))
        });
        Ok(vec![
            totalizer("Total_conversations", rooms.len()),
            totalizer("Open_conversations", open),
            totalizer("On_Hold_conversations", on_hold_count),
            totalizer("Total_messages", total_messages),
            totalizer("Busiest_day", busiest_day),
            totalizer(
                "Conversations_per_day",
                to_fixed2(rooms.len() as f64 / days as f64),
            ),
            totalizer("Busiest_time", busiest_time),
        ])
    }

    /// The overview's `Productivity` over whole days `from`..`to`: the mean response, first
    /// response and first reaction times of the rooms that have them.
    async fn productivity_overview(
        &self,
        from: Ts,
        to: Ts,
        department_id: Option<&str>,
    ) -> Result<Vec<Value>> {
        let rooms = self
            .analytics_rooms(day_start(from), day_end(to), department_id)
            .await?;
        let (mut avg, mut first, mut reaction, mut count) = (0.0, 0.0, 0.0, 0);
        for a in &rooms {
            if let Some(m) = &a.room.metrics
                && let (Some(resp), Some(react)) = (&m.response, &m.reaction)
            {
                avg += resp.avg.unwrap_or(0.0);
                first += resp.ft.unwrap_or(0.0);
                reaction += react.ft.unwrap_or(0.0);
                count += 1;
            }
        }
        if count > 0 {
            let n = count as f64;
            (avg, first, reaction) = (avg / n, first / n, reaction / n);
        }
        Ok(vec![
            totalizer("Avg_response_time", hhmmss_fixed(avg)),
            totalizer("Avg_first_response_time", hhmmss_fixed(first)),
            totalizer("Avg_reaction_time", hhmmss_fixed(reaction)),
        ])
    }

    /// `livechat/analytics/overview`: `None` for a chart upstream does not know or days it
    /// cannot read (upstream then answers nothing but `success`).
    pub async fn analytics_overview(
        &self,
        name: &str,
        from: &str,
        to: &str,
        department_id: Option<&str>,
    ) -> Result<Option<Vec<Value>>> {
        let (Some(from), Some(to)) = (parse_day(from), parse_day(to)) else {
            return Ok(None);
        };
        if !OVERVIEW_CHARTS.contains(&name) {
            return Ok(None);
        }
        Ok(Some(if name == "Conversations" {
            self.conversations_overview(from, to, department_id).await?
        } else {
            self.productivity_overview(from, to, department_id).await?
        }))
    }

    /// `livechat/analytics/agent-overview`: one figure per agent, `None` as for the overview.
    pub async fn agent_overview(
        &self,
        name: &str,
        from: &str,
        to: &str,
        department_id: Option<&str>,
    ) -> Result<Option<Value>> {
        let (Some(from), Some(to)) = (parse_day(from), parse_day(to)) else {
            return Ok(None);
        };
        if !AGENT_CHARTS.contains(&name) {
            return Ok(None);
        }
        let rooms = self
            .analytics_rooms(day_start(from), day_end(to), department_id)
            .await?;
        let served = |r: &Room| r.served_by.as_ref().map(|s| s.username.clone());
        let mut per = PerAgent::default();
        let head = match name {
            "Total_conversations" => "%_of_conversations",
            other => other,
        };
        let mut data: Vec<Value> = Vec::new();
        match name {
            "Total_conversations" => {
                for a in &rooms {
                    if let Some(u) = served(&a.room) {
                        per.add(&u, 1.0);
                    }
                }
                let total: f64 = per.0.iter().map(|e| e.1).sum();
                for (u, n, _) in &per.0 {
                    let pct = to_fixed2(n / total * 100.0);
                    data.push(json!({ "name": u, "value": format!("{pct}%") }));
                }
                sort_by_value(&mut data, true);
            }
            "Avg_chat_duration" => {
                for a in &rooms {
                    let d = a
                        .room
                        .metrics
                        .as_ref()
                        .and_then(|m| truthy(m.chat_duration));
                    if let (Some(u), Some(d)) = (served(&a.room), d) {
                        per.add(&u, d);
                    }
                }
                for (u, sum, n) in &per.0 {
                    data.push(json!({ "name": u, "value": hhmmss_fixed(sum / *n as f64) }));
                }
                sort_by_value(&mut data, true);
            }
            "Total_messages" => {
                for a in &rooms {
                    if let Some(u) = served(&a.room) {
                        // As for the overview, a room without such messages counts 1.
                        per.add(&u, a.agent_msgs.max(1) as f64);
                    }
                }
                for (u, n, _) in &per.0 {
                    data.push(json!({ "name": u, "value": js_num(*n) }));
                }
                sort_by_value(&mut data, true);
            }
            "Avg_first_response_time" | "Best_first_response_time" => {
                // Per agent who answered first (`responseBy`), not who serves the room now.
                let best = name == "Best_first_response_time";
                for a in &rooms {
                    let ft = a
                        .room
                        .metrics
                        .as_ref()
                        .and_then(|m| m.response.as_ref())
                        .and_then(|r| truthy(r.ft));
                    if let (Some(u), Some(ft)) = (response_by_username(&a.room), ft) {
                        if best {
                            per.min(&u, ft);
                        } else {
                            per.add(&u, ft);
                        }
                    }
                }
                for (u, v, n) in &per.0 {
                    let v = if best { *v } else { v / *n as f64 };
                    data.push(json!({ "name": u, "value": hhmmss_fixed(v) }));
                }
                sort_by_value(&mut data, false);
            }
            _ => {
                // Avg_response_time / Avg_reaction_time, per serving agent.
                let reaction = name == "Avg_reaction_time";
                for a in &rooms {
                    let v = a.room.metrics.as_ref().and_then(|m| {
                        if reaction {
                            m.reaction.as_ref().and_then(|r| truthy(r.ft))
                        } else {
                            m.response.as_ref().and_then(|r| truthy(r.avg))
                        }
                    });
                    if let (Some(u), Some(v)) = (served(&a.room), v) {
                        per.add(&u, v);
                    }
                }
                for (u, sum, n) in &per.0 {
                    data.push(json!({ "name": u, "value": hhmmss_fixed(sum / *n as f64) }));
                }
                sort_by_value(&mut data, false);
            }
        }
        Ok(Some(json!({
            "head": [{ "name": "Agent" }, { "name": head }],
            "data": data,
        })))
    }

    /// `dashboards/conversation-totalizers`: the overview's conversation counts over the
    /// period's whole days, and the visitors active in the period.
    pub async fn conversation_totalizers(&self, p: &Period) -> Result<Vec<Value>> {
        const KEPT: &[&str] = &[
            "Total_conversations",
            "Open_conversations",
            "On_Hold_conversations",
            "Total_messages",
        ];
        let mut out: Vec<Value> = self
            .conversations_overview(p.start, p.end, p.department())
            .await?
            .into_iter()
            .filter(|t| KEPT.iter().any(|k| t["title"] == *k))
            .collect();
        let visitors = self
            .store
            .count_visitors_updated_between(p.start, p.end, p.department())
            .await?;
        out.push(totalizer("Total_visitors", visitors));
        Ok(out)
    }

    /// `dashboards/productivity-totalizers`: the overview's productivity and the mean wait
    /// for a first response (per department, each rounded up, then their mean).
    pub async fn productivity_totalizers(&self, p: &Period) -> Result<Vec<Value>> {
        let mut out = self
            .productivity_overview(p.start, p.end, p.department())
            .await?;
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let answered = rooms
            .iter()
            .map(|a| &a.room)
            .filter(|r| r.waiting_response != Some(true));
        let per_department: Vec<f64> = by_department(answered)
            .iter()
            .map(|g| {
                let sum: f64 = g
                    .iter()
                    .filter_map(|r| r.metrics.as_ref()?.response.as_ref()?.ft)
                    .sum();
                (sum / g.len() as f64).ceil()
            })
            .collect();
        out.push(totalizer(
            "Avg_of_waiting_time",
            hhmmss(mean(&per_department)),
        ));
        Ok(out)
    }

    /// `dashboards/agents-productivity-totalizers`: the busiest time, the agents' mean
    /// available time (Ferrochat keeps no agent activity log: 0) and the mean service time
    /// (from taking the chat to the agent's last message; per department, rounded up).
    pub async fn agents_productivity_totalizers(&self, p: &Period) -> Result<Vec<Value>> {
        let busiest = self
            .conversations_overview(p.start, p.end, p.department())
            .await?
            .into_iter()
            .filter(|t| t["title"] == "Busiest_time");
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let served = rooms
            .iter()
            .map(|a| &a.room)
            .filter(|r| r.served_by.is_some() && response_by_last(r).is_some());
        let per_department: Vec<f64> = by_department(served)
            .iter()
            .map(|g| {
                let sum: f64 = g
                    .iter()
                    .filter_map(|r| Some(response_by_last(r)?.secs_since(r.served_by.as_ref()?.ts)))
                    .sum();
                (sum / g.len() as f64).ceil()
            })
            .collect();
        let mut out: Vec<Value> = busiest.collect();
        out.push(totalizer("Avg_of_available_service_time", hhmmss(0.0)));
        out.push(totalizer(
            "Avg_of_service_time",
            hhmmss(mean(&per_department)),
        ));
        Ok(out)
    }

    /// `dashboards/chats-totalizers`: abandoned chats (the visitor silent at least
    /// `Livechat_visitor_inactivity_timeout` seconds), their share per department (rounded
    /// down, then the mean) and the mean chat duration (per department, rounded up).
    pub async fn chats_totalizers(&self, p: &Period) -> Result<Vec<Value>> {
        let timeout = self.settings.i64("Livechat_visitor_inactivity_timeout") as f64;
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let abandoned = |r: &Room| {
            r.metrics
                .as_ref()
                .and_then(|m| m.visitor_inactivity)
                .is_some_and(|i| i >= timeout)
        };
        let all = rooms.iter().map(|a| &a.room);
        let total_abandoned = all
            .clone()
            .filter(|r| p.closed_within(r) && abandoned(r))
            .count();
        let shares: Vec<f64> = by_department(all.clone())
            .iter()
            .map(|g| {
                let n = g
                    .iter()
                    .filter(|r| {
                        r.metrics
                            .as_ref()
                            .is_some_and(|m| truthy(m.visitor_inactivity).is_some())
                            && abandoned(r)
                    })
                    .count();
                (n as f64 * 100.0 / g.len() as f64).floor()
            })
            .collect();
        let durations: Vec<f64> = by_department(all.filter(|r| p.closed_within(r)))
            .iter()
            .map(|g| {
                let sum: f64 = g
                    .iter()
                    .filter_map(|r| r.metrics.as_ref()?.chat_duration)
                    .sum();
                (sum / g.len() as f64).ceil()
            })
            .collect();
        Ok(vec![
            totalizer("Total_abandoned_chats", total_abandoned),
            totalizer(
                "Avg_of_abandoned_chats",
                format!("{}%", js_text(mean(&shares))),
            ),
            totalizer("Avg_of_chat_duration_time", hhmmss(mean(&durations))),
        ])
    }

    /// `dashboards/charts/chats`: chats of the period being served, closed, queued, on hold.
    pub async fn chats_chart(&self, p: &Period) -> Result<Value> {
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let rooms: Vec<&Room> = rooms.iter().map(|a| &a.room).collect();
        let count = |f: &dyn Fn(&Room) -> bool| rooms.iter().filter(|r| f(r)).count();
        Ok(json!({
            "open": count(&|r| !has_chat_duration(r) && !on_hold(r) && r.served_by.is_some()),
            "closed": count(&|r| has_chat_duration(r)),
            "queued": count(&|r| r.served_by.is_none() && r.is_open()),
            "onhold": count(&|r| on_hold(r) && r.ts < p.end),
        }))
    }

    /// `dashboards/charts/chats-per-agent`: per agent's username, its open chats and those
    /// closed in the period (an agent with closed chats loses its `onhold`, as upstream's).
    pub async fn chats_per_agent(&self, p: &Period) -> Result<Map<String, Value>> {
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let mut open = PerAgent::default();
        let mut closed = PerAgent::default();
        for a in &rooms {
            let r = &a.room;
            let Some(s) = &r.served_by else { continue };
            if r.is_open() && !on_hold(r) {
                open.add(&s.username, 1.0);
            }
            if r.open.is_none() && p.closed_within(r) {
                closed.add(&s.username, 1.0);
            }
        }
        let mut out = Map::new();
        for (u, n, _) in &open.0 {
            out.insert(
                u.clone(),
                json!({ "open": js_num(*n), "closed": 0, "onhold": 0 }),
            );
        }
        for (u, n, _) in &closed.0 {
            let open = out.get(u).map_or(json!(0), |e| e["open"].clone());
            out.insert(u.clone(), json!({ "open": open, "closed": js_num(*n) }));
        }
        Ok(out)
    }

    /// `dashboards/charts/chats-per-department`: per department name, its open chats and
    /// the closed ones created in the period.
    pub async fn chats_per_department(&self, p: &Period) -> Result<Map<String, Value>> {
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let mut names: Vec<(String, String)> = Vec::new();
        let mut open: Vec<(String, i64)> = Vec::new();
        let mut closed: Vec<(String, i64)> = Vec::new();
        for a in &rooms {
            let r = &a.room;
            let Some(d) = &r.department_id else { continue };
            let name = match names.iter().find(|(id, _)| id == d) {
                Some((_, n)) => n.clone(),
                None => {
                    // A department since removed has no name (JavaScript's `undefined` key).
                    let n = self
                        .store
                        .department(d)
                        .await?
                        .map_or("undefined".to_string(), |d| d.name);
                    names.push((d.clone(), n.clone()));
                    n
                }
            };
            let list = if r.is_open() {
                &mut open
            } else if r.open.is_none() {
                &mut closed
            } else {
                continue;
            };
            match list.iter_mut().find(|(n, _)| *n == name) {
                Some(e) => e.1 += 1,
                None => list.push((name, 1)),
            }
        }
        let mut out = Map::new();
        for (n, c) in &open {
            out.insert(n.clone(), json!({ "open": c, "closed": 0 }));
        }
        for (n, c) in &closed {
            let open = out.get(n).map_or(json!(0), |e| e["open"].clone());
            out.insert(n.clone(), json!({ "open": open, "closed": c }));
        }
        Ok(out)
    }

    /// `dashboards/charts/agents-status`: the agents (of a department) by presence and
    /// livechat status. Upstream answers no figures when there is no agent; zeros here.
    pub async fn agents_status(&self, department_id: Option<&str>) -> Result<Value> {
        let agents = self.all_agents().await?;
        let members: Option<HashSet<String>> = match department(department_id) {
            Some(d) => Some(
                self.store
                    .department_agents(d)
                    .await?
                    .into_iter()
                    .map(|m| m.agent_id)
                    .collect(),
            ),
            None => None,
        };
        let (mut offline, mut away, mut busy, mut available) = (0, 0, 0, 0);
        for u in agents
            .iter()
            .filter(|u| members.as_ref().is_none_or(|m| m.contains(&u.id)))
        {
            let lc = u.status_livechat.as_deref();
            let on = lc == Some("available");
            match u.status.as_str() {
                "offline" if on => offline += 1,
                "away" if on => away += 1,
                "busy" if on => busy += 1,
                "online" if on => available += 1,
                _ if lc == Some("not-available") => offline += 1,
                _ => {}
            }
        }
        Ok(json!({ "offline": offline, "away": away, "busy": busy, "available": available }))
    }

    /// `dashboards/charts/timings`: mean (truncated) and longest first response, first
    /// reaction and chat duration of the period's chats.
    pub async fn timings(&self, p: &Period) -> Result<Value> {
        let rooms = self.analytics_rooms(p.start, p.end, p.department()).await?;
        let rooms: Vec<&Room> = rooms.iter().map(|a| &a.room).collect();
        // `$sum` of the averaged field over the rooms where it is set and not 0, `$max` of
        // the longest one (null when no room has it); 0 and 0 without rooms.
        let timing = |rooms: &[&Room],
                      avg_of: &dyn Fn(&Room) -> Option<f64>,
                      max_of: &dyn Fn(&Room) -> Option<f64>| {
            if rooms.is_empty() {
                return json!({ "avg": 0, "longest": 0 });
            }
            let sum: f64 = rooms.iter().filter_map(|r| avg_of(r)).sum();
            let n = rooms.iter().filter(|r| truthy(avg_of(r)).is_some()).count();
            let avg = if n == 0 {
                0.0
            } else {
                (sum / n as f64).trunc()
            };
            let longest = rooms
                .iter()
                .filter_map(|r| max_of(r))
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
            json!({ "avg": js_num(avg), "longest": longest.map_or(Value::Null, js_num) })
        };
        let response = |r: &Room| r.metrics.as_ref()?.response.clone();
        let reaction_ft = |r: &Room| r.metrics.as_ref()?.reaction.as_ref()?.ft;
        let duration = |r: &Room| r.metrics.as_ref()?.chat_duration;
        let closed: Vec<&Room> = rooms
            .iter()
            .copied()
            .filter(|r| has_chat_duration(r))
            .collect();
        Ok(json!({
            "response": timing(&rooms, &|r| response(r)?.avg, &|r| response(r)?.ft),
            "reaction": timing(&rooms, &reaction_ft, &reaction_ft),
            "chatDuration": timing(&closed, &duration, &duration),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_upstream() {
        assert_eq!(hhmmss(0.0), "00:00:00");
        assert_eq!(hhmmss(3725.4), "01:02:05");
        assert_eq!(hhmmss(59.5), "00:00:60");
        assert_eq!(hhmmss_fixed(4.005), "00:00:04");
        assert_eq!(to_fixed2(0.125), "0.13");
        assert_eq!(to_fixed2(2.0 / 7.0 * 100.0), "28.57");
        assert_eq!(to_fixed2(6.5), "6.50");
        assert_eq!(js_text(100.0 / 7.0), "14.285714285714286");
        assert_eq!(js_text(14.0), "14");
        assert_eq!(parse_float(&json!("28.57%")), 28.57);
        assert_eq!(parse_float(&json!("00:01:02")), 0.0);
        assert_eq!(hour_label(0), "12AM");
        assert_eq!(hour_label(13), "1PM");
        assert_eq!(hour_label(24), "12AM");
    }

    #[test]
    fn days_are_utc_days() {
        let t = Ts::parse_iso("2024-03-05T15:04:05.006Z").unwrap();
        assert_eq!(day_start(t).iso(), "2024-03-05T00:00:00.000Z");
        assert_eq!(day_end(t).iso(), "2024-03-05T23:59:59.999Z");
        assert_eq!(parse_day("2024-03-05"), Some(day_start(t)));
        assert_eq!(parse_day("nope"), None);
    }
}
