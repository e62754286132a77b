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
	// Invite, when set, writes the invitation message for an address added to a group whose
	// owner has not joined the tenant (or not proven the mailbox): the group reaches them only
	// once they accept it (docs/security.md).
	Invite InvitationMail
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

// groupAtVersion reads a group for a change made from a page showing version: ErrConflict when
// someone changed the group since.
func groupAtVersion(ctx context.Context, tx *Tx, tenantID, id, version int64) (DirectoryGroup, error) {
	g, err := groupByID(ctx, tx, tenantID, id)
	if err == nil && g.Version != version {
		return g, ErrConflict
	}
	return g, err
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
		k := readKeyset(f.After, f.Before)
		seek, order := "", "ORDER BY g.name COLLATE NOCASE, g.id"
		pageArgs := slices.Clone(args)
		switch {
		case k.Backward:
			seek = ` AND (g.name < ? COLLATE NOCASE OR (g.name = ? COLLATE NOCASE AND g.id < ?))`
			order = "ORDER BY g.name COLLATE NOCASE DESC, g.id DESC"
			pageArgs = append(pageArgs, k.Cursor.Key, k.Cursor.Key, k.Cursor.ID)
		case k.Has:
			seek = ` AND (g.name > ? COLLATE NOCASE OR (g.name = ? COLLATE NOCASE AND g.id > ?))`
			pageArgs = append(pageArgs, k.Cursor.Key, k.Cursor.Key, k.Cursor.ID)
		}
		rows, err := tx.query(ctx, `SELECT `+groupColumns+`,
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id AND EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id WHERE ap.email = gm.email AND atm.tenant_id = g.tenant_id AND ap.mailbox_verified = 1)),
				(SELECT ifnull(group_concat(ra.role || char(30) || ifnull(ra.workspace_id, 0) || char(30) || ifnull(w.name, ''), char(31)), '')
					FROM role_assignments ra LEFT JOIN workspaces w ON w.id = ra.workspace_id WHERE ra.group_id = g.id),
				(SELECT count(*) FROM grants gr WHERE gr.group_id = g.id)
			FROM directory_groups g WHERE `+where+seek+` `+order+` LIMIT ?`, append(pageArgs, PageSize+1)...)
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
		page, _ = keysetPage(items, func(it GroupListItem) Cursor { return Cursor{Key: it.Name, ID: it.ID} }, k)
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
	const hasRegistered = `EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id WHERE ap.email = gm.email AND atm.tenant_id = g.tenant_id AND ap.mailbox_verified = 1))`
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

// GroupDetail reads one group, a page of its members (by email, keyset) and all it holds:
// three statements.
// viewerEmail is the person asking (ViewerIsMember).
func (db *DB) GroupDetail(ctx context.Context, tenantID, id int64, viewerEmail, membersAfter, membersBefore string) (GroupDetail, error) {
	var d GroupDetail
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		d.Group, err = scanGroup(tx.queryRow(ctx, `SELECT `+groupColumns+`,
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id AND EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id WHERE ap.email = gm.email AND atm.tenant_id = g.tenant_id AND ap.mailbox_verified = 1)),
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
		g, err := groupAtVersion(ctx, tx, tenantID, id, version)
		if err != nil {
			return err
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

// DeleteGroup deletes a group (if version is current) with its members, roles and grants.
// Deleting the tenant's Administrator group of the quick start also clears the administration
// model, so the CSM is asked to choose again.
func (db *DB) DeleteGroup(ctx context.Context, ga GroupActor, tenantID, id, version int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupAtVersion(ctx, tx, tenantID, id, version)
		if err != nil {
			return err
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
	// Only administrators who can sign in count: a registered, enabled person holding the role,
	// or one a group holding it reaches (docs/security.md).
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments ra JOIN people p ON p.id = ra.person_id
			WHERE ra.tenant_id = ?1 AND ra.role = 'global_admin' AND p.password_hash <> '' AND p.disabled = 0)
		OR EXISTS (SELECT 1 FROM role_assignments ra JOIN group_members gm ON gm.group_id = ra.group_id
			JOIN people p ON p.email = gm.email AND p.password_hash <> '' AND p.disabled = 0
			WHERE ra.tenant_id = ?1 AND ra.role = 'global_admin' AND `+groupMemberActiveSQL("gm.email", "?1")+`)`, tenantID).Scan(&n)
	if err != nil {
		return fmt.Errorf("administrators of tenant %d: %w", tenantID, err)
	}
	if n == 0 {
		return Refuse("groups.error.last_admin")
	}
	return nil
}
