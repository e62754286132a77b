package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hubadmin/store/perm"
)

// The administration model of a tenant (product.md §6): its Customer Support Manager (CSM)
// either delegates administration to staff (Delegation) or administers directly
// (Administration). Both give one directory group, the tenant's Administrator group, the
// Administrator role (global_admin); they differ in who is in it. The quick start walks the
// CSM through it: choose the group, give it the role, add members, put the model in force.
//
// The CSM needs no admin role of their own for these steps: being the tenant's designated CSM
// is what lets them name the administrators, and only on the Administrator group. That is the
// one exception to "nobody grants what they don't hold" and "nobody changes their own roles"
// (in Administration the CSM joins the group on purpose). Tenant admins may run the same
// steps under the ordinary rules.

// Administration models.
const (
	AdminModelDelegation     = "delegation"
	AdminModelAdministration = "administration"
)

// AdminModels lists the models in the order the quick start presents them.
func AdminModels() []string { return []string{AdminModelDelegation, AdminModelAdministration} }

// ValidAdminModel reports whether m names a model.
func ValidAdminModel(m string) bool {
	return m == AdminModelDelegation || m == AdminModelAdministration
}

// adminModelMembersShown is how many members of the Administrator group the summary lists.
const adminModelMembersShown = 20

// AdminModelInfo is which administration model is in force in a tenant and who administers.
type AdminModelInfo struct {
	TenantID int64
	Model    string          // "" until the CSM chooses
	Group    *DirectoryGroup // the Administrator group; nil when none is chosen
	// GroupIsAdministrator: the group holds the Administrator role.
	GroupIsAdministrator bool
	MemberCount          int
	RegisteredCount      int
	Members              []GroupMember // the first members by email (adminModelMembersShown)
	CSM                  *GroupMember  // the tenant's CSM; nil when none is designated
	CSMInGroup           bool
}

// Chosen tells whether a model is in force.
func (i AdminModelInfo) Chosen() bool { return i.Model != "" }

// StaffCount is how many members the Administrator group has besides the CSM.
func (i AdminModelInfo) StaffCount() int {
	if i.CSMInGroup {
		return i.MemberCount - 1
	}
	return i.MemberCount
}

// MoreMembers is how many members the summary does not list.
func (i AdminModelInfo) MoreMembers() int { return i.MemberCount - len(i.Members) }

// GroupDone, RoleDone and MembersDone tell which quick-start steps of a model are done.
func (i AdminModelInfo) GroupDone() bool { return i.Group != nil }

// RoleDone tells whether the Administrator group holds the Administrator role.
func (i AdminModelInfo) RoleDone() bool { return i.Group != nil && i.GroupIsAdministrator }

// MembersDone: in Delegation the group has staff and not the CSM; in Administration the CSM
// is a member.
func (i AdminModelInfo) MembersDone(model string) bool {
	if i.Group == nil {
		return false
	}
	if model == AdminModelAdministration {
		return i.CSMInGroup
	}
	return i.StaffCount() > 0 && !i.CSMInGroup
}

// Ready tells whether every step of the model is done, so it can be put in force.
func (i AdminModelInfo) Ready(model string) bool {
	return i.GroupDone() && i.RoleDone() && i.MembersDone(model)
}

// AdminModel reads the tenant's administration model, its Administrator group with the first
// members, and its CSM: two statements.
func (db *DB) AdminModel(ctx context.Context, tenantID int64) (AdminModelInfo, error) {
	var info AdminModelInfo
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		info, err = adminModelTx(ctx, tx, tenantID, adminModelMembersShown)
		return err
	})
	return info, err
}

