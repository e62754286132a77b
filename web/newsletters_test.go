package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// newsletterUpload posts a multipart form with the CSRF token of the last page and, when
// filename is not "", a file in the field "file".
func (b *browser) newsletterUpload(path, filename string, content []byte) response {
	b.a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("_csrf", b.csrf); err != nil {
		b.a.t.Fatal(err)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			b.a.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return b.do(http.MethodPost, path, &body, mw.FormDataContentType())
}

// newsletterTotal is how many subscriptions a tenant has.
func newsletterTotal(a *app, tenantID int64) int {
	a.t.Helper()
	ov, err := a.db.NewsletterOverview(context.Background(), tenantID, store.SubscriptionFilter{})
	if err != nil {
		a.t.Fatal(err)
	}
	return ov.Subscriptions.Total
}

// newsletterAudit returns Contoso's audit rows with an action.
func newsletterAudit(a *app, action string) []store.AuditRecord {
	a.t.Helper()
	var out []store.AuditRecord
	err := a.db.EachAuditRecord(context.Background(), a.ids.contoso, store.AuditFilter{Action: action}, func(r store.AuditRecord) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return out
}

// newsletterSeed subscribes n outside addresses (reader000@partner.example…) to Contoso's
// newsletters in turn, through the import (the one bulk write there is).
func newsletterSeed(a *app, n int) {
	a.t.Helper()
	ctx := context.Background()
	rows := make([]store.ImportRow, n)
	for i := range rows {
		rows[i] = store.ImportRow{Line: i + 2, Email: fmt.Sprintf("reader%03d@partner.example", i), Newsletter: store.NewsletterKeys[i%len(store.NewsletterKeys)]}
	}
	actor := store.Actor{Email: "seed@contoso.example"}
	p, err := a.db.PreviewImport(ctx, actor, a.ids.contoso, "seed.csv", rows)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.db.ConfirmImport(ctx, actor, a.ids.contoso, p.Token, store.NewSubmissionToken()); err != nil {
		a.t.Fatal(err)
	}
}

// newsletterSubmission is the one-time token of the subscribe form on a page.
func newsletterSubmission(t *testing.T, r response) string {
	t.Helper()
	tok, ok := r.doc.Find(`#subscribe input[name="_submission"]`).Attr("value")
	if !ok || tok == "" {
		t.Fatal("the subscribe form has no submission token")
	}
	return tok
}

func TestNewsletterPageShowsNewslettersAndSubscribers(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/newsletter")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d, want 200", r.status)
	}
	if got := r.count("#newsletters [data-newsletter]"); got != len(store.NewsletterKeys) {
		t.Errorf("%d newsletters shown, want %d", got, len(store.NewsletterKeys))
	}
	if got := r.text(`[data-newsletter="product_updates"] h3`); got != "Product updates" {
		t.Errorf("newsletter name %q, want the translated name", got)
	}
	if got := r.text(`[data-newsletter="product_updates"] [data-count]`); got != "2 subscribers" {
		t.Errorf("count %q, want %q", got, "2 subscribers")
	}
	if got := r.text(`[data-newsletter="security_advisories"] [data-count]`); got != "0 subscribers" {
		t.Errorf("count %q, want %q", got, "0 subscribers")
	}
	if got := r.count("#subscriptions tbody tr"); got != 2 {
		t.Errorf("%d rows, want 2", got)
	}
	if got := r.text(`nav.rail-nav[aria-label="Admin Center"] a[aria-current="page"]`); got != "Newsletter" {
		t.Errorf("current tab %q, want Newsletter", got)
	}
	if r.count(`nav.rail-nav a[href="/admin/newsletter"]`) != 1 {
		t.Error("the Newsletter tab is not in the Admin Center navigation")
	}
	if r.count("#subscriptions tbody input[type=checkbox][name=id]") != 2 || r.count("#bulk-unsubscribe button[formaction]") != 2 {
		t.Error("each row needs a checkbox and its own unsubscribe button")
	}
	for _, sel := range []string{"#subscribe form input[name=_csrf]", "#bulk-unsubscribe input[name=_csrf]", "#f-email", "#f-newsletter", "#f-q", "#f-filter", "#export", "#import"} {
		if r.count(sel) == 0 {
			t.Errorf("%s missing", sel)
		}
	}
}

