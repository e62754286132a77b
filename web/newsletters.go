package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// The Newsletter tab (product.md §4): newsletters, subscribers, subscribe and unsubscribe,
// bulk unsubscribe, CSV export and CSV import with a preview.

const newsletterPath = "/admin/newsletter"

// newsletterListState reads the list's state (search, newsletter, cursor) from a query and
// keeps only what the list understands, so that it can be put back in links and forms. A
// cursor that doesn't decode is dropped: the list shows its first page.
func newsletterListState(q url.Values) (url.Values, store.SubscriptionFilter) {
	state := url.Values{}
	var f store.SubscriptionFilter
	if search := strings.TrimSpace(q.Get("q")); search != "" {
		f.Search = strings.TrimSpace(truncateRunes(search, 200))
		state.Set("q", f.Search)
	}
	if key := strings.TrimSpace(q.Get("newsletter")); key != "" && len(key) <= 64 {
		f.NewsletterKey = key
		state.Set("newsletter", key)
	}
	if c, ok := store.DecodeCursor(q.Get("after")); ok {
		f.After = &c
		state.Set("after", q.Get("after"))
	} else if c, ok := store.DecodeCursor(q.Get("before")); ok {
		f.Before = &c
		state.Set("before", q.Get("before"))
	}
	return state, f
}

// truncateRunes cuts s to at most n runes without splitting a character.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// newsletterBack is where a form posted from the list returns: the same list, same page.
func newsletterBack(v url.Values) (url.Values, string) {
	q, err := url.ParseQuery(v.Get("list"))
	if err != nil {
		q = url.Values{}
	}
	state, _ := newsletterListState(q)
	return state, listURL(newsletterPath, state)
}

// newsletterList shows the tab: the newsletters, the subscribe form and one page of the list.
func (s *Server) newsletterList(c echo.Context) error {
	state, _ := newsletterListState(c.QueryParams())
	d, err := s.newsletterData(c, state, views.NewsletterSubscribeForm{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.NewsletterPage(s.page(c, "newsletter.title"), d))
}

// newsletterData reads the tab for a list state (one store call, at most 3 statements) and
// builds its links. form is the subscribe form as typed (empty on a plain visit).
func (s *Server) newsletterData(c echo.Context, state url.Values, form views.NewsletterSubscribeForm) (views.NewsletterData, error) {
	_, filter := newsletterListState(state)
	v := req(c).Viewer
	ov, err := s.db.NewsletterOverview(c.Request().Context(), v.Tenant.ID, filter)
	if err != nil {
		return views.NewsletterData{}, err
	}
	if ov.NewsletterKey != filter.NewsletterKey {
		state.Del("newsletter") // an unknown newsletter is not applied; don't pretend it is
	}
	d := views.NewsletterData{
		Search:        filter.Search,
		NewsletterKey: ov.NewsletterKey,
		Page:          ov.Subscriptions,
		TotalCapped:   ov.TotalCapped,
		ListState:     state.Encode(),
		Subscribe:     form,
	}
	for _, n := range ov.Newsletters {
		d.Newsletters = append(d.Newsletters, views.NewsletterCard{Newsletter: n, Href: listURL(newsletterPath, url.Values{}, "newsletter", n.Key)})
	}
	if d.Subscribe.Submission == "" {
		d.Subscribe.Submission = store.NewSubmissionToken()
	}
	if d.Subscribe.Newsletter == "" {
		d.Subscribe.Newsletter = ov.NewsletterKey
	}
	page := ov.Subscriptions
	if page.Prev != "" {
		d.PrevHref = listURL(newsletterPath, state, "before", page.Prev, "after", "")
	} else if len(page.Items) == 0 && (filter.After != nil || filter.Before != nil) {
		d.PrevHref = listURL(newsletterPath, state, "after", "", "before", "") // past the end: back to page 1
	}
	if page.Next != "" {
		d.NextHref = listURL(newsletterPath, state, "after", page.Next, "before", "")
	}
	if d.Filtered() {
		d.ClearHref = newsletterPath
	}
	if perm.ExportAllowed(v.Person.Microsoft) {
		d.ExportHref = listURL(newsletterPath+"/export", state, "after", "", "before", "")
	}
	return d, nil
}

// newsletterSubscribeInput is the subscribe form.
type newsletterSubscribeInput struct {
	Email, Newsletter, Submission string
}

func parseNewsletterSubscribe(v url.Values) newsletterSubscribeInput {
	return newsletterSubscribeInput{
		Email:      field(v, "email"),
		Newsletter: field(v, "newsletter"),
		Submission: field(v, "_submission"),
	}
}

// validate returns the form's problems as field → message ID.
func (in newsletterSubscribeInput) validate() views.Errors {
	errs := views.Errors{}
	switch {
	case in.Email == "":
		errs["email"] = "newsletter.error.email_required"
	case !store.ValidEmail(in.Email):
		errs["email"] = "newsletter.error.email"
	}
	if in.Newsletter == "" {
		errs["newsletter"] = "newsletter.error.newsletter"
	}
	return errs
}

// newsletterSubscribe adds one address to one newsletter.
func (s *Server) newsletterSubscribe(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	in := parseNewsletterSubscribe(v)
	state, back := newsletterBack(v)
	if errs := in.validate(); len(errs) > 0 {
		return s.newsletterSubscribeInvalid(c, state, in, errs)
	}
	_, err = s.db.Subscribe(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID,
		store.NewSubscription{Email: in.Email, NewsletterKey: in.Newsletter, Submission: in.Submission})
	errs, invalid := fieldErrors(err)
	switch {
	case invalid:
		if errs["_submission"] != "" {
			in.Submission = "" // a fresh token for the next try
		}
		return s.newsletterSubscribeInvalid(c, state, in, errs)
	case err != nil && !errors.Is(err, store.ErrDuplicate): // a double submit is the first one's success
		return err
	}
	if err := s.flash(c, "newsletter.flash.subscribed"); err != nil {
		return err
	}
	return seeOther(c, back)
}

// newsletterSubscribeInvalid shows the tab again with the form as typed and its problems (422).
func (s *Server) newsletterSubscribeInvalid(c echo.Context, state url.Values, in newsletterSubscribeInput, errs views.Errors) error {
	d, err := s.newsletterData(c, state, views.NewsletterSubscribeForm{Email: in.Email, Newsletter: in.Newsletter, Submission: in.Submission, Errors: errs})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, views.NewsletterPage(s.page(c, "newsletter.title"), d))
}

