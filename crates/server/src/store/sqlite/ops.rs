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

mod extras;
mod permissions;
mod work;

const OPEN_ROOM_BY_TOKEN: &str = "SELECT doc FROM rooms WHERE token = ?1 AND open = 1";

#[async_trait]
impl Store for SqliteStore {
    async fn insert_user(&self, user: &User, password_hash: Option<&str>) -> StoreResult<()> {
        let (user, hash) = (user.clone(), password_hash.map(str::to_owned));
        self.write(move |c| put_user(c, &user, true, hash.as_deref()))
            .await
    }
    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.read(|c| load(c, "users", id))
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        self.read(|c| one_doc(c, "SELECT doc FROM users WHERE username = ?1", [username]))
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.read(|c| {
            one_doc(
                c,
                "SELECT doc FROM users WHERE email = ?1",
                [email.to_lowercase()],
            )
        })
    }
    async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
                    .query_row([user_id], |r| r.get::<_, Option<String>>(0))
                    .optional()?
                    .flatten(),
            )
        })
    }
    async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        let (id, hash) = (user_id.to_owned(), hash.to_owned());
        self.write(move |c| {
            c.prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
                .execute(params![id, hash])?;
            Ok(())
        })
        .await
    }
    async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>> {
        let id = id.to_owned();
        self.write(move |c| modify_in_tx(c, &id, &*f)).await
    }
    async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| {
            c.prepare_cached("DELETE FROM login_tokens WHERE user_id = ?1")?
                .execute([&id])?;
            let depts: Vec<String> = c
                .prepare_cached("SELECT department_id FROM department_agents WHERE agent_id = ?1")?
                .query_map([&id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            c.prepare_cached("DELETE FROM department_agents WHERE agent_id = ?1")?
                .execute([&id])?;
            for d in depts {
                refresh_num_agents(c, &d)?;
            }
            Ok(c.prepare_cached("DELETE FROM users WHERE id = ?1")?
                .execute([&id])?
                > 0)
        })
        .await
    }
    async fn count_users_with_role(&self, role: &str) -> StoreResult<i64> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT COUNT(*) FROM users WHERE instr(roles, ?1) > 0")?
                    .query_row([format!(",{role},")], |r| r.get(0))?,
            )
        })
    }
    async fn list_users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        if q.role.is_some() {
            wh.push("instr(roles, ?1) > 0".into());
        } else {
            wh.push("?1 IS NULL".into());
        }
        if q.text.is_some() {
            wh.push("(username LIKE ?2 ESCAPE '\\' OR json_extract(doc, '$.name') LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')".into());
        } else {
            wh.push("?2 IS NULL".into());
        }
        if q.only_available {
            wh.push("status_livechat = 'available'".into());
        }
        if q.not_offline {
            wh.push("(status <> 'offline' OR instr(roles, ',bot,') > 0)".into());
        }
        if q.exclude_id.is_some() {
            wh.push("id <> ?3".into());
        } else {
            wh.push("?3 IS NULL".into());
        }
        let wh = wh.join(" AND ");
        let order = order_by(
            &q.sort,
            &[
                ("username", "username"),
                ("name", "json_extract(doc, '$.name')"),
                ("status", "status"),
                ("statusLivechat", "status_livechat"),
                ("livechatCount", "livechat_count"),
                ("_id", "id"),
            ],
            "username ASC",
        );
        let role = q.role.as_ref().map(|r| format!(",{r},"));
        let text = q.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        self.read(|c| {
            let total: i64 = c
                .prepare(&format!("SELECT COUNT(*) FROM users WHERE {wh}"))?
                .query_row(params![role, text, q.exclude_id], |r| r.get(0))?;
            let users = many_docs(
                c,
                &format!("SELECT doc FROM users WHERE {wh} ORDER BY {order} LIMIT ?4 OFFSET ?5"),
                params![
                    role,
                    text,
                    q.exclude_id,
                    if q.count <= 0 { -1 } else { q.count },
                    q.offset
                ],
            )?;
            Ok((users, total))
        })
    }
    async fn insert_login_token(&self, user_id: &str, hashed: &str, when: Ts) -> StoreResult<()> {
        let (id, hashed) = (user_id.to_owned(), hashed.to_owned());
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO login_tokens (hashed, user_id, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![hashed, id, when.millis()])?;
            Ok(())
        })
        .await
    }
    async fn user_by_login_token(
        &self,
        hashed: &str,
        issued_since: Ts,
    ) -> StoreResult<Option<User>> {
        self.read(|c| {
            one_doc(c, "SELECT u.doc FROM login_tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed = ?1 AND t.created_at >= ?2", params![hashed, issued_since.millis()])
        })
    }
    async fn delete_login_token(&self, hashed: &str) -> StoreResult<()> {
        let hashed = hashed.to_owned();
        self.write(move |c| {
            c.prepare_cached("DELETE FROM login_tokens WHERE hashed = ?1")?
                .execute([hashed])?;
            Ok(())
        })
        .await
    }

    async fn settings(&self) -> StoreResult<Vec<(String, Value)>> {
        self.read(|c| {
            let rows: Vec<(String, String)> = c
                .prepare_cached("SELECT id, value FROM settings")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            rows.into_iter()
                .map(|(k, v)| Ok((k, serde_json::from_str(&v)?)))
                .collect()
        })
    }
    async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()> {
        let (id, value) = (id.to_owned(), serde_json::to_string(value)?);
        self.write(move |c| {
            c.prepare_cached("INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET value = excluded.value")?
                .execute(params![id, value])?;
            Ok(())
        })
        .await
    }
    async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64> {
        let id = id.to_owned();
        self.write(move |c| {
            let v: String = c
                .prepare_cached(
                    "INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE
                     SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT) RETURNING value",
                )?
                .query_row(params![id, (default + 1).to_string()], |r| r.get(0))?;
            Ok(v.parse().unwrap_or(default + 1))
        })
        .await
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
        self.read(|c| load(c, "visitors", id))
    }
    async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>> {
        self.read(|c| one_doc(c, "SELECT doc FROM visitors WHERE token = ?1", [token]))
    }
    async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>> {
        self.read(|c| {
            one_doc(
                c,
                "SELECT doc FROM visitors WHERE phone = ?1 LIMIT 1",
                [phone],
            )
        })
    }
    async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>> {
        self.read(|c| {
            one_doc(
                c,
                "SELECT doc FROM visitors WHERE email = ?1 LIMIT 1",
                [email.to_lowercase()],
            )
        })
    }
    async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()> {
        let v = v.clone();
        self.write(move |c| put_visitor(c, &v, true)).await
    }
    async fn modify_visitor(&self, id: &str, f: Modify<Visitor>) -> StoreResult<Option<Visitor>> {
        let id = id.to_owned();
        self.write(move |c| modify_in_tx(c, &id, &*f)).await
    }
    async fn remove_visitor_data(&self, token: &str, anonymised: &Visitor) -> StoreResult<()> {
        let (token, anonymised) = (token.to_owned(), anonymised.clone());
        self.write(move |c| {
            for sql in [
                "DELETE FROM messages WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM messages WHERE rid IS NULL AND token = ?1",
                "DELETE FROM navigation_pending WHERE token = ?1",
                "DELETE FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM subscriptions WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM inquiries WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
                "DELETE FROM rooms WHERE token = ?1",
            ] {
                c.prepare_cached(sql)?.execute([&token])?;
            }
            put_visitor(c, &anonymised, false)
        })
        .await
    }

    async fn room(&self, id: &str) -> StoreResult<Option<Room>> {
        self.read(|c| load(c, "rooms", id))
    }
    async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>> {
        self.read(|c| one_doc(c, OPEN_ROOM_BY_TOKEN, [token]))
    }
    async fn open_room_json(
        &self,
        token: &str,
    ) -> StoreResult<Option<Box<serde_json::value::RawValue>>> {
        let doc: Option<String> = self.read(|c| {
            Ok(c.prepare_cached(OPEN_ROOM_BY_TOKEN)?
                .query_row([token], |r| r.get(0))
                .optional()?)
        })?;
        Ok(doc
            .map(serde_json::value::RawValue::from_string)
            .transpose()?)
    }
    async fn room_by_token(&self, token: &str, rid: Option<&str>) -> StoreResult<Option<Room>> {
        self.read(|c| match rid {
            Some(rid) => one_doc(
                c,
                "SELECT doc FROM rooms WHERE id = ?1 AND token = ?2",
                [rid, token],
            ),
            None => one_doc(
                c,
                "SELECT doc FROM rooms WHERE token = ?1 ORDER BY open IS NULL, ts DESC LIMIT 1",
                [token],
            ),
        })
    }
    async fn visitor_exists(&self, token: &str) -> StoreResult<bool> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT EXISTS (SELECT 1 FROM visitors WHERE token = ?1)")?
                    .query_row([token], |r| r.get(0))?,
            )
        })
    }
    async fn room_of_token_exists(&self, token: &str, rid: &str) -> StoreResult<bool> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = ?1 AND token = ?2)",
            )?
            .query_row([rid, token], |r| r.get(0))?)
        })
    }
    async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>> {
        self.read(|c| many_docs(c, OPEN_ROOM_BY_TOKEN, [token]))
    }
    async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>> {
        let id = id.to_owned();
        self.write(move |c| modify_in_tx(c, &id, &*f)).await
    }

    async fn unit(&self, ask: unit::Ask, rule: unit::Rule) -> StoreResult<()> {
        self.write(move |c| work::run(c, &ask, &rule)).await
    }
    async fn agents(&self, ask: &unit::AgentsAsk) -> StoreResult<Vec<unit::Candidate>> {
        self.read(|c| work::candidates(c, ask))
    }

    async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>> {
        self.read(|c| load(c, "inquiries", id))
    }
    async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>> {
        self.read(|c| one_doc(c, "SELECT doc FROM inquiries WHERE rid = ?1", [rid]))
    }
    async fn modify_inquiry(&self, id: &str, f: Modify<Inquiry>) -> StoreResult<Option<Inquiry>> {
        let id = id.to_owned();
        self.write(move |c| modify_in_tx(c, &id, &*f)).await
    }
    async fn list_inquiries(
        &self,
        status: Option<&str>,
        departments: Option<&[String]>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Inquiry>, i64)> {
        let depts = departments.map(serde_json::to_string).transpose()?;
        let wh = "(?1 IS NULL OR status = ?1)
                  AND (?2 IS NULL OR department IS NULL OR department IN (SELECT value FROM json_each(?2)))";
        self.read(|c| {
            let total: i64 = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM inquiries WHERE {wh}"))?
                .query_row(params![status, depts], |r| r.get(0))?;
            let list = many_docs(
                c,
                &format!("SELECT doc FROM inquiries WHERE {wh} ORDER BY ts, id LIMIT ?3 OFFSET ?4"),
                params![status, depts, if count <= 0 { -1 } else { count }, offset],
            )?;
            Ok((list, total))
        })
    }

    async fn append_message(
        &self,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        self.write(move |c| {
            let exists: bool = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1)")?
                .query_row([&msg.id], |r| r.get(0))?;
            if exists {
                return Ok(None);
            }
            let room = modify_in_tx(c, &msg.rid, &*room_update)?;
            if room.is_some() {
                insert_message(c, &msg)?;
            }
            Ok(room)
        })
        .await
    }
    async fn message(&self, id: &str) -> StoreResult<Option<Message>> {
        self.read(|c| load(c, "messages", id))
    }
    async fn modify_message(&self, id: &str, f: Modify<Message>) -> StoreResult<Option<Message>> {
        let id = id.to_owned();
        self.write(move |c| modify_in_tx(c, &id, &*f)).await
    }
    async fn delete_message(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| {
            let Some(m) = load::<Message>(c, "messages", &id)? else { return Ok(false) };
            c.prepare_cached("DELETE FROM messages WHERE id = ?1")?.execute([&id])?;
            if let Some(mut room) = load::<Room>(c, "rooms", &m.rid)?
                && room.last_message.as_ref().and_then(|l| l.get("_id")).and_then(Value::as_str) == Some(id.as_str())
            {
                let last: Option<Message> = one_doc(
                    c,
                    "SELECT doc FROM messages WHERE rid = ?1 AND t IS NULL AND hidden = 0 ORDER BY ts DESC, rowid DESC LIMIT 1",
                    [&m.rid],
                )?;
                room.last_message = last.map(|l| serde_json::to_value(l).unwrap_or_default());
                put_room(c, &room, false)?;
            }
            Ok(true)
        })
        .await
    }
    async fn history(
        &self,
        rid: &str,
        end: Option<Ts>,
        limit: i64,
        offset: i64,
        hidden_types: &[String],
    ) -> StoreResult<Vec<Box<serde_json::value::RawValue>>> {
        let hidden = serde_json::to_string(hidden_types)?;
        let docs: Vec<String> = self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT doc FROM messages WHERE rid = ?1 AND hidden = 0 AND ts < ?2
                   AND (t IS NULL OR t NOT IN (SELECT value FROM json_each(?3)))
                 ORDER BY ts DESC, rowid DESC LIMIT ?4 OFFSET ?5",
            )?;
            let rows = st
                .query_map(
                    params![
                        rid,
                        end.map_or(i64::MAX, |e| e.millis()),
                        hidden,
                        limit,
                        offset
                    ],
                    |r| r.get(0),
                )?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(rows)
        })?;
        docs.into_iter()
            .map(|d| Ok(serde_json::value::RawValue::from_string(d)?))
            .collect()
    }
    async fn room_messages(
        &self,
        rid: &str,
        search: Option<&str>,
        offset: i64,
        count: i64,
    ) -> StoreResult<(Vec<Message>, i64)> {
        let like = search.map(|t| format!("%{}%", like_escape(t)));
        let wh = "rid = ?1 AND (?2 IS NULL OR json_extract(doc, '$.msg') LIKE ?2 ESCAPE '\\')";
        self.read(|c| {
            let total: i64 = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM messages WHERE {wh}"))?
                .query_row(params![rid, like], |r| r.get(0))?;
            let list = many_docs(
                c,
                &format!("SELECT doc FROM messages WHERE {wh} ORDER BY ts DESC, rowid DESC LIMIT ?3 OFFSET ?4"),
                params![rid, like, if count <= 0 { -1 } else { count }, offset],
            )?;
            Ok((list, total))
        })
    }
    async fn list_rooms(&self, q: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
        let mut wh = vec!["1 = 1".to_string()];
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut arg = |v: rusqlite::types::Value| {
            args.push(v);
            format!("?{}", args.len())
        };
        if !q.agents.is_empty() {
            let p = arg(serde_json::to_string(&q.agents).unwrap_or_default().into());
            wh.push(format!("served_by IN (SELECT value FROM json_each({p}))"));
        }
        if let Some(d) = &q.department_id {
            let p = arg(d.clone().into());
            wh.push(format!("department_id = {p}"));
        }
        match q.open {
            Some(true) => wh.push("open = 1".into()),
            Some(false) => wh.push("open IS NULL".into()),
            None => {}
        }
        if let Some(n) = &q.name {
            let p = arg(format!("%{}%", like_escape(n)).into());
            wh.push(format!("json_extract(doc, '$.fname') LIKE {p} ESCAPE '\\'"));
        }
        if let Some(t) = q.created.0 {
            let p = arg(t.millis().into());
            wh.push(format!("ts >= {p}"));
        }
        if let Some(t) = q.created.1 {
            let p = arg(t.millis().into());
            wh.push(format!("ts <= {p}"));
        }
        if q.closed.0.is_some() || q.closed.1.is_some() {
            wh.push("json_extract(doc, '$.closedAt') IS NOT NULL".into());
            if let Some(t) = q.closed.0 {
                let p = arg(t.iso().into());
                wh.push(format!("json_extract(doc, '$.closedAt') >= {p}"));
            }
            if let Some(t) = q.closed.1 {
                let p = arg(t.iso().into());
                wh.push(format!("json_extract(doc, '$.closedAt') <= {p}"));
            }
        }
        if !q.tags.is_empty() {
            let p = arg(serde_json::to_string(&q.tags).unwrap_or_default().into());
            wh.push(format!(
                "EXISTS (SELECT 1 FROM json_each(json_extract(doc, '$.tags')) t WHERE t.value IN (SELECT value FROM json_each({p})))"
            ));
        }
        if q.queued {
            wh.push("open = 1 AND served_by IS NULL".into());
        }
        let wh = wh.join(" AND ");
        let order = order_by(
            &q.sort,
            &[
                ("ts", "ts"),
                ("fname", "json_extract(doc, '$.fname')"),
                ("closedAt", "json_extract(doc, '$.closedAt')"),
                ("_updatedAt", "json_extract(doc, '$._updatedAt')"),
                ("lm", "json_extract(doc, '$.lm')"),
                ("msgs", "json_extract(doc, '$.msgs')"),
            ],
            "ts DESC",
        );
        let limit = if q.count <= 0 { -1 } else { q.count };
        self.read(|c| {
            let total: i64 = c
                .prepare(&format!("SELECT COUNT(*) FROM rooms WHERE {wh}"))?
                .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
            let mut page_args = args.clone();
            page_args.push(limit.into());
            page_args.push(q.offset.into());
            let n = page_args.len();
            let rooms = many_docs(
                c,
                &format!(
                    "SELECT doc FROM rooms WHERE {wh} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
                    n - 1,
                    n
                ),
                rusqlite::params_from_iter(page_args.iter()),
            )?;
            Ok((rooms, total))
        })
    }
    async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>> {
        self.read(|c| {
            many_docs(
                c,
                "SELECT doc FROM messages WHERE rid = ?1 ORDER BY ts, rowid",
                [rid],
            )
        })
    }
    async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>> {
        self.read(|c| many_docs(c, "SELECT doc FROM subscriptions WHERE rid = ?1", [rid]))
    }

    async fn insert_department(&self, d: &Department) -> StoreResult<()> {
        let d = d.clone();
        self.write(move |c| put_department(c, &d, true)).await
    }
    async fn department(&self, id: &str) -> StoreResult<Option<Department>> {
        self.read(|c| load(c, "departments", id))
    }
    async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>> {
        self.read(|c| {
            one_doc(
                c,
                "SELECT doc FROM departments WHERE name = ?1 LIMIT 1",
                [name],
            )
        })
    }
    async fn modify_department(
        &self,
        id: &str,
        f: Modify<Department>,
    ) -> StoreResult<Option<Department>> {
        let id = id.to_owned();
        self.write(move |c| {
            let out = modify_in_tx(c, &id, &*f)?;
            if let Some(d) = &out {
                c.prepare_cached(
                    "UPDATE department_agents SET department_enabled = ?2 WHERE department_id = ?1",
                )?
                .execute(params![d.id, d.enabled])?;
            }
            Ok(out)
        })
        .await
    }
    async fn delete_department(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| {
            c.prepare_cached("DELETE FROM department_agents WHERE department_id = ?1")?
                .execute([&id])?;
            Ok(c.prepare_cached("DELETE FROM departments WHERE id = ?1")?
                .execute([&id])?
                > 0)
        })
        .await
    }
    async fn list_departments(&self, q: &DepartmentQuery) -> StoreResult<(Vec<Department>, i64)> {
        let mut wh = vec![
            if q.text.is_some() {
                "name LIKE ?1 ESCAPE '\\'"
            } else {
                "?1 IS NULL"
            }
            .to_string(),
            if q.enabled.is_some() {
                "enabled = ?2"
            } else {
                "?2 IS NULL"
            }
            .to_string(),
            if q.exclude_id.is_some() {
                "id <> ?3"
            } else {
                "?3 IS NULL"
            }
            .to_string(),
        ];
        if let Some(ids) = &q.ids {
            let list: Vec<String> = ids
                .iter()
                .map(|i| format!("'{}'", i.replace('\'', "''")))
                .collect();
            wh.push(format!("id IN ({})", list.join(",")));
        }
        let wh = wh.join(" AND ");
        let text = q.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
        self.read(|c| {
            let total: i64 = c
                .prepare(&format!("SELECT COUNT(*) FROM departments WHERE {wh}"))?
                .query_row(params![text, q.enabled, q.exclude_id], |r| r.get(0))?;
            let ds = many_docs(
                c,
                &format!("SELECT doc FROM departments WHERE {wh} ORDER BY name LIMIT ?4 OFFSET ?5"),
                params![
                    text,
                    q.enabled,
                    q.exclude_id,
                    if q.count <= 0 { -1 } else { q.count },
                    q.offset
                ],
            )?;
            Ok((ds, total))
        })
    }
    async fn departments_with_agents(&self) -> StoreResult<Vec<Department>> {
        self.read(|c| {
            many_docs(
                c,
                "SELECT doc FROM departments d WHERE enabled = 1
                 AND EXISTS (SELECT 1 FROM department_agents da WHERE da.department_id = d.id) ORDER BY name",
                [],
            )
        })
    }
    async fn department_agents(&self, department_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        self.read(|c| department_agents_where(c, "department_id = ?1", department_id))
    }
    async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
        self.read(|c| department_agents_where(c, "agent_id = ?1", agent_id))
    }
    async fn update_department_agents(
        &self,
        department_id: &str,
        upsert: &[DepartmentAgent],
        remove: &[String],
    ) -> StoreResult<()> {
        let (dept, upsert, remove) = (department_id.to_owned(), upsert.to_vec(), remove.to_vec());
        self.write(move |c| {
            for agent_id in &remove {
                c.prepare_cached("DELETE FROM department_agents WHERE department_id = ?1 AND agent_id = ?2")?
                    .execute(params![dept, agent_id])?;
            }
            for a in &upsert {
                c.prepare_cached(
                    "INSERT INTO department_agents (id, agent_id, department_id, username, count, ord, department_enabled, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (department_id, agent_id) DO UPDATE SET username = excluded.username,
                        count = excluded.count, ord = excluded.ord, department_enabled = excluded.department_enabled,
                        updated_at = excluded.updated_at",
                )?
                .execute(params![a.id, a.agent_id, dept, a.username, a.count, a.order, a.department_enabled, a.updated_at.millis()])?;
            }
            refresh_num_agents(c, &dept)
        })
        .await
    }

    // presence shared by several instances (issue 7b)
    async fn presence_connect(
        &self,
        instance: &str,
        conn: u64,
        user_id: &str,
        now: Ts,
    ) -> StoreResult<bool> {
        let (instance, user) = (instance.to_owned(), user_id.to_owned());
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO presence_connections (instance_id, conn_id, user_id, since) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (instance_id, conn_id) DO UPDATE SET user_id = excluded.user_id, since = excluded.since",
            )?
            .execute(params![instance, conn as i64, user, now.millis()])?;
            let n: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM presence_connections WHERE user_id = ?1")?
                .query_row([&user], |r| r.get(0))?;
            Ok(n == 1)
        })
        .await
    }
    async fn presence_disconnect(&self, instance: &str, conn: u64) -> StoreResult<Option<String>> {
        let instance = instance.to_owned();
        self.write(move |c| {
            let user: Option<String> = c
                .prepare_cached(
                    "DELETE FROM presence_connections WHERE instance_id = ?1 AND conn_id = ?2 RETURNING user_id",
                )?
                .query_row(params![instance, conn as i64], |r| r.get(0))
                .optional()?;
            let Some(user) = user else { return Ok(None) };
            let left: bool = c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = ?1)",
                )?
                .query_row([&user], |r| r.get(0))?;
            Ok((!left).then_some(user))
        })
        .await
    }
    async fn presence_count(&self, user_id: &str) -> StoreResult<i64> {
        let user = user_id.to_owned();
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT COUNT(*) FROM presence_connections WHERE user_id = ?1")?
                    .query_row([&user], |r| r.get(0))?,
            )
        })
    }
    async fn instance_heartbeat(&self, instance: &str, now: Ts) -> StoreResult<bool> {
        let instance = instance.to_owned();
        self.write(move |c| {
            let updated = c
                .prepare_cached("UPDATE presence_instances SET heartbeat_at = ?2 WHERE id = ?1")?
                .execute(params![instance, now.millis()])?;
            if updated == 0 {
                c.prepare_cached(
                    "INSERT INTO presence_instances (id, heartbeat_at) VALUES (?1, ?2)",
                )?
                .execute(params![instance, now.millis()])?;
            }
            Ok(updated > 0)
        })
        .await
    }
    async fn expire_instances(&self, cutoff: Ts) -> StoreResult<Vec<String>> {
        self.write(move |c| {
            c.prepare_cached("DELETE FROM presence_instances WHERE heartbeat_at < ?1")?
                .execute([cutoff.millis()])?;
            let users: Vec<String> = c
                .prepare_cached(
                    "DELETE FROM presence_connections
                     WHERE instance_id NOT IN (SELECT id FROM presence_instances) RETURNING user_id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut gone = Vec::new();
            for u in users {
                let left: bool = c
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = ?1)",
                    )?
                    .query_row([&u], |r| r.get(0))?;
                if !left && !gone.contains(&u) {
                    gone.push(u);
                }
            }
            Ok(gone)
        })
        .await
    }

    // issue 8a: custom fields, triggers, navigation history, uploads
    async fn custom_field(&self, id: &str) -> StoreResult<Option<CustomField>> {
        self.read(|c| extras::custom_field(c, id))
    }
    async fn custom_fields(&self, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
        self.read(|c| extras::custom_fields(c, scope))
    }
    async fn list_custom_fields(
        &self,
        text: Option<&str>,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<CustomField>, i64)> {
        self.read(|c| extras::list_custom_fields(c, text, offset, count, sort))
    }
    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let f = f.clone();
        self.write(move |c| extras::insert_custom_field(c, &f))
            .await
    }
    async fn modify_custom_field(
        &self,
        id: &str,
        f: Modify<CustomField>,
    ) -> StoreResult<Option<CustomField>> {
        let id = id.to_owned();
        self.write(move |c| extras::modify_custom_field(c, &id, &*f))
            .await
    }
    async fn delete_custom_field(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| extras::delete_by_id(c, "custom_fields", &id))
            .await
    }
    async fn trigger(&self, id: &str) -> StoreResult<Option<Trigger>> {
        self.read(|c| extras::trigger(c, id))
    }
    async fn list_triggers(
        &self,
        enabled_only: bool,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> StoreResult<(Vec<Trigger>, i64)> {
        self.read(|c| extras::list_triggers(c, enabled_only, offset, count, sort))
    }
    async fn put_trigger(&self, t: &Trigger) -> StoreResult<()> {
        let t = t.clone();
        self.write(move |c| extras::put_trigger(c, &t)).await
    }
    async fn delete_trigger(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_owned();
        self.write(move |c| extras::delete_by_id(c, "triggers", &id))
            .await
    }
    async fn insert_pending_navigation(
        &self,
        token: &str,
        expire_at: i64,
        msg: &Message,
    ) -> StoreResult<()> {
        let (token, msg) = (token.to_owned(), msg.clone());
        self.write(move |c| extras::insert_pending_navigation(c, &token, expire_at, &msg))
            .await
    }
    async fn attach_pending_navigation(
        &self,
        token: &str,
        rid: &str,
        now_ms: i64,
    ) -> StoreResult<Vec<Message>> {
        let (token, rid) = (token.to_owned(), rid.to_owned());
        self.write(move |c| extras::attach_pending_navigation(c, &token, &rid, now_ms))
            .await
    }
    async fn purge_pending_navigation(&self, now_ms: i64) -> StoreResult<u64> {
        self.write(move |c| extras::purge_pending_navigation(c, now_ms))
            .await
    }
    async fn insert_upload_message(
        &self,
        upload: &Upload,
        msg: Message,
        room_update: Modify<Room>,
    ) -> StoreResult<Option<Room>> {
        let upload = upload.clone();
        self.write(move |c| extras::insert_upload_message(c, &upload, &msg, &*room_update))
            .await
    }
    async fn upload(&self, id: &str) -> StoreResult<Option<Upload>> {
        self.read(|c| extras::upload(c, id))
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
