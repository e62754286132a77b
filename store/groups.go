package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hubadmin/store/perm"
)

// Directory (Entra) groups of a tenant: a name, an object ID (the GUID a real directory would
// send at sign-in) and members by email, registered or not yet. Roles and grants given to a
// group reach every member (store/viewer.go accessInput), and membership alone makes a person
// belong to the tenant (memberTenantsSQL).
//
// Rules every change here follows, whoever asks:
//   - Only the roles of GroupRoles go to a group: Administrator (global_admin) tenant-wide and
//     Workspace Admin per workspace. Microsoft roles belong to Microsoft staff personally, and
//     Services Admin is one named person's role.
//   - Only grantable permissions (perm.Grantable) and only what the actor holds in that scope.
//   - A member of a group may not change its roles or permissions, delete it while it holds
//     access, or add or remove themself while it holds access: each would change their own
//     roles. Renaming it or changing other members does not, and is allowed.
//   - A change that would leave the tenant without any Administrator (a person holding
//     Global Admin, or a member of a group holding it) is refused.
//   - The quick-start steps of the tenant's CSM (adminmodel.go) are the one designated
//     exception to the hold-what-you-grant and self rules (product.md §6).

// GroupRoles returns the roles a directory group can be given, tenant-wide role first.
func GroupRoles() []perm.Role { return []perm.Role{perm.RoleGlobalAdmin, perm.RoleWorkspaceAdmin} }

// GroupRoleAllowed reports whether r can be given to a directory group.
func GroupRoleAllowed(r perm.Role) bool { return slices.Contains(GroupRoles(), r) }

// Group list statuses: which groups have members who can already sign in.
const (
	GroupStatusRegistered = "registered" // at least one member has an account
	GroupStatusPending    = "pending"    // members, none registered yet
	GroupStatusEmpty      = "empty"      // no members
)

// GroupStatuses lists the statuses the groups list filters by.
func GroupStatuses() []string {
	return []string{GroupStatusRegistered, GroupStatusPending, GroupStatusEmpty}
}

// GroupMaxEmails bounds how many member emails one form may add at once.
const GroupMaxEmails = 100

// DirectoryGroup is a directory (Entra) group of a tenant.
type DirectoryGroup struct {
	ID        int64
	TenantID  int64
	Name      string
	ObjectID  string // a GUID, lower-case, unique in the tenant
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GroupMember is one member of a group. PersonID is 0 while nobody has registered with the
// email: the membership waits for them and applies from their first sign-in.
type GroupMember struct {
	Email       string
	PersonID    int64
	DisplayName string
	AddedAt     time.Time
}

// Registered tells whether someone has an account with the member's email.
func (m GroupMember) Registered() bool { return m.PersonID != 0 }

// GroupRoleRef is one role a group holds; WorkspaceID and WorkspaceName only for Workspace Admin.
type GroupRoleRef struct {
	Role          perm.Role
	WorkspaceID   int64
	WorkspaceName string
}

// GroupListItem is one row of the groups list.
type GroupListItem struct {
	DirectoryGroup
	Members    int
	Registered int
	Roles      []GroupRoleRef
	Grants     int // individual permissions granted to the group, all scopes
}

// GroupFilter is the groups list's state: search, filters and the keyset cursor.
type GroupFilter struct {
	Search string
	Role   perm.Role // "" = any; else groups holding this role somewhere
	Status string    // "" = any; else one of GroupStatuses
	After  string    // cursor: the page after this row
	Before string    // cursor: the page before this row
}

// GroupScopeAccess is what a group holds in one scope (the tenant when WorkspaceID is 0).
type GroupScopeAccess struct {
	WorkspaceID   int64
	WorkspaceName string
	Roles         []perm.Role
	Grants        []perm.Permission
	GrantedAt     time.Time // since when the group holds anything in this scope
	ChangedAt     time.Time // the last grant or revocation in this scope
}

// GroupDetail is one group with a page of its members and everything it holds.
type GroupDetail struct {
	Group        DirectoryGroup
	MemberCount  int
	Registered   int
	Members      ListPage[GroupMember]
	Access       []GroupScopeAccess     // tenant first, then workspaces by name
	Workspaces   []GroupWorkspaceOption // the tenant's workspaces, for the grant forms
	IsAdminGroup bool                   // the tenant's Administrator group of the quick start
	// ViewerIsMember: the person asking is a member, so they may not change its access.
	ViewerIsMember bool
}

// GroupWorkspaceOption names a workspace in a picker.
type GroupWorkspaceOption struct {
	ID        int64
	Name      string
	IsDefault bool
}

// NewGroup is what creating a directory group needs.
type NewGroup struct {
	Name       string
	ObjectID   string
	Submission string // the create form's one-time token
}

// GroupActor is who changes a group, and with what rights. designated is set only by the
// quick-start steps (adminmodel.go), never by the web layer.
type GroupActor struct {
	Actor      Actor
	Access     perm.Access
	designated bool
}

// objectIDPattern is a GUID as Entra shows object IDs: 8-4-4-4-12 hexadecimal digits.
var objectIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// NormalizeObjectID trims an object ID, drops surrounding braces and lower-cases it.
func NormalizeObjectID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	return strings.ToLower(s)
}

// ValidateNewGroup checks a new group's fields and returns field → message ID pairs.
func ValidateNewGroup(ng NewGroup) map[string]string {
	errs := map[string]string{}
	if id := ValidateGroupName(ng.Name); id != "" {
		errs["name"] = id
	}
	if !objectIDPattern.MatchString(NormalizeObjectID(ng.ObjectID)) {
		errs["object_id"] = "groups.error.object_id_invalid"
		if strings.TrimSpace(ng.ObjectID) == "" {
			errs["object_id"] = "groups.error.object_id_required"
		}
	}
	return errs
}

