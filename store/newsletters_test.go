package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newsletterDB opens a migrated database with the demo world (Contoso = 1, Fabrikam = 2; each
// with the three demo newsletters; Contoso's product_updates has two subscribers).
func newsletterDB(tb testing.TB) *DB {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(tb.TempDir(), "newsletter.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return start }
	if _, err := db.SeedDemo(ctx, "not-a-real-hash"); err != nil {
		tb.Fatal(err)
	}
	return db
}

const (
	contosoID  int64 = 1
	fabrikamID int64 = 2
)

var newsletterActor = Actor{PersonID: 1, Email: "global.admin@contoso.example"}

// seedSubscribers adds n outside subscribers to a tenant in one statement (one transaction):
// subscriber000000@example.com… spread over the tenant's newsletters in turn.
func seedSubscribers(tb testing.TB, db *DB, tenantID int64, n int) {
	tb.Helper()
	ctx := context.Background()
	err := db.writeTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?2),
			nl AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS c FROM newsletters WHERE tenant_id = ?1)
			INSERT INTO newsletter_subscriptions (tenant_id, newsletter_id, email, created_at)
			SELECT ?1, nl.id, printf('subscriber%06d@example.com', seq.i), ?3 FROM seq JOIN nl ON nl.k = seq.i % nl.c`,
			tenantID, n, tx.now())
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// auditCount counts a tenant's audit rows with an action.
func auditCount(tb testing.TB, db *DB, tenantID int64, action string) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = ?`, tenantID, action).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func subscriptionCount(tb testing.TB, db *DB, tenantID int64) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM newsletter_subscriptions WHERE tenant_id = ?`, tenantID).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestValidEmail(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		{"ana@contoso.example", true},
		{"first.last+news@sub.example.com", true},
		{"", false},
		{"no-at-sign", false},
		{"@example.com", false},
		{"ana@", false},
		{"ana@localhost", false},
		{"ana@.example", false},
		{"ana@example..com", false},
		{"Ana <ana@example.com>", false},
		{"ana @example.com", false},
		{"ana@example.com,bob@example.com", false},
		{strings.Repeat("a", 65) + "@example.com", false},
		{"a@" + strings.Repeat("b", 250) + ".com", false},
	}
	for _, tt := range tests {
		if got := ValidEmail(tt.email); got != tt.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.email, got, tt.want)
		}
	}
}

func TestNewsletterOverviewCountsAndFilters(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	seedSubscribers(t, db, contosoID, 30) // 10 per newsletter
	seedSubscribers(t, db, fabrikamID, 3)

	tests := []struct {
		name      string
		filter    SubscriptionFilter
		wantTotal int
		wantKey   string
	}{
		{"everything", SubscriptionFilter{}, 32, ""},
		{"one newsletter", SubscriptionFilter{NewsletterKey: "product_updates"}, 12, "product_updates"},
		{"unknown newsletter keeps all", SubscriptionFilter{NewsletterKey: "nope"}, 32, ""},
		{"search by email", SubscriptionFilter{Search: "subscriber00002"}, 10, ""},
		{"search is case-insensitive", SubscriptionFilter{Search: "SUBSCRIBER00002"}, 10, ""},
		{"search by name", SubscriptionFilter{Search: "gabriela"}, 1, ""},
		{"search and newsletter", SubscriptionFilter{Search: "subscriber00002", NewsletterKey: "security_advisories"}, 3, "security_advisories"},
		{"percent is literal", SubscriptionFilter{Search: "%"}, 0, ""},
		{"underscore is literal", SubscriptionFilter{Search: "_"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ov, err := db.NewsletterOverview(ctx, contosoID, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := ov.Subscriptions.Total; got != tt.wantTotal {
				t.Errorf("total = %d, want %d", got, tt.wantTotal)
			}
			if got := len(ov.Subscriptions.Items); got != tt.wantTotal {
				t.Errorf("rows = %d, want %d (one page)", got, tt.wantTotal)
			}
			if ov.NewsletterKey != tt.wantKey {
				t.Errorf("applied newsletter = %q, want %q", ov.NewsletterKey, tt.wantKey)
			}
			for _, s := range ov.Subscriptions.Items {
				if tt.wantKey != "" && s.NewsletterKey != tt.wantKey {
					t.Errorf("row %s of %s in a list filtered on %s", s.Email, s.NewsletterKey, tt.wantKey)
				}
			}
		})
	}

	ov, err := db.NewsletterOverview(ctx, contosoID, SubscriptionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int{"product_updates": 12, "security_advisories": 10, "events_training": 10}
	if len(ov.Newsletters) != len(NewsletterKeys) {
		t.Fatalf("%d newsletters, want %d", len(ov.Newsletters), len(NewsletterKeys))
	}
	for i, n := range ov.Newsletters {
		if n.Key != NewsletterKeys[i] {
			t.Errorf("newsletter %d = %q, want %q", i, n.Key, NewsletterKeys[i])
		}
		if n.Subscribers != wantCounts[n.Key] {
			t.Errorf("%s: %d subscribers, want %d", n.Key, n.Subscribers, wantCounts[n.Key])
		}
	}
	for _, s := range ov.Subscriptions.Items {
		if strings.HasPrefix(s.Email, "global.admin@") && (s.Name != "Gabriela Admin" || s.PersonID == 0) {
			t.Errorf("demo subscriber %s: name %q, person %d; want the linked person", s.Email, s.Name, s.PersonID)
		}
	}
}

// TestSubscriptionPagesWalkBothWays walks the whole list forward with Next and back with
// Prev: every row once, in (email, id) order, the same pages both ways.
func TestSubscriptionPagesWalkBothWays(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	seedSubscribers(t, db, contosoID, 2*PageSize+7)
	total := 2*PageSize + 7 + 2

	var forward [][]Subscription
	f := SubscriptionFilter{}
	for {
		ov, err := db.NewsletterOverview(ctx, contosoID, f)
		if err != nil {
			t.Fatal(err)
		}
		p := ov.Subscriptions
		if len(forward) == 0 && p.Prev != "" {
			t.Errorf("first page has a Prev link")
		}
		forward = append(forward, p.Items)
		if p.Next == "" {
			if p.Prev == "" {
				t.Errorf("last page has no Prev link")
			}
			break
		}
		c, ok := DecodeCursor(p.Next)
		if !ok {
			t.Fatalf("Next %q does not decode", p.Next)
		}
		f = SubscriptionFilter{After: &c}
		if len(forward) > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(forward) != 3 {
		t.Fatalf("%d pages, want 3", len(forward))
	}
	var all []Subscription
	for _, p := range forward {
		all = append(all, p...)
	}
	if len(all) != total {
		t.Fatalf("walked %d rows, want %d", len(all), total)
	}
	for i := 1; i < len(all); i++ {
		a, b := asciiLower(all[i-1].Email), asciiLower(all[i].Email)
		if a > b || (a == b && all[i-1].ID >= all[i].ID) {
			t.Fatalf("row %d (%s) comes before row %d (%s): not in list order", i-1, all[i-1].Email, i, all[i].Email)
		}
	}

	// Back from the last page: Prev gives the pages seen before, the first one without Prev.
	last := forward[len(forward)-1]
	c := last[0].Cursor()
	for i := len(forward) - 2; i >= 0; i-- {
		ov, err := db.NewsletterOverview(ctx, contosoID, SubscriptionFilter{Before: &c})
		if err != nil {
			t.Fatal(err)
		}
		p := ov.Subscriptions
		if len(p.Items) != len(forward[i]) || p.Items[0].ID != forward[i][0].ID {
			t.Fatalf("Prev to page %d: %d rows starting with %d, want %d starting with %d", i, len(p.Items), p.Items[0].ID, len(forward[i]), forward[i][0].ID)
		}
		if p.Next == "" {
			t.Errorf("page %d reached with Prev has no Next", i)
		}
		if (i == 0) != (p.Prev == "") {
			t.Errorf("page %d: Prev = %q", i, p.Prev)
		}
		c = p.Items[0].Cursor()
	}
}

// TestSubscriptionPageWith100kRowsFitsBudget: with 100,000 subscribers a page (first, last,
// filtered, searched) is built from at most 3 statements, and the page query walks an index in
// list order (no sort of the whole list).
func TestSubscriptionPageWith100kRowsFitsBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 rows")
	}
	ctx := context.Background()
	db := newsletterDB(t)
	seedSubscribers(t, db, contosoID, 100_000)
	lastCursor := cursorAt(t, db, contosoID, 100_002-PageSize)

	tests := []struct {
		name   string
		filter SubscriptionFilter
		rows   int
	}{
		{"first page", SubscriptionFilter{}, PageSize},
		{"last page", SubscriptionFilter{After: &lastCursor}, PageSize - 1},
		{"page before the last", SubscriptionFilter{Before: &lastCursor}, PageSize},
		{"one newsletter", SubscriptionFilter{NewsletterKey: "events_training"}, PageSize},
		{"search", SubscriptionFilter{Search: "subscriber0999"}, PageSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ov NewsletterOverview
			var err error
			n := db.Counting(func() { ov, err = db.NewsletterOverview(ctx, contosoID, tt.filter) })
			if err != nil {
				t.Fatal(err)
			}
			if n > 3 {
				t.Errorf("%d SQL statements, want at most 3", n)
			}
			if got := len(ov.Subscriptions.Items); got != tt.rows {
				t.Errorf("%d rows, want %d", got, tt.rows)
			}
		})
	}
}

// cursorAt is the cursor of the row at 0-based position pos in list order (setup only).
func cursorAt(tb testing.TB, db *DB, tenantID int64, pos int) Cursor {
	tb.Helper()
	var c Cursor
	err := db.read.QueryRow(`SELECT email, id FROM newsletter_subscriptions WHERE tenant_id = ? ORDER BY email, id LIMIT 1 OFFSET ?`, tenantID, pos).Scan(&c.Key, &c.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestSubscriptionPageUsesIndexOrder fails if a page query would sort instead of seeking into
// an index in (email, id) order: that is what keeps the last page as cheap as the first.
func TestSubscriptionPageUsesIndexOrder(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	c := &Cursor{Key: "m@example.com", ID: 5}
	filters := []struct {
		newsletterID int64
		f            SubscriptionFilter
	}{
		{0, SubscriptionFilter{}},
		{0, SubscriptionFilter{After: c}},
		{0, SubscriptionFilter{Before: c}},
		{1, SubscriptionFilter{After: c}},
		{1, SubscriptionFilter{Before: c, Search: "ab"}},
		{0, SubscriptionFilter{After: c, Search: "ab"}},
	}
	for _, tt := range filters {
		q, args := subscriptionPageSQL(contosoID, tt.newsletterID, tt.f)
		rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") || !strings.Contains(joined, "SEARCH s USING INDEX") {
			t.Errorf("newsletter %d, filter %+v: plan %q, want an index search on s without sorting", tt.newsletterID, tt.f, joined)
		}
		if (tt.f.After != nil || tt.f.Before != nil) && !strings.Contains(joined, "email") {
			t.Errorf("filter %+v: plan %q does not seek on email", tt.f, joined)
		}
	}
}

func TestSubscribe(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		sub        NewSubscription
		wantErr    string // field of the ValidationError; "" = success
		wantPerson bool
	}{
		{"outside address", NewSubscription{Email: "reader@partner.example", NewsletterKey: "events_training"}, "", false},
		{"person of the tenant is linked", NewSubscription{Email: "Services.Admin@contoso.example", NewsletterKey: "events_training"}, "", true},
		{"person of another tenant is not linked", NewSubscription{Email: "global.admin@fabrikam.example", NewsletterKey: "events_training"}, "", false},
		{"bad email", NewSubscription{Email: "not an email", NewsletterKey: "events_training"}, "email", false},
		{"unknown newsletter", NewSubscription{Email: "reader@partner.example", NewsletterKey: "cooking"}, "newsletter", false},
		{"already subscribed, other case", NewSubscription{Email: "USER@contoso.example", NewsletterKey: "product_updates"}, "email", false},
		{"no submission token", NewSubscription{Email: "reader@partner.example", NewsletterKey: "events_training", Submission: "-"}, "_submission", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newsletterDB(t)
			before := subscriptionCount(t, db, contosoID)
			if tt.sub.Submission == "-" {
				tt.sub.Submission = ""
			} else {
				tt.sub.Submission = NewSubmissionToken()
			}
			sub, err := db.Subscribe(ctx, newsletterActor, contosoID, tt.sub)
			if tt.wantErr != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Fields[tt.wantErr] == "" {
					t.Fatalf("err = %v, want a validation error on %s", err, tt.wantErr)
				}
				if got := subscriptionCount(t, db, contosoID); got != before {
					t.Errorf("%d subscriptions after a refused subscribe, want %d", got, before)
				}
				if got := auditCount(t, db, contosoID, "newsletter.subscribe"); got != 0 {
					t.Errorf("%d audit rows after a refused subscribe, want 0", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := subscriptionCount(t, db, contosoID); got != before+1 {
				t.Errorf("%d subscriptions, want %d", got, before+1)
			}
			if (sub.PersonID != 0) != tt.wantPerson {
				t.Errorf("person id %d, want linked = %v", sub.PersonID, tt.wantPerson)
			}
			var label, after string
			if err := db.read.QueryRow(`SELECT target_label, after FROM audit_log WHERE action = 'newsletter.subscribe' AND target_id = ? AND tenant_id = ?`,
				sub.ID, contosoID).Scan(&label, &after); err != nil {
				t.Fatalf("audit row: %v", err)
			}
			if label != strings.TrimSpace(tt.sub.Email) || !strings.Contains(after, `"newsletter":"`+tt.sub.NewsletterKey+`"`) {
				t.Errorf("audit row: label %q, after %q", label, after)
			}
		})
	}
}

func TestSubscribeTwiceWithOneTokenWritesOnce(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	ns := NewSubscription{Email: "reader@partner.example", NewsletterKey: "events_training", Submission: NewSubmissionToken()}
	if _, err := db.Subscribe(ctx, newsletterActor, contosoID, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, newsletterActor, contosoID, ns); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second submit: err = %v, want ErrDuplicate", err)
	}
	if got := auditCount(t, db, contosoID, "newsletter.subscribe"); got != 1 {
		t.Errorf("%d audit rows, want 1", got)
	}
}

func TestUnsubscribe(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	seedSubscribers(t, db, contosoID, 6)
	seedSubscribers(t, db, fabrikamID, 1)
	ids := func(tenantID int64) []int64 {
		rows, err := db.read.Query(`SELECT id FROM newsletter_subscriptions WHERE tenant_id = ? ORDER BY id`, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	contoso, fabrikam := ids(contosoID), ids(fabrikamID)

	// Another tenant's id among ours: nothing removed at all.
	if _, err := db.Unsubscribe(ctx, newsletterActor, contosoID, []int64{contoso[0], fabrikam[0]}); !errors.Is(err, ErrNotFound) {
		t.Errorf("with another tenant's id: err = %v, want ErrNotFound", err)
	}
	if got := subscriptionCount(t, db, contosoID); got != len(contoso) {
		t.Errorf("%d subscriptions after a refused unsubscribe, want %d", got, len(contoso))
	}
	var ve *ValidationError
	if _, err := db.Unsubscribe(ctx, newsletterActor, contosoID, nil); !errors.As(err, &ve) {
		t.Errorf("nothing selected: err = %v, want a validation error", err)
	}

	// One, then three (one repeated): one audit row per subscription removed.
	if n, err := db.Unsubscribe(ctx, newsletterActor, contosoID, contoso[:1]); err != nil || n != 1 {
		t.Fatalf("unsubscribe one: %d, %v", n, err)
	}
	if n, err := db.Unsubscribe(ctx, newsletterActor, contosoID, []int64{contoso[1], contoso[2], contoso[3], contoso[2]}); err != nil || n != 3 {
		t.Fatalf("bulk unsubscribe: %d, %v", n, err)
	}
	if got := subscriptionCount(t, db, contosoID); got != len(contoso)-4 {
		t.Errorf("%d subscriptions left, want %d", got, len(contoso)-4)
	}
	if got := auditCount(t, db, contosoID, "newsletter.unsubscribe"); got != 4 {
		t.Errorf("%d audit rows, want 4", got)
	}
	// Already gone: not found, nothing written.
	if _, err := db.Unsubscribe(ctx, newsletterActor, contosoID, contoso[:1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("again: err = %v, want ErrNotFound", err)
	}
}

func TestImportPreviewAndConfirm(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	rows := []ImportRow{
		{Line: 2, Email: "new.reader@partner.example", Newsletter: "events_training"},
		{Line: 3, Email: "not-an-email", Newsletter: "events_training"},
		{Line: 4, Email: "NEW.reader@partner.example", Newsletter: "events_training"},
		{Line: 5, Email: "user@contoso.example", Newsletter: "product_updates"},
		{Line: 6, Email: "other@partner.example", Newsletter: "cooking"},
		{Line: 7, Email: " services.admin@contoso.example ", Newsletter: "security_advisories"},
		{Line: 8, Email: "new.reader@partner.example", Newsletter: "security_advisories"},
	}
	wantErrs := []string{"", ImportErrEmail, ImportErrDuplicate, ImportErrSubscribed, ImportErrNewsletter, "", ""}
	before := subscriptionCount(t, db, contosoID)
	p, err := db.PreviewImport(ctx, newsletterActor, contosoID, "list.csv", rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range p.Rows {
		if r.Error != wantErrs[i] {
			t.Errorf("line %d: error %q, want %q", r.Line, r.Error, wantErrs[i])
		}
	}
	if p.Valid != 3 {
		t.Errorf("valid = %d, want 3", p.Valid)
	}
	if got := subscriptionCount(t, db, contosoID); got != before {
		t.Fatalf("the preview wrote subscriptions: %d, want %d", got, before)
	}

	// The kept preview reads back the same, for this tenant only.
	kept, err := db.ImportPreviewByToken(ctx, contosoID, p.Token)
	if err != nil || kept.Valid != 3 || len(kept.Rows) != len(rows) || kept.Filename != "list.csv" {
		t.Fatalf("kept preview: %+v, %v", kept, err)
	}
	if _, err := db.ImportPreviewByToken(ctx, fabrikamID, p.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant's preview: err = %v, want ErrNotFound", err)
	}
	if _, err := db.ConfirmImport(ctx, newsletterActor, fabrikamID, p.Token, NewSubmissionToken()); !errors.Is(err, ErrNotFound) {
		t.Errorf("confirmed by another tenant: err = %v, want ErrNotFound", err)
	}

	// Someone subscribes one of the rows meanwhile: it is skipped, not an error.
	if _, err := db.Subscribe(ctx, newsletterActor, contosoID, NewSubscription{Email: "new.reader@partner.example", NewsletterKey: "security_advisories", Submission: NewSubmissionToken()}); err != nil {
		t.Fatal(err)
	}
	submission := NewSubmissionToken()
	written, err := db.ConfirmImport(ctx, newsletterActor, contosoID, p.Token, submission)
	if err != nil {
		t.Fatal(err)
	}
	if written != 2 {
		t.Errorf("written = %d, want 2", written)
	}
	var linked int64
	if err := db.read.QueryRow(`SELECT ifnull(person_id, 0) FROM newsletter_subscriptions WHERE email = 'services.admin@contoso.example' AND tenant_id = ?`, contosoID).Scan(&linked); err != nil || linked == 0 {
		t.Errorf("imported tenant person not linked: %d, %v", linked, err)
	}

	// Double-submitted (same token) or confirmed again from another tab: nothing more.
	for _, sub := range []string{submission, NewSubmissionToken()} {
		if _, err := db.ConfirmImport(ctx, newsletterActor, contosoID, p.Token, sub); !errors.Is(err, ErrDuplicate) {
			t.Errorf("confirm again: err = %v, want ErrDuplicate", err)
		}
	}
	if got := subscriptionCount(t, db, contosoID); got != before+3 {
		t.Errorf("%d subscriptions, want %d", got, before+3)
	}
	if got := auditCount(t, db, contosoID, "newsletter.import"); got != 1 {
		t.Errorf("%d import audit rows, want 1", got)
	}
	var after string
	if err := db.read.QueryRow(`SELECT after FROM audit_log WHERE action = 'newsletter.import'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, `"imported":2`) || !strings.Contains(after, `"import_rows":7`) {
		t.Errorf("import audit after = %s, want the counts", after)
	}
}

