package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/locales"
	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// auditActionPrefix is the message-ID prefix of audit actions: audit.action.<action>.
const auditActionPrefix = "audit.action."

// auditActions lists the actions that have a message, sorted: the action filter's options. A
// test makes sure every action the store writes has one, so this is every action there is.
var auditActions = sync.OnceValue(func() []string {
	all, err := locales.MessageFiles()
	if err != nil {
		return nil
	}
	var out []string
	for id := range all["en"] {
		if a, ok := strings.CutPrefix(id, auditActionPrefix); ok {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
})

// auditFilterOf reads the filter from the query string; the list state lives in the URL.
func auditFilterOf(c echo.Context) store.AuditFilter {
	q := c.QueryParams()
	return store.AuditFilter{Person: q.Get("person"), Action: q.Get("action"), Target: q.Get("target"), From: q.Get("from"), To: q.Get("to")}
}

// auditState is the filter as URL values (empty ones are left out by listURL).
func auditState(f store.AuditFilter) url.Values {
	return url.Values{"person": {f.Person}, "action": {f.Action}, "target": {f.Target}, "from": {f.From}, "to": {f.To}}
}

// auditShow is the Audit log tab: filters, one keyset page, the export link.
func (s *Server) auditShow(c echo.Context) error {
	v := req(c).Viewer
	f := auditFilterOf(c)
	d := views.AuditLogData{Actions: auditActions(), CanExport: perm.ExportAllowed(v.Person.Microsoft)}
	status := http.StatusOK
	if err := f.Validate(); err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		d.Errors, status = errs, http.StatusUnprocessableEntity
	}
	d.Filter = f
	state := auditState(f)
	if len(listURL("/admin/audit", state)) > len("/admin/audit") {
		d.ClearHref = "/admin/audit"
	}
	if status == http.StatusOK {
		page, err := s.db.AuditLog(c.Request().Context(), v.Tenant.ID, f, c.QueryParam("after"), c.QueryParam("before"))
		if err != nil {
			return err
		}
		d.Records, d.Total, d.TotalCapped = page.Items, page.Total, page.TotalCapped
		if page.Prev != "" {
			d.PrevHref = listURL("/admin/audit", state, "before", page.Prev)
		}
		if page.Next != "" {
			d.NextHref = listURL("/admin/audit", state, "after", page.Next)
		}
		if d.CanExport {
			d.ExportHref = listURL("/admin/audit/export", state)
		}
	}
	return s.render(c, status, views.AuditLogPage(s.page(c, "audit.title"), d))
}

// auditExport downloads the filtered log as CSV, newest first. Microsoft people never export
// (footnote ¹ of the matrix): 403.
func (s *Server) auditExport(c echo.Context) error {
	v := req(c).Viewer
	f := auditFilterOf(c)
	if err := f.Validate(); err != nil {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "audit.export.invalid"}
	}
	ctx := c.Request().Context()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="audit-log-%d-%s.csv"`, v.Tenant.ID, s.db.Now().UTC().Format("20060102-150405")))
	c.Response().WriteHeader(http.StatusOK)
	w := newCSVWriter(c.Response())
	if err := w.Write("id", "time_utc", "actor_email", "actor_name", "action", "action_label", "target_kind", "target_id",
		"target_label", "workspace_id", "before", "after", "before_label", "after_label"); err != nil {
		return err
	}
	err := s.db.EachAuditRecord(ctx, v.Tenant.ID, f, func(r store.AuditRecord) error {
		return w.Write(
			strconv.FormatInt(r.ID, 10), r.At.UTC().Format(time.RFC3339), r.ActorEmail, r.ActorName, r.Action,
			views.AuditSentence(ctx, r), r.TargetKind, strconv.FormatInt(r.TargetID, 10), r.TargetLabel,
			strconv.FormatInt(r.WorkspaceID, 10), r.Before, r.After, views.AuditValue(ctx, r.Before), views.AuditValue(ctx, r.After),
		)
	})
	flushErr := w.Flush()
	if err != nil {
		// The status is sent already; the log says the file is cut short.
		s.log.Error("audit export", "tenant", v.Tenant.ID, "err", err)
		return nil
	}
	return flushErr
}
