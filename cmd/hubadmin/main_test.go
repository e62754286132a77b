package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// TestParseConfig: flags, their HUBADMIN_* environment defaults, and the errors a typo gets.
func TestParseConfig(t *testing.T) {
	defaults := config{
		addr: "127.0.0.1:8080", dbPath: "./hubadmin.db", demo: true,
		idleTimeout: 30 * time.Minute, absoluteTimeout: 12 * time.Hour, baseURL: "http://127.0.0.1:8080",
	}
	key := strings.Repeat("k", 32)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(c *config) // changes from defaults
		wantErr string          // "" = no error
	}{
		{name: "defaults", want: func(*config) {}},
		{name: "flags", args: []string{"-addr", "0.0.0.0:9000", "-db", "/data/x.db", "-session-key", key,
			"-trusted-proxy", "10.0.0.0/8", "-secure-cookies", "-demo=false", "-idle-timeout", "5m",
			"-absolute-timeout", "1h", "-smtp-url", "smtp://mail:25", "-base-url", "https://hub.example"},
			want: func(c *config) {
				c.addr, c.dbPath, c.sessionKey, c.trustedProxies = "0.0.0.0:9000", "/data/x.db", key, "10.0.0.0/8"
				c.secureCookies, c.demo, c.idleTimeout, c.absoluteTimeout = true, false, 5*time.Minute, time.Hour
				c.smtpURL, c.baseURL = "smtp://mail:25", "https://hub.example"
			}},
		{name: "environment", env: map[string]string{"HUBADMIN_ADDR": ":8081", "HUBADMIN_DB": "/tmp/h.db",
			"HUBADMIN_SESSION_KEY": key, "HUBADMIN_SECURE_COOKIES": "true", "HUBADMIN_DEMO": "0",
			"HUBADMIN_IDLE_TIMEOUT": "10m", "HUBADMIN_ABSOLUTE_TIMEOUT": "2h", "HUBADMIN_TRUSTED_PROXY": "192.0.2.1"},
			want: func(c *config) {
				c.addr, c.dbPath, c.sessionKey, c.secureCookies, c.demo = ":8081", "/tmp/h.db", key, true, false
				c.idleTimeout, c.absoluteTimeout, c.trustedProxies, c.baseURL = 10*time.Minute, 2*time.Hour, "192.0.2.1", "http://:8081"
			}},
		{name: "a flag beats its variable", args: []string{"-addr", "127.0.0.1:1"}, env: map[string]string{"HUBADMIN_ADDR": ":2"},
			want: func(c *config) { c.addr, c.baseURL = "127.0.0.1:1", "http://127.0.0.1:1" }},
		{name: "healthcheck", args: []string{"-healthcheck"}, want: func(c *config) { c.healthcheck = true }},
		{name: "short session key", args: []string{"-session-key", "short"}, wantErr: "at least 32 characters"},
		{name: "short session key from env", env: map[string]string{"HUBADMIN_SESSION_KEY": "short"}, wantErr: "at least 32 characters"},
		{name: "bad boolean variable", env: map[string]string{"HUBADMIN_SECURE_COOKIES": "yes please"}, wantErr: "HUBADMIN_SECURE_COOKIES"},
		{name: "bad duration variable", env: map[string]string{"HUBADMIN_IDLE_TIMEOUT": "30"}, wantErr: "HUBADMIN_IDLE_TIMEOUT"},
		{name: "negative duration variable", env: map[string]string{"HUBADMIN_ABSOLUTE_TIMEOUT": "-1h"}, wantErr: "HUBADMIN_ABSOLUTE_TIMEOUT"},
		{name: "zero timeout flag", args: []string{"-idle-timeout", "0s"}, wantErr: "must be positive"},
		{name: "bad duration flag", args: []string{"-idle-timeout", "soon"}, wantErr: "invalid value"},
		{name: "unknown flag", args: []string{"-port", "80"}, wantErr: "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			tt.want(&want)
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "HUBADMIN_DEMO_PASSWORD") || !strings.Contains(out.String(), "-smtp-url") {
		t.Errorf("usage does not name the flags and variables:\n%s", out.String())
	}
}

func TestParseCIDRs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "10.0.0.0/8", want: []string{"10.0.0.0/8"}},
		{in: " 192.0.2.7 , 2001:db8::1 ,", want: []string{"192.0.2.7/32", "2001:db8::1/128"}},
		{in: "10.0.0.0/33", wantErr: true},
		{in: "proxy.example", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseCIDRs(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseCIDRs(%q): err = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		var s []string
		for _, n := range got {
			s = append(s, n.String())
		}
		if strings.Join(s, " ") != strings.Join(tt.want, " ") {
			t.Errorf("parseCIDRs(%q) = %v, want %v", tt.in, s, tt.want)
		}
	}
}
