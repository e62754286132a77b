package store

import (
	"context"
	"unicode/utf8"
)

// Origin is where a request came from, as the audit log records it on every entry. The web
// middleware puts it in the request's context once (web/middleware.go); the store's audit
// write reads it there, so no handler has to pass it along.
type Origin struct {
	IP         string // after the trusted-proxy rule: a forwarded address only from a trusted proxy
	UserAgent  string // cut to UserAgentMax bytes on a rune boundary
	RequestID  string
	AuthMethod string // how the signed-in person signed in: AuthLocal, AuthDirectory, AuthSCIM; "" = not signed in
}

// How a person signed in (the audit_log.auth_method column allows exactly these and "").
const (
	AuthLocal     = "local"
	AuthDirectory = "directory"
	AuthSCIM      = "scim"
)

// UserAgentMax bounds the stored user agent: the header is the client's to choose, the log's
// size is not.
const UserAgentMax = 256

// RequestIDMax bounds the stored request id (echo generates 32 characters; a client's own
// X-Request-Id is kept no longer than this).
const RequestIDMax = 64

type originKey struct{}

// WithOrigin returns ctx carrying o, its fields bounded.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	o.UserAgent = truncateBytes(o.UserAgent, UserAgentMax)
	o.RequestID = truncateBytes(o.RequestID, RequestIDMax)
	o.IP = truncateBytes(o.IP, 64)
	switch o.AuthMethod {
	case "", AuthLocal, AuthDirectory, AuthSCIM:
	default:
		o.AuthMethod = ""
	}
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the origin ctx carries; the zero Origin (the server itself) when none.
func OriginOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// truncateBytes cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
