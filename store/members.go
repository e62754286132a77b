package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hubadmin/store/perm"
)

// Workspace member statuses (product.md §3: a status per workspace).
const (
	StatusPending = "pending" // invited, the invitation not accepted yet
	StatusActive  = "active"
	StatusGroup   = "group" // added through a directory (Entra) group
)

// MemberStatuses lists the statuses in the order filters show them.
var MemberStatuses = []string{StatusActive, StatusPending, StatusGroup}

// RoleNone is the role filter value for people who hold no role in the workspace.
const RoleNone = "none"

// PeopleFilter is the state of a workspace's people list: a search, filters and a position.
type PeopleFilter struct {
	Search string // part of a name or an email
	Role   string // "" = any, RoleNone, or a perm.Role that applies in the workspace
	Status string // "" = any, or one of MemberStatuses
	After  string // cursor: the page after this row
	Before string // cursor: the page before this row
}

// PendingInvitation is the live invitation of a pending member.
type PendingInvitation struct {
	ID          int64
	ExpiresAt   time.Time
	Expired     bool
	Permissions []perm.Permission // granted when it is accepted
	MakeAdmin   bool              // Workspace Admin when it is accepted
}

// WorkspacePerson is one person of a workspace with what they hold there and why.
type WorkspacePerson struct {
	Person     Person // ID, Email, DisplayName, AccountKind, Microsoft
	Status     string
	Since      time.Time
	Roles      []perm.RoleAssignment // roles that apply in this workspace, personal or through a group
	Access     perm.Access           // effective permissions (read them for this workspace)
	Invitation *PendingInvitation    // the live invitation of a pending member; nil otherwise
	// AdminAsServicesAdmin: the person is Services Admin and this is the tenant's default
	// workspace, so they are its Workspace Admin (footnote 2, "automatically set up as
	// Workspace Admins"). Lists, filters and counts show them as one; nobody grants it.
	AdminAsServicesAdmin bool
}

// Name is what lists show for the person: their name, or their email while they have none.
func (p WorkspacePerson) Name() string {
	if p.Person.DisplayName != "" {
		return p.Person.DisplayName
	}
	return p.Person.Email
}

// IndividualGrant reports whether p is granted to the person individually (not through a role
// or a group): only such a grant can be revoked from the person.
func (p WorkspacePerson) IndividualGrant(wsID int64, pm perm.Permission) bool {
	for _, s := range p.Access.Why(wsID, pm) {
		if s.Kind == perm.SourceGrant {
			return true
		}
	}
	return false
}

// WorkspaceAdmin reports whether the person holds the Workspace Admin role of wsID personally
// (the role a Manage users holder can take away; one held through a group is the group's).
func (p WorkspacePerson) WorkspaceAdmin(wsID int64) bool {
	for _, r := range p.Roles {
		if r.Role == perm.RoleWorkspaceAdmin && r.WorkspaceID == wsID && r.Group == nil {
			return true
		}
	}
	return false
}

// memberColumns are what a page of workspace people reads for each row; the last two columns
// are the live invitation of a pending member.
// nameVisibleSQL: the list may show (and search) the member's name. A pending member's name
// shows only when they belong to the tenant: an invited account of another tenant keeps its name
// there (docs/security.md, tenant isolation).
const nameVisibleSQL = `(wm.status <> 'pending' OR EXISTS (SELECT 1 FROM tenant_members tm WHERE tm.tenant_id = wm.tenant_id AND tm.person_id = p.id))`

const memberColumns = `p.id, p.email,
	CASE WHEN ` + nameVisibleSQL + ` THEN p.display_name ELSE '' END, p.account_kind, p.microsoft, wm.status, wm.created_at, wm.sort_key,
	ifnull(inv.id, 0), ifnull(inv.expires_at, ''), ifnull(inv.permissions, ''), ifnull(inv.make_admin, 0)`

