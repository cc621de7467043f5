//! Agent-side visitor routes (`livechat/visitors.*`): a visitor's document, the pages it
//! browsed, its chats and the visitor searches.

use crate::helpers::*;
use serde_json::{Value, json};

async fn named(app: &TestApp, token: &str, visitor: Value) -> Value {
    let mut v = visitor;
    v["token"] = json!(token);
    let r = app
        .post("/api/v1/livechat/visitor", json!({ "visitor": v }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["visitor"].clone()
}

async fn open_room(app: &TestApp, token: &str) -> String {
    let r = app.room(token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["room"]["_id"].as_str().unwrap().to_string()
}

async fn close(app: &TestApp, token: &str, rid: &str) {
    let r = app
        .post(
            "/api/v1/livechat/room.close",
            json!({"rid": rid, "token": token}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn visitor_info_needs_view_l_room_and_an_enabled_visitor() {
    let app = TestApp::spawn().await;
    let v = named(
        &app,
        "tok",
        json!({"name": "Mary", "email": "mary@example.com"}),
    )
    .await;
    let plain = app.create_user("plain", &[]).await;
    let id = v["_id"].as_str().unwrap();

    let r = app
        .get_as(
            &plain,
            &format!("/api/v1/livechat/visitors.info?visitorId={id}"),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body["error"],
        "User does not have the permissions required for this action [error-unauthorized]"
    );
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitors.info?visitorId=nope")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, r#"{"success":false,"error":"visitor-not-found"}"#);
    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitors.info")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'visitorId' [invalid-params]"
    );
    let r = app
        .get_as(
            &app.admin,
            &format!("/api/v1/livechat/visitors.info?visitorId={id}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["visitor"], v,
        "the document livechat/visitor answers"
    );
    // An agent reads it too.
    let a = app.create_agent("a").await;
    let r = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/visitors.info?visitorId={id}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn pages_visited_lists_the_rooms_navigation_newest_first() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    app.create_agent("a").await;
    app.visitor("tok").await;
    let rid = open_room(&app, "tok").await;
    for (i, page) in ["Home", "Pricing", "Checkout"].iter().enumerate() {
        app.set_time(&format!("2024-01-01T10:0{}:00.000Z", i + 1));
        let r = app
            .post(
                "/api/v1/livechat/page.visited",
                json!({"token": "tok", "rid": rid, "pageInfo": {"title": page, "change": "url", "location": {"href": format!("https://x.example/{page}")}}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Other messages of the room are not pages.
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": rid, "msg": "hi"}),
    )
    .await;

    let url = format!("/api/v1/livechat/visitors.pagesVisited/{rid}");
    let r = app.get_as(&app.admin, &url).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(3), json!(0), json!(3))
    );
    let titles: Vec<&str> = r.body["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["navigation"]["page"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Checkout", "Pricing", "Home"]);
    assert_eq!(r.body["pages"][0]["t"], "livechat_navigation_history");
    assert_eq!(r.body["pages"][0]["rid"], rid.as_str());

    let r = app
        .get_as(&app.admin, &format!("{url}?count=1&offset=1"))
        .await;
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(1), json!(1), json!(3))
    );
    assert_eq!(r.body["pages"][0]["navigation"]["page"]["title"], "Pricing");
    let r = app
        .get_as(&app.admin, &format!("{url}?sort=%7B%22ts%22%3A1%7D"))
        .await;
    assert_eq!(r.body["pages"][0]["navigation"]["page"]["title"], "Home");

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitors.pagesVisited/room-id")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    let plain = app.create_user("plain", &[]).await;
    assert_eq!(app.get_as(&plain, &url).await.status, 403);
    // Unknown parameters are refused as upstream's schema does.
    let r = app.get_as(&app.admin, &format!("{url}?foo=1")).await;
    assert_eq!(
        r.body["error"],
        "must NOT have additional properties [invalid-params]"
    );
}

#[tokio::test]
async fn chat_history_lists_the_visitors_rooms_from_an_accessible_room() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    let a = app.create_agent("a").await;
    let v = named(&app, "tok", json!({"name": "Mary"})).await;
    let vid = v["_id"].as_str().unwrap().to_string();
    let first = open_room(&app, "tok").await;
    close(&app, "tok", &first).await;
    app.set_time("2024-01-01T11:00:00.000Z");
    let second = open_room(&app, "tok").await;
    // Someone else's chat is not in it.
    app.visitor("other").await;
    open_room(&app, "other").await;

    let url = format!("/api/v1/livechat/visitors.chatHistory/room/{second}/visitor/{vid}");
    let r = app.get_as(&a, &url).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r.body["history"]), [second.clone(), first.clone()]);
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(2), json!(0), json!(2))
    );
    assert!(r.body["history"][1]["closedAt"].is_string());
    assert_eq!(r.body["history"][0]["v"]["_id"], vid.as_str());
    let r = app.get_as(&a, &format!("{url}?count=1&offset=1")).await;
    assert_eq!(ids(&r.body["history"]), [first.as_str()]);
    assert_eq!(r.body["total"], 2);

    let r = app
        .get_as(
            &a,
            &format!("/api/v1/livechat/visitors.chatHistory/room/room-id/visitor/{vid}"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    // An agent that neither serves the room nor may take it does not read from it.
    let b = app.create_agent("b").await;
    let r = app.get_as(&b, &url).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, r#"{"success":false,"error":"error-not-allowed"}"#);
    let plain = app.create_user("plain", &[]).await;
    assert_eq!(app.get_as(&plain, &url).await.status, 403);
}

#[tokio::test]
async fn search_chats_filters_closed_served_source_and_message_text() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    app.create_agent("a").await;
    let v = named(&app, "tok", json!({"name": "Mary"})).await;
    let vid = v["_id"].as_str().unwrap().to_string();
    // Served and closed, with a message.
    let served = open_room(&app, "tok").await;
    app.post(
        "/api/v1/livechat/message",
        json!({"token": "tok", "rid": served, "msg": "hello world"}),
    )
    .await;
    close(&app, "tok", &served).await;
    // Never served: closed, then one open.
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.set_time("2024-01-01T11:00:00.000Z");
    let unserved_closed = open_room(&app, "tok").await;
    close(&app, "tok", &unserved_closed).await;
    app.set_time("2024-01-01T12:00:00.000Z");
    let open = open_room(&app, "tok").await;

    let base = format!("/api/v1/livechat/visitors.searchChats/room/{served}/visitor/{vid}");
    let get = |q: &str| {
        let url = format!("{base}?{q}");
        let app = &app;
        async move {
            let r = app.get_as(&app.admin, &url).await;
            assert_eq!(r.status, 200, "{url}: {}", r.text);
            r
        }
    };
    let r = get("closedChatsOnly=false&servedChatsOnly=false").await;
    assert_eq!(
        ids(&r.body["history"]),
        [open.clone(), unserved_closed.clone(), served.clone()]
    );
    assert_eq!(
        (r.body["count"].clone(), r.body["total"].clone()),
        (json!(3), json!(3))
    );
    let r = get("closedChatsOnly=true&servedChatsOnly=false").await;
    assert_eq!(
        ids(&r.body["history"]),
        [unserved_closed.clone(), served.clone()]
    );
    let r = get("closedChatsOnly=false&servedChatsOnly=true").await;
    assert_eq!(ids(&r.body["history"]), [served.as_str()]);
    let r = get("searchText=hello").await;
    assert_eq!(ids(&r.body["history"]), [served.as_str()]);
    assert_eq!(
        get("searchText=HELLO").await.body["total"],
        0,
        "case-sensitive"
    );
    assert_eq!(
        get("searchText=.*").await.body["total"],
        0,
        "taken literally"
    );
    // REST-started chats are of source `api`; the source matches in part, any case.
    assert_eq!(get("source=AP").await.body["total"], 3);
    assert_eq!(get("source=widget").await.body["total"], 0);
    let r = get("count=1&offset=1").await;
    assert_eq!(ids(&r.body["history"]), [unserved_closed.as_str()]);
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(1), json!(1), json!(3))
    );

    // Upstream's projection, and the message that closed the chat.
    let r = get("servedChatsOnly=true").await;
    let chat = r.body["history"][0].as_object().unwrap();
    let mut keys: Vec<&str> = chat.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "_id",
            "closedAt",
            "closedBy",
            "closer",
            "closingMessage",
            "fname",
            "msgs",
            "servedBy",
            "ts",
            "v"
        ]
    );
    assert_eq!(chat["closingMessage"]["t"], "livechat-close");
    assert_eq!(chat["closingMessage"]["rid"], served.as_str());
    let r = get("closedChatsOnly=false").await;
    assert!(r.body["history"][0].get("closingMessage").is_none());

    // Another visitor's id: nothing.
    assert_eq!(
        app.get_as(
            &app.admin,
            &format!("/api/v1/livechat/visitors.searchChats/room/{served}/visitor/123")
        )
        .await
        .body["history"],
        json!([])
    );
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/visitors.searchChats/room/invalid/visitor/123",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text, r#"{"success":false,"error":"invalid-room"}"#);
    let plain = app.create_user("plain", &[]).await;
    assert_eq!(app.get_as(&plain, &base).await.status, 403);
}