// TestNewsletterPluralsInEveryLanguage: counts follow each language's plural rules.
func TestNewsletterPluralsInEveryLanguage(t *testing.T) {
	a := newApp(t)
	newsletterSeed(a, 9) // 3 more per newsletter: product_updates 5, the others 3
	// One more on security_advisories, to reach 4; events_training stays at 3.
	ctx := context.Background()
	if _, err := a.db.Subscribe(ctx, store.Actor{Email: "x@contoso.example"}, a.ids.contoso,
		store.NewSubscription{Email: "one.more@partner.example", NewsletterKey: "security_advisories", Submission: store.NewSubmissionToken()}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		want map[string]string
	}{
		{"en", map[string]string{"product_updates": "5 subscribers", "security_advisories": "4 subscribers"}},
		{"fr", map[string]string{"product_updates": "5 abonnés", "security_advisories": "4 abonnés"}},
		{"ru", map[string]string{"product_updates": "5 подписчиков", "security_advisories": "4 подписчика", "events_training": "3 подписчика"}},
	}
	for _, tt := range tests {
		b := a.browserFor(globalAdm)
		b.lang = tt.lang
		r := b.get("/admin/newsletter")
		for key, want := range tt.want {
			if got := r.text(`[data-newsletter="` + key + `"] [data-count]`); got != want {
				t.Errorf("%s %s: %q, want %q", tt.lang, key, got, want)
			}
		}
	}
	// Russian "one" (1, 21…) through the search count.
	b := a.browserFor(globalAdm)
	b.lang = "ru"
	if got := b.get("/admin/newsletter?q=one.more").text("#subscriptions-total"); got != "Найдена 1 подписка" {
		t.Errorf("ru total for 1: %q", got)
	}
}

func TestNewsletterSubscribe(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/newsletter")
	before := newsletterTotal(a, a.ids.contoso)
	resp := b.post("/admin/newsletter/subscriptions", url.Values{
		"email": {"new.reader@partner.example"}, "newsletter": {"security_advisories"}, "_submission": {newsletterSubmission(t, r)},
		"list": {"q=reader"}, "tenant_id": {fmt.Sprint(a.ids.fabrikam)},
	})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("subscribe: %d, want 303", resp.status)
	}
	if got := resp.header.Get("Location"); got != "/admin/newsletter?q=reader" {
		t.Errorf("back to %q, want the list as it was", got)
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before+1 {
		t.Errorf("%d subscriptions, want %d", got, before+1)
	}
	if got := newsletterTotal(a, a.ids.fabrikam); got != 0 {
		t.Errorf("tenant_id in the form wrote into Fabrikam: %d subscriptions", got)
	}
	page := b.get("/admin/newsletter?q=new.reader")
	if page.text(".flash[role=status]") == "" {
		t.Error("no success message after subscribing")
	}
	if got := page.text("#subscriptions tbody th [data-email]"); got != "new.reader@partner.example" {
		t.Errorf("new row %q", got)
	}
	rows := newsletterAudit(a, "newsletter.subscribe")
	if len(rows) != 1 || rows[0].TargetLabel != "new.reader@partner.example" || !strings.Contains(rows[0].After, "security_advisories") ||
		rows[0].ActorEmail != "global.admin@contoso.example" || rows[0].Before != "" {
		t.Errorf("audit rows %+v, want one for the subscription with its after value", rows)
	}
}

