-- project_creation_level now holds every value GitLab has: the lowest access level that may
-- create (30 developer, 40 maintainer, 50 owner), 0 for nobody and 60 for admins only. Before,
-- 60 stood for "noone" (and "administrator" was stored as it): both become nobody, as shown.
UPDATE namespaces SET project_creation_level = 0 WHERE project_creation_level = 60;
