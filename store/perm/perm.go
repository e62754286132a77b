// Package perm is the one place that says which role has which permission.
//
// The role/permission matrix of the product specification (product.md §3.1
// and §3.2) is kept here as data, so that a cell changes in one place and the
// store, the HTTP middleware, the views and the tests all read the same
// answer. Compute turns the roles, group memberships and grants of one person
// into the permissions they effectively hold in each scope.
//
// The package imports nothing else from hubadmin and does no I/O.
package perm

import (
	"strconv"
	"strings"
)

// Scope says where a permission applies: across the whole tenant, or inside
// one workspace.
type Scope string

// The two permission scopes (product.md §2).
const (
	ScopeTenant    Scope = "tenant"
	ScopeWorkspace Scope = "workspace"
)

// MessageID is the message ID of the scope's table heading on the roles page.
func (s Scope) MessageID() string { return "roles.scope." + string(s) }

// Permission identifies one permission. The string values are stored in
// SQLite and appear in URLs and forms, so they must never change.
type Permission string

// Tenant-level permissions (product.md §3.1).
const (
	TenantAdmin         Permission = "tenant_admin"
	MSTenantAdmin       Permission = "ms_tenant_admin"
	ViewOpenCanvas      Permission = "view_open_canvas"
	ManageOpenCanvas    Permission = "manage_open_canvas"
	ViewCSRVDashboard   Permission = "view_csrv_dashboard"
	ManageCSRVDashboard Permission = "manage_csrv_dashboard"
	ViewEngagements     Permission = "view_engagements"
)

// Workspace-level permissions (product.md §3.2).
const (
	SupportContact      Permission = "support_contact"
	ViewAllSupportCases Permission = "view_all_support_cases"
	TrainingManager     Permission = "training_manager"
	Training            Permission = "training"
	CustomerActivity    Permission = "customer_activity"
	Programs            Permission = "programs"
	InviteUsers         Permission = "invite_users"
	ManageUsers         Permission = "manage_users"
	Health              Permission = "health"
	SharedFiles         Permission = "shared_files"
	// CustomerPulseSurvey is deprecated: listed on the roles page, never held.
	CustomerPulseSurvey Permission = "customer_pulse_survey"
	// ContractDetails is deprecated: listed on the roles page, never held.
	ContractDetails Permission = "contract_details"
)

// Valid reports whether p is a permission of the matrix. Anything read from
// a form, a URL or the database should pass this before it is used.
func (p Permission) Valid() bool {
	_, ok := index[p]
	return ok
}

// Scope returns the scope of p, or "" when p is not a valid permission.
func (p Permission) Scope() Scope {
	r, _ := Lookup(p)
	return r.Scope
}

// MessageID is the base message ID of p; views add ".name" or ".desc".
func (p Permission) MessageID() string { return "perm." + string(p) }

// Role identifies a role. The string values are stored in SQLite.
type Role string

// The five roles, in the column order of the matrix (product.md §3).
const (
	RoleServicesAdmin   Role = "services_admin"
	RoleWorkspaceAdmin  Role = "workspace_admin"
	RoleGlobalAdmin     Role = "global_admin"
	RoleCSAM            Role = "csam"
	RoleIncidentManager Role = "incident_manager"
)

// Roles returns the five roles in matrix column order.
func Roles() []Role {
	return []Role{RoleServicesAdmin, RoleWorkspaceAdmin, RoleGlobalAdmin, RoleCSAM, RoleIncidentManager}
}

// Valid reports whether r is one of the five roles.
func (r Role) Valid() bool {
	_, ok := r.Column()
	return ok
}

// Microsoft reports whether r is held by Microsoft staff (CSAM, Incident
// Manager) rather than by the customer's own people.
func (r Role) Microsoft() bool { return r == RoleCSAM || r == RoleIncidentManager }

