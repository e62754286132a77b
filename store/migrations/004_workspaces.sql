-- 004: what the Workspaces tab needs to show a page of thousands of workspaces in constant time.

-- Sorted by creation, the list pages by (tenant, id) from this index, so a page deep in a
-- tenant's list costs what the first does even when other tenants hold most rows.
CREATE INDEX workspaces_tenant_id ON workspaces (tenant_id, id);

-- How many workspaces each tenant has, kept by triggers: the unfiltered list shows its total
-- without counting 10,000 index entries on every page (that count was most of a page's cost).
CREATE TABLE workspace_counts (
    tenant_id  INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    workspaces INTEGER NOT NULL DEFAULT 0 CHECK (workspaces >= 0)
);
INSERT INTO workspace_counts (tenant_id, workspaces) SELECT tenant_id, count(*) FROM workspaces GROUP BY tenant_id;

CREATE TRIGGER workspaces_count_insert AFTER INSERT ON workspaces
BEGIN
    INSERT INTO workspace_counts (tenant_id, workspaces) VALUES (NEW.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET workspaces = workspaces + 1;
END;

CREATE TRIGGER workspaces_count_delete AFTER DELETE ON workspaces
BEGIN
    UPDATE workspace_counts SET workspaces = workspaces - 1 WHERE tenant_id = OLD.tenant_id;
END;
