package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// This file is the audit trail beyond the Audit log tab (issue 17): integrity and evidence,
// JSON Lines export, retention, and the Microsoft-staff transparency page.

// needGlobalAdminNotMicrosoft is the transparency page's and the retention setting's need: the
// tenant's Global Admins, never Microsoft people (whose actions the page exposes, and who must
// not be able to shorten how long the customer keeps the record of them).
var needGlobalAdminNotMicrosoft = TenantAny(perm.TenantAdmin).Export("audittrail.microsoft.refused")

// auditIntegrity shows the chain's head, retention and last purge, and the downloads. It
// verifies the chain only when asked (?verify=1): that reads every entry of the tenant.
func (s *Server) auditIntegrity(c echo.Context) error {
	return s.renderIntegrity(c, http.StatusOK, c.QueryParam("verify") == "1", "", "", nil)
}

func (s *Server) renderIntegrity(c echo.Context, status int, verify bool, from, to string, errs views.Errors) error {
	v := req(c).Viewer
	ctx := c.Request().Context()
	d := views.AuditIntegrityData{CanExport: perm.ExportAllowed(v.Person.Microsoft), From: from, To: to, Errors: errs, Verified: verify}
	var err error
	if verify {
		d.Verification, err = s.db.VerifyAuditChain(ctx, v.Tenant.ID)
	} else {
		d.Verification.Head, d.Verification.Checkpoint, err = s.db.AuditChainState(ctx, v.Tenant.ID)
	}
	if err != nil {
		return err
	}
	if d.RetentionDays, err = s.db.AuditRetention(ctx, v.Tenant.ID); err != nil {
		return err
	}
	return s.render(c, status, views.AuditIntegrityPage(s.page(c, "audittrail.integrity.title"), d))
}

// auditEvidence downloads the evidence bundle of a date range (docs/audit.md), streamed.
func (s *Server) auditEvidence(c echo.Context) error {
	v := req(c).Viewer
	ctx := c.Request().Context()
	f := store.AuditFilter{From: c.QueryParam("from"), To: c.QueryParam("to")}
	if err := f.Validate(); err != nil {
		errs, _ := fieldErrors(err)
		return s.renderIntegrity(c, http.StatusUnprocessableEntity, false, f.From, f.To, errs)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/json; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="audit-evidence-%d-%s.json"`, v.Tenant.ID, s.db.Now().UTC().Format("20060102-150405")))
	c.Response().WriteHeader(http.StatusOK)
	if err := s.db.WriteEvidence(ctx, c.Response(), v.Tenant.ID, f.From, f.To); err != nil {
		s.log.Error("audit evidence", "tenant", v.Tenant.ID, "err", err)
	}
	return nil
}

// auditExportJSONL downloads the filtered log as JSON Lines, oldest first.
func (s *Server) auditExportJSONL(c echo.Context) error {
	f := auditFilterOf(c)
	if err := f.Validate(); err != nil {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "audit.export.invalid"}
	}
	return s.streamAudit(c, "jsonl", f, "audit-log")
}

// streamAudit writes the tenant's entries matching f as "csv" or "jsonl", one row as it is
// read: nothing holds the whole log (docs/audit.md has the measurement). Both formats carry the
// stable field names of store.ChainRow, so every line can be checked against the chain.
func (s *Server) streamAudit(c echo.Context, format string, f store.AuditFilter, name string) error {
	v := req(c).Viewer
	ctx := c.Request().Context()
	h := c.Response().Header()
	ext := "jsonl"
	if format == "csv" {
		ext = "csv"
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		h.Set(echo.HeaderContentType, "application/jsonl; charset=utf-8")
	}
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%d-%s.%s"`, name, v.Tenant.ID, s.db.Now().UTC().Format("20060102-150405"), ext))
	c.Response().WriteHeader(http.StatusOK)
	err := writeAuditRows(c.Response(), format, func(fn func(store.ChainRow) error) error {
		return s.db.EachChainRow(ctx, v.Tenant.ID, f, fn)
	})
	if err != nil {
		// The status is sent already; the log says the file is cut short.
		s.log.Error("audit export", "tenant", v.Tenant.ID, "format", format, "err", err)
	}
	return nil
}

