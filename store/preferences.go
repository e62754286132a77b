package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Themes a person may choose; "" follows the system's light or dark setting.
var Themes = []string{"", "light", "dark"}

// Preferences is how the admin center looks to one person: colour theme and time zone. The
// language lives on Person (it predates these).
type Preferences struct {
	Theme    string // "", "light" or "dark"
	TimeZone string // "" = not chosen (UTC is shown, the browser's zone is offered) or an IANA name
}

// Location is the person's time zone, UTC when none is chosen or the name is unknown.
func (p Preferences) Location() *time.Location {
	if p.TimeZone == "" {
		return time.UTC
	}
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// ValidTheme tells whether s is one of Themes.
func ValidTheme(s string) bool {
	for _, t := range Themes {
		if s == t {
			return true
		}
	}
	return false
}

// ValidTimeZone tells whether s is "" or a time zone this machine knows (IANA names only: the
// Local zone and fixed offsets are refused, so that the stored value means the same everywhere).
func ValidTimeZone(s string) bool {
	if s == "" {
		return true
	}
	if s == "Local" || len(s) > 64 {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

func personPreferences(ctx context.Context, tx *Tx, personID int64) (Preferences, error) {
	var p Preferences
	err := tx.queryRow(ctx, `SELECT theme, time_zone FROM person_preferences WHERE person_id = ?`, personID).Scan(&p.Theme, &p.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return Preferences{}, nil
	}
	if err != nil {
		return p, fmt.Errorf("preferences of person %d: %w", personID, err)
	}
	return p, nil
}

// SetPreferences records a person's theme and time zone, refusing values outside the lists
// (a ValidationError); the caller validates first to show a message by the field.
func (db *DB) SetPreferences(ctx context.Context, personID int64, p Preferences) error {
	if !ValidTheme(p.Theme) {
		return Invalid("theme", "shell.prefs.error.theme")
	}
	if !ValidTimeZone(p.TimeZone) {
		return Invalid("time_zone", "shell.prefs.error.time_zone")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO person_preferences (person_id, theme, time_zone) VALUES (?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET theme = excluded.theme, time_zone = excluded.time_zone`, personID, p.Theme, p.TimeZone)
		return err
	})
}
