//! Livechat custom fields: the admin defines them (scope `visitor` or `room`), the visitor's
//! widget fills them (`custom.field(s)`), values land in `livechatData`.

use super::Livechat;
use crate::error::{Code, Result};
use crate::model::CustomField;
use crate::store::StoreError;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// One value the visitor sends.
#[derive(Clone, Debug)]
pub struct FieldValue {
    pub key: String,
    pub value: String,
    pub overwrite: bool,
}

/// `new RegExp(re).test(value)`; an invalid expression fails as JavaScript's constructor does.
fn regexp_accepts(re: &str, value: &str) -> Result<bool> {
    let compiled = regex::Regex::new(re).map_err(|_| Code::InvalidRegex(re.to_string()))?;
    Ok(compiled.is_match(value))
}

impl Livechat {
    /// `custom-fields.save`: create (`id = None`, `_id` = `field`) or update with `$set`
    /// semantics. Answers the record as upstream's model returns it.
    pub async fn save_custom_field(
        &self,
        id: Option<&str>,
        data: &Map<String, Value>,
    ) -> Result<Value> {
        let s = |k: &str| {
            data.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (field, label, scope, visibility) =
            (s("field"), s("label"), s("scope"), s("visibility"));
        let extra: Map<String, Value> = data
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "field" | "label" | "scope" | "visibility"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let now = self.now();
        let mut record = Map::new();
        record.insert("label".into(), Value::String(label.clone()));
        record.insert("scope".into(), Value::String(scope.clone()));
        record.insert("visibility".into(), Value::String(visibility.clone()));
        record.extend(extra.clone());
        match id {
            Some(id) => {
                let (l, sc, vis, ex) = (label, scope, visibility, extra);
                self.store
                    .modify_custom_field(
                        id,
                        Box::new(move |f| {
                            f.label = l.clone();
                            f.scope = sc.clone();
                            f.visibility = vis.clone();
                            f.extra.extend(ex.clone());
                            f.updated_at = now;
                            Ok(())
                        }),
                    )
                    .await?
                    .ok_or(Code::CustomFieldNotFoundCapitalised)?;
            }
            None => {
                let f = CustomField {
                    id: field.clone(),
                    label,
                    scope,
                    visibility,
                    extra,
                    updated_at: now,
                };
                match self.store.insert_custom_field(&f).await {
                    Ok(()) => {}
                    Err(StoreError::Duplicate(_)) => {
                        return Err(Code::CustomFieldExists.into());
                    }
                    Err(e) => return Err(e.into()),
                }
                record.insert("_id".into(), Value::String(field));
            }
        }
        record.insert("_updatedAt".into(), serde_json::to_value(now)?);
        Ok(Value::Object(record))
    }

    /// The method `livechat:saveCustomField`: the field's name is checked (letters, digits,
    /// `-`, `_`), the `_id` must exist and a new name must not; then as `custom-fields.save`.
    pub async fn save_custom_field_checked(
        &self,
        id: Option<&str>,
        data: &Map<String, Value>,
    ) -> Result<Value> {
        let field = data.get("field").and_then(Value::as_str).unwrap_or("");
        if field.is_empty()
            || !field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Code::InvalidCustomFieldName.into());
        }
        match id {
            Some(id) if self.store.custom_field(id).await?.is_none() => {
                Err(Code::MethodCustomFieldNotFoundCapitalised.into())
            }
            None if self.store.custom_field(field).await?.is_some() => {
                Err(Code::CustomFieldNameExists.into())
            }
            _ => self.save_custom_field(id, data).await,
        }
    }

    /// `custom-fields.delete`.
    pub async fn delete_custom_field(&self, id: &str) -> Result<()> {
        if self.store.delete_custom_field(id).await? {
            Ok(())
        } else {
            Err(Code::CustomFieldNotFound.into())
        }
    }

    /// Upstream's 7.x `setCustomFields`: how many documents changed (0 when the value was
    /// already there, or `overwrite` is false and a value exists, or no open room has it).
    pub async fn set_custom_field(&self, token: &str, fv: &FieldValue) -> Result<u64> {
        let field = self
            .store
            .custom_field(&fv.key)
            .await?
            .ok_or(Code::InvalidCustomField)?;
        if let Some(re) = field.regexp()
            && !regexp_accepts(re, &fv.value)?
        {
            return Err(Code::InvalidFieldValue(fv.key.clone()).into());
        }
        let changed = Arc::new(AtomicBool::new(false));
        let now = self.now();
        let (key, value, overwrite) = (fv.key.clone(), fv.value.clone(), fv.overwrite);
        if field.scope == "room" {
            let rooms = self.store.open_rooms_by_token(token).await?;
            if !overwrite {
                // Upstream looks at the first open room only.
                match rooms.first() {
                    None => return Ok(0),
                    Some(r)
                        if r.livechat_data
                            .as_ref()
                            .is_some_and(|d| d.contains_key(&key)) =>
                    {
                        return Ok(0);
                    }
                    _ => {}
                }
            }
            let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let c2 = count.clone();
            self.modify_open_room(token, move |r| {
                let data = r.livechat_data.get_or_insert_with(Map::new);
                if data.get(&key).and_then(Value::as_str) != Some(value.as_str()) {
                    data.insert(key.clone(), Value::String(value.clone()));
                    r.updated_at = now;
                    c2.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            })
            .await?;
            return Ok(count.load(Ordering::SeqCst));
        }
        let Some(visitor) = self.store.visitor_by_token(token).await? else {
            return Ok(0);
        };
        let c2 = changed.clone();
        let updated = self
            .store
            .modify_visitor(
                &visitor.id,
                Box::new(move |v| {
                    let data = v.livechat_data.get_or_insert_with(Map::new);
                    if !overwrite && data.contains_key(&key) {
                        return Ok(());
                    }
                    if data.get(&key).and_then(Value::as_str) != Some(value.as_str()) {
                        data.insert(key.clone(), Value::String(value.clone()));
                        v.updated_at = now;
                        c2.store(true, Ordering::SeqCst);
                    }
                    Ok(())
                }),
            )
            .await?;
        if let Some(v) = updated.filter(|_| changed.load(Ordering::SeqCst)) {
            self.publish_visitor(&v).await;
            return Ok(1);
        }
        Ok(0)
    }

    /// `custom.fields` (7.x): every item goes through `set_custom_field`; the first failure
    /// (an error, or nothing changed: `error-setting-custom-field`) is the answer, after all
    /// items were tried, as upstream's parallel `Promise.all`.
    pub async fn set_custom_fields(&self, token: &str, items: &[FieldValue]) -> Result<()> {
        let mut first_err = None;
        for fv in items {
            let r = match self.set_custom_field(token, fv).await {
                Ok(0) => Err(Code::SettingCustomField.into()),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = r
                && first_err.is_none()
            {
                first_err = Some(e);
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `config.customFields`: visible, public visitor-scope fields as the widget's form uses
    /// them (`required` false and `defaultValue` null by default, `options` split on commas).
    pub async fn config_custom_fields(&self) -> Result<Vec<Value>> {
        Ok(self
            .store
            .custom_fields(Some("visitor"))
            .await?
            .into_iter()
            .filter(|f| {
                f.visibility == "visible" && f.extra.get("public") == Some(&Value::Bool(true))
            })
            .map(|f| {
                let mut m = Map::new();
                m.insert("_id".into(), Value::String(f.id.clone()));
                m.insert("label".into(), Value::String(f.label.clone()));
                if let Some(r) = f.extra.get("regexp") {
                    m.insert("regexp".into(), r.clone());
                }
                m.insert("required".into(), Value::Bool(f.required()));
                if let Some(t) = f.extra.get("type") {
                    m.insert("type".into(), t.clone());
                }
                m.insert(
                    "defaultValue".into(),
                    f.extra.get("defaultValue").cloned().unwrap_or(Value::Null),
                );
                if let Some(o) = f
                    .extra
                    .get("options")
                    .and_then(Value::as_str)
                    .filter(|o| !o.is_empty())
                {
                    m.insert(
                        "options".into(),
                        Value::Array(o.split(',').map(|x| Value::String(x.to_string())).collect()),
                    );
                }
                Value::Object(m)
            })
            .collect())
    }
}

/// Reads the HTTP answers pass on as stored.
impl Livechat {
    pub async fn custom_field(&self, id: &str) -> Result<Option<CustomField>> {
        Ok(self.store.custom_field(id).await?)
    }

    /// Fields whose `_id` or `label` contains `text`; with the total.
    pub async fn list_custom_fields(
        &self,
        text: Option<&str>,
        offset: i64,
        count: i64,
        sort: &[(String, bool)],
    ) -> Result<(Vec<CustomField>, i64)> {
        Ok(self
            .store
            .list_custom_fields(text, offset, count, sort)
            .await?)
    }
}
