package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hubadmin/store"
	"hubadmin/views"
)

const qsCSMEmail = "services.admin@contoso.example"

// quickstartAudit lists Contoso's audit actions in order, oldest first.
func groupAuditActions(t *testing.T, a *app) []string {
	t.Helper()
	var actions []string
	err := a.db.EachAuditRecord(context.Background(), a.ids.contoso, store.AuditFilter{}, func(r store.AuditRecord) error {
		actions = append(actions, r.Action)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// EachAuditRecord may go newest first; the tests compare sets of counts, not order.
	return actions
}

func groupCountActions(actions []string) map[string]int {
	m := map[string]int{}
	for _, a := range actions {
		m[a]++
	}
	return m
}

// submission returns the one-time token of the form holding the selector's element.
func qsSubmission(t *testing.T, r response, formSel string) string {
	t.Helper()
	tok, ok := r.doc.Find(formSel + ` input[name="_submission"]`).Attr("value")
	if !ok || tok == "" {
		t.Fatalf("no submission token in %s", formSel)
	}
	return tok
}

func groupMustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; alert %q", what, r.status, want, r.text(".alert, .field-error"))
	}
}

// TestQuickstartDelegation walks Delegation from the demo's fresh Contoso (no model chosen)
// with plain forms, as JavaScript-less browsers send them.
func TestQuickstartDelegation(t *testing.T) {
	a := newApp(t)
	csm := a.browserAs(qsCSMEmail)
	r := csm.get("/")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/quickstart" {
		t.Fatalf("CSM at / before choosing: %d → %q, want 303 → /quickstart", r.status, r.header.Get("Location"))
	}
	r = csm.get("/quickstart")
	groupMustStatus(t, "GET /quickstart", r, 200)
	if r.count("#model-delegation") != 1 || r.count("#model-administration") != 1 {
		t.Error("the quick start does not present both models")
	}
	if r.count(`nav a[href="/quickstart"]`) == 0 {
		t.Error("no personal link to the quick start for the CSM")
	}
	if r.count(`a[href="/quickstart/delegation"]`) != 1 {
		t.Error("no link to set up Delegation")
	}
	if a := csm.get("/admin"); a.status != http.StatusForbidden {
		t.Errorf("CSM (Services Admin) GET /admin before: %d, want 403", a.status)
	}

	r = csm.get("/quickstart/delegation")
	groupMustStatus(t, "GET /quickstart/delegation", r, 200)
	for _, sel := range []string{`#step-group form[method="post"][action="/quickstart/delegation/group"]`, "#step-role", "#step-members", "#step-finish"} {
		if r.count(sel) != 1 {
			t.Errorf("steps page lacks %s", sel)
		}
	}
	r = csm.post("/quickstart/delegation/group", url.Values{"group": {"new"}, "name": {"Hub administrators"},
		"object_id": {"3F2504E0-4F89-11D3-9A0C-0305E82C3301"}, "_submission": {qsSubmission(t, r, "#step-group")}})
	groupMustStatus(t, "step 1", r, http.StatusSeeOther)
	r = csm.get("/quickstart/delegation")
	if got := r.text("#current-group code"); got != "3f2504e0-4f89-11d3-9a0c-0305e82c3301" {
		t.Errorf("chosen group object ID = %q", got)
	}
	groupMustStatus(t, "step 2", csm.post("/quickstart/delegation/role", nil), http.StatusSeeOther)
	csm.get("/quickstart/delegation")
	r = csm.post("/quickstart/delegation/members", url.Values{"emails": {"it.lead@contoso.example\nIT.Lead@contoso.example"}})
	groupMustStatus(t, "step 3", r, http.StatusSeeOther)
	r = csm.get("/quickstart/delegation")
	if r.count(`#step-finish form[action="/quickstart/delegation/finish"]`) != 1 {
		t.Fatal("the finish step is not offered once the steps are done")
	}
	r = csm.post("/quickstart/delegation/finish", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/quickstart" {
		t.Fatalf("finish: %d → %q", r.status, r.header.Get("Location"))
	}
	r = csm.get("/quickstart")
	if got := r.doc.Find("#admin-model-name").AttrOr("data-model", ""); got != "delegation" {
		t.Errorf("model shown = %q, want delegation", got)
	}
	if r.count(`#admin-model-members li[data-email="it.lead@contoso.example"]`) != 1 {
		t.Error("the summary does not name the staff member as administering")
	}

	// The staff member registers later and reaches the Admin Center through the group.
	if _, err := a.db.AddMember(context.Background(), a.ids.contoso, 0, store.NewPerson{Email: "it.lead@contoso.example", DisplayName: "Ines Lead"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	staff := a.browserAs("it.lead@contoso.example")
	if r := staff.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("staff GET /admin: %d, want 200", r.status)
	}
	// The CSM keeps their own view: Services Admin, not an administrator, no more redirect.
	if r := csm.get("/"); r.header.Get("Location") != "/me/access" {
		t.Errorf("CSM at / after choosing: → %q, want /me/access", r.header.Get("Location"))
	}
	if r := csm.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("CSM GET /admin after Delegation: %d, want 403", r.status)
	}
	r = csm.get("/me/access")
	if r.count(`tr[data-permission="view_csrv_dashboard"]`) != 1 || r.count(`tr[data-permission="manage_csrv_dashboard"]`) != 1 {
		t.Error("the CSM lost their Services Admin view of the agreement")
	}
	if r := csm.get("/quickstart"); r.status != http.StatusOK {
		t.Errorf("CSM GET /quickstart afterwards: %d, want 200 (reachable after the choice)", r.status)
	}

	// Removing the staff member from the group ends their access on their next request.
	ga := a.browserAs("global.admin@contoso.example")
	info, _ := a.db.AdminModel(context.Background(), a.ids.contoso)
	ga.get(views.AdminGroupPath(info.Group.ID))
	r = ga.post(views.AdminGroupPath(info.Group.ID)+"/members/remove", url.Values{"email": {"it.lead@contoso.example"}})
	groupMustStatus(t, "remove staff", r, http.StatusSeeOther)
	if r := staff.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("removed staff, same session, GET /admin: %d, want 403", r.status)
	}

	got := groupCountActions(groupAuditActions(t, a))
	for action, n := range map[string]int{"group.create": 1, "admin_model.group": 1, "group.role.add": 1,
		"group.member.add": 1, "admin_model.set": 1, "group.member.remove": 1} {
		if got[action] != n {
			t.Errorf("audit %s: %d rows, want %d", action, got[action], n)
		}
	}
}

