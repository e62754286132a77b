package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"hubadmin/store/perm"
)

// Need is what a route demands of the person asking. The zero Need denies everyone: a route
// added without thinking about access answers 403 (and a test fails).
type Need struct {
	public   bool
	signedIn bool
	// tenantAny: any one of these tenant-level permissions in the current tenant.
	tenantAny []perm.Permission
	// workspaceAny: any one of these permissions in the workspace named by the :ws parameter,
	// which must belong to the current tenant (else 404).
	workspaceAny []perm.Permission
	// tenantAdminToo: in a workspace route, tenant admins (Global Admin, CSAM) pass as well.
	tenantAdminToo bool
	// csm: the tenant's designated Customer Support Manager passes (product.md §6); with
	// tenantAny set, either suffices.
	csm bool
	// exportRefusedID, when set, marks a CSV download: Microsoft people are refused it whatever
	// they hold (product.md footnote 1), with this message.
	exportRefusedID string
}

// Public routes are open to everyone, signed in or not.
var Public = Need{public: true}

// SignedIn routes are open to anyone signed in.
var SignedIn = Need{signedIn: true}

// TenantAny needs one of the tenant-level permissions in the current tenant.
func TenantAny(ps ...perm.Permission) Need { return Need{signedIn: true, tenantAny: ps} }

// TenantAdmin is what the Admin Center needs: tenant-level admin or Microsoft tenant-level admin.
var TenantAdmin = TenantAny(perm.TenantAdmin, perm.MSTenantAdmin)

// WorkspaceAny needs one of the permissions in the workspace of the path's :ws.
func WorkspaceAny(ps ...perm.Permission) Need { return Need{signedIn: true, workspaceAny: ps} }

// WorkspaceAnyOrTenantAdmin is WorkspaceAny that also lets tenant admins in.
func WorkspaceAnyOrTenantAdmin(ps ...perm.Permission) Need {
	return Need{signedIn: true, workspaceAny: ps, tenantAdminToo: true}
}

// CSMOrTenantAdmin lets in the tenant's CSM and its tenant admins (the quick start of §6).
var CSMOrTenantAdmin = Need{signedIn: true, csm: true, tenantAny: []perm.Permission{perm.TenantAdmin, perm.MSTenantAdmin}}

// Export marks a route as a data export (a CSV download): on top of n, Microsoft people are
// refused it with the message refusedID, whatever their permissions (product.md footnote 1).
func (n Need) Export(refusedID string) Need {
	n.exportRefusedID = refusedID
	return n
}

// Describe says in words what the need is (tests and the route listing in docs).
func (n Need) Describe() string {
	switch {
	case n.public:
		return "public"
	case len(n.workspaceAny) > 0:
		return "workspace:" + joinPerms(n.workspaceAny)
	case n.exportRefusedID != "":
		n.exportRefusedID = ""
		return n.Describe() + ", no Microsoft export"
	case len(n.tenantAny) > 0 && n.csm:
		return "csm or tenant:" + joinPerms(n.tenantAny)
	case len(n.tenantAny) > 0:
		return "tenant:" + joinPerms(n.tenantAny)
	case n.signedIn:
		return "signed in"
	}
	return "nobody"
}

func joinPerms(ps []perm.Permission) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "|"
		}
		s += string(p)
	}
	return s
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Need    Need
	Handler echo.HandlerFunc
}

// Needs shared by several lines of the table.
var (
	needPeopleView   = WorkspaceAnyOrTenantAdmin(perm.ManageUsers, perm.InviteUsers)
	needPeopleManage = WorkspaceAnyOrTenantAdmin(perm.ManageUsers)
	// Microsoft's "Manage users" page: the Microsoft Entra group access tab is there for
	// holders of Invite users (issue 12, point 3). What they may give a group is the store's
	// rule (store.MayGrant, store.CanGiveGroupRole); the forms offer only that.
	needGroupAccess = WorkspaceAnyOrTenantAdmin(perm.InviteUsers, perm.ManageUsers)
	// agreementsNeed is what adding and removing agreements needs: Microsoft tenant-level admin
	// (the CSAM). The Tenant tab reads it too, to offer those actions only to who may use them.
	agreementsNeed = TenantAny(perm.MSTenantAdmin)
)

const (
	get  = http.MethodGet
	head = http.MethodHead
	post = http.MethodPost
)