// newsletterUnsubscribe removes one subscription (the row's own button).
func (s *Server) newsletterUnsubscribe(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	_, back := newsletterBack(v)
	id := paramInt(c, "id")
	if id <= 0 {
		return store.ErrNotFound
	}
	if _, err := s.db.Unsubscribe(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, []int64{id}); err != nil {
		return err
	}
	if err := s.flash(c, "newsletter.flash.unsubscribed"); err != nil {
		return err
	}
	return seeOther(c, back)
}

// newsletterBulkUnsubscribe removes the selected rows (checkboxes named id).
func (s *Server) newsletterBulkUnsubscribe(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	state, back := newsletterBack(v)
	var ids []int64
	for _, raw := range v["id"] {
		if id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		} else {
			return store.ErrNotFound // not an id of anything: the same answer as another tenant's
		}
	}
	_, err = s.db.Unsubscribe(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, ids)
	if errs, invalid := fieldErrors(err); invalid {
		d, derr := s.newsletterData(c, state, views.NewsletterSubscribeForm{})
		if derr != nil {
			return derr
		}
		d.BulkErrors = errs
		return s.render(c, http.StatusUnprocessableEntity, views.NewsletterPage(s.page(c, "newsletter.title"), d))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "newsletter.flash.bulk_unsubscribed"); err != nil {
		return err
	}
	return seeOther(c, back)
}

