package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/mailer"
	"hubadmin/store/mailer/mailertest"
	"hubadmin/store/perm"
)

// peopleUpload posts a CSV file as the invite page's upload form does.
func (b *browser) peopleUpload(path, content string) response {
	b.a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("_csrf", b.csrf); err != nil {
		b.a.t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "people.csv")
	if err != nil {
		b.a.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	return b.do(http.MethodPost, path, &body, mw.FormDataContentType())
}

// inviteForm posts the invite form of the workspace with a fresh submission token.
func (b *browser) inviteForm(ws int64, email string, extra url.Values) response {
	b.a.t.Helper()
	b.get(wsPath(ws, "/people/invite"))
	v := url.Values{"email": {email}, "_submission": {store.NewSubmissionToken()}}
	for k, vs := range extra {
		v[k] = vs
	}
	return b.post(wsPath(ws, "/people/invite"), v)
}

func TestInviteOnePerson(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	form := b.get(wsPath(a.ids.wsLabs, "/people/invite"))
	var offered []string
	form.doc.Find(`#invite-form input[name="permission"]`).Each(func(_ int, s *goquerySelection) { offered = append(offered, s.AttrOr("value", "")) })
	want := []string{"view_all_support_cases", "training_manager", "training", "customer_activity", "programs", "invite_users", "health", "shared_files"}
	if !slices.Equal(offered, want) {
		t.Errorf("offered permissions %v, want the G cells a Workspace Admin holds %v", offered, want)
	}
	if form.count("#f-make_admin") != 1 {
		t.Error("a Manage users holder isn't offered Workspace Admin")
	}
	r := b.inviteForm(a.ids.wsLabs, "new.person@contoso.example", url.Values{"permission": {"training", "health"}, "make_admin": {"true"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", r.status, r.text(".alert"))
	}
	list := b.get(r.header.Get("Location"))
	if list.text(".flash") != "The invitation was sent." || list.count(`#people tr[data-status="pending"]`) != 1 {
		t.Errorf("after inviting: flash %q, %d pending rows", list.text(".flash"), list.count(`#people tr[data-status="pending"]`))
	}
	out := b.get(wsPath(a.ids.wsLabs, "/outbox"))
	body := out.text("#outbox .outbox-body")
	if !strings.Contains(body, "/invitations/") || out.text("#outbox .outbox-subject") != "You're invited to the workspace Contoso Labs in Hub Admin" {
		t.Errorf("outbox message: %q / %q", out.text("#outbox .outbox-subject"), body)
	}
	if out.count("#outbox-no-smtp") != 1 {
		t.Error("the outbox doesn't say that no mail server is set up")
	}
	if !containsAction(a.auditActions(), "invitation.create") {
		t.Error("no invitation.create audit row")
	}
	// Contoso's outbox doesn't show Labs' invitation links.
	if got := a.browserFor(servicesAdm).get(wsPath(a.ids.wsContoso, "/outbox")).count("#outbox li"); got != 0 {
		t.Errorf("Contoso's outbox shows %d messages of Labs", got)
	}
}

// goquerySelection keeps the test's Each callbacks short.
type goquerySelection = goquery.Selection

func TestInviteFormOffersOnlyWhatTheInviterHolds(t *testing.T) {
	a := newApp(t)
	im := a.browserFor(imActor).get(wsPath(a.ids.wsLabs, "/people/invite"))
	var offered []string
	im.doc.Find(`#invite-form input[name="permission"]`).Each(func(_ int, s *goquerySelection) { offered = append(offered, s.AttrOr("value", "")) })
	if want := []string{"view_all_support_cases", "training", "programs", "invite_users", "health", "shared_files"}; !slices.Equal(offered, want) {
		t.Errorf("Incident Manager is offered %v, want %v", offered, want)
	}
	if im.count("#f-make_admin") != 0 {
		t.Error("an Incident Manager (no Manage users) is offered Workspace Admin")
	}
	ga := a.browserFor(globalAdm).get(wsPath(a.ids.wsLabs, "/people/invite"))
	if ga.count(`#invite-form input[name="permission"]`) != 0 || ga.count("#invite-no-grantable") != 1 || ga.count("#f-make_admin") != 1 {
		t.Error("a Global Admin (no workspace cell) should get no permission to grant, a note, and the Workspace Admin choice")
	}
	b := a.browserFor(imActor)
	if r := b.inviteForm(a.ids.wsLabs, "x@contoso.example", url.Values{"make_admin": {"true"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("Incident Manager forging make_admin: %d, want 422", r.status)
	}
}

func TestInviteValidation(t *testing.T) {
	a := newApp(t)
	inviteAsAdmin(a, a.ids.wsLabs, "already.invited@contoso.example")
	a.addMember(a.ids.wsLabs, "member@contoso.example", "Mia Member")
	tests := []struct {
		name, email string
		extra       url.Values
		field, msg  string
	}{
		{"empty", "", nil, "email", "Enter the email address of the person to invite."},
		{"malformed", "not-an-email", nil, "email", "Enter an email address like name@contoso.com."},
		{"display name", "Ann <ann@contoso.example>", nil, "email", "Enter an email address like name@contoso.com."},
		{"oneself", "workspace.admin@contoso.example", nil, "email", "You can't invite yourself."},
		{"already a member", "MEMBER@contoso.example", nil, "email", "This person is already in the workspace."},
		{"already invited", "already.invited@contoso.example", nil, "email", "This person is already invited. Resend their invitation from the people list."},
		{"MSA where the exception is off", "someone@outlook.example", nil, "email", "Personal Microsoft accounts (MSA) can't be invited here: the workspace's MSA exception is off."},
		{"permission not held", "ok@contoso.example", url.Values{"permission": {"support_contact"}}, "permissions", "You can only grant permissions you hold yourself."},
		{"permission that comes with a role only", "ok@contoso.example", url.Values{"permission": {"manage_users"}}, "permissions", "This permission can't be granted individually: it only comes with a role."},
		{"unknown permission", "ok@contoso.example", url.Values{"permission": {"root"}}, "permissions", "Choose permissions of this workspace from the list."},
	}
	b := a.browserFor(wsAdmin)
	before := a.auditActions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.inviteForm(a.ids.wsLabs, tt.email, tt.extra)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if got := r.text("#err-" + tt.field); got != tt.msg {
				t.Errorf("error by %s = %q, want %q", tt.field, got, tt.msg)
			}
			if v, _ := r.doc.Find("#f-email").Attr("value"); v != tt.email {
				t.Errorf("email field = %q, want the typed %q kept", v, tt.email)
			}
			if tt.field == "email" && r.doc.Find("#f-email").AttrOr("aria-invalid", "") != "true" {
				t.Error("the email field isn't marked invalid")
			}
		})
	}
	if after := a.auditActions(); len(after) != len(before) {
		t.Errorf("refused invitations wrote %d audit rows", len(after)-len(before))
	}
	// The same address is fine where the MSA exception is on (Contoso Sandbox).
	if r := a.browserFor(globalAdm).inviteForm(a.ids.wsSandbox, "someone@outlook.example", nil); r.status != http.StatusSeeOther {
		t.Errorf("MSA into the sandbox (exception on): %d, want 303", r.status)
	}
}

func TestInviteTwiceWithTheSameFormMakesOneInvitation(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	b.get(wsPath(a.ids.wsLabs, "/people/invite"))
	v := url.Values{"email": {"twice@contoso.example"}, "_submission": {store.NewSubmissionToken()}}
	for i := 0; i < 2; i++ {
		if r := b.post(wsPath(a.ids.wsLabs, "/people/invite"), v); r.status != http.StatusSeeOther {
			t.Fatalf("submission %d: %d, want 303", i+1, r.status)
		}
	}
	out, err := a.db.Outbox(context.Background(), a.ids.contoso, a.ids.wsLabs, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Total != 1 {
		t.Errorf("%d messages, want 1", out.Total)
	}
}

func TestImportCSVPreviewThenConfirm(t *testing.T) {
	a := newApp(t)
	a.addMember(a.ids.wsLabs, "member@contoso.example", "Mia Member")
	b := a.browserFor(wsAdmin)
	b.get(wsPath(a.ids.wsLabs, "/people/invite"))
	csv := "\ufeffEmail,Name,Permissions\n" +
		"ada@contoso.example,Ada,training health\n" +
		"not-an-email,Bad,\n" +
		"ada@contoso.example,Ada again,\n" +
		"member@contoso.example,Mia,\n" +
		"pat@outlook.example,Pat,\n" +
		"bob@contoso.example,Bob,root\n" +
		"cy@contoso.example,Cy,support_contact\n" +
		",,\n" +
		"dee@contoso.example,Dee,\n"
	r := b.peopleUpload(wsPath(a.ids.wsLabs, "/people/import"), csv)
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.status, r.text(".alert"))
	}
	wantRows := map[string]string{
		"2": "true", "3": "false", "4": "false", "5": "false", "6": "false", "7": "false", "8": "false", "10": "true",
	}
	got := map[string]string{}
	r.doc.Find("#import-rows tbody tr").Each(func(_ int, s *goquerySelection) { got[s.AttrOr("data-line", "")] = s.AttrOr("data-ok", "") })
	if fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("rows (line → ok) = %v, want %v", got, wantRows)
	}
	for line, msg := range map[string]string{
		"3": "Enter an email address like name@contoso.com.", "4": "This address appears twice.", "5": "This person is already in the workspace.",
		"6": "Personal Microsoft accounts (MSA) can't be invited here: the workspace's MSA exception is off.",
		"7": "Choose permissions of this workspace from the list.", "8": "You can only grant permissions you hold yourself.",
	} {
		if got := r.text(`#import-rows tr[data-line="` + line + `"] .field-error`); got != msg {
			t.Errorf("line %s: %q, want %q", line, got, msg)
		}
	}
	if got := r.text("#import-confirm button"); got != "Send 2 invitations" {
		t.Errorf("confirm button = %q", got)
	}
	if out, _ := a.db.Outbox(context.Background(), a.ids.contoso, a.ids.wsLabs, "", ""); out.Total != 0 {
		t.Fatalf("the preview sent %d messages", out.Total)
	}
	confirm := url.Values{}
	r.doc.Find("#import-confirm input[type=hidden]").Each(func(_ int, s *goquerySelection) {
		if name := s.AttrOr("name", ""); name != "_csrf" {
			confirm.Add(name, s.AttrOr("value", ""))
		}
	})
	if res := b.post(wsPath(a.ids.wsLabs, "/people/import/confirm"), confirm); res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.status)
	}
	page, err := a.db.WorkspacePeople(context.Background(), a.ids.contoso, a.ids.wsLabs, store.PeopleFilter{Status: store.StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	var pending []string
	for _, p := range page.Items {
		pending = append(pending, p.Person.Email)
	}
	slices.Sort(pending)
	if !slices.Equal(pending, []string{"ada@contoso.example", "dee@contoso.example"}) {
		t.Errorf("pending after import = %v, want ada and dee", pending)
	}
	// Sending the same confirmation again invites nobody twice.
	if res := b.post(wsPath(a.ids.wsLabs, "/people/import/confirm"), confirm); res.status != http.StatusSeeOther {
		t.Errorf("second confirm: %d, want 303", res.status)
	}
	if out, _ := a.db.Outbox(context.Background(), a.ids.contoso, a.ids.wsLabs, "", ""); out.Total != 2 {
		t.Errorf("%d messages after two confirmations, want 2", out.Total)
	}
	// A confirmation whose rows became invalid since shows the preview again and sends nothing.
	stale := url.Values{"email": {"ada@contoso.example"}, "permissions": {""}, "_submission": {store.NewSubmissionToken()}}
	if res := b.post(wsPath(a.ids.wsLabs, "/people/import/confirm"), stale); res.status != http.StatusUnprocessableEntity ||
		res.text(`#import-rows tr .field-error`) != "This person is already invited. Resend their invitation from the people list." {
		t.Errorf("stale confirmation: %d %q", res.status, res.text(`#import-rows tr .field-error`))
	}
}

func TestImportFileProblems(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	for _, tc := range []struct{ name, csv, msg string }{
		{"no email column", "mail,permissions\nada@contoso.example,\n", "The first row must name the columns, with one called email."},
		{"only a header", "email\n", "The file has no row to invite."},
		{"broken quotes", "email\n\"ada@contoso.example\n", "The file can't be read as CSV. Check its quotes and separators."},
		{"not UTF-8", "email\n\xff\xfe@contoso.example\n", "Save the file as UTF-8 text and upload it again."},
		{"too many rows", "email\n" + strings.Repeat("x@contoso.example\n", store.MaxInvitesAtOnce+1), "A file can invite at most 500 people. Split it in parts."},
	} {
		b.get(wsPath(a.ids.wsLabs, "/people/invite"))
		r := b.peopleUpload(wsPath(a.ids.wsLabs, "/people/import"), tc.csv)
		if r.status != http.StatusUnprocessableEntity || r.text("#err-file") != tc.msg {
			t.Errorf("%s: %d %q, want 422 %q", tc.name, r.status, r.text("#err-file"), tc.msg)
		}
	}
	b.get(wsPath(a.ids.wsLabs, "/people/invite"))
	if r := b.post(wsPath(a.ids.wsLabs, "/people/import"), url.Values{"csv": {""}}); r.status != http.StatusUnprocessableEntity || r.text("#err-file") != "Choose a CSV file to upload." {
		t.Errorf("nothing sent: %d %q", r.status, r.text("#err-file"))
	}
}

func TestResendGivesANewLinkAndKillsTheOld(t *testing.T) {
	a := newApp(t)
	id, old := inviteAsAdmin(a, a.ids.wsLabs, "resend@contoso.example", perm.Training)
	b := a.browserFor(imActor) // Invite users is enough to resend
	b.get(wsPath(a.ids.wsLabs, "/people"))
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.status)
	}
	_, fresh := a.invitationOf(a.ids.wsLabs, "resend@contoso.example")
	if fresh == old {
		t.Fatal("resending kept the same link")
	}
	anon := a.browser()
	if r := anon.get("/invitations/" + old); r.status != http.StatusGone || r.doc.Find("#invitation-gone").AttrOr("data-reason", "") != "revoked" {
		t.Errorf("old link: %d (%s), want 410 revoked", r.status, r.doc.Find("#invitation-gone").AttrOr("data-reason", ""))
	}
	r := anon.get("/invitations/" + fresh)
	if r.status != http.StatusOK || !strings.Contains(r.text("#accept-grants"), "Training") {
		t.Errorf("new link: %d, grants %q; want 200 with Training kept", r.status, r.text("#accept-grants"))
	}
	if !containsAction(a.auditActions(), "invitation.resend") {
		t.Error("no invitation.resend audit row")
	}
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusConflict {
		t.Errorf("resending a dead invitation: %d, want 409", r.status)
	}
	if r := a.browserFor(wsAdminOther).post(wsPath(a.ids.wsContoso, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusForbidden {
		t.Errorf("Labs admin on Contoso: %d, want 403", r.status)
	}
	if r := a.browserFor(servicesAdm).post(wsPath(a.ids.wsContoso, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusNotFound {
		t.Errorf("Labs' invitation through Contoso's path: %d, want 404", r.status)
	}
}

func TestRevokeAnInvitation(t *testing.T) {
	a := newApp(t)
	id, token := inviteAsAdmin(a, a.ids.wsLabs, "revoke@contoso.example")
	b := a.browserFor(wsAdmin)
	b.get(wsPath(a.ids.wsLabs, "/people"))
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/invitations/%d/revoke", id)), nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if got := b.get(wsPath(a.ids.wsLabs, "/people?status=pending")).count("#people tbody tr"); got != 0 {
		t.Errorf("%d pending people after revoking, want 0", got)
	}
	if r := a.browser().get("/invitations/" + token); r.status != http.StatusGone {
		t.Errorf("revoked link: %d, want 410", r.status)
	}
	if !containsAction(a.auditActions(), "invitation.revoke") {
		t.Error("no invitation.revoke audit row")
	}
	// Invited again afterwards: allowed, the person is no longer pending.
	if r := b.inviteForm(a.ids.wsLabs, "revoke@contoso.example", nil); r.status != http.StatusSeeOther {
		t.Errorf("inviting again after a revocation: %d", r.status)
	}
}

func TestInvitationLinkExpiresAfterSevenDays(t *testing.T) {
	a := newApp(t)
	id, token := inviteAsAdmin(a, a.ids.wsLabs, "late@contoso.example")
	a.clock.Advance(store.InvitationTTL - time.Minute)
	if r := a.browser().get("/invitations/" + token); r.status != http.StatusOK {
		t.Fatalf("a minute before expiry: %d, want 200", r.status)
	}
	a.clock.Advance(time.Minute)
	r := a.browser().get("/invitations/" + token)
	if r.status != http.StatusGone || r.text("#gone-title") != "This invitation has expired" {
		t.Errorf("at expiry: %d %q, want 410 and a clear page", r.status, r.text("#gone-title"))
	}
	b := a.browserFor(wsAdmin)
	list := b.get(wsPath(a.ids.wsLabs, "/people?status=pending"))
	if !strings.Contains(list.text(`#people tr[data-status="pending"]`), "The link has expired") {
		t.Error("the list doesn't say the link expired")
	}
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusSeeOther {
		t.Fatalf("resending an expired invitation: %d", r.status)
	}
	_, fresh := a.invitationOf(a.ids.wsLabs, "late@contoso.example")
	if r := a.browser().get("/invitations/" + fresh); r.status != http.StatusOK {
		t.Errorf("the resent link: %d, want 200", r.status)
	}
}

func TestForgedInvitationLinks(t *testing.T) {
	a := newApp(t)
	inviteAsAdmin(a, a.ids.wsLabs, "real@contoso.example")
	b := a.browser()
	b.lang = "ru"
	for _, token := range []string{strings.Repeat("A", 43), "short", strings.Repeat("%", 43), strings.Repeat("A", 44)} {
		r := b.get("/invitations/" + url.PathEscape(token))
		if r.status != http.StatusNotFound || r.doc.Find("#invitation-gone").AttrOr("data-reason", "") != "unknown" {
			t.Errorf("token %q: %d, want 404 and the clear page", token, r.status)
		}
		if r.text("#gone-title") != "Такой ссылки приглашения не существует" {
			t.Errorf("token %q: title %q, want it in Russian", token, r.text("#gone-title"))
		}
	}
	b.get("/login")
	if r := b.post("/invitations/"+strings.Repeat("A", 43), url.Values{"name": {"X"}, "password": {"long-enough-password"}, "password_again": {"long-enough-password"}}); r.status != http.StatusNotFound {
		t.Errorf("POST a forged link: %d, want 404", r.status)
	}
}

func TestAcceptValidationKeepsWhatWasTyped(t *testing.T) {
	a := newApp(t)
	_, token := inviteAsAdmin(a, a.ids.wsLabs, "new@contoso.example")
	b := a.browser()
	b.get("/invitations/" + token)
	for _, tc := range []struct {
		name, who, pw, again, field, msg string
	}{
		{"no name", "", "long-enough-password", "long-enough-password", "name", "Enter your name."},
		{"short password", "Nia New", "short", "short", "password", "Choose a password of at least 12 characters."},
		{"passwords differ", "Nia New", "long-enough-password", "long-enough-passw0rd", "password_again", "The two passwords are not the same."},
		{"control character in the name", "Nia\x07", "long-enough-password", "long-enough-password", "name", "Enter a name of at most 100 characters."},
	} {
		r := b.post("/invitations/"+token, url.Values{"name": {tc.who}, "password": {tc.pw}, "password_again": {tc.again}})
		if r.status != http.StatusUnprocessableEntity || r.text("#err-"+tc.field) != tc.msg {
			t.Errorf("%s: %d %q, want 422 %q", tc.name, r.status, r.text("#err-"+tc.field), tc.msg)
		}
		if v, _ := r.doc.Find("#f-name").Attr("value"); v != tc.who {
			t.Errorf("%s: name field %q, want %q kept", tc.name, v, tc.who)
		}
	}
	if r := a.browser().get("/invitations/" + token); r.status != http.StatusOK {
		t.Errorf("after refused attempts the link is %d, want still 200", r.status)
	}
}

// TestInvitationJourney is the end-to-end journey without a mail server: a Workspace
// Admin invites, the message waits in the outbox, the invitee opens the link in French, sets a
// name and a password, is signed in and sees exactly what was granted; the link is dead after.
func TestInvitationJourney(t *testing.T) {
	a := newApp(t)
	admin := a.browserFor(wsAdmin)
	if r := admin.inviteForm(a.ids.wsLabs, "nouvelle@contoso.example", url.Values{"permission": {"training", "health"}}); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	out := admin.get(wsPath(a.ids.wsLabs, "/outbox"))
	link := tokenInBody.FindString(out.text("#outbox .outbox-body"))
	if link == "" {
		t.Fatalf("no link in the outbox: %q", out.text("#outbox"))
	}
	acceptInvitation(t, a, link, "fr", "Ana Nouvelle")
	invitee := a.browser()
	invitee.lang = "fr"
	invitee.login("nouvelle@contoso.example")
	checkJoined(t, a, invitee, []string{"health", "training"})
	if r := a.browser().get(link); r.status != http.StatusGone || r.doc.Find("#invitation-gone").AttrOr("data-reason", "") != "used" {
		t.Errorf("the used link: %d, want 410 used", r.status)
	}
	if !containsAction(a.auditActions(), "invitation.accept") {
		t.Error("no invitation.accept audit row")
	}
	list := admin.get(wsPath(a.ids.wsLabs, "/people?status=active&q=nouvelle"))
	if list.count(`#people tr[data-status="active"]`) != 1 {
		t.Error("the new person isn't active in the list")
	}
}

// acceptInvitation opens a link in a fresh browser speaking lang, creates the account and
// checks the invitee lands signed in.
func acceptInvitation(t *testing.T, a *app, link, lang, name string) {
	t.Helper()
	b := a.browser()
	b.lang = lang
	page := b.get(link)
	if page.status != http.StatusOK || page.count("#accept-form #f-name") != 1 {
		t.Fatalf("link page: %d", page.status)
	}
	if got := page.doc.Find("html").AttrOr("lang", ""); got != lang {
		t.Errorf("link page in %q, want the browser's %q", got, lang)
	}
	r := b.post(link, url.Values{"name": {name}, "password": {demoPassword}, "password_again": {demoPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/me/access" {
		t.Fatalf("accept: %d → %q", r.status, r.header.Get("Location"))
	}
	me := b.get("/me/access")
	if me.status != http.StatusOK || me.count(".flash") != 1 {
		t.Errorf("after accepting: %d, flash %q", me.status, me.text(".flash"))
	}
}

// checkJoined checks, on /me/access, that the person holds exactly want in Contoso Labs and
// nothing anywhere else.
func checkJoined(t *testing.T, a *app, b *browser, want []string) {
	t.Helper()
	me := b.get("/me/access")
	labs := me.doc.Find(fmt.Sprintf(`section:has(h2#scope-ws-%d) tr[data-permission]`, a.ids.wsLabs))
	var got []string
	labs.Each(func(_ int, s *goquerySelection) { got = append(got, s.AttrOr("data-permission", "")) })
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("permissions in Contoso Labs = %v, want exactly %v", got, want)
	}
	if all := me.count("tr[data-permission]"); all != len(want) {
		t.Errorf("%d permissions in all on /me/access, want %d", all, len(want))
	}
}

// TestInvitationJourneyOverSMTP: the same journey with a mail server: the message arrives over
// SMTP on a server the test runs on 127.0.0.1, and its link works.
func TestInvitationJourneyOverSMTP(t *testing.T) {
	a := newApp(t)
	smtp := mailertest.Start(t)
	sender, err := mailer.New(a.db, "smtp://"+smtp.Addr()+"?from=hub@contoso.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	admin := a.browserFor(csamActor)
	if r := admin.inviteForm(a.ids.wsLabs, "smtp.person@contoso.example", url.Values{"permission": {"programs"}, "make_admin": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	if n, err := sender.DeliverPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("delivered %d (%v), want 1", n, err)
	}
	got := smtp.Received()
	if len(got) != 1 || got[0].To != "smtp.person@contoso.example" {
		t.Fatalf("received %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	link := tokenInBody.FindString(string(body))
	if link == "" {
		t.Fatalf("no link in the mail: %s", body)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(body[strings.Index(string(body), "http"):])), "http://127.0.0.1") {
		t.Errorf("the link doesn't start with this server's address: %s", body)
	}
	out := admin.get(wsPath(a.ids.wsLabs, "/outbox"))
	if out.count("#outbox .badge-ok") != 1 {
		t.Error("the outbox doesn't show the message as sent")
	}
	acceptInvitation(t, a, link, "ru", "Степан Почтов")
	b := a.browser()
	b.login("smtp.person@contoso.example")
	// Workspace Admin brings every workspace permission of the role, plus the granted Programs.
	checkJoined(t, a, b, []string{"customer_activity", "health", "invite_users", "manage_users", "programs", "shared_files", "training", "training_manager", "view_all_support_cases"})
}

// TestAcceptWithAnExistingAccount: someone who already has an account signs in with it on the
// link's page (a wrong password is refused like at sign-in) and joins.
func TestAcceptWithAnExistingAccount(t *testing.T) {
	a := newApp(t)
	_, token := inviteAsAdmin(a, a.ids.wsLabs, "user@contoso.example", perm.Health)
	b := a.browser()
	page := b.get("/invitations/" + token)
	if page.count("#accept-form #f-password") != 1 || page.count("#f-name") != 0 {
		t.Fatal("an existing account isn't asked to sign in")
	}
	if r := b.post("/invitations/"+token, url.Values{"password": {"wrong password!"}}); r.status != http.StatusUnprocessableEntity ||
		r.text("#err-password") != "The email or password is not right. Check both and try again." {
		t.Errorf("wrong password: %d %q", r.status, r.text("#err-password"))
	}
	if r := b.post("/invitations/"+token, url.Values{"password": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("right password: %d", r.status)
	}
	me := b.get("/me/access")
	if me.count(fmt.Sprintf(`#scope-ws-%d`, a.ids.wsLabs)) != 1 || me.count(fmt.Sprintf(`section:has(#scope-ws-%d) tr[data-permission="health"]`, a.ids.wsLabs)) != 1 {
		t.Error("the existing user doesn't hold Health in Labs after joining")
	}
	if me.count(fmt.Sprintf(`section:has(#scope-ws-%d) tr[data-permission="training"]`, a.ids.wsContoso)) != 1 {
		t.Error("the existing user lost their Contoso permissions")
	}
}

func TestAcceptWhileSignedInAsSomeoneElse(t *testing.T) {
	a := newApp(t)
	_, token := inviteAsAdmin(a, a.ids.wsLabs, "someone.new@contoso.example")
	b := a.browserFor(plainUser)
	page := b.get("/invitations/" + token)
	if page.status != http.StatusOK || page.count("#accept-other") != 1 {
		t.Fatalf("signed in as another: %d, message %d", page.status, page.count("#accept-other"))
	}
	if r := b.post("/invitations/"+token, url.Values{"name": {"Mallory"}, "password": {demoPassword}, "password_again": {demoPassword}}); r.status != http.StatusForbidden {
		t.Errorf("accepting someone else's invitation: %d, want 403", r.status)
	}
	if r := a.browser().get("/invitations/" + token); r.status != http.StatusOK {
		t.Errorf("the link after the refused attempt: %d, want still 200", r.status)
	}
	// Signed in as the invitee, one click joins.
	_, mine := inviteAsAdmin(a, a.ids.wsLabs, "user@contoso.example", perm.Programs)
	if r := b.get("/invitations/" + mine); r.count(`#accept-form button`) != 1 || r.count("#f-password") != 0 {
		t.Error("the invitee, signed in, isn't offered a one-click join")
	}
	if r := b.post("/invitations/"+mine, nil); r.status != http.StatusSeeOther {
		t.Errorf("one-click join: %d", r.status)
	}
}

// TestAcceptRefusedWhenTheMSAExceptionIsSwitchedOff: an MSA invited while the exception was on
// can't accept once it is off (product.md §4: no new MSA invitation is accepted).
func TestAcceptRefusedWhenTheMSAExceptionIsSwitchedOff(t *testing.T) {
	a := newApp(t)
	id, token := inviteAsAdmin(a, a.ids.wsSandbox, "friend@outlook.example")
	if r := a.browser().get("/invitations/" + token); r.status != http.StatusOK {
		t.Fatalf("with the exception on: %d", r.status)
	}
	ga, _ := a.personAccess("global.admin@contoso.example")
	if err := a.db.SetMSAException(context.Background(), store.Actor{PersonID: ga.ID, Email: ga.Email}, a.ids.contoso, a.ids.wsSandbox, false); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	r := b.get("/invitations/" + token)
	if r.status != http.StatusForbidden || r.doc.Find("#invitation-gone").AttrOr("data-reason", "") != "msa" {
		t.Errorf("with the exception off: %d, want 403 and the MSA page", r.status)
	}
	if r := b.post("/invitations/"+token, url.Values{"name": {"Fred"}, "password": {demoPassword}, "password_again": {demoPassword}}); r.status != http.StatusForbidden {
		t.Errorf("accepting anyway: %d, want 403", r.status)
	}
	admin := a.browserFor(globalAdm)
	admin.get(wsPath(a.ids.wsSandbox, "/people"))
	if r := admin.post(wsPath(a.ids.wsSandbox, fmt.Sprintf("/invitations/%d/resend", id)), nil); r.status != http.StatusConflict {
		t.Errorf("resending an MSA invitation with the exception off: %d, want 409", r.status)
	}
	if r := admin.inviteForm(a.ids.wsSandbox, "another@hotmail.example", nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("new MSA invitation with the exception off: %d, want 422", r.status)
	}
}
