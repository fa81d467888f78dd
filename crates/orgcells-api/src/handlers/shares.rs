//! What a share with a Group reads, for Groups and Projects alike.

use orgcells_service::shares::ShareInput;

use crate::error::ApiResult;
use crate::params::{ACCESS_LEVELS, Declared, Params, Type, optional, requires};

/// A share with a Group, of a Group or a Project: GitLab's `requires :group_id`,
/// `requires :group_access, values: Gitlab::Access.all_values`, `optional :expires_at`.
const SHARE: &[Declared] = &[
    requires("group_id", Type::Integer),
    requires("group_access", Type::Integer).levels(ACCESS_LEVELS),
    optional("expires_at", Type::String),
];

pub(crate) fn share_input(params: &Params) -> ApiResult<ShareInput> {
    params.validate(&[SHARE], &[])?;
    Ok(ShareInput {
        group_id: params.int("group_id")?,
        group_access: params.int("group_access")?,
        expires_at: params.text("expires_at")?,
    })
}
