package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hubadmin/locales"
	"hubadmin/store"
	"hubadmin/views"
)

// auditSamples are entries of every kind, with before and after shaped as the store writes them
// (store/*.go: the audit calls and their *Audit structs).
var auditSamples = map[string][2]string{
	"admin_model.group":           {"Old admins", "Contoso admins"},
	"admin_model.set":             {"delegation", "administration"},
	"agreement.add":               {"", `{"number":"U-4000-2026","kind":"unified","starts_on":"2026-01-01","ends_on":"2026-12-31"}`},
	"agreement.remove":            {`{"number":"U-4000-2026","kind":"premier","starts_on":"2026-01-01","ends_on":"2026-12-31"}`, ""},
	"global_admin.add":            {"", "global_admin"},
	"global_admin.remove":         {"global_admin", ""},
	"grant.add":                   {"", "view_open_canvas"},
	"grant.remove":                {"view_engagements", ""},
	"group.create":                {"", `{"group_name":"Ops","group_object_id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301"}`},
	"group.rename":                {"Ops", "Operations"},
	"group.delete":                {`{"group_name":"Ops","group_object_id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","group_members":3,"group_roles":"global_admin workspace_admin:3","group_grants":"training:2 support_contact"}`, ""},
	"group.member.add":            {"", "wanda@contoso.example"},
	"group.member.remove":         {"wanda@contoso.example", ""},
	"group.role.add":              {"", "workspace_admin"},
	"group.role.remove":           {"services_admin", ""},
	"group.grant.add":             {"", "training"},
	"group.grant.remove":          {"support_contact", ""},
	"invitation.create":           {"", `{"permissions":["training","support_contact"],"workspace_admin":true}`},
	"invitation.accept":           {"", `{"permissions":[],"workspace_admin":false}`},
	"invitation.resend":           {"invitation 12", "invitation 13"},
	"invitation.revoke":           {"pending", ""},
	"people.admin.add":            {"", "workspace_admin"},
	"people.admin.remove":         {"workspace_admin", ""},
	"people.remove":               {`{"status":"active","permissions":["training"],"workspace_admin":true}`, ""},
	"newsletter.subscribe":        {"", `{"subscriber":"nina@contoso.example","newsletter":"product_updates"}`},
	"newsletter.unsubscribe":      {`{"subscriber":"nina@contoso.example","newsletter":"security_advisories"}`, ""},
	"newsletter.import":           {"", `{"import_file":"list.csv","import_rows":4,"imported":3,"import_skipped":1,"by_newsletter":{"product_updates":2,"events_training":1}}`},
	"tenant.rename":               {"Labs", "Contoso Labs"},
	"tenant.setting":              {`{"show_names_training":false}`, `{"show_names_training":true}`},
	"workspace.create":            {"", `{"name":"Research","description":"Lab work","agreement":"P-2000-2026","msa_exception":false}`},
	"workspace.update":            {`{"name":"Labs","description":"","agreement":"P-2000-2026","msa_exception":false}`, `{"name":"Labs","description":"Lab work","agreement":"U-1000-2026","msa_exception":false}`},
	"workspace.delete":            {`{"name":"Labs","description":"","agreement":"P-2000-2026","msa_exception":true,"members":4,"grants":2,"admin_roles":1,"pending_invitations":0}`, ""},
	"workspace.msa_exception":     {`{"msa_exception":true}`, `{"msa_exception":false}`},
	"agreement.seats":             {`{"support_contact_seats":5}`, `{"support_contact_seats":6}`},
	"tenant.csm":                  {"", "services.admin@contoso.example"},
	"cloud_asset.add":             {"", `{"kind":"azure_subscription","name":"Prod","id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","visible":false}`},
	"cloud_asset.remove":          {`{"kind":"m365_tenant","name":"Contoso M365","id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","visible":true}`, ""},
	"cloud_asset.visibility":      {`{"visible":false}`, `{"visible":true}`},
	"audit.retention":             {`{"retention_days":365}`, `{"retention_days":730}`},
	"audit.purge":                 {"", `{"from":"2025-01-01T00:00:00.000000000Z","to":"2025-06-30T00:00:00.000000000Z","count":1200,"checkpoint_hash":"93b2abd465cf59cb9f3e612fc7c5a965513e1610d9200b36a43c3d6c7ebc3831","retention_days":365}`},
	"workspace.msa_person_remove": {`{"workspace":"Contoso Sandbox","status":"active","grants":["training"],"workspace_admin":false}`, ""},
}

