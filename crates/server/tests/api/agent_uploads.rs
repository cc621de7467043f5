//! Agents' files: `rooms.media/:rid` stores the file unsent, `rooms.mediaConfirm/:rid/:fileId`
//! sends it as the agent's message; unsent files expire after 24 hours.

use crate::helpers::*;
use crate::survey::room_doc;
use crate::uploads::{PNG, Part, fetch, multipart};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn media(app: &TestApp, who: Option<&Creds>, rid: &str, parts: &[Part<'_>]) -> Resp {
    let (ctype, body) = multipart(parts);
    let mut r = app
        .http
        .post(format!("{}/api/v1/rooms.media/{rid}", app.base))
        .header("Content-Type", ctype)
        .body(body);
    if let Some(c) = who {
        r = r
            .header("X-User-Id", &c.id)
            .header("X-Auth-Token", &c.token);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Resp {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers,
    }
}

fn png(name: &str) -> Part<'_> {
    ("file", Some(name), Some("image/png"), PNG)
}

async fn confirm(app: &TestApp, who: &Creds, rid: &str, file: &str, body: Value) -> Resp {
    app.post_as(
        who,
        &format!("/api/v1/rooms.mediaConfirm/{rid}/{file}"),
        body,
    )
    .await
}

/// An agent serving the visitor "v1"'s room.
async fn setup(app: &TestApp) -> (Creds, String) {
    let agent = app.create_agent("agent1").await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "v1", "name": "Mary"}}),
    )
    .await;
    let room = app.room("v1").await;
    assert_eq!(room.body["room"]["servedBy"]["username"], "agent1");
    let rid = room.body["room"]["_id"].as_str().unwrap().to_string();
    (agent, rid)
}

fn message_error(r: &Resp, code: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["errorType"], code, "{}", r.text);
}

