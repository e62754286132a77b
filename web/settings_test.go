package web

import (
	"net/http"
	"net/url"
	"testing"
)

// settingsSwitch returns the switch of a setting on a settings page: its aria-pressed and the
// target state its button posts.
func settingsSwitch(r response, key string) (pressed, posts string) {
	btn := r.doc.Find(`form[data-setting="` + key + `"] button.switch`)
	return btn.AttrOr("aria-pressed", ""), btn.AttrOr("value", "")
}

func TestSettingsToggleWithoutJavaScript(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/settings")
	if pressed, posts := settingsSwitch(r, "show_names_training"); pressed != "false" || posts != "true" {
		t.Fatalf("show names: pressed %q posts %q", pressed, posts)
	}
	if pressed, posts := settingsSwitch(r, "in_product_feedback"); pressed != "true" || posts != "false" {
		t.Fatalf("feedback: pressed %q posts %q", pressed, posts)
	}
	if r.doc.Find(`form[data-setting="show_names_training"] p.muted`).Text() == "" {
		t.Error("no explanation under the setting")
	}
	r = b.post("/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	r = b.get("/admin/settings")
	if got := r.text(`.flash[role="status"]`); got != "Personal names are now shown in training reports." {
		t.Errorf("status %q", got)
	}
	if pressed, _ := settingsSwitch(r, "show_names_training"); pressed != "true" {
		t.Errorf("after saving: pressed %q", pressed)
	}
	tn := tenantTestTenant(t, a, a.ids.contoso)
	if !tn.ShowNamesTraining || !tn.InProductFeedback || tn.Version != 2 {
		t.Errorf("tenant %+v", tn)
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "tenant.setting" || rows[0].Before != `{"show_names_training":false}` || rows[0].After != `{"show_names_training":true}` {
		t.Errorf("audit rows %+v", rows)
	}
	// The request carries the target state: sending "on" again (say, a second click that
	// crossed the first) leaves it on and records nothing.
	b.post("/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"2"}})
	if tn := tenantTestTenant(t, a, a.ids.contoso); !tn.ShowNamesTraining || len(tenantTestAudit(t, a, a.ids.contoso)) != 1 {
		t.Errorf("a repeated target state flipped the setting or wrote a row: %+v", tn)
	}
}

func TestSettingsToggleWithHTMX(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	b.get("/admin/settings")
	b.htmx = true
	r := b.post("/admin/settings", url.Values{"setting": {"in_product_feedback"}, "value": {"false"}, "version": {"1"}})
	if r.status != http.StatusOK {
		t.Fatalf("htmx save: %d", r.status)
	}
	if got := r.text(`#settings [role="status"]`); got != "In-product feedback is now off." {
		t.Errorf("status in the section %q", got)
	}
	if pressed, posts := settingsSwitch(r, "in_product_feedback"); pressed != "false" || posts != "true" {
		t.Errorf("switch after saving: pressed %q posts %q", pressed, posts)
	}
	// The swapped section carries the new version, so the next switch is not stale.
	if got := r.doc.Find(`#settings input[name="version"]`).First().AttrOr("value", ""); got != "2" {
		t.Errorf("version in the new section %q, want 2", got)
	}
	r = b.post("/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"2"}})
	if r.status != http.StatusOK || !tenantTestTenant(t, a, a.ids.contoso).ShowNamesTraining {
		t.Errorf("second switch: %d", r.status)
	}
	if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 2 || rows[1].ActorEmail != "csam@microsoft.example" {
		t.Errorf("audit rows %+v", rows)
	}
}

func TestSettingsRefusals(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"no target state", url.Values{"setting": {"show_names_training"}, "version": {"1"}}, 422, "The change could not be read. Reload the page and switch the setting again."},
		{"flip is not a state", url.Values{"setting": {"show_names_training"}, "value": {"flip"}, "version": {"1"}}, 422, "The change could not be read. Reload the page and switch the setting again."},
		{"unknown setting", url.Values{"setting": {"cloud_consent"}, "value": {"true"}, "version": {"1"}}, 422, "The change could not be read. Reload the page and switch the setting again."},
		{"stale version", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"0"}}, 409, "Someone else changed the tenant first. Your change was not saved; the current settings are shown. Switch again if you still need to."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(globalAdm)
			r := b.post("/admin/settings", tt.form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if got := r.text("#settings .alert"); got != tt.msg {
				t.Errorf("message %q, want %q", got, tt.msg)
			}
			if pressed, _ := settingsSwitch(r, "show_names_training"); pressed != "false" {
				t.Errorf("current value not shown: pressed %q", pressed)
			}
			if tn := tenantTestTenant(t, a, a.ids.contoso); tn.ShowNamesTraining || tn.CloudConsent || !tn.InProductFeedback || tn.Version != 1 {
				t.Errorf("tenant changed: %+v", tn)
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

// TestSettingsStaleAfterAnotherAdmin: a settings page opened before another admin's change is
// stale; saving from it is refused with 409 and shows what the other admin set.
func TestSettingsStaleAfterAnotherAdmin(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.get("/admin/settings")
	other := a.browserFor(csamActor)
	other.get("/admin/settings")
	other.post("/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"1"}})
	r := b.post("/admin/settings", url.Values{"setting": {"in_product_feedback"}, "value": {"false"}, "version": {"1"}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", r.status)
	}
	if pressed, _ := settingsSwitch(r, "show_names_training"); pressed != "true" {
		t.Errorf("the other admin's change is not shown: pressed %q", pressed)
	}
	if !tenantTestTenant(t, a, a.ids.contoso).InProductFeedback {
		t.Error("the stale save was written")
	}
}