// TestQuickstartAdministration: the CSM picks an existing group, gives it the role, is added,
// and reaches the Admin Center through the group, until removed.
func TestQuickstartAdministration(t *testing.T) {
	a := newApp(t)
	existing := groupTestGroup(a)
	csm := a.browserAs(qsCSMEmail)
	r := csm.get("/quickstart/administration")
	groupMustStatus(t, "GET /quickstart/administration", r, 200)
	if r.count(fmt.Sprintf(`#f-group option[value="%d"]`, existing)) != 1 {
		t.Fatal("the existing group is not offered in step 1")
	}
	groupMustStatus(t, "step 1", csm.post("/quickstart/administration/group", url.Values{"group": {fmt.Sprint(existing)}}), http.StatusSeeOther)
	csm.get("/quickstart/administration")
	groupMustStatus(t, "step 2", csm.post("/quickstart/administration/role", nil), http.StatusSeeOther)
	r = csm.get("/quickstart/administration")
	if r.count(`#step-members form[action="/quickstart/administration/members"]`) != 1 {
		t.Fatal("step 3 does not offer to add the CSM")
	}
	if r := csm.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("CSM GET /admin before joining: %d, want 403", r.status)
	}
	groupMustStatus(t, "step 3", csm.post("/quickstart/administration/members", url.Values{"emails": {"someone.else@contoso.example"}}), http.StatusSeeOther)
	if r := csm.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("CSM GET /admin through the group: %d, want 200", r.status)
	}
	groupMustStatus(t, "finish", csm.post("/quickstart/administration/finish", nil), http.StatusSeeOther)
	// The Tenant tab says which model is in force and who administers.
	tab := a.browserAs("global.admin@contoso.example").get("/admin/tenant")
	if tab.count(`#admin-model-name[data-model="administration"]`) != 1 || tab.count(`#admin-model-members li[data-email="services.admin@contoso.example"]`) != 1 {
		t.Error("the Tenant tab does not show Administration by the CSM")
	}
	r = csm.get("/quickstart")
	if r.count(`#admin-model-members li[data-email="services.admin@contoso.example"]`) != 1 {
		t.Error("the summary does not show the CSM administering")
	}
	if r.count(`#admin-model-members li[data-email="someone.else@contoso.example"]`) != 0 {
		t.Error("Administration added the typed address instead of the CSM")
	}
	ga := a.browserAs("global.admin@contoso.example")
	ga.get(views.AdminGroupPath(existing))
	groupMustStatus(t, "remove CSM", ga.post(views.AdminGroupPath(existing)+"/members/remove", url.Values{"email": {qsCSMEmail}}), http.StatusSeeOther)
	if r := csm.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("CSM removed from the group, same session, GET /admin: %d, want 403", r.status)
	}
}