// ValidateGroupName returns the message ID of what is wrong with a group name, or "".
func ValidateGroupName(name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "groups.error.name_required"
	case utf8.RuneCountInString(name) > 100:
		return "groups.error.name_too_long"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "groups.error.name_invalid"
	}
	return ""
}

// ParseGroupEmails splits what was typed into a members field (one address per line, or
// separated by commas, semicolons or spaces), lower-cases and de-duplicates the addresses. It
// returns a message ID when the list is empty, too long or holds something that is not an
// address.
func ParseGroupEmails(raw string) ([]string, string) {
	fields := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	var out []string
	for _, f := range fields {
		e := strings.ToLower(strings.TrimSpace(f))
		if !ValidEmail(e) {
			return nil, "groups.error.email_invalid"
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	switch {
	case len(out) == 0:
		return nil, "groups.error.email_required"
	case len(out) > GroupMaxEmails:
		return nil, "groups.error.email_too_many"
	}
	return out, ""
}

const groupColumns = `g.id, g.tenant_id, g.name, g.object_id, g.version, g.created_at, g.updated_at`

func scanGroup(row interface{ Scan(...any) error }, extra ...any) (DirectoryGroup, error) {
	var g DirectoryGroup
	var created, updated string
	dest := append([]any{&g.ID, &g.TenantID, &g.Name, &g.ObjectID, &g.Version, &created, &updated}, extra...)
	err := row.Scan(dest...)
	g.CreatedAt, g.UpdatedAt = parseTime(created), parseTime(updated)
	return g, err
}

// Group returns a directory group of the tenant; another tenant's group is ErrNotFound.
func (db *DB) Group(ctx context.Context, tenantID, id int64) (DirectoryGroup, error) {
	var g DirectoryGroup
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		g, err = groupByID(ctx, tx, tenantID, id)
		return err
	})
	return g, err
}

