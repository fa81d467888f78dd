//! Request parameters as GitLab reads them: from the query string and the body, merged (the
//! body wins). python-gitlab sends keyword arguments in the query string even on POST; the
//! `gitlab` crate sends forms; others send JSON.
//!
//! A body is read by its `Content-Type` alone, as Grape reads it: JSON when it says
//! `application/json` (or any `application/*+json`, any charset) or says nothing; a form when
//! it says `application/x-www-form-urlencoded` or `multipart/form-data` (file parts are
//! skipped); `text/plain` is taken and not read; anything else is 415. Bodies of `GET` and
//! `HEAD` are not read at all, so a request without one never gets a 415. Text that is not
//! UTF-8 is a 400, and a NUL byte anywhere is GitLab's plain `Bad Request`.
//!
//! What an endpoint takes is declared as [`Declared`] parameters and checked at once by
//! [`Params::validate`], before anything happens, with Grape's messages in Grape's shape:
//! `{"error": "visibility does not have a valid value, sort does not have a valid value"}`.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, StatusCode, header};
use orgcells_service::ServiceError;
use serde_json::Value;

use crate::error::ApiError;

/// The merged parameters of a request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(String, Value)>,
}

fn malformed(what: &str) -> ApiError {
    ApiError(ServiceError::BadRequest(format!(
        "400 Bad request - {what}"
    )))
}

fn not_utf8() -> ApiError {
    malformed("a parameter is not valid UTF-8")
}

fn too_large() -> ApiError {
    ApiError(ServiceError::TooLarge(
        "413 Request Entity Too Large - the body is larger than 2 MiB".into(),
    ))
}

/// How a body is read, from its media type (the `Content-Type` without its parameters).
#[derive(Debug, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    Multipart,
    /// Taken, not read: its parameters are missing.
    Text,
    Unsupported(String),
}

fn body_kind(headers: &axum::http::HeaderMap) -> BodyKind {
    let Some(raw) = headers.get(header::CONTENT_TYPE) else {
        return BodyKind::Json;
    };
    let Ok(raw) = raw.to_str() else {
        return BodyKind::Unsupported(String::from_utf8_lossy(raw.as_bytes()).into_owned());
    };
    let media = raw
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" => BodyKind::Multipart,
        "text/plain" => BodyKind::Text,
        m if m.starts_with("application/") && m.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Unsupported(media),
    }
}

/// Whether the text holds a NUL byte.
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// Whether a JSON value holds a NUL byte in any string or key.
fn json_has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => has_nul(s),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| has_nul(k) || json_has_nul(v)),
        _ => false,
    }
}

/// One `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte, and the
/// bytes must be UTF-8 (no replacement characters slipped in).
fn decode_component(raw: &[u8]) -> Result<String, ApiError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
    let text = String::from_utf8(bytes).map_err(|_| not_utf8())?;
    if has_nul(&text) {
        return Err(ApiError(ServiceError::NullByte));
    }
    Ok(text)
}

/// The pairs of a query string or form body.
fn decode_pairs(raw: &[u8]) -> Result<Vec<(String, Value)>, ApiError> {
    let mut out = Vec::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        out.push((
            decode_component(key)?,
            Value::String(decode_component(value)?),
        ));
    }
    Ok(out)
}

/// Whether a request's path or query holds a NUL byte (`%00`).
fn uri_has_nul(uri: &axum::http::Uri) -> bool {
    let decoded_has_nul = |raw: &str| percent_encoding::percent_decode_str(raw).any(|b| b == 0);
    decoded_has_nul(uri.path()) || uri.query().is_some_and(decoded_has_nul)
}

