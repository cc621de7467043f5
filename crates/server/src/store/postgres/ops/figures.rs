//! Operators' figures: the queue, open chats and available agents, and the pool.

use super::*;

pub(super) async fn live_figures(s: &PgStore) -> StoreResult<LiveFigures> {
    let queued: Vec<(Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT department, COUNT(*)::bigint, MIN(ts)::bigint FROM inquiries
         WHERE status = 'queued' GROUP BY department ORDER BY department",
    )
    .fetch_all(&s.pool)
    .await?;
    let (open_rooms, available_agents): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM rooms WHERE open = 1)::bigint,
                (SELECT COUNT(*) FROM users WHERE is_agent AND active
                   AND status <> 'offline' AND status_livechat = 'available')::bigint",
    )
    .fetch_one(&s.pool)
    .await?;
    Ok(LiveFigures {
        queued: queued
            .into_iter()
            .map(|(d, n, ts)| (d, n, Ts::from_millis(ts)))
            .collect(),
        open_rooms,
        available_agents,
    })
}

pub(super) fn pool_stats(s: &PgStore) -> PoolStats {
    let (size, idle) = (s.pool.size() as u64, s.pool.num_idle() as u64);
    PoolStats {
        engine: "postgres",
        in_use: size.saturating_sub(idle),
        idle,
        max: s.pool.options().get_max_connections() as u64,
        writes_queued: None,
    }
}