// adminModelTx reads the model with up to limit members of the Administrator group.
func adminModelTx(ctx context.Context, tx *Tx, tenantID int64, limit int) (AdminModelInfo, error) {
	info := AdminModelInfo{TenantID: tenantID}
	var groupID, csmID sql.NullInt64
	var gName, gObject, gCreated, gUpdated, csmEmail, csmName sql.NullString
	var gVersion sql.NullInt64
	err := tx.queryRow(ctx, `SELECT t.admin_model, g.id, g.name, g.object_id, g.version, g.created_at, g.updated_at,
			p.id, p.email, p.display_name,
			ifnull((SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id), 0),
			ifnull((SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id AND EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id WHERE ap.email = gm.email AND atm.tenant_id = g.tenant_id AND ap.mailbox_verified = 1)), 0),
			EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.group_id = g.id AND ra.role = 'global_admin'),
			EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND gm.email = p.email)
		FROM tenants t
		LEFT JOIN directory_groups g ON g.id = t.admin_group_id AND g.tenant_id = t.id
		LEFT JOIN people p ON p.id = t.csm_person_id
		WHERE t.id = ?`, tenantID).Scan(&info.Model, &groupID, &gName, &gObject, &gVersion, &gCreated, &gUpdated,
		&csmID, &csmEmail, &csmName, &info.MemberCount, &info.RegisteredCount, &info.GroupIsAdministrator, &info.CSMInGroup)
	if errors.Is(err, sql.ErrNoRows) {
		return info, ErrNotFound
	}
	if err != nil {
		return info, fmt.Errorf("administration model of tenant %d: %w", tenantID, err)
	}
	if csmID.Valid {
		info.CSM = &GroupMember{PersonID: csmID.Int64, Email: csmEmail.String, DisplayName: csmName.String}
	}
	if !groupID.Valid {
		return info, nil
	}
	info.Group = &DirectoryGroup{ID: groupID.Int64, TenantID: tenantID, Name: gName.String, ObjectID: gObject.String,
		Version: gVersion.Int64, CreatedAt: parseTime(gCreated.String), UpdatedAt: parseTime(gUpdated.String)}
	rows, err := tx.query(ctx, `SELECT gm.email, ifnull(p.id, 0), ifnull(p.display_name, ''), gm.created_at
		FROM group_members gm LEFT JOIN people p ON p.email = gm.email AND EXISTS (SELECT 1 FROM tenant_members atm JOIN directory_groups ag ON ag.tenant_id = atm.tenant_id
			WHERE ag.id = gm.group_id AND atm.person_id = p.id AND p.mailbox_verified = 1)
		WHERE gm.group_id = ? ORDER BY gm.email LIMIT ?`, groupID.Int64, limit)
	if err != nil {
		return info, fmt.Errorf("members of the administrator group: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m GroupMember
		var added string
		if err := rows.Scan(&m.Email, &m.PersonID, &m.DisplayName, &added); err != nil {
			return info, err
		}
		m.AddedAt = parseTime(added)
		info.Members = append(info.Members, m)
	}
	return info, rows.Err()
}

// quickStart opens a quick-start step: it checks that the actor is the tenant's CSM or a
// tenant admin (only the CSM gets the designated rights), that the model is one of the two and
// is not contradicted by the model in force, and returns the tenant.
func quickStart(ctx context.Context, tx *Tx, ga GroupActor, tenantID int64, model string) (GroupActor, Tenant, error) {
	if !ValidAdminModel(model) {
		return ga, Tenant{}, ErrNotFound
	}
	t, err := tenantByID(ctx, tx, tenantID)
	if err != nil {
		return ga, t, err
	}
	isCSM := t.CSMPersonID != 0 && t.CSMPersonID == ga.Actor.PersonID
	if !isCSM && !ga.Access.IsTenantAdmin() {
		return ga, t, Deny("quickstart.error.not_allowed")
	}
	ga.designated = isCSM
	if t.AdminModel != "" && t.AdminModel != model {
		return ga, t, Refuse("quickstart.error.other_model")
	}
	return ga, t, nil
}

// quickStartGroup returns the tenant's Administrator group, or a refusal when none is chosen.
func quickStartGroup(ctx context.Context, tx *Tx, t Tenant) (DirectoryGroup, error) {
	if t.AdminGroupID == 0 {
		return DirectoryGroup{}, Refuse("quickstart.error.no_group")
	}
	return groupByID(ctx, tx, t.ID, t.AdminGroupID)
}

// GroupChoice is the quick start's first step: an existing group (GroupID), or a new one.
type GroupChoice struct {
	GroupID int64
	New     NewGroup
}

// QuickStartChooseGroup makes a group (existing or created here) the tenant's Administrator
// group. A repeated create form returns the group made the first time with ErrDuplicate.
func (db *DB) QuickStartChooseGroup(ctx context.Context, ga GroupActor, tenantID int64, model string, choice GroupChoice) (int64, error) {
	if choice.GroupID == 0 {
		if errs := ValidateNewGroup(choice.New); len(errs) > 0 {
			return 0, &ValidationError{Fields: errs}
		}
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		ga, t, err := quickStart(ctx, tx, ga, tenantID, model)
		if err != nil {
			return err
		}
		var g DirectoryGroup
		if choice.GroupID != 0 {
			g, err = groupByID(ctx, tx, tenantID, choice.GroupID)
		} else {
			if id, err = createGroupTx(ctx, tx, ga, tenantID, choice.New); err != nil {
				return err
			}
			g, err = groupByID(ctx, tx, tenantID, id)
		}
		if err != nil {
			return err
		}
		id = g.ID
		if t.AdminGroupID == g.ID {
			return nil
		}
		var before any
		if t.AdminGroupID != 0 {
			if old, err := groupByID(ctx, tx, tenantID, t.AdminGroupID); err == nil {
				before = old.Name
			}
		}
		if _, err := tx.exec(ctx, `UPDATE tenants SET admin_group_id = ? WHERE id = ?`, g.ID, tenantID); err != nil {
			return fmt.Errorf("choose the administrator group: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: ga.Actor, Action: "admin_model.group", TargetKind: "group",
			TargetID: g.ID, TargetLabel: g.Name, Before: before, After: g.Name})
	})
	return id, err
}