async fn read_multipart(
    content_type: &axum::http::HeaderValue,
    body: Bytes,
    values: &mut Vec<(String, Value)>,
) -> Result<(), ApiError> {
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|_| malformed("the multipart body is malformed"))?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed("the multipart body is malformed"))?;
    let broken = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            malformed("the multipart body is malformed")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().map(str::to_owned);
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(broken)?;
        // Files (avatars) are not taken yet; they must not stop the rest being read.
        let Some(name) = name.filter(|_| !is_file) else {
            continue;
        };
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| not_utf8())?;
        if has_nul(&name) || has_nul(&text) {
            return Err(ApiError(ServiceError::NullByte));
        }
        values.push((name, Value::String(text)));
    }
    Ok(())
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Params, ApiError> {
        if uri_has_nul(req.uri()) {
            return Err(ApiError(ServiceError::NullByte));
        }
        let mut values = match req.uri().query() {
            Some(query) => decode_pairs(query.as_bytes())?,
            None => Vec::new(),
        };
        // Grape reads the bodies of POST, PUT, PATCH and DELETE only.
        if matches!(*req.method(), Method::GET | Method::HEAD) {
            return Ok(Params { values });
        }
        let kind = body_kind(req.headers());
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                malformed("the body could not be read")
            }
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params { values });
        }
        match kind {
            BodyKind::Json => match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => {
                    if map.iter().any(|(k, v)| has_nul(k) || json_has_nul(v)) {
                        return Err(ApiError(ServiceError::NullByte));
                    }
                    values.extend(map);
                }
                Ok(_) => return Err(malformed("the JSON body must be an object")),
                Err(_) => return Err(malformed("the JSON body is malformed")),
            },
            BodyKind::Form => values.extend(decode_pairs(&body)?),
            BodyKind::Multipart => {
                if let Some(content_type) = content_type {
                    read_multipart(&content_type, body, &mut values).await?;
                }
            }
            BodyKind::Text => {}
            BodyKind::Unsupported(media) => {
                return Err(ApiError(ServiceError::UnsupportedMediaType(format!(
                    "The provided content-type '{media}' is not supported."
                ))));
            }
        }
        Ok(Params { values })
    }
}

/// Grape's message for a parameter that is not of its type: `parent_id is invalid`.
fn invalid(key: &str) -> ApiError {
    ApiError(ServiceError::Params(format!("{key} is invalid")))
}

/// Grape's Boolean, as dry-types reads form values (exactly these spellings).
const TRUE: &[&str] = &[
    "1", "on", "On", "ON", "t", "true", "True", "TRUE", "T", "y", "yes", "Yes", "YES", "Y",
];
const FALSE: &[&str] = &[
    "0", "off", "Off", "OFF", "f", "false", "False", "FALSE", "F", "n", "no", "No", "NO", "N",
];

// The coercions, as Grape's: `Ok(None)` for null, and for an empty string where the type is
// not text; `Err` when the value is not of the type.

fn coerce_text(value: &Value) -> Result<Option<String>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(()),
    }
}

fn coerce_int(value: &Value) -> Result<Option<i64>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or(()),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| ()),
        _ => Err(()),
    }
}

fn coerce_bool(value: &Value) -> Result<Option<bool>, ()> {
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
fn coerce_ints(value: &Value) -> Result<Vec<i64>, ()> {
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
fn coerce_texts(value: &Value) -> Result<Vec<String>, ()> {
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

/// The type of a declared parameter, as Grape's `type:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Integer,
    Boolean,
    /// `Array[Integer]`: `key[]=1&key[]=2`, `key=1,2` or a JSON array.
    Integers,
    /// `Array[String]`.
    Strings,
}

/// The values a declared parameter may take, as Grape's `values:`.
#[derive(Debug, Clone, Copy)]
pub enum Allowed {
    Any,
    Texts(&'static [&'static str]),
    Integers(&'static [i64]),
}

/// A parameter an endpoint takes, as Grape's `optional`/`requires`.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
    pub allowed: Allowed,
}

/// `optional :name, type: ...`.
pub const fn optional(name: &'static str, ty: Type) -> Declared {
    Declared {
        name,
        ty,
        required: false,
        allowed: Allowed::Any,
    }
}

/// `requires :name, type: ...`: its absence is `name is missing`.
pub const fn requires(name: &'static str, ty: Type) -> Declared {
    Declared {
        name,
        ty,
        required: true,
        allowed: Allowed::Any,
    }
}

impl Declared {
    /// `values: %w[...]`.
    pub const fn values(self, values: &'static [&'static str]) -> Declared {
        Declared {
            allowed: Allowed::Texts(values),
            ..self
        }
    }

    /// `values: [...]` of integers (access levels).
    pub const fn levels(self, values: &'static [i64]) -> Declared {
        Declared {
            allowed: Allowed::Integers(values),
            ..self
        }
    }
}

/// A rule over several parameters, as Grape's.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// `at_least_one_of`: `a, b are missing, at least one parameter must be provided`.
    AtLeastOneOf(&'static [&'static str]),
    /// `mutually_exclusive`: `a, b are mutually exclusive` (naming the ones given).
    MutuallyExclusive(&'static [&'static str]),
}

/// `page` and `per_page`, as GitLab's `use :pagination`.
pub const PAGE: &[Declared] = &[
    optional("page", Type::Integer),
    optional("per_page", Type::Integer),
];

/// Keyset pagination where a list offers it.
pub const KEYSET: &[Declared] = &[
    optional("pagination", Type::String),
    optional("cursor", Type::String),
    optional("id_after", Type::Integer),
    optional("id_before", Type::Integer),
];

