//! Omnichannel analytics: the rooms of a period with their message counts, visitors seen.

use super::*;

pub(super) async fn analytics_rooms(
    s: &SqliteStore,
    from: Ts,
    to: Ts,
    department_id: Option<&str>,
) -> StoreResult<Vec<AnalyticsRoom>> {
    s.read(|c| {
        let rows = c
            .prepare_cached(
                "SELECT doc,
                    (SELECT COUNT(*) FROM messages m WHERE m.rid = rooms.id AND m.t IS NULL),
                    (SELECT COUNT(*) FROM messages m
                     WHERE m.rid = rooms.id AND m.t IS NULL AND m.token IS NULL)
                 FROM rooms WHERE ts >= ?1 AND ts <= ?2 AND (?3 IS NULL OR department_id = ?3)
                 ORDER BY ts, rowid",
            )?
            .query_map(params![from.millis(), to.millis(), department_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(doc, msgs, agent_msgs)| {
                Ok(AnalyticsRoom {
                    room: from_doc(&doc)?,
                    msgs,
                    agent_msgs,
                })
            })
            .collect()
    })
}

pub(super) async fn count_visitors_updated_between(
    s: &SqliteStore,
    from: Ts,
    to: Ts,
    department: Option<&str>,
) -> StoreResult<i64> {
    // `_updatedAt` is stored as a fixed-width ISO string, which sorts as the instant.
    s.read(|c| {
        Ok(c.prepare_cached(
            "SELECT COUNT(*) FROM visitors
             WHERE json_extract(doc, '$._updatedAt') >= ?1 AND json_extract(doc, '$._updatedAt') < ?2
               AND (?3 IS NULL OR json_extract(doc, '$.department') = ?3)",
        )?
        .query_row(params![from.iso(), to.iso(), department], |r| r.get(0))?)
    })
}