func TestImportPreviewExpires(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	p, err := db.PreviewImport(ctx, newsletterActor, contosoID, "a.csv", []ImportRow{{Line: 2, Email: "a@partner.example", Newsletter: "events_training"}})
	if err != nil {
		t.Fatal(err)
	}
	later := db.Now().Add(ImportTTL)
	db.Now = func() time.Time { return later }
	var rule *RuleError
	if _, err := db.ImportPreviewByToken(ctx, contosoID, p.Token); !errors.As(err, &rule) {
		t.Errorf("expired preview: err = %v, want a refusal", err)
	}
	if _, err := db.ConfirmImport(ctx, newsletterActor, contosoID, p.Token, NewSubmissionToken()); !errors.As(err, &rule) {
		t.Errorf("confirm expired: err = %v, want a refusal", err)
	}
	if got := auditCount(t, db, contosoID, "newsletter.import"); got != 0 {
		t.Errorf("%d import audit rows, want 0", got)
	}
}

func TestImportTooManyRows(t *testing.T) {
	db := newsletterDB(t)
	rows := make([]ImportRow, MaxImportRows+1)
	var ve *ValidationError
	if _, err := db.PreviewImport(context.Background(), newsletterActor, contosoID, "big.csv", rows); !errors.As(err, &ve) {
		t.Errorf("err = %v, want a validation error", err)
	}
}