// liveInvitationJoin finds a pending member's newest invitation that is neither used nor revoked.
const liveInvitationJoin = `LEFT JOIN invitations inv ON wm.status = 'pending' AND inv.id = (
		SELECT i.id FROM invitations i WHERE i.workspace_id = wm.workspace_id AND i.email = p.email AND i.kind = 'workspace'
		AND i.used_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id DESC LIMIT 1)`

// memberSelect is a page query of workspace people up to its WHERE.
const memberSelect = `SELECT ` + memberColumns + ` FROM workspace_members wm JOIN people p ON p.id = wm.person_id ` +
	liveInvitationJoin + ` WHERE `

// WorkspacePeople returns one page of a workspace's people, with each person's roles and
// effective permissions there. It costs three statements whatever the workspace's size: the
// page (keyset on the workspace_members_page index), the count, and the roles and grants of
// the page's people in one batch.
func (db *DB) WorkspacePeople(ctx context.Context, tenantID, wsID int64, f PeopleFilter) (ListPage[WorkspacePerson], error) {
	var page ListPage[WorkspacePerson]
	err := db.readTx(ctx, func(tx *Tx) error {
		where, args := peopleWhere(tenantID, wsID, f)
		key := "wm.sort_key"
		counted := false
		if searchIndexed(f) {
			// A search is counted first, from the trigram index, up to PeopleCountCap+1
			// matches. Few matches are then read and sorted (the unary + keeps the planner from
			// walking the whole workspace in order: 25 ms for a search that matched ten of
			// 100,000); many are found soon enough by that walk, while sorting them all cost
			// 0.5–1.2 s.
			n, err := countSearchMatches(ctx, tx, tenantID, wsID, f)
			if err != nil {
				return err
			}
			counted = true
			page.Total = n
			if n > PeopleCountCap {
				page.Total, page.TotalCapped = PeopleCountCap, true
			}
			if n <= sortMatchesUpTo {
				key = "+wm.sort_key"
			} else {
				// A common term: walk the workspace in order and test each member against the
				// index by its rowid. IN (…) would first collect every match of the whole index
				// (250,000 for a term in a quarter of 1,000,000 people: 0.6–1 s); the walk
				// stops after a page of matches (≈ 200 members for that term, ≈ 12 ms).
				rest := f
				rest.Search = ""
				where, args = peopleWhere(tenantID, wsID, rest)
				term := ftsPhrase(f.Search)
				where += ` AND EXISTS (SELECT 1 FROM people_search WHERE people_search MATCH ? AND rowid = wm.person_id)
					AND (` + nameVisibleSQL + ` OR EXISTS (SELECT 1 FROM people_search WHERE people_search MATCH ? AND rowid = wm.person_id))`
				args = append(args, term, "email : "+term)
			}
		}
		order := "ORDER BY " + key + ", wm.person_id"
		pageWhere, pageArgs := where, append([]any(nil), args...)
		k := readKeyset(f.After, f.Before)
		switch {
		case k.Backward:
			order = "ORDER BY " + key + " DESC, wm.person_id DESC"
			pageWhere += ` AND (wm.sort_key, wm.person_id) < (?, ?)`
			pageArgs = append(pageArgs, k.Cursor.Key, k.Cursor.ID)
		case k.Has:
			pageWhere += ` AND (wm.sort_key, wm.person_id) > (?, ?)`
			pageArgs = append(pageArgs, k.Cursor.Key, k.Cursor.ID)
		}
		read, keys, err := queryMembers(ctx, tx, pageWhere+" "+order+fmt.Sprintf(" LIMIT %d", PageSize+1), pageArgs)
		if err != nil {
			return err
		}
		// The sort key is not part of WorkspacePerson: page the rows with their keys.
		type keyed struct {
			key string
			WorkspacePerson
		}
		pairs := make([]keyed, len(read))
		for i := range read {
			pairs[i] = keyed{keys[i], read[i]}
		}
		kp, more := keysetPage(pairs, func(r keyed) Cursor { return Cursor{Key: r.key, ID: r.Person.ID} }, k)
		page.Next, page.Prev = kp.Next, kp.Prev
		rows := make([]WorkspacePerson, len(kp.Items))
		for i, r := range kp.Items {
			rows[i] = r.WorkspacePerson
		}
		if !counted {
			if page.Total, err = countPeople(ctx, tx, tenantID, wsID, f, where, args, len(rows), more); err != nil {
				return err
			}
			if page.Total > PeopleCountCap && (strings.TrimSpace(f.Search) != "" || f.Role != "") {
				page.Total, page.TotalCapped = PeopleCountCap, true
			}
		}
		if err := fillAccess(ctx, tx, tenantID, wsID, rows); err != nil {
			return err
		}
		page.Items = rows
		return nil
	})
	return page, err
}

