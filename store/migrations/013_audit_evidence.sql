-- 013: an audit log an auditor would accept (issue 17).
--
-- Origin of every entry: client IP (after the trusted-proxy rule), user agent (cut to 256
-- characters), request id and how the actor signed in. '' means "not from a request" (the
-- server itself: a retention purge) or, for auth_method, "not signed in" (an invitation being
-- accepted, a failed sign-in).
ALTER TABLE audit_log ADD COLUMN ip          TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN user_agent  TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN request_id  TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN auth_method TEXT NOT NULL DEFAULT ''
    CHECK (auth_method IN ('', 'local', 'directory', 'scim'));
-- Whether the actor was a Microsoft person when the entry was written (the transparency page);
-- kept on the entry because people change and are deleted.
ALTER TABLE audit_log ADD COLUMN actor_microsoft INTEGER NOT NULL DEFAULT 0 CHECK (actor_microsoft IN (0, 1));
-- Hash chain per tenant: hash = SHA-256 of the entry's canonical content and prev_hash
-- (store/auditchain.go). Rows written before this migration keep '': the chain starts at the
-- tenant's first hashed entry, and verify counts the older rows as unchained.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash      TEXT NOT NULL DEFAULT '';

-- Retention, in days: 90 days to 7 years, one year by default.
ALTER TABLE tenants ADD COLUMN audit_retention_days INTEGER NOT NULL DEFAULT 365
    CHECK (audit_retention_days BETWEEN 90 AND 2555);

-- One row per retention purge: the range removed, how many entries, and the hash of the last
-- entry removed (the checkpoint the chain continues from). Append-only like the log itself.
CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    at         TEXT    NOT NULL,
    first_id   INTEGER NOT NULL,
    last_id    INTEGER NOT NULL,
    first_at   TEXT    NOT NULL,
    last_at    TEXT    NOT NULL,
    count      INTEGER NOT NULL,
    last_hash  TEXT    NOT NULL
);
CREATE INDEX audit_checkpoints_tenant ON audit_checkpoints (tenant_id, id);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

-- Deleting audit rows is still refused, except rows at or below the tenant's latest checkpoint:
-- the purge writes the checkpoint first, then deletes below it, in one transaction. A row
-- deleted in the middle of the chain is refused here, and if the trigger is dropped to do it
-- anyway, `hubadmin audit verify` reports the broken link at the next entry.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > ifnull((SELECT max(last_id) FROM audit_checkpoints WHERE tenant_id = OLD.tenant_id), 0)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Sign-in events that belong to no tenant: a failed sign-in for an email nobody has. No page
-- shows them (no tenant's admin may learn which addresses were tried on other tenants); the
-- operator reads them with `hubadmin audit system`. Append-only.
CREATE TABLE system_audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    email       TEXT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER system_audit_log_no_update BEFORE UPDATE ON system_audit_log
BEGIN SELECT RAISE(ABORT, 'system_audit_log is append-only'); END;
CREATE TRIGGER system_audit_log_no_delete BEFORE DELETE ON system_audit_log
BEGIN SELECT RAISE(ABORT, 'system_audit_log is append-only'); END;
