-- 010: the Cloud support request visibility dashboard (issue 12, point 6).
--
-- Microsoft's page: consent is given per Microsoft 365 tenant (name and tenant ID) and per
-- Azure subscription (name and subscription ID), by setting "Visible" in the Visibility
-- column; subscriptions and tenants are added and removed, and each asset's visibility status
-- history is shown. tenants.cloud_consent stays as the summary the pages read: it is 1 while at
-- least one asset is visible (kept in step by the store in the same transaction).
CREATE TABLE cloud_assets (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('m365_tenant', 'azure_subscription')),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    external_id TEXT    NOT NULL, -- the GUID, lower-case
    visible     INTEGER NOT NULL DEFAULT 0 CHECK (visible IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (tenant_id, kind, external_id)
);

CREATE TABLE cloud_asset_history (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    asset_id    INTEGER NOT NULL REFERENCES cloud_assets (id) ON DELETE CASCADE,
    visible     INTEGER NOT NULL CHECK (visible IN (0, 1)),
    actor_email TEXT    NOT NULL,
    changed_at  TEXT    NOT NULL
);
CREATE INDEX cloud_asset_history_asset ON cloud_asset_history (asset_id, id);