// WorkspaceMember returns one person of a workspace with their roles and permissions there.
// Someone who is not a member (or a workspace of another tenant) is ErrNotFound.
func (db *DB) WorkspaceMember(ctx context.Context, tenantID, wsID, personID int64) (WorkspacePerson, error) {
	var out WorkspacePerson
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, _, err := queryMembers(ctx, tx, `wm.tenant_id = ? AND wm.workspace_id = ? AND wm.person_id = ?`, []any{tenantID, wsID, personID})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return ErrNotFound
		}
		if err := fillAccess(ctx, tx, tenantID, wsID, rows); err != nil {
			return err
		}
		out = rows[0]
		return nil
	})
	return out, err
}

// countPeople says how many people match the list's filter. Without a search or a role filter
// it reads the counts kept by triggers (one small statement); with one, a first page that holds
// every match is its own count, and only a longer result is counted.
func countPeople(ctx context.Context, tx *Tx, tenantID, wsID int64, f PeopleFilter, where string, args []any, onPage int, more bool) (int, error) {
	var n int
	if strings.TrimSpace(f.Search) == "" && f.Role == "" {
		q := `SELECT ifnull(sum(c.n), 0) FROM workspace_member_counts c JOIN workspaces w ON w.id = c.workspace_id
			WHERE c.workspace_id = ? AND w.tenant_id = ?`
		qargs := []any{wsID, tenantID}
		if f.Status != "" {
			q += ` AND c.status = ?`
			qargs = append(qargs, f.Status)
		}
		if err := tx.queryRow(ctx, q, qargs...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count people of workspace %d: %w", wsID, err)
		}
		return n, nil
	}
	if f.After == "" && f.Before == "" && !more {
		return onPage, nil
	}
	// A role filter or a short search: counted up to the cap, like a search.
	if err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM workspace_members wm JOIN people p ON p.id = wm.person_id WHERE `+where+` LIMIT ?)`,
		append(append([]any(nil), args...), PeopleCountCap+1)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count people of workspace %d: %w", wsID, err)
	}
	return n, nil
}

// peopleWhere builds the filter of a workspace's people list (without the cursor).
func peopleWhere(tenantID, wsID int64, f PeopleFilter) (string, []any) {
	// The tenant is checked once on the workspace rather than on every member row, so that
	// counting uses the (workspace_id, …) indexes alone.
	where := `wm.workspace_id = ? AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = ? AND w.tenant_id = ?)`
	args := []any{wsID, wsID, tenantID}
	if q := strings.TrimSpace(f.Search); searchIndexed(f) {
		// The trigram index finds the people whose email or name contains the term; the page
		// then reads just those members.
		// A name matches only where the list shows it (nameVisibleSQL): another tenant's
		// invited person is found by their address alone.
		term := ftsPhrase(q)
		where += ` AND wm.person_id IN (SELECT rowid FROM people_search WHERE people_search MATCH ?)
			AND (` + nameVisibleSQL + ` OR wm.person_id IN (SELECT rowid FROM people_search WHERE people_search MATCH ?))`
		args = append(args, term, "email : "+term)
	} else if q != "" {
		// One or two characters are below the index's trigrams: read the members.
		like := containsPattern(Fold(q))
		where += ` AND (hub_fold(p.email) LIKE ? ESCAPE '\' OR (` + nameVisibleSQL + ` AND hub_fold(p.display_name) LIKE ? ESCAPE '\'))`
		args = append(args, like, like)
	}
	for _, s := range MemberStatuses {
		if f.Status == s {
			where += ` AND wm.status = ?`
			args = append(args, s)
		}
	}
	// A role applies in the workspace when it is tenant-wide or held for this workspace, by
	// the person or by a directory group whose member list has their email.
	holds := `SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = wm.tenant_id AND ifnull(ra.workspace_id, wm.workspace_id) = wm.workspace_id
		AND (ra.person_id = wm.person_id OR ra.group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.email = p.email
			AND ` + groupMemberActiveSQL("gm.email", "wm.tenant_id") + `))`
	switch r := perm.Role(f.Role); {
	case f.Role == RoleNone:
		where += ` AND NOT EXISTS (` + holds + `)`
	case r == perm.RoleWorkspaceAdmin:
		// Footnote 2: the Services Admin is Workspace Admin of the default workspace.
		where += ` AND EXISTS (` + holds + ` AND (ra.role = 'workspace_admin' OR (ra.role = 'services_admin'
			AND EXISTS (SELECT 1 FROM workspaces dw WHERE dw.id = wm.workspace_id AND dw.is_default = 1))))`
	case r.Valid():
		where += ` AND EXISTS (` + holds + ` AND ra.role = ?)`
		args = append(args, string(r))
	}
	return where, args
}

