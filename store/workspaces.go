package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// nameKey is the form of a name used for uniqueness and ordering: trimmed and lower-cased.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func createWorkspace(ctx context.Context, tx *Tx, w Workspace) (int64, error) {
	res, err := tx.exec(ctx, `INSERT INTO workspaces (tenant_id, agreement_id, name, name_key, description, is_default, msa_exception, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		w.TenantID, w.AgreementID, strings.TrimSpace(w.Name), nameKey(w.Name), w.Description, w.IsDefault, w.MSAException, tx.now())
	if err != nil {
		if isUniqueViolation(err) {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("create workspace: %w", err)
	}
	return res.LastInsertId()
}

func addWorkspaceMember(ctx context.Context, tx *Tx, tenantID, workspaceID, personID int64, status string) error {
	_, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, person_id) DO UPDATE SET status = excluded.status`, workspaceID, personID, tenantID, status, tx.now())
	if err != nil {
		return fmt.Errorf("add workspace member: %w", err)
	}
	return addTenantMember(ctx, tx, tenantID, personID)
}

const workspaceColumns = `w.id, w.tenant_id, w.agreement_id, a.kind, w.name, w.description, w.is_default, w.msa_exception, w.version, w.created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var w Workspace
	var created string
	err := row.Scan(&w.ID, &w.TenantID, &w.AgreementID, &w.AgreementKind, &w.Name, &w.Description, &w.IsDefault, &w.MSAException, &w.Version, &created)
	w.CreatedAt = parseTime(created)
	return w, err
}

// Workspace returns a workspace of the tenant. A workspace of another tenant is ErrNotFound.
func (db *DB) Workspace(ctx context.Context, tenantID, id int64) (Workspace, error) {
	var w Workspace
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		w, err = workspaceByID(ctx, tx, tenantID, id)
		return err
	})
	return w, err
}

func workspaceByID(ctx context.Context, tx *Tx, tenantID, id int64) (Workspace, error) {
	w, err := scanWorkspace(tx.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
		WHERE w.id = ? AND w.tenant_id = ?`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return Workspace{}, ErrNotFound
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace %d: %w", id, err)
	}
	return w, nil
}

// WorkspacesOf lists the workspaces of a tenant by name (small lists: the viewer's own links).
func (db *DB) WorkspacesOf(ctx context.Context, tenantID int64) ([]Workspace, error) {
	var out []Workspace
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+workspaceColumns+` FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
			WHERE w.tenant_id = ? ORDER BY w.is_default DESC, w.name_key`, tenantID)
		if err != nil {
			return fmt.Errorf("workspaces of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scanWorkspace(rows)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}

// AcceptsMSA tells whether a new invitation of a personal Microsoft account (MSA) may be
// accepted into the workspace: only while its MSA exception is on (product.md §4). The
// invitations area asks it when an invitation is made and again when it is accepted.
func (w Workspace) AcceptsMSA() bool { return w.MSAException }

// MSAOffRefused tells whether switching the MSA exception off is refused: it can't be switched
// off on a workspace of a Premier agreement.
func (w Workspace) MSAOffRefused() bool { return w.AgreementKind == "premier" }

// Limits of a workspace's fields, in characters.
const (
	WorkspaceNameMax        = 100
	WorkspaceDescriptionMax = 1000
)

// WorkspaceInput is what an admin types to create or edit a workspace.
type WorkspaceInput struct {
	Name        string
	Description string
	AgreementID int64
}

// Problems checks what can be checked without the database and returns field → message ID
// (empty when the input is acceptable so far). The store checks it again before writing.
func (in WorkspaceInput) Problems() map[string]string {
	out := map[string]string{}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		out["name"] = "workspaces.error.name_required"
	case utf8.RuneCountInString(name) > WorkspaceNameMax:
		out["name"] = "workspaces.error.name_too_long"
	case strings.ContainsFunc(name, unicode.IsControl):
		out["name"] = "workspaces.error.name_control"
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Description)) > WorkspaceDescriptionMax {
		out["description"] = "workspaces.error.description_too_long"
	}
	if in.AgreementID <= 0 {
		out["agreement"] = "workspaces.error.agreement_required"
	}
	return out
}

// cleaned is the input as it is stored: name and description trimmed.
func (in WorkspaceInput) cleaned() WorkspaceInput {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	return in
}