// QuickStartGrantAdministrator gives the Administrator group the Administrator role.
func (db *DB) QuickStartGrantAdministrator(ctx context.Context, ga GroupActor, tenantID int64, model string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		ga, t, err := quickStart(ctx, tx, ga, tenantID, model)
		if err != nil {
			return err
		}
		g, err := quickStartGroup(ctx, tx, t)
		if err != nil {
			return err
		}
		_, err = grantGroupRoleTx(ctx, tx, ga, g, perm.RoleGlobalAdmin, 0)
		return err
	})
}

// QuickStartAddMembers adds members to the Administrator group: in Delegation the staff
// emails given (never the CSM: in Delegation they stay outside); in Administration the CSM,
// whatever was given. It returns how many were added.
func (db *DB) QuickStartAddMembers(ctx context.Context, ga GroupActor, tenantID int64, model string, emails []string) (int, error) {
	var added int
	err := db.writeTx(ctx, func(tx *Tx) error {
		ga, t, err := quickStart(ctx, tx, ga, tenantID, model)
		if err != nil {
			return err
		}
		g, err := quickStartGroup(ctx, tx, t)
		if err != nil {
			return err
		}
		csm, err := quickStartCSM(ctx, tx, t)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if model == AdminModelAdministration {
			if csm.ID == 0 {
				return Refuse("quickstart.error.no_csm")
			}
			emails = []string{csm.Email}
		} else {
			for _, e := range emails {
				if csm.ID != 0 && strings.EqualFold(strings.TrimSpace(e), csm.Email) {
					return Invalid("emails", "quickstart.error.csm_in_delegation")
				}
			}
		}
		added, err = addGroupMembersTx(ctx, tx, ga, g, emails)
		return err
	})
	return added, err
}

// QuickStartRemoveMember takes a member out of the Administrator group.
func (db *DB) QuickStartRemoveMember(ctx context.Context, ga GroupActor, tenantID int64, model, email string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		ga, t, err := quickStart(ctx, tx, ga, tenantID, model)
		if err != nil {
			return err
		}
		g, err := quickStartGroup(ctx, tx, t)
		if err != nil {
			return err
		}
		return removeGroupMemberTx(ctx, tx, ga, g, email)
	})
}

// QuickStartFinish puts the model in force once its steps are done. Finishing the model
// already in force writes nothing.
func (db *DB) QuickStartFinish(ctx context.Context, ga GroupActor, tenantID int64, model string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		ga, t, err := quickStart(ctx, tx, ga, tenantID, model)
		if err != nil {
			return err
		}
		info, err := adminModelTx(ctx, tx, tenantID, 0)
		if err != nil {
			return err
		}
		if !info.Ready(model) {
			return Refuse("quickstart.error.steps_missing")
		}
		if t.AdminModel == model {
			return nil
		}
		return setAdminModel(ctx, tx, ga, t, model)
	})
}

// setAdminModel records the model in force and audits the change.
func setAdminModel(ctx context.Context, tx *Tx, ga GroupActor, t Tenant, model string) error {
	if _, err := tx.exec(ctx, `UPDATE tenants SET admin_model = ? WHERE id = ?`, model, t.ID); err != nil {
		return fmt.Errorf("set administration model: %w", err)
	}
	return audit(ctx, tx, AuditEntry{TenantID: t.ID, Actor: ga.Actor, Action: "admin_model.set", TargetKind: "tenant",
		TargetID: t.ID, TargetLabel: t.Name, Before: t.AdminModel, After: model})
}

