package store

import (
	"context"
	"fmt"

	"hubadmin/store/perm"
)

// DemoPerson is one of the demo people, for the start-up message and the README.
type DemoPerson struct {
	Email string
	Role  string // a message ID naming what they can try
}

// DemoPeople lists the demo people in the order they are printed.
var DemoPeople = []DemoPerson{
	{"global.admin@contoso.example", "Global Admin of Contoso"},
	{"services.admin@contoso.example", "Services Admin of Contoso (and its CSM)"},
	{"workspace.admin@contoso.example", "Workspace Admin of Contoso Labs"},
	{"user@contoso.example", "User of Contoso with Training and Support contact"},
	{"csam@microsoft.example", "CSAM of Contoso and Fabrikam (Microsoft)"},
	{"incident.manager@microsoft.example", "Incident Manager of Contoso (Microsoft)"},
	{"global.admin@fabrikam.example", "Global Admin of Fabrikam"},
	{"personal@outlook.example", "Personal account (MSA) in Contoso Sandbox"},
}

// NewsletterKeys are the newsletters every tenant can receive; their names and descriptions are
// messages (newsletter.<key>.name / .desc).
var NewsletterKeys = []string{"product_updates", "security_advisories", "events_training"}

// HasWorld tells whether the database holds any tenant: the demo seeding asks it before it
// spends an argon2 hash on a password it would not use.
func (db *DB) HasWorld(ctx context.Context) (bool, error) {
	var exists bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tenants)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("is there a world: %w", err)
	}
	return exists, nil
}

// SeedDemo creates the demo world when the database has no tenant yet and reports whether it did.
// Every demo person gets passwordHash. Running it again changes nothing.
func (db *DB) SeedDemo(ctx context.Context, passwordHash string) (bool, error) {
	created := false
	err := db.writeTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		created = true
		return seedDemo(ctx, tx, passwordHash)
	})
	if err != nil {
		return false, fmt.Errorf("seed demo world: %w", err)
	}
	return created, nil
}

