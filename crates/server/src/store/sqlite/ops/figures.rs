//! Operators' figures: the queue, open chats and available agents, and the pool.

use super::*;

pub(super) async fn live_figures(s: &SqliteStore) -> StoreResult<LiveFigures> {
    s.read(|c| {
        let queued = c
            .prepare_cached(
                "SELECT department, COUNT(*), MIN(ts) FROM inquiries WHERE status = 'queued'
                 GROUP BY department ORDER BY department",
            )?
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .map(|row| row.map(|(d, n, ts)| (d, n, Ts::from_millis(ts))))
            .collect::<Result<Vec<_>, _>>()?;
        let open_rooms: i64 = c
            .prepare_cached("SELECT COUNT(*) FROM rooms WHERE open = 1")?
            .query_row([], |r| r.get(0))?;
        let available_agents: i64 = c
            .prepare_cached(
                "SELECT COUNT(*) FROM users WHERE is_agent = 1 AND active = 1
                 AND status <> 'offline' AND status_livechat = 'available'",
            )?
            .query_row([], |r| r.get(0))?;
        Ok(LiveFigures {
            queued,
            open_rooms,
            available_agents,
        })
    })
}

pub(super) fn pool_stats(s: &SqliteStore) -> PoolStats {
    s.pool_figures()
}
