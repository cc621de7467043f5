//! Row helpers (shared by reads and write operations) and the `Store` implementation.

use super::{Conn, SqliteStore};
use crate::model::*;
use crate::store::*;
use crate::time::Ts;
use rusqlite::{OptionalExtension, Params, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn to_doc<T: Serialize>(v: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_doc<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    Ok(serde_json::from_str(s)?)
}

fn one_doc<T: DeserializeOwned>(c: &Conn, sql: &str, p: impl Params) -> StoreResult<Option<T>> {
    let mut st = c.prepare_cached(sql)?;
    let doc: Option<String> = st.query_row(p, |r| r.get(0)).optional()?;
    doc.map(|d| from_doc(&d)).transpose()
}

fn many_docs<T: DeserializeOwned>(c: &Conn, sql: &str, p: impl Params) -> StoreResult<Vec<T>> {
    let mut st = c.prepare_cached(sql)?;
    let docs = st
        .query_map(p, |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    docs.iter().map(|d| from_doc(d)).collect()
}

fn load<T: DeserializeOwned>(c: &Conn, table: &str, id: &str) -> StoreResult<Option<T>> {
    one_doc(c, &format!("SELECT doc FROM {table} WHERE id = ?1"), [id])
}

fn roles_col(roles: &[String]) -> String {
    format!(",{},", roles.join(","))
}

fn put_user(c: &Conn, u: &User, insert: bool, password_hash: Option<&str>) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO users (id, username, email, roles, is_agent, active, status, status_connection,
            status_livechat, livechat_count, last_routing_time, doc, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE users SET username = ?2, email = ?3, roles = ?4, is_agent = ?5, active = ?6, status = ?7,
            status_connection = ?8, status_livechat = ?9, livechat_count = ?10, last_routing_time = ?11,
            doc = ?12, password_hash = COALESCE(?13, password_hash)
         WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        u.id,
        u.username,
        u.first_email().map(|e| e.to_lowercase()),
        roles_col(&u.roles),
        u.has_role("livechat-agent"),
        u.active,
        u.status,
        u.status_connection,
        u.status_livechat,
        u.livechat_count.unwrap_or(0),
        u.last_routing_time.map(|t| t.millis()),
        to_doc(u)?,
        password_hash,
    ])?;
    Ok(())
}

fn put_visitor(c: &Conn, v: &Visitor, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO visitors (id, token, phone, email, doc) VALUES (?1, ?2, ?3, ?4, ?5)"
    } else {
        "UPDATE visitors SET token = ?2, phone = ?3, email = ?4, doc = ?5 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        v.id,
        v.token,
        v.first_phone(),
        v.first_email().map(|e| e.to_lowercase()),
        to_doc(v)?
    ])?;
    Ok(())
}

fn put_room(c: &Conn, r: &Room, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO rooms (id, token, open, department_id, served_by, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    } else {
        "UPDATE rooms SET token = ?2, open = ?3, department_id = ?4, served_by = ?5, ts = ?6, doc = ?7 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        r.id,
        r.v.token,
        r.is_open().then_some(1),
        r.department_id,
        r.served_by_id(),
        r.ts.millis(),
        to_doc(r)?
    ])?;
    Ok(())
}

fn put_inquiry(c: &Conn, i: &Inquiry, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO inquiries (id, rid, status, department, ts, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    } else {
        "UPDATE inquiries SET rid = ?2, status = ?3, department = ?4, ts = ?5, doc = ?6 WHERE id = ?1"
    };
    c.prepare_cached(sql)?.execute(params![
        i.id,
        i.rid,
        i.status,
        i.department,
        i.ts.millis(),
        to_doc(i)?
    ])?;
    Ok(())
}

fn insert_message(c: &Conn, m: &Message) -> StoreResult<()> {
    c.prepare_cached("INSERT INTO messages (id, rid, ts, t, hidden, token, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![m.id, m.rid, m.ts.millis(), m.t, m.hidden, m.token, to_doc(m)?])?;
    Ok(())
}

fn put_department(c: &Conn, d: &Department, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO departments (id, name, enabled, doc) VALUES (?1, ?2, ?3, ?4)"
    } else {
        "UPDATE departments SET name = ?2, enabled = ?3, doc = ?4 WHERE id = ?1"
    };
    c.prepare_cached(sql)?
        .execute(params![d.id, d.name, d.enabled, to_doc(d)?])?;
    Ok(())
}

