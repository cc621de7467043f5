//! `livechat/queue`: how many open chats each agent serves, per department (upstream's
//! `LivechatRooms.getQueueMetrics`).

use super::Livechat;
use crate::error::Result;

/// One agent's open chats in one department (or outside any).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueLine {
    pub user_id: String,
    pub username: String,
    pub status: String,
    pub department: Option<(String, String)>,
    pub chats: i64,
}

#[derive(Clone, Debug, Default)]
pub struct QueueAsk {
    pub agent_id: Option<String>,
    pub department_id: Option<String>,
    /// Without it, only agents online and available count (upstream's default).
    pub include_offline_agents: bool,
    /// (field, ascending): `chats`, `user.username`, `department.name`; default most chats first.
    pub sort: Vec<(String, bool)>,
    pub offset: i64,
    /// 0 = all.
    pub count: i64,
}

impl Livechat {
    /// The lines of the page asked for, and how many there are in all.
    pub async fn queue_metrics(&self, ask: &QueueAsk) -> Result<(Vec<QueueLine>, i64)> {
        let groups = self
            .store
            .open_chats_by_server(ask.department_id.as_deref())
            .await?;
        let mut lines = Vec::with_capacity(groups.len());
        for (agent_id, department_id, chats) in groups {
            if ask.agent_id.as_ref().is_some_and(|a| *a != agent_id) {
                continue;
            }
            let Some(user) = self.store.user(&agent_id).await? else {
                continue;
            };
            if !ask.include_offline_agents
                && (user.status == "offline"
                    || user.status_livechat.as_deref() != Some("available"))
            {
                continue;
            }
            let department = match department_id {
                Some(id) => {
                    let name = self
                        .store
                        .department(&id)
                        .await?
                        .map(|d| d.name)
                        .unwrap_or_default();
                    Some((id, name))
                }
                None => None,
            };
            lines.push(QueueLine {
                user_id: user.id,
                username: user.username,
                status: user.status,
                department,
                chats,
            });
        }
        let key = |l: &QueueLine, field: &str| -> (i64, String) {
            match field {
                "chats" => (l.chats, String::new()),
                "user.username" => (0, l.username.clone()),
                "department.name" => (0, l.department.clone().map(|d| d.1).unwrap_or_default()),
                _ => (0, String::new()),
            }
        };
        let sort = if ask.sort.is_empty() {
            vec![("chats".to_string(), false)]
        } else {
            ask.sort.clone()
        };
        // Ties in a stable order: by username, then department.
        lines.sort_by(|a, b| {
            for (field, asc) in &sort {
                let o = key(a, field).cmp(&key(b, field));
                let o = if *asc { o } else { o.reverse() };
                if o.is_ne() {
                    return o;
                }
            }
            (&a.username, &a.department).cmp(&(&b.username, &b.department))
        });
        let total = lines.len() as i64;
        let page = lines
            .into_iter()
            .skip(ask.offset.max(0) as usize)
            .take(if ask.count > 0 {
                ask.count as usize
            } else {
                usize::MAX
            })
            .collect();
        Ok((page, total))
    }
}

/// Chats waiting in one department (`None`: in none).
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    pub department: Option<(String, String)>,
    pub chats: i64,
    pub oldest_seconds: f64,
}

/// What operators watch, cluster-wide (read from the database at each scrape).
#[derive(Clone, Debug, PartialEq)]
pub struct LiveFigures {
    pub waiting: Vec<Waiting>,
    pub open_chats: i64,
    pub agents_available: i64,
    /// Chats are expected to be answered now: business hours are open, or not in use.
    pub business_hours_open: bool,
}

impl Livechat {
    /// The database connections of this instance, for operators.
    pub fn pool_stats(&self) -> crate::store::PoolStats {
        self.store.pool_stats()
    }

    pub async fn live_figures(&self) -> Result<LiveFigures> {
        let figures = self.store.live_figures().await?;
        let now = self.now();
        let mut waiting = Vec::with_capacity(figures.queued.len());
        for (department, chats, oldest) in figures.queued {
            let department = match department {
                Some(id) => {
                    let name = self.store.department(&id).await?.map(|d| d.name);
                    Some((id, name.unwrap_or_default()))
                }
                None => None,
            };
            waiting.push(Waiting {
                department,
                chats,
                oldest_seconds: now.secs_since(oldest).max(0.0),
            });
        }
        Ok(LiveFigures {
            waiting,
            open_chats: figures.open_rooms,
            agents_available: figures.available_agents,
            business_hours_open: self.business_hours_open_now().await?,
        })
    }
}