// routeTable is every route of the product, one line each with what it needs: the one list
// the middleware mounts and the access tests read.
func (s *Server) routeTable() []Route {
	static := echo.WrapHandler(staticHandler)
	return []Route{
		// System
		{get, "/healthz", Public, s.healthz},
		{get, "/readyz", Public, s.readyz},
		{get, "/static/*", Public, static},
		{head, "/static/*", Public, static},
		{post, "/lang", Public, s.setLanguage},

		// Sign in and out (auth.go)
		{get, "/login", Public, s.loginForm},
		{post, "/login", Public, s.login},
		{post, "/logout", Public, s.logout},
		{get, "/login/two-step", Public, s.twoStepForm},
		{post, "/login/two-step", Public, s.twoStepVerify},

		// Two-step verification of the signed-in person (twostep.go)
		{get, "/me/two-step", SignedIn, s.twoStepShow},
		{post, "/me/two-step/enable", SignedIn, s.twoStepEnable},
		{post, "/me/two-step/disable", SignedIn, s.twoStepDisable},

		// Home and tenant switch (home.go)
		{get, "/", Public, s.home},
		{get, "/admin", TenantAdmin, s.adminOverview},
		{post, "/tenant", SignedIn, s.switchTenant},

		// Roles matrix and my access (access.go)
		{get, "/roles", Public, s.rolesMatrix},
		{get, "/me/access", SignedIn, s.myAccess},
		{post, "/me/preferences", SignedIn, s.savePreferences}, // the profile menu (issue 13)

		// Tenant tab (tenants.go)
		{get, "/admin/tenant", TenantAdmin, s.tenantShow},
		{post, "/admin/tenant/name", TenantAdmin, s.tenantRename},
		{post, "/admin/tenant/agreements", agreementsNeed, s.agreementAdd},
		{get, "/admin/tenant/agreements/:id/remove", agreementsNeed, s.agreementRemoveConfirm},
		{post, "/admin/tenant/agreements/:id/remove", agreementsNeed, s.agreementRemove},
		{post, "/admin/tenant/agreements/:id/seats", agreementsNeed, s.agreementSetSeats},
		{post, "/admin/tenant/csm", agreementsNeed, s.tenantSetCSM},

		// Cloud support request visibility (cloudassets.go)
		{get, cloudPath, needCloudView, s.cloudShow},
		{post, cloudPath + "/assets", needCloudManage, s.cloudAdd},
		{post, cloudPath + "/assets/:id/visibility", needCloudManage, s.cloudSetVisible},
		{post, cloudPath + "/assets/:id/remove", needCloudManage, s.cloudRemove},

		// Global admins (globaladmins.go)
		{get, "/admin/global-admins", TenantAdmin, s.globalAdminsList},
		{post, "/admin/global-admins", TenantAdmin, s.globalAdminAdd},
		{post, "/admin/global-admins/invite", TenantAdmin, s.globalAdminInvite},
		{get, "/admin/global-admins/:id/remove", TenantAdmin, s.globalAdminRemoveConfirm},
		{post, "/admin/global-admins/:id/remove", TenantAdmin, s.globalAdminRemove},
		{get, tenantOutboxPath, TenantAdmin, s.tenantOutbox},
		{post, "/admin/invitations/:inv/revoke", TenantAdmin, s.tenantInvitationRevoke},

		// Tenant settings (settings.go)
		{get, "/admin/settings", TenantAdmin, s.settingsShow},
		{post, "/admin/settings", TenantAdmin, s.settingsSave},

		// Tenant management (management.go)
		{get, "/admin/management", TenantAdmin, s.managementShow},
		{post, "/admin/management/grant", TenantAdmin, s.managementGrant},
		{post, "/admin/management/revoke", TenantAdmin, s.managementRevoke},

		// Audit log (auditlog.go)
		{get, "/admin/audit", TenantAdmin, s.auditShow},
		{get, "/admin/audit/export", TenantAdmin.Export("audit.export.refused"), s.auditExport},

		// Audit trail: integrity, evidence, JSON Lines, retention, Microsoft transparency (audittrail.go)
		{get, "/admin/audit/integrity", TenantAdmin, s.auditIntegrity},
		{get, "/admin/audit/evidence", TenantAdmin.Export("audit.export.refused"), s.auditEvidence},
		{get, "/admin/audit/export/jsonl", TenantAdmin.Export("audit.export.refused"), s.auditExportJSONL},
		{get, "/admin/audit/microsoft", needGlobalAdminNotMicrosoft, s.auditMicrosoft},
		{get, "/admin/audit/microsoft/export", needGlobalAdminNotMicrosoft, s.auditMicrosoftExport},
		{post, "/admin/settings/audit-retention", needGlobalAdminNotMicrosoft, s.auditRetentionSave},

		// Newsletters (newsletters.go)
		{get, newsletterPath, TenantAdmin, s.newsletterList},
		{post, newsletterPath + "/subscriptions", TenantAdmin, s.newsletterSubscribe},
		{post, newsletterPath + "/subscriptions/:id/unsubscribe", TenantAdmin, s.newsletterUnsubscribe},
		{post, newsletterPath + "/unsubscribe", TenantAdmin, s.newsletterBulkUnsubscribe},
		{get, newsletterPath + "/export", TenantAdmin.Export("newsletter.export.refused"), s.newsletterExport},
		{get, newsletterPath + "/import", TenantAdmin, s.newsletterImportForm},
		{post, newsletterPath + "/import", TenantAdmin, s.newsletterImportUpload},
		{get, newsletterPath + "/import/:token", TenantAdmin, s.newsletterImportPreview},
		{post, newsletterPath + "/import/:token", TenantAdmin, s.newsletterImportConfirm},

		// Directory groups (groups.go)
		{get, "/admin/groups", TenantAdmin, s.groupList},
		{get, "/admin/groups/new", TenantAdmin, s.groupNew},
		{post, "/admin/groups", TenantAdmin, s.groupCreate},
		{get, "/admin/groups/:id", TenantAdmin, s.groupView},
		{post, "/admin/groups/:id/rename", TenantAdmin, s.groupRename},
		{post, "/admin/groups/:id/members", TenantAdmin, s.groupAddMembers},
		{post, "/admin/groups/:id/members/remove", TenantAdmin, s.groupRemoveMember},
		{post, "/admin/groups/:id/roles", TenantAdmin, s.groupGrantRole},
		{post, "/admin/groups/:id/roles/remove", TenantAdmin, s.groupRevokeRole},
		{post, "/admin/groups/:id/grants", TenantAdmin, s.groupGrantPermission},
		{post, "/admin/groups/:id/grants/remove", TenantAdmin, s.groupRevokePermission},
		{get, "/admin/groups/:id/delete", TenantAdmin, s.groupDeleteConfirm},
		{post, "/admin/groups/:id/delete", TenantAdmin, s.groupDelete},

		// A workspace's directory group access (groupaccess.go)
		{get, "/workspaces/:ws/groups", needGroupAccess, s.workspaceGroups},
		{post, "/workspaces/:ws/groups", needGroupAccess, s.workspaceGroupGive},
		{get, "/workspaces/:ws/groups/:id", needGroupAccess, s.workspaceGroupEdit},
		{post, "/workspaces/:ws/groups/:id", needGroupAccess, s.workspaceGroupSet},
		{post, "/workspaces/:ws/groups/:id/revoke", needGroupAccess, s.workspaceGroupRevoke},

		// Quick start of the administration model (quickstart.go)
		{get, "/quickstart", CSMOrTenantAdmin, s.quickstart},
		{get, "/quickstart/switch", CSMOrTenantAdmin, s.quickstartSwitchConfirm},
		{post, "/quickstart/switch", CSMOrTenantAdmin, s.quickstartSwitch},
		{get, "/quickstart/:model", CSMOrTenantAdmin, s.quickstartSteps},
		{post, "/quickstart/:model/group", CSMOrTenantAdmin, s.quickstartGroup},
		{post, "/quickstart/:model/role", CSMOrTenantAdmin, s.quickstartRole},
		{post, "/quickstart/:model/members", CSMOrTenantAdmin, s.quickstartMembers},
		{post, "/quickstart/:model/members/remove", CSMOrTenantAdmin, s.quickstartRemoveMember},
		{post, "/quickstart/:model/finish", CSMOrTenantAdmin, s.quickstartFinish},

		// Workspaces (workspaces.go)
		{get, "/admin/workspaces", TenantAdmin, s.workspacesList},
		{get, "/admin/workspaces/new", TenantAdmin, s.workspaceNewForm},
		{post, "/admin/workspaces", TenantAdmin, s.workspaceCreate},
		{get, "/admin/workspaces/:id", TenantAdmin, s.workspaceShow},
		{get, "/admin/workspaces/:id/edit", TenantAdmin, s.workspaceEditForm},
		{post, "/admin/workspaces/:id/edit", TenantAdmin, s.workspaceUpdate},
		{get, "/admin/workspaces/:id/delete", TenantAdmin, s.workspaceDeleteConfirm},
		{post, "/admin/workspaces/:id/delete", TenantAdmin, s.workspaceDelete},
		{post, "/admin/workspaces/:id/msa", TenantAdmin, s.workspaceSetMSA},
		{get, "/admin/workspaces/:id/msa-off", TenantAdmin, s.workspaceMSAOffConfirm},
		{post, "/admin/workspaces/:id/msa-people/:person/remove", TenantAdmin, s.workspaceRemoveMSAPerson},

		// A workspace's people (members.go)
		{get, "/workspaces/:ws/people", needPeopleView, s.peopleList},
		{get, "/workspaces/:ws/people/:person", needPeopleView, s.personShow},
		{post, "/workspaces/:ws/people/:person/permissions", needPeopleManage, s.personSetPermission},
		{post, "/workspaces/:ws/people/:person/admin", needPeopleManage, s.personSetAdmin},
		{get, "/workspaces/:ws/people/:person/remove", needPeopleManage, s.personRemoveConfirm},
		{post, "/workspaces/:ws/people/:person/remove", needPeopleManage, s.personRemove},

		// Invitations, CSV import and the outbox (invitations.go)
		{get, "/workspaces/:ws/people/invite", needPeopleView, s.inviteForm},
		{post, "/workspaces/:ws/people/invite", needPeopleView, s.invite},
		{post, "/workspaces/:ws/people/import", needPeopleView, s.importPreview},
		{post, "/workspaces/:ws/people/import/confirm", needPeopleView, s.importConfirm},
		{post, "/workspaces/:ws/invitations/:inv/resend", needPeopleView, s.invitationResend},
		{post, "/workspaces/:ws/invitations/:inv/revoke", needPeopleView, s.invitationRevoke},
		{get, "/workspaces/:ws/outbox", needPeopleView, s.outbox},
		{get, "/invitations/:token", Public, s.acceptForm},
		{post, "/invitations/:token", Public, s.accept},
	}
}