// benchSubscribers seeds 100,000 subscribers into Contoso once for a benchmark, whose
// sub-benchmarks then share the database.
func benchSubscribers(b *testing.B) *DB {
	b.Helper()
	db := newsletterDB(b)
	seedSubscribers(b, db, contosoID, 100_000)
	return db
}

func benchPage(b *testing.B, db *DB, f SubscriptionFilter, wantRows int) {
	b.Helper()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ov, err := db.NewsletterOverview(ctx, contosoID, f)
		if err != nil {
			b.Fatal(err)
		}
		if len(ov.Subscriptions.Items) != wantRows {
			b.Fatalf("%d rows, want %d", len(ov.Subscriptions.Items), wantRows)
		}
	}
}

// BenchmarkSubscribersFirstPage: the first page of 100,000 subscribers (with the newsletters'
// counts, as the tab shows them).
func BenchmarkSubscribersFirstPage(b *testing.B) {
	db := benchSubscribers(b)
	b.Run("100k", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{}, PageSize) })
}

// BenchmarkSubscribersLastPage: the last page, reached by its cursor as Next links reach it.
// Keyset paging makes it cost what the first page does (OFFSET would read 99,950 rows first).
func BenchmarkSubscribersLastPage(b *testing.B) {
	db := benchSubscribers(b)
	total := subscriptionCount(b, db, contosoID)
	c := cursorAt(b, db, contosoID, total-PageSize-1)
	b.Run("100k", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{After: &c}, PageSize) })
}

