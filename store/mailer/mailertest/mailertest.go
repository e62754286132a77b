// Package mailertest runs a minimal SMTP server on 127.0.0.1 for tests, the way httptest
// runs an HTTP one: no external network, bounded reads, every accepted message kept.
package mailertest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the smallest SMTP server tests need: on 127.0.0.1, it answers EHLO, MAIL,
// RCPT, DATA and QUIT, keeps every message it accepts, and refuses recipients at refuse.example
// with a permanent 550. Every read has a deadline, so a test can't hang on it.
type Server struct {
	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	wg       sync.WaitGroup
}

// Message is one accepted message: the envelope and the raw data (dot-unstuffed).
type Message struct {
	From, To string
	Data     string
}

// Start runs a Server on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = io.WriteString(conn, line+"\r\n") }
	say("220 test.local ESMTP")
	var msg Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test.local")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			msg = Message{From: angle(line)}
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			to := angle(line)
			if strings.HasSuffix(to, "@refuse.example") {
				say("550 No such user")
				continue
			}
			msg.To = to
			say("250 OK")
		case cmd == "DATA":
			say("354 End data with <CR><LF>.<CR><LF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			msg.Data = data.String()
			s.mu.Lock()
			s.messages = append(s.messages, msg)
			s.mu.Unlock()
			say("250 OK queued")
		case cmd == "QUIT":
			say("221 Bye")
			return
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		default:
			say("502 Command not implemented")
		}
	}
}

// angle is the address between < and > of a MAIL or RCPT command (parameters such as
// BODY=8BITMIME may follow it).
func angle(line string) string {
	_, rest, _ := strings.Cut(line, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}
