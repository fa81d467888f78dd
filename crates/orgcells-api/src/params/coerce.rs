//! Grape's coercions of a parameter's value to its type: `Ok(None)` for null, and for an
//! empty string where the type is not text; `Err` when the value is not of the type.

use serde_json::Value;

/// Grape's Boolean, as dry-types reads form values (exactly these spellings).
const TRUE: &[&str] = &[
    "1", "on", "On", "ON", "t", "true", "True", "TRUE", "T", "y", "yes", "Yes", "YES", "Y",
];
const FALSE: &[&str] = &[
    "0", "off", "Off", "OFF", "f", "false", "False", "FALSE", "F", "n", "no", "No", "NO", "N",
];

pub(super) fn coerce_text(value: &Value) -> Result<Option<String>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(()),
    }
}

pub(super) fn coerce_int(value: &Value) -> Result<Option<i64>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or(()),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| ()),
        _ => Err(()),
    }
}

pub(super) fn coerce_bool(value: &Value) -> Result<Option<bool>, ()> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::Bool(b) => return Ok(Some(*b)),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => s.clone(),
        _ => return Err(()),
    };
    if TRUE.contains(&text.as_str()) {
        Ok(Some(true))
    } else if FALSE.contains(&text.as_str()) {
        Ok(Some(false))
    } else {
        Err(())
    }
}

/// One value of a list of integers: a JSON array, or `1,2` (GitLab's comma-separated form).
pub(super) fn coerce_ints(value: &Value) -> Result<Vec<i64>, ()> {
    let items: Vec<Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.clone(),
        Value::String(s) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| Value::String(p.trim().to_owned()))
            .collect(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::Number(n) => n.as_i64().ok_or(()),
            Value::String(s) => s.parse().map_err(|_| ()),
            _ => Err(()),
        })
        .collect()
}

/// One value of a list of strings: a JSON array of strings, or `a,b`.
pub(super) fn coerce_texts(value: &Value) -> Result<Vec<String>, ()> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(()),
            })
            .collect(),
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()),
        _ => Err(()),
    }
}
