-- 005: what the workspace people list and the invitation mail need on top of 001.

-- Workspace people are listed by keyset on (workspace_id, sort_key, person_id). The sort key is
-- the person's name (or email while they have none) then their email, lower-cased; it lives on
-- workspace_members, copied from people by triggers, so that a page of 100,000 members is read
-- straight from one index instead of sorting the whole workspace (quality.md: the last page
-- must cost what the first does).
ALTER TABLE workspace_members ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';

UPDATE workspace_members SET sort_key = (
    SELECT lower(CASE WHEN p.display_name <> '' THEN p.display_name ELSE p.email END) || char(1) || lower(p.email)
    FROM people p WHERE p.id = workspace_members.person_id);

CREATE INDEX workspace_members_page ON workspace_members (workspace_id, sort_key, person_id);
CREATE INDEX workspace_members_status ON workspace_members (workspace_id, status, sort_key, person_id);

CREATE TRIGGER workspace_members_sort_key AFTER INSERT ON workspace_members
BEGIN
    UPDATE workspace_members SET sort_key = (
        SELECT lower(CASE WHEN p.display_name <> '' THEN p.display_name ELSE p.email END) || char(1) || lower(p.email)
        FROM people p WHERE p.id = NEW.person_id)
    WHERE workspace_id = NEW.workspace_id AND person_id = NEW.person_id;
END;

CREATE TRIGGER people_sort_key AFTER UPDATE OF display_name, email ON people
BEGIN
    UPDATE workspace_members SET sort_key =
        lower(CASE WHEN NEW.display_name <> '' THEN NEW.display_name ELSE NEW.email END) || char(1) || lower(NEW.email)
    WHERE person_id = NEW.id;
END;

-- The outbox names the workspace a message is about, so that the people who run a workspace
-- read its messages (and no other workspace's invitation links); attempts stops a message
-- that a mail server keeps refusing from blocking the queue.
ALTER TABLE outbox ADD COLUMN workspace_id INTEGER REFERENCES workspaces (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_page ON outbox (tenant_id, workspace_id, id);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Pending invitations of a workspace by email, newest first.
CREATE INDEX invitations_live ON invitations (workspace_id, email, id) WHERE used_at IS NULL AND revoked_at IS NULL;

-- How many members each workspace has in each status, kept by triggers, so that a page of the
-- people list states its total without counting 100,000 rows (count(*) was most of a page's
-- cost: about 10 ms at that size, against under 1 ms for the page itself).
CREATE TABLE workspace_member_counts (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL,
    n            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, status)
) WITHOUT ROWID;

INSERT INTO workspace_member_counts (workspace_id, status, n)
SELECT workspace_id, status, count(*) FROM workspace_members GROUP BY workspace_id, status;

CREATE TRIGGER workspace_member_counts_insert AFTER INSERT ON workspace_members
BEGIN
    INSERT INTO workspace_member_counts (workspace_id, status, n) VALUES (NEW.workspace_id, NEW.status, 1)
    ON CONFLICT (workspace_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER workspace_member_counts_delete AFTER DELETE ON workspace_members
BEGIN
    UPDATE workspace_member_counts SET n = n - 1 WHERE workspace_id = OLD.workspace_id AND status = OLD.status;
END;

CREATE TRIGGER workspace_member_counts_update AFTER UPDATE OF workspace_id, status ON workspace_members
WHEN OLD.workspace_id <> NEW.workspace_id OR OLD.status <> NEW.status
BEGIN
    UPDATE workspace_member_counts SET n = n - 1 WHERE workspace_id = OLD.workspace_id AND status = OLD.status;
    INSERT INTO workspace_member_counts (workspace_id, status, n) VALUES (NEW.workspace_id, NEW.status, 1)
    ON CONFLICT (workspace_id, status) DO UPDATE SET n = n + 1;
END;

-- Searching people by any part of their name or email: a trigram full-text index over people
-- (case-insensitive, Cyrillic included), kept by triggers. A LIKE '%…%' over the workspace's
-- members read every one of them (0.1–0.5 s at 100,000); the index finds the matches first.
CREATE VIRTUAL TABLE people_search USING fts5(email, display_name, content = 'people', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO people_search (people_search) VALUES ('rebuild');

CREATE TRIGGER people_search_insert AFTER INSERT ON people
BEGIN
    INSERT INTO people_search (rowid, email, display_name) VALUES (NEW.id, NEW.email, NEW.display_name);
END;

CREATE TRIGGER people_search_delete AFTER DELETE ON people
BEGIN
    INSERT INTO people_search (people_search, rowid, email, display_name) VALUES ('delete', OLD.id, OLD.email, OLD.display_name);
END;

CREATE TRIGGER people_search_update AFTER UPDATE OF email, display_name ON people
BEGIN
    INSERT INTO people_search (people_search, rowid, email, display_name) VALUES ('delete', OLD.id, OLD.email, OLD.display_name);
    INSERT INTO people_search (rowid, email, display_name) VALUES (NEW.id, NEW.email, NEW.display_name);
END;