// PeopleCountCap is where a search of a workspace's people stops counting: "more than 1,000
// people" tells an admin to narrow the search as well as the exact figure, which for a term
// found in 250,000 of 1,000,000 people cost 1.9 s a page.
const PeopleCountCap = 1000

// countSearchMatches counts a trigram search's matches in the workspace up to PeopleCountCap+1,
// driven by the search index: each match is one look-up of its membership, and counting stops
// at the cap instead of collecting every match of the whole index first.
func countSearchMatches(ctx context.Context, tx *Tx, tenantID, wsID int64, f PeopleFilter) (int, error) {
	rest := f
	rest.Search = ""
	where, args := peopleWhere(tenantID, wsID, rest)
	var n int
	// A name matches only where the list shows it, as in peopleWhere.
	term := ftsPhrase(f.Search)
	err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM people_search ps
		JOIN workspace_members wm ON wm.person_id = ps.rowid JOIN people p ON p.id = wm.person_id
		WHERE people_search MATCH ? AND `+where+` AND (`+nameVisibleSQL+` OR EXISTS (
			SELECT 1 FROM people_search e WHERE people_search MATCH ? AND e.rowid = wm.person_id)) LIMIT ?)`,
		append(append(append([]any{term}, args...), "email : "+term), PeopleCountCap+1)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count people of workspace %d: %w", wsID, err)
	}
	return n, nil
}

// ftsPhrase quotes a search term as one FTS5 phrase (quotes doubled).
func ftsPhrase(q string) string {
	// The index holds folded text (migration 011): fold the term the same way.
	return `"` + strings.ReplaceAll(Fold(strings.TrimSpace(q)), `"`, `""`) + `"`
}

// sortMatchesUpTo is how many search matches a page reads and sorts; above it, the page walks
// the workspace in order, which finds a page of such a common term quickly.
const sortMatchesUpTo = PeopleCountCap

// searchIndexed tells whether the search term is long enough for the trigram index.
func searchIndexed(f PeopleFilter) bool {
	return utf8.RuneCountInString(strings.TrimSpace(f.Search)) >= 3
}

