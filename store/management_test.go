package store

import (
	"sort"
	"strings"
	"testing"

	"hubadmin/store/perm"
)

func TestTenantGrantablesComeFromTheMatrix(t *testing.T) {
	got := TenantGrantables()
	want := []perm.Permission{perm.ViewOpenCanvas, perm.ManageOpenCanvas, perm.ViewEngagements}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}

// holdersOf renders a feature's holders as "email:reasons" sorted, reasons as r:<role>,
// g:<group>/<role or grant>, i (individual grant), with * when revocable.
func holdersOf(fs []TenantFeature, p perm.Permission) string {
	var out []string
	for _, f := range fs {
		if f.Permission != p {
			continue
		}
		for _, h := range f.Holders {
			var why []string
			for _, s := range h.Sources {
				switch s.Kind {
				case perm.SourceRole:
					why = append(why, "r:"+string(s.Role))
				case perm.SourceGroup:
					what := string(s.Role)
					if what == "" {
						what = "grant"
					}
					why = append(why, "g:"+s.Group.Name+"/"+what)
				case perm.SourceGrant:
					why = append(why, "i")
				}
			}
			entry := h.Person.Email + ":" + strings.Join(why, ",")
			if h.Revocable() {
				entry += "*"
			}
			out = append(out, entry)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestTenantFeaturesSayWhoAndWhy(t *testing.T) {
	f := newTenantFixture(t)
	// An individual grant, and a directory group holding a role and a grant.
	if err := f.db.Grant(f.ctx, f.actor(f.ga), mustAccess(t, f, f.ga), GrantChange{TenantID: f.contoso, PersonID: f.user.ID, Permission: perm.ViewEngagements}); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.write.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO directory_groups (id, tenant_id, name, object_id, created_at, updated_at) VALUES (90, 1, 'Canvas team', 'obj-90', 'x', 'x')`)
	exec(`INSERT INTO group_members (group_id, email, created_at) VALUES (90, 'workspace.admin@contoso.example', 'x')`)
	exec(`INSERT INTO grants (tenant_id, group_id, permission, created_at) VALUES (1, 90, 'manage_open_canvas', 'x')`)
	exec(`INSERT INTO role_assignments (tenant_id, group_id, role, created_at) VALUES (1, 90, 'services_admin', 'x')`)

	var features []TenantFeature
	n := f.db.Counting(func() {
		var err error
		if features, err = f.db.TenantFeatures(f.ctx, f.contoso); err != nil {
			t.Fatal(err)
		}
	})
	if n != 1 {
		t.Errorf("%d statements, want 1", n)
	}
	tests := []struct {
		p    perm.Permission
		want string
	}{
		{perm.ViewOpenCanvas, "csam@microsoft.example:r:csam global.admin@contoso.example:r:global_admin " +
			"services.admin@contoso.example:r:services_admin workspace.admin@contoso.example:g:Canvas team/services_admin"},
		{perm.ManageOpenCanvas, "csam@microsoft.example:r:csam global.admin@contoso.example:r:global_admin " +
			"services.admin@contoso.example:r:services_admin workspace.admin@contoso.example:g:Canvas team/services_admin,g:Canvas team/grant"},
		{perm.ViewEngagements, "csam@microsoft.example:r:csam global.admin@contoso.example:r:global_admin user@contoso.example:i*"},
	}
	for _, tt := range tests {
		if got := holdersOf(features, tt.p); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.p, got, tt.want)
		}
	}
	fab, err := f.db.TenantFeatures(f.ctx, f.fabrikam)
	if err != nil {
		t.Fatal(err)
	}
	if got := holdersOf(fab, perm.ViewEngagements); got != "csam@microsoft.example:r:csam global.admin@fabrikam.example:r:global_admin" {
		t.Errorf("Fabrikam view engagements: %s", got)
	}
}

func mustAccess(t *testing.T, f tenantFixture, p Person) perm.Access {
	t.Helper()
	a, err := f.db.AccessOf(f.ctx, f.contoso, p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
