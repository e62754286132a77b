package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hubadmin/store/perm"
)

// Viewer is everything a request needs to know about who is asking: the person, the tenant they
// are acting in, the other tenants they could switch to, and what they may do there. It is read
// afresh on every request, so a revoked role stops working on the very next one.
type Viewer struct {
	Person             Person
	Prefs              Preferences // theme and time zone (issue 13)
	Tenant             Tenant
	Tenants            []TenantRef
	DefaultWorkspaceID int64
	Access             perm.Access
	// Workspace is the workspace the request names (a :ws route), read with the access when
	// it belongs to the current tenant; nil otherwise.
	Workspace *Workspace
	// PeopleWorkspaces are up to MaxPeopleLinks workspaces whose people the person runs
	// (Manage users or Invite users there), the default first, then by name: the personal
	// "People of …" links of every page.
	PeopleWorkspaces []WorkspaceRef
}

// MaxPeopleLinks bounds Viewer.PeopleWorkspaces: a CSAM or an Incident Manager holds Invite
// users in every workspace of the tenant, which may be 100,000.
const MaxPeopleLinks = 5

// Actor is the person as the audit log records who made a change.
func (v *Viewer) Actor() Actor { return Actor{PersonID: v.Person.ID, Email: v.Person.Email} }

// IsCSM tells whether the person is the designated Customer Support Manager of the tenant they
// are acting in (product.md §6): the one check the route table, the home redirect, the menu and
// the quick start all use.
func (v *Viewer) IsCSM() bool {
	return v.Tenant.CSMPersonID != 0 && v.Tenant.CSMPersonID == v.Person.ID
}

