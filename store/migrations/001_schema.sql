-- 001: the whole data model of product.md. Later migrations add behaviour, not redesign.
-- Times are stored as UTC RFC 3339 text so they sort and compare as strings.

CREATE TABLE tenants (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    show_names_training   INTEGER NOT NULL DEFAULT 0 CHECK (show_names_training IN (0, 1)),
    in_product_feedback   INTEGER NOT NULL DEFAULT 1 CHECK (in_product_feedback IN (0, 1)),
    cloud_consent         INTEGER NOT NULL DEFAULT 0 CHECK (cloud_consent IN (0, 1)),
    -- §6 administration model: '' until the CSM chooses.
    admin_model           TEXT    NOT NULL DEFAULT '' CHECK (admin_model IN ('', 'delegation', 'administration')),
    admin_group_id        INTEGER REFERENCES directory_groups (id) ON DELETE SET NULL,
    csm_person_id         INTEGER REFERENCES people (id) ON DELETE SET NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT    NOT NULL
);

CREATE TABLE agreements (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number     TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('unified', 'premier')),
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (tenant_id, number)
);

CREATE TABLE packages (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    UNIQUE (agreement_id, code)
);

CREATE TABLE workspaces (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_key      TEXT    NOT NULL, -- lower-cased name: uniqueness and keyset order
    description   TEXT    NOT NULL DEFAULT '',
    is_default    INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    msa_exception INTEGER NOT NULL DEFAULT 0 CHECK (msa_exception IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    UNIQUE (tenant_id, name_key)
);
CREATE UNIQUE INDEX workspaces_one_default ON workspaces (tenant_id) WHERE is_default = 1;
CREATE INDEX workspaces_agreement ON workspaces (agreement_id);

-- People are global: one CSAM serves many tenants. What ties a person to a tenant is a row in
-- tenant_members; everything they may do there comes from role_assignments and grants.
CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    account_kind  TEXT    NOT NULL DEFAULT 'work' CHECK (account_kind IN ('work', 'msa')),
    microsoft     INTEGER NOT NULL DEFAULT 0 CHECK (microsoft IN (0, 1)),
    password_hash TEXT    NOT NULL DEFAULT '', -- '' = cannot sign in with a password yet
    language      TEXT    NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'fr', 'ru')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL
);

CREATE TABLE tenant_members (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, person_id)
);
CREATE INDEX tenant_members_person ON tenant_members (person_id);

CREATE TABLE workspace_members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'group')),
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, person_id)
);
CREATE INDEX workspace_members_person ON workspace_members (person_id);

-- Directory (Entra) groups: the members are email addresses, registered or not yet.
CREATE TABLE directory_groups (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    object_id  TEXT    NOT NULL COLLATE NOCASE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (tenant_id, object_id)
);

CREATE TABLE group_members (
    group_id   INTEGER NOT NULL REFERENCES directory_groups (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL COLLATE NOCASE,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (group_id, email)
);
CREATE INDEX group_members_email ON group_members (email);

-- A role is held by a person or by a group (exactly one of them). workspace_id is set only for
-- workspace_admin, the one role held per workspace.
CREATE TABLE role_assignments (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id    INTEGER REFERENCES people (id) ON DELETE CASCADE,
    group_id     INTEGER REFERENCES directory_groups (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('services_admin', 'workspace_admin', 'global_admin', 'csam', 'incident_manager')),
    workspace_id INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    granted_by   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    CHECK ((person_id IS NULL) <> (group_id IS NULL)),
    CHECK ((role = 'workspace_admin') = (workspace_id IS NOT NULL))
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments
    (tenant_id, ifnull(person_id, 0), ifnull(group_id, 0), role, ifnull(workspace_id, 0));
CREATE INDEX role_assignments_person ON role_assignments (person_id);
CREATE INDEX role_assignments_group ON role_assignments (group_id);

-- An individual (G) permission, held by a person or a group; workspace_id NULL = tenant level.
CREATE TABLE grants (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id    INTEGER REFERENCES people (id) ON DELETE CASCADE,
    group_id     INTEGER REFERENCES directory_groups (id) ON DELETE CASCADE,
    permission   TEXT    NOT NULL,
    workspace_id INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    granted_by   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    CHECK ((person_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX grants_unique ON grants
    (tenant_id, ifnull(person_id, 0), ifnull(group_id, 0), permission, ifnull(workspace_id, 0));
CREATE INDEX grants_person ON grants (person_id);
CREATE INDEX grants_group ON grants (group_id);

CREATE TABLE newsletters (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL, -- names and descriptions are messages: newsletter.<key>.name/.desc
    created_at TEXT    NOT NULL,
    UNIQUE (tenant_id, key)
);

CREATE TABLE newsletter_subscriptions (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    newsletter_id INTEGER NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL COLLATE NOCASE,
    person_id     INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at    TEXT    NOT NULL,
    UNIQUE (newsletter_id, email)
);
CREATE INDEX newsletter_subscriptions_page ON newsletter_subscriptions (tenant_id, email, id);

-- Invitations: only a hash of the link's token is kept, so a database leak gives no working link.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL COLLATE NOCASE,
    token_hash   TEXT    NOT NULL UNIQUE,
    permissions  TEXT    NOT NULL DEFAULT '', -- space-separated perm ids granted on acceptance
    make_admin   INTEGER NOT NULL DEFAULT 0 CHECK (make_admin IN (0, 1)),
    invited_by   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_at      TEXT,
    revoked_at   TEXT
);
CREATE INDEX invitations_workspace ON invitations (workspace_id, email);

-- Messages that would be mailed; kept here when no SMTP server is configured.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    to_email   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);

-- One row per form submission token: a double-submitted create is recognised and made once.
CREATE TABLE submissions (
    token      TEXT    PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    at           TEXT    NOT NULL,
    actor_id     INTEGER,
    actor_email  TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target_kind  TEXT    NOT NULL,
    target_id    INTEGER,
    target_label TEXT    NOT NULL DEFAULT '',
    workspace_id INTEGER,
    before       TEXT    NOT NULL DEFAULT '',
    after        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_page ON audit_log (tenant_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Server-side sessions. id is the SHA-256 of the cookie's random token.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    person_id    INTEGER REFERENCES people (id) ON DELETE CASCADE,
    data         BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Secrets of this installation (the session key when none is configured), made once.
CREATE TABLE instance_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TEXT NOT NULL
);
