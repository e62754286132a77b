package store

import (
	"context"

	"hubadmin/store/perm"
)

// AddMember creates a person and makes them a member of a tenant (and, when workspaceID is not
// 0, an active member of that workspace), with optional roles and individual grants. The demo
// world and tests build people with it; the product's own flows (invitations) go through their
// audited methods instead.
func (db *DB) AddMember(ctx context.Context, tenantID, workspaceID int64, np NewPerson, roles []perm.RoleAssignment, grants []perm.Grant) (int64, error) {
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		var err error
		// The operator's own provisioning, like a directory: the address is taken as proven.
		np.MailboxVerified = true
		if id, err = createPerson(ctx, tx, np); err != nil {
			return err
		}
		if workspaceID != 0 {
			err = addWorkspaceMember(ctx, tx, tenantID, workspaceID, id, "active")
		} else {
			err = addTenantMember(ctx, tx, tenantID, id)
		}
		if err != nil {
			return err
		}
		for _, r := range roles {
			if err := assignRole(ctx, tx, tenantID, id, 0, r.Role, r.WorkspaceID, 0); err != nil {
				return err
			}
		}
		for _, g := range grants {
			if err := addGrant(ctx, tx, tenantID, id, 0, g.Permission, g.WorkspaceID, 0); err != nil {
				return err
			}
		}
		// A member now: the tenant's directory groups that name the address reach them.
		return syncGroupWorkspaceMembers(ctx, tx, tenantID)
	})
	return id, err
}

// Counting reports statements issued by fn (tests hold pages to at most 3).
func (db *DB) Counting(fn func()) int64 {
	before := db.statements.Load()
	fn()
	return db.statements.Load() - before
}
