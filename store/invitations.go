package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"hubadmin/store/perm"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// NewInvitation is what inviting someone into a workspace needs.
type NewInvitation struct {
	TenantID    int64
	WorkspaceID int64
	Email       string
	Permissions []perm.Permission // individual grants given on acceptance (G cells only)
	MakeAdmin   bool              // make them Workspace Admin on acceptance
}

// Mail is a message to send (or keep in the outbox when no SMTP server is configured).
type Mail struct {
	To      string
	Subject string
	Body    string
}

// ComposeInvitation writes the invitation message around the link's token; the web layer
// provides it because only it knows the public address and the invitee's language.
type ComposeInvitation func(token string) Mail

// createInvitation stores an invitation (only the token's hash) and queues its message in the
// outbox, inside the caller's transaction. It returns the invitation id.
func createInvitation(ctx context.Context, tx *Tx, inv NewInvitation, invitedBy int64, compose ComposeInvitation) (int64, error) {
	token, err := newInvitationToken()
	if err != nil {
		return 0, err
	}
	perms := make([]string, 0, len(inv.Permissions))
	for _, p := range inv.Permissions {
		if !perm.Grantable(p) || p.Scope() != perm.ScopeWorkspace {
			return 0, Refuse("perm.error.not_grantable")
		}
		perms = append(perms, string(p))
	}
	now := tx.db.Now()
	res, err := tx.exec(ctx, `INSERT INTO invitations (tenant_id, workspace_id, email, token_hash, permissions, make_admin, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.TenantID, inv.WorkspaceID, strings.TrimSpace(inv.Email), HashToken(token), strings.Join(perms, " "), inv.MakeAdmin,
		nullID(invitedBy), formatTime(now), formatTime(now.Add(InvitationTTL)))
	if err != nil {
		return 0, fmt.Errorf("create invitation: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := queueMail(ctx, tx, inv.TenantID, compose(token)); err != nil {
		return 0, err
	}
	return id, nil
}

// queueMail puts a message in the tenant's outbox; a sender delivers it when SMTP is set.
func queueMail(ctx context.Context, tx *Tx, tenantID int64, m Mail) error {
	_, err := tx.exec(ctx, `INSERT INTO outbox (tenant_id, to_email, subject, body, created_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, m.To, m.Subject, m.Body, tx.now())
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

func newInvitationToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invitation token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is how invitation tokens are stored: a database leak gives no working link.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
