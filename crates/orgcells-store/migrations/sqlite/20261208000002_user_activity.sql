-- The day each User last used this Cell's API (GitLab's last_activity_on), written at most once
-- a day per User by each Cell: a User's last activity is the latest over the Cells, which
-- GitLab's rule for deactivation reads (no activity in the past 90 days).
CREATE TABLE user_activity (
    user_id INTEGER PRIMARY KEY,
    last_activity_on TEXT NOT NULL
);