// queryMembers reads workspace members matching where (one statement) and their sort keys.
func queryMembers(ctx context.Context, tx *Tx, where string, args []any) ([]WorkspacePerson, []string, error) {
	rows, err := tx.query(ctx, memberSelect+where, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("workspace people: %w", err)
	}
	defer rows.Close()
	var out []WorkspacePerson
	var keys []string
	for rows.Next() {
		var wp WorkspacePerson
		var since, key, expires, perms string
		var invID int64
		var makeAdmin bool
		if err := rows.Scan(&wp.Person.ID, &wp.Person.Email, &wp.Person.DisplayName, &wp.Person.AccountKind, &wp.Person.Microsoft,
			&wp.Status, &since, &key, &invID, &expires, &perms, &makeAdmin); err != nil {
			return nil, nil, err
		}
		wp.Since = parseTime(since)
		if invID != 0 {
			exp := parseTime(expires)
			wp.Invitation = &PendingInvitation{ID: invID, ExpiresAt: exp, Expired: !tx.db.Now().Before(exp),
				Permissions: parseInvitationPerms(perms), MakeAdmin: makeAdmin}
		}
		out = append(out, wp)
		keys = append(keys, key)
	}
	return out, keys, rows.Err()
}

// fillAccess computes, with one statement for the whole page, each person's roles and
// effective permissions: their own roles and grants, and those of the directory groups whose
// member list holds their email (the same sources as accessInput, batched).
func fillAccess(ctx context.Context, tx *Tx, tenantID, wsID int64, people []WorkspacePerson) error {
	if len(people) == 0 {
		return nil
	}
	ids := make([]int64, len(people))
	emails := make([]string, len(people))
	at := make(map[int64]int, len(people))
	atEmail := make(map[string]int, len(people))
	for i, p := range people {
		ids[i], emails[i] = p.Person.ID, p.Person.Email
		at[p.Person.ID] = i
		atEmail[strings.ToLower(p.Person.Email)] = i
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	emailList, err := json.Marshal(emails)
	if err != nil {
		return err
	}
	// The page's ids and emails arrive as JSON arrays read through IN (SELECT … json_each),
	// which SQLite materialises once: joining json_each row by row re-parsed the JSON for every
	// grant of the tenant (measured at 0.7 s a page with 100,000 people). The unary + on the
	// tenant columns keeps the planner off the (tenant_id, …) indexes, which would walk every
	// role and grant of the tenant, and on the person and email indexes: 50 look-ups.
	rows, err := tx.query(ctx, pageAccessSQL,
		tenantID, string(idList), string(emailList))
	if err != nil {
		return fmt.Errorf("access of workspace %d people: %w", wsID, err)
	}
	defer rows.Close()
	inputs := make([]perm.Input, len(people))
	var defaultWS int64
	for rows.Next() {
		var kind, name, groupName, memberEmail string
		var pid, scopeWS, groupID int64
		if err := rows.Scan(&kind, &pid, &name, &scopeWS, &groupID, &groupName, &memberEmail); err != nil {
			return err
		}
		if kind == "default" {
			defaultWS = scopeWS
			continue
		}
		i, ok := at[pid]
		if groupID != 0 {
			i, ok = atEmail[strings.ToLower(memberEmail)]
		}
		if !ok {
			continue
		}
		var group *perm.GroupRef
		if groupID != 0 {
			group = &perm.GroupRef{ID: groupID, Name: groupName}
		}
		switch kind {
		case "role":
			if !customerRoleAllowed(people[i].Person, perm.Role(name)) {
				continue
			}
			inputs[i].Roles = append(inputs[i].Roles, perm.RoleAssignment{Role: perm.Role(name), WorkspaceID: scopeWS, Group: group})
		case "grant":
			inputs[i].Grants = append(inputs[i].Grants, perm.Grant{Permission: perm.Permission(name), WorkspaceID: scopeWS, Group: group})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range people {
		inputs[i].DefaultWorkspaceID = defaultWS
		people[i].Access = perm.Compute(inputs[i])
		for _, r := range inputs[i].Roles {
			if r.WorkspaceID == 0 || r.WorkspaceID == wsID {
				people[i].Roles = append(people[i].Roles, r)
			}
			if r.Role == perm.RoleServicesAdmin && wsID == defaultWS {
				people[i].AdminAsServicesAdmin = true
			}
		}
	}
	return nil
}

// pageAccessSQL reads the roles and grants of a page of people in a tenant (?1), personal
// (ids in the JSON array ?2) and through directory groups (emails in the JSON array ?3), and the
// tenant's default workspace.
var pageAccessSQL = `
		SELECT 'default', 0, '', id, 0, '', '' FROM workspaces WHERE tenant_id = ?1 AND is_default = 1
		UNION ALL
		SELECT 'role', ra.person_id, ra.role, ifnull(ra.workspace_id, 0), 0, '', '' FROM role_assignments ra
		WHERE +ra.tenant_id = ?1 AND ra.person_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 'grant', gr.person_id, gr.permission, ifnull(gr.workspace_id, 0), 0, '', '' FROM grants gr
		WHERE +gr.tenant_id = ?1 AND gr.person_id IN (SELECT value FROM json_each(?2))
		UNION ALL
		SELECT 'role', 0, ra.role, ifnull(ra.workspace_id, 0), g.id, g.name, gm.email FROM group_members gm
		JOIN directory_groups g ON g.id = gm.group_id JOIN role_assignments ra ON ra.group_id = g.id
		WHERE +g.tenant_id = ?1 AND +ra.tenant_id = ?1 AND gm.email IN (SELECT value FROM json_each(?3))
		AND ` + groupMemberActiveSQL("gm.email", "?1") + `
		UNION ALL
		SELECT 'grant', 0, gr.permission, ifnull(gr.workspace_id, 0), g.id, g.name, gm.email FROM group_members gm
		JOIN directory_groups g ON g.id = gm.group_id JOIN grants gr ON gr.group_id = g.id
		WHERE +g.tenant_id = ?1 AND +gr.tenant_id = ?1 AND gm.email IN (SELECT value FROM json_each(?3))
		AND ` + groupMemberActiveSQL("gm.email", "?1")

// canManageUsers is the rule for changing people's roles and membership in a workspace: Manage
// users there, or tenant-level administration (Global Admins and CSAMs run every workspace of
// their tenant from the Admin Center). The web layer's route table says the same.
func canManageUsers(a perm.Access, wsID int64) bool {
	return a.Workspace(wsID, perm.ManageUsers) || a.IsTenantAdmin()
}

// CanManageUsers reports whether someone with access a may change people's roles and remove
// them in workspace wsID (views use it to offer the actions).
func CanManageUsers(a perm.Access, wsID int64) bool { return canManageUsers(a, wsID) }

// CanInviteUsers reports whether someone with access a may see a workspace's people and invite
// more: Invite users or Manage users there, or tenant-level administration.
func CanInviteUsers(a perm.Access, wsID int64) bool {
	return a.Workspace(wsID, perm.InviteUsers) || canManageUsers(a, wsID)
}

// SetWorkspaceAdmin makes a member of the workspace a Workspace Admin or takes the role back
// (admin is the target state). Only Manage users holders (and tenant admins) may, and nobody
// changes their own roles. Setting the state a person already has writes nothing.
func (db *DB) SetWorkspaceAdmin(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID, personID int64, admin bool) error {
	if err := checkManagesOther(actor, actorAccess, wsID, personID); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		label, status, err := memberOf(ctx, tx, tenantID, wsID, personID)
		if err != nil {
			return err
		}
		if status == StatusPending {
			return Refuse("people.error.pending")
		}
		var held int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = ? AND workspace_id = ?`,
			tenantID, personID, string(perm.RoleWorkspaceAdmin), wsID).Scan(&held); err != nil {
			return fmt.Errorf("workspace admin of %d: %w", wsID, err)
		}
		if (held > 0) == admin {
			return nil
		}
		action := "people.admin.add"
		if admin {
			if err := assignRole(ctx, tx, tenantID, personID, 0, perm.RoleWorkspaceAdmin, wsID, actor.PersonID); err != nil {
				return err
			}
		} else {
			action = "people.admin.remove"
			if _, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = ? AND workspace_id = ?`,
				tenantID, personID, string(perm.RoleWorkspaceAdmin), wsID); err != nil {
				return fmt.Errorf("remove workspace admin: %w", err)
			}
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: action, TargetKind: "person", TargetID: personID,
			TargetLabel: label, WorkspaceID: wsID, Before: adminState(!admin), After: adminState(admin)})
	})
}

