package web

import "strings"

// csvCells protects CSV cells against formula injection: a spreadsheet would run a cell that
// starts with = + - @ (or a tab or carriage return, which some strip first), so such a cell gets
// a leading apostrophe and shows as text. Quoting commas, quotes and line breaks is
// encoding/csv's job. Every CSV export writes its rows through it.
func csvCells(cells ...string) []string {
	for i, v := range cells {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			cells[i] = "'" + v
		}
	}
	return cells
}
