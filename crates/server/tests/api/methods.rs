//! DDP methods over REST (`method.call`, `method.callAnon`) and over `/websocket`: one
//! method table, upstream's answers (the DDP frame as an EJSON string, errors inside it).

use crate::helpers::*;
use crate::realtime::Ddp;
use ferrochat::time::Ts;
use serde_json::{Value, json};

/// `POST method.call/:m` (or `callAnon` without `who`), answering the parsed DDP frame.
async fn call(app: &TestApp, who: Option<&Creds>, method: &str, params: Value) -> Value {
    let message = json!({"msg": "method", "id": "id", "method": method, "params": params});
    let body = json!({ "message": message.to_string() });
    let r = match who {
        Some(c) => {
            app.post_as(c, &format!("/api/v1/method.call/{method}"), body)
                .await
        }
        None => {
            app.post(&format!("/api/v1/method.callAnon/{method}"), body)
                .await
        }
    };
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["success"], true);
    let frame: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
    assert_eq!(frame["msg"], "result");
    assert_eq!(frame["id"], "id");
    frame
}

#[tokio::test]
async fn bridge_envelopes_and_bad_bodies() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/method.call/x";
    let r = app.post(path, json!({"message": "{}"})).await;
    assert_eq!(r.status, 401);

    let r = app.post_as(&app.admin, path, json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "must have required property 'message' [invalid-params]", "errorType": "invalid-params"})
    );
    let r = app
        .post_as(&app.admin, path, json!({"message": "{}", "x": 1}))
        .await;
    assert_eq!(r.body["errorType"], "invalid-params");

    let r = app
        .post_as(&app.admin, path, json!({"message": "nope"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "Unexpected token 'o', \"nope\" is not valid JSON"
    );
    let r = app.post_as(&app.admin, path, json!({"message": ""})).await;
    assert_eq!(r.body["error"], "Unexpected end of JSON input");

    // Not a method frame (params not an array, a key missing or extra): `Invalid method call`.
    for bad in [
        json!({"msg": "method", "id": "1", "method": "m", "params": {}}),
        json!({"id": "1", "method": "m", "params": []}),
        json!({"msg": "method", "id": "1", "method": "m", "params": [], "more": 1}),
        json!({"msg": "sub", "id": "1", "method": "m", "params": []}),
    ] {
        let r = app
            .post_as(&app.admin, path, json!({"message": bad.to_string()}))
            .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(
            r.body,
            json!({"success": false, "error": "Invalid method call"})
        );
    }

    // An unknown method is a method error: 200, inside the frame.
    let frame = call(&app, Some(&app.admin), "nope", json!([])).await;
    assert_eq!(
        frame,
        json!({"msg": "result", "id": "id", "error": {
            "isClientSafe": true, "error": 404, "reason": "Method 'nope' not found",
            "message": "Method 'nope' not found [404]", "errorType": "Meteor.Error"
        }})
    );
    // callAnon runs without a user, credentials or not.
    let frame = call(
        &app,
        None,
        "livechat:changeLivechatStatus",
        json!([{"status": "available"}]),
    )
    .await;
    assert_eq!(frame["error"]["error"], "error-not-allowed");
    assert_eq!(
        frame["error"]["details"],
        json!({"method": "livechat:changeLivechatStatus"})
    );
}

async fn status_of(app: &TestApp, c: &Creds) -> Value {
    let r = app.get_as(c, "/api/v1/me").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["statusLivechat"].clone()
}

#[tokio::test]
async fn change_livechat_status_as_upstream() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let other = app.create_agent("agent2").await;
    let plain = app.create_user("plain", &[]).await;
    let m = "livechat:changeLivechatStatus";

    let f = call(
        &app,
        Some(&plain),
        m,
        json!([{"status": "available", "agentId": plain.id}]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
    assert_eq!(f["error"]["reason"], "Invalid Agent Id");
    assert_eq!(
        f["error"]["message"],
        "Invalid Agent Id [error-not-allowed]"
    );
    let f = call(
        &app,
        Some(&agent),
        m,
        json!([{"status": "invalid-status", "agentId": agent.id}]),
    )
    .await;
    assert_eq!(f["error"]["reason"], "Invalid Status");
    let f = call(
        &app,
        Some(&agent),
        m,
        json!([{"status": "available", "agentId": "invalid-agent-id"}]),
    )
    .await;
    assert_eq!(f["error"]["reason"], "Invalid Agent Id");

    // Own status, toggled when none is given; no change answers nothing.
    assert_eq!(status_of(&app, &agent).await, "available");
    let f = call(&app, Some(&agent), m, json!([{}])).await;
    assert!(f.get("error").is_none(), "{f}");
    assert_eq!(f["result"]["modifiedCount"], 1);
    assert_eq!(status_of(&app, &agent).await, "not-available");
    let f = call(&app, Some(&agent), m, json!([{"status": "not-available"}])).await;
    assert_eq!(f, json!({"msg": "result", "id": "id"}));

    // Another agent's: only with manage-livechat-agents (the admin).
    let f = call(
        &app,
        Some(&other),
        m,
        json!([{"status": "available", "agentId": agent.id}]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
    assert_eq!(f["error"]["reason"], "Not allowed");
    assert_eq!(status_of(&app, &agent).await, "not-available");
    let f = call(
        &app,
        Some(&app.admin),
        m,
        json!([{"status": "available", "agentId": agent.id}]),
    )
    .await;
    assert!(f.get("error").is_none(), "{f}");
    assert_eq!(status_of(&app, &agent).await, "available");

    // The same table over DDP.
    let mut d = Ddp::open(&app).await;
    let login = d.call("login", json!([{"resume": agent.token}])).await;
    assert!(login.get("error").is_none(), "{login}");
    let r = d.call(m, json!([{"status": "bogus"}])).await;
    assert_eq!(r["error"]["reason"], "Invalid Status");
    assert_eq!(r["error"]["errorType"], "Meteor.Error");
    let r = d.call(m, json!([{"status": "not-available"}])).await;
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(status_of(&app, &agent).await, "not-available");
}

#[tokio::test]
async fn custom_fields_through_methods() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let data = json!({"field": "address", "label": "Address", "scope": "visitor",
        "visibility": "public", "regexp": "", "searchable": true, "defaultValue": "x"});
    let f = call(
        &app,
        Some(&agent),
        "livechat:saveCustomField",
        json!([null, data]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
    assert_eq!(
        f["error"]["details"],
        json!({"method": "livechat:saveCustomField"})
    );

    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!([null, data]),
    )
    .await;
    assert_eq!(f["result"]["_id"], "address");
    assert_eq!(f["result"]["label"], "Address");
    assert!(f["result"]["_updatedAt"]["$date"].is_i64(), "{f}");
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/custom-fields/address")
        .await;
    assert_eq!(r.body["customField"]["label"], "Address", "{}", r.text);

    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!([null, data]),
    )
    .await;
    assert_eq!(
        f["error"]["error"],
        "error-custom-field-name-already-exists"
    );
    let mut bad = data.clone();
    bad["field"] = json!("bad name");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!([null, bad]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-invalid-custom-field-name");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!(["nope", data]),
    )
    .await;
    assert_eq!(f["error"]["reason"], "Custom Field Not found");
    // A check() failure: the Match.Error itself, as EJSON writes it.
    let mut missing = data.clone();
    missing.as_object_mut().unwrap().remove("searchable");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!([null, missing]),
    )
    .await;
    assert_eq!(
        f["error"],
        json!({"message": "Match error: Missing key 'searchable'", "path": "",
            "sanitizedError": {"isClientSafe": true, "error": 400, "reason": "Match failed",
                "message": "Match failed [400]", "errorType": "Meteor.Error"},
            "errorType": "Match.Error"})
    );
    let mut edit = data.clone();
    edit["label"] = json!("Street");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveCustomField",
        json!(["address", edit]),
    )
    .await;
    assert_eq!(f["result"]["label"], "Street");

    let f = call(
        &app,
        Some(&app.admin),
        "livechat:removeCustomField",
        json!(["address"]),
    )
    .await;
    assert_eq!(
        f["result"],
        json!({"acknowledged": true, "deletedCount": 1})
    );
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:removeCustomField",
        json!(["address"]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-invalid-custom-field");
    assert_eq!(f["error"]["reason"], "Custom field not found");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:removeCustomField",
        json!([]),
    )
    .await;
    assert_eq!(
        f["error"]["message"],
        "Match error: Expected string, got undefined"
    );
}

/// A visitor's room, served by `agent1` (created and available).
async fn served_room(app: &TestApp, token: &str) -> String {
    app.visitor(token).await;
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn room_methods_send_return_and_transcripts() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let rid = served_room(&app, "tok-1").await;

    // sendMessage: the agent answers in its room; the message comes back as EJSON.
    let f = call(
        &app,
        Some(&agent),
        "sendMessage",
        json!([{"rid": rid, "msg": "hello"}]),
    )
    .await;
    assert_eq!(f["result"]["msg"], "hello", "{f}");
    assert_eq!(f["result"]["rid"], rid.as_str());
    assert_eq!(f["result"]["u"]["username"], "agent1");
    assert!(f["result"]["ts"]["$date"].is_i64(), "{f}");
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=tok-1"
        ))
        .await;
    assert!(r.text.contains("hello"), "{}", r.text);
    let stranger = app.create_agent("agent2").await;
    let f = call(
        &app,
        Some(&stranger),
        "sendMessage",
        json!([{"rid": rid, "msg": "x"}]),
    )
    .await;
    assert!(f["error"]["error"].is_string(), "{f}");
    let f = call(&app, None, "sendMessage", json!([{"rid": rid, "msg": "x"}])).await;
    assert_eq!(f["error"]["error"], "error-invalid-user");

    // Transcripts: argument checks first, then the permission, then the room.
    let f = call(&app, Some(&agent), "livechat:sendTranscript", json!([])).await;
    assert_eq!(f["error"]["errorType"], "Match.Error");
    let f = call(
        &app,
        Some(&agent),
        "livechat:sendTranscript",
        json!(["t", "r", "e", "s"]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:sendTranscript",
        json!(["t", "nope", "a@example.com", "s"]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-invalid-room");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:sendTranscript",
        json!(["other", rid, "a@example.com", "s"]),
    )
    .await;
    assert_eq!(f["error"], json!({}), "a plain Error serialises as {{}}");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:sendTranscript",
        json!(["tok-1", rid, "a@example.com", "s"]),
    )
    .await;
    assert_eq!(f["result"], true, "{f}");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:requestTranscript",
        json!([rid, "a@example.com", "Your chat"]),
    )
    .await;
    assert_eq!(f["result"], true, "{f}");

    // returnAsInquiry: permission, a livechat room, open; `true` once moved back.
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:returnAsInquiry",
        json!(["nope"]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-invalid-room");
    let plain = app.create_user("plain", &[]).await;
    let f = call(&app, Some(&plain), "livechat:returnAsInquiry", json!([rid])).await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
    let f = call(&app, Some(&agent), "livechat:returnAsInquiry", json!([rid])).await;
    assert_eq!(f["result"], true, "{f}");
    let rid2 = served_room(&app, "tok-2").await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid2, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:returnAsInquiry",
        json!([rid2]),
    )
    .await;
    assert_eq!(f["error"]["error"], "room-closed");
}

