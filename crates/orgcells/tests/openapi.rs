//! The OpenAPI document at `/api/v4/openapi.json`: served without authentication, OpenAPI
//! 3.1, every operation the API serves and nothing it does not, each with its error answers.

mod common;

use std::collections::BTreeSet;

use common::TestApp;
use serde_json::Value;

/// Every `/api/v4` operation: the foundation's endpoints, what clients ask first, the member
/// lookups GitLab has beside them, and the document itself. A route added without its
/// operation, or an operation without its route, fails here.
const OPERATIONS: &[&str] = &[
    "GET /openapi.json",
    "GET /version",
    "GET /metadata",
    "GET /user",
    "POST /user/personal_access_tokens",
    "GET /users",
    "POST /users",
    "GET /users/{id}",
    "PUT /users/{id}",
    "DELETE /users/{id}",
    "POST /users/{id}/personal_access_tokens",
    "GET /users/{id}/memberships",
    "POST /users/{id}/{action}",
    "GET /users/{id}/projects",
    "GET /groups",
    "POST /groups",
    "GET /groups/{id}",
    "PUT /groups/{id}",
    "DELETE /groups/{id}",
    "GET /groups/{id}/subgroups",
    "GET /groups/{id}/descendant_groups",
    "GET /groups/{id}/projects",
    "GET /groups/{id}/projects/shared",
    "POST /groups/{id}/transfer",
    "POST /groups/{id}/share",
    "DELETE /groups/{id}/share/{group_id}",
    "GET /groups/{id}/members",
    "POST /groups/{id}/members",
    "GET /groups/{id}/members/all",
    "GET /groups/{id}/members/all/{user_id}",
    "GET /groups/{id}/members/{user_id}",
    "PUT /groups/{id}/members/{user_id}",
    "DELETE /groups/{id}/members/{user_id}",
    "GET /projects",
    "HEAD /projects",
    "POST /projects",
    "POST /projects/user/{user_id}",
    "GET /projects/{id}",
    "PUT /projects/{id}",
    "DELETE /projects/{id}",
    "PUT /projects/{id}/transfer",
    "POST /projects/{id}/share",
    "DELETE /projects/{id}/share/{group_id}",
    "GET /projects/{id}/groups",
    "GET /projects/{id}/members",
    "POST /projects/{id}/members",
    "GET /projects/{id}/members/all",
    "GET /projects/{id}/members/all/{user_id}",
    "GET /projects/{id}/members/{user_id}",
    "PUT /projects/{id}/members/{user_id}",
    "DELETE /projects/{id}/members/{user_id}",
    "GET /namespaces",
    "GET /namespaces/{id}",
    "GET /namespaces/{id}/exists",
    "GET /organizations",
    "POST /organizations",
    "GET /organizations/{id}",
    "PUT /organizations/{id}",
    "DELETE /organizations/{id}",
    "GET /organizations/{id}/groups",
    "GET /organizations/{id}/projects",
    "POST /organizations/{id}/groups/transfer",
    "POST /organizations/{id}/restore",
    "GET /groups/{id}/invitations",
    "POST /groups/{id}/invitations",
    "PUT /groups/{id}/invitations/{email}",
    "DELETE /groups/{id}/invitations/{email}",
    "GET /projects/{id}/invitations",
    "POST /projects/{id}/invitations",
    "PUT /projects/{id}/invitations/{email}",
    "DELETE /projects/{id}/invitations/{email}",
    "GET /groups/{id}/access_requests",
    "POST /groups/{id}/access_requests",
    "PUT /groups/{id}/access_requests/{user_id}/approve",
    "DELETE /groups/{id}/access_requests/{user_id}",
    "GET /projects/{id}/access_requests",
    "POST /projects/{id}/access_requests",
    "PUT /projects/{id}/access_requests/{user_id}/approve",
    "DELETE /projects/{id}/access_requests/{user_id}",
    "GET /organizations/{id}/avatar",
    "GET /organizations/{id}/users",
    "POST /organizations/{id}/users",
    "PUT /organizations/{id}/users/{user_id}",
    "DELETE /organizations/{id}/users/{user_id}",
    "POST /organizations/{id}/users/{user_id}/ban",
    "POST /organizations/{id}/users/{user_id}/unban",
    "GET /admin/cells",
    "POST /admin/organizations/{id}/move",
    "GET /admin/organizations/{id}/move",
    "POST /admin/organizations/{id}/move/resume",
    "POST /admin/organizations/{id}/move/rollback",
    "GET /personal_access_tokens",
    "GET /personal_access_tokens/self",
    "DELETE /personal_access_tokens/self",
    "POST /personal_access_tokens/self/rotate",
    "GET /personal_access_tokens/{id}",
    "DELETE /personal_access_tokens/{id}",
    "POST /personal_access_tokens/{id}/rotate",
];

