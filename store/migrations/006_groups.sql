-- 006: directory groups' access history and list order.
--
-- group_access says since when a directory group holds anything in one scope (the tenant when
-- workspace_id is NULL, else one workspace) and when that access last changed. The role and
-- grant rows alone cannot say it: a revoked permission leaves no row behind, yet the access
-- lists must show that the group's access changed (product.md §5 "Entra group access").
-- A row exists exactly while the group holds at least one role or grant in the scope.
CREATE TABLE group_access (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    group_id     INTEGER NOT NULL REFERENCES directory_groups (id) ON DELETE CASCADE,
    workspace_id INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    granted_at   TEXT    NOT NULL,
    changed_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX group_access_scope ON group_access (group_id, ifnull(workspace_id, 0));
CREATE INDEX group_access_workspace ON group_access (workspace_id);

-- The groups list pages by (name, id) without OFFSET, case-insensitively.
CREATE INDEX directory_groups_page ON directory_groups (tenant_id, name COLLATE NOCASE, id);