func groupByID(ctx context.Context, tx *Tx, tenantID, id int64) (DirectoryGroup, error) {
	g, err := scanGroup(tx.queryRow(ctx, `SELECT `+groupColumns+` FROM directory_groups g WHERE g.id = ? AND g.tenant_id = ?`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return DirectoryGroup{}, ErrNotFound
	}
	if err != nil {
		return DirectoryGroup{}, fmt.Errorf("directory group %d: %w", id, err)
	}
	return g, nil
}

// GroupOptions lists every group of the tenant by name, for the pickers of the workspace
// access form and the quick start (one statement).
func (db *DB) GroupOptions(ctx context.Context, tenantID int64) ([]DirectoryGroup, error) {
	var out []DirectoryGroup
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+groupColumns+` FROM directory_groups g WHERE g.tenant_id = ?
			ORDER BY g.name COLLATE NOCASE, g.id`, tenantID)
		if err != nil {
			return fmt.Errorf("group options of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			g, err := scanGroup(rows)
			if err != nil {
				return err
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}

// Field separators inside group_concat results: names may hold any printable character.
const (
	groupItemSep  = "\x1f"
	groupFieldSep = "\x1e"
)

// GroupList returns one page of the tenant's groups, by name, with member counts and roles:
// two statements (the count and the page), whatever the page size.
func (db *DB) GroupList(ctx context.Context, tenantID int64, f GroupFilter) (ListPage[GroupListItem], error) {
	var page ListPage[GroupListItem]
	where, args := groupListWhere(tenantID, f)
	err := db.readTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM directory_groups g WHERE `+where, args...).Scan(&page.Total); err != nil {
			return fmt.Errorf("count groups: %w", err)
		}
		keyset, order, backward, hasCursor := "", "ORDER BY g.name COLLATE NOCASE, g.id", false, false
		pageArgs := slices.Clone(args)
		if c, ok := DecodeCursor(f.Before); ok {
			keyset = ` AND (g.name < ? COLLATE NOCASE OR (g.name = ? COLLATE NOCASE AND g.id < ?))`
			order, backward, hasCursor = "ORDER BY g.name COLLATE NOCASE DESC, g.id DESC", true, true
			pageArgs = append(pageArgs, c.Key, c.Key, c.ID)
		} else if c, ok := DecodeCursor(f.After); ok {
			keyset = ` AND (g.name > ? COLLATE NOCASE OR (g.name = ? COLLATE NOCASE AND g.id > ?))`
			hasCursor = true
			pageArgs = append(pageArgs, c.Key, c.Key, c.ID)
		}
		rows, err := tx.query(ctx, `SELECT `+groupColumns+`,
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm JOIN people p ON p.email = gm.email WHERE gm.group_id = g.id),
				(SELECT ifnull(group_concat(ra.role || char(30) || ifnull(ra.workspace_id, 0) || char(30) || ifnull(w.name, ''), char(31)), '')
					FROM role_assignments ra LEFT JOIN workspaces w ON w.id = ra.workspace_id WHERE ra.group_id = g.id),
				(SELECT count(*) FROM grants gr WHERE gr.group_id = g.id)
			FROM directory_groups g WHERE `+where+keyset+` `+order+` LIMIT ?`, append(pageArgs, PageSize+1)...)
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		defer rows.Close()
		var items []GroupListItem
		for rows.Next() {
			var it GroupListItem
			var roles string
			if it.DirectoryGroup, err = scanGroup(rows, &it.Members, &it.Registered, &roles, &it.Grants); err != nil {
				return err
			}
			it.Roles = parseGroupRoles(roles)
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		total := page.Total
		page = groupKeysetPage(items, func(it GroupListItem) Cursor { return Cursor{Key: it.Name, ID: it.ID} }, backward, hasCursor)
		page.Total = total
		return nil
	})
	return page, err
}

// groupListWhere builds the list's filter (without the keyset part) and its arguments.
func groupListWhere(tenantID int64, f GroupFilter) (string, []any) {
	where := []string{"g.tenant_id = ?"}
	args := []any{tenantID}
	if q := strings.TrimSpace(f.Search); q != "" {
		like := containsPattern(q)
		where = append(where, `(g.name LIKE ? ESCAPE '\' OR g.object_id LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.group_id = g.id AND ra.role = ?)`)
		args = append(args, string(f.Role))
	}
	const hasMember = `EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id)`
	const hasRegistered = `EXISTS (SELECT 1 FROM group_members gm JOIN people p ON p.email = gm.email WHERE gm.group_id = g.id)`
	switch f.Status {
	case GroupStatusRegistered:
		where = append(where, hasRegistered)
	case GroupStatusPending:
		where = append(where, hasMember+` AND NOT `+hasRegistered)
	case GroupStatusEmpty:
		where = append(where, `NOT `+hasMember)
	}
	return strings.Join(where, " AND "), args
}

func parseGroupRoles(s string) []GroupRoleRef {
	if s == "" {
		return nil
	}
	var out []GroupRoleRef
	for _, item := range strings.Split(s, groupItemSep) {
		parts := strings.SplitN(item, groupFieldSep, 3)
		if len(parts) != 3 {
			continue
		}
		var ws int64
		fmt.Sscan(parts[1], &ws)
		out = append(out, GroupRoleRef{Role: perm.Role(parts[0]), WorkspaceID: ws, WorkspaceName: parts[2]})
	}
	slices.SortFunc(out, func(a, b GroupRoleRef) int {
		if a.WorkspaceID == 0 != (b.WorkspaceID == 0) {
			if a.WorkspaceID == 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.WorkspaceName), strings.ToLower(b.WorkspaceName))
	})
	return out
}

// groupKeysetPage trims rows fetched PageSize+1 at a time (in reverse order when paging backward)
// into a page with the cursors of its neighbours.
func groupKeysetPage[T any](rows []T, cursorOf func(T) Cursor, backward, hasCursor bool) ListPage[T] {
	more := len(rows) > PageSize
	if more {
		rows = rows[:PageSize]
	}
	if backward {
		slices.Reverse(rows)
	}
	p := ListPage[T]{Items: rows}
	if len(rows) == 0 {
		return p
	}
	first, last := cursorOf(rows[0]).Encode(), cursorOf(rows[len(rows)-1]).Encode()
	if backward {
		p.Next = last
		if more {
			p.Prev = first
		}
	} else {
		if more {
			p.Next = last
		}
		if hasCursor {
			p.Prev = first
		}
	}
	return p
}

// GroupDetail reads one group, a page of its members (by email, keyset) and all it holds:
// three statements.
// viewerEmail is the person asking (ViewerIsMember).
func (db *DB) GroupDetail(ctx context.Context, tenantID, id int64, viewerEmail, membersAfter, membersBefore string) (GroupDetail, error) {
	var d GroupDetail
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		d.Group, err = scanGroup(tx.queryRow(ctx, `SELECT `+groupColumns+`,
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm JOIN people p ON p.email = gm.email WHERE gm.group_id = g.id),
				ifnull((SELECT t.admin_group_id = g.id FROM tenants t WHERE t.id = g.tenant_id), 0),
				EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND gm.email = ?)
			FROM directory_groups g WHERE g.id = ? AND g.tenant_id = ?`, strings.TrimSpace(viewerEmail), id, tenantID),
			&d.MemberCount, &d.Registered, &d.IsAdminGroup, &d.ViewerIsMember)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("directory group %d: %w", id, err)
		}
		if d.Members, err = groupMembersPage(ctx, tx, id, membersAfter, membersBefore); err != nil {
			return err
		}
		d.Access, d.Workspaces, err = groupAccessOf(ctx, tx, tenantID, id)
		return err
	})
	return d, err
}