// LoadViewer reads a Viewer in one snapshot. tenantID 0, or a tenant the person no longer
// belongs to, falls back to their landing tenant (LandingTenant); a person with no tenant gets a
// Viewer with a zero Tenant. A disabled or deleted person gives ErrNotFound, and only they: a
// failing database is an error of its own, so the caller keeps the session (issue 11).
func (db *DB) LoadViewer(ctx context.Context, personID, tenantID int64) (Viewer, error) {
	var v Viewer
	err := db.readTx(ctx, func(tx *Tx) error {
		p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p WHERE p.id = ? AND p.disabled = 0`, personID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound // deleted or disabled: the only answer that may end a session
		}
		if err != nil {
			return fmt.Errorf("viewer %d: %w", personID, err)
		}
		rows, err := tx.query(ctx, `SELECT id, name, primary_domain FROM tenants WHERE id IN (`+memberTenantsSQL+`) ORDER BY name, id`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("viewer tenants: %w", err)
		}
		defer rows.Close()
		var tenants []TenantRef
		for rows.Next() {
			var t TenantRef
			if err := rows.Scan(&t.ID, &t.Name, &t.Domain); err != nil {
				return err
			}
			tenants = append(tenants, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if v, err = viewerIn(ctx, tx, p, tenants, tenantID, 0); err != nil {
			return err
		}
		v.Prefs, err = personPreferences(ctx, tx, p.ID) // theme and time zone (issue 13)
		return err
	})
	return v, err
}

// SessionViewer completes the Viewer of a session read by Session (which brought the person and
// their tenants along): the current tenant, the access there and the workspace a :ws route
// names (wsID, 0 for none) in one statement, and the "People of …" links in one more only when
// some workspace qualifies. With the session itself, a signed-in request's base is two or three
// statements. A session without a (still enabled) person gives ErrNotFound.
func (db *DB) SessionViewer(ctx context.Context, s SessionRecord, tenantID, wsID int64) (Viewer, error) {
	if s.Person == nil {
		return Viewer{}, ErrNotFound
	}
	var v Viewer
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		v, err = viewerIn(ctx, tx, *s.Person, s.Tenants, tenantID, wsID)
		v.Prefs = s.Prefs
		return err
	})
	return v, err
}

func viewerIn(ctx context.Context, tx *Tx, p Person, tenants []TenantRef, tenantID, wsID int64) (Viewer, error) {
	v := Viewer{Person: p, Tenants: tenants}
	current := int64(0)
	for _, t := range tenants {
		if t.ID == tenantID {
			current = t.ID
		}
	}
	if current == 0 && len(tenants) > 0 {
		// Never the first by name: a tenant could rename itself into the first place.
		var err error
		if current, err = landingTenant(ctx, tx, p); err != nil {
			return v, err
		}
	}
	if current == 0 {
		return v, nil
	}
	names := &workspaceNames{byID: map[int64]wsNameKey{}}
	in, err := viewerRows(ctx, tx, current, p, wsID, &v, names)
	if err != nil {
		return v, err
	}
	if v.Tenant.ID == 0 {
		return v, fmt.Errorf("tenant %d of person %d not found", current, p.ID) // not ErrNotFound: that would end the session
	}
	v.DefaultWorkspaceID = in.DefaultWorkspaceID
	v.Access = perm.Compute(in)
	v.PeopleWorkspaces = peopleWorkspaces(v.DefaultWorkspaceID, v.Access, names)
	return v, nil
}

// AccessOf computes the effective permissions of a person in a tenant (used where the person is
// not the one signed in: lists of holders, tests).
func (db *DB) AccessOf(ctx context.Context, tenantID int64, p Person) (perm.Access, error) {
	var a perm.Access
	err := db.readTx(ctx, func(tx *Tx) error {
		in, err := accessInput(ctx, tx, tenantID, p)
		if err != nil {
			return err
		}
		a = perm.Compute(in)
		return nil
	})
	return a, err
}

// accessSQL gathers the person's own roles and grants in tenant ?1 and those of the directory
// groups of the tenant whose member list holds their email (?3). Each source is its own arm so
// that each seeks an index by person (?2) or by group: an OR of the two made the planner walk
// every role and grant of the tenant (≈ 48 ms a request at 100,000 grants); the unary + on the
// tenant columns keeps it off the (tenant_id, …) indexes. The first arm is the tenant's default
// workspace (a Services Admin's workspace permissions are there). Columns: kind, text a, b, c, d,
// numbers n1…n6; viewerSQL adds the tenant and workspaces with the same columns.
const accessSQL = `
		SELECT 'default', '', '', w.name, w.name_key, w.id, 0, 0, 0, 0, 0 FROM workspaces w WHERE w.tenant_id = ?1 AND w.is_default = 1
		UNION ALL
		SELECT 'role', ra.role, '', ifnull(w.name, ''), ifnull(w.name_key, ''), ifnull(ra.workspace_id, 0), 0, 0, 0, 0, 0
		FROM role_assignments ra LEFT JOIN workspaces w ON w.id = ra.workspace_id WHERE ra.person_id = ?2 AND +ra.tenant_id = ?1
		UNION ALL
		SELECT 'role', ra.role, mg.name, ifnull(w.name, ''), ifnull(w.name_key, ''), ifnull(ra.workspace_id, 0), mg.id, 0, 0, 0, 0
		FROM my_groups mg JOIN role_assignments ra ON ra.group_id = mg.id LEFT JOIN workspaces w ON w.id = ra.workspace_id
		WHERE +ra.tenant_id = ?1
		UNION ALL
		SELECT 'grant', gr.permission, '', ifnull(w.name, ''), ifnull(w.name_key, ''), ifnull(gr.workspace_id, 0), 0, 0, 0, 0, 0
		FROM grants gr LEFT JOIN workspaces w ON w.id = gr.workspace_id WHERE gr.person_id = ?2 AND +gr.tenant_id = ?1
		UNION ALL
		SELECT 'grant', gr.permission, mg.name, ifnull(w.name, ''), ifnull(w.name_key, ''), ifnull(gr.workspace_id, 0), mg.id, 0, 0, 0, 0
		FROM my_groups mg JOIN grants gr ON gr.group_id = mg.id LEFT JOIN workspaces w ON w.id = gr.workspace_id
		WHERE +gr.tenant_id = ?1`

const firstNames = "6"

// myGroupsCTE: the tenant's directory groups whose member list holds the person's address,
// when that address reaches a member of the tenant with a proven mailbox (groupMemberActiveSQL).
var myGroupsCTE = `WITH my_groups AS (SELECT g.id, g.name FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
		WHERE gm.email = ?3 AND +g.tenant_id = ?1 AND ` + groupMemberActiveSQL("gm.email", "?1") + `)`

// viewerSQL is accessSQL with, in the same statement, the tenant (?1), the workspace the
// request names (?4) and the tenant's first workspaces by name (six index entries: the "People
// of …" links of someone who runs every workspace). The access rows carry the names of their
// workspaces, so the links of someone who runs some need no statement of their own either.
// firstNames is one more than the links, in case the default is among them.
var viewerSQL = myGroupsCTE + `
		SELECT 'tenant', t.name, t.admin_model, t.created_at, CASE t.require_two_step WHEN 1 THEN 'require_two_step' ELSE '' END,
			t.show_names_training, t.in_product_feedback,
			t.cloud_consent, ifnull(t.admin_group_id, 0), ifnull(t.csm_person_id, 0), t.version
		FROM tenants t WHERE t.id = ?1
		UNION ALL
		SELECT 'first', '', '', f.name, f.name_key, f.id, 0, 0, 0, 0, 0
		FROM (SELECT id, name, name_key FROM workspaces WHERE tenant_id = ?1 ORDER BY name_key, id LIMIT ` + firstNames + `) f
		UNION ALL
		SELECT 'workspace', w.name, w.description, a.kind, w.created_at, w.id, w.agreement_id, w.is_default, w.msa_exception, w.version, 0
		FROM workspaces w JOIN agreements a ON a.id = w.agreement_id WHERE w.id = ?4 AND w.tenant_id = ?1
		UNION ALL` + accessSQL

// accessInput reads the person's access sources in one statement (no tenant row).
func accessInput(ctx context.Context, tx *Tx, tenantID int64, p Person) (perm.Input, error) {
	in, err := viewerRowsOf(ctx, tx, myGroupsCTE+accessSQL, tenantID, nil, nil, tenantID, p.ID, p.Email)
	dropCustomerRoles(p, &in)
	return in, err
}

// viewerRows reads the tenant, the workspaces and the access of the viewer in one statement.
func viewerRows(ctx context.Context, tx *Tx, tenantID int64, p Person, wsID int64, v *Viewer, names *workspaceNames) (perm.Input, error) {
	in, err := viewerRowsOf(ctx, tx, viewerSQL, tenantID, v, names, tenantID, p.ID, p.Email, wsID)
	dropCustomerRoles(p, &in)
	return in, err
}

// wsNameKey is a workspace's name and its sort key (lower-cased name).
type wsNameKey struct{ name, key string }

// workspaceNames are the workspace names the viewer statement brought: those of the access
// rows (byID) and the tenant's first by name (first).
type workspaceNames struct {
	byID  map[int64]wsNameKey
	first []WorkspaceRef
}

func viewerRowsOf(ctx context.Context, tx *Tx, q string, tenantID int64, v *Viewer, names *workspaceNames, args ...any) (perm.Input, error) {
	in := perm.Input{}
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return in, fmt.Errorf("access in tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, a, b, c, d string
		var n [6]int64
		if err := rows.Scan(&kind, &a, &b, &c, &d, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5]); err != nil {
			return in, err
		}
		if names != nil && n[0] != 0 && kind != "tenant" && kind != "workspace" && kind != "first" {
			names.byID[n[0]] = wsNameKey{c, d}
		}
		switch kind {
		case "tenant":
			if v == nil {
				continue
			}
			v.Tenant = Tenant{ID: tenantID, Name: a, AdminModel: b, CreatedAt: parseTime(c), ShowNamesTraining: n[0] != 0,
				InProductFeedback: n[1] != 0, CloudConsent: n[2] != 0, AdminGroupID: n[3], CSMPersonID: n[4], Version: n[5],
				RequireTwoStep: d == "require_two_step"}
		case "workspace":
			if v == nil {
				continue
			}
			v.Workspace = &Workspace{ID: n[0], TenantID: tenantID, AgreementID: n[1], AgreementKind: c, Name: a, Description: b,
				IsDefault: n[2] != 0, MSAException: n[3] != 0, Version: n[4], CreatedAt: parseTime(d)}
		case "first":
			if names != nil {
				names.first = append(names.first, WorkspaceRef{ID: n[0], Name: c})
			}
			continue
		case "default":
			in.DefaultWorkspaceID = n[0]
		case "role", "grant":
			var group *perm.GroupRef
			if n[1] != 0 {
				group = &perm.GroupRef{ID: n[1], Name: b}
			}
			if kind == "role" {
				in.Roles = append(in.Roles, perm.RoleAssignment{Role: perm.Role(a), WorkspaceID: n[0], Group: group})
			} else {
				in.Grants = append(in.Grants, perm.Grant{Permission: perm.Permission(a), WorkspaceID: n[0], Group: group})
			}
		}
	}
	return in, rows.Err()
}

// customerRoleAllowed applies the tenant-role rule on the read side, for the paths no form
// guards (a directory group holding Administrator gains an MSA or Microsoft member): the
// customer's tenant-wide roles, Global Admin and Services Admin, reach only the customer's own
// work accounts (customerWorkAccount).
func customerRoleAllowed(p Person, r perm.Role) bool {
	if r != perm.RoleGlobalAdmin && r != perm.RoleServicesAdmin {
		return true
	}
	return customerWorkAccount(p, "") == nil
}

// dropCustomerRoles removes from in the roles p may not hold (customerRoleAllowed).
func dropCustomerRoles(p Person, in *perm.Input) {
	in.Roles = slices.DeleteFunc(in.Roles, func(r perm.RoleAssignment) bool { return !customerRoleAllowed(p, r.Role) })
}

// peopleWorkspaces finds the "People of …" links from the access already computed and the
// names the viewer statement brought, with no statement of its own: nothing when no workspace
// qualifies (most people); the held workspaces, default first then by name, when they are named
// one by one; the default and the tenant's first names when a role gives Invite users in every
// workspace (a CSAM's 100,000).
func peopleWorkspaces(defaultWS int64, a perm.Access, names *workspaceNames) []WorkspaceRef {
	ids, every := a.WorkspacesWith(perm.ManageUsers, perm.InviteUsers)
	var out []WorkspaceRef
	if d, ok := names.byID[defaultWS]; ok && (every || slices.Contains(ids, defaultWS)) {
		out = append(out, WorkspaceRef{ID: defaultWS, Name: d.name})
	}
	if every {
		for _, w := range names.first {
			if w.ID != defaultWS && len(out) < MaxPeopleLinks {
				out = append(out, w)
			}
		}
		return out
	}
	held := make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := names.byID[id]; ok && id != defaultWS {
			held = append(held, id)
		}
	}
	slices.SortFunc(held, func(x, y int64) int {
		return cmp.Or(strings.Compare(names.byID[x].key, names.byID[y].key), cmp.Compare(x, y))
	})
	for _, id := range held {
		if len(out) == MaxPeopleLinks {
			break
		}
		out = append(out, WorkspaceRef{ID: id, Name: names.byID[id].name})
	}
	return out
}
