// Package sessionstore keeps gorilla/sessions sessions server-side in Hub Admin's SQLite store.
// The cookie holds only a random token signed with the session key; the database holds the
// SHA-256 of that token and the values. Deleting the row (sign-out, a disabled person, a changed
// password) ends the session for real: a replayed cookie finds nothing.
package sessionstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"hubadmin/store"
)

// Backend is what the session store needs from the database.
type Backend interface {
	Session(ctx context.Context, id string) (store.SessionRecord, error)
	SaveSession(ctx context.Context, s store.SessionRecord) error
	DeleteSession(ctx context.Context, id string) error
}

// Store implements sessions.Store.
type Store struct {
	db      Backend
	codec   securecookie.Codec
	Options sessions.Options
	// Idle ends a session unused for this long; Absolute ends any session this old.
	Idle, Absolute time.Duration
	// Now is the clock (tests move it).
	Now func() time.Time
}

// New returns a Store signing cookies with hashKey (32 bytes or more).
func New(db Backend, hashKey []byte) *Store {
	codec := securecookie.New(hashKey, nil)
	codec.MaxAge(0) // expiry is decided server-side, from the row's times
	return &Store{
		db:       db,
		codec:    codec,
		Options:  sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode},
		Idle:     30 * time.Minute,
		Absolute: 12 * time.Hour,
		Now:      time.Now,
	}
}

// touchEvery limits last-seen writes to one a minute per session.
const touchEvery = time.Minute

// Keys used in session.Values by this package.
const (
	keyCreated  = "_created"
	keyLastSeen = "_seen"
)

// Get returns the session cached for this request, loading it on first use.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a new empty one when there is
// none, it is forged, unknown, or has timed out.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess, _, err := s.Load(r, name)
	return sess, err
}

// Load is New that also returns the session's row as the database read it, with the person and
// their tenants (store.SessionRecord.Person is nil for a new session or one without a person):
// the middleware builds the viewer from it without reading the person again.
func (s *Store) Load(r *http.Request, name string) (*sessions.Session, store.SessionRecord, error) {
	sess := sessions.NewSession(s, name)
	opts := s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, store.SessionRecord{}, nil
	}
	var token string
	if err := s.codec.Decode(name, c.Value, &token); err != nil || token == "" {
		return sess, store.SessionRecord{}, nil // forged or signed with another key: start afresh
	}
	rec, err := s.db.Session(r.Context(), hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return sess, store.SessionRecord{}, nil
	}
	if err != nil {
		return sess, store.SessionRecord{}, err
	}
	now := s.Now()
	if now.Sub(rec.LastSeenAt) > s.Idle || now.Sub(rec.CreatedAt) > s.Absolute {
		_ = s.db.DeleteSession(r.Context(), rec.ID)
		return sess, store.SessionRecord{}, nil
	}
	values, err := decodeValues(rec.Data)
	if err != nil {
		return sess, store.SessionRecord{}, nil // unreadable data: treat as no session
	}
	sess.Values = values
	sess.Values[keyCreated] = rec.CreatedAt.UnixNano()
	sess.Values[keyLastSeen] = rec.LastSeenAt.UnixNano()
	sess.ID = token
	sess.IsNew = false
	if now.Sub(rec.LastSeenAt) > touchEvery {
		rec.LastSeenAt = now
		if err := s.db.SaveSession(r.Context(), rec); err != nil {
			return sess, rec, err
		}
	}
	return sess, rec, nil
}

// Save writes the session and its cookie; a session with MaxAge < 0 is deleted instead.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.db.DeleteSession(r.Context(), hashToken(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	now := s.Now()
	created := now
	if ns, ok := sess.Values[keyCreated].(int64); ok && sess.ID != "" {
		created = time.Unix(0, ns)
	}
	if sess.ID == "" {
		token, err := newToken()
		if err != nil {
			return err
		}
		sess.ID = token
	}
	values := make(map[any]any, len(sess.Values))
	for k, v := range sess.Values {
		if k == keyCreated || k == keyLastSeen {
			continue
		}
		values[k] = v
	}
	data, err := encodeValues(values)
	if err != nil {
		return err
	}
	var personID int64
	if id, ok := values["person_id"].(int64); ok {
		personID = id
	}
	if err := s.db.SaveSession(r.Context(), store.SessionRecord{
		ID: hashToken(sess.ID), PersonID: personID, Data: data, CreatedAt: created, LastSeenAt: now,
	}); err != nil {
		return err
	}
	sess.Values[keyCreated] = created.UnixNano()
	encoded, err := s.codec.Encode(sess.Name(), sess.ID)
	if err != nil {
		return fmt.Errorf("sign session cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// Renew gives the session a new identity (sign-in), deleting the old row so the old cookie,
// if someone fixed it in the browser beforehand, is worth nothing.
func (s *Store) Renew(r *http.Request, sess *sessions.Session) error {
	if sess.ID != "" {
		if err := s.db.DeleteSession(r.Context(), hashToken(sess.ID)); err != nil {
			return err
		}
	}
	sess.ID = ""
	delete(sess.Values, keyCreated)
	return nil
}

// Destroy deletes the session and clears its cookie (sign-out).
func (s *Store) Destroy(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	sess.Options.MaxAge = -1
	sess.Values = map[any]any{}
	return s.Save(r, w, sess)
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
