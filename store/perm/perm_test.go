package perm

import (
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/BurntSushi/toml"
)

// wantMatrix is product.md §3.1 and §3.2 copied by hand, cell for cell, so
// that a slip in the code's matrix fails here instead of being compared with
// itself. Columns: SA, WA, GA, CSAM, IM, User; "" is a blank cell.
var wantMatrix = []struct {
	p     Permission
	scope Scope
	cells [6]string
}{
	// §3.1 Tenant-level permissions
	{TenantAdmin, ScopeTenant, [6]string{"", "", "X", "", "", ""}},
	{MSTenantAdmin, ScopeTenant, [6]string{"", "", "", "X", "", ""}},
	{ViewOpenCanvas, ScopeTenant, [6]string{"X", "", "X", "X1", "", "G1"}},
	{ManageOpenCanvas, ScopeTenant, [6]string{"X", "", "X", "X", "", "G"}},
	{ViewCSRVDashboard, ScopeTenant, [6]string{"X", "", "X", "X", "", ""}},
	{ManageCSRVDashboard, ScopeTenant, [6]string{"X", "", "X", "", "", ""}},
	{ViewEngagements, ScopeTenant, [6]string{"", "", "X", "X", "", "G"}},
	// §3.2 Workspace-level permissions
	{SupportContact, ScopeWorkspace, [6]string{"", "", "", "", "", "G"}},
	{ViewAllSupportCases, ScopeWorkspace, [6]string{"X2", "X", "", "X1", "X", "G1"}},
	{TrainingManager, ScopeWorkspace, [6]string{"X2", "X", "", "X", "", "G"}},
	{Training, ScopeWorkspace, [6]string{"X2", "X", "", "X", "X", "G"}},
	{CustomerActivity, ScopeWorkspace, [6]string{"X2", "X", "", "X1", "", "G1"}},
	{Programs, ScopeWorkspace, [6]string{"X2", "X", "", "X", "X", "G"}},
	{InviteUsers, ScopeWorkspace, [6]string{"X2", "X", "", "X", "X", "G"}},
	{ManageUsers, ScopeWorkspace, [6]string{"X2", "X", "", "X", "", ""}},
	{Health, ScopeWorkspace, [6]string{"X2", "X", "", "X", "X", "G"}},
	{SharedFiles, ScopeWorkspace, [6]string{"X2", "X", "", "X", "X", "G"}},
	{CustomerPulseSurvey, ScopeWorkspace, [6]string{"", "", "", "", "", ""}},
	{ContractDetails, ScopeWorkspace, [6]string{"", "", "", "", "", ""}},
}

func TestMatrixCells(t *testing.T) {
	m := Matrix()
	if len(m) != len(wantMatrix) {
		t.Fatalf("got %d rows, want %d", len(m), len(wantMatrix))
	}
	for i, want := range wantMatrix {
		got := m[i]
		if got.Permission != want.p || got.Scope != want.scope {
			t.Errorf("row %d: got %s (%s), want %s (%s)", i, got.Permission, got.Scope, want.p, want.scope)
			continue
		}
		for c, cell := range got.Cells {
			if cell.String() != want.cells[c] {
				t.Errorf("%s, column %d: got %q, want %q", want.p, c, cell.String(), want.cells[c])
			}
		}
	}
}

