package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound means the object does not exist in the tenant asked about. Objects of another
// tenant are reported the same way, so their existence never leaks.
var ErrNotFound = errors.New("not found")

// ErrConflict means a save carried a stale version: someone else changed the record first.
var ErrConflict = errors.New("edit conflict")

// ErrBusy means the database stayed locked by someone outside this process (a backup tool, an
// operator's sqlite3 shell) for longer than the busy timeout: nothing was written, and trying
// again shortly may work. The web layer answers 503 with Retry-After.
var ErrBusy = errors.New("database busy")

// busy wraps err with ErrBusy when SQLite reports the database busy or locked.
func busy(err error) error {
	var coded interface{ Code() int }
	if err != nil && errors.As(err, &coded) {
		switch coded.Code() & 0xff { // primary result code: SQLITE_BUSY 5, SQLITE_LOCKED 6
		case 5, 6:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
	}
	return err
}

// ErrDuplicate means a create would repeat a unique value (an email, a name, a form token).
var ErrDuplicate = errors.New("duplicate")

// ValidationError carries field → message ID pairs. Messages are translated only when the page
// renders, so the store never needs to know the reader's language.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("invalid input: %v", e.Fields) }

// Invalid returns a ValidationError for one field.
func Invalid(field, messageID string) error {
	return &ValidationError{Fields: map[string]string{field: messageID}}
}

// RuleError is a refusal by a business rule ("the last Global Admin can't be removed"). It is
// shown as a message, with the status the web layer maps it to (409 for state, 403 for rights).
type RuleError struct {
	MessageID string
	Forbidden bool // true: the rule is about rights (403); false: about state (409)
	// Args are the message's template data as name/value pairs ("Cap", 5, …), if any.
	Args []any
}

func (e *RuleError) Error() string { return "refused: " + e.MessageID }

// Refuse returns a RuleError about state.
func Refuse(messageID string) error { return &RuleError{MessageID: messageID} }

// Deny returns a RuleError about rights.
func Deny(messageID string) error { return &RuleError{MessageID: messageID, Forbidden: true} }

// notFound maps "no row" to ErrNotFound and keeps any other error.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
