-- 009: counts that never scan (issue 19).

-- How many entries each tenant's audit log holds, kept by a trigger: the Audit log tab stated
-- its unfiltered total with count(*) over the whole log on every page (≈ 1.1 s at 1,000,000
-- rows). The log is append-only (001's triggers refuse UPDATE and DELETE), so an insert
-- trigger keeps it exact.
CREATE TABLE audit_counts (
    tenant_id INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL DEFAULT 0
);

INSERT INTO audit_counts (tenant_id, n) SELECT tenant_id, count(*) FROM audit_log GROUP BY tenant_id;

CREATE TRIGGER audit_counts_insert AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_counts (tenant_id, n) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET n = n + 1;
END;

-- The action filter seeks its entries, newest first, instead of reading the tenant's whole log.
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, id);

-- The Tenant tab names each agreement's first workspaces by name: an index in that order, so it
-- reads ten entries instead of sorting every workspace of the agreement. It covers what
-- 001's workspaces_agreement did.
DROP INDEX workspaces_agreement;
CREATE INDEX workspaces_agreement_name ON workspaces (agreement_id, name_key);
