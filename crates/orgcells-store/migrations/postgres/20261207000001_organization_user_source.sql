-- How each Organization User joined (GET /organizations/:id/users answers it as `source`):
-- `membership` (a Member of one of its Groups or Projects), `added` (by an Owner or an admin),
-- `creator`, or `home` (their home Organization, theirs from the account's start). Rows made
-- before this column existed are read back as well as they can be: home Organizations by the
-- User's home, Owners of other Organizations as their creators, the rest as memberships.
ALTER TABLE organization_users ADD COLUMN source TEXT NOT NULL DEFAULT 'membership';
UPDATE organization_users SET source = 'home'
WHERE organization_id = (SELECT home_organization_id FROM users WHERE users.id = organization_users.user_id);
UPDATE organization_users SET source = 'creator'
WHERE source = 'membership' AND access_level = 50;
