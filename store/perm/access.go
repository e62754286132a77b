package perm

import (
	"cmp"
	"slices"
)

// GroupRef names a directory (Entra) group through which a person holds a
// role or a permission.
type GroupRef struct {
	ID   int64
	Name string
}

// RoleAssignment is one role held by a person, personally or through a group.
type RoleAssignment struct {
	Role Role
	// WorkspaceID is the workspace of a Workspace Admin assignment and 0 for
	// every other role, which is held tenant-wide.
	WorkspaceID int64
	// Group is the group the role was given to; nil when held personally.
	Group *GroupRef
}

// Grant is one permission granted individually, to the person or to a group
// they are in.
type Grant struct {
	Permission Permission
	// WorkspaceID is the workspace of a workspace-level grant and 0 for a
	// tenant-level one.
	WorkspaceID int64
	// Group is the group the permission was granted to; nil when granted to
	// the person.
	Group *GroupRef
}

// Input is everything Compute needs to know about one person in one tenant.
// The caller has already merged in the roles and grants of the person's
// groups, each with its Group set.
type Input struct {
	// DefaultWorkspaceID is the tenant's default workspace: the only one
	// where Services Admins hold workspace permissions (footnote ²).
	DefaultWorkspaceID int64
	Roles              []RoleAssignment
	Grants             []Grant
}

// SourceKind says how a permission came to be held.
type SourceKind int

// Source kinds, in the order Why lists them. The zero value is no source.
const (
	// SourceRole: the X cell of a role the person holds personally.
	SourceRole SourceKind = iota + 1
	// SourceGroup: through a directory group; Source.Role is set when the
	// group holds a role, empty when the permission was granted to the group.
	SourceGroup
	// SourceGrant: granted to the person individually.
	SourceGrant
)

// Source is one reason why a permission is held, for "who has it and why".
type Source struct {
	Kind SourceKind
	// Role is the role whose X cell gives the permission; empty for grants.
	Role Role
	// Group is the group it came through; nil unless Kind is SourceGroup.
	Group *GroupRef
	// Note copies the footnote of the matrix cell (0, 1 or 2), so a view can
	// show "X¹" or "G¹" next to the reason.
	Note int
}

// Access is the effective permissions of one person in one tenant, built by
// Compute. The zero value holds nothing.
type Access struct {
	tenant map[Permission][]Source
	// workspace holds what applies in one workspace only (Services Admin in
	// the default workspace, Workspace Admin assignments, grants).
	workspace map[int64]map[Permission][]Source
	// everyWorkspace holds what applies in every workspace of the tenant: the
	// cells of tenant-wide roles that reach all workspaces (CSAM, IM).
	everyWorkspace map[Permission][]Source
	roles          map[Role]bool
	adminOf        map[int64]bool
}

// Compute returns the effective permissions described by in (product.md §3):
// in each scope, the union of the X cells of the roles held there (personally
// or through a group) and of the grantable individual grants. Assignments and
// grants that do not fit the rules are ignored rather than trusted: an
// unknown role or permission, a Workspace Admin without a workspace, a
// tenant-wide role or a tenant-level grant carrying a workspace, a
// workspace-level grant without one, and any grant of a permission that is
// not Grantable.
func Compute(in Input) Access {
	a := Access{
		tenant:         map[Permission][]Source{},
		workspace:      map[int64]map[Permission][]Source{},
		everyWorkspace: map[Permission][]Source{},
		roles:          map[Role]bool{},
		adminOf:        map[int64]bool{},
	}
	for _, ra := range in.Roles {
		col, ok := ra.Role.Column()
		if !ok || ra.WorkspaceID < 0 || (ra.WorkspaceID != 0) != ra.Role.WorkspaceScoped() {
			continue
		}
		a.roles[ra.Role] = true
		if ra.Role == RoleWorkspaceAdmin {
			a.adminOf[ra.WorkspaceID] = true
		}
		for _, row := range matrix {
			cell := row.Cells[col]
			if cell.Mark != X || row.Deprecated {
				continue
			}
			src := newSource(SourceRole, ra.Role, ra.Group, cell.Note)
			switch {
			case row.Scope == ScopeTenant:
				if !ra.Role.WorkspaceScoped() {
					a.tenant[row.Permission] = append(a.tenant[row.Permission], src)
				}
			case ra.Role == RoleWorkspaceAdmin:
				a.addWorkspace(ra.WorkspaceID, row.Permission, src)
			case ra.Role == RoleServicesAdmin:
				// Footnote ²: a Services Admin is Workspace Admin of the
				// default workspace only. No default known, nothing held.
				if in.DefaultWorkspaceID > 0 {
					a.addWorkspace(in.DefaultWorkspaceID, row.Permission, src)
				}
			default:
				// The other tenant-wide roles reach every workspace of the
				// tenant (CSAM, IM). Global Admin's workspace cells are all
				// blank, so it gets nothing here.
				a.everyWorkspace[row.Permission] = append(a.everyWorkspace[row.Permission], src)
			}
		}
	}
	for _, gr := range in.Grants {
		if !Grantable(gr.Permission) {
			continue
		}
		row, _ := Lookup(gr.Permission)
		src := newSource(SourceGrant, "", gr.Group, row.Cells[ColumnUser].Note)
		switch {
		case row.Scope == ScopeTenant && gr.WorkspaceID == 0:
			a.tenant[gr.Permission] = append(a.tenant[gr.Permission], src)
		case row.Scope == ScopeWorkspace && gr.WorkspaceID > 0:
			a.addWorkspace(gr.WorkspaceID, gr.Permission, src)
		}
	}
	return a
}

