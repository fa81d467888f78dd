//! The OpenAPI 3.1 document of `/api/v4`, built from the handlers that serve it: each
//! handler carries its `#[utoipa::path]`, and `router.rs` registers handlers only through
//! utoipa-axum's `routes!`, which adds the route and its operation together. What every
//! operation shares (the error answers, the pagination headers, the security schemes) is
//! added here once, from the operations themselves.

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    Content, HeaderBuilder, Ref, RefOr, ResponseBuilder, SecurityRequirement,
    schema::{ObjectBuilder, Type},
};

use crate::schema;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orgcells: GitLab REST API v4",
        description = "GitLab's Organization layer for Cells. Parameters may come in the query \
            string, a JSON body or a form body (URL-encoded or multipart), merged; a body is read \
            by its Content-Type alone (JSON when it says JSON or nothing, 415 for types not \
            read). `:id` is a number or a URL-encoded full path. Authenticate with `PRIVATE-TOKEN` or `Authorization: Bearer`; admins may add \
            `Sudo`."
    ),
    servers((url = "/api/v4")),
    components(schemas(schema::Error)),
    tags(
        (name = "meta", description = "What clients ask first"),
        (name = "users", description = "Users and their personal access tokens"),
        (name = "groups", description = "Groups, subgroups, their Projects and shares"),
        (name = "projects", description = "Projects, their transfers, shares and Groups"),
        (name = "members", description = "Members of Groups and Projects"),
        (name = "access_requests", description = "Requests to become a Member of a Group or Project"),
        (name = "invitations", description = "Invitations by email to a Group or Project"),
        (name = "namespaces", description = "Groups and personal namespaces"),
        (name = "organizations", description = "Organizations and their overviews"),
    )
)]
pub struct ApiDoc;

/// The document, serialized once.
#[derive(Debug, Clone)]
pub struct Document(pub Arc<String>);

/// This document, without authentication.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = serde_json::Value))
)]
pub async fn get_openapi(Extension(doc): Extension<Document>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.0.as_str().to_owned(),
    )
        .into_response()
}

const ERRORS: &[(&str, &str)] = &[
    (
        "401",
        "The token is missing where one is needed, unknown, expired or revoked",
    ),
    (
        "403",
        "The caller may not do this, or the token's scope does not allow it",
    ),
    (
        "404",
        "The resource does not exist or the caller may not see it",
    ),
    ("413", "The request body is larger than 2 MiB"),
];

/// Adds what every operation shares, from what each one declares: the error answers (409 to
/// writes, 405 where keyset pagination is offered and may not apply), the pagination headers
/// of lists, and the security schemes.
pub fn complete(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "private_token",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("PRIVATE-TOKEN"))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    doc.security = Some(vec![
        SecurityRequirement::new("private_token", Vec::<String>::new()),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        // Anonymous callers see public resources.
        SecurityRequirement::default(),
    ]);
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.head, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.delete, true),
        ];
        for (operation, write) in operations {
            if let Some(operation) = operation.as_mut()
                && operation.operation_id.as_deref() != Some("get_openapi")
            {
                complete_operation(operation, write);
            }
        }
    }
    doc
}

fn has_parameter(operation: &Operation, name: &str) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name == name)
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Error"))),
        )
        .build()
        .into()
}

fn integer_header(description: &str) -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer))
        .description(Some(description))
        .build()
}

/// 400: a parameter Grape would refuse (`{"error": "visibility does not have a valid value"}`),
/// a field the model refuses (`{"message": {"path": ["has already been taken"]}}`), or a NUL
/// byte or text that is not UTF-8, answered in plain text as GitLab's `HandleMalformedStrings`
/// does.
fn bad_request() -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(
            "A parameter is missing, of the wrong type or not among its values (`error` says \
             which), a field is invalid (`message` names it), or a parameter holds a NUL byte \
             or text that is not UTF-8 (plain `Bad Request`)",
        )
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Error"))),
        )
        .content(
            "text/plain",
            Content::new(Some(ObjectBuilder::new().schema_type(Type::String))),
        )
        .build()
        .into()
}

fn complete_operation(operation: &mut Operation, write: bool) {
    // A body is read as JSON or as a form alike (the parameters are the same): say so, so that
    // a client or a fuzzer may send either.
    if let Some(body) = operation.request_body.as_mut()
        && let Some(json) = body.content.get("application/json").cloned()
    {
        for form in ["application/x-www-form-urlencoded", "multipart/form-data"] {
            body.content
                .entry(form.to_owned())
                .or_insert_with(|| json.clone());
        }
    }
    let responses = &mut operation.responses.responses;
    responses
        .entry("400".to_owned())
        .or_insert_with(bad_request);
    for (status, description) in ERRORS {
        responses
            .entry((*status).to_owned())
            .or_insert_with(|| error(description));
    }
    if write {
        responses
            .entry("409".to_owned())
            .or_insert_with(|| error("The name or path is taken, or the change conflicts"));
        // Bodies are read by their Content-Type; those of GET and HEAD are not read at all.
        responses.entry("415".to_owned()).or_insert_with(|| {
            error("The body's Content-Type is not JSON, a form or text/plain; `error` names it")
        });
    }
    let unavailable = ResponseBuilder::new()
        .description("The database is busy or cannot be reached; retry after `Retry-After` seconds")
        .header("Retry-After", integer_header("Seconds to wait"))
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Error"))),
        )
        .build();
    responses
        .entry("503".to_owned())
        .or_insert_with(|| unavailable.into());
    let keyset = has_parameter(operation, "pagination");
    let paged = has_parameter(operation, "per_page");
    let responses = &mut operation.responses.responses;
    if keyset {
        responses.entry("405".to_owned()).or_insert_with(|| {
            error("Keyset pagination is not available for this order; `error` says so")
        });
    }
    if paged && let Some(RefOr::T(ok)) = responses.get_mut("200") {
        for (name, description) in [
            ("X-Total", "Items in all pages (absent past 10,000)"),
            ("X-Total-Pages", "Pages (absent past 10,000 items)"),
            ("X-Page", "This page"),
            ("X-Per-Page", "Items per page"),
        ] {
            ok.headers
                .insert(name.to_owned(), integer_header(description));
        }
        let link = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "Absolute links to the `next`, `prev`, `first` and `last` pages",
            ))
            .build();
        ok.headers.insert("Link".to_owned(), link);
    }
}
