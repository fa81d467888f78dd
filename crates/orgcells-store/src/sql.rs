//! A small builder for queries whose filters depend on the request. It numbers placeholders
//! `$1, $2, ...`, which both backends accept, and keeps the values to bind in order.

use std::sync::{Arc, OnceLock};

use sqlx::any::{Any, AnyArguments};
use sqlx::query::QueryAs;

use crate::backend::Backend;

/// Closes a `SELECT COUNT(*) FROM (SELECT 1 ...` count: lists count at most one row past what
/// GitLab reports (10,000), so a count costs at most that many index entries.
pub(crate) const COUNT_CAP: &str = " LIMIT 10001) counted";

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    /// Text shared with an [`IdSet`], not copied into each statement.
    Shared(Arc<str>),
}

/// The most ids an `IN` list binds one by one; a larger set is one JSON value.
const FEW_IDS: usize = 16;

/// A set of ids as statements bind it: one JSON value, rendered once however many statements
/// use the set (a caller's reach is remembered with their standing, and used by every list
/// they ask for) and shared, not copied, into each.
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    ids: Arc<[i64]>,
    /// `[1,2,...]`.
    array: OnceLock<Arc<str>>,
    /// `{"1":1,"2":1,...}`: a `jsonb` object keyed by the ids, for PostgreSQL's `?|`.
    keys: OnceLock<Arc<str>>,
}

impl IdSet {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    fn array(&self) -> Arc<str> {
        self.array
            .get_or_init(|| json_array(self.ids.iter().map(i64::to_string)).into())
            .clone()
    }

    fn keys(&self) -> Arc<str> {
        self.keys
            .get_or_init(|| {
                let keys: Vec<String> = self.ids.iter().map(|id| format!("\"{id}\":1")).collect();
                format!("{{{}}}", keys.join(",")).into()
            })
            .clone()
    }
}

/// A set of plain or typed ids.
impl<T: Into<i64>> FromIterator<T> for IdSet {
    fn from_iter<I: IntoIterator<Item = T>>(ids: I) -> IdSet {
        IdSet {
            ids: ids.into_iter().map(Into::into).collect(),
            ..IdSet::default()
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Binds a number or a typed id.
    pub(crate) fn int(&mut self, value: impl Into<i64>) -> &mut Sql {
        self.values.push(Value::Int(value.into()));
        let n = self.values.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub(crate) fn text(&mut self, value: impl Into<String>) -> &mut Sql {
        self.values.push(Value::Text(value.into()));
        let n = self.values.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn shared(&mut self, value: Arc<str>) -> &mut Sql {
        self.values.push(Value::Shared(value));
        let n = self.values.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// `(SELECT ...)`, for `IN`: the ids as one bound JSON array, so that neither the
    /// statement nor its number of values grows with the set (a caller's grants may be many).
    pub(crate) fn id_set(
        &mut self,
        backend: Backend,
        ids: impl IntoIterator<Item = impl Into<i64>>,
    ) -> &mut Sql {
        self.ids(backend, &ids.into_iter().collect())
    }

    /// [`Sql::id_set`] of a set already rendered. A set of at most [`FEW_IDS`] goes as that
    /// many placeholders instead, which the database reads without building a table (a lookup
    /// of one Group's links or a page's ancestors is ~10% faster so): the statement still grows
    /// by at most that much.
    pub(crate) fn ids(&mut self, backend: Backend, set: &IdSet) -> &mut Sql {
        if set.ids.len() <= FEW_IDS {
            self.push("(");
            for (i, id) in set.ids.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.int(*id);
            }
            if set.ids.is_empty() {
                self.push("NULL");
            }
            return self.push(")");
        }
        match backend {
            Backend::Sqlite => self
                .push("(SELECT value FROM json_each(")
                .shared(set.array())
                .push("))"),
            Backend::Postgres => self
                .push("(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(")
                .shared(set.array())
                .push(" AS json)))"),
        }
    }

    /// A table of the given traversals with one column, `value`, from one bound JSON array:
    /// `FROM` it and alias it.
    pub(crate) fn subtree_table(
        &mut self,
        backend: Backend,
        traversals: impl IntoIterator<Item = String>,
    ) -> &mut Sql {
        let json = json_array(traversals.into_iter().map(|t| format!("\"{t}\"")));
        match backend {
            Backend::Sqlite => self
                .push("(SELECT value FROM json_each(")
                .text(json)
                .push("))"),
            Backend::Postgres => self
                .push("(SELECT value FROM json_array_elements_text(CAST(")
                .text(json)
                .push(" AS json)))"),
        }
    }

    /// Whether the row whose traversal is `column` lies in the subtree of one of `roots`,
    /// that is whether one of the ids along its traversal is a root. The roots are one bound
    /// JSON value, read once per statement into a set; each row costs a lookup per level of its
    /// depth, however many roots there are. On SQLite the set is `IN` over `json_each`; on
    /// PostgreSQL a `jsonb` object keyed by the roots, asked with `?|` (its keys are searched,
    /// not scanned).
    pub(crate) fn in_subtrees(
        &mut self,
        backend: Backend,
        column: &str,
        roots: &IdSet,
    ) -> &mut Sql {
        match backend {
            Backend::Sqlite => self
                .push(&format!(
                    "EXISTS (SELECT 1 FROM json_each('[' || replace({column}, '/', ',') || ']') a WHERE a.value IN "
                ))
                .ids(backend, roots)
                .push(")"),
            Backend::Postgres => self
                .push("(SELECT CAST(")
                .shared(roots.keys())
                .push(&format!(" AS jsonb)) ?| string_to_array({column}, '/')")),
        }
    }

    /// The statement and its values, as one string: what a remembered result is found by.
    pub(crate) fn key(&self) -> String {
        let mut key = self.text.clone();
        for value in &self.values {
            match value {
                Value::Int(v) => key.push_str(&format!("\u{0}i{v}")),
                Value::Text(v) => key.push_str(&format!("\u{0}t{}:{v}", v.len())),
                Value::Shared(v) => key.push_str(&format!("\u{0}t{}:{v}", v.len())),
            }
        }
        key
    }

    pub(crate) fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as(&self.text);
        for value in &self.values {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_str()),
                Value::Shared(v) => query.bind(v.as_ref()),
            };
        }
        query
    }

    pub(crate) fn query_scalar<T>(&self) -> sqlx::query::QueryScalar<'_, Any, T, AnyArguments<'_>>
    where
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_scalar(&self.text);
        for value in &self.values {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_str()),
                Value::Shared(v) => query.bind(v.as_ref()),
            };
        }
        query
    }
}

/// `[a,b,...]` from items already in JSON form (numbers, or traversals of digits and `/`,
/// quoted).
fn json_array(items: impl Iterator<Item = String>) -> String {
    let mut json = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&item);
    }
    json.push(']');
    json
}
