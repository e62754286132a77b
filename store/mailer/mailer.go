// Package mailer delivers the outbox by SMTP. When Hub Admin is given an SMTP URL, a Sender
// runs in the background: it takes the messages waiting in the outbox (store.UnsentMail), hands
// each to the mail server with net/smtp and records it as sent, or records the failure so the
// message is tried again later and, after store.MaxMailAttempts refusals, left for an admin to
// read in the outbox page. Without an SMTP URL nothing runs and the outbox page is the delivery.
package mailer

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"

	"hubadmin/store"
)

// Settings is a parsed SMTP URL: smtp://user:pass@host:port?from=address (smtps:// for TLS
// from the first byte; smtp:// upgrades with STARTTLS when the server offers it).
type Settings struct {
	Host     string // host:port
	Username string
	Password string
	From     string
	TLS      bool // implicit TLS (smtps)
}

// Parse reads an SMTP URL. The port defaults to 25 (smtp) or 465 (smtps); the sender address
// to hubadmin@<host>.
func Parse(raw string) (Settings, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Settings{}, fmt.Errorf("SMTP URL: %w", err)
	}
	var s Settings
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.TLS = true
	default:
		return Settings{}, fmt.Errorf("SMTP URL: scheme %q, want smtp or smtps", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return Settings{}, errors.New("SMTP URL: no host")
	}
	port := u.Port()
	if port == "" {
		port = "25"
		if s.TLS {
			port = "465"
		}
	}
	s.Host = net.JoinHostPort(host, port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	s.From = u.Query().Get("from")
	if s.From == "" {
		s.From = "hubadmin@" + host
	}
	return s, nil
}

// Sender delivers the outbox in the background until stopped.
type Sender struct {
	db       *store.DB
	settings Settings
	log      *slog.Logger
	// Interval is the pause between two looks at the outbox.
	Interval time.Duration
	// Timeout bounds one conversation with the mail server.
	Timeout time.Duration

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New makes a Sender for an SMTP URL; it does nothing until Start.
func New(db *store.DB, smtpURL string, log *slog.Logger) (*Sender, error) {
	st, err := Parse(smtpURL)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Sender{db: db, settings: st, log: log, Interval: 5 * time.Second, Timeout: 30 * time.Second,
		stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// Start runs the Sender when smtpURL is set and returns it; with no URL it returns nil, and
// Stop on a nil Sender does nothing, so callers need no branch.
func Start(db *store.DB, smtpURL string, log *slog.Logger) (*Sender, error) {
	if smtpURL == "" {
		return nil, nil
	}
	s, err := New(db, smtpURL, log)
	if err != nil {
		return nil, err
	}
	go s.run()
	return s, nil
}

// Stop asks the Sender to finish the message in hand and waits until it has.
func (s *Sender) Stop() {
	if s == nil {
		return
	}
	s.once.Do(func() { close(s.stop) })
	<-s.done
}

func (s *Sender) run() {
	defer close(s.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	for {
		if _, err := s.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("mail delivery", "err", err)
		}
		select {
		case <-s.stop:
			return
		case <-time.After(s.Interval):
		}
	}
}

// batch is how many messages one pass takes.
const batch = 50

// DeliverPending sends what waits in the outbox, one connection per message, and returns how
// many were sent. A message the server refuses is marked failed and the pass goes on; a server
// that can't be reached ends the pass (the next one tries again).
func (s *Sender) DeliverPending(ctx context.Context) (int, error) {
	msgs, err := s.db.UnsentMail(ctx, batch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range msgs {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		err := s.send(m)
		var refused *refusedError
		switch {
		case err == nil:
			if err := s.db.MarkMailSent(ctx, m.ID); err != nil {
				return sent, err
			}
			sent++
		case errors.As(err, &refused):
			s.log.Warn("mail refused", "id", m.ID, "err", err)
			if err := s.db.MarkMailFailed(ctx, m.ID, err.Error()); err != nil {
				return sent, err
			}
		default:
			return sent, err
		}
	}
	return sent, nil
}

// refusedError is the server's "no" to one message (a 5xx answer), as opposed to a server that
// can't be reached.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// send delivers one message in one SMTP conversation.
func (s *Sender) send(m store.OutboxMessage) error {
	st := s.settings
	dialer := &net.Dialer{Timeout: s.Timeout}
	var conn net.Conn
	var err error
	if st.TLS {
		conn, err = tls.DialWithDialer(dialer, "tcp", st.Host, &tls.Config{ServerName: hostOnly(st.Host)})
	} else {
		conn, err = dialer.Dial("tcp", st.Host)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", st.Host, err)
	}
	_ = conn.SetDeadline(time.Now().Add(s.Timeout))
	c, err := smtp.NewClient(conn, hostOnly(st.Host))
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting of %s: %w", st.Host, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !st.TLS {
		if err := c.StartTLS(&tls.Config{ServerName: hostOnly(st.Host)}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if st.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", st.Username, st.Password, hostOnly(st.Host))); err != nil {
			return fmt.Errorf("authenticate: %w", err)
		}
	}
	if err := c.Mail(st.From); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify(err)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if err := writeMessage(w, st.From, m); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	return c.Quit()
}

// classify marks permanent refusals (5xx) so that the message, not the server, is blamed.
func classify(err error) error {
	if err != nil && strings.HasPrefix(err.Error(), "5") {
		return &refusedError{err: err}
	}
	return err
}

func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

// headerSafe removes line breaks from a header value: a workspace name typed by an admin must
// not add headers to the message.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// writeMessage writes a message as RFC 5322 plain text in UTF-8, quoted-printable, with the
// subject encoded for non-ASCII (French and Russian) words.
func writeMessage(w io.Writer, from string, m store.OutboxMessage) error {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	headers := []string{
		"From: " + headerSafe(from),
		"To: " + headerSafe(m.To),
		"Subject: " + mime.QEncoding.Encode("utf-8", headerSafe(m.Subject)),
		"Date: " + m.CreatedAt.UTC().Format(time.RFC1123Z),
		fmt.Sprintf("Message-ID: <outbox-%d.%s@hubadmin>", m.ID, hex.EncodeToString(id)),
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
	}
	if _, err := io.WriteString(w, strings.Join(headers, "\r\n")+"\r\n\r\n"); err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(w)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := io.WriteString(qp, body); err != nil {
		return err
	}
	return qp.Close()
}