// newSource builds a Source; anything held through a group is SourceGroup.
// The group is copied so that later changes to the input do not leak in.
func newSource(kind SourceKind, r Role, grp *GroupRef, note int) Source {
	s := Source{Kind: kind, Role: r, Note: note}
	if grp != nil {
		gc := *grp
		s.Kind, s.Group = SourceGroup, &gc
	}
	return s
}

func (a *Access) addWorkspace(ws int64, p Permission, s Source) {
	if a.workspace[ws] == nil {
		a.workspace[ws] = map[Permission][]Source{}
	}
	a.workspace[ws][p] = append(a.workspace[ws][p], s)
}

// Tenant reports whether the tenant-level permission p is held.
func (a Access) Tenant(p Permission) bool { return len(a.tenant[p]) > 0 }

// Workspace reports whether the workspace-level permission p is held in
// workspace wsID. A wsID of 0 or less is no workspace and holds nothing.
func (a Access) Workspace(wsID int64, p Permission) bool {
	return wsID > 0 && (len(a.workspace[wsID][p]) > 0 || len(a.everyWorkspace[p]) > 0)
}

// Why lists every reason p is held, in workspace wsID or, when wsID is 0, at
// tenant level. Sources are sorted (personal roles, groups, grants; then by
// role column, group and footnote) and duplicates dropped, so the answer is
// the same whatever the order of the input. It is nil when p is not held.
func (a Access) Why(wsID int64, p Permission) []Source {
	var src []Source
	switch {
	case wsID == 0:
		src = append(src, a.tenant[p]...)
	case wsID > 0:
		src = append(src, a.workspace[wsID][p]...)
		src = append(src, a.everyWorkspace[p]...)
	}
	slices.SortFunc(src, compareSources)
	return slices.CompactFunc(src, func(s, t Source) bool { return compareSources(s, t) == 0 })
}

func compareSources(s, t Source) int {
	if c := cmp.Or(cmp.Compare(s.Kind, t.Kind), cmp.Compare(s.column(), t.column())); c != 0 {
		return c
	}
	var sg, tg GroupRef
	if s.Group != nil {
		sg = *s.Group
	}
	if t.Group != nil {
		tg = *t.Group
	}
	return cmp.Or(cmp.Compare(sg.ID, tg.ID), cmp.Compare(sg.Name, tg.Name), cmp.Compare(s.Note, t.Note))
}

// column is the matrix column the source's cell sits in: the role's column,
// or User for a grant.
func (s Source) column() Column {
	if c, ok := s.Role.Column(); ok {
		return c
	}
	return ColumnUser
}

// TenantPermissions lists the tenant-level permissions held, in matrix order.
func (a Access) TenantPermissions() []Permission {
	var ps []Permission
	for _, r := range Rows(ScopeTenant) {
		if a.Tenant(r.Permission) {
			ps = append(ps, r.Permission)
		}
	}
	return ps
}

// WorkspacePermissions lists the permissions held in workspace wsID, in
// matrix order.
func (a Access) WorkspacePermissions(wsID int64) []Permission {
	var ps []Permission
	for _, r := range Rows(ScopeWorkspace) {
		if a.Workspace(wsID, r.Permission) {
			ps = append(ps, r.Permission)
		}
	}
	return ps
}

// HasRole reports whether r is held personally or through a group; for
// Workspace Admin, in any workspace.
func (a Access) HasRole(r Role) bool { return a.roles[r] }

// WorkspaceAdminOf reports whether the Workspace Admin role is held for
// workspace wsID. It does not count the Services Admin's default workspace:
// that is a set of permissions, not the role.
func (a Access) WorkspaceAdminOf(wsID int64) bool { return wsID > 0 && a.adminOf[wsID] }

// IsTenantAdmin reports whether the person may enter the Admin Center
// (product.md §4): they hold Tenant-level admin or Microsoft tenant-level
// admin.
func (a Access) IsTenantAdmin() bool { return a.Tenant(TenantAdmin) || a.Tenant(MSTenantAdmin) }

// WorkspacesWith lists the workspaces where one of ps is held by name (a Workspace Admin role,
// the Services Admin's default workspace, a grant), and says whether a role gives one of them in
// every workspace. The "People of …" links and "My access" start from it, so they read only
// the workspaces that qualify.
func (a Access) WorkspacesWith(ps ...Permission) (ids []int64, every bool) {
	for _, p := range ps {
		every = every || len(a.everyWorkspace[p]) > 0
	}
	for id, held := range a.workspace {
		for _, p := range ps {
			if len(held[p]) > 0 {
				ids = append(ids, id)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids, every
}
