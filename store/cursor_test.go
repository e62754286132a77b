package store

import (
	"slices"
	"testing"
)

// TestKeysetPage: the one paging rule every list follows, in both directions.
func TestKeysetPage(t *testing.T) {
	ids := func(from, to int) []int64 { // from..to inclusive, descending when from > to
		var out []int64
		for i := from; ; {
			out = append(out, int64(i))
			if i == to {
				return out
			}
			if from < to {
				i++
			} else {
				i--
			}
		}
	}
	cur := func(id int64) string { return Cursor{ID: id}.Encode() }
	tests := []struct {
		name       string
		rows       []int64 // as read: list order, or reversed when backward
		k          keyset
		want       []int64
		next, prev string
		more       bool
	}{
		{name: "first page, more", rows: ids(1, PageSize+1), want: ids(1, PageSize), next: cur(PageSize), more: true},
		{name: "first page is all", rows: ids(1, 3), want: ids(1, 3)},
		{name: "empty", rows: nil, want: nil},
		{name: "after a cursor, more", rows: ids(11, PageSize+11), k: keyset{Cursor: Cursor{ID: 10}, Has: true},
			want: ids(11, PageSize+10), next: cur(PageSize + 10), prev: cur(11), more: true},
		{name: "after a cursor, last page", rows: ids(11, 12), k: keyset{Cursor: Cursor{ID: 10}, Has: true},
			want: ids(11, 12), prev: cur(11)},
		{name: "before a cursor, more", rows: ids(PageSize+10, 9), k: keyset{Cursor: Cursor{ID: PageSize + 11}, Has: true, Backward: true},
			want: ids(11, PageSize+10), next: cur(PageSize + 10), prev: cur(11), more: true},
		{name: "before a cursor, back at the start", rows: ids(3, 1), k: keyset{Cursor: Cursor{ID: 4}, Has: true, Backward: true},
			want: ids(1, 3), next: cur(3)},
	}
	for _, tt := range tests {
		page, more := keysetPage(slices.Clone(tt.rows), func(id int64) Cursor { return Cursor{ID: id} }, tt.k)
		if !slices.Equal(page.Items, tt.want) {
			t.Errorf("%s: items %v, want %v", tt.name, page.Items, tt.want)
		}
		if page.Next != tt.next || page.Prev != tt.prev || more != tt.more {
			t.Errorf("%s: next %q prev %q more %v, want %q %q %v", tt.name, page.Next, page.Prev, more, tt.next, tt.prev, tt.more)
		}
	}
}

func TestReadKeyset(t *testing.T) {
	a, b := Cursor{Key: "a", ID: 1}.Encode(), Cursor{Key: "b", ID: 2}.Encode()
	tests := []struct {
		after, before string
		want          keyset
	}{
		{"", "", keyset{}},
		{a, "", keyset{Cursor: Cursor{Key: "a", ID: 1}, Has: true}},
		{"", b, keyset{Cursor: Cursor{Key: "b", ID: 2}, Has: true, Backward: true}},
		{a, b, keyset{Cursor: Cursor{Key: "a", ID: 1}, Has: true}},
		{"%%%", "", keyset{}},
		{"%%%", b, keyset{Cursor: Cursor{Key: "b", ID: 2}, Has: true, Backward: true}},
	}
	for _, tt := range tests {
		if got := readKeyset(tt.after, tt.before); got != tt.want {
			t.Errorf("readKeyset(%q, %q) = %+v, want %+v", tt.after, tt.before, got, tt.want)
		}
	}
}
