-- 011 (issue 13): what a person chooses about how the admin center looks to them, beside the
-- language kept on people since 001. In its own table so that the people rows (read on every
-- request and by every list) do not grow, and so that a person who never chose has no row.
--   theme:     '' (follow the system), 'light' or 'dark'
--   time_zone: '' (the browser's, offered on the settings form) or an IANA name (Europe/Paris)
CREATE TABLE person_preferences (
    person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    theme     TEXT    NOT NULL DEFAULT '' CHECK (theme IN ('', 'light', 'dark')),
    time_zone TEXT    NOT NULL DEFAULT ''
);