// WorkspaceScoped reports whether r is held per workspace. Only Workspace
// Admin is; every other role is held tenant-wide.
func (r Role) WorkspaceScoped() bool { return r == RoleWorkspaceAdmin }

// Column returns the matrix column of r; false when r is not a valid role.
func (r Role) Column() (Column, bool) {
	for i, x := range Roles() {
		if x == r {
			return Column(i), true
		}
	}
	return 0, false
}

// MessageID is the base message ID of r; views add ".name" or ".abbr".
func (r Role) MessageID() string { return "role." + string(r) }

// Column is one of the six columns of the matrix: the five roles, then User
// (a person with no role, who holds only what was granted individually).
type Column int

// The matrix columns, left to right.
const (
	ColumnServicesAdmin Column = iota
	ColumnWorkspaceAdmin
	ColumnGlobalAdmin
	ColumnCSAM
	ColumnIncidentManager
	ColumnUser
)

// NumColumns is the number of matrix columns.
const NumColumns = 6

// Columns returns the six columns left to right.
func Columns() []Column {
	cs := make([]Column, NumColumns)
	for i := range cs {
		cs[i] = Column(i)
	}
	return cs
}

// Role returns the role of column c; false for the User column.
func (c Column) Role() (Role, bool) {
	roles := Roles()
	if c < 0 || int(c) >= len(roles) {
		return "", false
	}
	return roles[c], true
}

// MessageID is the base message ID of the column heading ("role.csam",
// "role.user"); views add ".name" or ".abbr".
func (c Column) MessageID() string {
	if r, ok := c.Role(); ok {
		return r.MessageID()
	}
	return "role.user"
}

// Mark is what a matrix cell says.
type Mark int

// The three marks of the matrix legend.
const (
	// Blank: the column does not have the permission.
	Blank Mark = iota
	// X: the permission comes with the role.
	X
	// G: the permission can be granted to a person individually.
	G
)

// String returns the mark as printed in the matrix ("X", "G", "").
func (m Mark) String() string {
	switch m {
	case X:
		return "X"
	case G:
		return "G"
	}
	return ""
}

// MessageID is the spelled-out word for the mark, for screen readers.
func (m Mark) MessageID() string {
	switch m {
	case X:
		return "roles.mark.x"
	case G:
		return "roles.mark.g"
	}
	return "roles.mark.blank"
}

// Cell is one cell of the matrix: a mark and an optional footnote.
type Cell struct {
	Mark Mark
	// Note is the footnote number: 0 (none), 1 (Microsoft users can't
	// export data) or 2 (Services Admins hold it in the default workspace
	// only). Its text is message "roles.note.<n>".
	Note int
}

// String returns the cell as printed in the seed: "X", "X1", "G1", "" …
func (c Cell) String() string {
	if c.Mark == Blank {
		return ""
	}
	if c.Note == 0 {
		return c.Mark.String()
	}
	return c.Mark.String() + strconv.Itoa(c.Note)
}

// Row is one permission of the matrix with its six cells.
type Row struct {
	Permission Permission
	Scope      Scope
	// Deprecated rows are shown on the roles page but never held or granted.
	Deprecated bool
	// Cells are indexed by Column.
	Cells [NumColumns]Cell
}

// Short names so that the matrix below reads like the table in product.md.
var (
	__ = Cell{}
	x  = Cell{Mark: X}
	x1 = Cell{Mark: X, Note: 1}
	x2 = Cell{Mark: X, Note: 2}
	g  = Cell{Mark: G}
	g1 = Cell{Mark: G, Note: 1}
)

