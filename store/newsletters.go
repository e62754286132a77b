package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The Newsletter tab of the Admin Center (product.md §4): the newsletters a tenant can receive
// and who is subscribed to them, people of the tenant (linked by person_id) or outside emails.

// Newsletter is a newsletter a tenant can receive. Its name and description are messages
// (newsletter.<Key>.name / .desc), so they read in each admin's language.
type Newsletter struct {
	ID          int64
	Key         string
	Subscribers int
}

// Subscription is one address subscribed to one newsletter of a tenant.
type Subscription struct {
	ID            int64
	Email         string
	Name          string // display name of the linked person; "" for an outside address
	PersonID      int64  // 0 for an outside address
	NewsletterID  int64
	NewsletterKey string
	CreatedAt     time.Time
}

// Cursor is the subscription's position in the list order (email, then id).
func (s Subscription) Cursor() Cursor { return Cursor{Key: s.Email, ID: s.ID} }

// SubscriptionFilter selects subscriptions of a tenant and, for a list, the page.
type SubscriptionFilter struct {
	// Search keeps subscriptions whose email or subscriber name contains it (case-insensitive
	// for ASCII letters, as SQLite's LIKE is).
	Search string
	// NewsletterKey keeps one newsletter; "" (or a key the tenant doesn't have) keeps all.
	NewsletterKey string
	// After / Before page forward from / back before a row; nil both = the first page.
	After, Before *Cursor
}

// NewsletterOverview is what the Newsletter tab shows: the tenant's newsletters with their
// subscriber counts, and one page of the filtered subscriptions.
type NewsletterOverview struct {
	Newsletters   []Newsletter
	Subscriptions ListPage[Subscription]
	// NewsletterKey is the filter actually applied: "" when the one asked for is unknown.
	NewsletterKey string
	// TotalCapped says a search matches more than SearchCountCap subscriptions; the page's
	// Total is then SearchCountCap.
	TotalCapped bool
}

// NewsletterOverview reads the tab in one snapshot and at most three statements: the
// newsletters with their kept counts, the page (PageSize+1 rows, walking an index in list order
// from the cursor, so the last page costs what the first does), and, only for a search that
// fills more than a page, the number of its matches up to SearchCountCap. Without a search the
// total is the sum of the newsletters' counts.
func (db *DB) NewsletterOverview(ctx context.Context, tenantID int64, f SubscriptionFilter) (NewsletterOverview, error) {
	var out NewsletterOverview
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		if out.Newsletters, err = newslettersOf(ctx, tx, tenantID); err != nil {
			return err
		}
		newsletterID := int64(0)
		for _, n := range out.Newsletters {
			if n.Key == f.NewsletterKey {
				newsletterID, out.NewsletterKey = n.ID, n.Key
			}
		}
		if out.Subscriptions, err = subscriptionPage(ctx, tx, tenantID, newsletterID, f); err != nil {
			return err
		}
		out.Subscriptions.Total, out.TotalCapped, err = subscriptionTotal(ctx, tx, tenantID, newsletterID, f, out.Subscriptions, out.Newsletters)
		return err
	})
	if err != nil {
		return NewsletterOverview{}, fmt.Errorf("newsletter overview of tenant %d: %w", tenantID, err)
	}
	return out, nil
}

// Newsletters lists the tenant's newsletters with their subscriber counts.
func (db *DB) Newsletters(ctx context.Context, tenantID int64) ([]Newsletter, error) {
	var out []Newsletter
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, err = newslettersOf(ctx, tx, tenantID)
		return err
	})
	return out, err
}

