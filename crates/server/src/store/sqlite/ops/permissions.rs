//! Permissions and roles (upstream's `rocketchat_permissions` and `rocketchat_roles`).

use super::*;

pub(super) fn permissions_tx(c: &Conn) -> StoreResult<Vec<Permission>> {
    let rows: Vec<(String, String, i64)> = c
        .prepare_cached("SELECT id, roles, updated_at FROM permissions ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
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

pub(super) fn seed_permissions_tx(c: &Conn, defaults: &[Permission]) -> StoreResult<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO permissions (id, roles, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
    )?;
    for p in defaults {
        st.execute(params![p.id, to_doc(&p.roles)?, p.updated_at.millis()])?;
    }
    Ok(())
}

pub(super) fn set_permission_roles_tx(
    c: &Conn,
    changes: &[(String, Vec<String>)],
    at: Ts,
) -> StoreResult<()> {
    let mut st =
        c.prepare_cached("UPDATE permissions SET roles = ?2, updated_at = ?3 WHERE id = ?1")?;
    for (id, roles) in changes {
        st.execute(params![id, to_doc(roles)?, at.millis()])?;
    }
    Ok(())
}

pub(super) fn roles_tx(c: &Conn) -> StoreResult<Vec<Role>> {
    many_docs(c, "SELECT doc FROM roles ORDER BY id", [])
}

pub(super) fn seed_roles_tx(c: &Conn, defaults: &[Role]) -> StoreResult<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO roles (id, doc) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
    )?;
    for r in defaults {
        st.execute(params![r.id, to_doc(r)?])?;
    }
    Ok(())
}

pub(super) async fn permissions(s: &SqliteStore) -> StoreResult<Vec<Permission>> {
    s.read(permissions_tx)
}

pub(super) async fn seed_permissions(s: &SqliteStore, defaults: &[Permission]) -> StoreResult<()> {
    let defaults = defaults.to_vec();
    s.write(move |c| seed_permissions_tx(c, &defaults)).await
}

pub(super) async fn set_permission_roles(
    s: &SqliteStore,
    changes: &[(String, Vec<String>)],
    at: Ts,
) -> StoreResult<()> {
    let changes = changes.to_vec();
    s.write(move |c| set_permission_roles_tx(c, &changes, at))
        .await
}

pub(super) async fn roles(s: &SqliteStore) -> StoreResult<Vec<Role>> {
    s.read(roles_tx)
}

pub(super) async fn seed_roles(s: &SqliteStore, defaults: &[Role]) -> StoreResult<()> {
    let defaults = defaults.to_vec();
    s.write(move |c| seed_roles_tx(c, &defaults)).await
}
