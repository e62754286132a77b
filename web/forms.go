package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// form reads the request's form once. It uses FormParams, never FormValue: FormValue hides a
// too-large body as empty fields, which would lose the admin's input without a word.
func form(c echo.Context) (url.Values, error) {
	v, err := c.FormParams()
	if err != nil {
		return nil, formReadError(err)
	}
	return v, nil
}

// fieldErrors returns the field → message ID problems of a store.ValidationError, and whether
// err is one: the form is then shown again with them, status 422.
func fieldErrors(err error) (views.Errors, bool) {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return views.Errors(ve.Fields), true
	}
	return nil, false
}

// field returns a trimmed form value.
func field(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }

// fieldInt returns an integer form value, or 0 when absent or not a number.
func fieldInt(v url.Values, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v.Get(name)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// fieldBool reads a target-state field ("true"/"false"); ok is false for anything else, so a
// toggle never guesses.
func fieldBool(v url.Values, name string) (value, ok bool) {
	switch v.Get(name) {
	case "true", "on", "1":
		return true, true
	case "false", "off", "0":
		return false, true
	}
	return false, false
}

// paramInt reads an integer path parameter; 0 when malformed (which then finds nothing: 404).
func paramInt(c echo.Context, name string) int64 {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