// storeAuditActions reads the actions the store writes from its source, with the file of each.
func storeAuditActions(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	action := regexp.MustCompile(`Action:\s*"([^"]+)"`)
	found := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			found[m[1]] = filepath.Base(f)
		}
	}
	return found
}

// internalName is what must never reach a reader: a snake_case key or value, a JSON brace, a
// message ID.
var internalName = regexp.MustCompile(`[a-z]+_[a-z_]+|[{}]|audit(words)?\.[a-z]`)

// TestAuditEntriesInWords renders an entry of every kind the store writes, in en, fr and ru, and
// fails on any internal name in its sentence or its changes; each kind has its own sentence.
func TestAuditEntriesInWords(t *testing.T) {
	actions := storeAuditActions(t)
	if len(actions) < 20 {
		t.Fatalf("found only %d actions in the store: the pattern no longer matches", len(actions))
	}
	for action, file := range actions {
		sample, ok := auditSamples[action]
		if !ok {
			t.Errorf("action %q (in %s) has no sample here: add one shaped as the store writes it", action, file)
			continue
		}
		for _, lang := range locales.Languages {
			loc := locales.New(lang)
			if !loc.Has("auditwords." + action) {
				t.Errorf("%s: action %q has no sentence (auditwords.%s)", lang, action, action)
			}
			ctx := locales.WithLocalizer(context.Background(), loc)
			r := store.AuditRecord{Action: action, TargetLabel: "Contoso Labs", Before: sample[0], After: sample[1]}
			sentence := views.AuditSentence(ctx, r)
			changes := views.AuditChanges(ctx, r)
			all := sentence + "\n" + strings.Join(changes, "\n")
			if m := internalName.FindString(all); m != "" {
				t.Errorf("%s, %s: shows the internal %q in:\n%s", lang, action, m, all)
			}
			if strings.Contains(sentence, "<no value>") || strings.Contains(sentence, "“”") || strings.Contains(sentence, "« »") || strings.Contains(sentence, "«»") {
				t.Errorf("%s, %s: the sentence misses a value: %q", lang, action, sentence)
			}
		}
	}
}

// TestAuditSentenceExamples pins a few sentences as a reader sees them.
func TestAuditSentenceExamples(t *testing.T) {
	tests := []struct {
		lang, action, before, after, want string
	}{
		{"en", "workspace.update", `{"name":"Labs","description":"","agreement":"P-2000-2026","msa_exception":false}`, `{"name":"Contoso Labs","description":"","agreement":"P-2000-2026","msa_exception":false}`, "Workspace renamed from “Labs” to “Contoso Labs”"},
		{"fr", "tenant.rename", "Labs", "Contoso Labs", "Client renommé de « Labs » en « Contoso Labs »"},
		{"ru", "workspace.msa_exception", `{"msa_exception":true}`, `{"msa_exception":false}`, "Исключение MSA рабочей области «Contoso Labs»: " + locales.New("ru").T("settings.state.off")},
		{"en", "grant.add", "", "view_open_canvas", "Permission “View Open Canvas” granted to Contoso Labs"},
	}
	for _, tt := range tests {
		ctx := locales.WithLocalizer(context.Background(), locales.New(tt.lang))
		got := views.AuditSentence(ctx, store.AuditRecord{Action: tt.action, TargetLabel: "Contoso Labs", Before: tt.before, After: tt.after})
		if got != tt.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tt.lang, tt.action, got, tt.want)
		}
	}
	ctx := locales.WithLocalizer(context.Background(), locales.New("en"))
	changes := views.AuditChanges(ctx, store.AuditRecord{Action: "workspace.update",
		Before: `{"name":"Labs","description":"","agreement":"P-2000-2026"}`, After: `{"name":"Labs","description":"Lab work","agreement":"P-2000-2026"}`})
	if len(changes) != 1 || changes[0] != "Description: “” → “Lab work”" {
		t.Errorf("changes = %q, want only the description", changes)
	}
}

// isSentence tells whether got begins like the sentence of action in lang (the part of the
// message before its first value), so a browser journey knows it shows the right kind of entry.
func (a *app) isSentence(lang, action, got string) bool {
	msg := locales.New(lang).T("auditwords."+action, "Target", "\x00", "Before", "\x00", "After", "\x00", "Field", "\x00", "State", "\x00", "Workspace", "\x00", "Newsletter", "\x00")
	prefix, _, _ := strings.Cut(msg, "\x00")
	return strings.HasPrefix(got, strings.TrimSpace(prefix))
}