// BenchmarkSubscribersFirstVsLast reads the first and the last page alternately, so that both
// see the same machine load (this machine is shared), and reports each one's mean time and
// their ratio: last-ns/op ÷ first-ns/op near 1 is what keyset paging promises.
func BenchmarkSubscribersFirstVsLast(b *testing.B) {
	db := benchSubscribers(b)
	total := subscriptionCount(b, db, contosoID)
	c := cursorAt(b, db, contosoID, total-PageSize-1)
	ctx := context.Background()
	var first, last time.Duration
	read := func(f SubscriptionFilter) time.Duration {
		start := time.Now()
		ov, err := db.NewsletterOverview(ctx, contosoID, f)
		if err != nil || len(ov.Subscriptions.Items) != PageSize {
			b.Fatalf("%d rows, %v", len(ov.Subscriptions.Items), err)
		}
		return time.Since(start)
	}
	b.Run("100k", func(b *testing.B) {
		first, last = 0, 0
		n := 0
		for b.Loop() {
			first += read(SubscriptionFilter{})
			last += read(SubscriptionFilter{After: &c})
			n++
		}
		b.ReportMetric(float64(first.Nanoseconds())/float64(n), "first-ns/op")
		b.ReportMetric(float64(last.Nanoseconds())/float64(n), "last-ns/op")
		b.ReportMetric(float64(last)/float64(first), "last/first")
	})
}

