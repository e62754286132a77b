package web

import (
	"net/url"

	"hubadmin/store"
)

// pageCursors reads a list's cursors from its query: only a valid one is kept, and after wins,
// as the store reads them; a malformed cursor shows the first page.
func pageCursors(q url.Values) (after, before string) {
	if _, ok := store.DecodeCursor(q.Get("after")); ok {
		return q.Get("after"), ""
	}
	if _, ok := store.DecodeCursor(q.Get("before")); ok {
		return "", q.Get("before")
	}
	return "", ""
}

// listURL builds the URL of a list with its state (search, filters, sort, cursor) in the query,
// so every list is bookmarkable and the back button works. Empty values are left out; set
// drops the cursor whenever anything but the cursor changes, so a new search starts on page 1.
func listURL(path string, state url.Values, set ...string) string {
	q := url.Values{}
	for k, v := range state {
		if len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	changesFilter := false
	for i := 0; i+1 < len(set); i += 2 {
		if set[i] != "after" && set[i] != "before" {
			changesFilter = true
		}
		if set[i+1] == "" {
			q.Del(set[i])
		} else {
			q.Set(set[i], set[i+1])
		}
	}
	if changesFilter {
		q.Del("after")
		q.Del("before")
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
