package views

// Paths of the product's pages that carry an id, built in one place for the handlers (their
// redirects) and the templates (their links and form actions). The route table (web/routes.go)
// holds the same paths as patterns.

// WorkspacePeoplePath is a workspace's people list.
func WorkspacePeoplePath(wsID int64) string { return "/workspaces/" + itoa(wsID) + "/people" }

// WorkspacePersonPath is one person's page in a workspace.
func WorkspacePersonPath(wsID, personID int64) string {
	return WorkspacePeoplePath(wsID) + "/" + itoa(personID)
}

// WorkspaceInvitationPath is one invitation of a workspace (its resend and revoke actions).
func WorkspaceInvitationPath(wsID, invID int64) string {
	return "/workspaces/" + itoa(wsID) + "/invitations/" + itoa(invID)
}

// WorkspaceGroupsPath is a workspace's directory group access page.
func WorkspaceGroupsPath(wsID int64) string { return "/workspaces/" + itoa(wsID) + "/groups" }

// AdminWorkspacePath is a workspace's page in the Admin Center.
func AdminWorkspacePath(wsID int64) string { return "/admin/workspaces/" + itoa(wsID) }

// AdminGroupPath is a directory group's page in the Admin Center.
func AdminGroupPath(groupID int64) string { return "/admin/groups/" + itoa(groupID) }

// QuickstartPath is the steps page of an administration model.
func QuickstartPath(model string) string { return "/quickstart/" + model }
