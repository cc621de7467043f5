//! Canned responses (upstream Enterprise's `canned-responses`, here for everyone): texts
//! agents insert with `!shortcut`, scoped `global`, `department` or `user` (personal).
//! Every change is announced on `stream-canned-responses`, so open workspaces follow.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{CannedResponse, User};
use crate::store::StoreError;
use serde_json::{Value, json};

pub struct CannedInput {
    pub id: Option<String>,
    pub shortcut: String,
    pub text: String,
    pub scope: String,
    pub tags: Option<Vec<String>>,
    pub department_id: Option<String>,
}

/// `GET canned-responses` filters (upstream's `findAllCannedResponsesFilter`).
#[derive(Default)]
pub struct CannedFilter {
    pub shortcut: Option<String>,
    /// Case-insensitive, in the shortcut or the text.
    pub text: Option<String>,
    pub scope: Option<String>,
    pub tags: Vec<String>,
    pub department_id: Option<String>,
    pub created_by: Option<String>,
    pub offset: i64,
    pub count: i64,
    pub sort: Vec<(String, bool)>,
}

/// Upstream's visibility: own personal ones, those of the departments given, every global one.
fn visible(r: &CannedResponse, user_id: &str, departments: Option<&[String]>) -> bool {
    match r.scope.as_str() {
        "user" => r.user_id.as_deref() == Some(user_id),
        "department" => match departments {
            None => true,
            Some(ds) => r.department_id.as_ref().is_some_and(|d| ds.contains(d)),
        },
        "global" => true,
        _ => false,
    }
}

fn sort_key(r: &CannedResponse, field: &str) -> Value {
    match field {
        "_id" => json!(r.id),
        "shortcut" => json!(r.shortcut),
        "text" => json!(r.text),
        "scope" => json!(r.scope),
        "_createdAt" => json!(r.created_at.millis()),
        "_updatedAt" => json!(r.updated_at.millis()),
        "departmentId" => json!(r.department_id),
        "userId" => json!(r.user_id),
        _ => Value::Null,
    }
}

fn cmp_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

impl Livechat {
    /// Upstream's `getDepartmentsWhichUserCanAccess`: the departments the user is an agent
    /// of, and those of the units it monitors (disabled ones only when asked).
    pub async fn accessible_departments(
        &self,
        user_id: &str,
        include_disabled: bool,
    ) -> Result<Vec<String>> {
        let mut ids = self.agent_department_ids(user_id).await?;
        for unit in self.store.business_units().await? {
            if !unit.monitors.iter().any(|m| m.monitor_id == user_id) {
                continue;
            }
            for d in &unit.departments {
                if ids.contains(d) {
                    continue;
                }
                let keep = include_disabled
                    || self
                        .store
                        .department(d)
                        .await?
                        .is_some_and(|dep| dep.enabled);
                if keep {
                    ids.push(d.clone());
                }
            }
        }
        Ok(ids)
    }

    /// The departments whose responses `user` sees (`None`: all, `view-all-canned-responses`).
    async fn canned_departments(&self, user: &User) -> Result<Option<Vec<String>>> {
        if self.has_permission(user, "view-all-canned-responses") {
            return Ok(None);
        }
        Ok(Some(self.accessible_departments(&user.id, true).await?))
    }

    /// `canned-responses.get`: every response the user may use.
    pub async fn all_canned_responses(&self, user: &User) -> Result<Vec<CannedResponse>> {
        let departments = self.canned_departments(user).await?;
        Ok(self
            .store
            .canned_responses()
            .await?
            .into_iter()
            .filter(|r| visible(r, &user.id, departments.as_deref()))
            .collect())
    }

    /// `GET canned-responses`: filtered, sorted (by shortcut unless told) and paged; with
    /// the total. A `departmentId` filter replaces the visibility rule, as upstream's does.
    pub async fn find_canned_responses(
        &self,
        user: &User,
        f: CannedFilter,
    ) -> Result<(Vec<CannedResponse>, i64)> {
        let departments = self.canned_departments(user).await?;
        let text = f.text.as_deref().map(str::to_lowercase);
        let mut list: Vec<CannedResponse> = self
            .store
            .canned_responses()
            .await?
            .into_iter()
            .filter(|r| match &f.department_id {
                Some(d) => r.department_id.as_ref() == Some(d),
                None => visible(r, &user.id, departments.as_deref()),
            })
            .filter(|r| f.shortcut.as_ref().is_none_or(|s| &r.shortcut == s))
            .filter(|r| {
                text.as_ref().is_none_or(|t| {
                    r.shortcut.to_lowercase().contains(t) || r.text.to_lowercase().contains(t)
                })
            })
            .filter(|r| f.scope.as_ref().is_none_or(|s| &r.scope == s))
            .filter(|r| f.created_by.as_ref().is_none_or(|c| &r.created_by.id == c))
            .filter(|r| f.tags.is_empty() || r.tags.iter().any(|t| f.tags.contains(t)))
            .collect();
        let sort = if f.sort.is_empty() {
            vec![("shortcut".to_string(), true)]
        } else {
            f.sort
        };
        list.sort_by(|a, b| {
            for (field, asc) in &sort {
                let o = cmp_values(&sort_key(a, field), &sort_key(b, field));
                if o != std::cmp::Ordering::Equal {
                    return if *asc { o } else { o.reverse() };
                }
            }
            a.id.cmp(&b.id)
        });
        let total = list.len() as i64;
        let page = list
            .into_iter()
            .skip(f.offset.max(0) as usize)
            .take(if f.count > 0 {
                f.count as usize
            } else {
                usize::MAX
            })
            .collect();
        Ok((page, total))
    }

