package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hubadmin/store/perm"
)

// wsWorld is the demo database with the ids the workspace tests use.
type wsWorld struct {
	db                                   *DB
	contoso, fabrikam                    int64
	unified, premier, fabrikamAgreement  int64
	wsContoso, wsLabs, wsSandbox, wsFab  int64
	admin                                Actor
	msaPerson, plainUser, workspaceAdmin int64
}

func wsOpenDemo(t testing.TB) wsWorld {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	w := wsWorld{db: db, contoso: 1, fabrikam: 2}
	for _, tenant := range []int64{1, 2} {
		as, err := db.AgreementChoices(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			switch a.Number {
			case "U-1000-2026":
				w.unified = a.ID
			case "P-2000-2026":
				w.premier = a.ID
			case "U-3000-2026":
				w.fabrikamAgreement = a.ID
			}
		}
		wss, err := db.WorkspacesOf(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		for _, ws := range wss {
			switch ws.Name {
			case "Contoso":
				w.wsContoso = ws.ID
			case "Contoso Labs":
				w.wsLabs = ws.ID
			case "Contoso Sandbox":
				w.wsSandbox = ws.ID
			case "Fabrikam":
				w.wsFab = ws.ID
			}
		}
	}
	person := func(email string) int64 {
		p, err := db.PersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	w.admin = Actor{PersonID: person("global.admin@contoso.example"), Email: "global.admin@contoso.example"}
	w.msaPerson = person("personal@outlook.example")
	w.plainUser = person("user@contoso.example")
	w.workspaceAdmin = person("workspace.admin@contoso.example")
	return w
}

// wsAuditRows returns the action, target and before/after of a tenant's audit rows, oldest first.
func wsAuditRows(t testing.TB, db *DB, tenantID int64) []AuditEntry {
	t.Helper()
	rows, err := db.read.Query(`SELECT action, target_kind, target_id, target_label, ifnull(workspace_id, 0), before, after, actor_email
		FROM audit_log WHERE tenant_id = ? ORDER BY id`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var before, after string
		if err := rows.Scan(&e.Action, &e.TargetKind, &e.TargetID, &e.TargetLabel, &e.WorkspaceID, &before, &after, &e.Actor.Email); err != nil {
			t.Fatal(err)
		}
		e.Before, e.After = before, after
		out = append(out, e)
	}
	return out
}

func wsCountRows(t testing.TB, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wsFieldOf(err error) string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	for f, id := range ve.Fields {
		return f + "=" + id
	}
	return ""
}

func wsRuleOf(err error) string {
	var re *RuleError
	if !errors.As(err, &re) {
		return ""
	}
	return re.MessageID
}

func TestWorkspaceInputProblems(t *testing.T) {
	tests := []struct {
		name string
		in   WorkspaceInput
		want map[string]string
	}{
		{"valid", WorkspaceInput{Name: "  Research  ", AgreementID: 1}, map[string]string{}},
		{"blank name", WorkspaceInput{Name: "   ", AgreementID: 1}, map[string]string{"name": "workspaces.error.name_required"}},
		{"100 characters", WorkspaceInput{Name: strings.Repeat("я", 100), AgreementID: 1}, map[string]string{}},
		{"101 characters", WorkspaceInput{Name: strings.Repeat("я", 101), AgreementID: 1}, map[string]string{"name": "workspaces.error.name_too_long"}},
		{"control character", WorkspaceInput{Name: "a\x00b", AgreementID: 1}, map[string]string{"name": "workspaces.error.name_control"}},
		{"long description", WorkspaceInput{Name: "a", Description: strings.Repeat("d", 1001), AgreementID: 1},
			map[string]string{"description": "workspaces.error.description_too_long"}},
		{"no agreement", WorkspaceInput{Name: "a"}, map[string]string{"agreement": "workspaces.error.agreement_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Problems()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Problems() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCreateWorkspace(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	id, err := db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: "  Research ", Description: " Lab work ", AgreementID: w.premier}, "tok-1")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := db.Workspace(ctx, w.contoso, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Research" || got.Description != "Lab work" || got.AgreementID != w.premier || got.IsDefault || got.MSAException {
		t.Errorf("created %+v, want trimmed Research on the Premier agreement, not default, MSA off", got)
	}
	audits := wsAuditRows(t, db, w.contoso)
	if len(audits) != 1 || audits[0].Action != "workspace.create" || audits[0].TargetID != id || !strings.Contains(audits[0].After.(string), `"agreement":"P-2000-2026"`) {
		t.Errorf("audit = %+v, want one workspace.create row naming the agreement", audits)
	}

	// The same form sent again makes nothing.
	if _, err := db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: "Research", AgreementID: w.premier}, "tok-1"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second submission: err = %v, want ErrDuplicate", err)
	}
	if n := wsCountRows(t, db, `SELECT count(*) FROM workspaces WHERE name_key = 'research'`); n != 1 {
		t.Errorf("%d workspaces named Research, want 1", n)
	}

	refusals := []struct {
		name  string
		in    WorkspaceInput
		field string
	}{
		{"name taken, other case", WorkspaceInput{Name: "RESEARCH", AgreementID: w.unified}, "name=workspaces.error.name_taken"},
		{"agreement of another tenant", WorkspaceInput{Name: "Elsewhere", AgreementID: w.fabrikamAgreement}, "agreement=workspaces.error.agreement_unknown"},
		{"agreement that does not exist", WorkspaceInput{Name: "Elsewhere", AgreementID: 9999}, "agreement=workspaces.error.agreement_unknown"},
		{"blank name", WorkspaceInput{Name: " ", AgreementID: w.unified}, "name=workspaces.error.name_required"},
	}
	for i, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := wsCountRows(t, db, `SELECT count(*) FROM workspaces`)
			_, err := db.CreateWorkspace(ctx, w.admin, w.contoso, tt.in, fmt.Sprintf("tok-refused-%d", i))
			if got := wsFieldOf(err); got != tt.field {
				t.Errorf("err = %v, want field error %s", err, tt.field)
			}
			if after := wsCountRows(t, db, `SELECT count(*) FROM workspaces`); after != before {
				t.Errorf("%d workspaces after a refused create, want %d", after, before)
			}
		})
	}
	wsCheckKeptCount(t, db, w.contoso)
	// A refused create leaves its token usable: the corrected form goes through.
	if _, err := db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: "Elsewhere", AgreementID: w.unified}, "tok-refused-1"); err != nil {
		t.Errorf("corrected form with the same token: %v", err)
	}
	if _, err := db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: "No token", AgreementID: w.unified}, ""); wsFieldOf(err) != "_submission=form.error.expired" {
		t.Errorf("create without token: err = %v, want the expired-form error", err)
	}
}

