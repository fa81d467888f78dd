-- When an Organization was soft-deleted (state 'soft_deleted'): restorable until the retention
-- period has passed since, then deleted for good.
ALTER TABLE organizations ADD COLUMN deleted_at BIGINT;