const METHODS: &[&str] = &["get", "head", "post", "put", "delete", "patch", "options"];

async fn document(app: &TestApp) -> Value {
    let reply = app.get(None, "/openapi.json").await.expect(200);
    assert_eq!(reply.body["openapi"], "3.1.0");
    reply.body
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                all.push((method.to_uppercase(), path.clone(), operation));
            }
        }
    }
    all
}

/// Every `$ref` in the document points at a schema it holds.
fn dangling_refs(doc: &Value, node: &Value, found: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let name = target.trim_start_matches("#/components/schemas/");
                if doc["components"]["schemas"].get(name).is_none() {
                    found.push(target.clone());
                }
            }
            map.values().for_each(|v| dangling_refs(doc, v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| dangling_refs(doc, v, found)),
        _ => {}
    }
}

async fn the_document_lists_exactly_what_is_served(app: &TestApp) {
    let doc = document(app).await;
    let listed: BTreeSet<String> = operations(&doc)
        .iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    let expected: BTreeSet<String> = OPERATIONS.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        listed.difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented but not expected"
    );
    assert_eq!(
        expected.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "expected but not documented"
    );

    // Each documented operation reaches a handler: not the router's 404 for an unknown path,
    // nor its 405 for an unknown method. Ids that exist nowhere keep every write a no-op.
    let admin = app.admin();
    for (method, path, _) in operations(&doc) {
        let concrete = path
            .replace("{id}", "999999999")
            .replace("{user_id}", "999999999")
            .replace("{group_id}", "999999999")
            .replace("{action}", "block");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let reply = app.request(admin, method.clone(), &concrete, None).await;
        assert_ne!(reply.status, 405, "{method} {path}: {:?}", reply.body);
        assert!(
            reply.body.get("error") != Some(&Value::from("404 Not Found")),
            "{method} {path} is documented but not routed"
        );
    }
    // And the router's own answer is what the loop above would have caught.
    let unknown = app.get(admin, "/no-such-route").await.expect(404);
    assert_eq!(unknown.body["error"], "404 Not Found");
}

async fn every_operation_documents_its_answers(app: &TestApp) {
    let doc = document(app).await;
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success answer"
        );
        if path == "/openapi.json" {
            continue;
        }
        for status in ["400", "401", "403", "404", "503"] {
            assert!(
                responses.contains_key(status),
                "{method} {path} lacks {status}"
            );
        }
        if matches!(method.as_str(), "POST" | "PUT" | "DELETE") {
            assert!(responses.contains_key("409"), "{method} {path} lacks 409");
        }
        // A body is read as JSON or as a form alike, and says so.
        if let Some(content) = operation["requestBody"]["content"].as_object() {
            let json = &content["application/json"];
            for form in ["application/x-www-form-urlencoded", "multipart/form-data"] {
                assert_eq!(&content[form], json, "{method} {path}: {form}");
            }
        }
        // Path parameters are declared for every `{name}` of the path.
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            assert!(
                operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                "{method} {path}: path parameter {name} undeclared"
            );
        }
        // Lists bound `per_page` at 100 and say how they page.
        if let Some(per_page) = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "per_page")
        {
            assert_eq!(per_page["schema"]["maximum"], 100, "{method} {path}");
            let ok = &responses["200"];
            assert!(ok["headers"].get("X-Total").is_some(), "{method} {path}");
            assert!(ok["headers"].get("Link").is_some(), "{method} {path}");
        }
    }

    let mut dangling = Vec::new();
    dangling_refs(&doc, &doc, &mut dangling);
    assert!(dangling.is_empty(), "dangling refs: {dangling:?}");

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["private_token"]["type"], "apiKey");
    assert_eq!(schemes["private_token"]["in"], "header");
    assert_eq!(schemes["private_token"]["name"], "PRIVATE-TOKEN");
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");

    let visibility = &doc["components"]["schemas"]["Visibility"]["enum"];
    assert_eq!(
        visibility,
        &serde_json::json!(["private", "internal", "public"])
    );
}

both!(
    the_document_lists_exactly_what_is_served,
    every_operation_documents_its_answers
);