func TestUpdateWorkspace(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	labs, err := db.Workspace(ctx, w.contoso, w.wsLabs)
	if err != nil {
		t.Fatal(err)
	}
	in := WorkspaceInput{Name: "Contoso Research", Description: "New description", AgreementID: w.unified}
	if err := db.UpdateWorkspace(ctx, w.admin, w.contoso, w.wsLabs, labs.Version, in); err != nil {
		t.Fatalf("update: %v", err)
	}
	got, _ := db.Workspace(ctx, w.contoso, w.wsLabs)
	if got.Name != in.Name || got.Description != in.Description || got.AgreementID != w.unified || got.Version != labs.Version+1 {
		t.Errorf("after update %+v, want %+v with version %d", got, in, labs.Version+1)
	}
	audits := wsAuditRows(t, db, w.contoso)
	if len(audits) != 1 || audits[0].Action != "workspace.update" ||
		!strings.Contains(audits[0].Before.(string), `"name":"Contoso Labs"`) || !strings.Contains(audits[0].After.(string), `"agreement":"U-1000-2026"`) {
		t.Errorf("audit = %+v, want workspace.update with before and after", audits)
	}

	tests := []struct {
		name    string
		tenant  int64
		id      int64
		version int64
		in      WorkspaceInput
		check   func(error) bool
	}{
		{"stale version", w.contoso, w.wsLabs, labs.Version, WorkspaceInput{Name: "Lost", AgreementID: w.unified}, func(err error) bool { return errors.Is(err, ErrConflict) }},
		{"another tenant's workspace", w.fabrikam, w.wsLabs, got.Version, WorkspaceInput{Name: "Lost", AgreementID: w.fabrikamAgreement}, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"name of another workspace", w.contoso, w.wsLabs, got.Version, WorkspaceInput{Name: "contoso sandbox", AgreementID: w.unified}, func(err error) bool { return wsFieldOf(err) == "name=workspaces.error.name_taken" }},
		{"agreement of another tenant", w.contoso, w.wsLabs, got.Version, WorkspaceInput{Name: "Lost", AgreementID: w.fabrikamAgreement}, func(err error) bool { return wsFieldOf(err) == "agreement=workspaces.error.agreement_unknown" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.UpdateWorkspace(ctx, w.admin, tt.tenant, tt.id, tt.version, tt.in)
			if !tt.check(err) {
				t.Errorf("err = %v", err)
			}
			now, _ := db.Workspace(ctx, w.contoso, w.wsLabs)
			if now != got {
				t.Errorf("a refused update changed the workspace: %+v, want %+v", now, got)
			}
		})
	}
	// Saving unchanged values writes nothing.
	if err := db.UpdateWorkspace(ctx, w.admin, w.contoso, w.wsLabs, got.Version, in); err != nil {
		t.Fatal(err)
	}
	if n := len(wsAuditRows(t, db, w.contoso)); n != 1 {
		t.Errorf("%d audit rows after an unchanged save, want 1", n)
	}
}