// auditCSVHeader is the CSV header: the JSON field names, in the same order.
var auditCSVHeader = []string{"id", "tenant_id", "at", "actor_id", "actor_email", "actor_microsoft", "action", "target_kind",
	"target_id", "target_label", "workspace_id", "before", "after", "ip", "user_agent", "request_id", "auth_method", "prev_hash", "hash"}

// writeAuditRows writes the rows each yields to w as CSV or JSON Lines, through one small
// buffer.
func writeAuditRows(w http.ResponseWriter, format string, each func(func(store.ChainRow) error) error) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	if format == "csv" {
		cw := newCSVWriter(bw)
		if err := cw.Write(auditCSVHeader...); err != nil {
			return err
		}
		i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
		err := each(func(r store.ChainRow) error {
			return cw.Write(i64(r.ID), i64(r.TenantID), r.At, i64(r.ActorID), r.ActorEmail, strconv.FormatBool(r.ActorMicrosoft),
				r.Action, r.TargetKind, i64(r.TargetID), r.TargetLabel, i64(r.WorkspaceID), r.Before, r.After, r.IP, r.UserAgent,
				r.RequestID, r.AuthMethod, r.PrevHash, r.Hash)
		})
		if ferr := cw.Flush(); err == nil {
			err = ferr
		}
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := each(func(r store.ChainRow) error { return enc.Encode(r) })
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// auditMicrosoft is the transparency page: every change Microsoft people made in this tenant.
func (s *Server) auditMicrosoft(c echo.Context) error {
	v := req(c).Viewer
	f := auditFilterOf(c)
	d := views.AuditMicrosoftData{Actions: auditActions()}
	status := http.StatusOK
	if err := f.Validate(); err != nil {
		errs, ok := fieldErrors(err)
		if !ok {
			return err
		}
		d.Errors, status = errs, http.StatusUnprocessableEntity
	}
	f.MicrosoftOnly = true
	d.Filter = f
	const base = "/admin/audit/microsoft"
	state := auditState(f)
	if len(listURL(base, state)) > len(base) {
		d.ClearHref = base
	}
	if status == http.StatusOK {
		page, err := s.db.AuditLog(c.Request().Context(), v.Tenant.ID, f, c.QueryParam("after"), c.QueryParam("before"))
		if err != nil {
			return err
		}
		d.Records, d.Total, d.TotalCapped = page.Items, page.Total, page.TotalCapped
		if page.Prev != "" {
			d.PrevHref = listURL(base, state, "before", page.Prev)
		}
		if page.Next != "" {
			d.NextHref = listURL(base, state, "after", page.Next)
		}
		d.CSVHref = listURL(base+"/export", state, "format", "csv")
		d.JSONLHref = listURL(base+"/export", state, "format", "jsonl")
	}
	return s.render(c, status, views.AuditMicrosoftPage(s.page(c, "audittrail.microsoft.title"), d))
}

// auditMicrosoftExport downloads the transparency page's entries (format csv or jsonl).
func (s *Server) auditMicrosoftExport(c echo.Context) error {
	f := auditFilterOf(c)
	format := c.QueryParam("format")
	if err := f.Validate(); err != nil || (format != "csv" && format != "jsonl") {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "audit.export.invalid"}
	}
	f.MicrosoftOnly = true
	return s.streamAudit(c, format, f, "microsoft-changes")
}

// auditRetentionSave sets the tenant's audit retention from the Tenant settings tab.
func (s *Server) auditRetentionSave(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	tenant := req(c).Viewer.Tenant
	days, convErr := strconv.Atoi(field(v, "days"))
	if convErr != nil {
		days = 0
	}
	err = s.db.SetAuditRetention(c.Request().Context(), actorOf(c), tenant.ID, days)
	if _, invalid := fieldErrors(err); invalid {
		return s.renderSettings(c, http.StatusUnprocessableEntity, tenant, "", "audittrail.retention.error.range")
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "audittrail.retention.saved"); err != nil {
		return err
	}
	return seeOther(c, "/admin/settings")
}