// TestFlattenedMatchesSeed checks that each row, read left to right with
// blanks dropped, gives back the string of the Russian seed
// (seeds/004_5b99e643a58c7f96.txt, "Разрешения по роли"). The strings are
// copied by hand because the seeds live outside the repository.
func TestFlattenedMatchesSeed(t *testing.T) {
	tests := []struct {
		p    Permission
		want string
	}{
		{TenantAdmin, "X"},                    // line 68: Администратор уровня клиента X
		{MSTenantAdmin, "X"},                  // line 69: Администратор уровня клиентов Microsoft X
		{ViewOpenCanvas, "X X X1 G1"},         // line 70: Просмотр Open Canvas X X X1 G1
		{ManageOpenCanvas, "X X X G"},         // line 71: Управление Open Canvas X X X G
		{ViewCSRVDashboard, "X X X"},          // line 72: Просмор панели мониторинга … X X X
		{ManageCSRVDashboard, "X X"},          // line 73: Управление панелью мониторинга … X X
		{ViewEngagements, "X X G"},            // line 74: Просмотреть задействования X X G
		{SupportContact, "G"},                 // line 81: Контактное лицо поддержки G
		{ViewAllSupportCases, "X2 X X1 X G1"}, // line 82: Просмотреть все обращения в службу поддержки X2 X X1 X G1
		{TrainingManager, "X2 X X G"},         // line 83: Менеджер по обучению X2 X X G
		{Training, "X2 X X X G"},              // line 84: Обучение X2 X X X G
		{CustomerActivity, "X2 X X1 G1"},      // line 85: Активность клиента X2 X X1 G1
		{Programs, "X2 X X X G"},              // line 86: Программы X2 X X X G
		{InviteUsers, "X2 X X X G"},           // line 87: Приглашение пользователей X2 X X X G
		{ManageUsers, "X2 X X"},               // line 88: Управление пользователями X2 X X
		{Health, "X2 X X X G"},                // line 89: Работоспособность X2 X X X G
		{SharedFiles, "X2 X X X G"},           // line 90: Файлы для совместного использования X2 X X X G
		// The deprecated rows are not in the seed's matrix at all (lines 50–51
		// list them as «Нерекомендуемая функция»): no cell.
		{CustomerPulseSurvey, ""},
		{ContractDetails, ""},
	}
	for _, tt := range tests {
		row, ok := Lookup(tt.p)
		if !ok {
			t.Errorf("Lookup(%s): not found", tt.p)
			continue
		}
		if got := Flattened(row); got != tt.want {
			t.Errorf("Flattened(%s) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestGrantable(t *testing.T) {
	// Exactly the rows whose User cell is G in product.md §3; never a
	// deprecated one.
	want := []Permission{
		ViewOpenCanvas, ManageOpenCanvas, ViewEngagements,
		SupportContact, ViewAllSupportCases, TrainingManager, Training,
		CustomerActivity, Programs, InviteUsers, Health, SharedFiles,
	}
	var got []Permission
	for _, p := range Permissions() {
		if Grantable(p) {
			got = append(got, p)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("grantable: got %v, want %v", got, want)
	}
	if Grantable("no_such_permission") {
		t.Error("Grantable(unknown) = true, want false")
	}
}

func TestPermissionAndRoleHelpers(t *testing.T) {
	if got, want := len(Rows(ScopeTenant)), 7; got != want {
		t.Errorf("tenant rows: got %d, want %d", got, want)
	}
	if got, want := len(Rows(ScopeWorkspace)), 12; got != want {
		t.Errorf("workspace rows: got %d, want %d", got, want)
	}
	scopes := []struct {
		p    Permission
		want Scope
	}{
		{ViewEngagements, ScopeTenant},
		{SupportContact, ScopeWorkspace},
		{ContractDetails, ScopeWorkspace},
		{"tenant", ""},
	}
	for _, tt := range scopes {
		if got := tt.p.Scope(); got != tt.want {
			t.Errorf("%q.Scope() = %q, want %q", tt.p, got, tt.want)
		}
		if got, want := tt.p.Valid(), tt.want != ""; got != want {
			t.Errorf("%q.Valid() = %v, want %v", tt.p, got, want)
		}
	}
	if got, want := Training.MessageID(), "perm.training"; got != want {
		t.Errorf("MessageID: got %q, want %q", got, want)
	}

	roles := []struct {
		r                          Role
		valid, microsoft, wsScoped bool
	}{
		{RoleServicesAdmin, true, false, false},
		{RoleWorkspaceAdmin, true, false, true},
		{RoleGlobalAdmin, true, false, false},
		{RoleCSAM, true, true, false},
		{RoleIncidentManager, true, true, false},
		{"user", false, false, false},
		{"", false, false, false},
	}
	for _, tt := range roles {
		if got := tt.r.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.r, got, tt.valid)
		}
		if got := tt.r.Microsoft(); got != tt.microsoft {
			t.Errorf("%q.Microsoft() = %v, want %v", tt.r, got, tt.microsoft)
		}
		if got := tt.r.WorkspaceScoped(); got != tt.wsScoped {
			t.Errorf("%q.WorkspaceScoped() = %v, want %v", tt.r, got, tt.wsScoped)
		}
	}
	if got, want := Roles(), []Role{"services_admin", "workspace_admin", "global_admin", "csam", "incident_manager"}; !slices.Equal(got, want) {
		t.Errorf("Roles(): got %v, want %v", got, want)
	}
	if got, want := ColumnUser.MessageID(), "role.user"; got != want {
		t.Errorf("ColumnUser.MessageID(): got %q, want %q", got, want)
	}

	has := []struct {
		r    Role
		p    Permission
		want bool
	}{
		{RoleGlobalAdmin, TenantAdmin, true},
		{RoleCSAM, TenantAdmin, false},
		{RoleCSAM, MSTenantAdmin, true},
		{RoleServicesAdmin, Training, true}, // X², still an X
		{RoleIncidentManager, ManageUsers, false},
		{RoleWorkspaceAdmin, SupportContact, false},
		{"user", SupportContact, false}, // G is not X
	}
	for _, tt := range has {
		if got := RoleHas(tt.r, tt.p); got != tt.want {
			t.Errorf("RoleHas(%s, %s) = %v, want %v", tt.r, tt.p, got, tt.want)
		}
	}
}

func TestMatrixIsACopy(t *testing.T) {
	m := Matrix()
	m[0].Cells[ColumnUser] = Cell{Mark: G}
	if Grantable(TenantAdmin) {
		t.Error("changing the result of Matrix() changed the matrix")
	}
}

func TestExportAllowed(t *testing.T) {
	if !ExportAllowed(false) {
		t.Error("ExportAllowed(false) = false, want true")
	}
	if ExportAllowed(true) {
		t.Error("ExportAllowed(true) = true, want false: Microsoft users can't export (footnote ¹)")
	}
}

// Workspace IDs used by the Compute tests.
const (
	defaultWS int64 = 1
	otherWS   int64 = 2
)

var (
	adminWorkspaceRows = []Permission{ViewAllSupportCases, TrainingManager, Training,
		CustomerActivity, Programs, InviteUsers, ManageUsers, Health, SharedFiles}
	csamWorkspaceRows = adminWorkspaceRows
	imWorkspaceRows   = []Permission{ViewAllSupportCases, Training, Programs, InviteUsers, Health, SharedFiles}
)

func TestCompute(t *testing.T) {
	admins := &GroupRef{ID: 7, Name: "Services Hub admins"}
	tests := []struct {
		name   string
		in     Input
		tenant []Permission
		ws     map[int64][]Permission // workspace ID → held there
		admin  bool                   // IsTenantAdmin
	}{
		{
			name: "nobody holds nothing",
			in:   Input{DefaultWorkspaceID: defaultWS},
			ws:   map[int64][]Permission{defaultWS: nil, otherWS: nil},
		},
		{
			name:   "Services Admin: workspace rows in the default workspace only",
			in:     Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleServicesAdmin}}},
			tenant: []Permission{ViewOpenCanvas, ManageOpenCanvas, ViewCSRVDashboard, ManageCSRVDashboard},
			ws:     map[int64][]Permission{defaultWS: adminWorkspaceRows, otherWS: nil},
		},
		{
			name:   "Services Admin without a known default workspace holds no workspace row",
			in:     Input{Roles: []RoleAssignment{{Role: RoleServicesAdmin}}},
			tenant: []Permission{ViewOpenCanvas, ManageOpenCanvas, ViewCSRVDashboard, ManageCSRVDashboard},
			ws:     map[int64][]Permission{defaultWS: nil, otherWS: nil},
		},
		{
			name: "Workspace Admin of W: W's rows, nothing elsewhere, nothing at tenant level",
			in:   Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleWorkspaceAdmin, WorkspaceID: otherWS}}},
			ws:   map[int64][]Permission{otherWS: adminWorkspaceRows, defaultWS: nil, 3: nil},
		},
		{
			name:   "Global Admin: tenant level only",
			in:     Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleGlobalAdmin}}},
			tenant: []Permission{TenantAdmin, ViewOpenCanvas, ManageOpenCanvas, ViewCSRVDashboard, ManageCSRVDashboard, ViewEngagements},
			ws:     map[int64][]Permission{defaultWS: nil, otherWS: nil},
			admin:  true,
		},
		{
			name: "plain user with training and support contact in the default workspace",
			in: Input{DefaultWorkspaceID: defaultWS, Grants: []Grant{
				{Permission: Training, WorkspaceID: defaultWS},
				{Permission: SupportContact, WorkspaceID: defaultWS},
			}},
			ws: map[int64][]Permission{defaultWS: {SupportContact, Training}, otherWS: nil},
		},
		{
			name:   "CSAM: its column in any workspace and at tenant level, Microsoft admin not tenant admin",
			in:     Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleCSAM}}},
			tenant: []Permission{MSTenantAdmin, ViewOpenCanvas, ManageOpenCanvas, ViewCSRVDashboard, ViewEngagements},
			ws:     map[int64][]Permission{defaultWS: csamWorkspaceRows, otherWS: csamWorkspaceRows, 99: csamWorkspaceRows},
			admin:  true,
		},
		{
			name: "Incident Manager: its subset in every workspace, nothing at tenant level",
			in:   Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleIncidentManager}}},
			ws:   map[int64][]Permission{defaultWS: imWorkspaceRows, otherWS: imWorkspaceRows},
		},
		{
			name:   "group holding Global Admin (the quick start's Administrator) works like the role",
			in:     Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{{Role: RoleGlobalAdmin, Group: admins}}},
			tenant: []Permission{TenantAdmin, ViewOpenCanvas, ManageOpenCanvas, ViewCSRVDashboard, ManageCSRVDashboard, ViewEngagements},
			ws:     map[int64][]Permission{defaultWS: nil},
			admin:  true,
		},
		{
			name: "grants of non-grantable or deprecated permissions give nothing",
			in: Input{DefaultWorkspaceID: defaultWS, Grants: []Grant{
				{Permission: ManageUsers, WorkspaceID: defaultWS},
				{Permission: ViewCSRVDashboard},
				{Permission: TenantAdmin},
				{Permission: CustomerPulseSurvey, WorkspaceID: defaultWS},
				{Permission: ContractDetails, WorkspaceID: defaultWS, Group: admins},
				{Permission: "no_such_permission", WorkspaceID: defaultWS},
			}},
			ws: map[int64][]Permission{defaultWS: nil},
		},
		{
			name: "grants in the wrong scope give nothing",
			in: Input{DefaultWorkspaceID: defaultWS, Grants: []Grant{
				{Permission: ViewEngagements, WorkspaceID: defaultWS}, // tenant row with a workspace
				{Permission: Training},                                // workspace row without one
			}},
			ws: map[int64][]Permission{defaultWS: nil},
		},
		{
			name: "malformed role assignments give nothing",
			in: Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{
				{Role: RoleWorkspaceAdmin},                      // no workspace
				{Role: RoleGlobalAdmin, WorkspaceID: defaultWS}, // tenant-wide role with a workspace
				{Role: "administrator"},                         // unknown role
			}},
			ws: map[int64][]Permission{defaultWS: nil},
		},
		{
			name:   "tenant-level grants",
			in:     Input{DefaultWorkspaceID: defaultWS, Grants: []Grant{{Permission: ViewEngagements}, {Permission: ViewOpenCanvas, Group: admins}}},
			tenant: []Permission{ViewOpenCanvas, ViewEngagements},
			ws:     map[int64][]Permission{defaultWS: nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Compute(tt.in)
			if got := a.TenantPermissions(); !slices.Equal(got, tt.tenant) {
				t.Errorf("tenant: got %v, want %v", got, tt.tenant)
			}
			for _, p := range Permissions() {
				if got, want := a.Tenant(p), slices.Contains(tt.tenant, p); got != want {
					t.Errorf("Tenant(%s) = %v, want %v", p, got, want)
				}
			}
			for ws, want := range tt.ws {
				if got := a.WorkspacePermissions(ws); !slices.Equal(got, want) {
					t.Errorf("workspace %d: got %v, want %v", ws, got, want)
				}
				for _, p := range Permissions() {
					if got, want := a.Workspace(ws, p), slices.Contains(want, p); got != want {
						t.Errorf("Workspace(%d, %s) = %v, want %v", ws, p, got, want)
					}
				}
			}
			if got := a.IsTenantAdmin(); got != tt.admin {
				t.Errorf("IsTenantAdmin() = %v, want %v", got, tt.admin)
			}
			// Workspace 0 is no workspace: nothing is held there.
			if got := a.WorkspacePermissions(0); got != nil {
				t.Errorf("workspace 0: got %v, want nothing", got)
			}
		})
	}
}