func TestSetMSAException(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	steps := []struct {
		name      string
		tenant    int64
		workspace int64
		on        bool
		wantErr   string // "", "premier", "retired", "not found"
		wantState bool
		audits    int
	}{
		{"another tenant's workspace", w.fabrikam, w.wsSandbox, false, "not found", true, 0},
		{"off on a Unified workspace", w.contoso, w.wsSandbox, false, "", false, 1},
		{"off again changes nothing", w.contoso, w.wsSandbox, false, "", false, 1},
		{"on is refused since the MSA retirement (issue 12)", w.contoso, w.wsSandbox, true, "retired", false, 1},
		{"on on a Premier workspace is refused too", w.contoso, w.wsLabs, true, "retired", false, 1},
		{"off on a Premier workspace that had it is refused", w.contoso, w.wsLabs, false, "premier", true, 1},
	}
	for _, s := range steps {
		if s.wantErr == "premier" {
			// A Premier workspace that got the exception before the retirement.
			if err := db.SetMSAExceptionForTest(ctx, w.contoso, s.workspace, true); err != nil {
				t.Fatal(err)
			}
		}
		err := db.SetMSAException(ctx, w.admin, s.tenant, s.workspace, s.on)
		switch s.wantErr {
		case "retired":
			if wsRuleOf(err) != "workspaces.msa.error.retired" {
				t.Errorf("%s: err = %v, want the retirement refusal", s.name, err)
			}
		case "":
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
			}
		case "premier":
			if wsRuleOf(err) != "workspaces.msa.error.premier" {
				t.Errorf("%s: err = %v, want the Premier refusal", s.name, err)
			}
		case "not found":
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: err = %v, want ErrNotFound", s.name, err)
			}
		}
		ws, _ := db.Workspace(ctx, w.contoso, s.workspace)
		if ws.MSAException != s.wantState || ws.AcceptsMSA() != s.wantState {
			t.Errorf("%s: MSA exception %v (AcceptsMSA %v), want %v", s.name, ws.MSAException, ws.AcceptsMSA(), s.wantState)
		}
		if n := len(wsAuditRows(t, db, w.contoso)); n != s.audits {
			t.Errorf("%s: %d audit rows, want %d", s.name, n, s.audits)
		}
	}
	a := wsAuditRows(t, db, w.contoso)[0]
	if a.Action != "workspace.msa_exception" || a.Before != `{"msa_exception":true}` || a.After != `{"msa_exception":false}` {
		t.Errorf("audit = %+v, want before true, after false", a)
	}
	// The MSA person in the sandbox stays when the exception goes off.
	d, err := db.WorkspaceDetails(ctx, w.contoso, w.wsSandbox)
	if err != nil || d.MSAPeopleTotal != 1 || d.MSAPeople[0].PersonID != w.msaPerson {
		t.Errorf("MSA people of the sandbox = %+v (%v), want the demo MSA person", d.MSAPeople, err)
	}
	if def, err := db.Workspace(ctx, w.contoso, w.wsContoso); err != nil || def.AcceptsMSA() {
		t.Errorf("default workspace AcceptsMSA() = %v (%v), want false: its exception is off", def.AcceptsMSA(), err)
	}
}

