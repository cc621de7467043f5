//! Omnichannel analytics: the rooms of a period with their message counts, visitors seen.

use super::*;

pub(super) async fn analytics_rooms(
    s: &PgStore,
    from: Ts,
    to: Ts,
    department_id: Option<&str>,
) -> StoreResult<Vec<AnalyticsRoom>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT doc::text,
            (SELECT COUNT(*) FROM messages m WHERE m.rid = rooms.id AND m.t IS NULL)::bigint,
            (SELECT COUNT(*) FROM messages m
             WHERE m.rid = rooms.id AND m.t IS NULL AND m.token IS NULL)::bigint
         FROM rooms WHERE ts >= $1 AND ts <= $2 AND ($3::text IS NULL OR department_id = $3)
         ORDER BY ts, id",
    )
    .bind(from.millis())
    .bind(to.millis())
    .bind(department_id.map(str::to_owned))
    .fetch_all(&s.pool)
    .await?;
    rows.into_iter()
        .map(|(doc, msgs, agent_msgs)| {
            Ok(AnalyticsRoom {
                room: from_doc(&doc)?,
                msgs,
                agent_msgs,
            })
        })
        .collect()
}

pub(super) async fn count_visitors_updated_between(
    s: &PgStore,
    from: Ts,
    to: Ts,
    department: Option<&str>,
) -> StoreResult<i64> {
    // `_updatedAt` is stored as a fixed-width ISO string, which sorts byte-wise as the instant.
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*)::bigint FROM visitors
         WHERE (doc->>'_updatedAt') COLLATE \"C\" >= $1 AND (doc->>'_updatedAt') COLLATE \"C\" < $2
           AND ($3::text IS NULL OR (doc->>'department') = $3)",
    )
    .bind(from.iso())
    .bind(to.iso())
    .bind(department.map(str::to_owned))
    .fetch_one(&s.pool)
    .await?)
}