#[tokio::test]
async fn save_trigger_method() {
    let app = TestApp::spawn().await;
    let trigger = json!({"name": "t1", "description": "d", "enabled": true, "runOnce": false,
        "conditions": [{"name": "page-url", "value": "x"}],
        "actions": [{"name": "send-message", "params": {"sender": "queue", "msg": "hi"}}]});
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveTrigger",
        json!([trigger]),
    )
    .await;
    assert_eq!(f["result"], true, "{f}");
    let r = app.get_as(&app.admin, "/api/v1/livechat/triggers").await;
    assert_eq!(r.body["triggers"][0]["name"], "t1", "{}", r.text);
    let mut extra = trigger.clone();
    extra["x"] = json!(1);
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveTrigger",
        json!([extra]),
    )
    .await;
    assert_eq!(f["error"]["message"], "Match error: Unknown key 'x'");
    let agent = app.create_agent("agent1").await;
    let f = call(&app, Some(&agent), "livechat:saveTrigger", json!([trigger])).await;
    assert_eq!(f["error"]["error"], "error-not-allowed");
}

#[tokio::test]
async fn visitor_methods_register_history_login() {
    let app = TestApp::spawn().await;
    let f = call(&app, None, "livechat:registerGuest", json!([{}])).await;
    assert_eq!(f["error"]["error"], "error-invalid-token");
    let f = call(
        &app,
        None,
        "livechat:registerGuest",
        json!([{"token": "tok-9", "name": "Ann", "email": "ann@example.com"}]),
    )
    .await;
    let v = &f["result"]["visitor"];
    assert_eq!(v["token"], "tok-9", "{f}");
    assert_eq!(v["name"], "Ann");
    assert_eq!(v["visitorEmails"][0]["address"], "ann@example.com");
    assert_eq!(f["result"]["userId"], v["_id"]);
    assert!(v.get("ip").is_none() && v.get("userAgent").is_none(), "{v}");

    let f = call(&app, None, "livechat:loginByToken", json!(["tok-9"])).await;
    assert_eq!(f["result"], json!({"_id": v["_id"]}));
    let f = call(&app, None, "livechat:loginByToken", json!(["nobody"])).await;
    assert_eq!(f, json!({"msg": "result", "id": "id"}));
    let f = call(
        &app,
        None,
        "livechat:loginByToken",
        json!([{"$regex": ".*"}]),
    )
    .await;
    assert_eq!(f["error"]["errorType"], "Match.Error");
    assert!(f.get("result").is_none());

    app.create_agent("agent1").await;
    let rid = served_room(&app, "tok-9").await;
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "tok-9", "rid": rid, "msg": "from visitor"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let f = call(
        &app,
        None,
        "livechat:loadHistory",
        json!([{"token": "tok-9", "rid": rid}]),
    )
    .await;
    let msgs = f["result"]["messages"].as_array().unwrap();
    assert!(msgs.iter().any(|m| m["msg"] == "from visitor"), "{f}");
    assert!(msgs[0]["ts"]["$date"].is_i64(), "{f}");
    let f = call(
        &app,
        None,
        "livechat:loadHistory",
        json!([{"token": "tok-9", "rid": {"$regex": ".*"}}]),
    )
    .await;
    assert!(f.get("error").is_some() && f.get("result").is_none(), "{f}");
    let f = call(
        &app,
        None,
        "livechat:loadHistory",
        json!([{"token": "nobody", "rid": rid}]),
    )
    .await;
    assert_eq!(f["error"]["error"], "invalid-visitor");
    let f = call(
        &app,
        None,
        "livechat:loadHistory",
        json!([{"token": "tok-9", "rid": "other"}]),
    )
    .await;
    assert_eq!(f["error"]["error"], "invalid-room");
    let f = call(&app, None, "livechat:loadHistory", json!([{"rid": rid}])).await;
    assert_eq!(f, json!({"msg": "result", "id": "id"}));
}