// wsFillLabs gives Contoso Labs a second member with a grant, a pending invitation and an
// expired one, so that deleting it has something to count.
func wsFillLabs(t *testing.T, w wsWorld) {
	t.Helper()
	ctx := context.Background()
	_, err := w.db.AddMember(ctx, w.contoso, w.wsLabs, NewPerson{Email: "lab.tech@contoso.example", DisplayName: "Lab Tech"}, nil,
		[]perm.Grant{{Permission: perm.Training, WorkspaceID: w.wsLabs}, {Permission: perm.Health, WorkspaceID: w.wsLabs}})
	if err != nil {
		t.Fatal(err)
	}
	err = w.db.writeTx(ctx, func(tx *Tx) error {
		compose := func(string) Mail { return Mail{To: "x@contoso.example", Subject: "s", Body: "b"} }
		if _, err := createInvitation(ctx, tx, NewInvitation{TenantID: w.contoso, WorkspaceID: w.wsLabs, Email: "new@contoso.example"}, w.admin.PersonID, compose); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO invitations (tenant_id, workspace_id, email, token_hash, created_at, expires_at)
			VALUES (?, ?, 'old@contoso.example', 'expired', '2020-01-01T00:00:00Z', '2020-01-08T00:00:00Z')`, w.contoso, w.wsLabs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorkspaceDetails(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	wsFillLabs(t, w)
	d, err := w.db.WorkspaceDetails(ctx, w.contoso, w.wsLabs)
	if err != nil {
		t.Fatal(err)
	}
	want := WorkspaceImpact{Members: 2, Grants: 2, AdminRoles: 1, PendingInvitations: 1}
	if d.Impact != want {
		t.Errorf("impact = %+v, want %+v", d.Impact, want)
	}
	if d.Agreement.Number != "P-2000-2026" || d.Agreement.Kind != "premier" || d.Name != "Contoso Labs" {
		t.Errorf("detail = %+v, want Contoso Labs on P-2000-2026 (premier)", d)
	}
	if d.MSAPeopleTotal != 0 || len(d.MSAPeople) != 0 {
		t.Errorf("Labs has MSA people %+v, want none", d.MSAPeople)
	}
	if _, err := w.db.WorkspaceDetails(ctx, w.fabrikam, w.wsLabs); !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant's workspace: err = %v, want ErrNotFound", err)
	}
}

func TestDeleteWorkspace(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	wsFillLabs(t, w)
	refusals := []struct {
		name   string
		tenant int64
		id     int64
		typed  string
		check  func(error) bool
	}{
		{"wrong name", w.contoso, w.wsLabs, "Contoso Lab", func(err error) bool { return wsFieldOf(err) == "confirm_name=workspaces.delete.error.name_mismatch" }},
		{"other letter case", w.contoso, w.wsLabs, "contoso labs", func(err error) bool { return wsFieldOf(err) == "confirm_name=workspaces.delete.error.name_mismatch" }},
		{"nothing typed", w.contoso, w.wsLabs, "", func(err error) bool { return wsFieldOf(err) == "confirm_name=workspaces.delete.error.name_mismatch" }},
		{"default workspace", w.contoso, w.wsContoso, "Contoso", func(err error) bool { return wsRuleOf(err) == "workspaces.delete.error.default" }},
		{"another tenant's workspace", w.fabrikam, w.wsLabs, "Contoso Labs", func(err error) bool { return errors.Is(err, ErrNotFound) }},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.DeleteWorkspace(ctx, w.admin, tt.tenant, tt.id, tt.typed); !tt.check(err) {
				t.Errorf("err = %v", err)
			}
			if n := wsCountRows(t, db, `SELECT count(*) FROM workspaces WHERE tenant_id = ?`, w.contoso); n != 3 {
				t.Errorf("%d Contoso workspaces after a refused delete, want 3", n)
			}
		})
	}
	if n := len(wsAuditRows(t, db, w.contoso)); n != 0 {
		t.Errorf("%d audit rows after refused deletes, want 0", n)
	}
	if err := db.DeleteWorkspace(ctx, w.admin, w.contoso, w.wsLabs, "  Contoso Labs "); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wsCheckKeptCount(t, db, w.contoso)
	for _, table := range []string{"workspace_members", "grants", "role_assignments", "invitations"} {
		if n := wsCountRows(t, db, `SELECT count(*) FROM `+table+` WHERE workspace_id = ?`, w.wsLabs); n != 0 {
			t.Errorf("%d rows of %s still name the deleted workspace", n, table)
		}
	}
	if _, err := db.Workspace(ctx, w.contoso, w.wsLabs); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted workspace: err = %v, want ErrNotFound", err)
	}
	audits := wsAuditRows(t, db, w.contoso)
	if len(audits) != 1 || audits[0].Action != "workspace.delete" || audits[0].TargetLabel != "Contoso Labs" {
		t.Fatalf("audit = %+v, want one workspace.delete", audits)
	}
	var before map[string]any
	if err := json.Unmarshal([]byte(audits[0].Before.(string)), &before); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"members": 2, "grants": 2, "admin_roles": 1, "pending_invitations": 1} {
		if before[k] != v {
			t.Errorf("audit before[%s] = %v, want %v", k, before[k], v)
		}
	}
}

func TestRemoveMSAPerson(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	// The MSA person holds a grant and the Workspace Admin role in the sandbox, a grant in the
	// default workspace (which stays), and has an open invitation to the sandbox.
	err := db.writeTx(ctx, func(tx *Tx) error {
		for _, g := range []struct {
			p  perm.Permission
			ws int64
		}{{perm.Training, w.wsSandbox}, {perm.Health, w.wsContoso}} {
			if err := addGrant(ctx, tx, w.contoso, w.msaPerson, 0, g.p, g.ws, 0); err != nil {
				return err
			}
		}
		if err := assignRole(ctx, tx, w.contoso, w.msaPerson, 0, perm.RoleWorkspaceAdmin, w.wsSandbox, 0); err != nil {
			return err
		}
		_, err := createInvitation(ctx, tx, NewInvitation{TenantID: w.contoso, WorkspaceID: w.wsSandbox, Email: "PERSONAL@outlook.example"}, 0,
			func(string) Mail { return Mail{} })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name                     string
		actor                    Actor
		tenant, workspace, whoID int64
		check                    func(error) bool
	}{
		{"not an MSA person", w.admin, w.contoso, w.wsContoso, w.plainUser, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"MSA person not in that workspace", w.admin, w.contoso, w.wsLabs, w.msaPerson, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"another tenant", w.admin, w.fabrikam, w.wsSandbox, w.msaPerson, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"themself", Actor{PersonID: w.msaPerson, Email: "personal@outlook.example"}, w.contoso, w.wsSandbox, w.msaPerson,
			func(err error) bool { var re *RuleError; return errors.As(err, &re) && re.Forbidden }},
	}
	for _, tt := range refusals {
		if err := db.RemoveMSAPerson(ctx, tt.actor, tt.tenant, tt.workspace, tt.whoID); !tt.check(err) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	if n := wsCountRows(t, db, `SELECT count(*) FROM workspace_members WHERE person_id = ?`, w.msaPerson); n != 1 {
		t.Fatalf("refusals changed memberships: %d, want 1", n)
	}
	if err := db.RemoveMSAPerson(ctx, w.admin, w.contoso, w.wsSandbox, w.msaPerson); err != nil {
		t.Fatalf("remove: %v", err)
	}
	checks := []struct {
		what  string
		query string
		want  int
	}{
		{"sandbox membership", `SELECT count(*) FROM workspace_members WHERE person_id = ? AND workspace_id = ` + fmt.Sprint(w.wsSandbox), 0},
		{"sandbox grants", `SELECT count(*) FROM grants WHERE person_id = ? AND workspace_id = ` + fmt.Sprint(w.wsSandbox), 0},
		{"sandbox admin role", `SELECT count(*) FROM role_assignments WHERE person_id = ? AND workspace_id = ` + fmt.Sprint(w.wsSandbox), 0},
		{"grant in the default workspace", `SELECT count(*) FROM grants WHERE person_id = ? AND workspace_id = ` + fmt.Sprint(w.wsContoso), 1},
		{"tenant membership", `SELECT count(*) FROM tenant_members WHERE person_id = ?`, 1},
	}
	for _, c := range checks {
		if n := wsCountRows(t, db, c.query, w.msaPerson); n != c.want {
			t.Errorf("%s: %d rows, want %d", c.what, n, c.want)
		}
	}
	if n := wsCountRows(t, db, `SELECT count(*) FROM invitations WHERE workspace_id = ? AND revoked_at IS NULL`, w.wsSandbox); n != 0 {
		t.Errorf("%d open invitations to the sandbox after removing the person, want 0", n)
	}
	audits := wsAuditRows(t, db, w.contoso)
	if len(audits) != 1 || audits[0].Action != "workspace.msa_person_remove" || audits[0].TargetID != w.msaPerson ||
		audits[0].WorkspaceID != w.wsSandbox || audits[0].Before != `{"workspace":"Contoso Sandbox","status":"active","grants":["training"],"workspace_admin":true}` {
		t.Errorf("audit = %+v", audits)
	}
}

// wsSeed adds n workspaces named "Workspace 00001"… to a tenant, and two members to
// each (2n people), in one transaction.
func wsSeed(t testing.TB, db *DB, tenantID, agreementID int64, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.writeTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
			INSERT INTO workspaces (tenant_id, agreement_id, name, name_key, description, msa_exception, created_at)
			SELECT ?, ?, printf('Workspace %05d', i), printf('workspace %05d', i), '', i % 2, ? FROM seq`,
			n, tenantID, agreementID, tx.now()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
			INSERT INTO people (email, display_name, created_at) SELECT printf('bench%06d@bench.example', i), 'Bench', ? FROM seq`,
			2*n, tx.now()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at)
			SELECT w.id, p.id, w.tenant_id, 'active', ? FROM workspaces w
			JOIN people p ON p.email IN (printf('bench%06d@bench.example', 2 * CAST(substr(w.name, 11) AS INTEGER) - 1),
				printf('bench%06d@bench.example', 2 * CAST(substr(w.name, 11) AS INTEGER)))
			WHERE w.tenant_id = ? AND w.name LIKE 'Workspace %'`, tx.now(), tenantID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wsWalk reads every page of the list forward, then backward from the last page, and returns the
// ids in the order seen each way.
func wsWalk(t *testing.T, db *DB, tenant int64, f WorkspaceFilter) (forward, backward []int64) {
	t.Helper()
	ctx := context.Background()
	var last ListPage[WorkspaceSummary]
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages: paging does not end")
		}
		var p ListPage[WorkspaceSummary]
		var err error
		n := db.Counting(func() { p, err = db.ListWorkspaces(ctx, tenant, f) })
		if err != nil {
			t.Fatal(err)
		}
		if n > 3 {
			t.Errorf("a page took %d SQL statements, want at most 3", n)
		}
		if len(p.Items) > PageSize {
			t.Errorf("a page has %d rows, want at most %d", len(p.Items), PageSize)
		}
		if (pages == 0) != (p.Prev == "") {
			t.Errorf("page %d: Prev = %q", pages+1, p.Prev)
		}
		for _, it := range p.Items {
			forward = append(forward, it.ID)
		}
		last = p
		if p.Next == "" {
			break
		}
		f.After, f.Before = p.Next, ""
	}
	p := last
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages backwards")
		}
		ids := make([]int64, 0, len(p.Items))
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		backward = append(ids, backward...)
		if p.Prev == "" {
			break
		}
		f.After, f.Before = "", p.Prev
		var err error
		if p, err = db.ListWorkspaces(ctx, tenant, f); err != nil {
			t.Fatal(err)
		}
	}
	return forward, backward
}

