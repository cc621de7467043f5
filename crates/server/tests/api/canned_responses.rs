//! Issue 16: canned responses (upstream Enterprise's `canned-responses` API, given freely):
//! scopes, visibility, upstream's errors, and the `stream-canned-responses` notifications.

use crate::helpers::*;
use crate::realtime::Ddp;
use reqwest::Method;
use serde_json::{Value, json};

async fn save(app: &TestApp, who: &Creds, body: Value) -> Resp {
    app.post_as(who, "/api/v1/canned-responses", body).await
}

async fn department(app: &TestApp, name: &str, agents: &[&Creds]) -> String {
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({
                "department": {"enabled": true, "name": name, "showOnRegistration": true,
                    "showOnOfflineForm": true, "email": format!("{name}@example.com")},
                "agents": agents.iter().map(|a| json!({"agentId": a.id, "count": 0, "order": 0}))
                    .collect::<Vec<_>>(),
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["department"]["_id"].as_str().unwrap().to_string()
}

fn shortcuts(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["shortcut"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn scopes_visibility_and_errors() {
    let app = TestApp::spawn().await;
    let mary = app.create_agent("mary").await;
    let john = app.create_agent("john").await;
    let sales = department(&app, "sales", &[&mary]).await;

    // Upstream's document, `{}` answers.
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "hello", "text": "Hello {{contact.name}}!", "scope": "global"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"success": true}));
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "price", "text": "Our prices", "scope": "department",
            "departmentId": sales, "tags": ["sales"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = save(
        &app,
        &mary,
        json!({"shortcut": "mine", "text": "Mary's own", "scope": "user", "departmentId": sales}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = app.get_as(&mary, "/api/v1/canned-responses.get").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(shortcuts(&r.body, "responses"), ["hello", "mine", "price"]);
    let mine = r.body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["shortcut"] == "mine")
        .unwrap()
        .clone();
    assert_eq!(mine["scope"], "user");
    assert_eq!(mine["userId"], mary.id.as_str());
    assert_eq!(mine["tags"], json!([]));
    assert!(mine.get("departmentId").is_none(), "{mine}");
    assert_eq!(
        mine["createdBy"],
        json!({"_id": mary.id, "username": "mary"})
    );
    assert_iso(&mine["_createdAt"]);
    assert_iso(&mine["_updatedAt"]);
    // John is in no department: the global one only; the admin sees every department's.
    let r = app.get_as(&john, "/api/v1/canned-responses.get").await;
    assert_eq!(shortcuts(&r.body, "responses"), ["hello"]);
    let r = app.get_as(&app.admin, "/api/v1/canned-responses.get").await;
    assert_eq!(shortcuts(&r.body, "responses"), ["hello", "price"]);

    // Filters, paging and the total.
    let r = app
        .get_as(&mary, "/api/v1/canned-responses?text=PRICE&count=10")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(shortcuts(&r.body, "cannedResponses"), ["price"]);
    assert_eq!(
        (r.body["count"].clone(), r.body["total"].clone()),
        (json!(1), json!(1))
    );
    let r = app
        .get_as(&mary, "/api/v1/canned-responses?tags[]=sales")
        .await;
    assert_eq!(shortcuts(&r.body, "cannedResponses"), ["price"]);
    let r = app
        .get_as(&mary, "/api/v1/canned-responses?scope=user")
        .await;
    assert_eq!(shortcuts(&r.body, "cannedResponses"), ["mine"]);
    let r = app
        .get_as(
            &mary,
            "/api/v1/canned-responses?sort=%7B%22shortcut%22%3A-1%7D&count=2&offset=1",
        )
        .await;
    assert_eq!(shortcuts(&r.body, "cannedResponses"), ["mine", "hello"]);
    assert_eq!(
        (r.body["offset"].clone(), r.body["total"].clone()),
        (json!(1), json!(3))
    );

    // One by id: only when visible.
    let id = mine["_id"].as_str().unwrap();
    let r = app
        .get_as(&mary, &format!("/api/v1/canned-responses/{id}"))
        .await;
    assert_eq!(r.body["cannedResponse"]["shortcut"], "mine");
    let r = app
        .get_as(&john, &format!("/api/v1/canned-responses/{id}"))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({"success": false, "error": "Resource not found"})
    );

    // Upstream's refusals.
    let r = save(
        &app,
        &mary,
        json!({"shortcut": "x", "text": "t", "scope": "global"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "errorType": "error-not-allowed",
            "error": "Not allowed to modify canned responses on *global* scope [error-not-allowed]",
            "details": {"method": "saveCannedResponse"}})
    );
    let r = save(
        &app,
        &mary,
        json!({"shortcut": "x", "text": "t", "scope": "department", "departmentId": sales}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "Not allowed to modify canned responses on *department* scope [error-not-allowed]"
    );
    let r = save(
        &app,
        &john,
        json!({"shortcut": "hello", "text": "t", "scope": "user"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "Shortcut provided already exists [error-invalid-shortcut]"
    );
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "d", "text": "t", "scope": "department"}),
    )
    .await;
    assert_eq!(
        r.body["error"],
        "Invalid department [error-invalid-department]"
    );
    let r = save(&app, &app.admin, json!({"shortcut": "d", "text": "t"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'scope' [invalid-params]"
    );
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "d", "text": "t", "scope": "user", "tags": "x"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app
        .post("/api/v1/canned-responses", json!({"shortcut": "d"}))
        .await;
    assert_eq!(r.status, 401);

    // Update keeps the owner and creation; the shortcut may stay the same.
    let r = save(
        &app,
        &mary,
        json!({"_id": id, "shortcut": "mine", "text": "Changed", "scope": "user"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get_as(&mary, &format!("/api/v1/canned-responses/{id}"))
        .await;
    assert_eq!(r.body["cannedResponse"]["text"], "Changed");
    assert_eq!(r.body["cannedResponse"]["_createdAt"], mine["_createdAt"]);

    // Delete: body `_id`; unknown ids are refused.
    let del = |who: Creds, body: Value| {
        let app = &app;
        async move {
            app.req(
                Method::DELETE,
                "/api/v1/canned-responses",
                Some(&who),
                Some(body),
            )
            .await
        }
    };
    let r = del(mary.clone(), json!({})).await;
    assert_eq!(r.status, 400);
    let r = del(mary.clone(), json!({"_id": "nope"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-canned-response-not-found");
    let r = del(mary.clone(), json!({"_id": id})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&mary, "/api/v1/canned-responses.get").await;
    assert_eq!(shortcuts(&r.body, "responses"), ["hello", "price"]);

    // Without the permission: 403.
    app.post_as(
        &app.admin,
        "/api/v1/permissions.update",
        json!({"permissions": [{"_id": "view-canned-responses", "roles": []}]}),
    )
    .await;
    let r = app.get_as(&mary, "/api/v1/canned-responses.get").await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn monitors_see_their_units_departments() {
    let app = TestApp::spawn().await;
    let mona = app.create_user("mona", &[]).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:addMonitor",
            json!({"message": json!({"msg": "method", "id": "1", "method": "livechat:addMonitor",
                "params": ["mona"]}).to_string()}),
        )
        .await;
    let frame: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
    assert_eq!(frame["result"], json!({"_id": mona.id, "username": "mona"}));
    let dep = department(&app, "support", &[]).await;
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "sup", "text": "Support", "scope": "department", "departmentId": dep}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&mona, "/api/v1/canned-responses.get").await;
    assert_eq!(r.body["responses"], json!([]));
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:saveUnit",
            json!({"message": json!({"msg": "method", "id": "1", "method": "livechat:saveUnit",
                "params": [null, {"name": "North", "visibility": "public"},
                    [{"monitorId": mona.id, "username": "mona"}], [{"departmentId": dep}]]})
                .to_string()}),
        )
        .await;
    let frame: Value = serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap();
    assert_eq!(frame["result"]["name"], "North", "{frame}");
    assert_eq!(frame["result"]["numDepartments"], 1);
    let r = app.get_as(&mona, "/api/v1/canned-responses.get").await;
    assert_eq!(shortcuts(&r.body, "responses"), ["sup"]);
}

async fn logged_in(app: &TestApp, who: &Creds) -> Ddp {
    let mut d = Ddp::open(app).await;
    let r = d.call("login", json!([{"resume": who.token}])).await;
    assert!(r.get("error").is_none(), "{r}");
    d
}

/// The next `stream-canned-responses` event (other frames skipped).
async fn next_event(d: &mut Ddp) -> Value {
    loop {
        let f = d.recv().await;
        if f["collection"] == "stream-canned-responses" {
            assert_eq!(f["fields"]["eventName"], "canned-responses");
            return f["fields"]["args"].clone();
        }
    }
}

#[tokio::test]
async fn open_workspaces_hear_changes() {
    let app = TestApp::spawn().await;
    let mary = app.create_agent("mary").await;
    let john = app.create_agent("john").await;
    let mut d = logged_in(&app, &mary).await;
    let r = d
        .sub(
            "stream-canned-responses",
            json!(["canned-responses", {"useCollection": false, "args": []}]),
        )
        .await;
    assert_eq!(r["msg"], "ready", "{r}");

    // John's personal response is not announced to Mary; the global one after it is.
    let r = save(
        &app,
        &john,
        json!({"shortcut": "johns", "text": "private", "scope": "user"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = save(
        &app,
        &app.admin,
        json!({"shortcut": "hi", "text": "Hi there", "scope": "global"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let args = next_event(&mut d).await;
    assert_eq!(args[0]["type"], "changed");
    assert_eq!(args[0]["shortcut"], "hi");
    assert_eq!(args[0]["text"], "Hi there");
    assert!(args[0]["_createdAt"]["$date"].is_i64(), "{args}");
    let id = args[0]["_id"].as_str().unwrap().to_string();

    // Her own: announced to her.
    save(
        &app,
        &mary,
        json!({"shortcut": "marys", "text": "mine", "scope": "user"}),
    )
    .await;
    let args = next_event(&mut d).await;
    assert_eq!(args[0]["shortcut"], "marys");

    let r = app
        .req(
            Method::DELETE,
            "/api/v1/canned-responses",
            Some(&app.admin),
            Some(json!({"_id": id})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let args = next_event(&mut d).await;
    assert_eq!(args, json!([{"type": "removed", "_id": id}]));

    // Visitors and users without `view-canned-responses` may not listen.
    let mut v = Ddp::open(&app).await;
    let r = v
        .sub(
            "stream-canned-responses",
            json!(["canned-responses", {"useCollection": false, "args": []}]),
        )
        .await;
    assert_eq!(r["msg"], "nosub", "{r}");
}