// register mounts the routes behind the access check, plus a catch-all that denies.
func (s *Server) register() {
	for _, r := range s.routes {
		s.e.Add(r.Method, r.Path, r.Handler, s.authorize(r.Need))
	}
}

// authorize is the deny-by-default check run before every handler.
func (s *Server) authorize(need Need) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if need.exportRefusedID != "" {
			next = refuseMicrosoftExport(next, need.exportRefusedID)
		}
		return func(c echo.Context) error {
			rq := req(c)
			if need.public {
				return next(c)
			}
			if !need.signedIn {
				return echo.ErrForbidden
			}
			if rq.Viewer == nil {
				return redirectToLogin(c)
			}
			v := rq.Viewer
			if len(need.workspaceAny) > 0 {
				if v.Tenant.ID == 0 {
					return echo.ErrNotFound
				}
				wsID, err := strconv.ParseInt(c.Param("ws"), 10, 64)
				if err != nil {
					return echo.ErrNotFound
				}
				// The request base read the :ws workspace of the current tenant with the access.
				if v.Workspace == nil || v.Workspace.ID != wsID {
					return echo.ErrNotFound // another tenant's workspace does not exist here
				}
				ws := *v.Workspace
				rq.Workspace = &ws
				if need.tenantAdminToo && v.Access.IsTenantAdmin() {
					return next(c)
				}
				for _, p := range need.workspaceAny {
					if v.Access.Workspace(ws.ID, p) {
						return next(c)
					}
				}
				return echo.ErrForbidden
			}
			if len(need.tenantAny) > 0 || need.csm {
				if v.Tenant.ID == 0 {
					return echo.ErrForbidden
				}
				if need.csm && v.IsCSM() {
					return next(c)
				}
				for _, p := range need.tenantAny {
					if v.Access.Tenant(p) {
						return next(c)
					}
				}
				return echo.ErrForbidden
			}
			return next(c)
		}
	}
}

// refuseMicrosoftExport runs after the route's need is met: Microsoft people never export.
func refuseMicrosoftExport(next echo.HandlerFunc, refusedID string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !perm.ExportAllowed(req(c).Viewer.Person.Microsoft) {
			return &pageError{status: http.StatusForbidden, titleID: "error.403.title", messageID: refusedID}
		}
		return next(c)
	}
}

// redirectToLogin sends an anonymous visitor to sign in and back where they were going.
func redirectToLogin(c echo.Context) error {
	target := "/login"
	if c.Request().Method == http.MethodGet {
		target += "?next=" + urlQueryEscape(c.Request().URL.RequestURI())
	}
	return seeOther(c, target)
}
