//! Tags (upstream Enterprise's `livechat/tags` catalogue, here for everyone): managers
//! define them, public or for some departments; agents put them on chats
//! (`room.saveInfo`, `room.closeByUser`). And what the tag and canned-response rules need
//! of upstream's monitors and business units: which departments a monitor watches.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{LivechatTag, Unit, UnitMonitor, User};
use serde_json::{Map, Value};

/// `GET livechat/tags`'s query.
pub struct TagQuery {
    pub text: Option<String>,
    pub department: Option<String>,
    pub view_all: bool,
    pub offset: i64,
    pub count: i64,
    pub sort: Vec<(String, bool)>,
}

/// `livechat:saveUnit`'s `unitData`.
pub struct UnitInput {
    pub name: String,
    pub visibility: String,
    pub extra: Map<String, Value>,
}

impl Livechat {
    /// Upstream's `findTags`: without `manage-livechat-tags` only the departments the user
    /// may access count and `viewAll` is ignored; unless `viewAll`, public tags and those
    /// of the departments in play (the one asked for, else the user's).
    pub async fn find_tags(&self, user: &User, q: TagQuery) -> Result<(Vec<LivechatTag>, i64)> {
        let TagQuery {
            text,
            department,
            mut view_all,
            offset,
            count,
            sort,
        } = q;
        let mut department = department;
        let mut departments: Vec<String> = Vec::new();
        if !self.has_permission(user, "manage-livechat-tags") {
            view_all = false;
            departments = self.accessible_departments(&user.id, false).await?;
            if department
                .as_ref()
                .is_some_and(|d| !departments.contains(d))
            {
                department = None;
            }
        }
        if let Some(d) = department {
            departments = vec![d];
        }
        let text = text.filter(|t| !t.is_empty()).map(|t| t.to_lowercase());
        let mut tags: Vec<LivechatTag> = self
            .store
            .livechat_tags()
            .await?
            .into_iter()
            .filter(|t| {
                text.as_ref().is_none_or(|x| {
                    t.name.to_lowercase().contains(x)
                        || t.description
                            .as_ref()
                            .is_some_and(|d| d.to_lowercase().contains(x))
                })
            })
            .filter(|t| {
                view_all
                    || t.departments.is_empty()
                    || t.departments.iter().any(|d| departments.contains(d))
            })
            .collect();
        for (field, asc) in sort.iter().rev() {
            let key = |t: &LivechatTag| match field.as_str() {
                "_id" => t.id.clone(),
                "description" => t.description.clone().unwrap_or_default(),
                _ => t.name.clone(),
            };
            tags.sort_by(|a, b| {
                let o = key(a).cmp(&key(b));
                if *asc { o } else { o.reverse() }
            });
        }
        let total = tags.len() as i64;
        let page = tags
            .into_iter()
            .skip(offset.max(0) as usize)
            .take(if count > 0 {
                count as usize
            } else {
                usize::MAX
            })
            .collect();
        Ok((page, total))
    }

    pub async fn livechat_tag(&self, id: &str) -> Result<Option<LivechatTag>> {
        Ok(self.store.livechat_tag(id).await?)
    }

    /// `livechat:saveTag(_id, {name, description}, departments)`: insert, or update the
    /// tag with `_id` (one that does not exist is created with it, as upstream's upsert).
    pub async fn save_tag(
        &self,
        id: Option<String>,
        name: String,
        description: Option<String>,
        departments: Vec<String>,
    ) -> Result<LivechatTag> {
        let tag = LivechatTag {
            id: id.unwrap_or_else(|| self.ids.id()),
            name,
            description,
            num_departments: departments.len() as i64,
            departments,
            updated_at: self.now(),
        };
        self.store.put_livechat_tag(&tag).await?;
        Ok(tag)
    }

    /// `livechat:removeTag` / `livechat/tags.remove`: the tag goes, and leaves the canned
    /// responses that carried it.
    pub async fn remove_tag(&self, id: &str) -> Result<bool> {
        let tag = self
            .store
            .livechat_tag(id)
            .await?
            .ok_or(Code::TagNotFound)?;
        let removed = self.store.delete_livechat_tag(id).await?;
        let now = self.now();
        for mut r in self.store.canned_responses().await? {
            if r.tags.contains(&tag.name) {
                r.tags.retain(|t| t != &tag.name);
                r.updated_at = now;
                self.store.put_canned_response(&r).await?;
                self.publish_canned_changed(&r);
            }
        }
        Ok(removed)
    }

    /// `livechat:addMonitor`: the user gets the `livechat-monitor` role; answers the user.
    pub async fn add_monitor(&self, username: &str) -> Result<User> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or(Code::MethodInvalidUser("livechat:addMonitor"))?;
        let now = self.now();
        self.store
            .modify_user(
                &user.id,
                Box::new(move |u| {
                    if !u.has_role("livechat-monitor") {
                        u.roles.push("livechat-monitor".into());
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or_else(|| Code::MethodInvalidUser("livechat:addMonitor").into())
    }

    /// `livechat:removeMonitor`: the role goes, and the user leaves every unit.
    pub async fn remove_monitor(&self, username: &str) -> Result<bool> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or(Code::MethodInvalidUser("livechat:removeMonitor"))?;
        let now = self.now();
        self.store
            .modify_user(
                &user.id,
                Box::new(move |u| {
                    u.roles.retain(|r| r != "livechat-monitor");
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        for mut unit in self.store.business_units().await? {
            if unit.monitors.iter().any(|m| m.monitor_id == user.id) {
                unit.monitors.retain(|m| m.monitor_id != user.id);
                unit.num_monitors = unit.monitors.len() as i64;
                unit.updated_at = now;
                self.store.put_business_unit(&unit).await?;
            }
        }
        Ok(true)
    }

    /// `livechat:saveUnit(_id, unitData, monitors, departments)`.
    pub async fn save_unit(
        &self,
        id: Option<String>,
        data: UnitInput,
        monitors: Vec<UnitMonitor>,
        departments: Vec<String>,
    ) -> Result<Unit> {
        let id = match id {
            Some(id) => {
                self.store
                    .business_unit(&id)
                    .await?
                    .ok_or(Code::UnitNotFound("livechat:saveUnit"))?;
                id
            }
            None => self.ids.id(),
        };
        let unit = Unit {
            id,
            name: data.name,
            visibility: data.visibility,
            kind: "u".into(),
            num_monitors: monitors.len() as i64,
            num_departments: departments.len() as i64,
            monitors,
            departments,
            updated_at: self.now(),
            extra: data.extra,
        };
        self.store.put_business_unit(&unit).await?;
        Ok(unit)
    }

    /// `livechat:removeUnit`.
    pub async fn remove_unit(&self, id: &str) -> Result<bool> {
        if self.store.business_unit(id).await?.is_none() {
            return Err(Code::UnitNotFound("livechat:removeUnit").into());
        }
        Ok(self.store.delete_business_unit(id).await?)
    }
}
