//! Permissions and roles, mirroring `store/sqlite/ops/permissions.rs`.

use super::*;

pub(super) async fn permissions_tx(pool: &sqlx::PgPool) -> StoreResult<Vec<Permission>> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, roles, updated_at FROM permissions ORDER BY id")
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, roles, at)| {
            Ok(Permission {
                id,
                roles: from_doc(&roles)?,
                updated_at: Ts::from_millis(at),
            })
        })
        .collect()
}

/// One statement, so instances starting together both succeed and the first insert wins.
pub(super) async fn seed_permissions_tx(
    pool: &sqlx::PgPool,
    defaults: &[Permission],
) -> StoreResult<()> {
    let ids: Vec<String> = defaults.iter().map(|p| p.id.clone()).collect();
    let roles = defaults
        .iter()
        .map(|p| to_doc(&p.roles))
        .collect::<StoreResult<Vec<String>>>()?;
    let at: Vec<i64> = defaults.iter().map(|p| p.updated_at.millis()).collect();
    q_exec_pool(
        pool,
        sql_q(
            "INSERT INTO permissions (id, roles, updated_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(ids)
        .bind(roles)
        .bind(at),
    )
    .await?;
    Ok(())
}

pub(super) async fn set_permission_roles_tx(
    c: &mut Conn,
    changes: &[(String, Vec<String>)],
    at: Ts,
) -> StoreResult<()> {
    for (id, roles) in changes {
        q_exec(
            c,
            sql_q("UPDATE permissions SET roles = $2, updated_at = $3 WHERE id = $1")
                .bind(id.clone())
                .bind(to_doc(roles)?)
                .bind(at.millis()),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn roles_tx(pool: &sqlx::PgPool) -> StoreResult<Vec<Role>> {
    from_docs(
        scalar("SELECT doc::text FROM roles ORDER BY id")
            .fetch_all(pool)
            .await?,
    )
}

pub(super) async fn seed_roles_tx(pool: &sqlx::PgPool, defaults: &[Role]) -> StoreResult<()> {
    let ids: Vec<String> = defaults.iter().map(|r| r.id.clone()).collect();
    let docs = defaults
        .iter()
        .map(to_doc)
        .collect::<StoreResult<Vec<String>>>()?;
    q_exec_pool(
        pool,
        sql_q(
            "INSERT INTO roles (id, doc)
             SELECT id, doc::json FROM unnest($1::text[], $2::text[]) AS t (id, doc)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(ids)
        .bind(docs),
    )
    .await?;
    Ok(())
}

pub(super) async fn permissions(s: &PgStore) -> StoreResult<Vec<Permission>> {
    permissions_tx(&s.pool).await
}

pub(super) async fn seed_permissions(s: &PgStore, defaults: &[Permission]) -> StoreResult<()> {
    seed_permissions_tx(&s.pool, defaults).await
}

pub(super) async fn set_permission_roles(
    s: &PgStore,
    changes: &[(String, Vec<String>)],
    at: Ts,
) -> StoreResult<()> {
    in_tx!(s, |c| set_permission_roles_tx(c, changes, at).await)
}

pub(super) async fn roles(s: &PgStore) -> StoreResult<Vec<Role>> {
    roles_tx(&s.pool).await
}

pub(super) async fn seed_roles(s: &PgStore, defaults: &[Role]) -> StoreResult<()> {
    seed_roles_tx(&s.pool, defaults).await
}