func TestNewsletterSubscribeInvalid(t *testing.T) {
	tests := []struct {
		name, email, newsletter, field, message string
	}{
		{"no email", "", "events_training", "email", "Enter an email address."},
		{"bad email", "not an email", "events_training", "email", "Enter an email address like name@example.com."},
		{"display name", "Ana <ana@partner.example>", "events_training", "email", "Enter an email address like name@example.com."},
		{"no newsletter", "ana@partner.example", "", "newsletter", "Choose a newsletter from the list."},
		{"unknown newsletter", "ana@partner.example", "cooking", "newsletter", "Choose a newsletter from the list."},
		{"already subscribed", "USER@contoso.example", "product_updates", "email", "This address already receives this newsletter."},
	}
	a := newApp(t)
	b := a.browserFor(globalAdm)
	before := newsletterTotal(a, a.ids.contoso)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.get("/admin/newsletter")
			resp := b.post("/admin/newsletter/subscriptions", url.Values{"email": {tt.email}, "newsletter": {tt.newsletter}, "_submission": {newsletterSubmission(t, r)}})
			if resp.status != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", resp.status)
			}
			if got := resp.text("#err-" + tt.field); got != tt.message {
				t.Errorf("message by %s: %q, want %q", tt.field, got, tt.message)
			}
			input := "#f-" + tt.field
			if inv, _ := resp.doc.Find(input).Attr("aria-invalid"); inv != "true" {
				t.Errorf("%s not marked aria-invalid", input)
			}
			if d, _ := resp.doc.Find(input).Attr("aria-describedby"); !strings.Contains(d, "err-"+tt.field) {
				t.Errorf("%s aria-describedby %q", input, d)
			}
			if got, _ := resp.doc.Find("#f-email").Attr("value"); got != tt.email {
				t.Errorf("email kept as %q, want %q", got, tt.email)
			}
			if resp.count("#subscribe [role=alert]") == 0 {
				t.Error("no alert summing up the problems")
			}
		})
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before {
		t.Errorf("%d subscriptions after refused forms, want %d", got, before)
	}
	if got := len(newsletterAudit(a, "newsletter.subscribe")); got != 0 {
		t.Errorf("%d audit rows after refused forms, want 0", got)
	}
}

func TestNewsletterSubscribeDoubleSubmitWritesOnce(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/newsletter")
	form := url.Values{"email": {"twice@partner.example"}, "newsletter": {"events_training"}, "_submission": {newsletterSubmission(t, r)}}
	for i := 0; i < 2; i++ {
		if resp := b.post("/admin/newsletter/subscriptions", form); resp.status != http.StatusSeeOther {
			t.Fatalf("submit %d: %d, want 303", i+1, resp.status)
		}
	}
	if got := b.get("/admin/newsletter?q=twice").count("#subscriptions tbody tr"); got != 1 {
		t.Errorf("%d rows, want 1", got)
	}
	if got := len(newsletterAudit(a, "newsletter.subscribe")); got != 1 {
		t.Errorf("%d audit rows, want 1", got)
	}
}