func TestListWorkspacesPagesByKeyset(t *testing.T) {
	w := wsOpenDemo(t)
	wsSeed(t, w.db, w.contoso, w.unified, 120)
	ctx := context.Background()
	all, err := w.db.WorkspacesOf(ctx, w.contoso)
	if err != nil {
		t.Fatal(err)
	}
	byName := make([]int64, 0, len(all))
	for _, ws := range all {
		byName = append(byName, ws.ID)
	}
	// WorkspacesOf puts the default first; the list does not.
	slices.SortFunc(all, func(a, b Workspace) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	byName = byName[:0]
	for _, ws := range all {
		byName = append(byName, ws.ID)
	}
	byID := slices.Clone(byName)
	slices.Sort(byID)
	reversed := func(s []int64) []int64 { c := slices.Clone(s); slices.Reverse(c); return c }
	tests := []struct {
		sort string
		desc bool
		want []int64
	}{
		{WorkspaceSortName, false, byName},
		{WorkspaceSortName, true, reversed(byName)},
		{WorkspaceSortCreated, false, byID},
		{WorkspaceSortCreated, true, reversed(byID)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s desc=%v", tt.sort, tt.desc), func(t *testing.T) {
			fwd, back := wsWalk(t, w.db, w.contoso, WorkspaceFilter{Sort: tt.sort, Desc: tt.desc})
			second, err := w.db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{Sort: tt.sort, Desc: tt.desc, After: Cursor{Key: "", ID: 0}.Encode()})
			if err != nil || second.Total != len(tt.want) {
				t.Errorf("total = %d (%v), want %d", second.Total, err, len(tt.want))
			}
			if !slices.Equal(fwd, tt.want) {
				t.Errorf("forward order: %d ids, want %d in order", len(fwd), len(tt.want))
			}
			if !slices.Equal(back, tt.want) {
				t.Errorf("backward order: %d ids, want %d in order", len(back), len(tt.want))
			}
		})
	}
}

