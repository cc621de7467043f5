//! `livechat/upload/:rid` and `/file-upload/:id/:name`: limits from settings, upstream's
//! message shape, and files only for whoever may read the room.

use crate::helpers::*;
use crate::survey::room_doc;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// `(field, filename, content type, bytes)`.
pub type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart body built by hand: `(field, filename, content type, bytes)`.
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----ferrochat-test-boundary".to_string();
    let mut body = Vec::new();
    for (name, filename, kind, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disp = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = filename {
            disp.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disp.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(k) = kind {
            body.extend_from_slice(format!("Content-Type: {k}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send(app: &TestApp, rid: &str, token: Option<&str>, parts: &[Part<'_>]) -> Resp {
    let (ctype, body) = multipart(parts);
    let mut r = app
        .http
        .post(format!("{}/api/v1/livechat/upload/{rid}", app.base))
        .header("Content-Type", ctype)
        .body(body);
    if let Some(t) = token {
        r = r.header("x-visitor-token", t);
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

pub async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Vec<u8>, reqwest::header::HeaderMap) {
    let mut r = app.http.get(format!("{}{}", app.base, path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    let h = res.headers().clone();
    (status, res.bytes().await.unwrap().to_vec(), h)
}

async fn setup() -> (TestApp, Creds, String) {
    let app = TestApp::spawn().await;
    let agent = app.create_agent("agent1").await;
    app.post(
        "/api/v1/livechat/visitor",
        json!({"visitor": {"token": "v1", "name": "Mary"}}),
    )
    .await;
    let rid = app.room("v1").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    (app, agent, rid)
}

#[tokio::test]
async fn an_image_becomes_a_file_message_and_is_served_back() {
    let (app, agent, rid) = setup().await;
    let msgs_before = room_doc(&app, &rid).await["msgs"].as_i64().unwrap();
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[
            ("description", None, None, b"my screen"),
            ("file", Some("screen shot.png"), Some("image/png"), PNG),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.body;
    let id = m["file"]["_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 17);
    assert_eq!(
        m["file"],
        json!({"_id": id, "name": "screen shot.png", "type": "image/png"})
    );
    assert_eq!(
        m["files"],
        json!([{"_id": id, "name": "screen shot.png", "type": "image/png"}])
    );
    let url = format!("/file-upload/{id}/screen%20shot.png");
    assert_eq!(
        m["attachments"],
        json!([{
            "title": "screen shot.png", "type": "file", "description": "my screen",
            "title_link": url, "title_link_download": true,
            "image_url": url, "image_type": "image/png", "image_size": PNG.len(),
            "image_dimensions": {"width": 1, "height": 1}
        }])
    );
    assert_eq!(m["rid"], rid.as_str());
    assert_eq!(m["msg"], "");
    assert_eq!(m["token"], "v1");
    assert_eq!(m["alias"], "Mary");
    assert_eq!(m["groupable"], false);
    assert_eq!(m["u"]["username"], "guest-2");
    assert_eq!(
        (
            m["newRoom"].clone(),
            m["showConnecting"].clone(),
            m["success"].clone()
        ),
        (json!(false), json!(false), json!(true))
    );
    let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
    assert_eq!(keys.last().unwrap().as_str(), "success");

    // Stored under the upload folder by its id; nothing left in staging.
    let dir = app.upload_dir();
    assert_eq!(std::fs::read(dir.join(&id)).unwrap(), PNG);
    assert_eq!(std::fs::read_dir(dir.join(".staging")).unwrap().count(), 0);

    // It is in the room like any visitor message.
    let room = room_doc(&app, &rid).await;
    assert_eq!(room["msgs"].as_i64().unwrap(), msgs_before + 1);
    assert_eq!(room["lastMessage"]["file"]["_id"], id.as_str());
    let h = app
        .get(&format!("/api/v1/livechat/messages.history/{rid}?token=v1"))
        .await;
    assert_eq!(h.body["messages"][0]["file"]["_id"], id.as_str());

    // Served back to the room's visitor (query or cookie, as the widget does), and to the agent.
    let (st, bytes, headers) = fetch(
        &app,
        &format!("{url}?rc_token=v1&rc_room_type=l&rc_rid={rid}"),
        &[],
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["content-security-policy"], "default-src 'none'");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "inline; filename=\"screen%20shot.png\""
    );
    let (st, _, _) = fetch(&app, &url, &[("cookie", "rc_token=v1; rc_room_type=l")]).await;
    assert_eq!(st, 200);
    let (st, _, _) = fetch(&app, &url, &[("x-visitor-token", "v1")]).await;
    assert_eq!(st, 200);
    let (st, bytes, _) = fetch(
        &app,
        &url,
        &[("x-user-id", &agent.id), ("x-auth-token", &agent.token)],
    )
    .await;
    assert_eq!((st, bytes.len()), (StatusCode::OK, PNG.len()));
    let (st, _, _) = fetch(
        &app,
        &format!("{url}?rc_uid={}&rc_token={}", app.admin.id, app.admin.token),
        &[],
    )
    .await;
    assert_eq!(st, 200, "a manager may read every livechat room");

    // The visitor still gets it after the room is closed.
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "v1"}),
    )
    .await;
    let (st, _, _) = fetch(
        &app,
        &format!("{url}?rc_token=v1&rc_room_type=l&rc_rid={rid}"),
        &[],
    )
    .await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn nobody_else_gets_the_file() {
    let (app, _agent, rid) = setup().await;
    app.visitor("v2").await;
    let other_agent = app.create_user("outsider", &["livechat-agent"]).await;
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.txt"), Some("text/plain"), b"secret")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let url = format!(
        "/file-upload/{}/a.txt",
        r.body["file"]["_id"].as_str().unwrap()
    );
    for headers in [
        vec![],
        vec![("x-visitor-token", "v2")],
        vec![("cookie", "rc_token=v2; rc_room_type=l")],
        vec![("x-visitor-token", "unknown")],
        vec![
            ("x-user-id", other_agent.id.as_str()),
            ("x-auth-token", other_agent.token.as_str()),
        ],
        vec![
            ("x-user-id", app.admin.id.as_str()),
            ("x-auth-token", "wrong"),
        ],
    ] {
        let (st, bytes, _) = fetch(&app, &url, &headers).await;
        assert_eq!(st, 403, "{headers:?}");
        assert!(bytes.is_empty());
    }
    let (st, _, _) = fetch(
        &app,
        &format!("{url}?rc_token=v2&rc_room_type=l&rc_rid={rid}"),
        &[],
    )
    .await;
    assert_eq!(st, 403);
    let (st, _, _) = fetch(
        &app,
        "/file-upload/NoSuchFile12345/a.txt",
        &[("x-visitor-token", "v1")],
    )
    .await;
    assert_eq!(st, 404);

    // Unprotected files are public links, as upstream's FileUpload_ProtectFiles=false.
    app.set_setting("FileUpload_ProtectFiles", json!(false))
        .await;
    let (st, bytes, _) = fetch(&app, &url, &[]).await;
    assert_eq!(
        (st, bytes.as_slice()),
        (StatusCode::OK, b"secret".as_slice())
    );
}

#[tokio::test]
async fn who_may_upload() {
    let (app, _agent, rid) = setup().await;
    app.visitor("v2").await;
    let file: &[Part] = &[("file", Some("a.png"), Some("image/png"), PNG)];
    let r = send(&app, &rid, None, file).await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (403, r#"{"success":false,"error":"unauthorized"}"#)
    );
    let r = send(&app, &rid, Some("invalid-token"), file).await;
    assert_eq!(r.status, 403);
    // Another visitor cannot post into this room, and a room that is not the visitor's is refused.
    let r = send(&app, &rid, Some("v2"), file).await;
    assert_eq!(r.status, 403);
    let r = send(&app, "test", Some("v1"), file).await;
    assert_eq!(r.status, 403);
    // A closed room takes no more files.
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "v1"}),
    )
    .await;
    let r = send(&app, &rid, Some("v1"), file).await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn settings_limit_uploads() {
    let (app, _agent, rid) = setup().await;
    let png: &[Part] = &[("file", Some("a.png"), Some("image/png"), PNG)];

    for (setting, off) in [
        ("Livechat_fileupload_enabled", false),
        ("FileUpload_Enabled", false),
    ] {
        app.set_setting(setting, json!(off)).await;
        let r = send(&app, &rid, Some("v1"), png).await;
        assert_eq!(
            (r.status.as_u16(), r.text.as_str()),
            (
                400,
                r#"{"reason":"error-file-upload-disabled","success":false}"#
            )
        );
        let cfg = app.get("/api/v1/livechat/config").await;
        assert_eq!(cfg.body["config"]["settings"]["fileUpload"], false);
        app.set_setting(setting, json!(true)).await;
    }

    // SVG is on upstream's default black list.
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("x.svg"), Some("image/svg+xml"), b"<svg/>")],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"reason":"error-type-not-allowed","success":false}"#
    );
    app.set_setting(
        "FileUpload_MediaTypeWhiteList",
        json!("image/*, application/pdf"),
    )
    .await;
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.txt"), Some("text/plain"), b"x")],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"reason":"error-type-not-allowed","success":false}"#
    );
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.pdf"), Some("application/pdf"), b"%PDF")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["attachments"][0].get("image_url").is_none());
    let r = send(&app, &rid, Some("v1"), png).await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.set_setting("FileUpload_MediaTypeWhiteList", json!(""))
        .await;

    app.set_setting("FileUpload_MaxFileSize", json!(10)).await;
    let r = send(&app, &rid, Some("v1"), png).await;
    assert_eq!(
        r.text,
        r#"{"reason":"error-size-not-allowed","sizeAllowed":"10 B","success":false}"#
    );
    // Above the 1 MiB JSON limit: this route's limit is the setting.
    app.set_setting("FileUpload_MaxFileSize", json!(3 * 1024 * 1024))
        .await;
    let big = vec![7u8; 2 * 1024 * 1024 + 3];
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[(
            "file",
            Some("big.bin"),
            Some("application/octet-stream"),
            &big,
        )],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let url = r.body["attachments"][0]["title_link"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, bytes, _) = fetch(&app, &url, &[("x-visitor-token", "v1")]).await;
    assert_eq!((st, bytes.len()), (StatusCode::OK, big.len()));
    let bigger = vec![7u8; 3 * 1024 * 1024 + 1];
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[(
            "file",
            Some("big.bin"),
            Some("application/octet-stream"),
            &bigger,
        )],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"reason":"error-size-not-allowed","sizeAllowed":"3 MB","success":false}"#
    );
    app.set_setting("FileUpload_MaxFileSize", json!(-1)).await;
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[(
            "file",
            Some("big.bin"),
            Some("application/octet-stream"),
            &bigger,
        )],
    )
    .await;
    assert_eq!(r.status, 200, "-1 is no limit: {}", r.text);

    // No file part.
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("description", None, None, b"nothing")],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"reason":"error-no-file-uploaded","success":false}"#
    );
    // Not multipart at all: still a 4xx in upstream's shape.
    let r = app
        .http
        .post(format!("{}/api/v1/livechat/upload/{rid}", app.base))
        .header("x-visitor-token", "v1")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Other JSON routes keep their 1 MiB limit.
    let r = app
        .http
        .post(format!("{}/api/v1/livechat/message", app.base))
        .header("Content-Type", "application/json")
        .body(format!(
            "{{\"token\":\"v1\",\"rid\":\"{rid}\",\"msg\":\"{}\"}}",
            "a".repeat(2 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn removing_the_visitor_removes_its_files() {
    let (app, _agent, rid) = setup().await;
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.txt"), Some("text/plain"), b"mine")],
    )
    .await;
    let id = r.body["file"]["_id"].as_str().unwrap().to_string();
    let url = format!("/file-upload/{id}/a.txt");
    // Upstream refuses while a room is open (without header collection).
    app.post(
        "/api/v1/livechat/room.close",
        json!({"rid": rid, "token": "v1"}),
    )
    .await;
    let r = app
        .req(
            reqwest::Method::DELETE,
            "/api/v1/livechat/visitor/v1",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (st, _, _) = fetch(
        &app,
        &url,
        &[
            ("x-user-id", &app.admin.id),
            ("x-auth-token", &app.admin.token),
        ],
    )
    .await;
    assert_eq!(st, 404);
    let dir = app.upload_dir();
    assert!(!dir.join(&id).exists(), "the bytes are gone too");
}

#[tokio::test]
async fn form_fields_cannot_grow_without_bound() {
    let (app, _agent, rid) = setup().await;
    let before = room_doc(&app, &rid).await["msgs"].clone();
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[
            ("description", None, None, &huge),
            ("file", Some("a.png"), Some("image/png"), PNG),
        ],
    )
    .await;
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"error-request-entity-too-large"}"#
    );
    // A second file part counts as a form field too.
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[
            ("file", Some("a.png"), Some("image/png"), PNG),
            (
                "file",
                Some("b.bin"),
                Some("application/octet-stream"),
                &huge,
            ),
        ],
    )
    .await;
    assert_eq!(r.status, 413);
    assert_eq!(
        room_doc(&app, &rid).await["msgs"],
        before,
        "nothing was written"
    );
    assert_eq!(
        std::fs::read_dir(app.upload_dir()).unwrap().count(),
        1,
        "only the staging folder"
    );
}

