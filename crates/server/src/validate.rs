//! The two ways upstream validates input, reproduced for their messages: Meteor's
//! `check()` (`Match error: …`) and ajv `validateParams` (`… [invalid-params]`).

use crate::error::{Ajv, Check, Error, Result};
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Str,
    Bool,
    Num,
    Obj,
    Arr,
    Any,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "string",
            Ty::Bool => "boolean",
            Ty::Num => "number",
            Ty::Obj => "object",
            Ty::Arr => "array",
            Ty::Any => "any",
        }
    }
    fn matches(self, v: &Value) -> bool {
        match self {
            Ty::Str => v.is_string(),
            Ty::Bool => v.is_boolean(),
            Ty::Num => v.is_number(),
            Ty::Obj => v.is_object(),
            Ty::Arr => v.is_array(),
            Ty::Any => true,
        }
    }
}

/// One key of an object pattern.
#[derive(Clone, Copy, Debug)]
pub struct F {
    pub name: &'static str,
    pub ty: Ty,
    /// `Match.Maybe` / `Match.Optional` (check) or not in `required` (ajv).
    pub optional: bool,
}

pub const fn req(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        optional: false,
    }
}
pub const fn opt(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        optional: true,
    }
}

/// Meteor `check(value, {…})`: keys of the value are tested in their order (an unknown key
/// fails first), then missing required keys. `Maybe` accepts `null`/`undefined`.
pub fn check(value: &Map<String, Value>, pattern: &[F], exact: bool, path: &str) -> Result<()> {
    let field = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    for (k, v) in value {
        match pattern.iter().find(|f| f.name == k) {
            Some(f) => {
                if f.optional && v.is_null() {
                    continue;
                }
                if !f.ty.matches(v) {
                    return Err(Check::expected(f.ty.name(), v, field(k)));
                }
            }
            None if exact => {
                return Err(Check::unknown(k.as_str(), path));
            }
            None => {}
        }
    }
    for f in pattern.iter().filter(|f| !f.optional) {
        if !value.contains_key(f.name) {
            return Err(Check::missing(f.name, path));
        }
    }
    Ok(())
}

/// ajv with `allErrors` and `coerceTypes`: every failure, in schema order.
pub fn ajv(value: &Map<String, Value>, schema: &[F], additional: bool) -> Result<()> {
    let mut errs = Vec::new();
    for f in schema.iter().filter(|f| !f.optional) {
        if !value.contains_key(f.name) {
            errs.push(Ajv::Required(f.name.to_string()));
        }
    }
    if !additional && value.keys().any(|k| !schema.iter().any(|f| f.name == k)) {
        errs.push(Ajv::AdditionalProperties);
    }
    for f in schema {
        if let Some(v) = value.get(f.name)
            && !coercible(f.ty, v)
        {
            errs.push(Ajv::MustBe(f.ty.name()));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidParams(errs))
    }
}

fn coercible(ty: Ty, v: &Value) -> bool {
    match (ty, v) {
        (Ty::Any, _) => true,
        (Ty::Str, Value::String(_) | Value::Number(_) | Value::Bool(_)) => true,
        (Ty::Num, Value::Number(_)) => true,
        (Ty::Num, Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Bool, Value::String(s)) => s == "true" || s == "false",
        (t, v) => t.matches(v),
    }
}

/// A string field after validation (ajv coercion of numbers and booleans included).
pub fn str_of(m: &Map<String, Value>, k: &str) -> Option<String> {
    match m.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn bool_of(m: &Map<String, Value>, k: &str) -> Option<bool> {
    match m.get(k)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s == "true"),
        _ => None,
    }
}

pub fn i64_of(m: &Map<String, Value>, k: &str) -> Option<i64> {
    match m.get(k)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn check_messages() {
        let p = [
            req("token", Ty::Str),
            opt("rid", Ty::Str),
            opt("agentId", Ty::Str),
        ];
        let e = check(&obj(json!({})), &p, true, "").unwrap_err();
        assert_eq!(e.to_string(), "Match error: Missing key 'token'");
        let e = check(&obj(json!({"token": "a", "x": "1"})), &p, true, "").unwrap_err();
        assert_eq!(e.to_string(), "Match error: Unknown key 'x'");
        let e = check(&obj(json!({"token": 1})), &p, true, "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Match error: Expected string, got number in field token"
        );
        let e = check(
            &obj(json!({"visitor": {}})),
            &[req("token", Ty::Str)],
            false,
            "visitor",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Match error: Missing key 'token' in field visitor"
        );
    }

    #[test]
    fn ajv_messages() {
        let s = [req("token", Ty::Str), req("rid", Ty::Str)];
        let e = ajv(&obj(json!({"x": 1})), &s, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "must have required property 'token'\n must have required property 'rid'\n must NOT have additional properties [invalid-params]"
        );
    }
}
