package web

import "net/url"

func init() {
	routeCases = append(routeCases,
		// Without a half-authenticated session, the code step sends everyone to sign in (or home).
		routeCase{method: "GET", path: "/login/two-step", want: want(303)},
		routeCase{method: "POST", path: "/login/two-step", build: func(*app, int64) (string, url.Values) {
			return "/login/two-step", url.Values{"code": {"123456"}}
		}, want: want(303)},
		routeCase{method: "GET", path: "/me/two-step", want: signedInOnly(200)},
		routeCase{method: "POST", path: "/me/two-step/enable", build: func(*app, int64) (string, url.Values) {
			return "/me/two-step/enable", url.Values{"code": {"000000"}}
		}, want: signedInOnly(422)},
		// Not on yet: nothing to turn off, back to the page.
		routeCase{method: "POST", path: "/me/two-step/disable", build: func(*app, int64) (string, url.Values) {
			return "/me/two-step/disable", url.Values{"code": {"000000"}}
		}, want: signedInOnly(303)},
	)
}