// workspaceAudit is what the audit log records of a workspace before and after a change.
type workspaceAudit struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	Agreement    string `json:"agreement"`
	MSAException bool   `json:"msa_exception"`
}

// AgreementChoices lists the agreements of a tenant, by number, for the workspace form's
// agreement list (packages are not read).
func (db *DB) AgreementChoices(ctx context.Context, tenantID int64) ([]Agreement, error) {
	var out []Agreement
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, tenant_id, number, kind, starts_on, ends_on FROM agreements
			WHERE tenant_id = ? ORDER BY number, id`, tenantID)
		if err != nil {
			return fmt.Errorf("agreements of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var a Agreement
			if err := rows.Scan(&a.ID, &a.TenantID, &a.Number, &a.Kind, &a.StartsOn, &a.EndsOn); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// workspaceAgreementNumber returns the number of an agreement of the tenant; an agreement of
// another tenant (or none) is a field error, never a cross-tenant reference.
func workspaceAgreementNumber(ctx context.Context, tx *Tx, tenantID, agreementID int64) (string, error) {
	var number string
	err := tx.queryRow(ctx, `SELECT number FROM agreements WHERE id = ? AND tenant_id = ?`, agreementID, tenantID).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Invalid("agreement", "workspaces.error.agreement_unknown")
	}
	if err != nil {
		return "", fmt.Errorf("agreement %d: %w", agreementID, err)
	}
	return number, nil
}

// CreateWorkspace creates a workspace of the tenant from a create form carrying a one-time
// submission token. A token seen before gives ErrDuplicate and writes nothing: the form was
// sent twice and the first one made the workspace. The audit row is in the same transaction.
func (db *DB) CreateWorkspace(ctx context.Context, actor Actor, tenantID int64, in WorkspaceInput, token string) (int64, error) {
	if p := in.Problems(); len(p) > 0 {
		return 0, &ValidationError{Fields: p}
	}
	in = in.cleaned()
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		if err := claimSubmission(ctx, tx, tenantID, token); err != nil {
			return err
		}
		number, err := workspaceAgreementNumber(ctx, tx, tenantID, in.AgreementID)
		if err != nil {
			return err
		}
		id, err = createWorkspace(ctx, tx, Workspace{TenantID: tenantID, AgreementID: in.AgreementID, Name: in.Name, Description: in.Description})
		if errors.Is(err, ErrDuplicate) {
			return Invalid("name", "workspaces.error.name_taken")
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "workspace.create", TargetKind: "workspace",
			TargetID: id, TargetLabel: in.Name, WorkspaceID: id,
			After: workspaceAudit{Name: in.Name, Description: in.Description, Agreement: number}})
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// UpdateWorkspace saves an edit of a workspace's name, description and agreement. version is
// the one the form was opened with: a stale one gives ErrConflict and changes nothing.
func (db *DB) UpdateWorkspace(ctx context.Context, actor Actor, tenantID, id, version int64, in WorkspaceInput) error {
	if p := in.Problems(); len(p) > 0 {
		return &ValidationError{Fields: p}
	}
	in = in.cleaned()
	return db.writeTx(ctx, func(tx *Tx) error {
		w, err := workspaceByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if w.Version != version {
			return ErrConflict
		}
		oldNumber, err := workspaceAgreementNumber(ctx, tx, tenantID, w.AgreementID)
		if err != nil {
			return err
		}
		newNumber, err := workspaceAgreementNumber(ctx, tx, tenantID, in.AgreementID)
		if err != nil {
			return err
		}
		if w.Name == in.Name && w.Description == in.Description && w.AgreementID == in.AgreementID {
			return nil // nothing changed: no new version, no audit row
		}
		_, err = tx.exec(ctx, `UPDATE workspaces SET name = ?, name_key = ?, description = ?, agreement_id = ?, version = version + 1
			WHERE id = ? AND tenant_id = ? AND version = ?`, in.Name, nameKey(in.Name), in.Description, in.AgreementID, id, tenantID, version)
		if isUniqueViolation(err) {
			return Invalid("name", "workspaces.error.name_taken")
		}
		if err != nil {
			return fmt.Errorf("update workspace %d: %w", id, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "workspace.update", TargetKind: "workspace",
			TargetID: id, TargetLabel: in.Name, WorkspaceID: id,
			Before: workspaceAudit{Name: w.Name, Description: w.Description, Agreement: oldNumber, MSAException: w.MSAException},
			After:  workspaceAudit{Name: in.Name, Description: in.Description, Agreement: newNumber, MSAException: w.MSAException}})
	})
}

// SetMSAException switches a workspace's MSA exception to the target state on. Since
// Microsoft's MSA retirement (Phase 2a) a workspace without the exception can no longer switch
// it on, so the exception can only be switched off (issue 12, point 7); switching it off is
// refused on a workspace of a Premier agreement ("can't be turned off"). MSA people already in
// the workspace stay. Setting the state it already has changes nothing and writes no audit row.
func (db *DB) SetMSAException(ctx context.Context, actor Actor, tenantID, id int64, on bool) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		w, err := workspaceByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if w.MSAException == on {
			return nil
		}
		if on {
			return Refuse("workspaces.msa.error.retired")
		}
		if w.MSAOffRefused() {
			return Refuse("workspaces.msa.error.premier")
		}
		if _, err := tx.exec(ctx, `UPDATE workspaces SET msa_exception = ?, version = version + 1 WHERE id = ? AND tenant_id = ?`,
			on, id, tenantID); err != nil {
			return fmt.Errorf("set MSA exception of workspace %d: %w", id, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "workspace.msa_exception", TargetKind: "workspace",
			TargetID: id, TargetLabel: w.Name, WorkspaceID: id,
			Before: map[string]bool{"msa_exception": w.MSAException}, After: map[string]bool{"msa_exception": on}})
	})
}

// WorkspaceImpact counts what deleting a workspace takes with it.
type WorkspaceImpact struct {
	Members            int `json:"members"`             // people's memberships
	Grants             int `json:"grants"`              // individual permissions granted in it (to people and groups)
	AdminRoles         int `json:"admin_roles"`         // Workspace Admin roles held there (with the Services Admins in the default workspace, footnote 2)
	PendingInvitations int `json:"pending_invitations"` // invitations not yet used, revoked or expired
}

// workspaceImpactSQL selects the four counts of WorkspaceImpact. Parameters: workspace id
// (five times), then now.
const workspaceImpactSQL = `(SELECT count(*) FROM workspace_members WHERE workspace_id = ?),
	(SELECT count(*) FROM grants WHERE workspace_id = ?),
	(SELECT count(*) FROM role_assignments WHERE workspace_id = ?) + (SELECT count(*) FROM role_assignments sa
		JOIN workspaces dw ON dw.tenant_id = sa.tenant_id WHERE sa.role = 'services_admin' AND dw.id = ? AND dw.is_default = 1),
	(SELECT count(*) FROM invitations WHERE workspace_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?)`

// WorkspaceMSAPerson is a person with a personal Microsoft account in a workspace.
type WorkspaceMSAPerson struct {
	PersonID    int64
	Email       string
	DisplayName string
	Status      string // "pending", "active" or "group"
	Since       time.Time
}

// MSAPeopleShown is how many MSA people a workspace page lists; the rest are counted.
const MSAPeopleShown = 200

// WorkspaceDetail is one workspace as its page shows it.
type WorkspaceDetail struct {
	Workspace
	Agreement      Agreement
	Impact         WorkspaceImpact
	MSAPeople      []WorkspaceMSAPerson // the first MSAPeopleShown, by email
	MSAPeopleTotal int
}

// WorkspaceDetails reads a workspace of the tenant with its agreement, what deleting it would
// remove and its MSA people, in two statements. Another tenant's workspace is ErrNotFound.
func (db *DB) WorkspaceDetails(ctx context.Context, tenantID, id int64) (WorkspaceDetail, error) {
	var d WorkspaceDetail
	err := db.readTx(ctx, func(tx *Tx) error {
		var created string
		w := &d.Workspace
		im := &d.Impact
		err := tx.queryRow(ctx, `SELECT `+workspaceColumns+`, a.number, a.starts_on, a.ends_on, `+workspaceImpactSQL+`
			FROM workspaces w JOIN agreements a ON a.id = w.agreement_id WHERE w.id = ? AND w.tenant_id = ?`,
			id, id, id, id, id, tx.now(), id, tenantID).Scan(
			&w.ID, &w.TenantID, &w.AgreementID, &w.AgreementKind, &w.Name, &w.Description, &w.IsDefault, &w.MSAException, &w.Version, &created,
			&d.Agreement.Number, &d.Agreement.StartsOn, &d.Agreement.EndsOn,
			&im.Members, &im.Grants, &im.AdminRoles, &im.PendingInvitations)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("workspace %d: %w", id, err)
		}
		w.CreatedAt = parseTime(created)
		d.Agreement.ID, d.Agreement.TenantID, d.Agreement.Kind = w.AgreementID, w.TenantID, w.AgreementKind
		d.MSAPeople, d.MSAPeopleTotal, err = workspaceMSAPeople(ctx, tx, tenantID, id)
		return err
	})
	return d, err
}

// workspaceMSAPeople lists the first MSAPeopleShown MSA people of a workspace, with how many
// there are in all, in one statement.
func workspaceMSAPeople(ctx context.Context, tx *Tx, tenantID, id int64) ([]WorkspaceMSAPerson, int, error) {
	// Another tenant's invited person keeps their name (nameVisibleSQL).
	rows, err := tx.query(ctx, `SELECT p.id, p.email, CASE WHEN `+nameVisibleSQL+` THEN p.display_name ELSE '' END, wm.status, wm.created_at, count(*) OVER ()
		FROM workspace_members wm JOIN people p ON p.id = wm.person_id
		WHERE wm.workspace_id = ? AND wm.tenant_id = ? AND p.account_kind = 'msa'
		ORDER BY p.email, p.id LIMIT ?`, id, tenantID, MSAPeopleShown)
	if err != nil {
		return nil, 0, fmt.Errorf("MSA people of workspace %d: %w", id, err)
	}
	defer rows.Close()
	var out []WorkspaceMSAPerson
	total := 0
	for rows.Next() {
		var m WorkspaceMSAPerson
		var since string
		if err := rows.Scan(&m.PersonID, &m.Email, &m.DisplayName, &m.Status, &since, &total); err != nil {
			return nil, 0, err
		}
		m.Since = parseTime(since)
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// DeleteWorkspace deletes a workspace of the tenant once the admin has typed its name
// (compared after trimming spaces, letter case included). The default workspace can't be
// deleted. The people's memberships, grants and Workspace Admin roles in it and its invitations
// go with it (the schema's ON DELETE CASCADE); the audit row records what was removed.
func (db *DB) DeleteWorkspace(ctx context.Context, actor Actor, tenantID, id int64, typedName string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		w, err := workspaceByID(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if w.IsDefault {
			return Refuse("workspaces.delete.error.default")
		}
		if strings.TrimSpace(typedName) != w.Name {
			return Invalid("confirm_name", "workspaces.delete.error.name_mismatch")
		}
		var im WorkspaceImpact
		var number string
		err = tx.queryRow(ctx, `SELECT a.number, `+workspaceImpactSQL+` FROM agreements a WHERE a.id = ?`,
			id, id, id, id, id, tx.now(), w.AgreementID).Scan(&number, &im.Members, &im.Grants, &im.AdminRoles, &im.PendingInvitations)
		if err != nil {
			return fmt.Errorf("count what deleting workspace %d removes: %w", id, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM workspaces WHERE id = ? AND tenant_id = ?`, id, tenantID); err != nil {
			return fmt.Errorf("delete workspace %d: %w", id, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "workspace.delete", TargetKind: "workspace",
			TargetID: id, TargetLabel: w.Name, WorkspaceID: id,
			Before: struct {
				workspaceAudit
				WorkspaceImpact
			}{workspaceAudit{Name: w.Name, Description: w.Description, Agreement: number, MSAException: w.MSAException}, im}})
	})
}

