package views

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"hubadmin/store/perm"
)

// Theme is the signed-in person's colour theme: "" follows the system.
func (p Page) Theme() string {
	if p.SignedIn() {
		return p.Viewer.Prefs.Theme
	}
	return ""
}

// hasRail tells whether the page shows the navigation rail (signed-in people with somewhere to go).
func (p Page) hasRail() bool { return p.SignedIn() && (len(p.Nav) > 0 || len(p.railLinks()) > 0) }

// railLinks are the person's own places shown in the rail: the Admin Center is its own section
// there and My access sits in the profile menu, so both are left out.
func (p Page) railLinks() []NavItem {
	var out []NavItem
	for _, it := range p.Links {
		if it.Key == "admin" || (it.Key == "access" && len(p.Nav) > 0) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// initials are up to two letters for the profile button: of the name, else of the email.
func initials(name, email string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		if len(r) > 0 && unicode.IsLetter(r[0]) {
			out = append(out, unicode.ToUpper(r[0]))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 && email != "" {
		out = append(out, unicode.ToUpper([]rune(email)[0]))
	}
	return string(out)
}

// themeLabel is the message ID naming a theme.
func themeLabel(theme string) string {
	if theme == "" {
		return "shell.prefs.theme.system"
	}
	return "shell.prefs.theme." + theme
}

// commonTimeZones are offered in the time zone menu, west to east; the person's own zone and,
// with JavaScript, the browser's are added when missing.
var commonTimeZones = []string{
	"America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "America/Sao_Paulo",
	"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels", "Europe/Berlin",
	"Europe/Zurich", "Africa/Casablanca", "Africa/Abidjan", "Africa/Dakar", "Europe/Helsinki", "Europe/Kyiv",
	"Europe/Minsk", "Europe/Moscow", "Asia/Almaty", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Dubai",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Asia/Vladivostok", "Australia/Sydney", "America/Montreal",
	"Pacific/Auckland",
}

// timeZoneChoices is the menu of zones, with the person's current one in it.
func timeZoneChoices(current string) []string {
	zones := slices.Clone(commonTimeZones)
	if current != "" && !slices.Contains(zones, current) {
		zones = append([]string{current}, zones...)
	}
	return zones
}

// matrixColumnAbbr is the short name of the matrix's i-th role column, repeated on each cell
// so that a phone can show the cells of a row as labelled chips (the cards of app.css).
func matrixColumnAbbr(ctx context.Context, i int) string {
	cols := perm.Columns()
	if i < 0 || i >= len(cols) {
		return ""
	}
	return t(ctx, cols[i].MessageID()+".abbr")
}
