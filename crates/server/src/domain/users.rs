//! Users, logins, presence status and the agent/manager roles.

use super::Livechat;
use super::auth::{hash_login_token, hash_password_digest, sha256_hex};
use super::departments::DepartmentAgentInput;
use crate::error::{Code, Error, Result};
use crate::ids;
use crate::model::{Email, User};
use crate::store::{StoreError, UserQuery};
use serde_json::{Map, Value};

pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub name: String,
    pub roles: Vec<String>,
    pub active: bool,
    pub verified: bool,
}

/// What a client may send as a password.
pub enum Password {
    Plain(String),
    /// `{digest, algorithm: "sha-256"}`
    Digest(String),
}

impl Password {
    fn digest(&self) -> String {
        match self {
            Password::Plain(p) => sha256_hex(p),
            Password::Digest(d) => d.to_lowercase(),
        }
    }
}

pub const USER_STATUSES: [&str; 4] = ["online", "away", "busy", "offline"];

fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Livechat {
    pub async fn create_user(&self, n: NewUser) -> Result<User> {
        let username = n.username.trim().to_string();
        if !valid_username(&username) {
            return Err(Code::InvalidUsername.into());
        }
        let email = n.email.trim().to_lowercase();
        if !valid_email(&email) {
            return Err(Code::InvalidUserEmail(email.clone()).into());
        }
        if n.password.is_empty() {
            return Err(Code::InvalidPassword.into());
        }
        let roles = if n.roles.is_empty() {
            vec!["user".to_string()]
        } else {
            n.roles
        };
        for r in &roles {
            if !self.permissions.role_exists(r) {
                return Err(Code::InvalidRole.into());
            }
        }
        let now = self.now();
        // Created with the agent role: upstream's `afterAgentAdded` (an offline user is
        // not available) then `onNewAgentCreated` below.
        let agent = roles.iter().any(|r| r == "livechat-agent");
        let user = User {
            id: ids::random_id(),
            created_at: now,
            username: username.clone(),
            emails: vec![Email {
                address: email.clone(),
                verified: Some(n.verified),
            }],
            kind: "user".into(),
            status: "offline".into(),
            active: n.active,
            name: Some(n.name),
            roles,
            updated_at: now,
            status_connection: None,
            status_default: None,
            status_text: None,
            utc_offset: None,
            status_livechat: agent.then(|| "not-available".into()),
            livechat_count: agent.then_some(0),
            operator: agent.then_some(true),
            livechat: None,
            last_routing_time: None,
            phone: None,
            custom_fields: None,
            open_business_hours: None,
            livechat_status_system_modified: None,
            extra: Map::new(),
        };
        let cost = self.bcrypt_cost;
        let digest = sha256_hex(&n.password);
        let hash = tokio::task::spawn_blocking(move || hash_password_digest(&digest, cost))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        match self.store.insert_user(&user, Some(&hash)).await {
            Ok(()) if agent => {
                self.business_hours_new_agent(&user.id).await?;
                Ok(self.store.user(&user.id).await?.unwrap_or(user))
            }
            Ok(()) => Ok(user),
            Err(StoreError::Duplicate("email")) => {
                Err(Code::FieldUnavailable(email.clone()).into())
            }
            Err(StoreError::Duplicate(_)) => Err(Code::FieldUnavailable(username.clone()).into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the configured admin when the database has none (ADMIN_USERNAME & co.).
    pub async fn ensure_admin(
        &self,
        username: &str,
        password: &str,
        email: &str,
    ) -> Result<Option<User>> {
        if self.store.count_users_with_role("admin").await? > 0 {
            return Ok(None);
        }
        let u = self
            .create_user(NewUser {
                username: username.into(),
                email: email.into(),
                password: password.into(),
                name: username.into(),
                roles: vec!["admin".into()],
                active: true,
                verified: true,
            })
            .await?;
        Ok(Some(u))
    }

    /// Password login by username or e-mail from client address `ip`; returns the user and
    /// a fresh login token. Every attempt costs one bcrypt check (an unknown user's too),
    /// and failures count towards `Block_Multiple_Failed_Logins_*`.
    pub async fn login_password(
        &self,
        user: &str,
        password: Password,
        ip: &str,
    ) -> Result<(User, String)> {
        let found = if user.contains('@') {
            self.store.user_by_email(user).await?
        } else {
            self.store.user_by_username(user).await?
        };
        let hash = match &found {
            Some(u) => self.store.password_hash(&u.id).await?,
            None => None,
        };
        let ok = self.verify_password(password.digest(), hash).await?;
        let uid = found.as_ref().map(|u| u.id.clone());
        // As upstream's `validateLoginAttempt`: the blocks are checked after the password,
        // and replace its answer.
        let verdict = self
            .check_login_ip(ip)
            .and_then(|()| uid.as_deref().map_or(Ok(()), |u| self.check_login_user(u)));
        let outcome = match (verdict, found) {
            (Err(e), _) => Err(e),
            // Upstream answers an unknown user and a wrong password alike on this route.
            (Ok(()), None) => Err(Code::LoginUnauthorized.into()),
            (Ok(()), Some(_)) if !ok => Err(Code::IncorrectPassword.into()),
            (Ok(()), Some(u)) if !u.active => Err(Code::UserNotActivated.into()),
            (Ok(()), Some(u)) => Ok(u),
        };
        match outcome {
            Ok(u) => {
                self.login_succeeded(ip, &u.id);
                let token = self.issue_login_token(&u.id).await?;
                Ok((u, token))
            }
            Err(e) => {
                self.login_failed(ip, uid.as_deref());
                Err(e)
            }
        }
    }

    /// A login with a token from an earlier one (`resume`), from client address `ip`.
    pub async fn login_resume(&self, token: &str, ip: &str) -> Result<(User, String)> {
        let found = self
            .store
            .user_by_login_token(&hash_login_token(token), self.login_tokens_since())
            .await?;
        if let Err(e) = self.check_login_ip(ip) {
            self.login_failed(ip, None);
            return Err(e);
        }
        match found {
            Some(u) if u.active => {
                self.login_succeeded(ip, &u.id);
                Ok((u, token.to_string()))
            }
            _ => {
                self.login_failed(ip, None);
                Err(Code::LoggedOut.into())
            }
        }
    }

    /// Tokens issued before this have expired (`Accounts_LoginExpiration` days; upstream
    /// falls back to 90 for a value that is not positive).
    fn login_tokens_since(&self) -> crate::time::Ts {
        let days = match self.settings.i64("Accounts_LoginExpiration") {
            d if d > 0 => d,
            _ => 90,
        };
        crate::time::Ts::from_millis(
            self.now()
                .millis()
                .saturating_sub(days.saturating_mul(86_400_000)),
        )
    }

    async fn issue_login_token(&self, user_id: &str) -> Result<String> {
        let token = ids::random_secret();
        self.store
            .insert_login_token(user_id, &hash_login_token(&token), self.now())
            .await?;
        Ok(token)
    }

    /// Resolves `X-User-Id` + `X-Auth-Token`.
    pub async fn authenticate(&self, user_id: &str, token: &str) -> Result<User> {
        match self
            .store
            .user_by_login_token(&hash_login_token(token), self.login_tokens_since())
            .await?
        {
            Some(u) if u.id == user_id && u.active => Ok(u),
            _ => Err(Error::Unauthorized),
        }
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        Ok(self
            .store
            .delete_login_token(&hash_login_token(token))
            .await?)
    }

    pub async fn set_user_status(
        &self,
        user_id: &str,
        status: &str,
        message: Option<String>,
    ) -> Result<User> {
        if !USER_STATUSES.contains(&status) {
            return Err(Code::InvalidStatus.into());
        }
        let now = self.now();
        let status = status.to_string();
        let user = self
            .store
            .modify_user(
                user_id,
                Box::new(move |u| {
                    u.status = status.clone();
                    u.status_default = Some(status.clone());
                    u.status_connection = Some(if status == "offline" {
                        "offline".into()
                    } else {
                        "online".into()
                    });
                    if let Some(m) = &message {
                        u.status_text = Some(m.clone());
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::InvalidUser)?;
        if user.has_role("livechat-agent") {
            self.publish_agent_status(&user.id, &user.status).await?;
            // An agent coming online may have room for waiting chats.
            if user.status != "offline" {
                self.process_queue().await?;
            }
        }
        Ok(user)
    }

    /// Presence from realtime connections: the first connection brings the user online (or
    /// to the status it chose), the last one to close takes it offline.
    pub async fn set_presence(&self, user_id: &str, connected: bool) -> Result<()> {
        let now = self.now();
        let user = self
            .store
            .modify_user(
                user_id,
                Box::new(move |u| {
                    if connected {
                        u.status = match u.status_default.as_deref() {
                            Some(s) if s != "offline" => s.to_string(),
                            _ => "online".into(),
                        };
                        u.status_connection = Some("online".into());
                    } else {
                        u.status = "offline".into();
                        u.status_connection = Some("offline".into());
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        if let Some(u) = user.filter(|u| u.has_role("livechat-agent")) {
            self.publish_agent_status(&u.id, &u.status).await?;
            if connected {
                self.process_queue().await?;
            }
        }
        Ok(())
    }

    /// `livechat/users/agent` POST: adds the role and makes the agent available.
    pub async fn add_agent(&self, username: &str) -> Result<User> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or(Code::InvalidUserBare)?;
        let now = self.now();
        let updated = self
            .store
            .modify_user(
                &user.id,
                Box::new(move |u| {
                    if !u.has_role("livechat-agent") {
                        u.roles.push("livechat-agent".into());
                    }
                    u.operator = Some(true);
                    // Upstream reads the user with `{_id, username}` only, so its "offline →
                    // not-available" rule never fires: a new agent is always available.
                    u.status_livechat = Some("available".into());
                    u.livechat_count.get_or_insert(0);
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::InvalidUser)?;
        self.business_hours_new_agent(&updated.id).await?;
        Ok(self.store.user(&updated.id).await?.unwrap_or(updated))
    }

    pub async fn remove_agent(&self, user_id: &str) -> Result<bool> {
        let now = self.now();
        let updated = self
            .store
            .modify_user(
                user_id,
                Box::new(move |u| {
                    u.roles.retain(|r| r != "livechat-agent");
                    u.operator = None;
                    u.status_livechat = None;
                    u.livechat = None;
                    u.open_business_hours = None;
                    u.livechat_status_system_modified = None;
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        if updated.is_none() {
            return Ok(false);
        }
        for da in self.store.agent_departments(user_id).await? {
            self.store
                .update_department_agents(
                    &da.department_id,
                    &[],
                    std::slice::from_ref(&da.agent_id),
                )
                .await?;
        }
        Ok(true)
    }

    /// `saveAgentInfo`: `livechat` becomes `agentData` without its empty values (upstream's
    /// `setLivechatData(_id, removeEmpty(agentData))`), and the agent is in exactly the
    /// `departments` given (unknown ones are skipped). A limit sent as a numeral is kept as
    /// the number it names, so routing reads one type. `InvalidUser`: not an agent.
    pub async fn save_agent_info(
        &self,
        id: &str,
        data: Map<String, Value>,
        departments: Vec<String>,
    ) -> Result<()> {
        let user = self.store.user(id).await?.ok_or(Code::InvalidUser)?;
        if !user.has_role("livechat-agent") {
            return Err(Code::InvalidUser.into());
        }
        let mut livechat: Map<String, Value> = data
            .into_iter()
            .filter(|(_, v)| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .collect();
        if let Some(Value::String(s)) = livechat.get("maxNumberSimultaneousChat")
            && let Ok(n) = s.trim().parse::<i64>()
        {
            livechat.insert("maxNumberSimultaneousChat".into(), Value::from(n));
        }
        let now = self.now();
        self.store
            .modify_user(
                id,
                Box::new(move |u| {
                    u.livechat = Some(Value::Object(livechat.clone()));
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::InvalidUser)?;
        let current = self.store.agent_departments(id).await?;
        for d in &current {
            if !departments.contains(&d.department_id) {
                self.store
                    .update_department_agents(&d.department_id, &[], &[id.to_string()])
                    .await?;
            }
        }
        for d in departments
            .iter()
            .filter(|d| !current.iter().any(|c| &c.department_id == *d))
        {
            if let Some(dept) = self.store.department(d).await? {
                let seat = DepartmentAgentInput {
                    agent_id: id.to_string(),
                    username: None,
                    count: None,
                    order: None,
                };
                self.save_department_agents(&dept, vec![seat], Vec::new())
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn add_manager(&self, username: &str) -> Result<User> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or(Code::InvalidUserBare)?;
        let now = self.now();
        self.store
            .modify_user(
                &user.id,
                Box::new(move |u| {
                    if !u.has_role("livechat-manager") {
                        u.roles.push("livechat-manager".into());
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or_else(|| Error::from(Code::InvalidUser))
    }

    pub async fn remove_manager(&self, user_id: &str) -> Result<bool> {
        let now = self.now();
        Ok(self
            .store
            .modify_user(
                user_id,
                Box::new(move |u| {
                    u.roles.retain(|r| r != "livechat-manager");
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .is_some())
    }

    /// `livechat/agent.status`: sets or toggles `statusLivechat`.
    /// `livechat/agent.status`, checks in upstream's order: the agent exists (404), is
    /// active, the status changes at all (else 200 as it is), the actor may change it.
    pub async fn set_agent_status(
        &self,
        actor: &User,
        agent_id: &str,
        status: Option<&str>,
    ) -> Result<Option<String>> {
        let agent = self
            .store
            .user(agent_id)
            .await?
            .filter(|u| u.has_role("livechat-agent"))
            .ok_or(Code::AgentNotFound404)?;
        if !agent.active {
            return Err(Code::UserDeactivated.into());
        }
        let new = match status {
            Some(s) => s.to_string(),
            None => {
                if agent.status_livechat.as_deref() == Some("available") {
                    "not-available".into()
                } else {
                    "available".into()
                }
            }
        };
        if agent.status_livechat.as_deref() == Some(new.as_str()) {
            return Ok(Some(new));
        }
        let may = self.may_become_available(&agent, &new);
        if agent_id != actor.id {
            if !self.has_permission(actor, "manage-livechat-agents") {
                return Err(Code::Forbidden.into());
            }
            // Upstream fails silently for a manager outside business hours: the status
            // as it is.
            if !may {
                return Ok(agent.status_livechat);
            }
        } else if !may {
            return Err(Code::BusinessHoursClosed.into());
        }
        self.write_livechat_status(agent_id, &new).await?;
        Ok(Some(new))
    }

    /// The method `livechat:changeLivechatStatus`, checks in upstream's order and with its
    /// errors: an agent (any, active or not), a known status, a change at all, the actor's
    /// right to change another's. `false` when nothing changed.
    pub async fn change_livechat_status(
        &self,
        actor: &User,
        agent_id: &str,
        status: Option<&str>,
    ) -> Result<bool> {
        const METHOD: &str = "livechat:changeLivechatStatus";
        let agent = self
            .store
            .user(agent_id)
            .await?
            .filter(|u| u.has_role("livechat-agent"))
            .ok_or(Code::MethodInvalidAgentId)?;
        if status.is_some_and(|s| s != "available" && s != "not-available") {
            return Err(Code::MethodInvalidStatus.into());
        }
        let new = match status {
            Some(s) => s,
            None if agent.status_livechat.as_deref() == Some("available") => "not-available",
            None => "available",
        };
        if agent.status_livechat.as_deref() == Some(new) {
            return Ok(false);
        }
        if agent_id != actor.id {
            // A manager may make an agent available outside business hours.
            if !self.has_permission(actor, "manage-livechat-agents") {
                return Err(Code::MethodNotAllowed(METHOD).into());
            }
        } else if !self.may_become_available(&agent, new) {
            return Err(Code::BusinessHoursClosedMethod.into());
        }
        self.write_livechat_status(agent_id, new).await?;
        Ok(true)
    }

    /// Stores the agent's `statusLivechat`; an agent becoming available serves the queue.
    async fn write_livechat_status(&self, agent_id: &str, new: &str) -> Result<()> {
        let now = self.now();
        let n2 = new.to_string();
        self.store
            .modify_user(
                agent_id,
                Box::new(move |u| {
                    u.status_livechat = Some(n2.clone());
                    // A choice of the agent (or a manager): not the business hours'.
                    u.livechat_status_system_modified = None;
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?;
        if new == "available" {
            self.process_queue().await?;
        }
        Ok(())
    }

    /// `users.setActiveStatus`: the last admin stays active; a deactivated user's open chats
    /// close ("Agent was deactivated") and its login tokens go; a deactivated agent is
    /// unavailable; a re-activated one is placed in the business hours as a new agent
    /// (upstream's `afterDeactivateUser` / `afterActivateUser`). Deactivated users cannot
    /// authenticate.
    pub async fn set_user_active(&self, user_id: &str, active: bool) -> Result<User> {
        let user = self.store.user(user_id).await?.ok_or(Code::InvalidUser)?;
        if !active && user.has_role("admin") {
            let (admins, _) = self
                .store
                .list_users(&UserQuery {
                    role: Some("admin".into()),
                    ..Default::default()
                })
                .await?;
            if admins.iter().filter(|a| a.active).count() <= 1 && user.active {
                return Err(Code::LastAdmin.into());
            }
        }
        let was_active = user.active;
        if !active && was_active {
            self.close_chats_of_deactivated(&user).await?;
        }
        let now = self.now();
        let updated = self
            .store
            .modify_user(
                user_id,
                Box::new(move |u| {
                    u.active = active;
                    if !active && u.has_role("livechat-agent") {
                        u.status_livechat = Some("not-available".into());
                        u.livechat_status_system_modified = None;
                    }
                    u.updated_at = now;
                    Ok(())
                }),
            )
            .await?
            .ok_or(Code::InvalidUser)?;
        if active && !was_active && updated.has_role("livechat-agent") {
            self.business_hours_new_agent(user_id).await?;
        }
        if !active && was_active {
            // The closed chats made room for waiting ones (not for this user: unavailable).
            self.process_queue().await?;
        }
        if !active {
            // Upstream's `unsetLoginTokens`: a later re-activation does not revive old sessions.
            self.store.delete_login_tokens_of_user(user_id).await?;
        }
        Ok(self.store.user(user_id).await?.unwrap_or(updated))
    }

    /// Every livechat agent.
    pub async fn all_agents(&self) -> Result<Vec<User>> {
        let (agents, _) = self
            .store
            .list_users(&UserQuery {
                role: Some("livechat-agent".into()),
                ..Default::default()
            })
            .await?;
        Ok(agents)
    }

    /// Active users that are not bots (upstream's licence measure `activeUsers`).
    pub async fn count_active_users(&self) -> Result<i64> {
        let (users, _) = self.store.list_users(&UserQuery::default()).await?;
        Ok(users
            .iter()
            .filter(|u| u.active && !u.has_role("bot"))
            .count() as i64)
    }

    pub async fn list_users_with_role(
        &self,
        role: &str,
        mut q: UserQuery,
    ) -> Result<(Vec<User>, i64)> {
        q.role = Some(role.to_string());
        Ok(self.store.list_users(&q).await?)
    }
}

/// The e-mail check upstream applies (`validateEmail`): something@something.tld.
pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
}

/// Reads the HTTP answers pass on as stored.
impl Livechat {
    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        Ok(self.store.user(id).await?)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        Ok(self.store.user_by_username(username).await?)
    }

    /// `users.delete`: the user goes with their login tokens and department memberships;
    /// `false` when there was none.
    pub async fn delete_user(&self, id: &str) -> Result<bool> {
        Ok(self.store.delete_user(id).await?)
    }
}