func TestNewsletterUnsubscribeOneAndBulk(t *testing.T) {
	a := newApp(t)
	newsletterSeed(a, 6)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/newsletter?q=reader")
	var ids []string
	r.doc.Find("#subscriptions tbody input[name=id]").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		ids = append(ids, v)
	})
	if len(ids) != 6 {
		t.Fatalf("%d rows, want 6", len(ids))
	}
	before := newsletterTotal(a, a.ids.contoso)

	// The row's own button posts the whole table form to its address: only that row goes.
	resp := b.post("/admin/newsletter/subscriptions/"+ids[0]+"/unsubscribe", url.Values{"id": {ids[1]}, "list": {"q=reader"}})
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/admin/newsletter?q=reader" {
		t.Fatalf("unsubscribe one: %d to %q", resp.status, resp.header.Get("Location"))
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before-1 {
		t.Errorf("%d subscriptions, want %d", got, before-1)
	}

	// Nothing selected: 422, the list back with an alert, nothing written.
	b.get("/admin/newsletter?q=reader")
	resp = b.post("/admin/newsletter/unsubscribe", url.Values{"list": {"q=reader"}})
	if resp.status != http.StatusUnprocessableEntity {
		t.Fatalf("bulk with nothing selected: %d, want 422", resp.status)
	}
	if got := resp.text("#err-id"); got != "Select at least one subscriber to unsubscribe." {
		t.Errorf("message %q", got)
	}
	if got := resp.count("#subscriptions tbody tr"); got != 5 {
		t.Errorf("the list shown again has %d rows, want 5 (its search kept)", got)
	}

	// Selected rows go, each with its own audit row.
	resp = b.post("/admin/newsletter/unsubscribe", url.Values{"id": {ids[1], ids[2], ids[3]}, "list": {"q=reader"}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("bulk: %d, want 303", resp.status)
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before-4 {
		t.Errorf("%d subscriptions, want %d", got, before-4)
	}
	audit := newsletterAudit(a, "newsletter.unsubscribe")
	if len(audit) != 4 {
		t.Fatalf("%d unsubscribe audit rows, want 4", len(audit))
	}
	for _, row := range audit {
		if !strings.Contains(row.Before, "reader") || row.After != "" {
			t.Errorf("audit row before %q after %q, want the subscription before and nothing after", row.Before, row.After)
		}
	}

	// One of another tenant's ids, or a removed one, among them: 404 and nothing removed.
	fabrikamAdmin := a.browserFor(fabrikamAdm)
	fabrikamAdmin.get("/admin/newsletter")
	if resp := fabrikamAdmin.post("/admin/newsletter/unsubscribe", url.Values{"id": {ids[4]}}); resp.status != http.StatusNotFound {
		t.Errorf("Fabrikam's admin on Contoso's row: %d, want 404", resp.status)
	}
	if resp := b.post("/admin/newsletter/unsubscribe", url.Values{"id": {ids[4], ids[0]}}); resp.status != http.StatusNotFound {
		t.Errorf("with a removed row: %d, want 404", resp.status)
	}
	if resp := b.post("/admin/newsletter/unsubscribe", url.Values{"id": {ids[4], "x"}}); resp.status != http.StatusNotFound {
		t.Errorf("with a non-number: %d, want 404", resp.status)
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before-4 {
		t.Errorf("refused requests removed rows: %d, want %d", got, before-4)
	}
}

func TestNewsletterListSearchFilterAndPages(t *testing.T) {
	a := newApp(t)
	newsletterSeed(a, 2*store.PageSize+10) // 110 readers, ~37 per newsletter
	b := a.browserFor(globalAdm)

	r := b.get("/admin/newsletter?q=READER&newsletter=events_training")
	if got := r.count("#subscriptions tbody tr"); got != 36 {
		t.Fatalf("%d rows, want 36 (readers on events_training)", got)
	}
	r.doc.Find("#subscriptions tbody tr").Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Find("th [data-email]").Text(), "reader") || strings.TrimSpace(s.Find("td").Eq(1).Text()) != "Events and training" {
			t.Errorf("row %q doesn't match the filter", strings.TrimSpace(s.Text()))
		}
	})
	if sel, _ := r.doc.Find(`#f-filter option[selected]`).Attr("value"); sel != "events_training" {
		t.Errorf("filter shows %q selected", sel)
	}
	if got, _ := r.doc.Find("#f-q").Attr("value"); got != "READER" {
		t.Errorf("search box keeps %q", got)
	}
	if got := r.text("#subscriptions-total"); got != "36 subscriptions match" {
		t.Errorf("total %q", got)
	}

	// All 112 rows: three pages, Next and Prev keep the search, the search form starts over.
	r = b.get("/admin/newsletter?q=example")
	next, ok := r.doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !ok || !strings.Contains(next, "q=example") || !strings.Contains(next, "after=") {
		t.Fatalf("next link %q, want the search and a cursor", next)
	}
	if r.count(`.pager a[rel="prev"]`) != 0 {
		t.Error("the first page has a previous-page link")
	}
	seen := map[string]bool{}
	pages := 0
	for path := "/admin/newsletter?q=example"; path != ""; pages++ {
		p := b.get(path)
		p.doc.Find("#subscriptions tbody th [data-email]").Each(func(_ int, s *goquery.Selection) {
			if seen[s.Text()] {
				t.Errorf("%s shown twice", s.Text())
			}
			seen[s.Text()] = true
		})
		path, _ = p.doc.Find(`.pager a[rel="next"]`).Attr("href")
		if pages > 0 && p.count(`.pager a[rel="prev"]`) == 0 {
			t.Errorf("page %d has no previous-page link", pages+1)
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(seen) != 112 {
		t.Errorf("%d pages and %d rows, want 3 and 112", pages, len(seen))
	}
	if action, _ := r.doc.Find("form[role=search]").Attr("action"); action != "/admin/newsletter" || r.count("form[role=search] input[name=after]") != 0 {
		t.Error("the search form must start a new search on page 1 (no cursor in it)")
	}

	// A cursor that doesn't decode shows page one, not an error.
	if p := b.get("/admin/newsletter?after=!!!&before=***"); p.status != http.StatusOK {
		t.Errorf("bad cursor: %d, want 200", p.status)
	}
	// An empty result explains itself and offers the way back.
	p := b.get("/admin/newsletter?q=nobody-matches-this")
	if p.count("#subscriptions-empty a[href='/admin/newsletter']") != 1 {
		t.Error("the empty search result offers no way back to the whole list")
	}
}

// TestNewsletterPageStatementBudget: the tab costs at most 3 SQL statements on top of what
// every Admin Center page costs (session, viewer), with and without a search.
func TestNewsletterPageStatementBudget(t *testing.T) {
	a := newApp(t)
	newsletterSeed(a, 120)
	b := a.browserFor(globalAdm)
	b.get("/admin")
	base := a.db.Counting(func() { b.get("/admin") })
	for _, path := range []string{"/admin/newsletter", "/admin/newsletter?q=reader07&newsletter=product_updates", "/admin/newsletter?newsletter=events_training", "/admin/newsletter?q=reader&after=" + store.Cursor{Key: "reader010@partner.example", ID: 1}.Encode()} {
		var r response
		n := a.db.Counting(func() { r = b.get(path) })
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		t.Logf("GET %s: %d statements, overview %d", path, n, base)
		if n-base > 3 {
			t.Errorf("GET %s: %d statements, %d more than the overview; want at most 3 more", path, n, n-base)
		}
	}
}

func TestNewsletterExport(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	// A person of the tenant whose name and address would be formulas in a spreadsheet, and
	// whose name needs quoting.
	if _, err := a.db.AddMember(ctx, a.ids.contoso, 0, store.NewPerson{Email: "=1+2@partner.example", DisplayName: `@SUM(A1), "the boss"`}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []store.NewSubscription{
		{Email: "=1+2@partner.example", NewsletterKey: "security_advisories"},
		{Email: "-minus@partner.example", NewsletterKey: "security_advisories"},
		{Email: "plain@partner.example", NewsletterKey: "security_advisories"},
		{Email: "plain@partner.example", NewsletterKey: "events_training"},
	} {
		ns.Submission = store.NewSubmissionToken()
		if _, err := a.db.Subscribe(ctx, store.Actor{Email: "x@contoso.example"}, a.ids.contoso, ns); err != nil {
			t.Fatal(err)
		}
	}
	a.clock.Advance(time.Hour)

	b := a.browserFor(globalAdm)
	list := b.get("/admin/newsletter?q=partner&newsletter=security_advisories")
	href, ok := list.doc.Find("#export").Attr("href")
	if !ok || !strings.Contains(href, "q=partner") || !strings.Contains(href, "newsletter=security_advisories") {
		t.Fatalf("export link %q, want the list's filter", href)
	}
	r := b.get(href)
	if r.status != http.StatusOK {
		t.Fatalf("export: %d, want 200", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v\n%s", err, r.body)
	}
	want := [][]string{
		{"email", "name", "newsletter", "subscribed_at_utc"},
		{"'-minus@partner.example", "", "security_advisories", "2026-11-21T09:00:00Z"},
		{"'=1+2@partner.example", `'@SUM(A1), "the boss"`, "security_advisories", "2026-11-21T09:00:00Z"},
		{"plain@partner.example", "", "security_advisories", "2026-11-21T09:00:00Z"},
	}
	if fmt.Sprint(records) != fmt.Sprint(want) {
		t.Errorf("export\n got %q\nwant %q", records, want)
	}
	// The rows are those the list shows for the same filter.
	var listed []string
	list.doc.Find("#subscriptions tbody th [data-email]").Each(func(_ int, s *goquery.Selection) { listed = append(listed, s.Text()) })
	var exported []string
	for _, rec := range records[1:] {
		exported = append(exported, strings.TrimPrefix(rec[0], "'"))
	}
	sort.Strings(listed)
	sort.Strings(exported)
	if fmt.Sprint(listed) != fmt.Sprint(exported) {
		t.Errorf("export rows %v, list rows %v", exported, listed)
	}

	// Unfiltered: every subscription of the tenant, of no other tenant.
	all, err := csv.NewReader(strings.NewReader(b.get("/admin/newsletter/export").body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all)-1, newsletterTotal(a, a.ids.contoso); got != want {
		t.Errorf("unfiltered export has %d rows, want %d", got, want)
	}
}

func TestNewsletterExportRefusedToMicrosoftPeople(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	p, err := a.db.PersonByEmail(context.Background(), actorEmail[csamActor])
	if err != nil || !p.Microsoft || perm.ExportAllowed(p.Microsoft) {
		t.Fatalf("the CSAM should be a Microsoft person: %+v, %v", p, err)
	}
	list := b.get("/admin/newsletter")
	if list.status != http.StatusOK {
		t.Fatalf("the CSAM administers the tenant: %d, want 200", list.status)
	}
	if list.count("#export") != 0 || list.count("#export-refused") != 1 {
		t.Error("the CSAM's page offers an export link")
	}
	r := b.get("/admin/newsletter/export?newsletter=product_updates")
	if r.status != http.StatusForbidden {
		t.Fatalf("export as the CSAM: %d, want 403", r.status)
	}
	if r.doc == nil || !strings.Contains(r.text("main"), "Microsoft people can't export data") {
		t.Errorf("403 page without the reason: %q", r.text("main"))
	}
	if strings.Contains(r.body, "user@contoso.example") {
		t.Error("the refusal leaks subscribers")
	}
}

const newsletterImportCSV = "\ufeffEmail,Newsletter\n" +
	"new.one@partner.example,events_training\n" + // line 2: ok
	"not-an-email,events_training\n" + // 3: bad email
	"NEW.ONE@partner.example,events_training\n" + // 4: duplicate within the file
	"user@contoso.example,product_updates\n" + // 5: already subscribed
	"other@partner.example,cooking\n" + // 6: unknown newsletter
	"\"services.admin@contoso.example\",security_advisories\n" + // 7: ok, a person of the tenant
	",\n" // an empty row: skipped

func TestNewsletterImportPreviewThenConfirm(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	before := newsletterTotal(a, a.ids.contoso)
	b.get("/admin/newsletter/import")
	up := b.newsletterUpload("/admin/newsletter/import", "list.csv", []byte(newsletterImportCSV))
	if up.status != http.StatusSeeOther || !strings.HasPrefix(up.header.Get("Location"), "/admin/newsletter/import/") {
		t.Fatalf("upload: %d to %q, want 303 to the preview", up.status, up.header.Get("Location"))
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before {
		t.Fatalf("the upload wrote subscriptions: %d, want %d", got, before)
	}
	preview := up.header.Get("Location")
	r := b.get(preview)
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d", r.status)
	}
	wantErrors := map[string]string{
		"2": "", "3": "Not a valid email address", "4": "Repeats an earlier row of the file",
		"5": "Already subscribed", "6": "Unknown newsletter", "7": "",
	}
	if got := r.count("#preview-rows tbody tr"); got != len(wantErrors) {
		t.Errorf("%d rows previewed, want %d (every row of the file)", got, len(wantErrors))
	}
	for line, msg := range wantErrors {
		row := r.doc.Find(`#preview-rows tr[data-line="` + line + `"]`)
		result := strings.TrimSpace(row.Find("td").Last().Text())
		if msg == "" && result != "Will be subscribed" || msg != "" && result != msg {
			t.Errorf("line %s: %q, want %q", line, result, msg)
		}
	}
	if got := r.text("#preview-confirm button"); got != "Import 2 subscriptions" {
		t.Errorf("confirm button %q", got)
	}
	if got := r.text("#preview-summary [data-invalid]"); got != "4 rows have an error and will be skipped" {
		t.Errorf("summary %q", got)
	}

	// Confirm, twice with the same form (a double click): written once, one audit row.
	action, _ := r.doc.Find("#preview-confirm").Attr("action")
	submission, _ := r.doc.Find(`#preview-confirm input[name="_submission"]`).Attr("value")
	for i := 0; i < 2; i++ {
		resp := b.post(action, url.Values{"_submission": {submission}})
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/admin/newsletter" {
			t.Fatalf("confirm %d: %d to %q", i+1, resp.status, resp.header.Get("Location"))
		}
	}
	// And once more from a reloaded preview (a new form token): still nothing more.
	again := b.get(preview)
	if again.count("#preview-used") != 1 || again.count("#preview-confirm") != 0 {
		t.Error("a used preview still offers to import")
	}
	if resp := b.post(action, url.Values{"_submission": {store.NewSubmissionToken()}}); resp.status != http.StatusSeeOther {
		t.Errorf("confirm from another tab: %d, want 303", resp.status)
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before+2 {
		t.Errorf("%d subscriptions, want %d", got, before+2)
	}
	audit := newsletterAudit(a, "newsletter.import")
	if len(audit) != 1 || !strings.Contains(audit[0].After, `"imported":2`) || audit[0].TargetLabel != "list.csv" {
		t.Errorf("import audit rows %+v, want one summing up 2 written", audit)
	}
	list := b.get("/admin/newsletter?q=services.admin")
	if got := list.text("#subscriptions tbody [data-name]"); got != "Sergei Services" {
		t.Errorf("imported person of the tenant shows name %q, want linked", got)
	}
}

func TestNewsletterImportFileProblems(t *testing.T) {
	big := append([]byte("email,newsletter\n"), bytes.Repeat([]byte("someone@partner.example,product_updates\n"), 30000)...)
	var many strings.Builder
	many.WriteString("email,newsletter\n")
	for i := 0; i <= store.MaxImportRows; i++ {
		fmt.Fprintf(&many, "r%d@partner.example,product_updates\n", i)
	}
	tests := []struct {
		name     string
		filename string
		content  []byte
		status   int
		message  string
	}{
		{"no file", "", nil, 422, "Choose a CSV file to import."},
		{"empty file", "a.csv", []byte(""), 422, "The file has no subscription in it. Add rows under the header line."},
		{"header only", "a.csv", []byte("email,newsletter\n"), 422, "The file has no subscription in it. Add rows under the header line."},
		{"wrong header", "a.csv", []byte("mail,list\na@b.example,product_updates\n"), 422, "The first line must name the columns email and newsletter."},
		{"not UTF-8", "a.csv", []byte("email,newsletter\n\xff\xfe@b.example,product_updates\n"), 422, `The file isn't UTF-8 text. Save it as "CSV UTF-8" and try again.`},
		{"broken quotes", "a.csv", []byte("email,newsletter\n\"a@b.example,product_updates\nx\"y,z\n"), 422, "The file can't be read as CSV. Check the quotation marks and try again."},
		{"too many rows", "a.csv", []byte(many.String()), 422, "The file has too many rows. Split it into files of at most 5,000 rows."},
		{"over 1 MB", "big.csv", big, 413, ""},
	}
	a := newApp(t)
	b := a.browserFor(globalAdm)
	before := newsletterTotal(a, a.ids.contoso)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.get("/admin/newsletter/import")
			r := b.newsletterUpload("/admin/newsletter/import", tt.filename, tt.content)
			if r.status != tt.status {
				t.Fatalf("%d, want %d", r.status, tt.status)
			}
			if tt.message != "" {
				if got := r.text("#err-file"); got != tt.message {
					t.Errorf("message %q, want %q", got, tt.message)
				}
				if inv, _ := r.doc.Find("#f-file").Attr("aria-invalid"); inv != "true" {
					t.Error("the file field is not marked invalid")
				}
			}
		})
	}
	if got := newsletterTotal(a, a.ids.contoso); got != before {
		t.Errorf("%d subscriptions after refused files, want %d", got, before)
	}
}

func TestNewsletterImportPreviewExpires(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.get("/admin/newsletter/import")
	up := b.newsletterUpload("/admin/newsletter/import", "a.csv", []byte("email,newsletter\nlate@partner.example,events_training\n"))
	preview := up.header.Get("Location")
	r := b.get(preview)
	submission, _ := r.doc.Find(`#preview-confirm input[name="_submission"]`).Attr("value")
	// The session would end after 30 idle minutes: keep it alive while the preview ages.
	for waited := time.Duration(0); waited <= store.ImportTTL; waited += 20 * time.Minute {
		a.clock.Advance(20 * time.Minute)
		b.get("/admin/newsletter")
	}
	if got := b.get(preview); got.status != http.StatusConflict || !strings.Contains(got.text("main"), "expired") {
		t.Errorf("expired preview: %d %q, want 409 saying so", got.status, got.text("main"))
	}
	if resp := b.post(preview, url.Values{"_submission": {submission}}); resp.status != http.StatusConflict {
		t.Errorf("confirm expired: %d, want 409", resp.status)
	}
	if got := len(newsletterAudit(a, "newsletter.import")); got != 0 {
		t.Errorf("%d import audit rows, want 0", got)
	}
	// A token that isn't one: 404.
	if got := b.get("/admin/newsletter/import/not-a-token"); got.status != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", got.status)
	}
}