// RemoveMSAPerson takes a person with a personal Microsoft account out of a workspace: their
// membership, their individual grants and Workspace Admin role there, and their unused
// invitations to it. Anyone who is not an MSA member of the workspace is ErrNotFound; nobody
// removes themself (that would change their own roles).
func (db *DB) RemoveMSAPerson(ctx context.Context, actor Actor, tenantID, workspaceID, personID int64) error {
	if personID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		w, err := workspaceByID(ctx, tx, tenantID, workspaceID)
		if err != nil {
			return err
		}
		var email, status string
		err = tx.queryRow(ctx, `SELECT p.email, wm.status FROM workspace_members wm JOIN people p ON p.id = wm.person_id
			WHERE wm.workspace_id = ? AND wm.tenant_id = ? AND wm.person_id = ? AND p.account_kind = 'msa'`,
			workspaceID, tenantID, personID).Scan(&email, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("MSA person %d of workspace %d: %w", personID, workspaceID, err)
		}
		grants, err := removeMSAPersonGrants(ctx, tx, tenantID, workspaceID, personID)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = 'workspace_admin' AND workspace_id = ?`,
			tenantID, personID, workspaceID)
		if err != nil {
			return fmt.Errorf("remove workspace admin role: %w", err)
		}
		wasAdmin, _ := res.RowsAffected()
		if _, err := tx.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE workspace_id = ? AND tenant_id = ? AND email = ?
			AND used_at IS NULL AND revoked_at IS NULL`, tx.now(), workspaceID, tenantID, email); err != nil {
			return fmt.Errorf("revoke invitations: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM workspace_members WHERE workspace_id = ? AND person_id = ?`, workspaceID, personID); err != nil {
			return fmt.Errorf("remove membership: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "workspace.msa_person_remove", TargetKind: "person",
			TargetID: personID, TargetLabel: email, WorkspaceID: workspaceID,
			Before: struct {
				Workspace      string   `json:"workspace"`
				Status         string   `json:"status"`
				Grants         []string `json:"grants"`
				WorkspaceAdmin bool     `json:"workspace_admin"`
			}{w.Name, status, grants, wasAdmin > 0}})
	})
}

