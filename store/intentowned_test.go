package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// decodeIntentOwned reads every intent form decodeIntent reads, into the
// same record, and refuses what it refuses; its byte fields point into
// the value, decodeIntent's do not.
func TestDecodeIntentOwned(t *testing.T) {
	var values [][]byte
	for i, app := range []*AppLink{nil, {ID: "app-1", Version: 3, Attempt: 2, Actor: "operator:1"}} {
		in := intentN(i+1, "req")
		in.Centre = "c1"
		in.App = app
		in.MAC = bytes.Repeat([]byte{0x5a}, intentMACLen)
		values = append(values, encodeIntent(&intentRec{Intent: in}))
		failed := &intentRec{Intent: in, failed: true, failedAt: time.Unix(1e9, 0).UTC(), reason: "signing failed"}
		values = append(values, encodeIntent(failed))
	}
	for i, v := range values {
		want, err := decodeIntent(bytes.Clone(v))
		if err != nil {
			t.Fatal(err)
		}
		own := bytes.Clone(v)
		got, err := decodeIntentOwned(own)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("value %d: %+v, decodeIntent reads %+v", i, got, want)
		}
		copied, _ := decodeIntent(own)
		for j := range own {
			own[j] ^= 0xff
		}
		if !bytes.Equal(copied.TBS, want.TBS) || !bytes.Equal(copied.Serial, want.Serial) {
			t.Fatal("decodeIntent's fields changed with the value")
		}
		if bytes.Equal(got.TBS, want.TBS) {
			t.Fatal("decodeIntentOwned copied the TBS")
		}
		for cut := 0; cut < len(v); cut++ {
			_, e1 := decodeIntent(v[:cut])
			_, e2 := decodeIntentOwned(bytes.Clone(v[:cut]))
			if (e1 == nil) != (e2 == nil) {
				t.Fatalf("value %d cut at %d: %v vs %v", i, cut, e1, e2)
			}
		}
	}
}