#[tokio::test]
async fn an_agent_sends_a_file_in_two_steps() {
    let app = TestApp::spawn().await;
    let (agent, rid) = setup(&app).await;
    let before = room_doc(&app, &rid).await;
    assert!(before.get("responseBy").is_none());

    let r = media(&app, Some(&agent), &rid, &[png("shot 1.png")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["file"]["_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 17);
    let url = format!("/file-upload/{id}/shot%201.png");
    assert_eq!(
        r.body,
        json!({"file": {"_id": id, "url": url}, "success": true})
    );
    // Stored, not sent yet.
    assert_eq!(room_doc(&app, &rid).await["msgs"], before["msgs"]);

    let r = confirm(
        &app,
        &agent,
        &rid,
        &id,
        json!({"msg": "here it is", "description": "the screen"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.body["message"];
    assert_eq!(m["rid"], rid.as_str());
    assert_eq!(m["msg"], "here it is");
    assert_eq!(m["u"]["username"], "agent1");
    assert_eq!(
        m["file"],
        json!({"_id": id, "name": "shot 1.png", "type": "image/png"})
    );
    assert_eq!(m["files"], json!([m["file"]]));
    assert_eq!(
        m["attachments"],
        json!([{
            "title": "shot 1.png", "type": "file", "description": "the screen",
            "title_link": url, "title_link_download": true,
            "image_url": url, "image_type": "image/png", "image_size": PNG.len(),
            "image_dimensions": {"width": 1, "height": 1},
        }])
    );
    assert_iso(&m["ts"]);

    // The message counts as the agent's answer, and the visitor sees it and the file.
    let after = room_doc(&app, &rid).await;
    assert_eq!(
        after["msgs"].as_i64().unwrap(),
        before["msgs"].as_i64().unwrap() + 1
    );
    assert_eq!(after["responseBy"]["username"], "agent1");
    let history = app
        .get(&format!("/api/v1/livechat/messages.history/{rid}?token=v1"))
        .await;
    assert!(
        history.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["file"]["_id"] == id.as_str()),
        "{}",
        history.text
    );
    let (status, bytes, _) = fetch(&app, &url, &[("x-visitor-token", "v1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);

    // Sent once only.
    let again = confirm(&app, &agent, &rid, &id, json!({})).await;
    assert_eq!(
        again.text,
        r#"{"success":false,"error":"[invalid-file]","errorType":"invalid-file"}"#
    );
}

#[tokio::test]
async fn who_may_send_files_and_what() {
    let app = TestApp::spawn().await;
    let (agent, rid) = setup(&app).await;
    let other = app.create_agent("agent2").await;

    // No credentials, then an agent who does not serve the chat.
    assert_eq!(media(&app, None, &rid, &[png("a.png")]).await.status, 401);
    let r = media(&app, Some(&other), &rid, &[png("a.png")]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"], "unauthorized");
    let r = media(&app, Some(&agent), "no-such-room", &[png("a.png")]).await;
    assert_eq!(r.status, 403, "{}", r.text);

    // Somebody else's upload, or one of another room, is not the agent's to send.
    let id = media(&app, Some(&agent), &rid, &[png("a.png")]).await.body["file"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = confirm(&app, &other, &rid, &id, json!({})).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = confirm(&app, &app.admin, &rid, &id, json!({})).await;
    message_error(&r, "invalid-file");
    let r = confirm(&app, &agent, &rid, "nope", json!({})).await;
    message_error(&r, "invalid-file");

    // What the file and the form may be.
    let r = media(
        &app,
        Some(&agent),
        &rid,
        &[("description", None, None, b"no file")],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"No file was uploaded [error-no-file-uploaded]","errorType":"error-no-file-uploaded"}"#
    );
    app.set_setting("FileUpload_MediaTypeBlackList", json!("image/png"))
        .await;
    let r = media(&app, Some(&agent), &rid, &[png("a.png")]).await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"File type is not accepted. [error-invalid-file-type]","errorType":"error-invalid-file-type"}"#
    );
    app.set_setting("FileUpload_MediaTypeBlackList", json!(""))
        .await;
    app.set_setting("FileUpload_MaxFileSize", json!(10)).await;
    let r = media(&app, Some(&agent), &rid, &[png("a.png")]).await;
    message_error(&r, "error-file-too-large");
    app.set_setting("FileUpload_MaxFileSize", json!(104857600))
        .await;
    app.set_setting("FileUpload_Enabled", json!(false)).await;
    let r = media(&app, Some(&agent), &rid, &[png("a.png")]).await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"File uploads are disabled. [error-file-upload-disabled]","errorType":"error-file-upload-disabled"}"#
    );
    app.set_setting("FileUpload_Enabled", json!(true)).await;
    app.set_setting("Message_MaxAllowedSize", json!(5)).await;
    let r = confirm(&app, &agent, &rid, &id, json!({"description": "too long"})).await;
    message_error(&r, "error-message-size-exceeded");

    // Once the chat is closed nothing more is sent in it.
    app.set_setting("Message_MaxAllowedSize", json!(5000)).await;
    let closed = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "done"}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let r = confirm(&app, &agent, &rid, &id, json!({})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        room_doc(&app, &rid).await["lastMessage"]["file"],
        Value::Null
    );
}

#[tokio::test]
async fn unsent_files_expire_after_a_day() {
    let app = TestApp::spawn_with_clock("2026-03-02T10:00:00.000Z").await;
    let (agent, rid) = setup(&app).await;
    let unsent = media(&app, Some(&agent), &rid, &[png("unsent.png")]).await;
    let unsent = unsent.body["file"]["_id"].as_str().unwrap().to_string();
    let sent = media(&app, Some(&agent), &rid, &[png("sent.png")]).await;
    let sent = sent.body["file"]["_id"].as_str().unwrap().to_string();
    assert_eq!(
        confirm(&app, &agent, &rid, &sent, json!({})).await.status,
        200
    );
    let stored = || {
        std::fs::read_dir(app.upload_dir())
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let files_before = stored();

    // Within the day nothing goes.
    app.set_time("2026-03-03T09:59:00.000Z");
    assert_eq!(
        app.lc
            .remove_expired_uploads(app.files.as_ref())
            .await
            .unwrap(),
        0
    );

    app.set_time("2026-03-03T10:00:01.000Z");
    assert_eq!(
        app.lc
            .remove_expired_uploads(app.files.as_ref())
            .await
            .unwrap(),
        1
    );
    assert_eq!(stored(), files_before - 1);
    let r = confirm(&app, &agent, &rid, &unsent, json!({})).await;
    message_error(&r, "invalid-file");
    let (status, _, _) = fetch(
        &app,
        &format!("/file-upload/{unsent}/unsent.png"),
        &[("x-visitor-token", "v1")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The sent one stays.
    let (status, bytes, _) = fetch(
        &app,
        &format!("/file-upload/{sent}/sent.png"),
        &[("x-visitor-token", "v1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
}
