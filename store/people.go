package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

const personColumns = `p.id, p.email, p.display_name, p.account_kind, p.microsoft, p.language, p.disabled, p.password_hash, p.version, p.created_at,
	p.mailbox_verified, ifnull(p.last_tenant_id, 0)`

func scanPerson(row interface{ Scan(...any) error }) (Person, error) {
	var p Person
	var created string
	err := row.Scan(&p.ID, &p.Email, &p.DisplayName, &p.AccountKind, &p.Microsoft, &p.Language, &p.Disabled, &p.PasswordHash, &p.Version, &created,
		&p.MailboxVerified, &p.LastTenantID)
	p.CreatedAt = parseTime(created)
	return p, err
}

// PersonByEmail finds a person by email, case-insensitively.
func (db *DB) PersonByEmail(ctx context.Context, email string) (Person, error) {
	var p Person
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = personByEmail(ctx, tx, email)
		return err
	})
	return p, err
}

// PersonByID finds a person by id.
func (db *DB) PersonByID(ctx context.Context, id int64) (Person, error) {
	var p Person
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p WHERE p.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return p, err
}

func personByEmail(ctx context.Context, tx *Tx, email string) (Person, error) {
	p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p WHERE p.email = ?`, strings.TrimSpace(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	if err != nil {
		return Person{}, fmt.Errorf("person by email: %w", err)
	}
	return p, nil
}

// NewPerson is what creating a person needs.
type NewPerson struct {
	Email        string
	DisplayName  string
	AccountKind  string
	Microsoft    bool
	Language     string
	PasswordHash string
	// MailboxVerified: set by the operator's own provisioning (the demo world, AddMember),
	// never by an invitation, which proves the mailbox only when its link went by mail.
	MailboxVerified bool
}

func createPerson(ctx context.Context, tx *Tx, np NewPerson) (int64, error) {
	kind := np.AccountKind
	if kind == "" {
		kind = AccountKindOf(np.Email)
	}
	res, err := tx.exec(ctx, `INSERT INTO people (email, display_name, account_kind, microsoft, language, password_hash, created_at, mailbox_verified)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, strings.TrimSpace(np.Email), np.DisplayName, kind, np.Microsoft, np.Language, np.PasswordHash, tx.now(), np.MailboxVerified)
	if err != nil {
		if isUniqueViolation(err) {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("create person: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	// Someone put in a directory group before registering reaches the group's workspaces now.
	if err := syncGroupWorkspaceMembersOf(ctx, tx, strings.TrimSpace(np.Email)); err != nil {
		return 0, err
	}
	return id, nil
}

// ValidEmail tells whether s is a plain email address (local@domain.tld): no display name, no
// spaces, brackets or line breaks, within the RFC 5321 lengths, with a dotted domain. Every form
// that takes an address (sign-in excepted) uses this one rule, so an address accepted in one
// place is never refused in another.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>()[]\\,;:\"") {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || at == len(s)-1 {
		return false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.HasPrefix(domain, "-") || strings.Contains(domain, "..") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// personalDomains are the consumer mail domains of personal Microsoft accounts (MSA). The demo
// world uses outlook.example so that no real address is ever mailed.
var personalDomains = map[string]bool{
	"outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"outlook.fr": true, "hotmail.fr": true, "live.fr": true, "outlook.example": true,
	"hotmail.example": true,
}

// AccountKindOf tells from an address whether it is a personal Microsoft account ("msa") or a
// work or school account ("work").
func AccountKindOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at >= 0 && personalDomains[strings.ToLower(strings.TrimSpace(email[at+1:]))] {
		return "msa"
	}
	return "work"
}

// SetPersonLanguage records a person's language choice ("" = follow the browser).
func (db *DB) SetPersonLanguage(ctx context.Context, personID int64, lang string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE people SET language = ?, version = version + 1 WHERE id = ?`, lang, personID)
		return err
	})
}

// SetPersonDisabled disables or enables a person and, when disabling, ends all their sessions.
func (db *DB) SetPersonDisabled(ctx context.Context, personID int64, disabled bool) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE people SET disabled = ?, version = version + 1 WHERE id = ?`, disabled, personID); err != nil {
			return err
		}
		if disabled {
			_, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, personID)
			return err
		}
		return nil
	})
}

// SetPassword stores a new password hash and ends every session of the person: a changed
// password must log out whoever else was signed in with the old one.
func (db *DB) SetPassword(ctx context.Context, personID int64, hash string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE people SET password_hash = ?, version = version + 1 WHERE id = ?`, hash, personID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, personID)
		return err
	})
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