// TestQuickstartSwitchShowsConsequencesFirst: the confirmation lists who gains and loses, and
// the switch does exactly that.
func TestQuickstartSwitchShowsConsequencesFirst(t *testing.T) {
	a := newApp(t)
	quickstartTestSteps(a, 4) // Delegation in force, staff@contoso.example in the group
	csm := a.browserAs(qsCSMEmail)
	r := csm.get("/quickstart")
	if r.count(`#model-administration a[href="/quickstart/switch?to=administration"]`) != 1 {
		t.Fatal("no switch link on the other model")
	}
	if r := csm.get("/quickstart/administration"); r.header.Get("Location") != "/quickstart/switch?to=administration" {
		t.Errorf("steps of the other model: → %q, want the switch page", r.header.Get("Location"))
	}
	r = csm.get("/quickstart/switch?to=administration")
	groupMustStatus(t, "switch page", r, 200)
	if r.count(`#switch-gains li[data-email="services.admin@contoso.example"]`) != 1 {
		t.Error("the CSM is not listed as gaining access")
	}
	if r.count(`#switch-loses li[data-email="staff@contoso.example"]`) != 1 {
		t.Error("the staff member is not listed as losing access")
	}
	if r := csm.get("/admin"); r.status != http.StatusForbidden {
		t.Fatal("showing the consequences changed something")
	}
	r = csm.post("/quickstart/switch", url.Values{"from": {"delegation"}, "to": {"administration"}})
	groupMustStatus(t, "switch", r, http.StatusSeeOther)
	if r := csm.get("/admin"); r.status != http.StatusOK {
		t.Errorf("CSM after switching to Administration: %d, want 200", r.status)
	}
	// The same switch posted again (a stale page) changes nothing: the model is already in
	// force, so the CSM is sent to its steps.
	r = csm.post("/quickstart/switch", url.Values{"from": {"delegation"}, "to": {"administration"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/quickstart/administration" {
		t.Errorf("stale switch: %d → %q, want 303 → /quickstart/administration", r.status, r.header.Get("Location"))
	}
	// Back to Delegation: with nobody else in the group, staff must be named (422, input kept).
	csm.get("/quickstart/switch?to=delegation")
	r = csm.post("/quickstart/switch", url.Values{"from": {"administration"}, "to": {"delegation"}, "emails": {""}})
	groupMustStatus(t, "switch to Delegation without staff", r, http.StatusUnprocessableEntity)
	if r.doc.Find("#f-emails").AttrOr("aria-invalid", "") != "true" {
		t.Error("the staff field is not marked invalid")
	}
	r = csm.post("/quickstart/switch", url.Values{"from": {"administration"}, "to": {"delegation"}, "emails": {"not an email"}})
	groupMustStatus(t, "switch with a bad address", r, http.StatusUnprocessableEntity)
	if got := r.text("#f-emails"); got != "not an email" {
		t.Errorf("typed staff = %q, want it kept", got)
	}
	r = csm.post("/quickstart/switch", url.Values{"from": {"administration"}, "to": {"delegation"}, "emails": {"new.staff@contoso.example"}})
	groupMustStatus(t, "switch to Delegation", r, http.StatusSeeOther)
	if r := csm.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("CSM after switching back to Delegation: %d, want 403", r.status)
	}
	if got := groupCountActions(groupAuditActions(t, a))["admin_model.set"]; got != 3 {
		t.Errorf("admin_model.set audit rows = %d, want 3", got)
	}
}

// TestQuickstartStepRefusals: invalid input comes back with 422 and the input kept; steps out
// of order and other people are refused with the exact status.
func TestQuickstartStepRefusals(t *testing.T) {
	a := newApp(t)
	csm := a.browserAs(qsCSMEmail)
	r := csm.get("/quickstart/delegation")
	tok := qsSubmission(t, r, "#step-group")
	r = csm.post("/quickstart/delegation/group", url.Values{"group": {"new"}, "name": {"Admins"}, "object_id": {"not-a-guid"}, "_submission": {tok}})
	groupMustStatus(t, "bad GUID", r, http.StatusUnprocessableEntity)
	if r.doc.Find("#f-object_id").AttrOr("aria-invalid", "") != "true" || r.doc.Find("#f-object_id").AttrOr("value", "") != "not-a-guid" {
		t.Error("the object ID is not marked invalid with the input kept")
	}
	r = csm.post("/quickstart/delegation/group", url.Values{"group": {""}})
	groupMustStatus(t, "no group chosen", r, http.StatusUnprocessableEntity)
	r = csm.post("/quickstart/delegation/role", nil)
	groupMustStatus(t, "role before the group", r, http.StatusConflict)
	if !strings.Contains(r.text(".alert"), "Administrator group") {
		t.Errorf("refusal says %q", r.text(".alert"))
	}
	r = csm.post("/quickstart/delegation/finish", nil)
	groupMustStatus(t, "finish before the steps", r, http.StatusConflict)
	if r := csm.get("/quickstart/nonsense"); r.status != http.StatusNotFound {
		t.Errorf("unknown model: %d, want 404", r.status)
	}
	user := a.browserFor(plainUser)
	if r := user.post("/quickstart/delegation/role", nil); r.status != http.StatusForbidden {
		t.Errorf("plain user runs a step: %d, want 403", r.status)
	}
	// The CSM can't sneak into the group in Delegation.
	quickstartTestSteps(a, 2)
	csm.get("/quickstart/delegation")
	r = csm.post("/quickstart/delegation/members", url.Values{"emails": {qsCSMEmail}})
	groupMustStatus(t, "CSM adds themself in Delegation", r, http.StatusUnprocessableEntity)
	if got := r.text("#err-emails"); got == "" {
		t.Error("no message by the emails field")
	}
	if n := groupCountActions(groupAuditActions(t, a))["group.member.add"]; n != 0 {
		t.Errorf("refused steps wrote %d member rows", n)
	}
}

// TestQuickstartReadsInEveryLanguage: the page is in the reader's language, with no message ID
// left untranslated.
func TestQuickstartReadsInEveryLanguage(t *testing.T) {
	a := newApp(t)
	quickstartTestSteps(a, 3)
	want := map[string][]string{
		"en": {"Delegation", "Administration", "Customer Support Manager"},
		"fr": {"Délégation", "Administration", "responsable du support client"},
		"ru": {"Делегирование", "Администрирование", "менеджер по поддержке клиентов"},
	}
	for lang, words := range want {
		b := a.browserAs(qsCSMEmail)
		b.lang = lang
		for _, path := range []string{"/quickstart", "/quickstart/delegation", "/quickstart/administration"} {
			r := b.get(path)
			groupMustStatus(t, lang+" "+path, r, 200)
			text := r.doc.Find("main").Text()
			if strings.Contains(text, "quickstart.") || strings.Contains(text, "groups.") {
				t.Errorf("%s %s shows a message ID", lang, path)
			}
			if path == "/quickstart" {
				for _, w := range words {
					if !strings.Contains(text, w) {
						t.Errorf("%s /quickstart lacks %q", lang, w)
					}
				}
			}
		}
	}
}

// TestQuickstartPageBudget: the quick start's pages read at most 3 statements of their own.
func TestQuickstartPageBudget(t *testing.T) {
	a := newApp(t)
	quickstartTestSteps(a, 4)
	b := a.browserAs("global.admin@contoso.example")
	for _, path := range []string{"/quickstart", "/quickstart/delegation", "/admin/groups", "/workspaces/" + fmt.Sprint(a.ids.wsLabs) + "/groups"} {
		if n := groupPageStatements(a, b, path); n > 3 {
			t.Errorf("%s: %d statements beyond the request's own, want at most 3", path, n)
		} else {
			t.Logf("%s: %d statements beyond the request's own", path, n)
		}
	}
}

// groupPageStatements counts what a page reads beyond what every signed-in request reads
// (session, viewer), measured against /admin, which reads nothing more for a tenant admin.
func groupPageStatements(a *app, b *browser, path string) int64 {
	a.t.Helper()
	base := a.db.Counting(func() { b.get("/admin") })
	page := a.db.Counting(func() {
		if r := b.get(path); r.status != http.StatusOK {
			a.t.Fatalf("GET %s: %d", path, r.status)
		}
	})
	return page - base
}