func TestComputeRoles(t *testing.T) {
	a := Compute(Input{DefaultWorkspaceID: defaultWS, Roles: []RoleAssignment{
		{Role: RoleWorkspaceAdmin, WorkspaceID: otherWS, Group: &GroupRef{ID: 3, Name: "WS admins"}},
		{Role: RoleServicesAdmin},
	}})
	checks := []struct {
		name      string
		got, want bool
	}{
		{"HasRole(workspace_admin)", a.HasRole(RoleWorkspaceAdmin), true},
		{"HasRole(services_admin)", a.HasRole(RoleServicesAdmin), true},
		{"HasRole(global_admin)", a.HasRole(RoleGlobalAdmin), false},
		{"WorkspaceAdminOf(other)", a.WorkspaceAdminOf(otherWS), true},
		// The Services Admin holds the default workspace's permissions, not
		// the Workspace Admin role there.
		{"WorkspaceAdminOf(default)", a.WorkspaceAdminOf(defaultWS), false},
		{"WorkspaceAdminOf(0)", a.WorkspaceAdminOf(0), false},
		{"IsTenantAdmin", a.IsTenantAdmin(), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	var zero Access
	if zero.Tenant(TenantAdmin) || zero.Workspace(defaultWS, Training) || zero.HasRole(RoleCSAM) || zero.Why(0, TenantAdmin) != nil {
		t.Error("zero Access holds something, want nothing")
	}
}

func TestWhy(t *testing.T) {
	admins := &GroupRef{ID: 7, Name: "Administrators"}
	trainers := &GroupRef{ID: 4, Name: "Trainers"}
	in := Input{
		DefaultWorkspaceID: defaultWS,
		// Deliberately out of order, with a duplicate, to check the sorting.
		Grants: []Grant{
			{Permission: ViewAllSupportCases, WorkspaceID: defaultWS},
			{Permission: Training, WorkspaceID: defaultWS, Group: admins},
			{Permission: Training, WorkspaceID: defaultWS},
			{Permission: Training, WorkspaceID: defaultWS},
			{Permission: ViewOpenCanvas},
		},
		Roles: []RoleAssignment{
			{Role: RoleWorkspaceAdmin, WorkspaceID: defaultWS, Group: trainers},
			{Role: RoleCSAM},
			{Role: RoleGlobalAdmin, Group: admins},
			{Role: RoleServicesAdmin},
		},
	}
	tests := []struct {
		ws   int64
		p    Permission
		want []Source
	}{
		{defaultWS, Training, []Source{
			{Kind: SourceRole, Role: RoleServicesAdmin, Note: 2},
			{Kind: SourceRole, Role: RoleCSAM},
			{Kind: SourceGroup, Role: RoleWorkspaceAdmin, Group: trainers},
			{Kind: SourceGroup, Group: admins},
			{Kind: SourceGrant},
		}},
		{otherWS, Training, []Source{
			{Kind: SourceRole, Role: RoleCSAM},
		}},
		{defaultWS, ViewAllSupportCases, []Source{
			{Kind: SourceRole, Role: RoleServicesAdmin, Note: 2},
			{Kind: SourceRole, Role: RoleCSAM, Note: 1},
			{Kind: SourceGroup, Role: RoleWorkspaceAdmin, Group: trainers},
			{Kind: SourceGrant, Note: 1},
		}},
		{0, ViewOpenCanvas, []Source{
			{Kind: SourceRole, Role: RoleServicesAdmin},
			{Kind: SourceRole, Role: RoleCSAM, Note: 1},
			{Kind: SourceGroup, Role: RoleGlobalAdmin, Group: admins},
			{Kind: SourceGrant, Note: 1},
		}},
		{0, TenantAdmin, []Source{
			{Kind: SourceGroup, Role: RoleGlobalAdmin, Group: admins},
		}},
		{0, SupportContact, nil}, // a workspace permission asked at tenant level
		{otherWS, ManageUsers, []Source{{Kind: SourceRole, Role: RoleCSAM}}},
	}
	a := Compute(in)
	for _, tt := range tests {
		if got := a.Why(tt.ws, tt.p); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Why(%d, %s):\n got %+v\nwant %+v", tt.ws, tt.p, got, tt.want)
		}
	}

	// The order of the input must not change the answer.
	slices.Reverse(in.Roles)
	slices.Reverse(in.Grants)
	b := Compute(in)
	for _, tt := range tests {
		if got := b.Why(tt.ws, tt.p); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("reversed input, Why(%d, %s):\n got %+v\nwant %+v", tt.ws, tt.p, got, tt.want)
		}
	}
}

