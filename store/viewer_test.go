package store

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"hubadmin/store/perm"
)

// TestEffectivePermissionsOfDemoPeople computes what every demo person holds in every scope
// and compares it with a table written by hand from product.md §3 (not derived from the code).
func TestEffectivePermissionsOfDemoPeople(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	const (
		saTenant   = "manage_csrv_dashboard manage_open_canvas view_csrv_dashboard view_open_canvas"
		gaTenant   = "manage_csrv_dashboard manage_open_canvas tenant_admin view_csrv_dashboard view_engagements view_open_canvas"
		csamTenant = "manage_open_canvas ms_tenant_admin view_csrv_dashboard view_engagements view_open_canvas"
		wsAdminAll = "customer_activity health invite_users manage_users programs shared_files training training_manager view_all_support_cases"
		csamWS     = wsAdminAll
		imWS       = "health invite_users programs shared_files training view_all_support_cases"
	)
	type expect struct {
		tenant string
		ws     map[string]string // workspace name → permissions
	}
	tests := []struct {
		email  string
		tenant string
		want   expect
	}{
		{"global.admin@contoso.example", "Contoso", expect{gaTenant, map[string]string{"Contoso": "", "Contoso Labs": "", "Contoso Sandbox": ""}}},
		{"services.admin@contoso.example", "Contoso", expect{saTenant, map[string]string{"Contoso": wsAdminAll, "Contoso Labs": "", "Contoso Sandbox": ""}}},
		{"workspace.admin@contoso.example", "Contoso", expect{"", map[string]string{"Contoso": "", "Contoso Labs": wsAdminAll, "Contoso Sandbox": ""}}},
		{"user@contoso.example", "Contoso", expect{"", map[string]string{"Contoso": "support_contact training", "Contoso Labs": "", "Contoso Sandbox": ""}}},
		{"csam@microsoft.example", "Contoso", expect{csamTenant, map[string]string{"Contoso": csamWS, "Contoso Labs": csamWS, "Contoso Sandbox": csamWS}}},
		{"csam@microsoft.example", "Fabrikam", expect{csamTenant, map[string]string{"Fabrikam": csamWS}}},
		{"incident.manager@microsoft.example", "Contoso", expect{"", map[string]string{"Contoso": imWS, "Contoso Labs": imWS, "Contoso Sandbox": imWS}}},
		{"global.admin@fabrikam.example", "Fabrikam", expect{gaTenant, map[string]string{"Fabrikam": ""}}},
		{"global.admin@fabrikam.example", "Contoso", expect{"", map[string]string{"Contoso": "", "Contoso Labs": "", "Contoso Sandbox": ""}}},
		{"personal@outlook.example", "Contoso", expect{"", map[string]string{"Contoso": "", "Contoso Labs": "", "Contoso Sandbox": ""}}},
	}
	tenantIDs := map[string]int64{"Contoso": 1, "Fabrikam": 2}
	for _, tt := range tests {
		p, err := db.PersonByEmail(ctx, tt.email)
		if err != nil {
			t.Fatal(err)
		}
		tid := tenantIDs[tt.tenant]
		a, err := db.AccessOf(ctx, tid, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := joined(a.TenantPermissions()); got != tt.want.tenant {
			t.Errorf("%s in %s, tenant level:\n got  %q\n want %q", tt.email, tt.tenant, got, tt.want.tenant)
		}
		workspaces, err := db.WorkspacesOf(ctx, tid)
		if err != nil {
			t.Fatal(err)
		}
		if len(workspaces) != len(tt.want.ws) {
			t.Fatalf("%s has %d workspaces, the table %d", tt.tenant, len(workspaces), len(tt.want.ws))
		}
		for _, w := range workspaces {
			if got := joined(a.WorkspacePermissions(w.ID)); got != tt.want.ws[w.Name] {
				t.Errorf("%s in workspace %s:\n got  %q\n want %q", tt.email, w.Name, got, tt.want.ws[w.Name])
			}
		}
	}
}

func joined(ps []perm.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// TestViewerFallsBackToAMemberTenant: a session naming a tenant the person left (or never
// belonged to) never shows that tenant.
func TestViewerFallsBackToAMemberTenant(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	p, _ := db.PersonByEmail(ctx, "global.admin@fabrikam.example")
	v, err := db.LoadViewer(ctx, p.ID, 1) // asks for Contoso
	if err != nil {
		t.Fatal(err)
	}
	if v.Tenant.Name != "Fabrikam" {
		t.Errorf("viewer tenant = %q, want Fabrikam", v.Tenant.Name)
	}
	csam, _ := db.PersonByEmail(ctx, "csam@microsoft.example")
	v, err = db.LoadViewer(ctx, csam.ID, 2)
	if err != nil || v.Tenant.Name != "Fabrikam" || len(v.Tenants) != 2 {
		t.Errorf("CSAM viewer: tenant %q, %d tenants (%v); want Fabrikam of 2", v.Tenant.Name, len(v.Tenants), err)
	}
}

// TestLoadViewerTellsNotFoundFromFailure: only a person who is gone (deleted or disabled) is
// ErrNotFound, which ends their session; a failing database is another error, so the session
// survives it (issue 11: a transient error used to sign people out).
func TestLoadViewerTellsNotFoundFromFailure(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	p, err := db.PersonByEmail(ctx, "global.admin@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadViewer(ctx, 1<<40, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown person: err = %v, want ErrNotFound", err)
	}
	if err := db.SetPersonDisabled(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadViewer(ctx, p.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("disabled person: err = %v, want ErrNotFound", err)
	}
	if err := db.SetPersonDisabled(ctx, p.ID, false); err != nil {
		t.Fatal(err)
	}
	// The database fails: the people table can't be read.
	if _, err := db.write.Exec(`ALTER TABLE people RENAME TO people_away`); err != nil {
		t.Fatal(err)
	}
	_, err = db.LoadViewer(ctx, p.ID, 0)
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("failing database: err = %v, want an error that is not ErrNotFound", err)
	}
	if _, err := db.write.Exec(`ALTER TABLE people_away RENAME TO people`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadViewer(ctx, p.ID, 0); err != nil {
		t.Errorf("database back: err = %v, want the viewer", err)
	}
}

// TestGrantRules: the write path refuses what the matrix does not allow.
func TestGrantRules(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	ga, _ := db.PersonByEmail(ctx, "global.admin@contoso.example")
	gaAccess, _ := db.AccessOf(ctx, 1, ga)
	user, _ := db.PersonByEmail(ctx, "user@contoso.example")
	actor := Actor{PersonID: ga.ID, Email: ga.Email}
	tests := []struct {
		name string
		g    GrantChange
		want string // "" = ok, else the message ID or "not found"
	}{
		{"grantable, held", GrantChange{1, user.ID, perm.ViewOpenCanvas, 0}, ""},
		{"User cell blank", GrantChange{1, user.ID, perm.ViewCSRVDashboard, 0}, "perm.error.not_grantable"},
		{"deprecated", GrantChange{1, user.ID, perm.ContractDetails, 1}, "perm.error.not_grantable"},
		{"not held by the actor", GrantChange{1, user.ID, perm.Training, 1}, "perm.error.not_held"},
		{"to oneself", GrantChange{1, ga.ID, perm.ViewEngagements, 0}, "perm.error.self"},
		{"unknown permission", GrantChange{1, user.ID, perm.Permission("root"), 0}, "perm.error.unknown"},
	}
	for _, tt := range tests {
		err := db.Grant(ctx, actor, gaAccess, tt.g)
		got := ""
		switch e := err.(type) {
		case nil:
		case *RuleError:
			got = e.MessageID
		case *ValidationError:
			for _, id := range e.Fields {
				got = id
			}
		default:
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	a, _ := db.AccessOf(ctx, 1, user)
	if !a.Tenant(perm.ViewOpenCanvas) || a.Tenant(perm.ViewCSRVDashboard) {
		t.Errorf("after the grants, user holds view_open_canvas=%v view_csrv=%v; want true, false",
			a.Tenant(perm.ViewOpenCanvas), a.Tenant(perm.ViewCSRVDashboard))
	}
	var audits int
	if err := db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'grant.add'`).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("grant.add audit rows = %d (%v), want 1", audits, err)
	}
	// Revoking it takes it away; revoking a role-inherited permission finds no grant.
	if err := db.Revoke(ctx, actor, gaAccess, GrantChange{1, user.ID, perm.ViewOpenCanvas, 0}); err != nil {
		t.Fatal(err)
	}
	sa, _ := db.PersonByEmail(ctx, "services.admin@contoso.example")
	if err := db.Revoke(ctx, actor, gaAccess, GrantChange{1, sa.ID, perm.ViewOpenCanvas, 0}); err != ErrNotFound {
		t.Errorf("revoking a role's permission: %v, want ErrNotFound", err)
	}
}
