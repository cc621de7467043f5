//! Nested ajv schemas (arrays of objects, enums, `nullable`, `oneOf`), reporting every failure
//! with ajv's messages, as upstream's `validateParams` joins them (`allErrors`, `coerceTypes`).

use crate::error::{Ajv, Error, Result};
use serde_json::Value;

pub enum S {
    Str,
    /// A string from a fixed list.
    Enum(&'static [&'static str]),
    Num,
    Bool,
    Any,
    Arr {
        items: Box<S>,
        min: usize,
        /// `uniqueItems`.
        unique: bool,
    },
    Obj {
        props: Vec<P>,
        additional: bool,
    },
    Nullable(Box<S>),
    OneOf(Vec<S>),
}

/// One property of an object schema.
pub struct P {
    pub name: &'static str,
    pub schema: S,
    pub required: bool,
}

pub fn req(name: &'static str, schema: S) -> P {
    P {
        name,
        schema,
        required: true,
    }
}
pub fn opt(name: &'static str, schema: S) -> P {
    P {
        name,
        schema,
        required: false,
    }
}
pub fn arr(items: S, min: usize) -> S {
    S::Arr {
        items: Box::new(items),
        min,
        unique: false,
    }
}
/// An array with `uniqueItems: true`.
pub fn unique_arr(items: S) -> S {
    S::Arr {
        items: Box::new(items),
        min: 0,
        unique: true,
    }
}
pub fn obj(props: Vec<P>) -> S {
    S::Obj {
        props,
        additional: false,
    }
}
pub fn nullable(s: S) -> S {
    S::Nullable(Box::new(s))
}

/// `Ok` or the `[invalid-params]` error with every message.
pub fn validate(value: &Value, schema: &S) -> Result<()> {
    let mut errs = Vec::new();
    check(value, schema, &mut errs);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidParams(errs))
    }
}

fn check(v: &Value, s: &S, errs: &mut Vec<Ajv>) {
    match s {
        S::Any => {}
        S::Str => {
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                errs.push(Ajv::MustBe("string"));
            }
        }
        S::Enum(allowed) => match v {
            Value::String(x) => {
                if !allowed.contains(&x.as_str()) {
                    errs.push(Ajv::NotAllowedValue);
                }
            }
            Value::Number(_) | Value::Bool(_) => errs.push(Ajv::NotAllowedValue),
            _ => errs.push(Ajv::MustBe("string")),
        },
        S::Num => {
            let ok = match v {
                Value::Number(_) => true,
                Value::String(x) => x.trim().parse::<f64>().is_ok(),
                _ => false,
            };
            if !ok {
                errs.push(Ajv::MustBe("number"));
            }
        }
        S::Bool => {
            if !matches!(v, Value::Bool(_)) && v != "true" && v != "false" {
                errs.push(Ajv::MustBe("boolean"));
            }
        }
        S::Nullable(inner) => {
            if !v.is_null() {
                check(v, inner, errs);
            }
        }
        S::Arr { items, min, unique } => {
            let Some(a) = v.as_array() else {
                errs.push(Ajv::MustBe("array"));
                return;
            };
            if a.len() < *min {
                errs.push(Ajv::FewerItems { min: *min });
            }
            for item in a {
                check(item, items, errs);
            }
            // ajv walks from the end, remembering where each item was last seen: the first
            // repeat is item `i` equal to the nearer later item `j`.
            if *unique {
                let mut seen: Vec<(&Value, usize)> = Vec::new();
                for i in (0..a.len()).rev() {
                    if let Some(&(_, j)) = seen.iter().find(|(x, _)| *x == &a[i]) {
                        errs.push(Ajv::Duplicate { i, j });
                        break;
                    }
                    seen.push((&a[i], i));
                }
            }
        }
        S::Obj { props, additional } => {
            let Some(m) = v.as_object() else {
                errs.push(Ajv::MustBe("object"));
                return;
            };
            for p in props.iter().filter(|p| p.required) {
                if !m.contains_key(p.name) {
                    errs.push(Ajv::Required(p.name.to_string()));
                }
            }
            if !additional && m.keys().any(|k| !props.iter().any(|p| p.name == k)) {
                errs.push(Ajv::AdditionalProperties);
            }
            for p in props {
                if let Some(x) = m.get(p.name) {
                    check(x, &p.schema, errs);
                }
            }
        }
        S::OneOf(branches) => {
            let mut branch_errs = Vec::new();
            let mut passing = 0;
            for b in branches {
                let mut e = Vec::new();
                check(v, b, &mut e);
                if e.is_empty() {
                    passing += 1;
                }
                branch_errs.extend(e);
            }
            if passing != 1 {
                errs.extend(branch_errs);
                errs.push(Ajv::OneOf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_messages() {
        let s = obj(vec![
            req("token", S::Str),
            req(
                "data",
                arr(obj(vec![req("name", S::Str), req("value", S::Str)]), 1),
            ),
        ]);
        assert!(
            validate(
                &json!({"token": "t", "data": [{"name": "a", "value": "1"}]}),
                &s
            )
            .is_ok()
        );
        let e = validate(&json!({"token": "t", "data": []}), &s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "must NOT have fewer than 1 item [invalid-params]"
        );
        let e = validate(&json!({"data": [{"name": 1}], "x": 1}), &s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "must have required property 'token'\n must NOT have additional properties\n must have required property 'value' [invalid-params]"
        );
    }
}
