-- The tokens made for admins at start-up or by `orgcells admin create` carry `sudo` too: with
-- `api` alone, Sudo is refused, as in GitLab.
UPDATE personal_access_tokens SET scopes = 'api,sudo'
WHERE scopes = 'api'
  AND name IN ('initial admin token', 'admin token from the environment', 'admin token');
