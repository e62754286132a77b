package web

import "net/url"

// The audit trail's routes for every actor: downloads are refused to Microsoft people (CSAM,
// Incident Manager) and the transparency page and the retention setting are the Global Admins'
// alone; Fabrikam's admin reaches only Fabrikam's own log (the current tenant).
func init() {
	globalAdminsOnly := func(ok int) map[actor]int {
		return want(403, anon, 303, disabledActor, 303, globalAdm, ok, fabrikamAdm, ok)
	}
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/admin/audit/integrity", want: tenantAdminOnly(200)},
		routeCase{method: "GET", path: "/admin/audit/evidence", build: func(*app, int64) (string, url.Values) {
			return "/admin/audit/evidence?from=2026-01-01&to=2026-12-31", nil
		}, want: globalAdminsOnly(200)},
		routeCase{method: "GET", path: "/admin/audit/export/jsonl", want: globalAdminsOnly(200)},
		routeCase{method: "GET", path: "/admin/audit/microsoft", want: globalAdminsOnly(200)},
		routeCase{method: "GET", path: "/admin/audit/microsoft/export", build: func(*app, int64) (string, url.Values) {
			return "/admin/audit/microsoft/export?format=jsonl", nil
		}, want: globalAdminsOnly(200)},
		routeCase{method: "POST", path: "/admin/settings/audit-retention", build: func(*app, int64) (string, url.Values) {
			return "/admin/settings/audit-retention", url.Values{"days": {"730"}}
		}, want: globalAdminsOnly(303)},
	)
}
