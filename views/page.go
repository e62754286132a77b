// Package views renders Hub Admin's HTML with templ. Every page embeds Page, built in one place
// by the web layer, so title, language, CSRF token, the signed-in person, tenant and flash
// message are always there. Strings come from locales through ctx; nothing from a person or a
// message file is ever written unescaped.
package views

import (
	"context"
	"strconv"

	"hubadmin/locales"
	"hubadmin/store"
)

// Page is the base every page is built on.
type Page struct {
	Title   string // translated
	Lang    string
	CSRF    string
	Path    string // the current path and query, to come back to after switching language
	Viewer  *store.Viewer
	Nav     []NavItem // Admin Center tabs the viewer may open; empty outside the Admin Center
	Links   []NavItem // the signed-in person's own links (My access, workspaces…)
	Flash   string    // translated success message
	Problem string    // translated page-level error (role=alert)
}

// NavItem is a link in a navigation bar.
type NavItem struct {
	Key     string
	Label   string // translated
	Href    string
	Current bool
}

// SignedIn tells whether someone is signed in.
func (p Page) SignedIn() bool { return p.Viewer != nil && p.Viewer.Person.ID != 0 }

// HasTenant tells whether the signed-in person acts in a tenant.
func (p Page) HasTenant() bool { return p.SignedIn() && p.Viewer.Tenant.ID != 0 }

// Errors maps form fields to message IDs (validation happens before translation).
type Errors map[string]string

// Has tells whether field has an error.
func (e Errors) Has(field string) bool { _, ok := e[field]; return ok }

// t is the short form used in templates.
func t(ctx context.Context, id string, data ...any) string { return locales.T(ctx, id, data...) }

// n is the plural form used in templates.
func n(ctx context.Context, id string, count int, data ...any) string {
	return locales.N(ctx, id, count, data...)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// errorID is the id of a field's error message element, for aria-describedby.
func errorID(field string) string { return "err-" + field }

// hintID is the id of a field's hint element.
func hintID(field string) string { return "hint-" + field }

// describedBy joins the ids describing a field.
func describedBy(field string, hasHint bool, errs Errors) string {
	s := ""
	if hasHint {
		s = hintID(field)
	}
	if errs.Has(field) {
		if s != "" {
			s += " "
		}
		s += errorID(field)
	}
	return s
}

// tenantLabel names a tenant in the switcher with what a look-alike name can't fake: its
// primary domain, or its ID when it has none.
func tenantLabel(ctx context.Context, tn store.TenantRef) string {
	if tn.Domain != "" {
		return t(ctx, "account.tenant.with_domain", "Name", tn.Name, "Domain", tn.Domain)
	}
	return t(ctx, "account.tenant.with_id", "Name", tn.Name, "ID", strconv.FormatInt(tn.ID, 10))
}
