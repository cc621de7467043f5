//! Departments and their agents.

use super::*;

pub(super) async fn insert_department(s: &PgStore, d: &Department) -> StoreResult<()> {
    q_exec_pool(&s.pool, put_department(d, true)?).await?;
    Ok(())
}

pub(super) async fn department(s: &PgStore, id: &str) -> StoreResult<Option<Department>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn department_by_name(s: &PgStore, name: &str) -> StoreResult<Option<Department>> {
    opt_doc(
        scalar("SELECT doc::text FROM departments WHERE name = $1 LIMIT 1")
            .bind(name.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn modify_department(
    s: &PgStore,
    id: &str,
    f: Modify<Department>,
) -> StoreResult<Option<Department>> {
    in_tx!(s, |c| {
        let out = modify_in_tx(c, id, &*f).await?;
        if let Some(d) = &out {
            q_exec(
                c,
                sql_q(
                    "UPDATE department_agents SET department_enabled = $2 WHERE department_id = $1",
                )
                .bind(d.id.clone())
                .bind(d.enabled),
            )
            .await?;
        }
        Ok(out)
    })
}

pub(super) async fn delete_department(s: &PgStore, id: &str) -> StoreResult<bool> {
    in_tx!(s, |c| {
        q_exec(
            c,
            sql_q("DELETE FROM department_agents WHERE department_id = $1").bind(id.to_owned()),
        )
        .await?;
        Ok(q_exec(
            c,
            sql_q("DELETE FROM departments WHERE id = $1").bind(id.to_owned()),
        )
        .await?
            > 0)
    })
}

pub(super) async fn list_departments(
    s: &PgStore,
    dq: &DepartmentQuery,
) -> StoreResult<(Vec<Department>, i64)> {
    let mut wh = vec![
        if dq.text.is_some() {
            "name ILIKE $1"
        } else {
            "$1::text IS NULL"
        }
        .to_string(),
        if dq.enabled.is_some() {
            "enabled = $2"
        } else {
            "$2::boolean IS NULL"
        }
        .to_string(),
        if dq.exclude_id.is_some() {
            "id <> $3"
        } else {
            "$3::text IS NULL"
        }
        .to_string(),
    ];
    if dq.ids.is_some() {
        wh.push("id = ANY($4)".into());
    } else {
        wh.push("$4::text[] IS NULL".into());
    }
    let wh = wh.join(" AND ");
    let text = dq.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM departments WHERE {wh}"))
        .bind(text.clone())
        .bind(dq.enabled)
        .bind(dq.exclude_id.clone())
        .bind(dq.ids.clone())
        .fetch_one(&s.pool)
        .await?;
    let ds: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM departments WHERE {wh} ORDER BY name LIMIT $5 OFFSET $6"
    ))
    .bind(text)
    .bind(dq.enabled)
    .bind(dq.exclude_id.clone())
    .bind(dq.ids.clone())
    .bind(limit_of(dq.count))
    .bind(dq.offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(ds)?, total))
}

pub(super) async fn departments_with_agents(s: &PgStore) -> StoreResult<Vec<Department>> {
    from_docs(
        scalar(
            "SELECT doc::text FROM departments d WHERE enabled
             AND EXISTS (SELECT 1 FROM department_agents da WHERE da.department_id = d.id) ORDER BY name",
        )
        .fetch_all(&s.pool)
        .await?,
    )
}

pub(super) async fn department_agents(
    s: &PgStore,
    department_id: &str,
) -> StoreResult<Vec<DepartmentAgent>> {
    let rows: Vec<DeptAgentRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE department_id = $1 ORDER BY username, department_id"
    )))
    .bind(department_id.to_owned())
    .fetch_all(&s.pool)
    .await?;
    Ok(rows.into_iter().map(dept_agent).collect())
}

pub(super) async fn agent_departments(
    s: &PgStore,
    agent_id: &str,
) -> StoreResult<Vec<DepartmentAgent>> {
    let rows: Vec<DeptAgentRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {DEPT_AGENT_COLS} FROM department_agents WHERE agent_id = $1 ORDER BY username, department_id"
    )))
    .bind(agent_id.to_owned())
    .fetch_all(&s.pool)
    .await?;
    Ok(rows.into_iter().map(dept_agent).collect())
}

pub(super) async fn update_department_agents(
    s: &PgStore,
    department_id: &str,
    upsert: &[DepartmentAgent],
    remove: &[String],
) -> StoreResult<()> {
    in_tx!(s, |c| {
        // The department's row first: concurrent edits of one department queue here.
        q_exec(
            c,
            sql_q("SELECT 1 FROM departments WHERE id = $1 FOR UPDATE")
                .bind(department_id.to_owned()),
        )
        .await?;
        for agent_id in remove {
            q_exec(
                c,
                sql_q("DELETE FROM department_agents WHERE department_id = $1 AND agent_id = $2")
                    .bind(department_id.to_owned())
                    .bind(agent_id.clone()),
            )
            .await?;
        }
        for a in upsert {
            q_exec(
                c,
                sql_q("INSERT INTO department_agents (id, agent_id, department_id, username, count, ord, department_enabled, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (department_id, agent_id) DO UPDATE SET username = excluded.username,
                    count = excluded.count, ord = excluded.ord, department_enabled = excluded.department_enabled,
                    updated_at = excluded.updated_at")
                .bind(a.id.clone())
                .bind(a.agent_id.clone())
                .bind(department_id.to_owned())
                .bind(a.username.clone())
                .bind(a.count)
                .bind(a.order)
                .bind(a.department_enabled)
                .bind(a.updated_at.millis()),
            )
            .await?;
        }
        refresh_num_agents(c, department_id).await
    })
}
