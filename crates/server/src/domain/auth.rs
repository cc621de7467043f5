//! Accounts as Meteor keeps them: passwords as bcrypt over the SHA-256 hex digest, login
//! tokens stored as base64 SHA-256 hashes (permissions: `domain::permissions`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// The client-side digest Meteor applies before bcrypt (`{digest, algorithm: "sha-256"}`).
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password_digest(digest: &str, cost: u32) -> Result<String, bcrypt::BcryptError> {
    bcrypt::hash(digest.to_lowercase(), cost)
}

pub fn verify_password_digest(digest: &str, hash: &str) -> bool {
    bcrypt::verify(digest.to_lowercase(), hash).unwrap_or(false)
}

/// `Accounts._hashLoginToken`: what the database keeps instead of the token.
pub fn hash_login_token(token: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meteor_password_scheme() {
        let digest = sha256_hex("secret");
        assert_eq!(
            digest,
            "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
        );
        let h = hash_password_digest(&digest, 4).unwrap();
        assert!(verify_password_digest(&digest, &h));
        assert!(!verify_password_digest(&sha256_hex("other"), &h));
        assert_eq!(
            hash_login_token("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}
