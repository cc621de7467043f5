use crate::helpers::*;
use ferrochat::domain::auth::sha256_hex;
use serde_json::json;

#[tokio::test]
async fn info_answers_version() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/info").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text,
        format!(
            "{{\"version\":\"{}\",\"success\":true}}",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[tokio::test]
async fn login_by_username_email_digest_and_resume() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/login",
            json!({"username": ADMIN, "password": ADMIN_PASS}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "success");
    assert_eq!(r.body["data"]["me"]["username"], ADMIN);
    assert!(
        r.body["data"]["me"].get("services").is_none(),
        "no secrets in me"
    );
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": "admin@example.com", "password": ADMIN_PASS}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            "/api/v1/login",
            json!({"user": ADMIN, "password": {"digest": sha256_hex(ADMIN_PASS), "algorithm": "sha-256"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.body["data"]["authToken"].as_str().unwrap().to_string();
    let r = app.post("/api/v1/login", json!({"resume": token})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["authToken"], token.as_str());
}

#[tokio::test]
async fn login_failures_are_401() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/login", json!({"user": ADMIN, "password": "wrong"}))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["status"], "error");
    let r = app
        .post("/api/v1/login", json!({"user": "nobody", "password": "x"}))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "Unauthorized");
    assert_eq!(r.body["message"], "Unauthorized");
    let r = app
        .post("/api/v1/login", json!({"resume": "not-a-token"}))
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn auth_headers_me_and_logout() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text,
        r#"{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}"#
    );
    let bad = Creds {
        id: app.admin.id.clone(),
        token: "wrong".into(),
        username: ADMIN.into(),
    };
    assert_eq!(app.get_as(&bad, "/api/v1/me").await.status, 401);
    let r = app.get_as(&app.admin, "/api/v1/me").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["_id"], app.admin.id.as_str());
    assert_eq!(r.body["email"], "admin@example.com");
    assert_eq!(r.body["success"], true);
    let r = app.post_as(&app.admin, "/api/v1/logout", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["message"], "You've been logged out!");
    assert_eq!(
        app.get_as(&app.admin, "/api/v1/me").await.status,
        401,
        "token revoked"
    );
}

#[tokio::test]
async fn users_create_info_status_delete() {
    let app = TestApp::spawn().await;
    let jane = app.create_user("jane.doe", &[]).await;
    // Non-admins may not create users.
    let r = app
        .post_as(
            &jane,
            "/api/v1/users.create",
            json!({"username": "x", "email": "x@x.com", "password": "p", "name": "X"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body["error"],
        "User does not have the permissions required for this action [error-unauthorized]"
    );
    // Duplicates.
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.create",
            json!({"username": "jane.doe", "email": "other@x.com", "password": "p", "name": "X"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "jane.doe is already in use :( [error-field-unavailable]"
    );
    assert_eq!(r.body["errorType"], "error-field-unavailable");
    let r = app
        .post_as(&app.admin, "/api/v1/users.create", json!({"username": "other", "email": "jane.doe@example.com", "password": "p", "name": "X"}))
        .await;
    assert_eq!(
        r.body["error"],
        "jane.doe@example.com is already in use :( [error-field-unavailable]"
    );
    // ajv validation.
    let r = app
        .post_as(&app.admin, "/api/v1/users.create", json!({"username": "y"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "invalid-params");
    assert!(
        r.body["error"]
            .as_str()
            .unwrap()
            .starts_with("must have required property 'email'")
    );

    let r = app
        .get_as(&jane, "/api/v1/users.info?username=jane.doe")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user"]["status"], "offline");
    let r = app
        .post_as(
            &jane,
            "/api/v1/users.setStatus",
            json!({"status": "away", "message": "brb"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .get_as(&jane, &format!("/api/v1/users.info?userId={}", jane.id))
        .await;
    assert_eq!(r.body["user"]["status"], "away");
    assert_eq!(r.body["user"]["statusText"], "brb");
    let r = app
        .post_as(
            &jane,
            "/api/v1/users.setStatus",
            json!({"status": "sleeping"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorType"], "error-invalid-status");

    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.delete",
            json!({"userId": jane.id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.get_as(&jane, "/api/v1/me").await.status,
        401,
        "tokens go with the user"
    );
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/users.delete",
            json!({"userId": jane.id}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn tokens_and_passwords_are_stored_hashed() {
    let app = TestApp::spawn().await;
    let db = app_db_text(&app).await;
    assert!(
        !db.contains(&app.admin.token),
        "login token stored in clear"
    );
    assert!(!db.contains(ADMIN_PASS), "password stored in clear");
    assert!(db.contains("$2"), "bcrypt hash present");
}

async fn app_db_text(app: &TestApp) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT hashed || ' ' || user_id FROM login_tokens",
        "SELECT COALESCE(password_hash, '') || doc FROM users",
    ] {
        let rows: Vec<String> = app.db_all(sql, &[]);
        out.push_str(&rows.join("\n"));
    }
    out
}
