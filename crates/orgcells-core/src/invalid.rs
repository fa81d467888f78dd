//! Validation errors that name their field, as GitLab reports them:
//! `{"message": {"path": ["has already been taken"]}}`.

use std::collections::BTreeMap;

/// One or more fields that failed validation, each with its messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalid {
    pub fields: BTreeMap<String, Vec<String>>,
}

impl Invalid {
    pub fn new() -> Invalid {
        Invalid::default()
    }

    /// An error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Invalid {
        let mut invalid = Invalid::new();
        invalid.add(field, message);
        invalid
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Records the error of a check, if it failed.
    pub fn check(&mut self, field: &str, result: Result<(), String>) {
        if let Err(message) = result {
            self.add(field, message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `Ok` when no field failed.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(field, messages)| format!("{field} {}", messages.join(", ")))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}