// removeMSAPersonGrants deletes a person's individual grants in one workspace and returns the
// permissions they were, for the audit row.
func removeMSAPersonGrants(ctx context.Context, tx *Tx, tenantID, workspaceID, personID int64) ([]string, error) {
	rows, err := tx.query(ctx, `DELETE FROM grants WHERE tenant_id = ? AND person_id = ? AND workspace_id = ? RETURNING permission`,
		tenantID, personID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("remove grants: %w", err)
	}
	defer rows.Close()
	perms := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		perms = append(perms, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(perms)
	return perms, nil
}

// The orders of the workspace list.
const (
	WorkspaceSortName    = "name"    // by name, letter case ignored
	WorkspaceSortCreated = "created" // by creation: ids grow with creation, so by id
)

// WorkspaceFilter is the state of the workspace list: search, order and position.
type WorkspaceFilter struct {
	Search string // part of the name, letter case and diacritics ignored (Fold)
	Sort   string // WorkspaceSortName (the default) or WorkspaceSortCreated
	// Lang is the reader's language: names sort by its collation (CollationFor).
	Lang   string
	Desc   bool
	After  string // cursor: the page after this row
	Before string // cursor: the page before this row
}

// WorkspaceSummary is a row of the workspace list.
type WorkspaceSummary struct {
	Workspace
	AgreementNumber string
	People          int // workspace members, whatever their status

	nameKey string // the stored sort key of the name, for cursors
}

// workspaceOrder writes the SQL of one order of the workspace list. Sorting by name uses the
// key (name_key, id); by creation, the id alone. Both are served by an index, so a page deep in
// the list costs what the first does.
type workspaceOrder struct {
	byName bool
	desc   bool
	key    string // the sort key column: sort_root or sort_ru (migration 011)
}

// compare is the condition "row op cursor" in this order's key.
func (o workspaceOrder) compare(op string) string {
	if o.byName {
		return "(w." + o.key + ", w.id) " + op + " (?, ?)"
	}
	return "w.id " + op + " ?"
}

func (o workspaceOrder) args(c Cursor) []any {
	if o.byName {
		return []any{c.Key, c.ID}
	}
	return []any{c.ID}
}

// later and earlier are the comparison operators for "after" and "before" in display order.
func (o workspaceOrder) later() string {
	if o.desc {
		return "<"
	}
	return ">"
}

func (o workspaceOrder) earlier() string {
	if o.desc {
		return ">"
	}
	return "<"
}

// orderBy is the ORDER BY of columns named with prefix; reverse walks the list backwards
// (to read the page before a cursor).
func (o workspaceOrder) orderBy(prefix string, reverse bool) string {
	dir := "ASC"
	if o.desc != reverse {
		dir = "DESC"
	}
	if o.byName {
		return prefix + o.key + " " + dir + ", " + prefix + "id " + dir
	}
	return prefix + "id " + dir
}

func (o workspaceOrder) cursor(w WorkspaceSummary) Cursor {
	if o.byName {
		return Cursor{Key: w.nameKey, ID: w.ID}
	}
	return Cursor{ID: w.ID}
}

// workspaceLikePattern turns a search into a LIKE pattern matching it anywhere, with LIKE's wildcards
// escaped so that "100%" finds "100%" and not everything.
func workspaceLikePattern(search string) string {
	return containsPattern(Fold(strings.TrimSpace(search)))
}

// ListWorkspaces returns one page of a tenant's workspaces with their agreement and people
// count, by keyset (never OFFSET), in at most two SQL statements whatever the number of
// workspaces: the page with its people counts (one grouped subquery over the page's rows, no
// N+1), then the total (the tenant's kept count, or the search's matches; not even that when a
// first page holds the whole list). A stale cursor whose page is empty falls back to the first
// page (one statement more).
func (db *DB) ListWorkspaces(ctx context.Context, tenantID int64, f WorkspaceFilter) (ListPage[WorkspaceSummary], error) {
	var page ListPage[WorkspaceSummary]
	o := workspaceOrder{byName: f.Sort != WorkspaceSortCreated, desc: f.Desc, key: "sort_" + CollationFor(f.Lang)}
	k := readKeyset(f.After, f.Before)
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := workspacePage(ctx, tx, tenantID, f.Search, o, k)
		if err != nil {
			return err
		}
		if len(rows) == 0 && k.Has {
			// A cursor that finds nothing (its rows are gone): show the first page.
			k = keyset{}
			if rows, err = workspacePage(ctx, tx, tenantID, f.Search, o, k); err != nil {
				return err
			}
		}
		var more bool
		page, more = keysetPage(rows, o.cursor, k)
		if !k.Has && !more {
			page.Total = len(page.Items) // the first page is the whole list
			return nil
		}
		page.Total, err = workspaceTotal(ctx, tx, tenantID, f.Search)
		return err
	})
	return page, err
}

