package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"hubadmin/store/perm"
)

// Support contact seats (issue 12, point 1). Microsoft: "Support Contact limits are based on
// your contract agreement". Each agreement says how many people may be its Support contacts;
// a seat is held by a person who has Support contact in any workspace of the agreement (one
// seat however many of its workspaces), and reserved by a live invitation that carries it, so
// that accepting an invitation never overshoots the cap.

// DefaultSupportContactSeats is the number a new agreement starts with (the demo's Unified
// agreement's; a CSAM changes it on the Tenant tab).
const DefaultSupportContactSeats = 5

// MaxSupportContactSeats bounds the number a CSAM may type.
const MaxSupportContactSeats = 10000

// seatHoldersShown is how many holders a refusal names; the rest are counted.
const seatHoldersShown = 20

// SupportContactSeats is one agreement's seats: the cap and who takes them.
type SupportContactSeats struct {
	AgreementID     int64
	AgreementNumber string
	Cap             int
	// Holders are the emails taking a seat, sorted: people holding Support contact in a
	// workspace of the agreement and addresses of live invitations that carry it.
	Holders []string
}

// Taken is how many seats are taken.
func (s SupportContactSeats) Taken() int { return len(s.Holders) }

// Free is how many seats are left (0 when the agreement is over its cap).
func (s SupportContactSeats) Free() int { return max(0, s.Cap-len(s.Holders)) }

// Holds reports whether email already takes a seat (granting it again takes no new one).
func (s SupportContactSeats) Holds(email string) bool {
	return slices.Contains(s.Holders, strings.ToLower(strings.TrimSpace(email)))
}

// refusal is the translated refusal of one more seat: the cap and who holds the seats.
func (s SupportContactSeats) refusal() error {
	names := s.Holders
	more := ""
	if len(names) > seatHoldersShown {
		more = fmt.Sprintf(" (+%d)", len(names)-seatHoldersShown)
		names = names[:seatHoldersShown]
	}
	holders := strings.Join(names, ", ") + more
	if holders == "" {
		holders = "—"
	}
	return &RuleError{MessageID: "perm.error.seats_full", Args: []any{"Cap", s.Cap, "Agreement", s.AgreementNumber, "Holders", holders}}
}

// seatsOfWorkspace reads the seats of the agreement a workspace of the tenant runs under: two
// statements, inside the caller's transaction (a write transaction makes check and grant one
// step, as the store has a single writer).
func seatsOfWorkspace(ctx context.Context, tx *Tx, tenantID, wsID int64) (SupportContactSeats, error) {
	var s SupportContactSeats
	err := tx.queryRow(ctx, `SELECT a.id, a.number, a.support_contact_seats FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
		WHERE w.id = ? AND w.tenant_id = ?`, wsID, tenantID).Scan(&s.AgreementID, &s.AgreementNumber, &s.Cap)
	if err != nil {
		return s, notFound(err)
	}
	rows, err := tx.query(ctx, `SELECT lower(p.email) FROM grants g JOIN workspaces w ON w.id = g.workspace_id JOIN people p ON p.id = g.person_id
			WHERE g.permission = ?1 AND w.agreement_id = ?2
		UNION
		SELECT lower(i.email) FROM invitations i JOIN workspaces w ON w.id = i.workspace_id
			WHERE w.agreement_id = ?2 AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?3
			AND (' ' || i.permissions || ' ') LIKE '% ' || ?1 || ' %'
		ORDER BY 1`, string(perm.SupportContact), s.AgreementID, formatTime(tx.db.Now()))
	if err != nil {
		return s, fmt.Errorf("support contact seats of agreement %d: %w", s.AgreementID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return s, err
		}
		s.Holders = append(s.Holders, e)
	}
	return s, rows.Err()
}

// takeSeat checks that email may take a Support contact seat in the workspace's agreement:
// already holding one, or a seat free. Otherwise the refusal names the cap and the holders.
func takeSeat(ctx context.Context, tx *Tx, tenantID, wsID int64, email string) error {
	s, err := seatsOfWorkspace(ctx, tx, tenantID, wsID)
	if err != nil {
		return err
	}
	if s.Holds(email) || s.Taken() < s.Cap {
		return nil
	}
	return s.refusal()
}

// SupportContactSeatsOf reads the seats of the agreement workspace wsID runs under.
func (db *DB) SupportContactSeatsOf(ctx context.Context, tenantID, wsID int64) (SupportContactSeats, error) {
	var s SupportContactSeats
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		s, err = seatsOfWorkspace(ctx, tx, tenantID, wsID)
		return err
	})
	return s, err
}

// SetSupportContactSeats changes an agreement's number of Support contact seats (a CSAM, on the
// Tenant tab), audited. A number below the seats already taken is accepted (contracts shrink):
// nobody loses Support contact, but no new one can be named until seats are free.
func (db *DB) SetSupportContactSeats(ctx context.Context, actor Actor, tenantID, agreementID int64, seats int) error {
	if seats < 0 || seats > MaxSupportContactSeats {
		return Invalid("seats", "tenant.agreement.error.seats")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		var number string
		var before int
		err := tx.queryRow(ctx, `SELECT number, support_contact_seats FROM agreements WHERE id = ? AND tenant_id = ?`, agreementID, tenantID).Scan(&number, &before)
		if err != nil {
			return notFound(err)
		}
		if before == seats {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE agreements SET support_contact_seats = ? WHERE id = ?`, seats, agreementID); err != nil {
			return fmt.Errorf("set seats of agreement %d: %w", agreementID, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "agreement.seats", TargetKind: "agreement",
			TargetID: agreementID, TargetLabel: number,
			Before: map[string]int{"support_contact_seats": before}, After: map[string]int{"support_contact_seats": seats}})
	})
}
