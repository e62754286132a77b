-- 010: Support contact seats per agreement (issue 12, point 1).
--
-- "Support Contact limits are based on your contract agreement" (Microsoft, Services Admin role
-- card): each agreement carries how many people may be its Support contacts. A CSAM sets the
-- number on the Tenant tab. Existing agreements start with 5, the demo's Unified agreement's
-- number; 0 means the agreement gives no Support contact at all.
ALTER TABLE agreements ADD COLUMN support_contact_seats INTEGER NOT NULL DEFAULT 5
    CHECK (support_contact_seats BETWEEN 0 AND 10000);

-- Seats are counted over the agreement's workspaces: the grants of one permission there.
CREATE INDEX grants_permission_workspace ON grants (permission, workspace_id);
