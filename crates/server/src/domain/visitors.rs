//! Visitors (guests): registration by token, lookup, status, GDPR removal.

use super::Livechat;
use crate::error::{Code, Error, Result};
use crate::ids;
use crate::model::{Phone, Visitor, VisitorEmail};
use crate::store::StoreError;
use serde_json::{Map, Value};

#[derive(Default, Debug)]
pub struct RegisterGuest {
    pub token: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub custom_fields: Vec<(String, String, bool)>,
    pub connection: Option<ConnectionInfo>,
}

#[derive(Default, Debug, Clone)]
pub struct ConnectionInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub host: Option<String>,
}

impl Livechat {
    /// Upstream's `registerGuest`: update the visitor with this token, or the one with this
    /// phone or e-mail, or create one named `guest-<n>`.
    pub async fn register_guest(&self, g: RegisterGuest) -> Result<Visitor> {
        let email = match g.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => {
                let e = e.to_lowercase();
                if !super::users::valid_email(&e) {
                    return Err(Code::InvalidGuestEmail(e.clone()).into());
                }
                Some(e)
            }
            None => None,
        };
        let phone = g
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);

        let mut existing = self.store.visitor_by_token(&g.token).await?;
        if existing.is_none()
            && let Some(p) = &phone
        {
            existing = self.store.visitor_by_phone(p).await?;
        }
        let mut by_email = false;
        if existing.is_none()
            && let Some(e) = &email
        {
            existing = self.store.visitor_by_email(e).await?;
            by_email = existing.is_some();
        }

        let department = match g.department.as_deref().filter(|d| !d.is_empty()) {
            Some(d) if existing.as_ref().and_then(|v| v.department.as_deref()) != Some(d) => {
                let dept = match self.store.department(d).await? {
                    Some(dep) => Some(dep),
                    None => self.store.department_by_name(d).await?,
                };
                match dept {
                    Some(dep) => Some(dep.id),
                    None => {
                        return Err(Code::InvalidDepartmentMeteor.into());
                    }
                }
            }
            Some(d) => Some(d.to_string()),
            None => None,
        };

        let custom = self.visitor_custom_fields(&g.custom_fields).await?;
        let now = self.now();
        let visitor = match existing {
            Some(v) => {
                let token = g.token.clone();
                let (name, email, phone, department, custom) = (
                    g.name.clone(),
                    email.clone(),
                    phone.clone(),
                    department.clone(),
                    custom.clone(),
                );
                let f = move |v: &mut Visitor| {
                    // Found by e-mail, the visitor moves to the new token (its earlier rooms
                    // keep the old one); found by phone it keeps its old token (upstream quirk).
                    if v.token.is_none() || by_email {
                        v.token = Some(token.clone());
                    }
                    if let Some(n) = &name {
                        v.name = Some(n.clone());
                    }
                    if let Some(e) = &email {
                        v.visitor_emails = Some(vec![VisitorEmail { address: e.clone() }]);
                    }
                    if let Some(p) = &phone {
                        v.phone = Some(vec![Phone {
                            phone_number: p.clone(),
                        }]);
                    }
                    if let Some(d) = &department {
                        v.department = Some(d.clone());
                    }
                    apply_custom(v, &custom);
                    v.updated_at = now;
                    Ok(())
                };
                self.store
                    .modify_visitor(&v.id, Box::new(f))
                    .await?
                    .ok_or_else(|| Error::from(Code::VisitorRegistration))?
            }
            None => {
                let username = match g.username.filter(|u| !u.is_empty()) {
                    Some(u) => u,
                    None => format!(
                        "guest-{}",
                        self.store.incr_setting("Livechat_guest_count", 1).await?
                    ),
                };
                let mut v = Visitor {
                    id: g
                        .id
                        .filter(|i| !i.is_empty())
                        .unwrap_or_else(ids::object_id),
                    username: Some(username),
                    ts: Some(now),
                    token: Some(g.token.clone()),
                    status: Some("online".into()),
                    name: g.name.clone(),
                    visitor_emails: email.clone().map(|address| vec![VisitorEmail { address }]),
                    phone: phone
                        .clone()
                        .map(|phone_number| vec![Phone { phone_number }]),
                    department: department.clone(),
                    updated_at: now,
                    ..Default::default()
                };
                if self
                    .settings
                    .bool("Livechat_Allow_collect_and_store_HTTP_header_informations")
                    && let Some(c) = g.connection
                {
                    v.user_agent = c.user_agent;
                    v.ip = c.ip;
                    v.host = c.host;
                }
                apply_custom(&mut v, &custom);
                match self.store.insert_visitor(&v).await {
                    Ok(()) => v,
                    // A concurrent registration of the same token won: update that one.
                    Err(StoreError::Duplicate(_)) => {
                        self.store
                            .visitor_by_token(&g.token)
                            .await?
                            .ok_or_else(|| Error::from(Code::VisitorRegistration))?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };

        // Every visitor is a channel of a contact (upstream's `createContactFromVisitor`).
        let visitor = self.ensure_visitor_contact(visitor).await?;
        self.publish_visitor(&visitor).await;
        // Keep the visitor's open rooms in step with its name and status.
        if let Some(token) = visitor.token.clone()
            && !self.store.open_rooms_by_token(&token).await?.is_empty()
        {
            let name = visitor.name.clone();
            let now = self.now();
            self.modify_open_room(&token, move |r| {
                if let Some(n) = &name {
                    r.fname = n.clone();
                }
                r.updated_at = now;
                Ok(())
            })
            .await?;
        }
        Ok(visitor)
    }

    /// Only values of defined custom fields with scope `visitor` are kept (upstream's
    /// `findByIdsAndScope(keys, 'visitor')`); others are ignored.
    /// The registration's custom fields that are visitor-scope fields. As upstream (7.x), a
    /// registration that sends any custom field must send every required one that is not
    /// hidden; checked here before anything is written (upstream saves the visitor first).
    async fn visitor_custom_fields(
        &self,
        fields: &[(String, String, bool)],
    ) -> Result<Vec<(String, String, bool)>> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        let defined = self.store.custom_fields(Some("visitor")).await?;
        let missing: Vec<&str> = defined
            .iter()
            .filter(|f| f.required() && f.visibility != "hidden")
            .filter(|f| !fields.iter().any(|(k, _, _)| *k == f.id))
            .map(|f| f.id.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Code::MissingRequiredCustomFields(missing.join(", ")).into());
        }
        Ok(fields
            .iter()
            .filter(|(k, _, _)| defined.iter().any(|f| f.id == *k))
            .cloned()
            .collect())
    }

    pub async fn visitor_by_token(&self, token: &str) -> Result<Option<Visitor>> {
        Ok(self.store.visitor_by_token(token).await?)
    }

    /// `DELETE livechat/visitor/:token`.
    pub async fn remove_visitor(&self, token: &str) -> Result<Visitor> {
        let v = self
            .store
            .visitor_by_token(token)
            .await?
            .ok_or(Code::InvalidTokenMeteor)?;
        let open = self.store.open_rooms_by_token(token).await?;
        if !open.is_empty()
            && !self
                .settings
                .bool("Livechat_Allow_collect_and_store_HTTP_header_informations")
        {
            return Err(Code::VisitorHasOpenRooms.into());
        }
        let now = self.now();
        // The months it was active stay (no personal data): removing a visitor does not
        // lower the monthly active contacts already counted, as upstream.
        let anonymised = Visitor {
            id: v.id.clone(),
            activity: v.activity.clone(),
            disabled: true,
            updated_at: now,
            ..Default::default()
        };
        self.store.remove_visitor_data(token, &anonymised).await?;
        Ok(Visitor {
            id: v.id,
            ts: Some(now),
            ..Default::default()
        })
    }

    /// `visitor.status`: the token's open rooms (and inquiries) carry the new `v.status`.
    pub async fn set_visitor_status(&self, token: &str, status: &str) -> Result<()> {
        let v = self
            .store
            .visitor_by_token(token)
            .await?
            .ok_or(Code::InvalidTokenMeteor)?;
        let now = self.now();
        let s = status.to_string();
        self.store
            .modify_visitor(
                &v.id,
                Box::new(move |v| {
                    v.status = Some(s.clone());
                    v.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        let s = status.to_string();
        self.modify_open_room(token, move |r| {
            r.v.status = s.clone();
            r.updated_at = now;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl Livechat {
    /// `visitor.callStatus`: the room's `callStatus` becomes `status`. Upstream sets it on
    /// any room id; here only on a room of that visitor (`invalid-room` otherwise).
    pub async fn set_call_status(&self, token: &str, rid: &str, status: &str) -> Result<()> {
        self.store
            .visitor_by_token(token)
            .await?
            .ok_or(Code::InvalidTokenMeteor)?;
        let now = self.now();
        let (t, s) = (token.to_string(), status.to_string());
        let room = self
            .store
            .modify_room(
                rid,
                Box::new(move |r| {
                    if r.v.token != t {
                        return Err(Code::InvalidRoom.into());
                    }
                    r.call_status = Some(s.clone());
                    r.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::InvalidRoom)?;
        self.publish_room_changed(&room);
        Ok(())
    }
}

fn apply_custom(v: &mut Visitor, fields: &[(String, String, bool)]) {
    if fields.is_empty() {
        return;
    }
    let data = v.livechat_data.get_or_insert_with(Map::new);
    for (k, val, overwrite) in fields {
        if *overwrite || !data.contains_key(k) {
            data.insert(k.clone(), Value::String(val.clone()));
        }
    }
}

impl Livechat {
    /// Monthly active contacts now (visitors an agent answered this month), for
    /// `licenses.info`.
    pub async fn monthly_active_contacts(&self) -> Result<i64> {
        Ok(self
            .store
            .count_visitors_active_in(&self.now().month_tag())
            .await?)
    }
}
