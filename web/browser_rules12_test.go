package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hubadmin/store"
)

// TestBrowserJourneySupportContactSeats (issue 12): a Workspace Admin grants Support contact to
// users of the Premier workspace (3 seats) and of the Unified one (5 seats); the grant past the
// cap is refused with the message naming the cap and the holders; revoking frees the seat.
// With -screenshots it writes the roles page, the cloud consent page and a person page with
// Support contact, in French and Russian.
func TestBrowserJourneySupportContactSeats(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	ctx := context.Background()
	// Contoso Labs runs under the Premier agreement; give it the Unified agreement's 5 seats so
	// that the sixth grant is the one refused, as the issue tells it.
	csam, _ := a.personAccess("csam@microsoft.example")
	labs, err := a.db.Workspace(ctx, a.ids.contoso, a.ids.wsLabs)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetSupportContactSeats(ctx, store.Actor{PersonID: csam.ID, Email: csam.Email}, a.ids.contoso, labs.AgreementID, 5); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for i := range 6 {
		id := a.addMember(a.ids.wsLabs, fmt.Sprintf("contact%d@contoso.example", i), fmt.Sprintf("Contact %d", i))
		pages = append(pages, wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", id)))
	}
	tb := newTab(t, a, tabOptions{})
	tb.signIn("workspace.admin@contoso.example")
	grant := `tr[data-permission="support_contact"] form[action$="/permissions"] button`
	for i, p := range pages[:5] {
		tb.open(p, http.StatusOK)
		tb.click(grant, 0)
		tb.wantFlash(tb.msg("people.flash.granted"))
		if got := tb.text("#support-contact-seats"); !strings.Contains(got, fmt.Sprintf("%d of 5", i+1)) {
			t.Errorf("after grant %d the seats line says %q", i+1, got)
		}
	}
	tb.open(pages[5], http.StatusOK)
	tb.click(grant, http.StatusConflict)
	msg := tb.text("#error-message")
	if !strings.Contains(msg, ": 5.") || !strings.Contains(msg, "contact0@contoso.example, contact1@contoso.example") {
		t.Errorf("the sixth grant's refusal = %q, want the cap 5 and the holders", msg)
	}
	if _, acc := a.personAccess("contact5@contoso.example"); acc.Workspace(a.ids.wsLabs, "support_contact") {
		t.Fatal("the refused grant was written")
	}
	// Revoking one frees its seat: the sixth grant goes through.
	tb.open(pages[0], http.StatusOK)
	tb.click(`tr[data-permission="support_contact"] form[action$="/permissions"] button`, 0)
	tb.wantFlash(tb.msg("people.flash.revoked"))
	tb.open(pages[5], http.StatusOK)
	tb.click(grant, 0)
	tb.wantFlash(tb.msg("people.flash.granted"))
	if _, acc := a.personAccess("contact5@contoso.example"); !acc.Workspace(a.ids.wsLabs, "support_contact") {
		t.Error("the grant after a revoke was not written")
	}
	tb.axeCheck()

	// Screenshots in French and Russian: the roles page, the cloud consent page (as the
	// Services Admin, with one asset) and a person page with Support contact.
	if _, err := a.db.AddCloudAsset(ctx, store.Actor{Email: "services.admin@contoso.example"}, a.ids.contoso,
		store.NewCloudAsset{Kind: store.CloudAzureSubscription, Name: "Contoso Production", ExternalID: "0a1b2c3d-0000-4000-8000-000000000001"}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "ru"} {
		lt := newTab(t, a, tabOptions{lang: lang})
		lt.open("/roles", http.StatusOK)
		lt.axeCheck()
		lt.screenshot("roles-" + lang)
		lt.signIn("services.admin@contoso.example")
		lt.open("/support-visibility", http.StatusOK)
		lt.axeCheck()
		lt.screenshot("cloud-consent-" + lang)
		lt.signOut()
		lt.signIn("workspace.admin@contoso.example")
		lt.open(pages[5], http.StatusOK)
		lt.axeCheck()
		lt.screenshot("person-support-contact-" + lang)
	}
}
