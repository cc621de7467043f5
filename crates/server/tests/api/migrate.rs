//! `ferrochat migrate --to postgres://…`: a populated SQLite deployment copied into
//! PostgreSQL, then a server on PostgreSQL answers as the SQLite one did. Needs
//! `TEST_DATABASE_URL` (a PostgreSQL server); without it the test says so and passes.

use crate::backup::{run, text};
use crate::helpers::*;
use crate::uploads::{PNG, multipart};
use serde_json::{Value, json};

async fn ok(r: Resp) -> Value {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// A deployment with some of everything, through the API.
async fn populate(app: &TestApp) -> Vec<(String, String)> {
    let a1 = app.create_agent("agent1").await;
    app.create_agent("agent2").await;
    app.create_user("manager1", &["livechat-manager"]).await;
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "name": "Sales", "email": "sales@x.com", "showOnRegistration": true, "showOnOfflineForm": false, "description": "d"},
                   "agents": [{"agentId": a1.id, "count": 0, "order": 1}]}),
        )
        .await)
    .await;
    app.set_setting("Livechat_title", json!("Migrated support"))
        .await;
    app.set_setting("Livechat_enable_transcript", json!(true))
        .await;
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/livechat/triggers",
            json!({"name": "welcome", "description": "d", "enabled": true, "runOnce": true,
                   "conditions": [{"name": "page-url", "value": "http://localhost:3000"}],
                   "actions": [{"name": "send-message", "params": {"sender": "custom", "msg": "Need help?", "name": "Bot"}}]}),
        )
        .await)
    .await;
    for (field, scope) in [("address", "visitor"), ("order", "room")] {
        ok(app
            .post_as(
                &app.admin,
                "/api/v1/livechat/custom-fields.save",
                json!({"customFieldId": null, "customFieldData": {"field": field, "label": format!("Label {field}"), "scope": scope, "visibility": "visible"}}),
            )
            .await)
        .await;
    }
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/omnichannel/contacts",
            json!({"name": "Contact Person", "emails": ["cp@example.com"], "phones": ["+4930123456"]}),
        )
        .await)
    .await;
    // The default business hour, changed.
    let mut bh = ok(app
        .get_as(&app.admin, "/api/v1/livechat/business-hour?type=default")
        .await)
    .await["businessHour"]
        .clone();
    bh["timezoneName"] = json!("Europe/Berlin");
    let message =
        json!({"msg": "method", "id": "1", "method": "livechat:saveBusinessHour", "params": [bh]});
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:saveBusinessHour",
            json!({ "message": message.to_string() }),
        )
        .await)
    .await;

    let mut rooms = Vec::new();
    for (i, token) in ["mig-v1", "mig-v2", "mig-v3"].iter().enumerate() {
        ok(app
            .post(
                "/api/v1/livechat/visitor",
                json!({"visitor": {"token": token, "name": format!("Visitor {i}"), "email": format!("v{i}@example.com"),
                       "customFields": [{"key": "address", "value": "Main street", "overwrite": true}]}}),
            )
            .await)
        .await;
        let rid = ok(app.room(token).await).await["room"]["_id"]
            .as_str()
            .unwrap()
            .to_string();
        for n in 0..5 {
            ok(app
                .post(
                    "/api/v1/livechat/message",
                    json!({"token": token, "rid": rid, "msg": format!("question {n} from *{token}*")}),
                )
                .await)
            .await;
        }
        ok(app
            .post_as(
                &a1,
                "/api/v1/chat.sendMessage",
                json!({"message": {"rid": rid, "msg": "an answer"}}),
            )
            .await)
        .await;
        rooms.push((rid, token.to_string()));
    }
    // A canned response, a tag and an internal note (issue 16).
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/canned-responses",
            json!({"shortcut": "hi", "text": "Hello!", "scope": "global", "tags": ["vip"]}),
        )
        .await)
    .await;
    let save_tag = json!({"msg": "method", "id": "1", "method": "livechat:saveTag",
        "params": [null, {"name": "vip"}, []]});
    ok(app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:saveTag",
            json!({"message": save_tag.to_string()}),
        )
        .await)
    .await;
    ok(app
        .post_as(
            &a1,
            "/api/v1/livechat/notes",
            json!({"rid": rooms[0].0, "msg": "a note"}),
        )
        .await)
    .await;
    // An upload in the first room.
    let (ctype, body) = multipart(&[("file", Some("shot.png"), Some("image/png"), PNG)]);
    let res = app
        .http
        .post(format!(
            "{}/api/v1/livechat/upload/{}",
            app.base, rooms[0].0
        ))
        .header("Content-Type", ctype)
        .header("x-visitor-token", "mig-v1")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The second chat is closed; a visitor comes back for a second one.
    ok(app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rooms[1].0, "token": "mig-v2"}),
        )
        .await)
    .await;
    ok(app
        .post(
            "/api/v1/livechat/page.visited",
            json!({"token": "mig-v3", "rid": rooms[2].0, "pageInfo": {"change": "url", "title": "Pricing", "location": {"href": "http://example.com/pricing"}}}),
        )
        .await)
    .await;
    rooms
}

