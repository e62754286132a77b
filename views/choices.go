package views

import (
	"context"

	"hubadmin/store"
)

// The option lists of the shared SelectField, in words; the first option of a filter is "any".

func groupRoleChoices(ctx context.Context) []SelectOption {
	out := []SelectOption{{Value: "", Label: t(ctx, "groups.list.any_role")}}
	for _, r := range store.GroupRoles() {
		out = append(out, SelectOption{Value: string(r), Label: GroupRoleName(ctx, r)})
	}
	return out
}

func groupStatusChoices(ctx context.Context) []SelectOption {
	out := []SelectOption{{Value: "", Label: t(ctx, "groups.list.any_status")}}
	for _, s := range store.GroupStatuses() {
		out = append(out, SelectOption{Value: s, Label: groupStatusLabel(ctx, s)})
	}
	return out
}

func auditActionChoices(ctx context.Context, actions []string) []SelectOption {
	out := []SelectOption{{Value: "", Label: t(ctx, "audit.filter.any_action")}}
	for _, a := range actions {
		out = append(out, SelectOption{Value: a, Label: t(ctx, "audit.action."+a)})
	}
	return out
}
