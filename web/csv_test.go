package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"hubadmin/store"
)

// formulaPayloads are 20 cells a spreadsheet would run as formulas, directly or once the cell
// is split on a separator other than the comma (French Excel reads ";").
var formulaPayloads = []string{
	"=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "x;=1+1", "x,=1+1", "x;+1",
	"x;-1", "x;@SUM(1)", "a\t=1", `=HYPERLINK("http://evil.example";"x")`, `x";=1+1;"`, `x;"=1+1"`,
	"＝1+1", "x\n=1+1", "x|=1+1", "x; =1+1",
}

// spreadsheetCells splits CSV text the way a spreadsheet does: quotes toggle, sep outside
// quotes ends a cell, a line break outside quotes ends a row; doubled quotes are one quote.
func spreadsheetCells(data string, sep rune) []string {
	var cells []string
	var cell strings.Builder
	quoted := false
	rs := []rune(data)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '"' && quoted && i+1 < len(rs) && rs[i+1] == '"':
			cell.WriteRune('"')
			i++
		case r == '"':
			quoted = !quoted
		case !quoted && (r == sep || r == '\n'):
			cells = append(cells, strings.TrimSuffix(cell.String(), "\r"))
			cell.Reset()
		default:
			cell.WriteRune(r)
		}
	}
	if cell.Len() > 0 {
		cells = append(cells, cell.String())
	}
	return cells
}

// formulaCells counts cells that a spreadsheet would evaluate, read with sep.
func formulaCells(t *testing.T, data string, sep rune) int {
	t.Helper()
	n := 0
	isFormula := func(c string) bool {
		c = strings.TrimLeft(c, " \t\r\n")
		return c != "" && strings.ContainsRune("=+-@＝＋－＠", []rune(c)[0])
	}
	for _, c := range spreadsheetCells(data, sep) {
		if isFormula(c) {
			n++
		}
	}
	r := csv.NewReader(strings.NewReader(data))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read with %q: %v", sep, err)
		}
		for _, c := range rec {
			if isFormula(c) {
				n++
			}
		}
	}
	return n
}

func TestCSVWriterGuardsWhateverTheSeparator(t *testing.T) {
	if len(formulaPayloads) != 20 {
		t.Fatalf("%d payloads", len(formulaPayloads))
	}
	// The check itself finds the formulas when nothing guards them.
	var raw bytes.Buffer
	w := csv.NewWriter(&raw)
	for _, p := range formulaPayloads {
		w.Write([]string{"name", p})
	}
	w.Flush()
	if n := formulaCells(t, raw.String(), ';'); n == 0 {
		t.Fatal("the test finds no formula in unguarded encoding/csv output read with ';'")
	}

	var buf bytes.Buffer
	cw := newCSVWriter(&buf)
	for _, p := range formulaPayloads {
		if err := cw.Write("name", p, "2026"); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, sep := range []rune{',', ';', '\t', '|'} {
		if n := formulaCells(t, buf.String(), sep); n != 0 {
			t.Errorf("read with %q: %d formula cells, want 0\n%s", sep, n, buf.String())
		}
	}
	// Read back with ",", every value is there, behind its apostrophe.
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if got := strings.TrimPrefix(rec[1], "'"); got != formulaPayloads[i] && got != strings.ReplaceAll(formulaPayloads[i], "\r", "") {
			t.Errorf("row %d: %q, want %q", i, rec[1], formulaPayloads[i])
		}
	}
}

// Both exports go through the writer: 20 formula names, read back with "," and ";", 0 formulas.
func TestExportsHaveNoFormulaWithEitherSeparator(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for i, p := range formulaPayloads {
		email := fmt.Sprintf("formula%d@partner.example", i)
		if _, err := a.db.AddMember(ctx, a.ids.contoso, 0, store.NewPerson{Email: email, DisplayName: p}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.Subscribe(ctx, store.Actor{Email: p}, a.ids.contoso, store.NewSubscription{Email: email, NewsletterKey: "security_advisories", Submission: store.NewSubmissionToken()}); err != nil {
			t.Fatal(err)
		}
	}
	b := a.browserFor(globalAdm)
	for _, path := range []string{"/admin/newsletter/export?q=formula", "/admin/audit/export"} {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		if !strings.Contains(r.body, "formula19@partner.example") {
			t.Fatalf("%s lacks the rows:\n%s", path, r.body)
		}
		for _, sep := range []rune{',', ';'} {
			if n := formulaCells(t, r.body, sep); n != 0 {
				t.Errorf("%s read with %q: %d formula cells, want 0", path, sep, n)
			}
		}
	}
}

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
