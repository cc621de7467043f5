//! Issue 16: tags (upstream Enterprise's `livechat/tags` catalogue and `livechat:saveTag`,
//! given freely), tags on chats, and departments that require them before closing.

use crate::helpers::*;
use serde_json::{Value, json};

/// A method over `method.call`, answering its result (or its error).
async fn method(app: &TestApp, who: &Creds, name: &str, params: Value) -> Value {
    let message = json!({"msg": "method", "id": "1", "method": name, "params": params});
    let r = app
        .post_as(
            who,
            &format!("/api/v1/method.call/{name}"),
            json!({"message": message.to_string()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let frame: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
    if frame.get("error").is_some() {
        return json!({"error": frame["error"]});
    }
    frame["result"].clone()
}

async fn department(app: &TestApp, body: Value, agents: &[&Creds]) -> String {
    let mut d = json!({"enabled": true, "showOnRegistration": true, "showOnOfflineForm": true,
        "email": "d@example.com"});
    for (k, v) in body.as_object().unwrap() {
        d[k] = v.clone();
    }
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": d, "agents": agents.iter()
                .map(|a| json!({"agentId": a.id, "count": 0, "order": 0})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["department"]["_id"].as_str().unwrap().to_string()
}

fn names(body: &Value) -> Vec<String> {
    let mut n: Vec<String> = body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn catalogue_and_visibility() {
    let app = TestApp::spawn().await;
    let mary = app.create_agent("mary").await;
    let sales = department(&app, json!({"name": "sales"}), &[&mary]).await;
    let support = department(&app, json!({"name": "support"}), &[]).await;

    let vip = method(
        &app,
        &app.admin,
        "livechat:saveTag",
        json!([null, {"name": "vip", "description": "Important"}, []]),
    )
    .await;
    assert_eq!(vip["name"], "vip");
    assert_eq!(vip["description"], "Important");
    assert_eq!(vip["numDepartments"], 0);
    assert_eq!(vip["departments"], json!([]));
    assert!(vip["_updatedAt"]["$date"].is_i64(), "{vip}");
    let lead = method(
        &app,
        &app.admin,
        "livechat:saveTag",
        json!([null, {"name": "lead"}, [sales]]),
    )
    .await;
    assert_eq!(lead["numDepartments"], 1);
    method(
        &app,
        &app.admin,
        "livechat:saveTag",
        json!([null, {"name": "bug"}, [support]]),
    )
    .await;
    // Agents may not define tags.
    let r = method(
        &app,
        &mary,
        "livechat:saveTag",
        json!([null, {"name": "x"}, []]),
    )
    .await;
    assert_eq!(r["error"]["error"], "error-not-allowed");

    // Managers: all with viewAll, public ones without a department, a department's too.
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/tags?viewAll=true")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r.body), ["bug", "lead", "vip"]);
    assert_eq!(
        (r.body["count"].clone(), r.body["total"].clone()),
        (json!(3), json!(3))
    );
    let r = app.get_as(&app.admin, "/api/v1/livechat/tags").await;
    assert_eq!(names(&r.body), ["vip"]);
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/tags?department={sales}"),
        )
        .await;
    assert_eq!(names(&r.body), ["lead", "vip"]);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/tags?viewAll=true&text=IMPORT")
        .await;
    assert_eq!(names(&r.body), ["vip"]);
    // An agent: public ones and its departments'; viewAll means nothing without the right.
    let r = app
        .get_as(&mary, "/api/v1/livechat/tags?viewAll=true")
        .await;
    assert_eq!(names(&r.body), ["lead", "vip"]);
    let r = app
        .get_as(
            &mary,
            &format!("/api/v1/livechat/tags?department={support}"),
        )
        .await;
    assert_eq!(names(&r.body), ["lead", "vip"]);

    // One tag, flat.
    let id = lead["_id"].as_str().unwrap();
    let r = app
        .get_as(&mary, &format!("/api/v1/livechat/tags/{id}"))
        .await;
    assert_eq!(r.body["name"], "lead");
    assert_eq!(r.body["departments"], json!([sales]));
    assert_eq!(r.body["success"], true);

    // Removal: the method and the REST route; canned responses lose the tag.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/canned-responses",
            json!({"shortcut": "s", "text": "t", "scope": "global", "tags": ["lead", "other"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        method(&app, &app.admin, "livechat:removeTag", json!([id])).await,
        json!(true)
    );
    let r = method(&app, &app.admin, "livechat:removeTag", json!([id])).await;
    assert_eq!(r["error"]["error"], "tag-not-found");
    let r = app.get_as(&mary, "/api/v1/canned-responses.get").await;
    assert_eq!(r.body["responses"][0]["tags"], json!(["other"]));
    let vid = vip["_id"].as_str().unwrap();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/tags.remove",
            json!({"id": vid}),
        )
        .await;
    assert_eq!(r.body, json!({"success": true}));
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/tags.remove",
            json!({"id": vid}),
        )
        .await;
    assert_eq!(r.body, json!({"success": false, "error": "Tag not found"}));
    let r = app
        .post_as(&mary, "/api/v1/livechat/tags.remove", json!({"id": vid}))
        .await;
    assert_eq!(r.status, 403);
    let r = app.get("/api/v1/livechat/tags").await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn departments_requiring_tags_before_closing() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let dep = department(
        &app,
        json!({"name": "billing", "requestTagBeforeClosingChat": true,
            "chatClosingTags": ["billing"]}),
        &[&agent],
    )
    .await;
    app.set_setting(
        "Livechat_request_comment_when_closing_conversation",
        false.into(),
    )
    .await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok", "name": "Mary", "department": dep}}),
    )
    .await;
    let room = app.room("tok").await.body["room"].clone();
    let rid = room["_id"].as_str().unwrap().to_string();
    assert_eq!(room["departmentId"], dep.as_str());

    let close = |tags: Option<Value>| {
        let (app, agent, rid) = (&app, &agent, rid.clone());
        async move {
            let mut body = json!({"rid": rid, "comment": "done"});
            if let Some(t) = tags {
                body["tags"] = t;
            }
            app.post_as(agent, "/api/v1/livechat/room.closeByUser", body)
                .await
        }
    };
    let r = close(None).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "error-tags-must-be-assigned-before-closing-chat"})
    );
    let r = close(Some(json!([]))).await;
    assert_eq!(r.status, 400);

    // Tags put on the chat earlier count; the department's closing tags are added.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.saveInfo",
            json!({"roomData": {"_id": rid, "tags": ["vip"]}, "guestData": {"_id": room["v"]["_id"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = close(Some(json!(["refund"]))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(&app.admin, &format!("/api/v1/rooms.info?roomId={rid}"))
        .await;
    let mut tags: Vec<String> = serde_json::from_value(r.body["room"]["tags"].clone()).unwrap();
    tags.sort();
    assert_eq!(tags, ["billing", "refund", "vip"]);

    // Tags filter the history.
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?tags[]=refund")
        .await;
    assert_eq!(r.body["rooms"].as_array().unwrap().len(), 1, "{}", r.text);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/rooms?tags[]=other")
        .await;
    assert_eq!(r.body["rooms"], json!([]));
}

#[tokio::test]
async fn closing_tags_are_added_without_the_requirement() {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    let dep = department(
        &app,
        json!({"name": "sales", "chatClosingTags": ["sales"]}),
        &[&agent],
    )
    .await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "tok", "name": "Mary", "department": dep}}),
    )
    .await;
    let rid = app.room("tok").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(&app.admin, &format!("/api/v1/rooms.info?roomId={rid}"))
        .await;
    assert_eq!(r.body["room"]["tags"], json!(["sales"]));
}