func TestListWorkspacesSearchAndCounts(t *testing.T) {
	ctx := context.Background()
	w := wsOpenDemo(t)
	db := w.db
	for i, name := range []string{"100% Cloud", "Under_score", "Москва Офис", "Plain"} {
		if _, err := db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: name, AgreementID: w.unified}, fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		search string
		want   []string
	}{
		{"", []string{"100% Cloud", "Contoso", "Contoso Labs", "Contoso Sandbox", "Plain", "Under_score", "Москва Офис"}},
		{"contoso", []string{"Contoso", "Contoso Labs", "Contoso Sandbox"}},
		{"LABS", []string{"Contoso Labs"}},
		{"%", []string{"100% Cloud"}},
		{"_", []string{"Under_score"}},
		{"МОСКВА", []string{"Москва Офис"}},
		{"nothing like this", nil},
	}
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			p, err := db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{Search: tt.search})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.Items {
				got = append(got, it.Name)
			}
			if !slices.Equal(got, tt.want) || p.Total != len(tt.want) || p.Next != "" || p.Prev != "" {
				t.Errorf("search %q: %v (total %d, next %q, prev %q), want %v", tt.search, got, p.Total, p.Next, p.Prev, tt.want)
			}
		})
	}
	p, err := db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{Search: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]int{}
	for _, it := range p.Items {
		people[it.Name] = it.People
		if it.AgreementNumber == "" || it.AgreementKind == "" {
			t.Errorf("%s: agreement %q (%q) not read", it.Name, it.AgreementNumber, it.AgreementKind)
		}
	}
	if want := map[string]int{"Contoso": 3, "Contoso Labs": 1, "Contoso Sandbox": 1}; fmt.Sprint(people) != fmt.Sprint(want) {
		t.Errorf("people counts = %v, want %v", people, want)
	}
	// Fabrikam sees only its own.
	fp, err := db.ListWorkspaces(ctx, w.fabrikam, WorkspaceFilter{})
	if err != nil || fp.Total != 1 || fp.Items[0].ID != w.wsFab {
		t.Errorf("Fabrikam's list = %+v (%v), want its one workspace", fp.Items, err)
	}
	// A stale or forged cursor shows the first page rather than an error or nothing.
	for _, c := range []string{"not-a-cursor", Cursor{Key: "\U0010FFFF", ID: 1 << 40}.Encode()} {
		sp, err := db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{After: c})
		if err != nil || len(sp.Items) != 7 || sp.Prev != "" {
			t.Errorf("cursor %q: %d items, prev %q (%v); want the first page", c, len(sp.Items), sp.Prev, err)
		}
	}
}