// matrix is product.md §3.1 then §3.2, cell for cell. Columns:
// SA, WA, GA, CSAM, IM, User. Change a cell here and in the hand-written
// table of perm_test.go, nowhere else.
var matrix = []Row{
	{TenantAdmin, ScopeTenant, false, [NumColumns]Cell{__, __, x, __, __, __}},
	{MSTenantAdmin, ScopeTenant, false, [NumColumns]Cell{__, __, __, x, __, __}},
	{ViewOpenCanvas, ScopeTenant, false, [NumColumns]Cell{x, __, x, x1, __, g1}},
	{ManageOpenCanvas, ScopeTenant, false, [NumColumns]Cell{x, __, x, x, __, g}},
	{ViewCSRVDashboard, ScopeTenant, false, [NumColumns]Cell{x, __, x, x, __, __}},
	{ManageCSRVDashboard, ScopeTenant, false, [NumColumns]Cell{x, __, x, __, __, __}},
	{ViewEngagements, ScopeTenant, false, [NumColumns]Cell{__, __, x, x, __, g}},

	{SupportContact, ScopeWorkspace, false, [NumColumns]Cell{__, __, __, __, __, g}},
	{ViewAllSupportCases, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x1, x, g1}},
	{TrainingManager, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, __, g}},
	{Training, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, x, g}},
	{CustomerActivity, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x1, __, g1}},
	{Programs, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, x, g}},
	{InviteUsers, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, x, g}},
	{ManageUsers, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, __, __}},
	{Health, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, x, g}},
	{SharedFiles, ScopeWorkspace, false, [NumColumns]Cell{x2, x, __, x, x, g}},
	{CustomerPulseSurvey, ScopeWorkspace, true, [NumColumns]Cell{__, __, __, __, __, __}},
	{ContractDetails, ScopeWorkspace, true, [NumColumns]Cell{__, __, __, __, __, __}},
}

// index maps a permission to its position in matrix.
var index = func() map[Permission]int {
	m := make(map[Permission]int, len(matrix))
	for i, r := range matrix {
		m[r.Permission] = i
	}
	return m
}()

// Matrix returns a copy of the whole matrix in display order (tenant rows,
// then workspace rows). It is a copy so that no caller can change who may do
// what at run time.
func Matrix() []Row {
	return append([]Row(nil), matrix...)
}

// Permissions returns every permission in matrix order.
func Permissions() []Permission {
	ps := make([]Permission, len(matrix))
	for i, r := range matrix {
		ps[i] = r.Permission
	}
	return ps
}

// Lookup returns the matrix row of p; false when p is not a permission.
func Lookup(p Permission) (Row, bool) {
	i, ok := index[p]
	if !ok {
		return Row{}, false
	}
	return matrix[i], true
}

// Rows returns the rows of one scope in matrix order.
func Rows(s Scope) []Row {
	var rs []Row
	for _, r := range matrix {
		if r.Scope == s {
			rs = append(rs, r)
		}
	}
	return rs
}

// RoleHas reports whether the permission comes with the role (an X cell).
// It says nothing about where: Compute applies the scope rules.
func RoleHas(r Role, p Permission) bool {
	c, ok := r.Column()
	row, found := Lookup(p)
	return ok && found && row.Cells[c].Mark == X
}

// Grantable reports whether p may be granted to a person individually: its
// User cell is G and it is not deprecated. The write path refuses any other
// grant, and Compute ignores one that got stored anyway.
func Grantable(p Permission) bool {
	row, ok := Lookup(p)
	return ok && !row.Deprecated && row.Cells[ColumnUser].Mark == G
}

// Flattened returns the non-blank cells of r left to right, joined by one
// space ("X2 X X1 X G1"). This is how the Russian seed prints each row, and
// how the tests prove the matrix gives the seed back.
func Flattened(r Row) string {
	var parts []string
	for _, c := range r.Cells {
		if c.Mark != Blank {
			parts = append(parts, c.String())
		}
	}
	return strings.Join(parts, " ")
}

// ExportAllowed reports whether a person may export data (any CSV download).
// Footnote ¹: Microsoft people never may, whatever permissions they hold, so
// this depends on the person's microsoft flag alone.
func ExportAllowed(microsoft bool) bool { return !microsoft }
