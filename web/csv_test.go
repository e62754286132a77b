package web

import (
	"reflect"
	"testing"
)

// TestReadCSV: the one reader behind both CSV imports (people, newsletter).
func TestReadCSV(t *testing.T) {
	cols := []string{"email", "extra"}
	tests := []struct {
		name     string
		in       string
		required int
		want     []csvRow
		problem  string
	}{
		{name: "BOM, any case and order, other columns ignored", in: "\xef\xbb\xbfName, EXTRA ,Email\nAda,x,ada@example.com\n", required: 1,
			want: []csvRow{{Line: 2, Cells: []string{"ada@example.com", "x"}}}},
		{name: "optional column absent", in: "email\n b@example.com \n", required: 1,
			want: []csvRow{{Line: 2, Cells: []string{"b@example.com", ""}}}},
		{name: "short record and blank record", in: "extra,email\nx\n,\n", required: 1,
			want: []csvRow{{Line: 2, Cells: []string{"", "x"}}, {Line: 3, Cells: []string{"", ""}, Blank: true}}},
		{name: "quoted line break keeps line numbers", in: "email,extra\n\"a@example.com\",\"two\nlines\"\nc@example.com,\n", required: 2,
			want: []csvRow{{Line: 2, Cells: []string{"a@example.com", "two\nlines"}}, {Line: 4, Cells: []string{"c@example.com", ""}}}},
		{name: "required column missing", in: "email\na@example.com\n", required: 2, problem: "header"},
		{name: "no email column", in: "name\nAda\n", required: 1, problem: "header"},
		{name: "nothing at all", in: "", required: 1, problem: "empty"},
		{name: "header only", in: "email\n", required: 1, problem: "empty"},
		{name: "not UTF-8", in: "email\n\xff\xfe\n", required: 1, problem: "encoding"},
		{name: "not CSV", in: "email\n\"a@example.com\n", required: 1, problem: "unreadable"},
	}
	for _, tt := range tests {
		got, problem := readCSV([]byte(tt.in), cols, tt.required)
		if problem != tt.problem {
			t.Errorf("%s: problem %q, want %q", tt.name, problem, tt.problem)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