// wsCheckKeptCount checks that the count kept by migration 004's triggers (the unfiltered
// list's total) is the real number of the tenant's workspaces.
func wsCheckKeptCount(t *testing.T, db *DB, tenantID int64) {
	t.Helper()
	kept := wsCountRows(t, db, `SELECT workspaces FROM workspace_counts WHERE tenant_id = ?`, tenantID)
	if real := wsCountRows(t, db, `SELECT count(*) FROM workspaces WHERE tenant_id = ?`, tenantID); kept != real {
		t.Errorf("kept count %d, want the %d workspaces there are", kept, real)
	}
}

// TestWorkspaceListOf10000 holds the list to its SQL budget with 10,000 workspaces: at most 3
// statements for the first page and for the last one.
func TestWorkspaceListOf10000(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 workspaces")
	}
	ctx := context.Background()
	w := wsOpenDemo(t)
	wsSeed(t, w.db, w.contoso, w.unified, 10000)
	var first, last ListPage[WorkspaceSummary]
	var err error
	n := w.db.Counting(func() { first, err = w.db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{}) })
	if err != nil || n > 3 {
		t.Fatalf("first page: %d statements (%v), want at most 3", n, err)
	}
	if first.Total != 10003 || len(first.Items) != PageSize || first.Items[0].Name != "Contoso" || first.Items[5].People != 2 {
		t.Errorf("first page: total %d, %d rows, first %q, sixth has %d people", first.Total, len(first.Items), first.Items[0].Name, first.Items[5].People)
	}
	n = w.db.Counting(func() {
		last, err = w.db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{After: wsLastPageCursor(t, w.db, w.contoso)})
	})
	if err != nil || n > 3 {
		t.Fatalf("last page: %d statements (%v), want at most 3", n, err)
	}
	if last.Next != "" || last.Prev == "" || last.Items[len(last.Items)-1].Name != "Workspace 10000" {
		t.Errorf("last page: next %q, prev %q, last row %q", last.Next, last.Prev, last.Items[len(last.Items)-1].Name)
	}
}

