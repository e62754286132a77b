package web

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// csvWriter writes CSV exports so that no spreadsheet runs a cell as a formula, whatever
// separator the reader uses. Two things make that hold:
//
//   - every field is quoted, so a cell's own commas, semicolons (French Excel reads ";"), tabs
//     or pipes never split it into new cells that could start with "=";
//   - a field whose first non-blank character is = + - @ (or a tab or carriage return, which
//     some readers strip first) gets a leading apostrophe, which spreadsheets show as text.
//
// encoding/csv quotes a field only when it contains a comma, a quote or a line break: the cell
// "a;=HYPERLINK(…)" came through it unquoted and a ";" reader saw a formula. Every export
// writes its rows through this one writer.
type csvWriter struct {
	w   *bufio.Writer
	err error
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: bufio.NewWriter(w)} }

// Write writes one row.
func (cw *csvWriter) Write(cells ...string) error {
	if cw.err != nil {
		return cw.err
	}
	for i, v := range cells {
		if i > 0 {
			cw.w.WriteByte(',')
		}
		cw.w.WriteByte('"')
		cw.w.WriteString(strings.ReplaceAll(csvGuard(v), `"`, `""`))
		cw.w.WriteByte('"')
	}
	_, cw.err = cw.w.WriteString("\r\n")
	return cw.err
}

// Flush writes what is buffered and returns the first error met.
func (cw *csvWriter) Flush() error {
	if cw.err != nil {
		return cw.err
	}
	cw.err = cw.w.Flush()
	return cw.err
}

// csvGuard neutralises a cell a spreadsheet would read as a formula.
func csvGuard(v string) string {
	t := strings.TrimLeftFunc(v, func(r rune) bool { return r == ' ' || r == '\u00a0' })
	if t == "" {
		t = v
	}
	// The full-width ＝ ＋ － ＠ count too: some spreadsheets fold them to ASCII.
	if r, _ := utf8.DecodeRuneInString(t); t != "" && strings.ContainsRune("=+-@\t\r\n＝＋－＠", r) {
		return "'" + v
	}
	return v
}

// readUpload reads an uploaded file of at most max bytes; a larger one is 413, whatever size the
// browser declared.
func readUpload(fh *multipart.FileHeader, max int) ([]byte, error) {
	if fh.Size > int64(max) {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("read uploaded file: %w", err)
	}
	if len(data) > max {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	return data, nil
}

// csvRow is one record of an uploaded CSV file.
type csvRow struct {
	Line  int      // the record's line in the file, for the preview
	Cells []string // the asked columns' cells, trimmed, in the order asked; "" where missing
	Blank bool     // every cell of the record is empty (a spreadsheet's empty line)
}

// readCSV reads an uploaded CSV file the way spreadsheets write them: an optional BOM, then a
// header row naming the columns in any order and any case (other columns are ignored), then
// the records. The first required of columns must be in the header. A problem with the file
// as a whole is returned as one word, which each import turns into its own message:
// "encoding" (not UTF-8), "empty" (no header or no record), "unreadable" (not CSV) or
// "header" (a required column is missing).
func readCSV(data []byte, columns []string, required int) ([]csvRow, string) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // the BOM spreadsheet programs write
	if !utf8.Valid(data) {
		return nil, "encoding"
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, "empty"
	}
	if err != nil {
		return nil, "unreadable"
	}
	at := make([]int, len(columns))
	for i, name := range columns {
		at[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), name) {
				at[i] = j
				break
			}
		}
		if i < required && at[i] < 0 {
			return nil, "header"
		}
	}
	var rows []csvRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "unreadable"
		}
		line, _ := r.FieldPos(0)
		row := csvRow{Line: line, Cells: make([]string, len(columns)), Blank: strings.Join(rec, "") == ""}
		for i, j := range at {
			if j >= 0 && j < len(rec) {
				row.Cells[i] = strings.TrimSpace(rec[j])
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, "empty"
	}
	return rows, ""
}
