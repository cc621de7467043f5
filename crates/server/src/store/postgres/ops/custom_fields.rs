//! Livechat custom fields (upstream's `livechat/custom-fields`).

use super::*;

fn put_custom_field(f: &CustomField, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO custom_fields (id, label, scope, doc) VALUES ($1, $2, $3, $4::json)"
    } else {
        "UPDATE custom_fields SET label = $2, scope = $3, doc = $4::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(f.id.clone())
        .bind(f.label.clone())
        .bind(f.scope.clone())
        .bind(to_doc(f)?))
}

doc_row!(CustomField, "custom_fields", |d| put_custom_field(d, false));

pub(super) async fn insert_custom_field_tx(
    pool: &sqlx::PgPool,
    f: &CustomField,
) -> StoreResult<()> {
    q_exec_pool(pool, put_custom_field(f, true)?).await?;
    Ok(())
}

pub(super) async fn custom_fields_tx(
    pool: &sqlx::PgPool,
    scope: Option<&str>,
) -> StoreResult<Vec<CustomField>> {
    from_docs(
        scalar(
            "SELECT doc::text FROM custom_fields WHERE $1::text IS NULL OR scope = $1 ORDER BY id",
        )
        .bind(scope.map(str::to_owned))
        .fetch_all(pool)
        .await?,
    )
}

pub(super) async fn list_custom_fields_tx(
    pool: &sqlx::PgPool,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    let text = text
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "($1::text IS NULL OR id ILIKE $1 OR label ILIKE $1)";
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM custom_fields WHERE {wh}"))
        .bind(text.clone())
        .fetch_one(pool)
        .await?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("label", "label"), ("scope", "scope")],
        "label",
    );
    let docs: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM custom_fields WHERE {wh} ORDER BY {order}, id LIMIT $2 OFFSET $3"
    ))
    .bind(text)
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((from_docs(docs)?, total))
}

pub(super) async fn delete_by_id(pool: &sqlx::PgPool, table: &str, id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
            .bind(id.to_owned())
            .execute(pool)
            .await?
            .rows_affected()
            > 0,
    )
}

pub(super) async fn custom_field(s: &PgStore, id: &str) -> StoreResult<Option<CustomField>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn custom_fields(
    s: &PgStore,
    scope: Option<&str>,
) -> StoreResult<Vec<CustomField>> {
    custom_fields_tx(&s.pool, scope).await
}

pub(super) async fn list_custom_fields(
    s: &PgStore,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    list_custom_fields_tx(&s.pool, text, offset, count, sort).await
}

pub(super) async fn insert_custom_field(s: &PgStore, f: &CustomField) -> StoreResult<()> {
    insert_custom_field_tx(&s.pool, f).await
}

pub(super) async fn modify_custom_field(
    s: &PgStore,
    id: &str,
    f: Modify<CustomField>,
) -> StoreResult<Option<CustomField>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn delete_custom_field(s: &PgStore, id: &str) -> StoreResult<bool> {
    delete_by_id(&s.pool, "custom_fields", id).await
}
