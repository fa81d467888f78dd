//! A User's last activity (GitLab's `last_activity_on`): the day they last used the API, which
//! GitLab's rule for deactivation reads (a User active in the past 90 days is not deactivated).
//! Each Cell keeps the day it last served each User (`user_activity`), written on the first
//! authentication of a User each day in this process; their last activity is the latest day
//! over the Cells.

use std::collections::HashSet;
use std::sync::Mutex;

use orgcells_core::ids::UserId;
use orgcells_store::user_activity;

use crate::{Result, Service, ServiceError, clock};

/// How long a User stays "recently active" (GitLab's `MINIMUM_INACTIVE_DAYS`).
const INACTIVE_DAYS: i64 = 90;

/// The Users whose activity this process has noted today.
#[derive(Debug, Default)]
pub(crate) struct ActiveToday(Mutex<(String, HashSet<UserId>)>);

impl ActiveToday {
    /// Whether `user` is to be noted now: the first time today. A failed note is forgotten,
    /// to be tried again.
    fn first_today(&self, user: UserId, today: &str) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.0 != today {
            seen.0 = today.to_owned();
            seen.1.clear();
        }
        seen.1.insert(user)
    }

    fn forget(&self, user: UserId) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .remove(&user);
    }
}

impl Service {
    /// Notes that `user` uses the API today, once a day: a failure is logged, never the
    /// request's.
    pub(crate) async fn note_activity(&self, user: UserId) {
        let today = clock::today();
        if !self.active_today.first_today(user, &today) {
            return;
        }
        let noted = async {
            let mut tx = self.db.write().await?;
            user_activity::record(tx.conn(), user, &today).await?;
            tx.commit().await?;
            Ok::<(), ServiceError>(())
        };
        if let Err(error) = noted.await {
            self.active_today.forget(user);
            tracing::warn!(%error, user = user.0, "noting a User's activity");
        }
    }

    /// `GET /-/cells/users/:id/activity`: the day `user` last used this Cell's API.
    pub async fn activity_here(&self, user: UserId) -> Result<Option<String>> {
        let mut conn = self.db.read().await?;
        Ok(user_activity::last(&mut conn, user).await?)
    }

    /// Whether `user` used the API, on any Cell, in the past 90 days (a Cell that cannot
    /// answer: 503).
    pub(crate) async fn recently_active(&self, user: UserId) -> Result<bool> {
        let mut last = self.activity_here(user).await?;
        for cell in self.other_cells().await? {
            let path = format!("/users/{}/activity", user.0);
            let body = self
                .call_peer(
                    &cell,
                    reqwest::Method::GET,
                    &path,
                    None,
                    std::time::Duration::from_secs(10),
                )
                .await?;
            let answer: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ServiceError::Internal(format!("Cell {}: {e}", cell.id)))?;
            let there = answer["last_activity_on"].as_str().map(str::to_owned);
            last = last.max(there);
        }
        // GitLab: active since the moment 90 days ago; a day counts from its start.
        let since = clock::days_from_today(-INACTIVE_DAYS);
        Ok(last.is_some_and(|day| day > since))
    }
}