// groupMembersPage reads one page of a group's members by email, with their accounts.
func groupMembersPage(ctx context.Context, tx *Tx, groupID int64, after, before string) (ListPage[GroupMember], error) {
	keyset, order, backward, hasCursor := "", "ORDER BY gm.email", false, false
	args := []any{groupID}
	if c, ok := DecodeCursor(before); ok {
		keyset, order, backward, hasCursor = " AND gm.email < ?", "ORDER BY gm.email DESC", true, true
		args = append(args, c.Key)
	} else if c, ok := DecodeCursor(after); ok {
		keyset, hasCursor = " AND gm.email > ?", true
		args = append(args, c.Key)
	}
	rows, err := tx.query(ctx, `SELECT gm.email, ifnull(p.id, 0), ifnull(p.display_name, ''), gm.created_at
		FROM group_members gm LEFT JOIN people p ON p.email = gm.email
		WHERE gm.group_id = ?`+keyset+` `+order+` LIMIT ?`, append(args, PageSize+1)...)
	if err != nil {
		return ListPage[GroupMember]{}, fmt.Errorf("members of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []GroupMember
	for rows.Next() {
		var m GroupMember
		var added string
		if err := rows.Scan(&m.Email, &m.PersonID, &m.DisplayName, &added); err != nil {
			return ListPage[GroupMember]{}, err
		}
		m.AddedAt = parseTime(added)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return ListPage[GroupMember]{}, err
	}
	return groupKeysetPage(out, func(m GroupMember) Cursor { return Cursor{Key: m.Email} }, backward, hasCursor), nil
}

// groupAccessOf reads in one statement the group's roles, grants and access times per scope,
// and the tenant's workspaces (the grant forms offer them).
func groupAccessOf(ctx context.Context, tx *Tx, tenantID, groupID int64) ([]GroupScopeAccess, []GroupWorkspaceOption, error) {
	rows, err := tx.query(ctx, `
		SELECT 'scope', '', ifnull(ga.workspace_id, 0), ifnull(w.name, ''), ga.granted_at, ga.changed_at
		FROM group_access ga LEFT JOIN workspaces w ON w.id = ga.workspace_id WHERE ga.group_id = ?1
		UNION ALL
		SELECT 'role', ra.role, ifnull(ra.workspace_id, 0), ifnull(w.name, ''), ra.created_at, ra.created_at
		FROM role_assignments ra LEFT JOIN workspaces w ON w.id = ra.workspace_id WHERE ra.group_id = ?1
		UNION ALL
		SELECT 'grant', gr.permission, ifnull(gr.workspace_id, 0), ifnull(w.name, ''), gr.created_at, gr.created_at
		FROM grants gr LEFT JOIN workspaces w ON w.id = gr.workspace_id WHERE gr.group_id = ?1
		UNION ALL
		SELECT 'workspace', '', w.id, w.name, w.is_default, '' FROM workspaces w WHERE w.tenant_id = ?2`, groupID, tenantID)
	if err != nil {
		return nil, nil, fmt.Errorf("access of group %d: %w", groupID, err)
	}
	defer rows.Close()
	scopes := map[int64]*GroupScopeAccess{}
	var workspaces []GroupWorkspaceOption
	scope := func(ws int64, name string) *GroupScopeAccess {
		if scopes[ws] == nil {
			scopes[ws] = &GroupScopeAccess{WorkspaceID: ws, WorkspaceName: name}
		}
		return scopes[ws]
	}
	for rows.Next() {
		var kind, name, wsName, first, second string
		var ws int64
		if err := rows.Scan(&kind, &name, &ws, &wsName, &first, &second); err != nil {
			return nil, nil, err
		}
		switch kind {
		case "workspace":
			workspaces = append(workspaces, GroupWorkspaceOption{ID: ws, Name: wsName, IsDefault: first == "1"})
		case "scope":
			s := scope(ws, wsName)
			s.GrantedAt, s.ChangedAt = parseTime(first), parseTime(second)
		case "role":
			s := scope(ws, wsName)
			s.Roles = append(s.Roles, perm.Role(name))
			groupWidenTimes(s, parseTime(first))
		case "grant":
			s := scope(ws, wsName)
			s.Grants = append(s.Grants, perm.Permission(name))
			groupWidenTimes(s, parseTime(first))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make([]GroupScopeAccess, 0, len(scopes))
	for _, s := range scopes {
		if len(s.Roles) == 0 && len(s.Grants) == 0 {
			continue // a stale access row without anything held
		}
		sortGroupScope(s)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b GroupScopeAccess) int {
		if (a.WorkspaceID == 0) != (b.WorkspaceID == 0) {
			if a.WorkspaceID == 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.WorkspaceName), strings.ToLower(b.WorkspaceName))
	})
	slices.SortFunc(workspaces, func(a, b GroupWorkspaceOption) int {
		if a.IsDefault != b.IsDefault {
			if a.IsDefault {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, workspaces, nil
}

// groupWidenTimes fills a scope's times from its rows when the access row is missing (data
// written before migration 006): granted at the oldest row, changed at the newest.
func groupWidenTimes(s *GroupScopeAccess, at time.Time) {
	if s.GrantedAt.IsZero() || at.Before(s.GrantedAt) {
		s.GrantedAt = at
	}
	if s.ChangedAt.IsZero() || at.After(s.ChangedAt) {
		s.ChangedAt = at
	}
}

// sortGroupScope puts roles and permissions in matrix order.
func sortGroupScope(s *GroupScopeAccess) {
	slices.SortFunc(s.Roles, func(a, b perm.Role) int {
		ca, _ := a.Column()
		cb, _ := b.Column()
		return int(ca) - int(cb)
	})
	groupSortPermissions(s.Grants)
}

// groupSortPermissions sorts permissions in matrix order, in place.
func groupSortPermissions(ps []perm.Permission) {
	order := map[perm.Permission]int{}
	for i, p := range perm.Permissions() {
		order[p] = i
	}
	slices.SortFunc(ps, func(a, b perm.Permission) int { return order[a] - order[b] })
}

// CreateGroup creates a directory group. A repeated submission of the same form creates
// nothing and returns the group made the first time with ErrDuplicate.
func (db *DB) CreateGroup(ctx context.Context, ga GroupActor, tenantID int64, ng NewGroup) (int64, error) {
	if errs := ValidateNewGroup(ng); len(errs) > 0 {
		return 0, &ValidationError{Fields: errs}
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		var err error
		id, err = createGroupTx(ctx, tx, ga, tenantID, ng)
		return err
	})
	return id, err
}

// createGroupTx claims the form's token, inserts the group and audits it. On a repeated token
// it finds the group by object ID and returns it with ErrDuplicate.
func createGroupTx(ctx context.Context, tx *Tx, ga GroupActor, tenantID int64, ng NewGroup) (int64, error) {
	objectID := NormalizeObjectID(ng.ObjectID)
	if err := claimSubmission(ctx, tx, tenantID, ng.Submission); err != nil {
		if errors.Is(err, ErrDuplicate) {
			var id int64
			if e := tx.queryRow(ctx, `SELECT id FROM directory_groups WHERE tenant_id = ? AND object_id = ?`, tenantID, objectID).Scan(&id); e != nil {
				return 0, err
			}
			return id, ErrDuplicate
		}
		return 0, err
	}
	name := strings.TrimSpace(ng.Name)
	now := tx.now()
	res, err := tx.exec(ctx, `INSERT INTO directory_groups (tenant_id, name, object_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, name, objectID, now, now)
	if isUniqueViolation(err) {
		return 0, Invalid("object_id", "groups.error.object_id_taken")
	}
	if err != nil {
		return 0, fmt.Errorf("create group: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: ga.Actor, Action: "group.create", TargetKind: "group",
		TargetID: id, TargetLabel: name, After: map[string]string{"group_name": name, "group_object_id": objectID}})
}

// RenameGroup renames a group if version is still current (else ErrConflict).
func (db *DB) RenameGroup(ctx context.Context, ga GroupActor, tenantID, id, version int64, name string) error {
	if msg := ValidateGroupName(name); msg != "" {
		return Invalid("name", msg)
	}
	name = strings.TrimSpace(name)
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if g.Version != version {
			return ErrConflict
		}
		if g.Name == name {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE directory_groups SET name = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			name, tx.now(), id, version); err != nil {
			return fmt.Errorf("rename group %d: %w", id, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: ga.Actor, Action: "group.rename", TargetKind: "group",
			TargetID: id, TargetLabel: name, Before: g.Name, After: name})
	})
}

// AddGroupMembers adds member emails to a group, one audit row per address added; addresses
// already in the group are left as they are. It returns how many were added.
func (db *DB) AddGroupMembers(ctx context.Context, ga GroupActor, tenantID, groupID int64, emails []string) (int, error) {
	var added int
	err := db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		added, err = addGroupMembersTx(ctx, tx, ga, g, emails)
		return err
	})
	return added, err
}

func addGroupMembersTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, emails []string) (int, error) {
	added := 0
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if !ValidEmail(e) {
			return 0, Invalid("emails", "groups.error.email_invalid")
		}
		if strings.EqualFold(e, ga.Actor.Email) {
			if err := ga.checkSelfMembership(ctx, tx, g.ID); err != nil {
				return 0, err
			}
		}
		res, err := tx.exec(ctx, `INSERT INTO group_members (group_id, email, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, g.ID, e, tx.now())
		if err != nil {
			return 0, fmt.Errorf("add member to group %d: %w", g.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		added++
		if err := audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.member.add", TargetKind: "group",
			TargetID: g.ID, TargetLabel: g.Name, After: e}); err != nil {
			return 0, err
		}
	}
	if added > 0 {
		if err := syncGroupWorkspaceMembers(ctx, tx, g.TenantID); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// RemoveGroupMember takes an email out of a group. The person loses what the group gave them
// on their next request. ErrNotFound when the email is not a member.
func (db *DB) RemoveGroupMember(ctx context.Context, ga GroupActor, tenantID, groupID int64, email string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return removeGroupMemberTx(ctx, tx, ga, g, email)
	})
}

func removeGroupMemberTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if strings.EqualFold(email, ga.Actor.Email) {
		if err := ga.checkSelfMembership(ctx, tx, g.ID); err != nil {
			return err
		}
	}
	res, err := tx.exec(ctx, `DELETE FROM group_members WHERE group_id = ? AND email = ?`, g.ID, email)
	if err != nil {
		return fmt.Errorf("remove member from group %d: %w", g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if err := checkAdministratorsLeftAfter(ctx, tx, g.TenantID, g.ID); err != nil {
		return err
	}
	if err := syncGroupWorkspaceMembers(ctx, tx, g.TenantID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.member.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, Before: email})
}

// DeleteGroup deletes a group (if version is current) with its members, roles and grants.
// Deleting the tenant's Administrator group of the quick start also clears the administration
// model, so the CSM is asked to choose again.
func (db *DB) DeleteGroup(ctx context.Context, ga GroupActor, tenantID, id, version int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if g.Version != version {
			return ErrConflict
		}
		holds, err := groupHoldsAccess(ctx, tx, id)
		if err != nil {
			return err
		}
		if holds {
			if err := ga.checkNotMember(ctx, tx, id); err != nil {
				return err
			}
		}
		before, err := groupSnapshot(ctx, tx, g)
		if err != nil {
			return err
		}
		heldAdministrator, err := groupHoldsRole(ctx, tx, id, perm.RoleGlobalAdmin)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE tenants SET admin_model = '' WHERE id = ? AND admin_group_id = ?`, tenantID, id); err != nil {
			return fmt.Errorf("clear administration model: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM directory_groups WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete group %d: %w", id, err)
		}
		if err := syncGroupWorkspaceMembers(ctx, tx, tenantID); err != nil {
			return err
		}
		if heldAdministrator {
			if err := checkAdministratorsLeft(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: ga.Actor, Action: "group.delete", TargetKind: "group",
			TargetID: id, TargetLabel: g.Name, Before: before})
	})
}

// groupSnapshot is what the audit row of a deletion keeps of the group.
func groupSnapshot(ctx context.Context, tx *Tx, g DirectoryGroup) (map[string]any, error) {
	var members int
	var roles, grants string
	err := tx.queryRow(ctx, `SELECT
			(SELECT count(*) FROM group_members WHERE group_id = ?1),
			(SELECT ifnull(group_concat(role || ifnull(':' || workspace_id, ''), ' '), '') FROM role_assignments WHERE group_id = ?1),
			(SELECT ifnull(group_concat(permission || ifnull(':' || workspace_id, ''), ' '), '') FROM grants WHERE group_id = ?1)`, g.ID).
		Scan(&members, &roles, &grants)
	if err != nil {
		return nil, fmt.Errorf("snapshot of group %d: %w", g.ID, err)
	}
	return map[string]any{"group_name": g.Name, "group_object_id": g.ObjectID, "group_members": members, "group_roles": roles, "group_grants": grants}, nil
}

// GrantGroupRole gives a group a role: Administrator (global_admin) with workspaceID 0, or
// Workspace Admin of one workspace. Giving a role already held writes nothing.
func (db *DB) GrantGroupRole(ctx context.Context, ga GroupActor, tenantID, groupID int64, role perm.Role, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		_, err = grantGroupRoleTx(ctx, tx, ga, g, role, workspaceID)
		return err
	})
}

// checkGroupRole validates a role change's role, scope and the actor's right to make it.
func checkGroupRole(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) error {
	if !GroupRoleAllowed(role) {
		return Invalid("role", "groups.error.role_unknown")
	}
	if role.WorkspaceScoped() != (workspaceID != 0) {
		return Invalid("workspace", "groups.error.workspace_required")
	}
	if workspaceID != 0 {
		if _, err := workspaceByID(ctx, tx, g.TenantID, workspaceID); err != nil {
			return err
		}
	}
	if !ga.designated && !groupCanGiveRole(ga.Access, role, workspaceID) {
		return Deny("groups.error.role_not_held")
	}
	return ga.checkNotMember(ctx, tx, g.ID)
}

// grantGroupRoleTx gives the role and audits it; changed is false when it was already held.
func grantGroupRoleTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) (bool, error) {
	if err := checkGroupRole(ctx, tx, ga, g, role, workspaceID); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO role_assignments (tenant_id, group_id, role, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.TenantID, g.ID, string(role), nullID(workspaceID), nullID(ga.Actor.PersonID), tx.now())
	if err != nil {
		return false, fmt.Errorf("give group %d role %s: %w", g.ID, role, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return false, err
	}
	return true, audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.role.add", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, After: string(role)})
}

// RevokeGroupRole takes a role back from a group. ErrNotFound when the group does not hold it.
func (db *DB) RevokeGroupRole(ctx context.Context, ga GroupActor, tenantID, groupID int64, role perm.Role, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return revokeGroupRoleTx(ctx, tx, ga, g, role, workspaceID)
	})
}

func revokeGroupRoleTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) error {
	if err := checkGroupRole(ctx, tx, ga, g, role, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE group_id = ? AND role = ? AND ifnull(workspace_id, 0) = ?`,
		g.ID, string(role), workspaceID)
	if err != nil {
		return fmt.Errorf("revoke role %s from group %d: %w", role, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if role == perm.RoleGlobalAdmin {
		if err := checkAdministratorsLeft(ctx, tx, g.TenantID); err != nil {
			return err
		}
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.role.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, Before: string(role)})
}

// GrantGroupPermission grants a group an individual (G) permission, tenant-level with
// workspaceID 0 or in one workspace. Granting what it already has writes nothing.
func (db *DB) GrantGroupPermission(ctx context.Context, ga GroupActor, tenantID, groupID int64, p perm.Permission, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		_, err = grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID)
		return err
	})
}

// checkGroupPermission validates a permission change: a grantable permission of the matrix,
// in its scope, held by the actor there, on a group the actor is not in.
func checkGroupPermission(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) error {
	if !p.Valid() {
		return Invalid("permission", "perm.error.unknown")
	}
	if !perm.Grantable(p) {
		return Refuse("perm.error.not_grantable")
	}
	if (p.Scope() == perm.ScopeWorkspace) != (workspaceID != 0) {
		return Invalid("workspace", "groups.error.workspace_required")
	}
	if workspaceID != 0 {
		if _, err := workspaceByID(ctx, tx, g.TenantID, workspaceID); err != nil {
			return err
		}
	}
	if p == perm.SupportContact {
		// A Support contact seat is named for a person (the contract counts people); a group
		// would take an unknown number of seats, and more with every member it gains.
		return Refuse("groups.error.support_contact")
	}
	if !MayGrant(ga.Access, p, workspaceID) {
		return Deny("perm.error.may_not_grant")
	}
	return ga.checkNotMember(ctx, tx, g.ID)
}

func grantGroupPermissionTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) (bool, error) {
	if err := checkGroupPermission(ctx, tx, ga, g, p, workspaceID); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO grants (tenant_id, group_id, permission, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.TenantID, g.ID, string(p), nullID(workspaceID), nullID(ga.Actor.PersonID), tx.now())
	if err != nil {
		return false, fmt.Errorf("grant %s to group %d: %w", p, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return false, err
	}
	return true, audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.grant.add", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, After: string(p)})
}

// RevokeGroupPermission takes a granted permission back from a group (ErrNotFound when the
// group does not have it).
func (db *DB) RevokeGroupPermission(ctx context.Context, ga GroupActor, tenantID, groupID int64, p perm.Permission, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return revokeGroupPermissionTx(ctx, tx, ga, g, p, workspaceID)
	})
}

func revokeGroupPermissionTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) error {
	if err := checkGroupPermission(ctx, tx, ga, g, p, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM grants WHERE group_id = ? AND permission = ? AND ifnull(workspace_id, 0) = ?`,
		g.ID, string(p), workspaceID)
	if err != nil {
		return fmt.Errorf("revoke %s from group %d: %w", p, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.grant.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, Before: string(p)})
}

// groupCanGiveRole says who gives a group a role: Administrator only the tenant's
// administrators (Global Admins and CSAMs name Global Admins, product.md §4); Workspace Admin
// whoever may manage the workspace's people, the same rule as making a person Workspace Admin
// and as granting each of its permissions (MayGrant).
func groupCanGiveRole(a perm.Access, r perm.Role, workspaceID int64) bool {
	switch r {
	case perm.RoleGlobalAdmin:
		return a.IsTenantAdmin()
	case perm.RoleWorkspaceAdmin:
		return workspaceID > 0 && canManageUsers(a, workspaceID)
	}
	return false
}

// GroupGrantable reports whether p may be granted to a directory group: a G permission other
// than Support contact, whose seats are named for people.
func GroupGrantable(p perm.Permission) bool {
	return perm.Grantable(p) && p != perm.SupportContact
}

// checkNotMember refuses a change of the group's access by one of its own members: it would
// change their own roles.
func (ga GroupActor) checkNotMember(ctx context.Context, tx *Tx, groupID int64) error {
	if ga.designated {
		return nil
	}
	in, err := groupHasMember(ctx, tx, groupID, ga.Actor.Email)
	if err != nil {
		return err
	}
	if in {
		return Deny("groups.error.self")
	}
	return nil
}

// checkSelfMembership refuses adding or removing oneself while the group holds access.
func (ga GroupActor) checkSelfMembership(ctx context.Context, tx *Tx, groupID int64) error {
	if ga.designated {
		return nil
	}
	holds, err := groupHoldsAccess(ctx, tx, groupID)
	if err != nil {
		return err
	}
	if holds {
		return Deny("groups.error.self_member")
	}
	return nil
}

func groupHasMember(ctx context.Context, tx *Tx, groupID int64, email string) (bool, error) {
	if email == "" {
		return false, nil
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM group_members WHERE group_id = ? AND email = ?`, groupID, strings.TrimSpace(email)).Scan(&n); err != nil {
		return false, fmt.Errorf("membership in group %d: %w", groupID, err)
	}
	return n > 0, nil
}

