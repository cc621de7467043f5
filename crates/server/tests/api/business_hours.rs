//! Business hours: the default business hour's API (`livechat/business-hour`,
//! `livechat:saveBusinessHour`), agents' availability inside and outside them on a
//! controllable clock, and agents created, removed, deactivated and re-activated.

use crate::helpers::*;
use serde_json::{Value, json};

async fn save(app: &TestApp, who: &Creds, bh: Value) -> Value {
    let message =
        json!({"msg": "method", "id": "1", "method": "livechat:saveBusinessHour", "params": [bh]});
    let r = app
        .post_as(
            who,
            "/api/v1/method.call/livechat:saveBusinessHour",
            json!({ "message": message.to_string() }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap()
}

async fn default_bh(app: &TestApp) -> Value {
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/business-hour?type=default")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["businessHour"].clone()
}

fn week(open: bool, start: &str, finish: &str) -> Value {
    let days = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    Value::Array(
        days.iter()
            .map(|d| json!({"day": d, "start": start, "finish": finish, "open": open}))
            .collect(),
    )
}

/// Saves the default business hour with these work hours and timezone.
async fn set_hours(app: &TestApp, work_hours: Value, tz: &str) {
    let mut bh = default_bh(app).await;
    bh["workHours"] = work_hours;
    bh["timezoneName"] = json!(tz);
    let frame = save(app, &app.admin, bh).await;
    assert!(frame.get("error").is_none(), "{frame}");
}

async fn me(app: &TestApp, who: &Creds) -> Value {
    app.get_as(who, "/api/v1/me").await.body
}

/// Waits (bounded) until the agent's document satisfies `f`: the business-hours worker
/// runs on its own tick after the test moves the clock.
async fn until(app: &TestApp, who: &Creds, f: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let doc = me(app, who).await;
        if f(&doc) {
            return doc;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("agent never reached the state: {}", me(app, who).await);
}

async fn user_info(app: &TestApp, who: &Creds) -> Value {
    let path = format!("/api/v1/users.info?userId={}", who.id);
    app.get_as(&app.admin, &path).await.body["user"].clone()
}

async fn status(app: &TestApp, who: &Creds, body: Value) -> Resp {
    app.post_as(who, "/api/v1/livechat/agent.status", body)
        .await
}

#[tokio::test]
async fn default_business_hour_document_and_access() {
    let app = TestApp::spawn().await;
    let bh = default_bh(&app).await;
    assert_eq!(bh["type"], "default");
    assert_eq!(bh["active"], true);
    assert_eq!(bh["timezone"]["name"], "UTC");
    let hours = bh["workHours"].as_array().unwrap();
    assert_eq!(hours.len(), 7);
    assert_eq!(hours[0]["day"], "Monday");
    assert_eq!(hours[0]["start"]["time"], "08:00");
    assert_eq!(hours[0]["finish"]["utc"]["time"], "20:00");
    assert_eq!(hours[0]["open"], true);
    assert_eq!(hours[6]["day"], "Sunday");
    assert_eq!(hours[6]["open"], false);
    assert_iso(&bh["ts"]);

    // An unknown type: no business hour.
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/business-hour?type=invalid")
        .await;
    assert_eq!(r.body, json!({"businessHour": null, "success": true}));

    // Agents may neither read nor save it.
    let agent = app.create_agent("bh.agent").await;
    let r = app
        .get_as(&agent, "/api/v1/livechat/business-hour?type=default")
        .await;
    assert_eq!(r.status, 403);
    let frame = save(&app, &agent, bh.clone()).await;
    assert_eq!(frame["error"]["error"], "error-not-allowed");

    // Saving converts the times to UTC in the given timezone; the order sent is kept.
    let mut b = bh.clone();
    b["workHours"] = week(true, "00:00", "23:59");
    b["workHours"][0]["day"] = json!("Sunday");
    b["timezoneName"] = json!("Asia/Kolkata");
    save(&app, &app.admin, b).await;
    let bh = default_bh(&app).await;
    assert_eq!(
        bh["timezone"],
        json!({"name": "Asia/Kolkata", "utc": "+05:30"})
    );
    assert_eq!(bh["workHours"][0]["day"], "Sunday");
    assert_eq!(bh["workHours"][0]["start"]["utc"]["dayOfWeek"], "Saturday");
    assert_eq!(bh["workHours"][0]["start"]["utc"]["time"], "18:30");
    assert_eq!(bh["workHours"][0]["finish"]["utc"]["dayOfWeek"], "Sunday");

    // A day that closes before (or when) it opens, and bad input, are refused; nothing saved.
    for (s, f, code) in [
        (
            "10:00",
            "09:00",
            "error-business-hour-finish-time-before-start-time",
        ),
        (
            "10:00",
            "10:00",
            "error-business-hour-finish-time-equals-start-time",
        ),
        ("1000", "11:00", "error-business-hour-invalid-time"),
    ] {
        let mut b = bh.clone();
        b["workHours"] = json!([{"day": "Monday", "start": s, "finish": f, "open": true}]);
        let frame = save(&app, &app.admin, b).await;
        assert_eq!(frame["error"]["error"], code, "{frame}");
    }
    let mut b = bh.clone();
    b["timezoneName"] = json!("Mars/Olympus");
    let frame = save(&app, &app.admin, b).await;
    assert_eq!(frame["error"]["error"], "error-invalid-timezone");
    assert_eq!(default_bh(&app).await, bh);
}

#[tokio::test]
async fn agents_follow_the_hours_on_the_clock() {
    // 2026-12-07 is a Monday.
    let app = TestApp::spawn_with_clock("2026-12-07T08:58:00.000Z").await;
    let agent = app.create_agent("clock.agent").await;
    let away = app.create_agent("away.agent").await;
    set_hours(
        &app,
        json!([{"day": "Monday", "start": "09:00", "finish": "17:00", "open": true}]),
        "UTC",
    )
    .await;
    app.set_setting("Livechat_enable_business_hours", json!(true))
        .await;

    // Closed: available agents are made unavailable and may not come back by themselves.
    let doc = me(&app, &agent).await;
    assert_eq!(doc["statusLivechat"], "not-available");
    let r = status(&app, &agent, json!({"status": "available"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "error-business-hours-are-closed"})
    );
    // Over DDP too.
    let message = json!({"msg": "method", "id": "1", "method": "livechat:changeLivechatStatus", "params": [{"status": "available"}]});
    let r = app
        .post_as(
            &agent,
            "/api/v1/method.call/livechat:changeLivechatStatus",
            json!({ "message": message.to_string() }),
        )
        .await;
    let frame: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
    assert_eq!(frame["error"]["error"], "error-business-hours-are-closed");
    assert_eq!(
        frame["error"]["details"],
        json!({"method": "livechat:changeLivechatStatus"})
    );
    // A manager's REST call changes nothing outside the hours (upstream fails silently).
    let r = status(
        &app,
        &app.admin,
        json!({"status": "available", "agentId": agent.id}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "not-available");
    // The visitor side sees nobody online.
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.body["config"]["online"], false);

    // 09:00: open. Both come back (they were available before the hours closed them).
    app.set_time("2026-12-07T09:00:00.000Z");
    let doc = until(&app, &agent, |d| d["statusLivechat"] == "available").await;
    let id = default_bh(&app).await["_id"].clone();
    assert_eq!(doc["openBusinessHours"], json!([id]));
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.body["config"]["online"], true);
    // One of them chooses to be away during the hours.
    let r = status(&app, &away, json!({"status": "not-available"})).await;
    assert_eq!(r.status, 200);

    // 17:00: closed again.
    app.set_time("2026-12-07T17:00:00.000Z");
    let doc = until(&app, &agent, |d| d["statusLivechat"] == "not-available").await;
    assert_eq!(doc["openBusinessHours"], json!([]));

    // Next Monday 09:00: the one who chose to be away stays away.
    app.set_time("2026-12-14T09:00:30.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "available").await;
    let doc = me(&app, &away).await;
    assert_eq!(doc["statusLivechat"], "not-available");
    assert_eq!(doc["openBusinessHours"], json!([id]));
    // ...and may become available now.
    let r = status(&app, &away, json!({"status": "available"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "available");

    // Turning business hours off: no agent keeps open business hours, anyone may be available.
    app.set_setting("Livechat_enable_business_hours", json!(false))
        .await;
    assert!(me(&app, &agent).await.get("openBusinessHours").is_none());
    app.set_time("2026-12-14T20:00:00.000Z");
    let r = status(&app, &agent, json!({"status": "not-available"})).await;
    assert_eq!(r.status, 200);
    let r = status(&app, &agent, json!({"status": "available"})).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn hours_in_a_timezone_across_midnight() {
    // Tokyo Monday 09:00 is Monday 00:00 UTC; Sunday 23:59 UTC is closed.
    let app = TestApp::spawn_with_clock("2026-12-06T23:59:00.000Z").await;
    let agent = app.create_agent("tokyo.agent").await;
    set_hours(
        &app,
        json!([
            {"day": "Monday", "start": "09:00", "finish": "17:00", "open": true},
            {"day": "Friday", "start": "09:00", "finish": "10:00", "open": true}
        ]),
        "Asia/Tokyo",
    )
    .await;
    app.set_setting("Livechat_enable_business_hours", json!(true))
        .await;
    assert_eq!(me(&app, &agent).await["statusLivechat"], "not-available");
    app.set_time("2026-12-07T00:00:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "available").await;
    app.set_time("2026-12-07T08:00:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "not-available").await;
}

#[tokio::test]
async fn hours_across_a_daylight_saving_change() {
    // Berlin: 09:00 local is 08:00 UTC before the 2027-03-28 change and 07:00 UTC after.
    let app = TestApp::spawn_with_clock("2027-03-26T07:00:00.000Z").await;
    let agent = app.create_agent("berlin.agent").await;
    app.set_setting("Livechat_enable_business_hours", json!(true))
        .await;
    set_hours(
        &app,
        json!([
            {"day": "Friday", "start": "09:00", "finish": "10:00", "open": true},
            {"day": "Monday", "start": "09:00", "finish": "10:00", "open": true}
        ]),
        "Europe/Berlin",
    )
    .await;
    assert_eq!(me(&app, &agent).await["statusLivechat"], "not-available");
    app.set_time("2027-03-26T08:30:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "available").await;
    app.set_time("2027-03-26T09:00:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "not-available").await;
    app.set_time("2027-03-29T07:30:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "available").await;
    app.set_time("2027-03-29T08:00:00.000Z");
    until(&app, &agent, |d| d["statusLivechat"] == "not-available").await;
}

#[tokio::test]
async fn agents_created_removed_deactivated_and_reactivated() {
    let app = TestApp::spawn_with_clock("2026-12-07T12:00:00.000Z").await;
    app.set_setting("Livechat_enable_business_hours", json!(true))
        .await;
    set_hours(&app, week(true, "00:00", "23:59"), "UTC").await;
    let id = default_bh(&app).await["_id"].clone();

    // A user created with the agent role joins the open business hour.
    let born = app
        .create_user("born.agent", &["user", "livechat-agent"])
        .await;
    let doc = me(&app, &born).await;
    assert_eq!(doc["openBusinessHours"], json!([id]));
    assert_eq!(doc["statusLivechat"], "available");

    // Removing the agent role clears the business hours and the livechat status.
    let r = app
        .req(
            reqwest::Method::DELETE,
            &format!("/api/v1/livechat/users/agent/{}", born.id),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let doc = me(&app, &born).await;
    assert!(doc.get("openBusinessHours").is_none(), "{doc}");
    assert!(doc.get("statusLivechat").is_none(), "{doc}");

    // Deactivated: unavailable, and no one may make it available.
    let agent = app.create_agent("active.agent").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": agent.id, "activeStatus": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"user": {"_id": agent.id, "active": false}, "success": true})
    );
    assert_eq!(
        user_info(&app, &agent).await["statusLivechat"],
        "not-available"
    );
    let r = status(
        &app,
        &app.admin,
        json!({"status": "available", "agentId": agent.id}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "error-user-deactivated");
    // The deactivated agent cannot call the API.
    assert_eq!(app.get_as(&agent, "/api/v1/me").await.status, 401);

    // Re-activated while open: available again.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": agent.id, "activeStatus": true}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(user_info(&app, &agent).await["statusLivechat"], "available");

    // Closed, then re-activated: unavailable.
    set_hours(&app, week(false, "00:00", "23:59"), "UTC").await;
    for active in [false, true] {
        app.post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": agent.id, "activeStatus": active}),
        )
        .await;
    }
    assert_eq!(
        user_info(&app, &agent).await["statusLivechat"],
        "not-available"
    );
    // A new agent while closed: not available, no open business hours.
    let late = app
        .create_user("late.agent", &["user", "livechat-agent"])
        .await;
    let doc = me(&app, &late).await;
    assert_eq!(doc["statusLivechat"], "not-available");
    assert!(doc.get("openBusinessHours").is_none());

    // The last admin stays active; only holders of the permission may change it.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": app.admin.id, "activeStatus": false}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-action-not-allowed");
    let r = app
        .post_as(
            &late,
            "/api/v1/users.setActiveStatus",
            json!({"userId": agent.id, "activeStatus": false}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.setActiveStatus",
            json!({"userId": agent.id}),
        )
        .await;
    assert_eq!(r.status, 400);
}