    /// `GET canned-responses/:_id`: the response, if the user may see it.
    pub async fn canned_response_for(
        &self,
        user: &User,
        id: &str,
    ) -> Result<Option<CannedResponse>> {
        let departments = self.canned_departments(user).await?;
        Ok(self
            .store
            .canned_response(id)
            .await?
            .filter(|r| visible(r, &user.id, departments.as_deref())))
    }

    /// Upstream's `saveCannedResponse`: checks in its order, then insert or update.
    pub async fn save_canned_response(
        &self,
        user: &User,
        mut input: CannedInput,
    ) -> Result<CannedResponse> {
        if !self.has_permission(user, "save-canned-responses") {
            return Err(Code::MethodNotAllowed("saveCannedResponse").into());
        }
        let save_all = self.has_permission(user, "save-all-canned-responses");
        if !save_all && input.scope == "global" {
            return Err(Code::CannedScopeNotAllowed("global").into());
        }
        if !save_all
            && !self.has_permission(user, "save-department-canned-responses")
            && input.scope == "department"
        {
            return Err(Code::CannedScopeNotAllowed("department").into());
        }
        if input.scope == "user" {
            input.department_id = None;
        }
        let all = self.store.canned_responses().await?;
        if all
            .iter()
            .any(|r| r.shortcut == input.shortcut && Some(&r.id) != input.id.as_ref())
        {
            return Err(Code::CannedShortcutExists.into());
        }
        if input.scope == "department" && input.department_id.is_none() {
            return Err(Code::CannedInvalidDepartment.into());
        }
        if let Some(d) = &input.department_id
            && self.store.department(d).await?.is_none()
        {
            return Err(Code::CannedInvalidDepartment.into());
        }
        let now = self.now();
        let saved = match &input.id {
            Some(id) => {
                let old = all
                    .into_iter()
                    .find(|r| &r.id == id)
                    .ok_or(Code::CannedResponseNotFound("saveCannedResponse"))?;
                CannedResponse {
                    id: old.id,
                    shortcut: input.shortcut,
                    text: input.text,
                    user_id: if old.scope == "user" {
                        old.user_id
                    } else {
                        (input.scope == "user").then(|| user.id.clone())
                    },
                    scope: input.scope,
                    tags: input.tags.unwrap_or_default(),
                    department_id: input.department_id,
                    created_by: old.created_by,
                    created_at: old.created_at,
                    updated_at: now,
                }
            }
            None => CannedResponse {
                id: self.ids.id(),
                shortcut: input.shortcut,
                text: input.text,
                user_id: (input.scope == "user").then(|| user.id.clone()),
                scope: input.scope,
                tags: input.tags.unwrap_or_default(),
                department_id: input.department_id,
                created_by: crate::model::UserRef {
                    id: user.id.clone(),
                    username: user.username.clone(),
                    name: None,
                },
                created_at: now,
                updated_at: now,
            },
        };
        match self.store.put_canned_response(&saved).await {
            Err(StoreError::Duplicate("shortcut")) => {
                return Err(Code::CannedShortcutExists.into());
            }
            other => other?,
        }
        self.publish_canned_changed(&saved);
        Ok(saved)
    }

    /// Upstream's `removeCannedResponse`.
    pub async fn remove_canned_response(&self, user: &User, id: &str) -> Result<()> {
        if !self.has_permission(user, "remove-canned-responses") {
            return Err(Code::MethodNotAllowed("removeCannedResponse").into());
        }
        let r = self
            .store
            .canned_response(id)
            .await?
            .ok_or(Code::CannedResponseNotFound("removeCannedResponse"))?;
        self.store.delete_canned_response(id).await?;
        self.bus.publish(crate::bus::Event::CannedResponse {
            owner: owner_of(&r),
            args: vec![json!({"type": "removed", "_id": r.id})],
        });
        Ok(())
    }

    /// `{type: "changed", ...document}` on `stream-canned-responses`.
    pub(super) fn publish_canned_changed(&self, r: &CannedResponse) {
        let mut doc =
            crate::time::with_ejson(|| serde_json::to_value(r)).unwrap_or_else(|_| json!({}));
        doc["type"] = json!("changed");
        self.bus.publish(crate::bus::Event::CannedResponse {
            owner: owner_of(r),
            args: vec![doc],
        });
    }
}

/// A personal response is announced to its owner only.
fn owner_of(r: &CannedResponse) -> Option<String> {
    (r.scope == "user").then(|| r.user_id.clone().unwrap_or_default())
}
