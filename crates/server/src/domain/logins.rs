//! Brute-force protection, as upstream's `Block_Multiple_Failed_Logins_*` settings: failed
//! logins since the last successful one are counted per user and per client address; at
//! the threshold, further logins are refused until the block's minutes have passed since
//! the last failure (a refused login counts as a failure, as upstream's `onLoginFailure`
//! records it). Kept in this process's memory: each instance counts what it sees.

use super::Livechat;
use super::auth::{hash_password_digest, sha256_hex, verify_password_digest};
use crate::error::{Code, Error, Result};
use parking_lot::Mutex;
use std::collections::HashMap;

/// Failed attempts since the last success, and when the last one happened (ms).
#[derive(Clone, Copy)]
struct Failures {
    count: i64,
    last: i64,
}

#[derive(Default)]
pub struct LoginGuard {
    by_user: Mutex<HashMap<String, Failures>>,
    by_ip: Mutex<HashMap<String, Failures>>,
    /// A bcrypt hash nobody's password matches: a login for an unknown user is checked
    /// against it, so it costs what a known user's does.
    dummy: tokio::sync::OnceCell<String>,
    /// bcrypt verifications made (`/metrics`): every password login costs one, known user
    /// or not.
    checks: std::sync::atomic::AtomicU64,
}

impl LoginGuard {
    pub fn password_checks(&self) -> u64 {
        self.checks.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Entries kept at most before old ones are dropped (each map).
const MAX_ENTRIES: usize = 100_000;

fn record(map: &Mutex<HashMap<String, Failures>>, key: &str, now: i64, keep_ms: i64) {
    let mut m = map.lock();
    if m.len() >= MAX_ENTRIES && !m.contains_key(key) {
        m.retain(|_, f| now - f.last < keep_ms);
    }
    let f = m.entry(key.to_string()).or_insert(Failures {
        count: 0,
        last: now,
    });
    f.count += 1;
    f.last = now;
}

/// Upstream's `isValidLoginAttemptByIp`/`isValidAttemptByUser`: under the threshold, or the
/// block's time since the last failure has passed.
fn allowed(f: Option<Failures>, attempts: i64, minutes: i64, now: i64) -> bool {
    let Some(f) = f else { return true };
    if attempts > 0 && f.count < attempts {
        return true;
    }
    now >= f.last + minutes.max(0) * 60_000
}

impl Livechat {
    fn block_setting(&self, id: &str) -> i64 {
        self.settings.i64(id)
    }

    /// `error-login-blocked-for-ip` when this address is blocked.
    pub fn check_login_ip(&self, ip: &str) -> Result<()> {
        let s = &self.settings;
        if !s.bool("Block_Multiple_Failed_Logins_Enabled")
            || !s.bool("Block_Multiple_Failed_Logins_By_Ip")
            || s.str("Block_Multiple_Failed_Logins_Ip_Whitelist")
                .split(',')
                .any(|w| w.trim() == ip)
        {
            return Ok(());
        }
        let f = self.logins.by_ip.lock().get(ip).copied();
        if allowed(
            f,
            self.block_setting("Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip"),
            self.block_setting("Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes"),
            self.now().millis(),
        ) {
            Ok(())
        } else {
            Err(Code::LoginBlockedForIp.into())
        }
    }

    /// `error-login-blocked-for-user` when this (existing) user is blocked.
    pub fn check_login_user(&self, user_id: &str) -> Result<()> {
        let s = &self.settings;
        if !s.bool("Block_Multiple_Failed_Logins_Enabled")
            || !s.bool("Block_Multiple_Failed_Logins_By_User")
        {
            return Ok(());
        }
        let f = self.logins.by_user.lock().get(user_id).copied();
        if allowed(
            f,
            self.block_setting("Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User"),
            self.block_setting("Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes"),
            self.now().millis(),
        ) {
            Ok(())
        } else {
            Err(Code::LoginBlockedForUser.into())
        }
    }

    /// A failed (or refused) login from `ip`, for `user_id` when the user exists.
    pub fn login_failed(&self, ip: &str, user_id: Option<&str>) {
        if !self.settings.bool("Block_Multiple_Failed_Logins_Enabled") {
            return;
        }
        let now = self.now().millis();
        let keep = |id: &str| self.block_setting(id).max(1) * 60_000;
        record(
            &self.logins.by_ip,
            ip,
            now,
            keep("Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes"),
        );
        if let Some(u) = user_id {
            record(
                &self.logins.by_user,
                u,
                now,
                keep("Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes"),
            );
        }
    }

    /// A successful login: counting starts again for the user and the address.
    pub fn login_succeeded(&self, ip: &str, user_id: &str) {
        self.logins.by_ip.lock().remove(ip);
        self.logins.by_user.lock().remove(user_id);
    }

    /// Checks `digest` against `hash`, or against a dummy hash of the same cost when there
    /// is none (an unknown user): both cost one bcrypt verification.
    pub(crate) async fn verify_password(
        &self,
        digest: String,
        hash: Option<String>,
    ) -> Result<bool> {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => {
                let cost = self.bcrypt_cost;
                let dummy = self
                    .logins
                    .dummy
                    .get_or_try_init(|| async move {
                        let secret = sha256_hex(&crate::ids::random_secret());
                        tokio::task::spawn_blocking(move || hash_password_digest(&secret, cost))
                            .await
                            .map_err(Error::internal)?
                            .map_err(Error::internal)
                    })
                    .await?;
                (dummy.clone(), false)
            }
        };
        let ok = tokio::task::spawn_blocking(move || verify_password_digest(&digest, &hash))
            .await
            .map_err(Error::internal)?;
        self.logins
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_at_the_threshold_until_the_minutes_pass() {
        assert!(allowed(None, 10, 5, 0));
        let f = Failures {
            count: 9,
            last: 1_000,
        };
        assert!(allowed(Some(f), 10, 5, 1_000));
        let f = Failures {
            count: 10,
            last: 1_000,
        };
        assert!(!allowed(Some(f), 10, 5, 1_000 + 5 * 60_000 - 1));
        assert!(allowed(Some(f), 10, 5, 1_000 + 5 * 60_000));
    }
}
