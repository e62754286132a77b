package password

import "testing"

func TestHashAndCheck(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batter", false},
		{"", false},
	}
	for _, tt := range tests {
		got, err := Check(h, tt.pw)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Check(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
	h2, _ := Hash("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestCheckMalformed(t *testing.T) {
	for _, enc := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if ok, err := Check(enc, "x"); ok || err == nil {
			t.Errorf("Check(%q) = %v, %v; want false, error", enc, ok, err)
		}
	}
}

func TestRandom(t *testing.T) {
	a, b := Random(16), Random(16)
	if len(a) != 16 || a == b {
		t.Errorf("Random(16) gave %q and %q", a, b)
	}
}
