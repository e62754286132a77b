package web

import (
	"fmt"
	"io"
	"mime/multipart"
	"strings"

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
