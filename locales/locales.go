// Package locales holds Hub Admin's messages in English, French and Russian (go-i18n TOML files,
// one file per area and language: <area>.<lang>.toml) and the helpers that pages call to
// translate. Message IDs follow area.page.thing. Helpers never panic: a missing message shows
// its ID, and a test makes sure no ID is missing in any language.
package locales

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed *.toml
var files embed.FS

// Languages are the supported languages, English first (the fallback).
var Languages = []string{"en", "fr", "ru"}

var (
	tags    = []language.Tag{language.English, language.French, language.Russian}
	matcher = language.NewMatcher(tags)
	bundle  = mustBundle()
)

func mustBundle() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		if _, err := b.LoadMessageFileFS(files, name); err != nil {
			// The files are embedded at build time; a broken one is a programming error that
			// the tests catch, so failing loudly at start-up is right.
			panic(fmt.Sprintf("locales: %s: %v", name, err))
		}
	}
	return b
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the best supported language for an Accept-Language header; English if none fits.
func Match(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return "en"
	}
	return Languages[i]
}

// Localizer translates into one language. It is safe for concurrent use: New hands every
// request of a language the same one.
type Localizer struct {
	Lang    string
	loc     *i18n.Localizer
	printer *message.Printer
	// plain caches messages without placeholders (most of a page's strings): go-i18n looks a
	// message up, picks its plural form and runs its template on every call otherwise.
	plain  sync.Map // id → string
	nPlain atomic.Int64
}

// maxPlain bounds the cache: ids come from the code (a few thousand), but an id built from
// stored data must not grow it without end.
const maxPlain = 20_000

// localizers holds one Localizer per language, made on first use and then shared: making a
// go-i18n localizer and a number printer on every request was part of every page's cost.
var localizers = func() map[string]func() *Localizer {
	m := map[string]func() *Localizer{}
	for _, lang := range Languages {
		m[lang] = sync.OnceValue(func() *Localizer {
			return &Localizer{Lang: lang, loc: i18n.NewLocalizer(bundle, lang), printer: message.NewPrinter(language.Make(lang))}
		})
	}
	return m
}()

// New returns the Localizer for lang (English when lang is not supported).
func New(lang string) *Localizer {
	if !Supported(lang) {
		lang = "en"
	}
	return localizers[lang]()
}

// T translates id, filling {{.Name}} placeholders from data (pairs of name, value).
func (l *Localizer) T(id string, data ...any) string {
	if len(data) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: pairs(data)})
	if err != nil || s == "" {
		s = id
	}
	if len(data) == 0 && l.nPlain.Load() < maxPlain {
		if _, loaded := l.plain.LoadOrStore(id, s); !loaded {
			l.nPlain.Add(1)
		}
	}
	return s
}

// N translates a plural message id for count, by the language's CLDR rules; {{.Count}} is the
// number formatted for the locale.
func (l *Localizer) N(id string, count int, data ...any) string {
	td := pairs(data)
	td["Count"] = l.Number(count)
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil || s == "" {
		return id
	}
	return s
}

// Has reports whether id exists in this language.
func (l *Localizer) Has(id string) bool {
	_, tag, err := l.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	return err == nil && tag.String() == l.Lang
}

// Number formats an integer with the locale's grouping (1,234 / 1 234).
func (l *Localizer) Number(n int) string { return l.printer.Sprintf("%d", n) }

// Date formats a date in the locale's usual numeric form.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(l.T("format.date"))
}

// DateTime formats a moment in the locale's usual form, in UTC and saying so.
func (l *Localizer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(l.T("format.datetime")) + " UTC"
}

// DateTimeIn formats a moment in a time zone, naming the zone ("CET", "MSK"; UTC when loc is
// nil or UTC). The audit log shows times in the reader's zone this way, UTC on hover.
func (l *Localizer) DateTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil || loc == time.UTC {
		return l.DateTime(t)
	}
	in := t.In(loc)
	return in.Format(l.T("format.datetime")) + " " + in.Format("MST")
}

// DateString formats a stored YYYY-MM-DD date; it returns s unchanged if it is not one.
func (l *Localizer) DateString(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return l.Date(t)
}

func pairs(data []any) map[string]any {
	m := make(map[string]any, len(data)/2+1)
	for i := 0; i+1 < len(data); i += 2 {
		if k, ok := data[i].(string); ok {
			m[k] = data[i+1]
		}
	}
	return m
}

type ctxKey struct{}

// WithLocalizer returns ctx carrying l; views find it with From.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// english is the fallback used where a context carries no Localizer.
var english = New("en")

// From returns the Localizer in ctx, or English.
func From(ctx context.Context) *Localizer {
	if l, ok := ctx.Value(ctxKey{}).(*Localizer); ok && l != nil {
		return l
	}
	return english
}

// T translates id in ctx's language.
func T(ctx context.Context, id string, data ...any) string { return From(ctx).T(id, data...) }

// N translates a plural message id for count in ctx's language.
func N(ctx context.Context, id string, count int, data ...any) string {
	return From(ctx).N(id, count, data...)
}

// Lang returns ctx's language.
func Lang(ctx context.Context) string { return From(ctx).Lang }

// MessageFiles returns, per language, the raw messages of every file (for tests).
func MessageFiles() (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		parts := strings.Split(name, ".")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s: want <area>.<lang>.toml", name)
		}
		lang := parts[1]
		raw := map[string]any{}
		if _, err := toml.DecodeFS(files, name, &raw); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if out[lang] == nil {
			out[lang] = map[string]any{}
		}
		for k, v := range raw {
			if _, dup := out[lang][k]; dup {
				return nil, fmt.Errorf("%s: %q defined twice", name, k)
			}
			out[lang][k] = v
		}
	}
	return out, nil
}