// newslettersOf reads the tenant's newsletters in creation order with their subscriber counts,
// which triggers keep (migration 003), so this costs the same for 10 or 1,000,000 subscribers.
func newslettersOf(ctx context.Context, tx *Tx, tenantID int64) ([]Newsletter, error) {
	rows, err := tx.query(ctx, `SELECT n.id, n.key, n.subscriber_count FROM newsletters n WHERE n.tenant_id = ? ORDER BY n.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("newsletters: %w", err)
	}
	defer rows.Close()
	var out []Newsletter
	for rows.Next() {
		var n Newsletter
		if err := rows.Scan(&n.ID, &n.Key, &n.Subscribers); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// subscriptionColumns and subscriptionFrom are shared by the page and the export.
const subscriptionColumns = `s.id, s.email, ifnull(p.display_name, ''), ifnull(s.person_id, 0), s.newsletter_id, n.key, s.created_at`

const subscriptionFrom = ` FROM newsletter_subscriptions s
	JOIN newsletters n ON n.id = s.newsletter_id
	LEFT JOIN people p ON p.id = s.person_id`

func scanSubscription(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var created string
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.PersonID, &s.NewsletterID, &s.NewsletterKey, &created)
	s.CreatedAt = parseTime(created)
	return s, err
}

// subscriptionWhere builds the filter part of a query from fixed fragments (never from the
// input itself) and its arguments. A newsletter filter is an equality on newsletter_id, so the
// planner can walk the UNIQUE (newsletter_id, email) index in list order.
func subscriptionWhere(tenantID, newsletterID int64, search string) (string, []any) {
	where := ` WHERE s.tenant_id = ?`
	args := []any{tenantID}
	if newsletterID != 0 {
		where += ` AND s.newsletter_id = ?`
		args = append(args, newsletterID)
	}
	if search != "" {
		// The email is tested on the list index's own columns; the name only for a
		// subscription that has a person, by one look-up of that person. Matching the name
		// among all the tenant's people first (as this did) read a million people for a
		// tenant that size, whatever the newsletter's length.
		pattern := containsPattern(search)
		where += ` AND (s.email LIKE ? ESCAPE '\' OR (s.person_id IS NOT NULL
			AND (SELECT p.display_name FROM people p WHERE p.id = s.person_id) LIKE ? ESCAPE '\'))`
		args = append(args, pattern, pattern)
	}
	return where, args
}

// subscriptionPage reads one keyset page: PageSize+1 rows from the cursor in list order (or in
// reverse order before a cursor), the extra row telling whether there is a page beyond.
func subscriptionPage(ctx context.Context, tx *Tx, tenantID, newsletterID int64, f SubscriptionFilter) (ListPage[Subscription], error) {
	var page ListPage[Subscription]
	query, args := subscriptionPageSQL(tenantID, newsletterID, f)
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return page, fmt.Errorf("subscriptions page: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return page, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	// The web layer decodes the cursors (and keeps one of them); the query reads before one
	// first, as subscriptionPageSQL does.
	var k keyset
	switch {
	case f.Before != nil:
		k = keyset{Cursor: *f.Before, Has: true, Backward: true}
	case f.After != nil:
		k = keyset{Cursor: *f.After, Has: true}
	}
	page, _ = keysetPage(out, Subscription.Cursor, k)
	return page, nil
}

// subscriptionPageSQL is the page query: the filter, the cursor as a row-value comparison
// (which SQLite turns into a seek in the (…, email, id) index), the list order or its reverse
// for a page before a cursor, and PageSize+1 rows.
func subscriptionPageSQL(tenantID, newsletterID int64, f SubscriptionFilter) (string, []any) {
	where, args := subscriptionWhere(tenantID, newsletterID, f.Search)
	order := ` ORDER BY s.email, s.id`
	switch {
	case f.Before != nil:
		where += ` AND (s.email, s.id) < (?, ?)`
		args = append(args, f.Before.Key, f.Before.ID)
		order = ` ORDER BY s.email DESC, s.id DESC`
	case f.After != nil:
		where += ` AND (s.email, s.id) > (?, ?)`
		args = append(args, f.After.Key, f.After.ID)
	}
	args = append(args, PageSize+1)
	return `SELECT ` + subscriptionColumns + subscriptionFrom + where + order + ` LIMIT ?`, args
}

// SearchCountCap is where a search stops counting its matches: "more than 1,000" tells an
// admin to narrow the search as well as an exact figure would, and counting every match of a
// search that matches everything would read the whole list on every page.
const SearchCountCap = 1000

// subscriptionTotal counts the filtered subscriptions; capped reports that a search matches
// more than SearchCountCap (Total is then SearchCountCap). It spends a statement only when it
// must: without a search the newsletters' kept counts say it, and a search's first page that
// holds every match has counted them already.
func subscriptionTotal(ctx context.Context, tx *Tx, tenantID, newsletterID int64, f SubscriptionFilter, page ListPage[Subscription], newsletters []Newsletter) (total int, capped bool, err error) {
	if f.Search == "" {
		for _, n := range newsletters {
			if newsletterID == 0 || n.ID == newsletterID {
				total += n.Subscribers
			}
		}
		return total, false, nil
	}
	if f.After == nil && f.Before == nil && page.Next == "" {
		return len(page.Items), false, nil
	}
	where, args := subscriptionWhere(tenantID, newsletterID, f.Search)
	args = append(args, SearchCountCap+1)
	err = tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM newsletter_subscriptions s`+where+` LIMIT ?)`, args...).Scan(&total)
	if err != nil {
		return 0, false, fmt.Errorf("count subscriptions: %w", err)
	}
	if total > SearchCountCap {
		return SearchCountCap, true, nil
	}
	return total, false, nil
}

// EachSubscription calls fn with every subscription the filter selects (cursors ignored), in
// list order, inside one read snapshot: the CSV export.
func (db *DB) EachSubscription(ctx context.Context, tenantID int64, f SubscriptionFilter, fn func(Subscription) error) error {
	err := db.readTx(ctx, func(tx *Tx) error {
		newsletterID := int64(0)
		if f.NewsletterKey != "" {
			n, err := newsletterByKey(ctx, tx, tenantID, f.NewsletterKey)
			if errors.Is(err, ErrNotFound) {
				return nil // the list shows nothing for an unknown newsletter; neither does the file
			}
			if err != nil {
				return err
			}
			newsletterID = n.ID
		}
		where, args := subscriptionWhere(tenantID, newsletterID, f.Search)
		rows, err := tx.query(ctx, `SELECT `+subscriptionColumns+subscriptionFrom+where+` ORDER BY s.email, s.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSubscription(rows)
			if err != nil {
				return err
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("export subscriptions of tenant %d: %w", tenantID, err)
	}
	return nil
}

func newsletterByKey(ctx context.Context, tx *Tx, tenantID int64, key string) (Newsletter, error) {
	var n Newsletter
	err := tx.queryRow(ctx, `SELECT id, key FROM newsletters WHERE tenant_id = ? AND key = ?`, tenantID, key).Scan(&n.ID, &n.Key)
	if errors.Is(err, sql.ErrNoRows) {
		return n, ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("newsletter %q: %w", key, err)
	}
	return n, nil
}

// NewSubscription is what subscribing an address needs.
type NewSubscription struct {
	Email         string
	NewsletterKey string
	// Submission is the form's one-time token: a double-submitted form subscribes once.
	Submission string
}

// subscriptionAudit is what the audit log keeps of a subscription, before or after.
type subscriptionAudit struct {
	Email      string `json:"subscriber"`
	Newsletter string `json:"newsletter"`
}

// Subscribe subscribes an address to one of the tenant's newsletters, linking the person of
// the tenant who has that email, if any. It returns ErrDuplicate when the form was already
// submitted (the caller reports success), and a ValidationError for a bad email, an unknown
// newsletter or an address already subscribed to it.
func (db *DB) Subscribe(ctx context.Context, actor Actor, tenantID int64, ns NewSubscription) (Subscription, error) {
	email := strings.TrimSpace(ns.Email)
	if !ValidEmail(email) {
		return Subscription{}, Invalid("email", "newsletter.error.email")
	}
	var sub Subscription
	err := db.writeTx(ctx, func(tx *Tx) error {
		if err := claimSubmission(ctx, tx, tenantID, ns.Submission); err != nil {
			return err
		}
		n, err := newsletterByKey(ctx, tx, tenantID, ns.NewsletterKey)
		if errors.Is(err, ErrNotFound) {
			return Invalid("newsletter", "newsletter.error.newsletter")
		}
		if err != nil {
			return err
		}
		personID, name, err := tenantPersonByEmail(ctx, tx, tenantID, email)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO newsletter_subscriptions (tenant_id, newsletter_id, email, person_id, created_at)
			VALUES (?, ?, ?, ?, ?)`, tenantID, n.ID, email, nullID(personID), tx.now())
		if isUniqueViolation(err) {
			return Invalid("email", "newsletter.error.already")
		}
		if err != nil {
			return fmt.Errorf("insert subscription: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		sub = Subscription{ID: id, Email: email, Name: name, PersonID: personID, NewsletterID: n.ID, NewsletterKey: n.Key, CreatedAt: parseTime(tx.now())}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "newsletter.subscribe", TargetKind: "newsletter_subscription",
			TargetID: id, TargetLabel: email, After: subscriptionAudit{Email: email, Newsletter: n.Key}})
	})
	if err != nil && !errors.Is(err, ErrDuplicate) {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			err = fmt.Errorf("subscribe %s: %w", email, err)
		}
	}
	return sub, err
}

// tenantPersonByEmail finds the person of the tenant who has this email (0 when none).
func tenantPersonByEmail(ctx context.Context, tx *Tx, tenantID int64, email string) (int64, string, error) {
	var id int64
	var name string
	err := tx.queryRow(ctx, `SELECT p.id, p.display_name FROM people p
		JOIN tenant_members tm ON tm.person_id = p.id AND tm.tenant_id = ?
		WHERE p.email = ?`, tenantID, email).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("person of tenant by email: %w", err)
	}
	return id, name, nil
}

// MaxBulkUnsubscribe bounds one bulk unsubscribe (a page holds PageSize rows).
const MaxBulkUnsubscribe = 500

// Unsubscribe removes subscriptions of the tenant: one, or the rows an admin selected. Every
// id must be a subscription of the tenant, or nothing is removed (ErrNotFound). Each removal
// writes its own audit row, so the audit log can be searched by address whichever way it went.
// It returns how many were removed.
func (db *DB) Unsubscribe(ctx context.Context, actor Actor, tenantID int64, ids []int64) (int, error) {
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return 0, Invalid("id", "newsletter.error.none_selected")
	}
	if len(ids) > MaxBulkUnsubscribe {
		return 0, Invalid("id", "newsletter.error.too_many_selected")
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	err = db.writeTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+subscriptionColumns+subscriptionFrom+`
			WHERE s.tenant_id = ? AND s.id IN (SELECT value FROM json_each(?)) ORDER BY s.email, s.id`, tenantID, string(idsJSON))
		if err != nil {
			return fmt.Errorf("subscriptions to remove: %w", err)
		}
		var subs []Subscription
		for rows.Next() {
			s, err := scanSubscription(rows)
			if err != nil {
				rows.Close()
				return err
			}
			subs = append(subs, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(subs) != len(ids) {
			return ErrNotFound // another tenant's id, or one already gone: nothing is removed
		}
		if _, err := tx.exec(ctx, `DELETE FROM newsletter_subscriptions WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`,
			tenantID, string(idsJSON)); err != nil {
			return fmt.Errorf("delete subscriptions: %w", err)
		}
		for _, s := range subs {
			if err := audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "newsletter.unsubscribe", TargetKind: "newsletter_subscription",
				TargetID: s.ID, TargetLabel: s.Email, Before: subscriptionAudit{Email: s.Email, Newsletter: s.NewsletterKey}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ---- CSV import: a preview kept server-side, then one confirmation that writes it once.

// ImportTTL is how long an import preview can be confirmed.
const ImportTTL = time.Hour

// MaxImportRows bounds the rows of one import file, so that its preview stays a page a person
// can read and a browser can show.
const MaxImportRows = 5000

// ImportRow is one data row of an import file and, after validation, what is wrong with it.
type ImportRow struct {
	Line       int    `json:"line"` // line number in the file (the header is line 1)
	Email      string `json:"email"`
	Newsletter string `json:"newsletter"`
	Error      string `json:"error,omitempty"` // message ID; "" = the row will be written
}

// ImportPreview is a validated import waiting for the admin's confirmation.
type ImportPreview struct {
	Token     string // only known right after PreviewImport; later reads leave it empty
	Filename  string
	Rows      []ImportRow
	Valid     int // rows that will be written
	CreatedAt time.Time
	ExpiresAt time.Time
	Used      bool
}

// Import row errors (message IDs).
const (
	ImportErrEmail      = "newsletter.import.error.email"
	ImportErrDuplicate  = "newsletter.import.error.duplicate"
	ImportErrSubscribed = "newsletter.import.error.subscribed"
	ImportErrNewsletter = "newsletter.import.error.newsletter"
)

// PreviewImport validates parsed rows against the tenant's newsletters and subscriptions,
// without writing any subscription, and keeps the result for ImportTTL under a new random
// token. Each row gets at most one error: a bad email, an unknown newsletter, a repeat of an
// earlier row of the file, or an address already subscribed.
func (db *DB) PreviewImport(ctx context.Context, actor Actor, tenantID int64, filename string, rows []ImportRow) (ImportPreview, error) {
	if len(rows) > MaxImportRows {
		return ImportPreview{}, Invalid("file", "newsletter.import.error.too_many")
	}
	token, err := newImportToken()
	if err != nil {
		return ImportPreview{}, err
	}
	p := ImportPreview{Token: token, Filename: filename, Rows: rows}
	err = db.writeTx(ctx, func(tx *Tx) error {
		if err := validateImportRows(ctx, tx, tenantID, p.Rows); err != nil {
			return err
		}
		for _, r := range p.Rows {
			if r.Error == "" {
				p.Valid++
			}
		}
		raw, err := json.Marshal(p.Rows)
		if err != nil {
			return err
		}
		now := tx.db.Now()
		p.CreatedAt, p.ExpiresAt = now, now.Add(ImportTTL)
		// Old previews are of no use to anyone: clear them while we are writing anyway.
		if _, err := tx.exec(ctx, `DELETE FROM import_batches WHERE expires_at < ?`, formatTime(now.Add(-ImportTTL))); err != nil {
			return fmt.Errorf("purge import previews: %w", err)
		}
		_, err = tx.exec(ctx, `INSERT INTO import_batches (token_hash, tenant_id, created_by, filename, rows, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, HashToken(token), tenantID, nullID(actor.PersonID), filename, string(raw), formatTime(p.CreatedAt), formatTime(p.ExpiresAt))
		if err != nil {
			return fmt.Errorf("keep import preview: %w", err)
		}
		return nil
	})
	if err != nil {
		return ImportPreview{}, err
	}
	return p, nil
}

// validateImportRows sets each row's Error from the tenant's newsletters and the existing
// subscriptions of the file's addresses (two statements whatever the file's length).
func validateImportRows(ctx context.Context, tx *Tx, tenantID int64, rows []ImportRow) error {
	newsletters, err := newslettersOf(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, n := range newsletters {
		known[n.Key] = true
	}
	emails := make([]string, 0, len(rows))
	for i := range rows {
		rows[i].Email = strings.TrimSpace(rows[i].Email)
		rows[i].Newsletter = strings.TrimSpace(rows[i].Newsletter)
		rows[i].Error = ""
		emails = append(emails, rows[i].Email)
	}
	existing, err := existingSubscriptions(ctx, tx, tenantID, emails)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range rows {
		r := &rows[i]
		key := subscriptionKey(r.Email, r.Newsletter)
		switch {
		case !ValidEmail(r.Email):
			r.Error = ImportErrEmail
		case !known[r.Newsletter]:
			r.Error = ImportErrNewsletter
		case seen[key]:
			r.Error = ImportErrDuplicate
		case existing[key]:
			r.Error = ImportErrSubscribed
		}
		seen[key] = true
	}
	return nil
}

// subscriptionKey identifies an (email, newsletter) pair the way the UNIQUE index does: the
// email without regard to ASCII case (the column is COLLATE NOCASE).
func subscriptionKey(email, newsletter string) string {
	return asciiLower(email) + "\x00" + newsletter
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// existingSubscriptions returns the (email, newsletter) pairs already subscribed among emails.
func existingSubscriptions(ctx context.Context, tx *Tx, tenantID int64, emails []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(emails) == 0 {
		return out, nil
	}
	raw, err := json.Marshal(emails)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT s.email, n.key FROM newsletter_subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
		WHERE s.tenant_id = ? AND s.email IN (SELECT value FROM json_each(?))`, tenantID, string(raw))
	if err != nil {
		return nil, fmt.Errorf("existing subscriptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var email, key string
		if err := rows.Scan(&email, &key); err != nil {
			return nil, err
		}
		out[subscriptionKey(email, key)] = true
	}
	return out, rows.Err()
}

// ImportPreviewByToken reads a kept preview of the tenant. Another tenant's token, or one that
// never existed, is ErrNotFound; an expired one is refused (409) with a message.
func (db *DB) ImportPreviewByToken(ctx context.Context, tenantID int64, token string) (ImportPreview, error) {
	var p ImportPreview
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = importBatch(ctx, tx, tenantID, token)
		return err
	})
	return p, err
}

func importBatch(ctx context.Context, tx *Tx, tenantID int64, token string) (ImportPreview, error) {
	var p ImportPreview
	if token == "" || len(token) > 128 {
		return p, ErrNotFound
	}
	var raw, created, expires string
	var used sql.NullString
	err := tx.queryRow(ctx, `SELECT filename, rows, created_at, expires_at, used_at FROM import_batches WHERE token_hash = ? AND tenant_id = ?`,
		HashToken(token), tenantID).Scan(&p.Filename, &raw, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("import preview: %w", err)
	}
	p.CreatedAt, p.ExpiresAt, p.Used = parseTime(created), parseTime(expires), used.Valid
	if err := json.Unmarshal([]byte(raw), &p.Rows); err != nil {
		return p, fmt.Errorf("import preview rows: %w", err)
	}
	for _, r := range p.Rows {
		if r.Error == "" {
			p.Valid++
		}
	}
	if !p.Used && !tx.db.Now().Before(p.ExpiresAt) {
		return p, Refuse("newsletter.import.error.expired")
	}
	return p, nil
}

// importAudit is the one audit row an import writes: what it did, in counts.
type importAudit struct {
	File         string         `json:"import_file"`
	Rows         int            `json:"import_rows"`
	Written      int            `json:"imported"`
	Skipped      int            `json:"import_skipped"`
	ByNewsletter map[string]int `json:"by_newsletter"`
}

// ConfirmImport writes the valid rows of a kept preview, once. The form's submission token and
// the preview's used mark both guard it: a double-submitted confirmation, or a second one from
// another tab, returns ErrDuplicate and writes nothing. Rows subscribed by someone else since
// the preview are skipped. One audit row sums the import up. It returns how many
// subscriptions were written.
func (db *DB) ConfirmImport(ctx context.Context, actor Actor, tenantID int64, token, submission string) (int, error) {
	written := 0
	err := db.writeTx(ctx, func(tx *Tx) error {
		if err := claimSubmission(ctx, tx, tenantID, submission); err != nil {
			return err
		}
		p, err := importBatch(ctx, tx, tenantID, token)
		if err != nil {
			return err
		}
		if p.Used {
			return ErrDuplicate
		}
		if p.Valid == 0 {
			return Refuse("newsletter.import.error.nothing")
		}
		if _, err := tx.exec(ctx, `UPDATE import_batches SET used_at = ? WHERE token_hash = ?`, tx.now(), HashToken(token)); err != nil {
			return fmt.Errorf("mark import used: %w", err)
		}
		valid := make([]ImportRow, 0, p.Valid)
		for _, r := range p.Rows {
			if r.Error == "" {
				valid = append(valid, r)
			}
		}
		if written, err = insertImportRows(ctx, tx, tenantID, valid); err != nil {
			return err
		}
		summary := importAudit{File: p.Filename, Rows: len(p.Rows), Written: written, Skipped: len(p.Rows) - written, ByNewsletter: map[string]int{}}
		for _, r := range valid {
			summary.ByNewsletter[r.Newsletter]++
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "newsletter.import", TargetKind: "newsletter_import",
			TargetLabel: p.Filename, After: summary})
	})
	if err != nil {
		return 0, err
	}
	return written, nil
}

// insertImportRows writes rows in one statement, linking people of the tenant by email. A pair
// subscribed since the preview is skipped (ON CONFLICT DO NOTHING), not an error.
func insertImportRows(ctx context.Context, tx *Tx, tenantID int64, rows []ImportRow) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, `INSERT INTO newsletter_subscriptions (tenant_id, newsletter_id, email, person_id, created_at)
		SELECT ?1, n.id, json_extract(j.value, '$.email'),
			(SELECT p.id FROM people p JOIN tenant_members tm ON tm.person_id = p.id AND tm.tenant_id = ?1
			 WHERE p.email = json_extract(j.value, '$.email')),
			?2
		FROM json_each(?3) j JOIN newsletters n ON n.tenant_id = ?1 AND n.key = json_extract(j.value, '$.newsletter')
		WHERE true
		ON CONFLICT DO NOTHING`, tenantID, tx.now(), string(raw))
	if err != nil {
		return 0, fmt.Errorf("import subscriptions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func newImportToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("import token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
