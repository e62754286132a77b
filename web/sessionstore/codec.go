package sessionstore

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
)

// Session values are a few numbers and words (person, tenant, a flash message ID). gob, which
// wrote them before, sends its type descriptions with every value and needs a new decoder per
// session: about a tenth of a signed-in page's cost. encodeValues writes such maps in a small
// format of its own (string keys; int64, string and bool values) and falls back to gob for any
// other map, so a value of a new kind still works; decodeValues reads both, including the gob
// of sessions saved before this format.
const compactMagic = 0xF1 // never the first byte of a gob stream of a map (its length comes first)

func encodeValues(values map[any]any) ([]byte, error) {
	if b, ok := encodeCompact(values); ok {
		return b, nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return buf.Bytes(), nil
}

func encodeCompact(values map[any]any) ([]byte, bool) {
	b := make([]byte, 0, 64)
	b = append(b, compactMagic)
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			return nil, false
		}
		b = binary.AppendUvarint(b, uint64(len(key)))
		b = append(b, key...)
		switch x := v.(type) {
		case int64:
			b = append(b, 'i')
			b = binary.AppendVarint(b, x)
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		case bool:
			b = append(b, 'b')
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			return nil, false
		}
	}
	return b, true
}

var errCorrupt = errors.New("corrupt session data")

func decodeValues(data []byte) (map[any]any, error) {
	if len(data) == 0 || data[0] != compactMagic {
		values := map[any]any{}
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
			return nil, err
		}
		return values, nil
	}
	b := data[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > 64 {
		return nil, errCorrupt
	}
	b = b[k:]
	values := make(map[any]any, n+2) // room for the two times New adds
	str := func() (string, bool) {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return "", false
		}
		s := string(b[k : k+int(l)])
		b = b[k+int(l):]
		return s, true
	}
	for i := uint64(0); i < n; i++ {
		key, ok := str()
		if !ok || len(b) == 0 {
			return nil, errCorrupt
		}
		kind := b[0]
		b = b[1:]
		switch kind {
		case 'i':
			v, k := binary.Varint(b)
			if k <= 0 {
				return nil, errCorrupt
			}
			b = b[k:]
			values[key] = v
		case 's':
			v, ok := str()
			if !ok {
				return nil, errCorrupt
			}
			values[key] = v
		case 'b':
			if len(b) == 0 {
				return nil, errCorrupt
			}
			values[key] = b[0] == 1
			b = b[1:]
		default:
			return nil, errCorrupt
		}
	}
	if len(b) != 0 {
		return nil, errCorrupt
	}
	return values, nil
}
