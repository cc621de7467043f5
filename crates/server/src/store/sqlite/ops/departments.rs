//! Departments and their agents.

use super::*;

pub(super) async fn insert_department(s: &SqliteStore, d: &Department) -> StoreResult<()> {
    let d = d.clone();
    s.write(move |c| put_department(c, &d, true)).await
}

pub(super) async fn department(s: &SqliteStore, id: &str) -> StoreResult<Option<Department>> {
    s.read(|c| load(c, "departments", id))
}

pub(super) async fn department_by_name(
    s: &SqliteStore,
    name: &str,
) -> StoreResult<Option<Department>> {
    s.read(|c| {
        one_doc(
            c,
            "SELECT doc FROM departments WHERE name = ?1 LIMIT 1",
            [name],
        )
    })
}

pub(super) async fn modify_department(
    s: &SqliteStore,
    id: &str,
    f: Modify<Department>,
) -> StoreResult<Option<Department>> {
    let id = id.to_owned();
    s.write(move |c| {
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

pub(super) async fn delete_department(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| {
        c.prepare_cached("DELETE FROM department_agents WHERE department_id = ?1")?
            .execute([&id])?;
        Ok(c.prepare_cached("DELETE FROM departments WHERE id = ?1")?
            .execute([&id])?
            > 0)
    })
    .await
}

pub(super) async fn list_departments(
    s: &SqliteStore,
    q: &DepartmentQuery,
) -> StoreResult<(Vec<Department>, i64)> {
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
    s.read(|c| {
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

pub(super) async fn departments_with_agents(s: &SqliteStore) -> StoreResult<Vec<Department>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM departments d WHERE enabled = 1
             AND EXISTS (SELECT 1 FROM department_agents da WHERE da.department_id = d.id) ORDER BY name",
            [],
        )
    })
}

pub(super) async fn department_agents(
    s: &SqliteStore,
    department_id: &str,
) -> StoreResult<Vec<DepartmentAgent>> {
    s.read(|c| department_agents_where(c, "department_id = ?1", department_id))
}

pub(super) async fn agent_departments(
    s: &SqliteStore,
    agent_id: &str,
) -> StoreResult<Vec<DepartmentAgent>> {
    s.read(|c| department_agents_where(c, "agent_id = ?1", agent_id))
}

pub(super) async fn update_department_agents(
    s: &SqliteStore,
    department_id: &str,
    upsert: &[DepartmentAgent],
    remove: &[String],
) -> StoreResult<()> {
    let (dept, upsert, remove) = (department_id.to_owned(), upsert.to_vec(), remove.to_vec());
    s.write(move |c| {
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
