package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// NewSubmissionToken returns a random token that a create form carries in a hidden field, so
// that a double-submitted form is recognised and makes one row.
func NewSubmissionToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// claimSubmission records a form's token inside the create's transaction. It returns
// ErrDuplicate when the token was used before: the caller then reports success without
// creating anything a second time. An empty token is refused (forms always carry one).
func claimSubmission(ctx context.Context, tx *Tx, tenantID int64, token string) error {
	if token == "" || len(token) > 64 {
		return Invalid("_submission", "form.error.expired")
	}
	_, err := tx.exec(ctx, `INSERT INTO submissions (token, tenant_id, created_at) VALUES (?, ?, ?)`, token, tenantID, tx.now())
	if isUniqueViolation(err) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("claim submission: %w", err)
	}
	return nil
}