// BenchmarkSubscribersSearch: searches over 100,000 subscribers. A "contains" search cannot
// seek a B-tree, so the page walks the list index in order and stops at PageSize+1 matches;
// the count stops at SearchCountCap+1 matches, and isn't run when the first page holds all.
// A rare term therefore reads every index entry of the tenant once.
func BenchmarkSubscribersSearch(b *testing.B) {
	db := benchSubscribers(b)
	total := subscriptionCount(b, db, contosoID)
	// The last row (user@contoso.example) doesn't match "example.com": start one row earlier.
	c := cursorAt(b, db, contosoID, total-PageSize-2)
	b.Run("many_matches", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{Search: "example.com"}, PageSize) })
	b.Run("prefix_1000_matches", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{Search: "subscriber050"}, PageSize) })
	b.Run("one_match", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{Search: "subscriber099999"}, 1) })
	b.Run("no_match", func(b *testing.B) { benchPage(b, db, SubscriptionFilter{Search: "nobody-has-this"}, 0) })
	b.Run("many_matches_last_page", func(b *testing.B) {
		benchPage(b, db, SubscriptionFilter{Search: "example.com", After: &c}, PageSize)
	})
}

// BenchmarkSubscribersNewsletterFilter: one newsletter (about 33,000 rows), first and last page.
func BenchmarkSubscribersNewsletterFilter(b *testing.B) {
	db := benchSubscribers(b)
	var c Cursor
	if err := db.read.QueryRow(`SELECT s.email, s.id FROM newsletter_subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
		WHERE s.tenant_id = ? AND n.key = 'events_training' ORDER BY s.email DESC, s.id DESC LIMIT 1 OFFSET ?`, contosoID, PageSize).Scan(&c.Key, &c.ID); err != nil {
		b.Fatal(err)
	}
	b.Run("first_page", func(b *testing.B) {
		benchPage(b, db, SubscriptionFilter{NewsletterKey: "events_training"}, PageSize)
	})
	b.Run("last_page", func(b *testing.B) {
		benchPage(b, db, SubscriptionFilter{NewsletterKey: "events_training", After: &c}, PageSize)
	})
}