// TestLocales checks that perm.en/fr/ru.toml hold the same keys, that every
// key the views use exists in all three, and that no message is empty.
func TestLocales(t *testing.T) {
	want := map[string]bool{}
	for _, k := range []string{
		"roles.title", "roles.intro", "roles.scope.tenant", "roles.scope.workspace",
		"roles.deprecated", "roles.legend.x", "roles.legend.g",
		"roles.mark.x", "roles.mark.g", "roles.mark.blank", "roles.note.1", "roles.note.2",
	} {
		want[k] = true
	}
	for _, p := range Permissions() {
		want[p.MessageID()+".name"] = true
		want[p.MessageID()+".desc"] = true
	}
	for _, c := range Columns() {
		want[c.MessageID()+".name"] = true
		want[c.MessageID()+".abbr"] = true
	}
	for _, m := range []Mark{Blank, X, G} {
		want[m.MessageID()] = true
	}
	want[ScopeTenant.MessageID()] = true
	want[ScopeWorkspace.MessageID()] = true

	for _, lang := range []string{"en", "fr", "ru"} {
		t.Run(lang, func(t *testing.T) {
			path := filepath.Join("..", "..", "locales", "perm."+lang+".toml")
			var msgs map[string]any
			if _, err := toml.DecodeFile(path, &msgs); err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			var missing, extra []string
			for k := range want {
				if _, ok := msgs[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k, v := range msgs {
				if !want[k] {
					extra = append(extra, k)
				}
				if s, ok := v.(string); !ok || s == "" {
					t.Errorf("%s: %q is %#v, want a non-empty string", path, k, v)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 || len(extra) > 0 {
				t.Errorf("%s: missing keys %v, unexpected keys %v", path, missing, extra)
			}
		})
	}
}
