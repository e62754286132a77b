package sessionstore

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

func TestSessionValuesRoundTrip(t *testing.T) {
	for _, values := range []map[any]any{
		{},
		{"person_id": int64(42), "tenant_id": int64(-7), "flash": "settings.saved", "ok": true, "no": false},
		{"flash": ""},
	} {
		data, err := encodeValues(values)
		if err != nil {
			t.Fatal(err)
		}
		if data[0] != compactMagic {
			t.Errorf("%v was not written in the compact format", values)
		}
		got, err := decodeValues(data)
		if err != nil || !reflect.DeepEqual(got, values) {
			t.Errorf("round trip of %v = %v, %v", values, got, err)
		}
	}
}

// A value of another kind falls back to gob, and sessions saved as gob before the compact
// format still load.
func TestSessionValuesGobStillRead(t *testing.T) {
	values := map[any]any{"person_id": int64(1), "when": 1.5}
	data, err := encodeValues(values)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] == compactMagic {
		t.Fatal("a float was written in the compact format")
	}
	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode(map[any]any{"person_id": int64(3), "flash": "x"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range [][]byte{data, old.Bytes()} {
		if _, err := decodeValues(d); err != nil {
			t.Errorf("gob data not read: %v", err)
		}
	}
}

func TestSessionValuesCorruptRefused(t *testing.T) {
	good, _ := encodeValues(map[any]any{"person_id": int64(42), "flash": "abc"})
	for i := 1; i < len(good); i++ {
		if _, err := decodeValues(good[:i]); err == nil {
			t.Errorf("truncated at %d of %d accepted", i, len(good))
		}
	}
	if _, err := decodeValues(append(append([]byte{}, good...), 0)); err == nil {
		t.Error("trailing byte accepted")
	}
}

func BenchmarkSessionDecode(b *testing.B) {
	values := map[any]any{"person_id": int64(42), "tenant_id": int64(1)}
	compact, _ := encodeValues(values)
	var g bytes.Buffer
	_ = gob.NewEncoder(&g).Encode(values)
	b.Run("compact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = decodeValues(compact)
		}
	})
	b.Run("gob", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = decodeValues(g.Bytes())
		}
	})
}