// checkManagesOther is the rule in front of every change to a member of a workspace: only
// Manage users holders there (and tenant admins) make it, and nobody makes it to themself.
func checkManagesOther(actor Actor, actorAccess perm.Access, wsID, personID int64) error {
	if !canManageUsers(actorAccess, wsID) {
		return Deny("people.error.manage_only")
	}
	if personID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return nil
}

func adminState(admin bool) string {
	if admin {
		return string(perm.RoleWorkspaceAdmin)
	}
	return ""
}

// RemovedMember says what removing a person from a workspace took away, for the audit row.
type RemovedMember struct {
	Status      string   `json:"status"`
	Permissions []string `json:"permissions,omitempty"`
	Admin       bool     `json:"workspace_admin,omitempty"`
}

// RemoveMember takes a person out of a workspace: their membership, their individual grants
// and Workspace Admin role there, and any invitation to it still pending. Their account and
// what they hold elsewhere stay. Nobody removes themself.
func (db *DB) RemoveMember(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID, personID int64) error {
	if err := checkManagesOther(actor, actorAccess, wsID, personID); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		label, status, err := memberOf(ctx, tx, tenantID, wsID, personID)
		if err != nil {
			return err
		}
		if status == StatusGroup {
			// They are here because a directory group is: removing the row would come back with
			// the next change to the group. The group is what to change.
			return Refuse("people.error.group_member")
		}
		before := RemovedMember{Status: status}
		rows, err := tx.query(ctx, `SELECT permission FROM grants WHERE tenant_id = ? AND person_id = ? AND workspace_id = ? ORDER BY permission`, tenantID, personID, wsID)
		if err != nil {
			return fmt.Errorf("grants of member: %w", err)
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			before.Permissions = append(before.Permissions, p)
		}
		rows.Close()
		res, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = ? AND workspace_id = ?`,
			tenantID, personID, string(perm.RoleWorkspaceAdmin), wsID)
		if err != nil {
			return fmt.Errorf("remove member's role: %w", err)
		}
		n, _ := res.RowsAffected()
		before.Admin = n > 0
		if _, err := tx.exec(ctx, `DELETE FROM grants WHERE tenant_id = ? AND person_id = ? AND workspace_id = ?`, tenantID, personID, wsID); err != nil {
			return fmt.Errorf("remove member's grants: %w", err)
		}
		if _, err := tx.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE tenant_id = ? AND workspace_id = ? AND email = ?
			AND used_at IS NULL AND revoked_at IS NULL`, tx.now(), tenantID, wsID, label); err != nil {
			return fmt.Errorf("revoke member's invitations: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM workspace_members WHERE tenant_id = ? AND person_id = ? AND workspace_id = ?`, tenantID, personID, wsID); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "people.remove", TargetKind: "person", TargetID: personID,
			TargetLabel: label, WorkspaceID: wsID, Before: before})
	})
}

// memberOf checks that a person is a member of the workspace (any status) and returns their
// email and status. Anyone else is ErrNotFound.
func memberOf(ctx context.Context, tx *Tx, tenantID, wsID, personID int64) (email, status string, err error) {
	err = tx.queryRow(ctx, `SELECT p.email, wm.status FROM workspace_members wm JOIN people p ON p.id = wm.person_id
		WHERE wm.tenant_id = ? AND wm.workspace_id = ? AND wm.person_id = ?`, tenantID, wsID, personID).Scan(&email, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("member %d of workspace %d: %w", personID, wsID, err)
	}
	return email, status, nil
}

// WorkspaceRef names a workspace in navigation.
type WorkspaceRef struct {
	ID   int64
	Name string
}
