//! Identifiers in the shapes Rocket.Chat clients expect.

use rand::Rng;
use std::sync::atomic::{AtomicU32, Ordering};

/// Meteor's `Random.id()` alphabet (no look-alike characters).
const UNMISTAKABLE: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";

/// A Meteor-style 17-character id, used for rooms, messages, users and subscriptions.
pub fn random_id() -> String {
    random_id_len(17)
}

pub fn random_id_len(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| UNMISTAKABLE[rng.random_range(0..UNMISTAKABLE.len())] as char)
        .collect()
}

/// A random secret (login tokens): 43 characters of base64url, like Meteor's `Random.secret()`.
pub fn random_secret() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

static OID_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A MongoDB ObjectId as 24 hex characters (timestamp, random, counter), used for visitors and
/// inquiries as upstream does.
pub fn object_id() -> String {
    let secs = chrono::Utc::now().timestamp() as u32;
    let mut rnd = [0u8; 5];
    rand::rng().fill(&mut rnd);
    let c = OID_COUNTER.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
    format!("{:08x}{}{:06x}", secs, hex::encode(rnd), c)
}

/// Where document ids come from. Production mints random ones; tests may count.
pub trait Ids: Send + Sync + 'static {
    /// A Meteor-style id (rooms, messages, users, subscriptions).
    fn id(&self) -> String;
    /// An ObjectId (visitors, inquiries, triggers).
    fn object_id(&self) -> String;
}

pub type SharedIds = std::sync::Arc<dyn Ids>;

#[derive(Default)]
pub struct RandomIds;

impl Ids for RandomIds {
    fn id(&self) -> String {
        random_id()
    }
    fn object_id(&self) -> String {
        object_id()
    }
}

/// Ids in the shapes above from a counter (`00000000000000001`, …): reproducible runs.
#[derive(Default)]
pub struct SequentialIds(AtomicU32);

impl Ids for SequentialIds {
    fn id(&self) -> String {
        format!("{:017}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn object_id(&self) -> String {
        format!("{:024x}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let id = random_id();
        assert_eq!(id.len(), 17);
        assert!(id.bytes().all(|b| UNMISTAKABLE.contains(&b)));
        let oid = object_id();
        assert_eq!(oid.len(), 24);
        assert!(oid.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(object_id(), oid);
        assert_eq!(random_secret().len(), 43);
    }
}
