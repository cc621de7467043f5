//! `room.survey`: answers checked against config's survey, stored as `surveyFeedback`.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};

/// The stored room as the agent side lists it.
pub async fn room_doc(app: &TestApp, rid: &str) -> Value {
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?count=0")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|room| room["_id"] == rid)
        .cloned()
        .unwrap_or_else(|| panic!("room {rid} not listed"))
}

async fn open_room(app: &TestApp, token: &str) -> String {
    app.visitor(token).await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn survey_answers_follow_config_and_replace_earlier_ones() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;

    // The items and values the widget gets from config are the ones accepted.
    let cfg = app.get("/api/v1/livechat/config").await;
    assert_eq!(
        cfg.body["config"]["survey"],
        json!({"items": ["satisfaction", "agentKnowledge", "agentResposiveness", "agentFriendliness"],
               "values": ["1", "2", "3", "4", "5"]})
    );

    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": rid, "data": [
                {"name": "satisfaction", "value": "5"},
                {"name": "agentKnowledge", "value": "9"},
                {"name": "question", "value": "answer"},
                {"name": "additionalFeedback", "value": "great help"},
                {"name": "agentKnowledge", "value": "3"}
            ]}),
        )
        .await;
    assert_eq!(
        r.text,
        format!(
            r#"{{"rid":"{rid}","data":{{"satisfaction":"5","additionalFeedback":"great help","agentKnowledge":"3"}},"success":true}}"#
        )
    );
    assert_eq!(
        room_doc(&app, &rid).await["surveyFeedback"],
        json!({"satisfaction": "5", "additionalFeedback": "great help", "agentKnowledge": "3"})
    );

    // A second survey replaces the whole object.
    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": rid, "data": [{"name": "agentFriendliness", "value": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        room_doc(&app, &rid).await["surveyFeedback"],
        json!({"agentFriendliness": "1"})
    );
}

#[tokio::test]
async fn survey_is_allowed_after_the_room_is_closed() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": "v1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": rid, "data": [{"name": "satisfaction", "value": "4"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"], json!({"satisfaction": "4"}));
}

#[tokio::test]
async fn survey_errors_are_upstreams() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    let rid = open_room(&app, "v1").await;
    let other = open_room(&app, "v2").await;
    let good = json!([{"name": "satisfaction", "value": "5"}]);

    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "nobody", "rid": rid, "data": good}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (400, r#"{"success":false,"error":"invalid-token"}"#)
    );
    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": "invalid-rid", "data": good}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    // Another visitor's room is not this visitor's to rate.
    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": other, "data": good}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    assert!(room_doc(&app, &other).await.get("surveyFeedback").is_none());
    let r = app
        .post(
            "/api/v1/livechat/room.survey",
            json!({"token": "v1", "rid": rid, "data": [{"name": "question", "value": "answer"}]}),
        )
        .await;
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-data"}"#);

    for (body, err) in [
        (
            json!({}),
            "must have required property 'token'\n must have required property 'rid'\n must have required property 'data' [invalid-params]",
        ),
        (
            json!({"token": "v1", "rid": rid, "data": []}),
            "must NOT have fewer than 1 item [invalid-params]",
        ),
        (
            json!({"token": "v1", "rid": rid, "data": [{"name": "satisfaction"}]}),
            "must have required property 'value' [invalid-params]",
        ),
        (
            json!({"token": "v1", "rid": rid, "data": good, "x": 1}),
            "must NOT have additional properties [invalid-params]",
        ),
        (
            json!({"token": "v1", "rid": rid, "data": "5"}),
            "must be array [invalid-params]",
        ),
    ] {
        let r = app
            .req(
                Method::POST,
                "/api/v1/livechat/room.survey",
                None,
                Some(body),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], err);
        assert_eq!(r.body["errorType"], "invalid-params");
    }
}
