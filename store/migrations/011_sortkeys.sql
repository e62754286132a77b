-- 011 (issue 13): language-aware order and search. hub_sortkey and hub_fold are Go functions
-- registered with the SQLite driver (store/collation.go); the triggers below keep the stored
-- keys right whoever writes a name, so no code path can forget them. A database with these
-- triggers can be read by any SQLite tool, but written only through Hub Admin.

-- Workspaces: one sort key per stored collation (root for en and fr, ru for Russian), each
-- with its index so that a keyset page in either order seeks; and the folded name for search.
ALTER TABLE workspaces ADD COLUMN sort_root TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN sort_ru   TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
UPDATE workspaces SET sort_root = hub_sortkey('root', name), sort_ru = hub_sortkey('ru', name), name_fold = hub_fold(name);
CREATE INDEX workspaces_sort_root ON workspaces (tenant_id, sort_root, id);
CREATE INDEX workspaces_sort_ru   ON workspaces (tenant_id, sort_ru, id);

CREATE TRIGGER workspaces_keys_insert AFTER INSERT ON workspaces
BEGIN
    UPDATE workspaces SET sort_root = hub_sortkey('root', NEW.name), sort_ru = hub_sortkey('ru', NEW.name), name_fold = hub_fold(NEW.name)
    WHERE id = NEW.id;
END;

CREATE TRIGGER workspaces_keys_update AFTER UPDATE OF name ON workspaces
BEGIN
    UPDATE workspaces SET sort_root = hub_sortkey('root', NEW.name), sort_ru = hub_sortkey('ru', NEW.name), name_fold = hub_fold(NEW.name)
    WHERE id = NEW.id;
END;

-- Workspace people: sort_key (005) becomes the root collation key of the name (or the email
-- while there is none), then of the email. One order for every language here: a second key
-- per language would add two indexes on the largest table, and the root order already puts
-- "Élan" before "Zeta" and "Ёлка" beside "Елка"; only the place of Cyrillic against Latin
-- names differs for Russian readers.
DROP TRIGGER workspace_members_sort_key;
DROP TRIGGER people_sort_key;

UPDATE workspace_members SET sort_key = (
    SELECT hub_sortkey('root', CASE WHEN p.display_name <> '' THEN p.display_name ELSE p.email END) || '00' || hub_sortkey('root', p.email)
    FROM people p WHERE p.id = workspace_members.person_id);

CREATE TRIGGER workspace_members_sort_key AFTER INSERT ON workspace_members
BEGIN
    UPDATE workspace_members SET sort_key = (
        SELECT hub_sortkey('root', CASE WHEN p.display_name <> '' THEN p.display_name ELSE p.email END) || '00' || hub_sortkey('root', p.email)
        FROM people p WHERE p.id = NEW.person_id)
    WHERE workspace_id = NEW.workspace_id AND person_id = NEW.person_id;
END;

CREATE TRIGGER people_sort_key AFTER UPDATE OF display_name, email ON people
BEGIN
    UPDATE workspace_members SET sort_key =
        hub_sortkey('root', CASE WHEN NEW.display_name <> '' THEN NEW.display_name ELSE NEW.email END) || '00' || hub_sortkey('root', NEW.email)
    WHERE person_id = NEW.id;
END;

-- People search: the trigram index holds folded text (case and diacritics removed), and the
-- search term is folded the same way, so "ELAN" finds "Élan" and "елка" finds "Ёлка".
DROP TRIGGER people_search_insert;
DROP TRIGGER people_search_delete;
DROP TRIGGER people_search_update;
DROP TABLE people_search;
CREATE VIRTUAL TABLE people_search USING fts5(email, display_name, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO people_search (rowid, email, display_name) SELECT id, hub_fold(email), hub_fold(display_name) FROM people;

CREATE TRIGGER people_search_insert AFTER INSERT ON people
BEGIN
    INSERT INTO people_search (rowid, email, display_name) VALUES (NEW.id, hub_fold(NEW.email), hub_fold(NEW.display_name));
END;

CREATE TRIGGER people_search_delete AFTER DELETE ON people
BEGIN
    DELETE FROM people_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER people_search_update AFTER UPDATE OF email, display_name ON people
BEGIN
    DELETE FROM people_search WHERE rowid = OLD.id;
    INSERT INTO people_search (rowid, email, display_name) VALUES (NEW.id, hub_fold(NEW.email), hub_fold(NEW.display_name));
END;