/// What both servers are asked, as (path, answer).
async fn answers(app: &TestApp, rooms: &[(String, String)]) -> Vec<(String, Value)> {
    let mut paths: Vec<(String, bool)> = [
        "/api/v1/livechat/rooms?count=0",
        "/api/v1/livechat/users/agent",
        "/api/v1/livechat/users/manager",
        "/api/v1/livechat/department",
        "/api/v1/livechat/triggers",
        "/api/v1/livechat/custom-fields",
        "/api/v1/livechat/business-hour?type=default",
        "/api/v1/omnichannel/contacts.search",
        "/api/v1/livechat/inquiries.list",
        "/api/v1/settings/Livechat_title",
        "/api/v1/settings/Livechat_enable_transcript",
        "/api/v1/settings.public?count=1000",
        "/api/v1/permissions.listAll",
        "/api/v1/users.info?username=agent1",
        "/api/v1/users.info?username=manager1",
        "/api/v1/livechat/visitors.search?term=Visitor",
    ]
    .iter()
    .map(|p| (p.to_string(), true))
    .collect();
    for (rid, token) in rooms {
        paths.push((
            format!("/api/v1/livechat/messages.history/{rid}?token={token}&limit=1000"),
            false,
        ));
        paths.push((format!("/api/v1/livechat/{rid}/messages?count=1000"), true));
        paths.push((
            format!("/api/v1/livechat/visitors.pagesVisited/{rid}"),
            true,
        ));
        paths.push((format!("/api/v1/livechat/visitor/{token}"), false));
        paths.push((format!("/api/v1/livechat/config?token={token}"), false));
    }
    let mut out = Vec::new();
    for (path, as_admin) in paths {
        let r = if as_admin {
            app.get_as(&app.admin, &path).await
        } else {
            app.get(&path).await
        };
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        out.push((path, r.body));
    }
    out
}

#[tokio::test]
async fn a_populated_sqlite_deployment_moves_to_postgres() {
    let Some(target) = fresh_pg_schema().await else {
        eprintln!(
            "skipped: the SQLite → PostgreSQL migration test needs TEST_DATABASE_URL=postgres://…"
        );
        return;
    };
    let src = TestApp::spawn_sqlite().await;
    let rooms = populate(&src).await;
    let dir = tempfile::tempdir().unwrap();

    // The live database is refused (a server writes to it); its online backup is the source.
    let out = run(&src.database_url(), &["migrate", "--to", &target.url]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("a Ferrochat server is running on"),
        "{}",
        text(&out)
    );
    let backup = dir.path().join("b.db");
    let out = crate::backup::run_with(
        &src.database_url(),
        &[("FILE_UPLOAD_PATH", src.upload_dir())],
        &["backup", &backup.display().to_string()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let from = format!("sqlite://{}", backup.display());

    // A table the migration has no twin for stops it before anything is written.
    let odd = dir.path().join("odd.db");
    std::fs::copy(&backup, &odd).unwrap();
    rusqlite::Connection::open(&odd)
        .unwrap()
        .execute_batch("CREATE TABLE widgets (id TEXT PRIMARY KEY)")
        .unwrap();
    let out = run(
        "sqlite::memory:",
        &[
            "migrate",
            "--from",
            &format!("sqlite://{}", odd.display()),
            "--to",
            &target.url,
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("table widgets has no PostgreSQL twin"),
        "{}",
        text(&out)
    );

    let out = run(
        "sqlite::memory:",
        &["migrate", "--from", &from, "--to", &target.url],
    );
    assert!(out.status.success(), "{}", text(&out));
    let summary = text(&out);
    eprintln!("{summary}");
    assert!(summary.contains("rooms 3"), "{summary}");
    // Never into a database that holds data.
    let out = run(
        "sqlite::memory:",
        &["migrate", "--from", &from, "--to", &target.url],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("already holds data"), "{}", text(&out));

    let dst = TestApp::spawn_on(target, ferrochat::maintenance::uploads_of(&backup)).await;
    // The login tokens came along: the admin's session works on the new server.
    let before = answers(&src, &rooms).await;
    let mut admin = dst.admin.clone();
    admin.token = src.admin.token.clone();
    assert_eq!(dst.get_as(&admin, "/api/v1/me").await.status, 200);
    let after = answers(&dst, &rooms).await;
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{path} differs after the migration");
    }
    // The stored file is served from the folder the backup copied.
    let msgs = &before
        .iter()
        .find(|(p, _)| p.starts_with(&format!("/api/v1/livechat/messages.history/{}", rooms[0].0)))
        .unwrap()
        .1["messages"];
    let file = msgs
        .as_array()
        .unwrap()
        .iter()
        .find_map(|m| m["file"]["_id"].as_str())
        .unwrap();
    let res = dst
        .http
        .get(format!("{}/file-upload/{file}/shot.png", dst.base))
        .header("x-visitor-token", "mig-v1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    // The new server writes after the copied rows: a new message comes last.
    let r = dst
        .post(
            "/api/v1/livechat/message",
            json!({"token": "mig-v1", "rid": rooms[0].0, "msg": "after the move"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let h = dst
        .get(&format!(
            "/api/v1/livechat/messages.history/{}?token=mig-v1",
            rooms[0].0
        ))
        .await;
    assert_eq!(h.body["messages"][0]["msg"], "after the move", "{}", h.text);
}