/// GitLab's `Gitlab::Access.all_values`: the access levels a filter or a share may name.
pub const ACCESS_LEVELS: &[i64] = &[5, 10, 15, 20, 30, 40, 50];

/// `asc` or `desc`.
pub const SORTS: &[&str] = &["asc", "desc"];

/// GitLab's visibility levels by name.
pub const VISIBILITIES: &[&str] = &["private", "internal", "public"];

impl Params {
    /// Parameters from pairs (for tests and internal use).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params {
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
                .collect(),
        }
    }

    fn last(&self, key: &str) -> Option<&Value> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Every value given for a list: `key` and `key[]`.
    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.values
            .iter()
            .filter(move |(k, _)| k == key || k.strip_suffix("[]") == Some(key))
            .map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.last(key).is_some() || (self.all(key).next().is_some())
    }

    /// Checks the parameters an endpoint declares, all of them, before anything happens: a
    /// required one missing, one not of its type, one not among its values, then the `rules`
    /// over several. Every failure is reported, joined with `, `, in Grape's words:
    /// `{"error": "visibility does not have a valid value, sort does not have a valid value"}`.
    /// Parameters not declared are ignored, as Grape ignores them.
    pub fn validate(&self, declared: &[&[Declared]], rules: &[Rule]) -> Result<(), ApiError> {
        let mut errors: Vec<String> = Vec::new();
        for param in declared.iter().flat_map(|set| set.iter()) {
            if let Some(error) = self.check(param) {
                errors.push(error);
            }
        }
        for rule in rules {
            match rule {
                Rule::AtLeastOneOf(names) => {
                    if !names.iter().any(|name| self.has(name)) {
                        errors.push(format!(
                            "{} are missing, at least one parameter must be provided",
                            names.join(", ")
                        ));
                    }
                }
                Rule::MutuallyExclusive(names) => {
                    let given: Vec<&str> = names
                        .iter()
                        .copied()
                        .filter(|name| self.has(name))
                        .collect();
                    if given.len() > 1 {
                        errors.push(format!("{} are mutually exclusive", given.join(", ")));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError(ServiceError::Params(errors.join(", "))))
        }
    }

    /// The error of one declared parameter, if any.
    fn check(&self, param: &Declared) -> Option<String> {
        let name = param.name;
        if !self.has(name) {
            return param.required.then(|| format!("{name} is missing"));
        }
        let fits = |text: Option<&str>, int: Option<i64>| match param.allowed {
            Allowed::Any => true,
            Allowed::Texts(values) => text.is_none_or(|t| values.contains(&t)),
            Allowed::Integers(values) => int.is_none_or(|i| values.contains(&i)),
        };
        let (coerced, in_values) = match param.ty {
            Type::String => match self.last(name).map(coerce_text).unwrap_or(Ok(None)) {
                Ok(text) => (true, fits(text.as_deref(), None)),
                Err(()) => (false, true),
            },
            Type::Integer => match self.last(name).map(coerce_int).unwrap_or(Ok(None)) {
                Ok(int) => (true, fits(None, int)),
                Err(()) => (false, true),
            },
            Type::Boolean => (
                self.last(name).map(coerce_bool).unwrap_or(Ok(None)).is_ok(),
                true,
            ),
            Type::Integers => match self
                .all(name)
                .map(coerce_ints)
                .collect::<Result<Vec<_>, ()>>()
            {
                Ok(lists) => (true, lists.iter().flatten().all(|i| fits(None, Some(*i)))),
                Err(()) => (false, true),
            },
            Type::Strings => match self
                .all(name)
                .map(coerce_texts)
                .collect::<Result<Vec<_>, ()>>()
            {
                Ok(lists) => (true, lists.iter().flatten().all(|t| fits(Some(t), None))),
                Err(()) => (false, true),
            },
        };
        if !coerced {
            Some(format!("{name} is invalid"))
        } else if !in_values {
            Some(format!("{name} does not have a valid value"))
        } else {
            None
        }
    }

    /// A text parameter; numbers and booleans are taken as their text.
    pub fn text(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_text(value).map_err(|()| invalid(key)),
        }
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_int(value).map_err(|()| invalid(key)),
        }
    }

    /// A boolean, as Grape coerces one: `true`/`false`, `1`/`0`, `t`/`f`, `yes`/`no`, `on`/`off`,
    /// `y`/`n`, in the spellings dry-types knows (`True`, as python-gitlab sends it, is one).
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_bool(value).map_err(|()| invalid(key)),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    /// A list of integers: `key[]=1&key[]=2`, `key=1,2`, or a JSON array.
    pub fn int_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        let mut out = Vec::new();
        for value in self.all(key) {
            out.extend(coerce_ints(value).map_err(|()| invalid(key))?);
        }
        Ok(out)
    }

    /// A list of strings: `key[]=a&key[]=b`, `key=a,b`, or a JSON array.
    pub fn text_list(&self, key: &str) -> Result<Vec<String>, ApiError> {
        let mut out = Vec::new();
        for value in self.all(key) {
            out.extend(coerce_texts(value).map_err(|()| invalid(key))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_type() {
        let p = Params::from_pairs(&[
            ("a", "True"),
            ("n", "12"),
            ("bad", "x1"),
            ("ids[]", "3"),
            ("ids[]", "4"),
            ("csv", "5,6"),
            ("yes", "yes"),
            ("odd", "tRuE"),
        ]);
        assert_eq!(p.bool("a").ok().flatten(), Some(true));
        assert_eq!(p.bool("yes").ok().flatten(), Some(true));
        assert!(p.bool("odd").is_err());
        assert_eq!(p.int("n").ok().flatten(), Some(12));
        assert!(p.int("bad").is_err());
        assert!(p.bool("n").is_err());
        assert_eq!(p.int_list("ids").ok(), Some(vec![3, 4]));
        assert_eq!(p.int_list("csv").ok(), Some(vec![5, 6]));
        assert_eq!(p.text("missing").ok().flatten(), None);
    }

    fn message(result: Result<(), ApiError>) -> String {
        match result {
            Ok(()) => String::new(),
            Err(ApiError(ServiceError::Params(message))) => message,
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn validation_in_grapes_words() {
        const DECLARED: &[Declared] = &[
            requires("name", Type::String),
            optional("visibility", Type::String).values(VISIBILITIES),
            optional("sort", Type::String).values(SORTS),
            optional("level", Type::Integer).levels(&[10, 20]),
            optional("confirm", Type::Boolean),
        ];
        let check = |pairs: &[(&str, &str)], rules: &[Rule]| {
            message(Params::from_pairs(pairs).validate(&[DECLARED], rules))
        };
        assert_eq!(check(&[("name", "x")], &[]), "");
        assert_eq!(check(&[], &[]), "name is missing");
        assert_eq!(
            check(
                &[("name", "x"), ("visibility", "secret"), ("sort", "up")],
                &[]
            ),
            "visibility does not have a valid value, sort does not have a valid value"
        );
        assert_eq!(
            check(&[("name", "x"), ("level", "33"), ("confirm", "abc")], &[]),
            "level does not have a valid value, confirm is invalid"
        );
        assert_eq!(
            check(&[("name", "x"), ("level", "x")], &[]),
            "level is invalid"
        );
        assert_eq!(
            check(&[("other", "x")], &[Rule::AtLeastOneOf(&["name", "sort"])]),
            "name is missing, name, sort are missing, at least one parameter must be provided"
        );
        assert_eq!(
            check(
                &[("name", "x"), ("sort", "asc"), ("level", "10")],
                &[Rule::MutuallyExclusive(&["visibility", "sort", "level"])]
            ),
            "sort, level are mutually exclusive"
        );
    }

    #[test]
    fn bodies_by_content_type() {
        let kind = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                axum::http::HeaderValue::from_str(value).expect("header"),
            );
            body_kind(&headers)
        };
        assert_eq!(body_kind(&axum::http::HeaderMap::new()), BodyKind::Json);
        assert_eq!(kind("application/json; charset=utf-8"), BodyKind::Json);
        assert_eq!(kind("Application/JSON"), BodyKind::Json);
        assert_eq!(kind("application/vnd.api+json"), BodyKind::Json);
        assert_eq!(kind("application/x-www-form-urlencoded"), BodyKind::Form);
        assert_eq!(kind("multipart/form-data; boundary=x"), BodyKind::Multipart);
        assert_eq!(kind("text/plain"), BodyKind::Text);
        assert_eq!(
            kind("text/xml"),
            BodyKind::Unsupported("text/xml".to_owned())
        );
    }
}

/// Path parameters (`{id}`, `{user_id}`...), as axum's `Path` but answering a value that does
/// not fit (`/users/abc`, an id past 64 bits, broken percent-encoding) with GitLab's JSON 400,
/// and a NUL byte in the path or the query with GitLab's plain `Bad Request`.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Path<T>, ApiError> {
        if uri_has_nul(&parts.uri) {
            return Err(ApiError(ServiceError::NullByte));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(malformed(&rejection.body_text())),
        }
    }
}