func seedDemo(ctx context.Context, tx *Tx, hash string) error {
	ids := map[string]int64{}
	people := []NewPerson{
		{Email: "global.admin@contoso.example", DisplayName: "Gabriela Admin"},
		{Email: "services.admin@contoso.example", DisplayName: "Sergei Services"},
		{Email: "workspace.admin@contoso.example", DisplayName: "Wanda Workspace"},
		{Email: "user@contoso.example", DisplayName: "Ulysse User"},
		{Email: "csam@microsoft.example", DisplayName: "Camille CSAM", Microsoft: true},
		{Email: "incident.manager@microsoft.example", DisplayName: "Igor Incident", Microsoft: true},
		{Email: "global.admin@fabrikam.example", DisplayName: "Fatima Fabrikam"},
		{Email: "personal@outlook.example", DisplayName: "Pat Personal"},
	}
	for _, p := range people {
		p.PasswordHash = hash
		p.MailboxVerified = true // the operator's own demo people
		id, err := createPerson(ctx, tx, p)
		if err != nil {
			return err
		}
		ids[p.Email] = id
	}

	// Contoso: a Unified agreement with two packages (default workspace), a Premier agreement
	// (Contoso Labs), and a sandbox with the MSA exception on.
	contoso, err := createTenant(ctx, tx, "Contoso")
	if err != nil {
		return err
	}
	if err := setPrimaryDomain(ctx, tx, contoso, "contoso.example"); err != nil {
		return err
	}
	unified, err := createAgreement(ctx, tx, contoso, Agreement{Number: "U-1000-2026", Kind: "unified", StartsOn: "2026-01-01", EndsOn: "2026-12-31",
		Packages: []Package{
			{Code: "PRO-24", Name: "Proactive Services", StartsOn: "2026-01-01", EndsOn: "2026-12-31"},
			{Code: "RSP-24", Name: "Reactive Support", StartsOn: "2026-01-01", EndsOn: "2026-12-31"},
		}})
	if err != nil {
		return err
	}
	premier, err := createAgreement(ctx, tx, contoso, Agreement{Number: "P-2000-2026", Kind: "premier", StartsOn: "2026-03-01", EndsOn: "2027-02-28",
		Packages: []Package{{Code: "PRM-01", Name: "Premier Support", StartsOn: "2026-03-01", EndsOn: "2027-02-28"}}})
	if err != nil {
		return err
	}
	wsContoso, err := createWorkspace(ctx, tx, Workspace{TenantID: contoso, AgreementID: unified, Name: "Contoso", Description: "Default workspace", IsDefault: true})
	if err != nil {
		return err
	}
	wsLabs, err := createWorkspace(ctx, tx, Workspace{TenantID: contoso, AgreementID: premier, Name: "Contoso Labs", Description: "Research and prototypes"})
	if err != nil {
		return err
	}
	wsSandbox, err := createWorkspace(ctx, tx, Workspace{TenantID: contoso, AgreementID: unified, Name: "Contoso Sandbox", Description: "Trials with partners", MSAException: true})
	if err != nil {
		return err
	}

	// Fabrikam: one agreement, its default workspace.
	fabrikam, err := createTenant(ctx, tx, "Fabrikam")
	if err != nil {
		return err
	}
	if err := setPrimaryDomain(ctx, tx, fabrikam, "fabrikam.example"); err != nil {
		return err
	}
	fabAgreement, err := createAgreement(ctx, tx, fabrikam, Agreement{Number: "U-3000-2026", Kind: "unified", StartsOn: "2026-02-01", EndsOn: "2027-01-31",
		Packages: []Package{{Code: "RSP-24", Name: "Reactive Support", StartsOn: "2026-02-01", EndsOn: "2027-01-31"}}})
	if err != nil {
		return err
	}
	wsFabrikam, err := createWorkspace(ctx, tx, Workspace{TenantID: fabrikam, AgreementID: fabAgreement, Name: "Fabrikam", Description: "Default workspace", IsDefault: true})
	if err != nil {
		return err
	}

	type membership struct {
		email     string
		tenant    int64
		workspace int64
	}
	for _, m := range []membership{
		{"global.admin@contoso.example", contoso, wsContoso},
		{"services.admin@contoso.example", contoso, wsContoso},
		{"workspace.admin@contoso.example", contoso, wsLabs},
		{"user@contoso.example", contoso, wsContoso},
		{"personal@outlook.example", contoso, wsSandbox},
		{"global.admin@fabrikam.example", fabrikam, wsFabrikam},
	} {
		if err := addWorkspaceMember(ctx, tx, m.tenant, m.workspace, ids[m.email], "active"); err != nil {
			return err
		}
	}
	// Microsoft people serve tenants without being members of a workspace.
	for _, m := range []membership{
		{"csam@microsoft.example", contoso, 0},
		{"csam@microsoft.example", fabrikam, 0},
		{"incident.manager@microsoft.example", contoso, 0},
	} {
		if err := addTenantMember(ctx, tx, m.tenant, ids[m.email]); err != nil {
			return err
		}
	}

	type roleOf struct {
		email     string
		tenant    int64
		role      perm.Role
		workspace int64
	}
	for _, r := range []roleOf{
		{"global.admin@contoso.example", contoso, perm.RoleGlobalAdmin, 0},
		{"services.admin@contoso.example", contoso, perm.RoleServicesAdmin, 0},
		{"workspace.admin@contoso.example", contoso, perm.RoleWorkspaceAdmin, wsLabs},
		{"csam@microsoft.example", contoso, perm.RoleCSAM, 0},
		{"csam@microsoft.example", fabrikam, perm.RoleCSAM, 0},
		{"incident.manager@microsoft.example", contoso, perm.RoleIncidentManager, 0},
		{"global.admin@fabrikam.example", fabrikam, perm.RoleGlobalAdmin, 0},
	} {
		if err := assignRole(ctx, tx, r.tenant, ids[r.email], 0, r.role, r.workspace, 0); err != nil {
			return err
		}
	}
	for _, p := range []perm.Permission{perm.Training, perm.SupportContact} {
		if err := addGrant(ctx, tx, contoso, ids["user@contoso.example"], 0, p, wsContoso, ids["global.admin@contoso.example"]); err != nil {
			return err
		}
	}

	// Contoso's CSM (§6) is its Services Admin.
	if _, err := tx.exec(ctx, `UPDATE tenants SET csm_person_id = ? WHERE id = ?`, ids["services.admin@contoso.example"], contoso); err != nil {
		return err
	}

	for _, tenant := range []int64{contoso, fabrikam} {
		for _, key := range NewsletterKeys {
			if _, err := tx.exec(ctx, `INSERT INTO newsletters (tenant_id, key, created_at) VALUES (?, ?, ?)`, tenant, key, tx.now()); err != nil {
				return fmt.Errorf("create newsletter: %w", err)
			}
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO newsletter_subscriptions (tenant_id, newsletter_id, email, person_id, created_at)
		SELECT n.tenant_id, n.id, p.email, p.id, ? FROM newsletters n JOIN people p
		WHERE n.tenant_id = ? AND n.key = 'product_updates' AND p.email IN ('global.admin@contoso.example', 'user@contoso.example')`, tx.now(), contoso)
	return err
}
