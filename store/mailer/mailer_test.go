package mailer

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hubadmin/store"
	"hubadmin/store/mailer/mailertest"
	"hubadmin/store/perm"
)

// queue opens a demo database and queues invitations through the store to each address.
func queue(t *testing.T, to ...string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	csam, err := db.PersonByEmail(ctx, "csam@microsoft.example")
	if err != nil {
		t.Fatal(err)
	}
	access, err := db.AccessOf(ctx, 1, csam)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.WorkspacesOf(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []store.InviteRequest
	for _, addr := range to {
		reqs = append(reqs, store.InviteRequest{Email: addr, Permissions: []perm.Permission{perm.Training}})
	}
	err = db.Invite(ctx, store.Actor{PersonID: csam.ID, Email: csam.Email}, access, 1, ws[0].ID, store.NewSubmissionToken(), reqs,
		func(email, token string) store.Mail {
			return store.Mail{To: email, Subject: "Приглашение в рабочую область «Contoso»", Body: "Bonjour,\nlien : http://hub.example/invitations/" + token + "\n"}
		})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDeliverPendingSendsAndMarksSent(t *testing.T) {
	srv := mailertest.Start(t)
	db := queue(t, "ada@contoso.example", "bob@contoso.example")
	s, err := New(db, "smtp://"+srv.Addr()+"?from=hub@contoso.example", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.DeliverPending(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("DeliverPending = %d, %v; want 2 sent", n, err)
	}
	got := srv.Received()
	if len(got) != 2 {
		t.Fatalf("server received %d messages, want 2", len(got))
	}
	m, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatalf("message is not RFC 5322: %v\n%s", err, got[0].Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != "Приглашение в рабочую область «Contoso»" {
		t.Errorf("subject = %q (%v), want the Russian subject back", subject, err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if !strings.Contains(string(body), "lien : http://hub.example/invitations/") {
		t.Errorf("body = %q, want the link", body)
	}
	if got[0].From != "hub@contoso.example" || got[0].To != "ada@contoso.example" || m.Header.Get("To") != "ada@contoso.example" {
		t.Errorf("envelope %s → %s, To %q; want hub@contoso.example → ada@contoso.example", got[0].From, got[0].To, m.Header.Get("To"))
	}
	again, err := s.DeliverPending(context.Background())
	if err != nil || again != 0 {
		t.Errorf("second pass sent %d (%v), want 0: sent messages are marked", again, err)
	}
}

func TestRefusedMessageIsRetriedThenGivenUp(t *testing.T) {
	srv := mailertest.Start(t)
	db := queue(t, "nobody@refuse.example", "ada@contoso.example")
	s, err := New(db, "smtp://"+srv.Addr(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < store.MaxMailAttempts+2; i++ {
		if _, err := s.DeliverPending(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(srv.Received()); got != 1 {
		t.Errorf("server received %d messages, want only ada's", got)
	}
	left, err := db.UnsentMail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d messages still queued, want the refused one given up after %d attempts", len(left), store.MaxMailAttempts)
	}
	page, err := db.Outbox(context.Background(), 1, 1, "", "")
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, m := range page.Items {
		if m.Failed() {
			failed++
			if !strings.Contains(m.LastError, "550") {
				t.Errorf("last error = %q, want the server's 550", m.LastError)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d failed messages in the outbox, want 1", failed)
	}
}

func TestUnreachableServerKeepsMessages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	db := queue(t, "ada@contoso.example")
	s, err := New(db, "smtp://"+addr, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	s.Timeout = 2 * time.Second
	if _, err := s.DeliverPending(context.Background()); err == nil {
		t.Error("no error from an unreachable server")
	}
	left, err := db.UnsentMail(context.Background(), 10)
	if err != nil || len(left) != 1 || left[0].Attempts != 0 {
		t.Errorf("queue after a connection failure = %+v (%v), want the message untouched", left, err)
	}
}

func TestStartDeliversInBackgroundAndStops(t *testing.T) {
	srv := mailertest.Start(t)
	db := queue(t, "ada@contoso.example")
	s, err := Start(db, "smtp://"+srv.Addr(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	s.Stop() // twice is fine
	if len(srv.Received()) != 1 {
		t.Fatalf("background sender delivered %d messages within 5 s, want 1", len(srv.Received()))
	}
	if none, err := Start(db, "", quietLog()); none != nil || err != nil {
		t.Errorf("Start without a URL = %v, %v; want nil, nil", none, err)
	}
	var nothing *Sender
	nothing.Stop() // a nil Sender stops quietly
}

func TestParse(t *testing.T) {
	tests := []struct {
		raw     string
		want    Settings
		wantErr bool
	}{
		{"smtp://mail.example", Settings{Host: "mail.example:25", From: "hubadmin@mail.example"}, false},
		{"smtp://u:p%40ss@mail.example:2525?from=hub@contoso.example", Settings{Host: "mail.example:2525", Username: "u", Password: "p@ss", From: "hub@contoso.example"}, false},
		{"smtps://mail.example", Settings{Host: "mail.example:465", From: "hubadmin@mail.example", TLS: true}, false},
		{"http://mail.example", Settings{}, true},
		{"smtp://", Settings{}, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.raw)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v (error %v)", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestHeadersCannotBeInjected(t *testing.T) {
	var b strings.Builder
	m := store.OutboxMessage{ID: 1, To: "ada@contoso.example", Subject: "Hi\r\nBcc: evil@example.com", Body: "x", CreatedAt: time.Now()}
	if err := writeMessage(&b, "hub@contoso.example", m); err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header.Get("Bcc") != "" {
		t.Errorf("a line break in the subject added a Bcc header: %q", b.String())
	}
}
