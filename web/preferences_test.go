package web

import (
	"net/http"
	"net/url"
	"testing"
)

func init() {
	routeCases = append(routeCases,
		routeCase{method: "POST", path: "/me/preferences", build: func(*app, int64) (string, url.Values) {
			return "/me/preferences", url.Values{"lang": {"fr"}, "theme": {"dark"}, "time_zone": {"Europe/Paris"}, "next": {"/me/access"}}
		}, want: signedInOnly(303)},
	)
}

// TestPreferencesKeptOnThePerson: the profile menu's language, theme and time zone are saved on
// the person and shape the next page (lang and data-theme on <html>, the zone selected, a toast).
func TestPreferencesKeptOnThePerson(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/me/access")
	if got := r.doc.Find("html").AttrOr("data-theme", "none"); got != "none" {
		t.Fatalf("before choosing, data-theme = %q, want none (the system's)", got)
	}
	r = b.post("/me/preferences", url.Values{"lang": {"ru"}, "theme": {"dark"}, "time_zone": {"Europe/Moscow"}, "next": {"/me/access"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/me/access" {
		t.Fatalf("save: %d to %q, want 303 to /me/access", r.status, r.header.Get("Location"))
	}
	r = b.get("/me/access")
	html := r.doc.Find("html")
	if html.AttrOr("lang", "") != "ru" || html.AttrOr("data-theme", "") != "dark" {
		t.Errorf("after saving: lang %q, data-theme %q; want ru, dark", html.AttrOr("lang", ""), html.AttrOr("data-theme", ""))
	}
	if got := r.doc.Find(`#pref-tz option[selected]`).AttrOr("value", ""); got != "Europe/Moscow" {
		t.Errorf("time zone selected = %q, want Europe/Moscow", got)
	}
	if got := r.text(`.toast[role="status"]`); got != "Настройки сохранены." {
		t.Errorf("toast = %q", got)
	}
	// Another person is not affected.
	other := a.browserFor(plainUser).get("/me/access")
	if got := other.doc.Find("html").AttrOr("data-theme", "none"); got != "none" {
		t.Errorf("another person's theme = %q, want none", got)
	}
}

// TestPreferencesRefuseUnknownValues: a theme or zone outside the lists is a 422 page in words,
// and nothing is saved.
func TestPreferencesRefuseUnknownValues(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	for _, v := range []url.Values{
		{"lang": {"en"}, "theme": {"purple"}, "time_zone": {""}},
		{"lang": {"en"}, "theme": {"dark"}, "time_zone": {"Mars/Olympus"}},
		{"lang": {"en"}, "theme": {"dark"}, "time_zone": {"Local"}},
		{"lang": {"xx"}, "theme": {"dark"}, "time_zone": {""}},
	} {
		r := b.post("/me/preferences", v)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", v, r.status)
		}
	}
	if got := b.get("/me/access").doc.Find("html").AttrOr("data-theme", "none"); got != "none" {
		t.Errorf("after refused saves, data-theme = %q, want none", got)
	}
}

// TestAuditTimesInThePersonsZone: with a time zone chosen, the audit log shows times there and
// keeps UTC in the hover title and the machine-readable datetime.
func TestAuditTimesInThePersonsZone(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.post("/admin/tenant/name", url.Values{"name": {"Contoso Pharma"}, "version": {"1"}})
	b.post("/me/preferences", url.Values{"lang": {"en"}, "theme": {""}, "time_zone": {"Europe/Paris"}})
	tm := b.get("/admin/audit").doc.Find("#audit-log tbody tr time").First()
	if got := tm.Text(); got != "Nov 21, 2026 10:00 CET" {
		t.Errorf("time shown = %q, want Nov 21, 2026 10:00 CET (09:00 UTC in Paris)", got)
	}
	if got := tm.AttrOr("title", ""); got != "Nov 21, 2026 09:00 UTC" {
		t.Errorf("title = %q, want the UTC time", got)
	}
	if got := tm.AttrOr("datetime", ""); got != "2026-11-21T09:00:00Z" {
		t.Errorf("datetime = %q", got)
	}
}