#[tokio::test]
async fn autocomplete_finds_visitors_by_name_prefix() {
    let app = TestApp::spawn().await;
    let maria = named(&app, "t1", json!({"name": "Maria Lopez"})).await;
    let mario = named(&app, "t2", json!({"name": "mario"})).await;
    named(&app, "t3", json!({"name": "Anna Mar"})).await;
    let url = |sel: &Value| {
        format!(
            "/api/v1/livechat/visitors.autocomplete?selector={}",
            urlencode(&sel.to_string())
        )
    };

    let r = app
        .get_as(&app.admin, &url(&json!({"term": " mar "})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        ids(&r.body["items"]),
        [
            maria["_id"].as_str().unwrap(),
            mario["_id"].as_str().unwrap()
        ],
        "prefix, case-insensitive, by name"
    );
    let item = &r.body["items"][1];
    assert_eq!(item["name"], "mario");
    assert_eq!(item["username"], mario["username"]);
    assert_eq!(
        item["custom_name"],
        format!("{} - mario", mario["username"].as_str().unwrap())
    );
    let r = app
        .get_as(
            &app.admin,
            &url(&json!({"term": "mar", "exceptions": [maria["_id"]]})),
        )
        .await;
    assert_eq!(ids(&r.body["items"]), [mario["_id"].as_str().unwrap()]);
    let r = app.get_as(&app.admin, &url(&json!({"term": "m.*"}))).await;
    assert_eq!(r.body["items"], json!([]), "the term is literal");

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitors.autocomplete")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'selector' [invalid-params]"
    );
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/visitors.autocomplete?selector=%7Binvalid",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["success"], false);
    let plain = app.create_user("plain", &[]).await;
    assert_eq!(
        app.get_as(&plain, &url(&json!({"term": "m"}))).await.status,
        403
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_finds_visitors_by_contact_name_or_searchable_custom_field() {
    let app = TestApp::spawn_with_clock("2024-01-01T10:00:00.000Z").await;
    let nelson = named(
        &app,
        "t1",
        json!({"name": "Nelson Silva", "email": "nelson@example.com", "phone": "+5511999"}),
    )
    .await;
    app.set_time("2024-01-01T10:01:00.000Z");
    let ana = named(
        &app,
        "t2",
        json!({"name": "Ana", "email": "ana@example.com"}),
    )
    .await;
    app.set_time("2024-01-01T10:02:00.000Z");
    let carl = named(&app, "t3", json!({"name": "Carl"})).await;
    let id = |v: &Value| v["_id"].as_str().unwrap().to_string();
    let search = |term: &str| {
        let url = format!("/api/v1/livechat/visitors.search?term={}", urlencode(term));
        let app = &app;
        async move {
            let r = app.get_as(&app.admin, &url).await;
            assert_eq!(r.status, 200, "{url}: {}", r.text);
            r
        }
    };

    let r = search("").await;
    assert_eq!(
        ids(&r.body["visitors"]),
        [id(&carl), id(&ana), id(&nelson)],
        "newest first"
    );
    assert_eq!(
        (
            r.body["count"].clone(),
            r.body["offset"].clone(),
            r.body["total"].clone()
        ),
        (json!(3), json!(0), json!(3))
    );
    assert_eq!(ids(&search("nel").await.body["visitors"]), [id(&nelson)]);
    assert_eq!(ids(&search("SILVA").await.body["visitors"]), [id(&nelson)]);
    assert_eq!(
        ids(&search("ana@example.com").await.body["visitors"]),
        [id(&ana)]
    );
    assert_eq!(
        search("example.com").await.body["total"],
        0,
        "e-mail only whole"
    );
    assert_eq!(
        ids(&search("+5511999").await.body["visitors"]),
        [id(&nelson)]
    );
    assert_eq!(
        search("^((ab)*)+$").await.body["total"],
        0,
        "taken literally"
    );
    let r = search("Nelson").await;
    let found = r.body["visitors"][0].as_object().unwrap();
    let mut keys: Vec<&str> = found.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["_id", "name", "phone", "username", "visitorEmails"]);
    assert_eq!(found["phone"], json!([{"phoneNumber": "+5511999"}]));
    let r = app
        .get_as(
            &app.admin,
            "/api/v1/livechat/visitors.search?term=&count=1&offset=1",
        )
        .await;
    assert_eq!(ids(&r.body["visitors"]), [id(&ana)]);

    // A searchable visitor custom field is searched too, an unsearchable one not.
    for (field, searchable) in [("company", true), ("secret", false)] {
        let r = app
            .post_as(
                &app.admin,
                "/api/v1/livechat/custom-fields.save",
                json!({"customFieldId": null, "customFieldData": {"field": field, "label": field, "scope": "visitor", "visibility": "visible", "searchable": searchable}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    for (key, value) in [("company", "Acme Corp"), ("secret", "Hidden Inc")] {
        let r = app
            .post(
                "/api/v1/livechat/custom.field",
                json!({"token": "t3", "key": key, "value": value, "overwrite": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(ids(&search("acme").await.body["visitors"]), [id(&carl)]);
    assert_eq!(search("hidden").await.body["total"], 0);

    let r = app
        .get_as(&app.admin, "/api/v1/livechat/visitors.search")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"],
        "must have required property 'term' [invalid-params]"
    );
    let plain = app.create_user("plain", &[]).await;
    let r = app
        .get_as(&plain, "/api/v1/livechat/visitors.search?term=nel")
        .await;
    assert_eq!(r.status, 403);
}
