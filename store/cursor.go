package store

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Lists page by keyset, never OFFSET: quality.md measured OFFSET to row 9,950 at 7× the cost
// of the first page. A cursor names the last row seen by its sort key and id.

// Cursor is a position in a list: the sort key and id of a row.
type Cursor struct {
	Key string
	ID  int64
}

// Encode turns a cursor into an opaque URL-safe string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.ID, 10) + ":" + c.Key))
}

// DecodeCursor reads a cursor; a malformed one gives ok = false (the caller shows page one).
func DecodeCursor(s string) (c Cursor, ok bool) {
	if s == "" {
		return c, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, false
	}
	id, key, found := strings.Cut(string(raw), ":")
	if !found {
		return c, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return c, false
	}
	return Cursor{Key: key, ID: n}, true
}

// PageSize is how many rows a list shows at once.
const PageSize = 50

// ListPage is one page of a keyset-paged list with the cursors to its neighbours.
type ListPage[T any] struct {
	Items []T
	Next  string // cursor for the page after; "" on the last page
	Prev  string // cursor for the page before; "" on the first page
	Total int    // rows matching the filter (all pages)
	// TotalCapped says counting stopped at Total: more rows than that match.
	TotalCapped bool
}