// newsletterMessageID finds a message ID left untranslated on a page.
var newsletterMessageID = regexp.MustCompile(`(newsletter|admin|audit)\.[a-z_]+\.[a-z_]+`)

// TestNewsletterTabInEveryLanguage: the tab's pages render translated in fr and ru (no
// message ID left on the page).
func TestNewsletterTabInEveryLanguage(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.get("/admin/newsletter/import")
	up := b.newsletterUpload("/admin/newsletter/import", "a.csv", []byte(newsletterImportCSV))
	preview := up.header.Get("Location")
	for _, lang := range []string{"en", "fr", "ru"} {
		b.lang = lang
		for _, path := range []string{"/admin/newsletter", "/admin/newsletter?q=zzz", "/admin/newsletter/import", preview} {
			r := b.get(path)
			if r.status != http.StatusOK {
				t.Fatalf("%s %s: %d", lang, path, r.status)
			}
			if text := r.text("main"); newsletterMessageID.MatchString(text) {
				t.Errorf("%s %s shows a message ID: %q", lang, path, text)
			}
			if got, _ := r.doc.Find("html").Attr("lang"); got != lang {
				t.Errorf("%s %s: lang %q", lang, path, got)
			}
		}
	}
	b.lang = "fr"
	if got := b.get(preview).text("#preview-confirm button"); got != "Importer 2 abonnements" {
		t.Errorf("fr confirm %q", got)
	}
	b.lang = "ru"
	if got := b.get(preview).text("#preview-confirm button"); got != "Импортировать 2 подписки" {
		t.Errorf("ru confirm %q", got)
	}
}

func TestNewsletterCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ana@partner.example", "ana@partner.example"},
		{"=1+2", "'=1+2"},
		{"+33 1 23", "'+33 1 23"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"", ""},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := csvGuard(tt.in); got != tt.want {
			t.Errorf("csvGuard(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNewsletterCSV: the import's decoder never panics, and what it accepts is rows below the
// header, at most MaxImportRows of them. Run longer with:
// go test ./web/ -run '^$' -fuzz FuzzNewsletterCSV -fuzztime 30s
func FuzzNewsletterCSV(f *testing.F) {
	for _, seed := range []string{newsletterImportCSV, "", "email,newsletter\n", "a,b\n\"", "newsletter,email\nx,y\n,\n", "\xff\xfe", "email\n\"\"\"\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problem := parseNewsletterCSV(data)
		if problem != "" && rows != nil {
			t.Fatalf("both rows and a problem (%s)", problem)
		}
		if problem == "" && (len(rows) == 0 || len(rows) > store.MaxImportRows) {
			t.Fatalf("%d rows accepted", len(rows))
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row on line %d, above the data", r.Line)
			}
		}
	})
}

// FuzzNewsletterListState: any query gives a list state that survives a round trip through
// the URL unchanged (so links and forms keep the same list).
func FuzzNewsletterListState(f *testing.F) {
	for _, seed := range []string{"q=reader&newsletter=events_training", "after=!!!", "before=" + store.Cursor{Key: "a@b.c", ID: 3}.Encode(), "q=%00", "newsletter=" + strings.Repeat("x", 80)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		state, filter := newsletterListState(q)
		again, filter2 := newsletterListState(state)
		if again.Encode() != state.Encode() || filter2.Search != filter.Search || filter2.NewsletterKey != filter.NewsletterKey {
			t.Fatalf("state %q became %q", state.Encode(), again.Encode())
		}
		if len([]rune(filter.Search)) > 200 {
			t.Fatalf("search of %d characters kept", len([]rune(filter.Search)))
		}
	})
}

func TestNewsletterListStateLongSearch(t *testing.T) {
	q := url.Values{"q": {strings.Repeat("a", 199) + " b"}}
	state, f := newsletterListState(q)
	again, _ := newsletterListState(state)
	if f.Search != strings.Repeat("a", 199) || again.Encode() != state.Encode() {
		t.Errorf("search %q, state %q then %q", f.Search, state.Encode(), again.Encode())
	}
}

func TestNewsletterSearchOverTheCountCap(t *testing.T) {
	a := newApp(t)
	newsletterSeed(a, store.SearchCountCap+1)
	b := a.browserFor(globalAdm)
	if got := b.get("/admin/newsletter?q=reader").text("#subscriptions-total"); got != "More than 1,000 subscriptions match" {
		t.Errorf("total %q", got)
	}
	b.lang = "ru"
	if got := b.get("/admin/newsletter?q=reader").text("#subscriptions-total"); got != "Найдено более 1\u00a0000 подписок" {
		t.Errorf("ru total %q", got)
	}
}
