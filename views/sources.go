package views

import (
	"context"

	"hubadmin/store/perm"
)

// SourceText says in words why a permission is held.
func SourceText(ctx context.Context, s perm.Source) string {
	switch s.Kind {
	case perm.SourceRole:
		return t(ctx, "access.source.role", "Role", t(ctx, s.Role.MessageID()+".name"))
	case perm.SourceGroup:
		name := ""
		if s.Group != nil {
			name = s.Group.Name
		}
		if s.Role != "" {
			return t(ctx, "access.source.group_role", "Group", name, "Role", t(ctx, s.Role.MessageID()+".name"))
		}
		return t(ctx, "access.source.group_grant", "Group", name)
	case perm.SourceGrant:
		return t(ctx, "access.source.grant")
	}
	return ""
}