// wsLastPageCursor is the cursor of the row just before the list's last PageSize rows in the default (root) collation order, the key the list pages by (migration 011).
func wsLastPageCursor(t testing.TB, db *DB, tenantID int64) string {
	t.Helper()
	var c Cursor
	if err := db.read.QueryRow(`SELECT sort_root, id FROM workspaces WHERE tenant_id = ? ORDER BY sort_root DESC, id DESC LIMIT 1 OFFSET ?`,
		tenantID, PageSize).Scan(&c.Key, &c.ID); err != nil {
		t.Fatal(err)
	}
	return c.Encode()
}

func benchmarkWorkspacePage(b *testing.B, last bool) {
	ctx := context.Background()
	w := wsOpenDemo(b)
	wsSeed(b, w.db, w.contoso, w.unified, 10000)
	f := WorkspaceFilter{}
	if last {
		f.After = wsLastPageCursor(b, w.db, w.contoso)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := w.db.ListWorkspaces(ctx, w.contoso, f)
		if err != nil || len(p.Items) == 0 {
			b.Fatalf("%d rows, %v", len(p.Items), err)
		}
	}
}

// BenchmarkWorkspacesFirstPage reads the first page of 10,003 workspaces by name.
func BenchmarkWorkspacesFirstPage(b *testing.B) { benchmarkWorkspacePage(b, false) }

// BenchmarkWorkspacesLastPage reads the last page of the same list: keyset paging makes it cost
// what the first does.
func BenchmarkWorkspacesLastPage(b *testing.B) { benchmarkWorkspacePage(b, true) }

// BenchmarkWorkspacesFirstVsLast alternates the first and the last page in one loop, so both
// see the same machine load, and reports each one's time and their ratio.
func BenchmarkWorkspacesFirstVsLast(b *testing.B) {
	ctx := context.Background()
	w := wsOpenDemo(b)
	wsSeed(b, w.db, w.contoso, w.unified, 10000)
	filters := [2]WorkspaceFilter{{}, {After: wsLastPageCursor(b, w.db, w.contoso)}}
	var spent [2]time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := w.db.ListWorkspaces(ctx, w.contoso, filters[i%2]); err != nil {
			b.Fatal(err)
		}
		spent[i%2] += time.Since(start)
	}
	half := float64(b.N) / 2
	first, last := float64(spent[0].Nanoseconds())/half, float64(spent[1].Nanoseconds())/half
	b.ReportMetric(first, "first-ns/op")
	b.ReportMetric(last, "last-ns/op")
	b.ReportMetric(last/first, "last/first")
}

// BenchmarkWorkspacesSearch reads the first page of a search among 10,003 workspaces: a term
// matching 10 names (the whole index is read for the page and the count) and one matching none.
func BenchmarkWorkspacesSearch(b *testing.B) {
	ctx := context.Background()
	w := wsOpenDemo(b)
	wsSeed(b, w.db, w.contoso, w.unified, 10000)
	for _, term := range []string{"space 0999", "nothing like it"} {
		b.Run(strings.ReplaceAll(term, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if _, err := w.db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{Search: term}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
