//! Storage for one Cell: its tables on SQLite (a file, for a small install) or PostgreSQL, each
//! backend with its own migrations, behind one interface ([`Db`], [`Tx`] and the functions of the
//! table modules).
//!
//! The queries are written once, in the SQL both databases speak, and run through sqlx's `Any`
//! driver; what differs per backend (connection set-up, migrations, id allocation, error codes)
//! lives in [`backend`]. Every function takes an `&mut AnyConnection`, so the same read runs on a
//! pooled connection or inside a write transaction.
//!
//! Invariants:
//! - Every Cell-local row carries `organization_id`, and every query of Cell-local rows names the
//!   Organization (or a row id that belongs to one); nothing joins two Organizations' rows.
//! - Primary keys come from the Cell's id range ([`Tx::next_id`]), never from a table sequence.
//! - Globally unique values are taken through [`claims`], never by a unique index alone.
//! - Every write commits through [`Tx::commit`], which moves the write generation on that the
//!   in-process caches ([`cache`]) are keyed by; one process serves a Cell at a time
//!   ([`CellLock`]), so nothing cached outlives the write that changes it.

pub mod access_requests;
pub mod adoption;
pub mod backend;
pub mod bulk;
pub mod cache;
pub mod claims;
mod db;
mod error;
pub mod grants;
pub mod invitations;
pub mod leases;
pub mod links;
mod lock;
pub mod locks;
pub mod members;
pub mod namespaces;
pub mod organizations;
pub mod projects;
pub mod replica;
pub mod rows;
pub mod scope;
mod sql;
pub use sql::IdSet;
pub mod tokens;
pub mod topology;
pub mod transfer;
pub mod user_activity;
pub mod user_deletions;
pub mod users;

pub use db::{Db, PoolStats, Totals, Tx};
pub use error::StoreError;
pub use lock::CellLock;
pub use sqlx::AnyConnection;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