// quickStartCSM returns the tenant's CSM, ErrNotFound when none is designated.
func quickStartCSM(ctx context.Context, tx *Tx, t Tenant) (Person, error) {
	if t.CSMPersonID == 0 {
		return Person{}, ErrNotFound
	}
	p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p WHERE p.id = ?`, t.CSMPersonID))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	return p, err
}

// AdminModelSwitch is what switching the model would change, shown before it is done.
type AdminModelSwitch struct {
	From, To string
	Group    DirectoryGroup
	CSM      *GroupMember
	// Gains are the people who become members of the Administrator group (the CSM, switching
	// to Administration). Switching to Delegation, the staff typed on the form join too.
	Gains []GroupMember
	// Loses are the members who leave the group and lose the Administrator role it gives.
	Loses []GroupMember
	// Keeps are the members who stay.
	Keeps []GroupMember
	// NeedsStaff: switching to Delegation, nobody would be left in the group unless staff
	// emails are given.
	NeedsStaff bool
}

// adminModelSwitchMembers bounds the members a switch reads (its page lists each of them).
const adminModelSwitchMembers = 1000

// AdminModelSwitchPreview says who gains and who loses access if the tenant switched to
// model to. It refuses (409) when no model is in force yet or to is already in force.
func (db *DB) AdminModelSwitchPreview(ctx context.Context, tenantID int64, to string) (AdminModelSwitch, error) {
	var sw AdminModelSwitch
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		sw, err = adminModelSwitchTx(ctx, tx, tenantID, to)
		return err
	})
	return sw, err
}

func adminModelSwitchTx(ctx context.Context, tx *Tx, tenantID int64, to string) (AdminModelSwitch, error) {
	if !ValidAdminModel(to) {
		return AdminModelSwitch{}, ErrNotFound
	}
	info, err := adminModelTx(ctx, tx, tenantID, adminModelSwitchMembers)
	if err != nil {
		return AdminModelSwitch{}, err
	}
	switch {
	case !info.Chosen() || info.Group == nil:
		return AdminModelSwitch{}, Refuse("quickstart.error.no_model")
	case info.Model == to:
		return AdminModelSwitch{}, Refuse("quickstart.error.already")
	case to == AdminModelAdministration && info.CSM == nil:
		return AdminModelSwitch{}, Refuse("quickstart.error.no_csm")
	}
	sw := AdminModelSwitch{From: info.Model, To: to, Group: *info.Group, CSM: info.CSM}
	isCSM := func(m GroupMember) bool { return info.CSM != nil && strings.EqualFold(m.Email, info.CSM.Email) }
	if to == AdminModelAdministration {
		if !info.CSMInGroup {
			sw.Gains = append(sw.Gains, *info.CSM)
		}
		for _, m := range info.Members {
			if isCSM(m) {
				sw.Keeps = append(sw.Keeps, m)
			} else {
				sw.Loses = append(sw.Loses, m)
			}
		}
		return sw, nil
	}
	for _, m := range info.Members {
		if isCSM(m) {
			sw.Loses = append(sw.Loses, m)
		} else {
			sw.Keeps = append(sw.Keeps, m)
		}
	}
	sw.NeedsStaff = len(sw.Keeps) == 0
	return sw, nil
}

// SwitchAdminModel switches the model in force from from to to, with the membership changes
// the preview showed: to Administration the CSM joins and every other member leaves; to
// Delegation the staff given join and the CSM leaves. One audit row per change. A model that
// changed meanwhile (from is stale) is ErrConflict.
func (db *DB) SwitchAdminModel(ctx context.Context, ga GroupActor, tenantID int64, from, to string, staff []string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		t, err := tenantByID(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if t.AdminModel != from {
			return ErrConflict
		}
		sw, err := adminModelSwitchTx(ctx, tx, tenantID, to)
		if err != nil {
			return err
		}
		// The model in force is from; the steps below act under the model being left.
		ga, t, err = quickStart(ctx, tx, ga, tenantID, from)
		if err != nil {
			return err
		}
		g := sw.Group
		if to == AdminModelDelegation {
			if sw.NeedsStaff && len(staff) == 0 {
				return Invalid("emails", "quickstart.error.staff_required")
			}
			for _, e := range staff {
				if sw.CSM != nil && strings.EqualFold(e, sw.CSM.Email) {
					return Invalid("emails", "quickstart.error.csm_in_delegation")
				}
			}
			if _, err := addGroupMembersTx(ctx, tx, ga, g, staff); err != nil {
				return err
			}
		} else if _, err := addGroupMembersTx(ctx, tx, ga, g, []string{sw.CSM.Email}); err != nil {
			return err
		}
		for _, m := range sw.Loses {
			if err := removeGroupMemberTx(ctx, tx, ga, g, m.Email); err != nil {
				return err
			}
		}
		return setAdminModel(ctx, tx, ga, t, to)
	})
}