// newsletterExport sends the filtered list as CSV. Microsoft people never may export data
// (product.md §3, footnote ¹), whatever their permissions: 403.
func (s *Server) newsletterExport(c echo.Context) error {
	v := req(c).Viewer
	_, filter := newsletterListState(c.QueryParams())
	filter.After, filter.Before = nil, nil
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write([]string{"email", "name", "newsletter", "subscribed_at_utc"}); err != nil {
		return err
	}
	err := s.db.EachSubscription(c.Request().Context(), v.Tenant.ID, filter, func(sub store.Subscription) error {
		return w.Write(csvCells(sub.Email, sub.Name, sub.NewsletterKey, sub.CreatedAt.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := fmt.Sprintf("newsletter-subscribers-%s.csv", s.db.Now().UTC().Format("20060102"))
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// MaxNewsletterImportBytes is the largest import file (a bigger one is 413).
const MaxNewsletterImportBytes = 1 << 20

// newsletterImportForm asks for the CSV file.
func (s *Server) newsletterImportForm(c echo.Context) error {
	return s.newsletterImportPage(c, http.StatusOK, nil)
}

func (s *Server) newsletterImportPage(c echo.Context, status int, errs views.Errors) error {
	newsletters, err := s.db.Newsletters(c.Request().Context(), req(c).Viewer.Tenant.ID)
	if err != nil {
		return err
	}
	return s.render(c, status, views.NewsletterImportPage(s.page(c, "newsletter.import.title"),
		views.NewsletterImportData{Newsletters: newsletters, Errors: errs, MaxRows: store.MaxImportRows}))
}

// newsletterImportUpload reads the file, validates every row and keeps the preview; nothing is
// subscribed yet. The admin is sent to the preview (303), so reloading it doesn't upload again.
func (s *Server) newsletterImportUpload(c echo.Context) error {
	if _, err := form(c); err != nil {
		var he *echo.HTTPError
		// A body that isn't multipart has no file: say so by the field, like any missing input.
		if !errors.As(err, &he) || he.Code != http.StatusBadRequest {
			return err
		}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		if isTooLarge(err) || errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return s.newsletterImportPage(c, http.StatusUnprocessableEntity, views.Errors{"file": "newsletter.import.error.no_file"})
	}
	data, err := readUpload(fh, MaxNewsletterImportBytes)
	if err != nil {
		return err
	}
	rows, problem := parseNewsletterCSV(data)
	if problem != "" {
		return s.newsletterImportPage(c, http.StatusUnprocessableEntity, views.Errors{"file": problem})
	}
	preview, err := s.db.PreviewImport(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, newsletterFilename(fh.Filename), rows)
	if errs, invalid := fieldErrors(err); invalid {
		return s.newsletterImportPage(c, http.StatusUnprocessableEntity, errs)
	}
	if err != nil {
		return err
	}
	return seeOther(c, newsletterPath+"/import/"+url.PathEscape(preview.Token))
}

// newsletterFilename keeps the base name of an uploaded file, for the preview and the audit.
func newsletterFilename(name string) string {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "." || name == "/" || !utf8.ValidString(name) {
		return ""
	}
	return truncateRunes(name, 100)
}

// parseNewsletterCSV reads an import file: a header naming the email and newsletter columns
// (in any order; other columns are ignored), then one subscription per row. It returns a
// message ID when the file as a whole can't be read; row problems are for the preview.
func parseNewsletterCSV(data []byte) ([]store.ImportRow, string) {
	records, problem := readCSV(data, []string{"email", "newsletter"}, 2)
	switch problem {
	case "":
	case "unreadable":
		return nil, "newsletter.import.error.csv"
	default:
		return nil, "newsletter.import.error." + problem
	}
	var rows []store.ImportRow
	for _, rec := range records {
		if rec.Blank {
			continue // a line of empty cells (",") is no row
		}
		if len(rows) == store.MaxImportRows {
			return nil, "newsletter.import.error.too_many"
		}
		rows = append(rows, store.ImportRow{Line: rec.Line, Email: rec.Cells[0], Newsletter: rec.Cells[1]})
	}
	if len(rows) == 0 {
		return nil, "newsletter.import.error.empty"
	}
	return rows, ""
}

// newsletterImportPreview shows the kept preview: every row with what will happen to it.
func (s *Server) newsletterImportPreview(c echo.Context) error {
	token := c.Param("token")
	p, err := s.db.ImportPreviewByToken(c.Request().Context(), req(c).Viewer.Tenant.ID, token)
	if err != nil {
		return err
	}
	return s.renderNewsletterPreview(c, http.StatusOK, token, p, nil)
}

func (s *Server) renderNewsletterPreview(c echo.Context, status int, token string, p store.ImportPreview, errs views.Errors) error {
	d := views.NewsletterPreviewData{
		Preview:    p,
		ConfirmURL: newsletterPath + "/import/" + url.PathEscape(token),
		Submission: store.NewSubmissionToken(),
		Errors:     errs,
	}
	return s.render(c, status, views.NewsletterPreviewPage(s.page(c, "newsletter.preview.title"), d))
}

// newsletterImportConfirm writes the preview's valid rows, once: a double-submitted or
// repeated confirmation finds the preview used and writes nothing more.
func (s *Server) newsletterImportConfirm(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	token := c.Param("token")
	tenantID := req(c).Viewer.Tenant.ID
	_, err = s.db.ConfirmImport(c.Request().Context(), actorOf(c), tenantID, token, field(v, "_submission"))
	errs, invalid := fieldErrors(err)
	switch {
	case invalid:
		p, perr := s.db.ImportPreviewByToken(c.Request().Context(), tenantID, token)
		if perr != nil {
			return perr
		}
		return s.renderNewsletterPreview(c, http.StatusUnprocessableEntity, token, p, errs)
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		return err
	}
	if err := s.flash(c, "newsletter.flash.imported"); err != nil {
		return err
	}
	return seeOther(c, newsletterPath)
}
