package views

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"

	"hubadmin/locales"
	"hubadmin/store"
	"hubadmin/store/perm"
)

// The audit log in words (issue 13). Each kind of entry has one sentence, in the same
// grammatical form in every language (the object first, then what happened to it: "Workspace
// renamed from “Labs” to “Contoso Labs”"), message auditwords.<action>. The Change column
// lists what changed field by field with the fields' names translated (audit.field.<key>), and
// stored values shown as words (roles, permissions, states, newsletters, dates). A test renders
// every kind of entry in en, fr and ru and fails on any internal name.

// auditSentenceData is what a sentence may say.
type auditSentenceData struct {
	Target     string // the label of what the entry is about (a name, an email, a number)
	Before     string // the value before, when it is one simple value
	After      string // the value after, when it is one simple value
	Field      string // the one field switched (a setting), translated
	State      string // its new state in a word (on, off)
	Workspace  string // the workspace named in the entry's values
	Newsletter string // the newsletter named in the entry's values
}

// internalValues are actions whose stored values are bookkeeping (an invitation's row ids), not
// something to show.
var internalValues = map[string]bool{"invitation.resend": true}

// AuditSentence is one entry of the audit log as a sentence in the reader's language.
func AuditSentence(ctx context.Context, r store.AuditRecord) string {
	before, after := auditObject(r.Before), auditObject(r.After)
	d := auditSentenceData{Target: r.TargetLabel}
	if before == nil && !internalValues[r.Action] {
		d.Before = AuditValue(ctx, r.Before)
	}
	if after == nil && !internalValues[r.Action] {
		d.After = AuditValue(ctx, r.After)
	}
	for _, obj := range []map[string]any{after, before} {
		if len(obj) == 1 {
			for k, v := range obj {
				if b, ok := v.(bool); ok && d.State == "" {
					d.Field, d.State = auditFieldLabel(ctx, k), auditJSONText(ctx, b)
				}
			}
		}
		if ws, ok := obj["workspace"].(string); ok && d.Workspace == "" {
			d.Workspace = ws
		}
		if nl, ok := obj["newsletter"].(string); ok && d.Newsletter == "" {
			d.Newsletter = AuditValue(ctx, nl)
		}
	}
	id := "auditwords." + r.Action
	if r.Action == "workspace.update" && before != nil && after != nil && before["name"] != after["name"] &&
		len(auditChangedKeys(before, after)) == 1 {
		id = "auditwords.workspace.rename"
		d.Before, d.After = auditJSONText(ctx, before["name"]), auditJSONText(ctx, after["name"])
	}
	loc := locales.From(ctx)
	if !loc.Has(id) {
		return t(ctx, "audit.action."+r.Action) // a new kind of entry without its sentence yet
	}
	return loc.T(id, "Target", d.Target, "Before", d.Before, "After", d.After, "Field", d.Field, "State", d.State,
		"Workspace", d.Workspace, "Newsletter", d.Newsletter)
}

// AuditChanges lists an entry's details in words: for an edit, each changed field with its old
// and new value; for a creation or a removal, each field with its value. Simple values are said
// by the sentence already, so they add nothing here.
func AuditChanges(ctx context.Context, r store.AuditRecord) []string {
	if internalValues[r.Action] {
		return nil
	}
	before, after := auditObject(r.Before), auditObject(r.After)
	var out []string
	switch {
	case before != nil && after != nil:
		for _, k := range auditChangedKeys(before, after) {
			out = append(out, t(ctx, "auditwords.changed", "Field", auditFieldLabel(ctx, k),
				"Before", auditJSONText(ctx, before[k]), "After", auditJSONText(ctx, after[k])))
		}
	case before != nil || after != nil:
		obj := after
		if obj == nil {
			obj = before
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, t(ctx, "audit.pair", "Field", auditFieldLabel(ctx, k), "Value", auditJSONText(ctx, obj[k])))
		}
	}
	return out
}

// auditObject parses a stored JSON object; nil when the value is not one.
func auditObject(raw string) map[string]any {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "{") {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil {
		return nil
	}
	return m
}

// auditChangedKeys are the keys whose values differ, sorted.
func auditChangedKeys(before, after map[string]any) []string {
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return slices.DeleteFunc(keys, func(k string) bool {
		b, _ := json.Marshal(before[k])
		a, _ := json.Marshal(after[k])
		return string(a) == string(b)
	})
}

// auditFieldLabel is a stored field's name in words: audit.field.<key>, or, for the keys of a
// per-newsletter count, the newsletter's name. A key with neither shows as it is (a test keeps
// every key the store writes translated).
func auditFieldLabel(ctx context.Context, key string) string {
	loc := locales.From(ctx)
	for _, id := range []string{"audit.field." + key, "newsletter." + key + ".name"} {
		if loc.Has(id) {
			return loc.T(id)
		}
	}
	return key
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// auditAccessList reads a stored list of roles or permissions, each perhaps scoped to a
// workspace by its id ("global_admin workspace_admin:3"), as their names; ok is false when raw
// is not such a list.
func auditAccessList(ctx context.Context, raw string) (string, bool) {
	tokens := strings.Fields(raw)
	if len(tokens) < 2 && !strings.Contains(raw, ":") {
		return "", false
	}
	names := make([]string, 0, len(tokens))
	for _, tok := range tokens {
		name, scope, scoped := strings.Cut(tok, ":")
		var label string
		if r := perm.Role(name); r.Valid() {
			label = t(ctx, r.MessageID()+".name")
		} else if p := perm.Permission(name); p.Valid() {
			label = t(ctx, p.MessageID()+".name")
		} else {
			return "", false
		}
		if scoped {
			if strings.Trim(scope, "0123456789") != "" {
				return "", false
			}
			label = t(ctx, "auditwords.in_workspace", "Name", label)
		}
		names = append(names, label)
	}
	return strings.Join(names, ", "), true
}
