-- Two-step verification (TOTP, RFC 6238) for local accounts, with single-use recovery codes,
-- and the tenant setting that requires it of Global Admins and CSAMs.

CREATE TABLE two_step (
    person_id   INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    -- Base32 TOTP secret. Kept while enrolment is pending (enabled_at NULL) and once enabled.
    secret      TEXT    NOT NULL CHECK (length(secret) BETWEEN 16 AND 128),
    enabled_at  TEXT,
    -- The last 30-second time step a code was accepted for: a code is never accepted twice.
    last_step   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);

CREATE TABLE recovery_codes (
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- SHA-256 (hex) of the code: codes are random (50 bits), shown once, never stored in clear.
    code_hash  TEXT    NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (person_id, code_hash)
);

ALTER TABLE tenants ADD COLUMN require_two_step INTEGER NOT NULL DEFAULT 0 CHECK (require_two_step IN (0, 1));