#[tokio::test]
async fn save_department_method() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let data = json!({"enabled": true, "email": "sales@example.com", "showOnRegistration": true,
        "showOnOfflineForm": true, "name": "Sales", "description": "created from api",
        "allowReceiveForwardOffline": false});
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveDepartment",
        json!([null, data, [{"agentId": agent.id, "count": 0, "order": 0}]]),
    )
    .await;
    let d = &f["result"];
    assert_eq!(d["name"], "Sales", "{f}");
    assert_eq!(d["numAgents"], 1, "{f}");
    assert!(d["_updatedAt"]["$date"].is_i64(), "dates as EJSON: {f}");
    let id = d["_id"].as_str().unwrap().to_string();
    let r = app
        .get_as(&app.admin, &format!("/api/v1/livechat/department/{id}"))
        .await;
    assert_eq!(
        r.body["agents"][0]["agentId"],
        agent.id.as_str(),
        "{}",
        r.text
    );

    // An update by id, without touching the agents.
    let mut renamed = data.clone();
    renamed["name"] = json!("Sales EU");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveDepartment",
        json!([id, renamed]),
    )
    .await;
    assert_eq!(f["result"]["name"], "Sales EU", "{f}");
    assert_eq!(f["result"]["numAgents"], 1, "{f}");

    // An empty id creates, as upstream's `_id ? … : null` (its e2e helpers send "").
    let mut other = data.clone();
    other["name"] = json!("Support");
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveDepartment",
        json!(["", other, [], null]),
    )
    .await;
    assert_eq!(f["result"]["name"], "Support", "{f}");
    assert_ne!(f["result"]["_id"], json!(id), "{f}");

    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveDepartment",
        json!([5, data]),
    )
    .await;
    assert_eq!(
        f["error"]["message"], "Match error: Expected string, got number",
        "{f}"
    );
    let f = call(
        &app,
        Some(&agent),
        "livechat:saveDepartment",
        json!([null, data]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed", "{f}");
}

#[tokio::test]
async fn save_agent_info_method() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let dept = |name: &str| {
        json!({"enabled": true, "email": format!("{name}@example.com"), "showOnRegistration": true,
            "showOnOfflineForm": true, "name": name})
    };
    let mut ids = Vec::new();
    for name in ["Sales", "Support"] {
        let f = call(
            &app,
            Some(&app.admin),
            "livechat:saveDepartment",
            json!([null, dept(name), [{"agentId": agent.id}]]),
        )
        .await;
        ids.push(f["result"]["_id"].as_str().unwrap().to_string());
    }
    // The agent's data (empty values left out) and exactly the departments listed.
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveAgentInfo",
        json!([agent.id, {"maxNumberSimultaneousChat": "4", "note": ""}, [ids[1]]]),
    )
    .await;
    assert_eq!(f["result"], true, "{f}");
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/users/agent/{}", agent.id),
        )
        .await;
    assert_eq!(
        r.body["user"]["livechat"],
        json!({"maxNumberSimultaneousChat": 4}),
        "{}",
        r.text
    );
    let r = app.get_as(&app.admin, "/api/v1/livechat/users/agent").await;
    assert_eq!(
        r.body["users"][0]["livechat"]["maxNumberSimultaneousChat"], 4,
        "{}",
        r.text
    );
    assert_eq!(
        r.body["users"][0]["departments"],
        json!([ids[1]]),
        "{}",
        r.text
    );
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/department/{}/agents", ids[0]),
        )
        .await;
    assert_eq!(r.body["agents"], json!([]), "{}", r.text);

    // Checks in upstream's order: arguments, permission, the user being an agent.
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveAgentInfo",
        json!([agent.id, {}, "x"]),
    )
    .await;
    assert_eq!(
        f["error"]["message"], "Match error: Expected array, got string",
        "{f}"
    );
    let f = call(
        &app,
        Some(&agent),
        "livechat:saveAgentInfo",
        json!([agent.id, {}, []]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-not-allowed", "{f}");
    let plain = app.create_user("plain", &["user"]).await;
    let f = call(
        &app,
        Some(&app.admin),
        "livechat:saveAgentInfo",
        json!([plain.id, {}, []]),
    )
    .await;
    assert_eq!(f["error"]["error"], "error-user-is-not-agent", "{f}");
    assert_eq!(f["error"]["reason"], "User is not a livechat agent", "{f}");
    assert_eq!(
        f["error"]["details"]["method"], "livechat:saveAgentInfo",
        "{f}"
    );
}

#[tokio::test]
async fn load_history_for_agents_keeps_system_messages() {
    let app = TestApp::spawn_with_clock("2026-03-02T10:00:00.000Z").await;
    app.create_agent("agent1").await;
    let b = app.create_agent("agent2").await;
    let rid = served_room(&app, "tok-1").await;
    for (i, msg) in ["one", "two", "three"].iter().enumerate() {
        app.set_time(&format!("2026-03-02T10:00:0{}.000Z", i + 1));
        app.post(
            "/api/v1/livechat/message",
            json!({"token": "tok-1", "rid": rid, "msg": msg}),
        )
        .await;
    }
    app.set_time("2026-03-02T10:00:05.000Z");
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/room.forward",
            json!({"roomId": rid, "userId": b.id, "comment": "billing"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let texts = |f: &Value| -> Vec<String> {
        f["result"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                m["t"]
                    .as_str()
                    .map(|t| format!("[{t}]"))
                    .unwrap_or_else(|| m["msg"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let who = &b;
    let f = call(&app, Some(who), "loadHistory", json!([rid, null, 20, null])).await;
    let all = texts(&f);
    assert!(
        all.windows(3).any(|w| w == ["three", "two", "one"]),
        "newest first: {all:?}"
    );
    assert_eq!(all[0], "[ul]", "{all:?}");
    assert!(
        all.contains(&"[livechat_transfer_history]".to_string()),
        "system messages kept: {all:?}"
    );
    assert_eq!(f["result"]["unreadNotLoaded"], 0);
    let first = &f["result"]["messages"][0];
    assert!(first["ts"]["$date"].is_i64(), "EJSON dates: {first}");

    // Before `end`, at most `limit`.
    let end = json!({"$date": Ts::parse_iso("2026-03-02T10:00:03.000Z").unwrap().millis()});
    let f = call(&app, Some(who), "loadHistory", json!([rid, end, 1])).await;
    assert_eq!(texts(&f), ["two"]);

    // Somebody who may not open the room gets `false`; a bad room id a match error.
    let other = app.create_agent("agent3").await;
    let f = call(&app, Some(&other), "loadHistory", json!([rid])).await;
    assert_eq!(f["result"], false);
    let f = call(&app, Some(who), "loadHistory", json!(["nope"])).await;
    assert_eq!(f["result"], false);
    let f = call(&app, Some(who), "loadHistory", json!([{"$gt": ""}])).await;
    assert!(f["error"].is_object(), "{f}");
}
