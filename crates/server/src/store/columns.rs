//! Column encodings both engines use (the SQL differs, the text in the columns does not).

/// A user's roles as one column: `,admin,livechat-agent,` (a role is found by looking for
/// `,role,` in it).
pub fn roles_col(roles: &[String]) -> String {
    format!(",{},", roles.join(","))
}

/// The roles of a `roles_col` value.
pub fn roles_of(col: &str) -> Vec<String> {
    col.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// `s` as a literal inside a `LIKE` pattern (escape character `\\`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        let roles = vec!["user".to_string(), "livechat-agent".to_string()];
        assert_eq!(roles_col(&roles), ",user,livechat-agent,");
        assert_eq!(roles_of(&roles_col(&roles)), roles);
        assert!(roles_of(",,").is_empty());
    }

    #[test]
    fn like_patterns_are_literal() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
