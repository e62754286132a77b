package views

import "github.com/a-h/templ"

// The one htmx pattern of the admin center (issue 11, consolidation in views): a form that
// works as a plain form and, with htmx, sends the same request and swaps one part of the page
// (#id) with the same part of the answer, so a 422 shows its errors in place. A search also
// pushes its URL, so the list's state stays in the address bar.

// hxSwap is that pattern for a form sending method ("get" or "post") to url.
func hxSwap(method, url, id string) templ.Attributes {
	return templ.Attributes{
		"hx-" + method: url,
		"hx-target":    "#" + id,
		"hx-select":    "#" + id,
		"hx-swap":      "outerHTML",
	}
}

// hxSearch is hxSwap for a GET search form: the results' URL goes into the history.
func hxSearch(url, id string) templ.Attributes {
	a := hxSwap("get", url, id)
	a["hx-push-url"] = "true"
	return a
}
