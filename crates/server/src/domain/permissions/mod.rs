//! Upstream's permission model: each permission names the roles that hold it, and a user
//! holds a permission when one of their roles does (`hasPermission`). There is no implicit
//! bypass for admins: a permission removed from every role is denied to everyone.
//!
//! Held in memory like the settings: loaded at start (after seeding upstream's defaults
//! where missing), changed by writing the store first, and re-read on every instance when
//! the bus says a permission changed.

pub mod upstream;

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::{Permission, Role, User};
use crate::store::SharedStore;
use crate::time::Ts;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

#[derive(Default)]
struct State {
    permissions: BTreeMap<String, Permission>,
    /// Ids in upstream's order (its list's, as Mongo returns them), others after by id.
    order: Vec<String>,
    roles: BTreeMap<String, Role>,
}

#[derive(Clone)]
pub struct Permissions {
    state: Arc<RwLock<State>>,
    /// Held across a re-read (store read, then memory) and across a change (store write,
    /// then memory), so a re-read that read before a change cannot land after it.
    sync: Arc<tokio::sync::Mutex<()>>,
    /// Where a change is announced (weak: the bus's listeners hold the model).
    bus: Arc<RwLock<Option<Weak<dyn crate::bus::Bus>>>>,
}

/// Upstream's defaults as documents stamped `now`.
pub fn default_permissions(now: Ts) -> Vec<Permission> {
    upstream::PERMISSIONS
        .iter()
        .chain(upstream::ENTERPRISE)
        .map(|(id, roles)| Permission {
            id: id.to_string(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            updated_at: now,
        })
        .collect()
}

pub fn default_roles(now: Ts) -> Vec<Role> {
    upstream::ROLES
        .iter()
        .map(|(id, scope, description)| Role {
            id: id.to_string(),
            scope: scope.to_string(),
            description: description.to_string(),
            mandatory2fa: false,
            name: id.to_string(),
            protected: true,
            updated_at: now,
        })
        .collect()
}

impl Permissions {
    /// Seeds upstream's roles and permissions where missing (an admin's changes survive a
    /// restart, as upstream's `Permissions.create`), then loads them.
    pub async fn load(store: &SharedStore, now: Ts) -> Result<Self> {
        store.seed_roles(&default_roles(now)).await?;
        store.seed_permissions(&default_permissions(now)).await?;
        let p = Permissions {
            state: Default::default(),
            sync: Default::default(),
            bus: Default::default(),
        };
        p.reload(store).await?;
        Ok(p)
    }

    pub fn notify_on(&self, bus: &crate::bus::SharedBus) {
        *self.bus.write() = Some(Arc::downgrade(bus));
    }

    /// Re-reads everything from the store (another instance changed a permission, or
    /// events were missed).
    pub async fn reload(&self, store: &SharedStore) -> Result<()> {
        let _sync = self.sync.lock().await;
        let permissions = store.permissions().await?;
        let roles = store.roles().await?;
        let mut s = self.state.write();
        let rank = |id: &str| {
            upstream::PERMISSIONS
                .iter()
                .position(|(p, _)| *p == id)
                .unwrap_or(usize::MAX)
        };
        s.order = permissions.iter().map(|p| p.id.clone()).collect();
        s.order.sort_by_cached_key(|id| (rank(id), id.clone()));
        s.permissions = permissions.into_iter().map(|p| (p.id.clone(), p)).collect();
        s.roles = roles.into_iter().map(|r| (r.id.clone(), r)).collect();
        Ok(())
    }

    /// Does `role` hold `permission`?
    pub fn role_has(&self, role: &str, permission: &str) -> bool {
        self.state
            .read()
            .permissions
            .get(permission)
            .is_some_and(|p| p.roles.iter().any(|r| r == role))
    }

    /// Does one of the user's roles hold `permission`? (Unknown permissions: nobody.)
    pub fn has(&self, user: &User, permission: &str) -> bool {
        let s = self.state.read();
        s.permissions
            .get(permission)
            .is_some_and(|p| p.roles.iter().any(|r| user.roles.contains(r)))
    }

    pub fn has_all(&self, user: &User, permissions: &[&str]) -> bool {
        permissions.iter().all(|p| self.has(user, p))
    }

    pub fn has_any(&self, user: &User, permissions: &[&str]) -> bool {
        permissions.iter().any(|p| self.has(user, p))
    }

    /// Every permission; with `since`, those changed after it.
    pub fn list(&self, since: Option<Ts>) -> Vec<Permission> {
        let s = self.state.read();
        s.order
            .iter()
            .filter_map(|id| s.permissions.get(id))
            .filter(|p| since.is_none_or(|t| p.updated_at > t))
            .cloned()
            .collect()
    }

    pub fn exists(&self, permission: &str) -> bool {
        self.state.read().permissions.contains_key(permission)
    }

    pub fn roles(&self) -> Vec<Role> {
        self.state.read().roles.values().cloned().collect()
    }

    pub fn role_exists(&self, role: &str) -> bool {
        self.state.read().roles.contains_key(role)
    }

    fn apply(&self, changes: &[(String, Vec<String>)], at: Ts) {
        let mut s = self.state.write();
        for (id, roles) in changes {
            if let Some(p) = s.permissions.get_mut(id) {
                p.roles = roles.clone();
                p.updated_at = at;
            }
        }
    }

    fn announce(&self, ids: Vec<String>) {
        let bus = self.bus.read().as_ref().and_then(Weak::upgrade);
        if let Some(bus) = bus {
            bus.publish(crate::bus::Event::PermissionsChanged { ids });
        }
    }
}

impl Livechat {
    /// Does one of the user's roles hold `permission`?
    pub fn has_permission(&self, user: &User, permission: &str) -> bool {
        self.permissions.has(user, permission)
    }

    /// `permissions.update`: each named permission gets exactly the roles given (replaced,
    /// not merged). Every permission and every role must exist, else nothing changes.
    /// Answers every permission, as upstream does.
    pub async fn update_permissions(
        &self,
        actor: &User,
        changes: Vec<(String, Vec<String>)>,
    ) -> Result<Vec<Permission>> {
        if !self.permissions.has(actor, "access-permissions") {
            return Err(Code::EditPermissionsNotAllowed.into());
        }
        if changes.iter().any(|(id, _)| !self.permissions.exists(id)) {
            return Err(Code::InvalidPermission.into());
        }
        if changes
            .iter()
            .flat_map(|(_, roles)| roles)
            .any(|r| !self.permissions.role_exists(r))
        {
            return Err(Code::PermissionInvalidRole.into());
        }
        if !changes.is_empty() {
            let at = self.now();
            let sync = self.permissions.sync.lock().await;
            self.store.set_permission_roles(&changes, at).await?;
            self.permissions.apply(&changes, at);
            drop(sync);
            self.permissions
                .announce(changes.into_iter().map(|(id, _)| id).collect());
        }
        Ok(self.permissions.list(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_defaults() {
        let p = default_permissions(Ts::from_millis(0));
        assert_eq!(p.len(), 171 + 11);
        let roles_of = |id: &str| p.iter().find(|x| x.id == id).unwrap().roles.clone();
        assert_eq!(
            roles_of("view-l-room"),
            [
                "livechat-manager",
                "livechat-monitor",
                "livechat-agent",
                "admin"
            ]
        );
        assert_eq!(
            roles_of("transfer-livechat-guest"),
            ["livechat-manager", "livechat-monitor", "admin"]
        );
        assert_eq!(roles_of("access-permissions"), ["admin"]);
        let roles = default_roles(Ts::from_millis(0));
        for r in p.iter().flat_map(|p| &p.roles) {
            assert!(roles.iter().any(|x| &x.id == r), "unknown role {r}");
        }
    }
}