// workspacePage reads PageSize+1 rows from k, with people counts, in display order (reversed
// when k is backward), for keysetPage.
func workspacePage(ctx context.Context, tx *Tx, tenantID int64, search string, o workspaceOrder, k keyset) (items []WorkspaceSummary, err error) {
	where := "w.tenant_id = ?"
	args := []any{tenantID}
	if search != "" {
		where += ` AND w.name_fold LIKE ? ESCAPE '\'`
		args = append(args, workspaceLikePattern(search))
	}
	if k.Has {
		op := o.later()
		if k.Backward {
			op = o.earlier()
		}
		where += " AND " + o.compare(op)
		args = append(args, o.args(k.Cursor)...)
	}
	args = append(args, PageSize+1)
	rows, err := tx.query(ctx, `WITH pg AS (
			SELECT `+workspaceColumns+`, a.number, w.`+o.key+` FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
			WHERE `+where+` ORDER BY `+o.orderBy("w.", k.Backward)+` LIMIT ?)
		SELECT pg.*, ifnull(pc.people, 0) FROM pg
		LEFT JOIN (SELECT workspace_id, sum(n) AS people FROM workspace_member_counts
			WHERE workspace_id IN (SELECT id FROM pg) GROUP BY workspace_id) pc ON pc.workspace_id = pg.id
		ORDER BY `+o.orderBy("pg.", k.Backward), args...)
	if err != nil {
		return nil, fmt.Errorf("workspaces of tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s WorkspaceSummary
		var created string
		w := &s.Workspace
		if err := rows.Scan(&w.ID, &w.TenantID, &w.AgreementID, &w.AgreementKind, &w.Name, &w.Description, &w.IsDefault,
			&w.MSAException, &w.Version, &created, &s.AgreementNumber, &s.nameKey, &s.People); err != nil {
			return nil, err
		}
		w.CreatedAt = parseTime(created)
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

// workspaceTotal is how many workspaces the list holds: the tenant's count kept by migration
// 004's triggers, or, with a search, the matches counted.
func workspaceTotal(ctx context.Context, tx *Tx, tenantID int64, search string) (int, error) {
	var n int
	var err error
	if search == "" {
		err = tx.queryRow(ctx, `SELECT ifnull((SELECT workspaces FROM workspace_counts WHERE tenant_id = ?), 0)`, tenantID).Scan(&n)
	} else {
		err = tx.queryRow(ctx, `SELECT count(*) FROM workspaces w WHERE w.tenant_id = ? AND w.name_fold LIKE ? ESCAPE '\'`,
			tenantID, workspaceLikePattern(search)).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count workspaces of tenant %d: %w", tenantID, err)
	}
	return n, nil
}
