-- 007: accounts belong to the people who prove them (issue 10, docs/security.md).
--
-- mailbox_verified: 1 once the person proved they read mail sent to their address (they used a
-- link that went only by mail, never shown on an outbox page). An account whose password was set
-- from a link an inviter could read stays 0: it keeps what that invitation gave, but is never
-- made a Global Admin, never gains a directory group's access and accepts no other invitation
-- until a mailed link proves the mailbox (which lets the mailbox owner set the password and
-- ends every other session). Accounts that exist before this migration are 0: nobody can tell
-- how their password was set; they keep signing in and keep what they hold.
ALTER TABLE people ADD COLUMN mailbox_verified INTEGER NOT NULL DEFAULT 0 CHECK (mailbox_verified IN (0, 1));
-- The tenant the person used last: where the next sign-in lands.
ALTER TABLE people ADD COLUMN last_tenant_id INTEGER REFERENCES tenants (id) ON DELETE SET NULL;

-- The tenant's primary domain, shown next to its name in the tenant switcher: a name can be
-- anything ("AAA Contoso Corp"), a domain is unique.
ALTER TABLE tenants ADD COLUMN primary_domain TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX tenants_primary_domain ON tenants (primary_domain COLLATE NOCASE) WHERE primary_domain <> '';

-- kind: 'workspace' (a workspace's people invite), 'global_admin' (the Admin Center names a
-- Global Admin: the role comes on acceptance) or 'tenant' (a directory group's member who must
-- join the tenant first). mailed: 1 when the link went only by mail (SMTP configured): no page
-- ever shows it, so using it proves the mailbox.
ALTER TABLE invitations ADD COLUMN kind TEXT NOT NULL DEFAULT 'workspace' CHECK (kind IN ('workspace', 'global_admin', 'tenant'));
ALTER TABLE invitations ADD COLUMN mailed INTEGER NOT NULL DEFAULT 0 CHECK (mailed IN (0, 1));
CREATE INDEX invitations_email ON invitations (email);

-- The invitation an outbox message carries the link of: the outbox page shows that link only
-- when docs/security.md says an inviter may read it.
ALTER TABLE outbox ADD COLUMN invitation_id INTEGER REFERENCES invitations (id) ON DELETE SET NULL;
-- Messages queued before this migration name no invitation: the outbox page shows none of their
-- links (it cannot tell whose they are).