// TestSubscriberCountsStayExact: the counts kept by triggers equal a real count after every
// kind of write (bulk insert, subscribe, refused duplicate, unsubscribe, import).
func TestSubscriberCountsStayExact(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	check := func(when string) {
		t.Helper()
		rows, err := db.read.Query(`SELECT n.key, n.subscriber_count, (SELECT count(*) FROM newsletter_subscriptions s WHERE s.newsletter_id = n.id)
			FROM newsletters n ORDER BY n.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var kept, real int
			if err := rows.Scan(&key, &kept, &real); err != nil {
				t.Fatal(err)
			}
			if kept != real {
				t.Errorf("after %s: %s counts %d, has %d", when, key, kept, real)
			}
		}
	}
	check("the demo world")
	seedSubscribers(t, db, contosoID, 31)
	check("a bulk insert")
	sub, err := db.Subscribe(ctx, newsletterActor, contosoID, NewSubscription{Email: "a@partner.example", NewsletterKey: "events_training", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	db.Subscribe(ctx, newsletterActor, contosoID, NewSubscription{Email: "A@partner.example", NewsletterKey: "events_training", Submission: NewSubmissionToken()})
	check("subscribe and a refused duplicate")
	if _, err := db.Unsubscribe(ctx, newsletterActor, contosoID, []int64{sub.ID}); err != nil {
		t.Fatal(err)
	}
	check("unsubscribe")
	p, err := db.PreviewImport(ctx, newsletterActor, contosoID, "x.csv", []ImportRow{
		{Line: 2, Email: "b@partner.example", Newsletter: "product_updates"},
		{Line: 3, Email: "subscriber000000@example.com", Newsletter: "product_updates"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmImport(ctx, newsletterActor, contosoID, p.Token, NewSubmissionToken()); err != nil {
		t.Fatal(err)
	}
	check("an import")
	ov, err := db.NewsletterOverview(ctx, contosoID, SubscriptionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := subscriptionCount(t, db, contosoID); ov.Subscriptions.Total != got {
		t.Errorf("total %d, want %d", ov.Subscriptions.Total, got)
	}
}

// TestSearchTotals: a search counts its matches exactly up to SearchCountCap, says "more"
// beyond, and spends no counting statement when its first page holds every match.
func TestSearchTotals(t *testing.T) {
	ctx := context.Background()
	db := newsletterDB(t)
	seedSubscribers(t, db, contosoID, SearchCountCap+100)
	tests := []struct {
		name       string
		filter     SubscriptionFilter
		total      int
		capped     bool
		statements int64
	}{
		{"more than the cap", SubscriptionFilter{Search: "example.com"}, SearchCountCap, true, 3},
		{"more than a page, under the cap", SubscriptionFilter{Search: "subscriber000"}, 1000, false, 3},
		{"one page holds them all", SubscriptionFilter{Search: "subscriber00010"}, 10, false, 2},
		{"nothing", SubscriptionFilter{Search: "nobody"}, 0, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ov NewsletterOverview
			var err error
			n := db.Counting(func() { ov, err = db.NewsletterOverview(ctx, contosoID, tt.filter) })
			if err != nil {
				t.Fatal(err)
			}
			if ov.Subscriptions.Total != tt.total || ov.TotalCapped != tt.capped {
				t.Errorf("total %d capped %v, want %d %v", ov.Subscriptions.Total, ov.TotalCapped, tt.total, tt.capped)
			}
			if n != tt.statements {
				t.Errorf("%d statements, want %d", n, tt.statements)
			}
		})
	}
}

// BenchmarkSubscribersOffsetLastPage is the road not taken, for comparison only: the same
// last page read with OFFSET, which walks (and throws away) every row before it.
func BenchmarkSubscribersOffsetLastPage(b *testing.B) {
	db := benchSubscribers(b)
	total := subscriptionCount(b, db, contosoID)
	q := `SELECT ` + subscriptionColumns + subscriptionFrom + ` WHERE s.tenant_id = ? ORDER BY s.email, s.id LIMIT ? OFFSET ?`
	b.Run("100k", func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			rows, err := db.read.QueryContext(ctx, q, contosoID, PageSize+1, total-PageSize)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != PageSize {
				b.Fatalf("%d rows, want %d", n, PageSize)
			}
		}
	})
}
