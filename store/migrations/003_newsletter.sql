-- 003: the Newsletter tab.
--
-- An import preview is kept here between the upload and the admin's "Import N subscriptions":
-- the confirmation then posts only a short token, never the rows themselves, so a 1 MB file is
-- not sent twice and the rows written are exactly the rows that were shown and validated.
-- Only the SHA-256 of the token is stored (like invitations). A preview belongs to one tenant,
-- expires after an hour and is marked used by its first confirmation, so it is written once.
CREATE TABLE import_batches (
    token_hash TEXT    PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES people (id) ON DELETE SET NULL,
    filename   TEXT    NOT NULL DEFAULT '',
    rows       TEXT    NOT NULL, -- JSON array of the parsed rows, each with its error message ID
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX import_batches_expiry ON import_batches (expires_at);

-- Each newsletter's subscriber count, kept by triggers, so the tab reads three numbers instead
-- of counting every subscription on every page view (with 100,000 subscribers that count was
-- most of the page's cost, and it grows with the list; the triggers make it constant). Triggers
-- rather than store code: every write path (subscribe, unsubscribe, import, cascades) keeps it.
ALTER TABLE newsletters ADD COLUMN subscriber_count INTEGER NOT NULL DEFAULT 0;
UPDATE newsletters SET subscriber_count = (SELECT count(*) FROM newsletter_subscriptions s WHERE s.newsletter_id = newsletters.id);
CREATE TRIGGER newsletter_subscriptions_count_insert AFTER INSERT ON newsletter_subscriptions
BEGIN UPDATE newsletters SET subscriber_count = subscriber_count + 1 WHERE id = NEW.newsletter_id; END;
CREATE TRIGGER newsletter_subscriptions_count_delete AFTER DELETE ON newsletter_subscriptions
BEGIN UPDATE newsletters SET subscriber_count = subscriber_count - 1 WHERE id = OLD.newsletter_id; END;
CREATE TRIGGER newsletter_subscriptions_count_move AFTER UPDATE OF newsletter_id ON newsletter_subscriptions
WHEN OLD.newsletter_id <> NEW.newsletter_id
BEGIN
    UPDATE newsletters SET subscriber_count = subscriber_count - 1 WHERE id = OLD.newsletter_id;
    UPDATE newsletters SET subscriber_count = subscriber_count + 1 WHERE id = NEW.newsletter_id;
END;

-- Deleting a person sets person_id to NULL in their subscriptions (ON DELETE SET NULL); without
-- this index that would scan every subscription of every tenant.
CREATE INDEX newsletter_subscriptions_person ON newsletter_subscriptions (person_id);

-- The list index. 001's newsletter_subscriptions_page (tenant_id, email, id) gives the list
-- order; this one gives the same order (id is the rowid, so naming it keeps it in that place)
-- and also carries person_id and newsletter_id, the other columns a search or a newsletter
-- filter tests. A search ("contains", which no B-tree can seek) then walks index entries only
-- and reads the table just for the rows it shows; the search's count never reads the table.
-- Measured with 100,000 subscribers: counting a search's matches through the table cost about
-- four times as much as through this index (docs/performance.md).
DROP INDEX newsletter_subscriptions_page;
CREATE INDEX newsletter_subscriptions_list ON newsletter_subscriptions (tenant_id, email, id, person_id, newsletter_id);

-- One newsletter (the filter) in list order is the UNIQUE (newsletter_id, email) index of 001,
-- whose entries end with the rowid (= id). Both indexes are NOCASE like the column, so
-- ORDER BY email, id and the (email, id) > (?, ?) cursor walk them without sorting.
