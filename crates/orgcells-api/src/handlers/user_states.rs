//! `POST /users/:id/<action>`: an admin blocks, unblocks, bans, unbans, deactivates or
//! activates a User, answered as GitLab answers them: `201` with `true`, `false` or `null`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::UserId;
use orgcells_core::user_actions::UserAction;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, no_route};
use crate::params::{Params, Path};
use crate::schema;

/// Change a User's state (admins): `block`, `unblock`, `ban`, `unban`, `deactivate` or
/// `activate`. A User not active afterwards is refused at their next request, every token too.
#[utoipa::path(
    post,
    path = "/users/{id}/{action}",
    tag = "users",
    operation_id = "act_on_user",
    params(schema::UserActionPath),
    responses(
        (status = 201, description = "`true` when done, `null` when it was already, `false` when there was nothing to undo"),
        (status = 403, description = "Not an admin, or not allowed in the User's state"),
    ),
)]
pub async fn act_on_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, action)): Path<(UserId, String)>,
    _params: Params,
) -> ApiResult<Response> {
    let Some(action) = UserAction::ALL.into_iter().find(|a| a.as_str() == action) else {
        return Ok(no_route().await);
    };
    let answer = app.service.act_on_user(&caller, id, action).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
