package web

import (
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