func groupHoldsAccess(ctx context.Context, tx *Tx, groupID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments WHERE group_id = ?1)
		OR EXISTS (SELECT 1 FROM grants WHERE group_id = ?1)`, groupID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("access of group %d: %w", groupID, err)
	}
	return n != 0, nil
}

// checkAdministratorsLeftAfter runs checkAdministratorsLeft after a change to the members of
// a group, when that group holds the Administrator role (other groups cannot matter).
func checkAdministratorsLeftAfter(ctx context.Context, tx *Tx, tenantID, groupID int64) error {
	holds, err := groupHoldsRole(ctx, tx, groupID, perm.RoleGlobalAdmin)
	if err != nil || !holds {
		return err
	}
	return checkAdministratorsLeft(ctx, tx, tenantID)
}

func groupHoldsRole(ctx context.Context, tx *Tx, groupID int64, role perm.Role) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM role_assignments WHERE group_id = ? AND role = ?`, groupID, string(role)).Scan(&n); err != nil {
		return false, fmt.Errorf("roles of group %d: %w", groupID, err)
	}
	return n > 0, nil
}

// checkAdministratorsLeft refuses a change after which nobody would hold the Administrator
// (Global Admin) role in the tenant, personally or as a member of a group holding it.
func checkAdministratorsLeft(ctx context.Context, tx *Tx, tenantID int64) error {
	var n int
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments WHERE tenant_id = ?1 AND role = 'global_admin' AND person_id IS NOT NULL)
		OR EXISTS (SELECT 1 FROM role_assignments ra JOIN group_members gm ON gm.group_id = ra.group_id
			WHERE ra.tenant_id = ?1 AND ra.role = 'global_admin')`, tenantID).Scan(&n)
	if err != nil {
		return fmt.Errorf("administrators of tenant %d: %w", tenantID, err)
	}
	if n == 0 {
		return Refuse("groups.error.last_admin")
	}
	return nil
}

// touchGroupAccess keeps group_access in step after a change of the group's roles or grants
// in one scope: first access sets granted_at, every change sets changed_at, and the row goes
// when nothing is left.
func touchGroupAccess(ctx context.Context, tx *Tx, tenantID, groupID, workspaceID int64) error {
	if err := syncGroupWorkspaceMembers(ctx, tx, tenantID); err != nil {
		return err
	}
	var held int
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments WHERE group_id = ?1 AND ifnull(workspace_id, 0) = ?2)
		OR EXISTS (SELECT 1 FROM grants WHERE group_id = ?1 AND ifnull(workspace_id, 0) = ?2)`, groupID, workspaceID).Scan(&held)
	if err != nil {
		return fmt.Errorf("access of group %d: %w", groupID, err)
	}
	if held == 0 {
		_, err := tx.exec(ctx, `DELETE FROM group_access WHERE group_id = ? AND ifnull(workspace_id, 0) = ?`, groupID, workspaceID)
		return err
	}
	now := tx.now()
	res, err := tx.exec(ctx, `UPDATE group_access SET changed_at = ? WHERE group_id = ? AND ifnull(workspace_id, 0) = ?`, now, groupID, workspaceID)
	if err != nil {
		return fmt.Errorf("touch access of group %d: %w", groupID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO group_access (tenant_id, group_id, workspace_id, granted_at, changed_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, groupID, nullID(workspaceID), now, now)
	if err != nil {
		return fmt.Errorf("record access of group %d: %w", groupID, err)
	}
	return nil
}

// WorkspaceGroupRow is one directory group with access in a workspace (product.md §5 "Entra
// group access").
type WorkspaceGroupRow struct {
	Group      DirectoryGroup
	Admin      bool              // holds Workspace Admin here
	Grants     []perm.Permission // permissions granted to it here, in matrix order
	GrantedAt  time.Time
	ChangedAt  time.Time
	Members    int
	Registered int
}

// WorkspaceGroupAccess lists one page of the groups holding anything in a workspace, by name,
// with what they hold there, when it was granted and last changed, and how many of their
// members are registered: one statement.
func (db *DB) WorkspaceGroupAccess(ctx context.Context, tenantID, workspaceID int64, after, before string) (ListPage[WorkspaceGroupRow], error) {
	var page ListPage[WorkspaceGroupRow]
	err := db.readTx(ctx, func(tx *Tx) error {
		keyset, order, backward, hasCursor := "", "ORDER BY g.name COLLATE NOCASE, g.id", false, false
		args := []any{tenantID, workspaceID}
		if c, ok := DecodeCursor(before); ok {
			keyset = ` AND (g.name < ?3 COLLATE NOCASE OR (g.name = ?3 COLLATE NOCASE AND g.id < ?4))`
			order, backward, hasCursor = "ORDER BY g.name COLLATE NOCASE DESC, g.id DESC", true, true
			args = append(args, c.Key, c.ID)
		} else if c, ok := DecodeCursor(after); ok {
			keyset, hasCursor = ` AND (g.name > ?3 COLLATE NOCASE OR (g.name = ?3 COLLATE NOCASE AND g.id > ?4))`, true
			args = append(args, c.Key, c.ID)
		}
		rows, err := tx.query(ctx, `SELECT `+groupColumns+`, ga.granted_at, ga.changed_at,
				EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.group_id = g.id AND ra.role = 'workspace_admin' AND ra.workspace_id = ?2),
				(SELECT ifnull(group_concat(gr.permission, ' '), '') FROM grants gr WHERE gr.group_id = g.id AND gr.workspace_id = ?2),
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm JOIN people p ON p.email = gm.email WHERE gm.group_id = g.id)
			FROM group_access ga JOIN directory_groups g ON g.id = ga.group_id
			WHERE g.tenant_id = ?1 AND ga.workspace_id = ?2`+keyset+` `+order+fmt.Sprintf(` LIMIT %d`, PageSize+1), args...)
		if err != nil {
			return fmt.Errorf("group access in workspace %d: %w", workspaceID, err)
		}
		defer rows.Close()
		var out []WorkspaceGroupRow
		for rows.Next() {
			var r WorkspaceGroupRow
			var granted, changed, grants string
			if r.Group, err = scanGroup(rows, &granted, &changed, &r.Admin, &grants, &r.Members, &r.Registered); err != nil {
				return err
			}
			r.GrantedAt, r.ChangedAt = parseTime(granted), parseTime(changed)
			for _, p := range strings.Fields(grants) {
				r.Grants = append(r.Grants, perm.Permission(p))
			}
			groupSortPermissions(r.Grants)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page = groupKeysetPage(out, func(r WorkspaceGroupRow) Cursor { return Cursor{Key: r.Group.Name, ID: r.Group.ID} }, backward, hasCursor)
		return nil
	})
	return page, err
}

// WorkspaceGroupGrant gives a group access in a workspace: an existing group (GroupID), or a
// new one made from New when GroupID is 0.
type WorkspaceGroupGrant struct {
	GroupID int64
	New     NewGroup
	Admin   bool              // give Workspace Admin
	Grants  []perm.Permission // give these permissions
}

// GiveWorkspaceGroupAccess adds to what a group holds in a workspace (creating the group
// first when asked), one audit row per change, in one transaction. It returns the group's id.
// A repeated create form returns the group made the first time with ErrDuplicate.
func (db *DB) GiveWorkspaceGroupAccess(ctx context.Context, ga GroupActor, tenantID, workspaceID int64, give WorkspaceGroupGrant) (int64, error) {
	if !give.Admin && len(give.Grants) == 0 {
		return 0, Invalid("access", "groups.error.nothing_given")
	}
	if give.GroupID == 0 {
		if errs := ValidateNewGroup(give.New); len(errs) > 0 {
			return 0, &ValidationError{Fields: errs}
		}
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		if _, err := workspaceByID(ctx, tx, tenantID, workspaceID); err != nil {
			return err
		}
		var g DirectoryGroup
		var err error
		if give.GroupID != 0 {
			g, err = groupByID(ctx, tx, tenantID, give.GroupID)
		} else {
			if id, err = createGroupTx(ctx, tx, ga, tenantID, give.New); err != nil {
				return err
			}
			g, err = groupByID(ctx, tx, tenantID, id)
		}
		if err != nil {
			return err
		}
		id = g.ID
		if give.Admin {
			if _, err := grantGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
		}
		for _, p := range give.Grants {
			if _, err := grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// SetWorkspaceGroupAccess makes what a group holds in a workspace exactly admin + grants
// (the edit form posts the target state), one audit row per change. Setting nothing revokes
// the group's access there; ErrNotFound when it had none to revoke.
func (db *DB) SetWorkspaceGroupAccess(ctx context.Context, ga GroupActor, tenantID, workspaceID, groupID int64, admin bool, grants []perm.Permission) (int, error) {
	changed := 0
	err := db.writeTx(ctx, func(tx *Tx) error {
		if _, err := workspaceByID(ctx, tx, tenantID, workspaceID); err != nil {
			return err
		}
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		access, _, err := groupAccessOf(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		var have GroupScopeAccess
		for _, s := range access {
			if s.WorkspaceID == workspaceID {
				have = s
			}
		}
		if !admin && len(grants) == 0 && len(have.Roles) == 0 && len(have.Grants) == 0 {
			return ErrNotFound
		}
		hadAdmin := slices.Contains(have.Roles, perm.RoleWorkspaceAdmin)
		switch {
		case admin && !hadAdmin:
			if _, err := grantGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
			changed++
		case !admin && hadAdmin:
			if err := revokeGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
			changed++
		}
		for _, p := range have.Grants {
			if !slices.Contains(grants, p) {
				if err := revokeGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
					return err
				}
				changed++
			}
		}
		for _, p := range grants {
			if !slices.Contains(have.Grants, p) {
				if _, err := grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// CanGiveGroupRole reports whether someone with access a may give (or take back) role r to a
// group, in workspace workspaceID for Workspace Admin. Views use it to offer only what the
// store would accept.
func CanGiveGroupRole(a perm.Access, r perm.Role, workspaceID int64) bool {
	return GroupRoleAllowed(r) && groupCanGiveRole(a, r, workspaceID)
}
