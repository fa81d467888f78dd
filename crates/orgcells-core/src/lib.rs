//! The rules of orgcells, as plain functions and types: no database, no HTTP, no clock.
//!
//! - [`ids`]: typed identifiers and the Cell id ranges they are allocated from.
//! - [`access`]: GitLab's ordered access levels.
//! - [`creation`]: who may create Projects and subgroups in a Group.
//! - [`visibility`]: visibility levels and the "not more visible than its parent" rule.
//! - [`paths`]: path and name validation, reserved words.
//! - [`grants`]: a User's effective access inside one Organization, computed from their memberships.
//! - [`lists`]: what a list may show a caller (its reach, and what the grants add).
//! - [`members`]: who the Members of a Group or Project are, all told (`/members/all`).
//! - [`policy`]: who may see and do what, the one place every permission is decided.
//! - [`scopes`]: which token scopes a request needs, and what `Sudo` needs.
//! - [`states`]: the states of a User, an Organization and an Organization User.
//! - [`invalid`]: per-field validation errors, shaped as GitLab reports them.
//! - [`routing`]: which Cell a request belongs to, from its head alone (the router's rules).
//! - [`routable_token`]: tokens that name their Cell, in GitLab's format.
//! - [`stored`]: reading stored levels, visibilities and kinds back, an unknown one an error.

pub mod access;
pub mod avatars;
pub mod claims;
pub mod creation;
pub mod grants;
pub mod ids;
pub mod invalid;
pub mod lists;
pub mod members;
pub mod moves;
pub mod org_users;
pub mod paging;
pub mod paths;
pub mod policy;
pub mod routable_token;
pub mod routing;
pub mod scopes;
pub mod states;
pub mod stored;
pub mod user_actions;
pub mod visibility;