fn insert_subscription(c: &Conn, s: &Subscription) -> StoreResult<()> {
    c.prepare_cached("INSERT INTO subscriptions (id, rid, user_id, doc) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![s.id, s.rid, s.u.id, to_doc(s)?])?;
    Ok(())
}

const DEPT_AGENT_COLS: &str =
    "id, agent_id, department_id, department_enabled, username, count, ord, updated_at";

fn department_agents_where(c: &Conn, filter: &str, arg: &str) -> StoreResult<Vec<DepartmentAgent>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE {filter} ORDER BY username, department_id"
    ))?;
    let rows = st
        .query_map([arg], |r| {
            Ok(DepartmentAgent {
                id: r.get(0)?,
                agent_id: r.get(1)?,
                department_id: r.get(2)?,
                department_enabled: r.get(3)?,
                username: r.get(4)?,
                count: r.get(5)?,
                order: r.get(6)?,
                updated_at: Ts::from_millis(r.get(7)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A document kept in its own table, written through its `put_*` function.
trait DocRow: DeserializeOwned + Serialize + Send + Sized {
    const TABLE: &'static str;
    fn put(c: &Conn, d: &Self) -> StoreResult<()>;
    /// The values of the indexed columns; when a change leaves them alone only the
    /// document is rewritten (an UPDATE that sets an indexed column rewrites its index entry).
    fn index_key(&self) -> Option<String> {
        None
    }
}

impl Room {
    fn index_key_of(&self) -> String {
        format!(
            "{}|{}|{:?}|{:?}|{}",
            self.v.token,
            self.is_open(),
            self.department_id,
            self.served_by_id(),
            self.ts.millis()
        )
    }
}

macro_rules! doc_row {
    ($t:ty, $table:literal, $put:expr) => {
        impl DocRow for $t {
            const TABLE: &'static str = $table;
            fn put(c: &Conn, d: &Self) -> StoreResult<()> {
                $put(c, d)
            }
        }
    };
}

doc_row!(User, "users", |c, d| put_user(c, d, false, None));
doc_row!(Visitor, "visitors", |c, d| put_visitor(c, d, false));
impl DocRow for Room {
    const TABLE: &'static str = "rooms";
    fn put(c: &Conn, d: &Self) -> StoreResult<()> {
        put_room(c, d, false)
    }
    fn index_key(&self) -> Option<String> {
        Some(self.index_key_of())
    }
}
doc_row!(Inquiry, "inquiries", |c, d| put_inquiry(c, d, false));
doc_row!(Department, "departments", |c, d| put_department(
    c, d, false
));
doc_row!(Message, "messages", update_message);

fn update_message(c: &Conn, m: &Message) -> StoreResult<()> {
    c.prepare_cached(
        "UPDATE messages SET rid = ?2, ts = ?3, t = ?4, hidden = ?5, token = ?6, doc = ?7 WHERE id = ?1",
    )?
    .execute(params![m.id, m.rid, m.ts.millis(), m.t, m.hidden, m.token, to_doc(m)?])?;
    Ok(())
}

/// Read, change and write one document inside the caller's transaction.
fn modify_in_tx<T: DocRow>(c: &Conn, id: &str, f: &ModifyFn<T>) -> StoreResult<Option<T>> {
    let Some(mut doc) = load::<T>(c, T::TABLE, id)? else {
        return Ok(None);
    };
    let before = doc.index_key();
    f(&mut doc).map_err(StoreError::Rejected)?;
    if before.is_some() && before == doc.index_key() {
        c.prepare_cached(&format!("UPDATE {} SET doc = ?2 WHERE id = ?1", T::TABLE))?
            .execute(params![id, to_doc(&doc)?])?;
    } else {
        T::put(c, &doc)?;
    }
    Ok(Some(doc))
}

fn refresh_num_agents(c: &Conn, department_id: &str) -> StoreResult<()> {
    let n: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM department_agents WHERE department_id = ?1")?
        .query_row([department_id], |r| r.get(0))?;
    if let Some(mut d) = load::<Department>(c, "departments", department_id)? {
        d.num_agents = n;
        put_department(c, &d, false)?;
    }
    Ok(())
}

/// `ORDER BY` from a client's sort, through a whitelist of field → column.
fn order_by(sort: &[(String, bool)], columns: &[(&str, &str)], default: &str) -> String {
    let order: Vec<String> = sort
        .iter()
        .filter_map(|(f, asc)| {
            let col = columns.iter().find(|(name, _)| name == f)?.1;
            Some(format!("{col} {}", if *asc { "ASC" } else { "DESC" }))
        })
        .collect();
    if order.is_empty() {
        default.to_string()
    } else {
        order.join(", ")
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

mod custom_fields;
mod departments;
mod inquiries;
mod messages;
mod navigation;
mod permissions;
mod presence;
mod rooms;
mod settings;
mod triggers;
mod units;
mod uploads;
mod users;
mod visitors;

const OPEN_ROOM_BY_TOKEN: &str = "SELECT doc FROM rooms WHERE token = ?1 AND open = 1";

#[async_trait]
impl Store for SqliteStore {
    async fn insert_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        users::insert_user(self, user, password_hash).await
    }
    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        users::user(self, id).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        users::user_by_username(self, username).await
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        users::user_by_email(self, email).await
    }
    async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        users::password_hash(self, user_id).await
    }
    async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        users::set_password_hash(self, user_id, hash).await
    }
    async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>> {
        users::modify_user(self, id, f).await
    }
    async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        users::delete_user(self, id).await
    }
    async fn count_users_with_role(&self, role: &str) -> StoreResult<i64> {
        users::count_users_with_role(self, role).await
    }
    async fn list_users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
        users::list_users(self, q).await
    }
    async fn insert_login_token(&self, user_id: &str, hashed: &str, when: Ts) -> StoreResult<()> {
        users::insert_login_token(self, user_id, hashed, when).await
    }
    async fn user_by_login_token(
        &self,
        hashed: &str,
        issued_since: Ts,
    ) -> StoreResult<Option<User>> {
        users::user_by_login_token(self, hashed, issued_since).await
    }
    async fn delete_login_token(&self, hashed: &str) -> StoreResult<()> {
        users::delete_login_token(self, hashed).await
    }
    async fn settings(&self) -> StoreResult<Vec<(String, Value)>> {
        settings::settings(self).await
    }
    async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()> {
        settings::put_setting(self, id, value).await
    }
    async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64> {
        settings::incr_setting(self, id, default).await
    }
    async fn permissions(&self) -> StoreResult<Vec<Permission>> {
        self.read(permissions::permissions)
    }
    async fn seed_permissions(&self, defaults: &[Permission]) -> StoreResult<()> {
        let defaults = defaults.to_vec();
        self.write(move |c| permissions::seed_permissions(c, &defaults))
            .await
    }
    async fn set_permission_roles(
        &self,
        changes: &[(String, Vec<String>)],
        at: Ts,
    ) -> StoreResult<()> {
        let changes = changes.to_vec();
        self.write(move |c| permissions::set_permission_roles(c, &changes, at))
            .await
    }
    async fn roles(&self) -> StoreResult<Vec<Role>> {
        self.read(permissions::roles)
    }
    async fn seed_roles(&self, defaults: &[Role]) -> StoreResult<()> {
        let defaults = defaults.to_vec();
        self.write(move |c| permissions::seed_roles(c, &defaults))
            .await
    }
    async fn visitor(&self, id: &str) -> StoreResult<Option<Visitor>> {
        visitors::visitor(self, id).await
    }
    async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>> {
        visitors::visitor_by_token(self, token).await
    }
    async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>> {
        visitors::visitor_by_phone(self, phone).await
    }
    async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>> {
        visitors::visitor_by_email(self, email).await
    }
    async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()> {
        visitors::insert_visitor(self, v).await
    }
    async fn modify_visitor(&self, id: &str, f: Modify<Visitor>) -> StoreResult<Option<Visitor>> {
        visitors::modify_visitor(self, id, f).await
    }
    async fn remove_visitor_data(&self, token: &str, anonymised: &Visitor) -> StoreResult<()> {
        visitors::remove_visitor_data(self, token, anonymised).await
    }
    async fn room(&self, id: &str) -> StoreResult<Option<Room>> {
        rooms::room(self, id).await
    }
    async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>> {
        rooms::open_room_by_token(self, token).await
    }
    async fn open_room_json(
        &self,
        token: &str,
    ) -> StoreResult<Option<Box<serde_json::value::RawValue>>> {
        rooms::open_room_json(self, token).await
    }
    async fn room_by_token(&self, token: &str, rid: Option<&str>) -> StoreResult<Option<Room>> {
        rooms::room_by_token(self, token, rid).await
    }
    async fn visitor_exists(&self, token: &str) -> StoreResult<bool> {
        rooms::visitor_exists(self, token).await
    }
    async fn room_of_token_exists(&self, token: &str, rid: &str) -> StoreResult<bool> {
        rooms::room_of_token_exists(self, token, rid).await
    }
    async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>> {
        rooms::open_rooms_by_token(self, token).await
    }
    async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>> {
        rooms::modify_room(self, id, f).await
    }
    async fn unit(&self, ask: unit::Ask, rule: unit::Rule) -> StoreResult<()> {
        self.write(move |c| units::run(c, &ask, &rule)).await
    }
    async fn agents(&self, ask: &unit::AgentsAsk) -> StoreResult<Vec<unit::Candidate>> {
        self.read(|c| units::candidates(c, ask))
    }
    async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>> {
        inquiries::inquiry(self, id).await
    }
    async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>> {
        inquiries::inquiry_by_room(self, rid).await
    }
    async fn modify_inquiry(&self, id: &str, f: Modify<Inquiry>) -> StoreResult<Option<Inquiry>> {
        inquiries::modify_inquiry(self, id, f).await
    }
    async fn list_inquiries(
        &self,
        status: Option<&str>,
        departments: Option<&[String]>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Inquiry>, i64)> {
        inquiries::list_inquiries(self, status, departments, offset, count).await
    }
    async fn append_message(
        &self,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        messages::append_message(self, msg, room_update).await
    }
    async fn message(&self, id: &str) -> StoreResult<Option<Message>> {
        messages::message(self, id).await
    }
    async fn modify_message(&self, id: &str, f: Modify<Message>) -> StoreResult<Option<Message>> {
        messages::modify_message(self, id, f).await
    }
    async fn delete_message(&self, id: &str, room_update: AfterDelete) -> StoreResult<bool> {
        messages::delete_message(self, id, room_update).await
    }
    async fn history(
        &self,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
        offset: i64,
        hidden_types: &[String],
    ) -> StoreResult<Vec<Box<serde_json::value::RawValue>>> {
        messages::history(self, rid, end, limit, offset, hidden_types).await
    }
    async fn room_messages(
        &self,
        rid: &str,
        search: Option<&str>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Message>, i64)> {
        messages::room_messages(self, rid, search, offset, count).await
    }
    async fn list_rooms(&self, q: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
        rooms::list_rooms(self, q).await
    }
    async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>> {
        messages::messages_of_room(self, rid).await
    }
    async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>> {
        rooms::subscriptions_of_room(self, rid).await
    }
    async fn insert_department(&self, d: &Department) -> StoreResult<()> {
        departments::insert_department(self, d).await
    }
    async fn department(&self, id: &str) -> StoreResult<Option<Department>> {
        departments::department(self, id).await
    }
    async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>> {
        departments::department_by_name(self, name).await
    }
    async fn modify_department(
        &self,
        id: &str,
        f: Modify<Department>,
    ) -> StoreResult<Option<Department>> {
        departments::modify_department(self, id, f).await
    }
    async fn delete_department(&self, id: &str) -> StoreResult<bool> {
        departments::delete_department(self, id).await
    }
    async fn list_departments(&self, q: &DepartmentQuery) -> StoreResult<(Vec<Department>, i64)> {
        departments::list_departments(self, q).await
    }
    async fn departments_with_agents(&self) -> StoreResult<Vec<Department>> {
        departments::departments_with_agents(self).await
    }
    async fn department_agents(&self, department_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        departments::department_agents(self, department_id).await
    }
    async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        departments::agent_departments(self, agent_id).await
    }
    async fn update_department_agents(
        &self,
        department_id: &str,
        upsert: &[DepartmentAgent],
        remove: &[String],
    ) -> StoreResult<()> {
        departments::update_department_agents(self, department_id, upsert, remove).await
    }
    // presence shared by several instances (issue 7b)
    async fn presence_connect(
        &self,
        instance: &str,
        conn: u64,
        user_id: &str,
        now: Ts,
    ) -> StoreResult<bool> {
        presence::presence_connect(self, instance, conn, user_id, now).await
    }
    async fn presence_disconnect(&self, instance: &str, conn: u64) -> StoreResult<Option<String>> {
        presence::presence_disconnect(self, instance, conn).await
    }
    async fn presence_count(&self, user_id: &str) -> StoreResult<i64> {
        presence::presence_count(self, user_id).await
    }
    async fn instance_heartbeat(&self, instance: &str, now: Ts) -> StoreResult<bool> {
        presence::instance_heartbeat(self, instance, now).await
    }
    async fn expire_instances(&self, cutoff: Ts) -> StoreResult<Vec<String>> {
        presence::expire_instances(self, cutoff).await
    }
    // issue 8a: custom fields, triggers, navigation history, uploads
    async fn custom_field(&self, id: &str) -> StoreResult<Option<CustomField>> {
        self.read(|c| custom_fields::custom_field(c, id))
    }
    async fn custom_fields(&self, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
        self.read(|c| custom_fields::custom_fields(c, scope))
    }
    async fn list_custom_fields(
        &self,
        text: Option<&str>,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<CustomField>, i64)> {
        self.read(|c| custom_fields::list_custom_fields(c, text, offset, count, sort))
    }
    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let f = f.clone();
        self.write(move |c| custom_fields::insert_custom_field(c, &f))
            .await
    }
    async fn modify_custom_field(
        &self,
        id: &str,
        f: Modify<CustomField>,
    ) -> StoreResult<Option<CustomField>> {
        let id = id.to_owned();
        self.write(move |c| custom_fields::modify_custom_field(c, &id, &*f))
            .await
    }
    async fn delete_custom_field(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| custom_fields::delete_by_id(c, "custom_fields", &id))
            .await
    }
    async fn trigger(&self, id: &str) -> StoreResult<Option<Trigger>> {
        self.read(|c| triggers::trigger(c, id))
    }
    async fn list_triggers(
        &self,
        enabled_only: bool,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<Trigger>, i64)> {
        self.read(|c| triggers::list_triggers(c, enabled_only, offset, count, sort))
    }
    async fn put_trigger(&self, t: &Trigger) -> StoreResult<()> {
        let t = t.clone();
        self.write(move |c| triggers::put_trigger(c, &t)).await
    }
    async fn delete_trigger(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| custom_fields::delete_by_id(c, "triggers", &id))
            .await
    }
    async fn insert_pending_navigation(
        &self,
        token: &str,
        expire_at: i64,
        msg: &Message,
    ) -> StoreResult<()> {
        let (token, msg) = (token.to_owned(), msg.clone());
        self.write(move |c| navigation::insert_pending_navigation(c, &token, expire_at, &msg))
            .await
    }
    async fn attach_pending_navigation(
        &self,
        token: &str,
        rid: &str,
        now_ms: i64,
        room_update: Received,
    ) -> StoreResult<Vec<Message>> {
        let (token, rid) = (token.to_owned(), rid.to_owned());
        self.write(move |c| {
            navigation::attach_pending_navigation(c, &token, &rid, now_ms, &*room_update)
        })
        .await
    }
    async fn purge_pending_navigation(&self, now_ms: i64) -> StoreResult<u64> {
        self.write(move |c| navigation::purge_pending_navigation(c, now_ms))
            .await
    }
    async fn insert_upload_message(
        &self,
        upload: &Upload,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        let upload = upload.clone();
        self.write(move |c| uploads::insert_upload_message(c, &upload, &msg, &*room_update))
            .await
    }
    async fn upload(&self, id: &str) -> StoreResult<Option<Upload>> {
        self.read(|c| uploads::upload(c, id))
    }
    async fn uploads_of_token(&self, token: &str) -> StoreResult<Vec<Upload>> {
        self.read(|c| {
            many_docs(
                c,
                "SELECT doc FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                [token],
            )
        })
    }
    // outbox (issue 8b)
    async fn outbox_enqueue(&self, item: &OutboxItem) -> StoreResult<()> {
        let item = item.clone();
        self.write(move |c| super::outbox::enqueue(c, &item)).await
    }
    async fn outbox_claim(
        &self,
        now: Ts,
        lease_ms: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxItem>> {
        let owner = owner.to_owned();
        self.write(move |c| super::outbox::claim(c, now, lease_ms, &owner, limit))
            .await
    }
    async fn outbox_finish(
        &self,
        id: &str,
        owner: &str,
        outcome: &OutboxOutcome,
    ) -> StoreResult<bool> {
        let (id, owner, outcome) = (id.to_owned(), owner.to_owned(), outcome.clone());
        self.write(move |c| super::outbox::finish(c, &id, &owner, &outcome))
            .await
    }
    async fn outbox_stats(&self) -> StoreResult<crate::store::OutboxStats> {
        self.read(super::outbox::stats)
    }
    async fn outbox_next_due(&self) -> StoreResult<Option<Ts>> {
        self.read(super::outbox::next_due)
    }
}