#[tokio::test]
async fn upload_types_are_checked_without_parameters_and_by_content() {
    let (app, _agent, rid) = setup().await;
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    // The blacklisted type with a parameter or in other case is the same type.
    for declared in ["image/svg+xml; charset=utf-8", "Image/SVG+XML"] {
        let r = send(
            &app,
            &rid,
            Some("v1"),
            &[("file", Some("a.svg"), Some(declared), svg)],
        )
        .await;
        assert_eq!(r.status, 400, "{declared}: {}", r.text);
        assert_eq!(r.body["reason"], "error-type-not-allowed", "{}", r.text);
    }
    // An SVG declared as a PNG is still an SVG.
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.png"), Some("image/png"), svg)],
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["reason"], "error-type-not-allowed", "{}", r.text);
    // A real PNG with a parameter passes.
    let r = send(
        &app,
        &rid,
        Some("v1"),
        &[("file", Some("a.png"), Some("image/png; foo=bar"), PNG)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A refused upload is still read (bounded) before the answer, so a client that is still
/// sending its file gets the refusal rather than a reset connection.
#[tokio::test]
async fn a_refused_large_upload_gets_its_answer() {
    let app = TestApp::spawn().await;
    app.create_agent("agent1").await;
    app.visitor("v1").await;
    app.visitor("v2").await;
    let other = app.room("v2").await.body["room"]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let big = vec![b'x'; 4 << 20];
    let r = send(
        &app,
        &other,
        Some("v1"),
        &[("file", Some("big.txt"), Some("text/plain"), &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.body["success"], false);
}
