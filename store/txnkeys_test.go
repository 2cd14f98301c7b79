package store

import (
	"bytes"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The keys a batch builds in its arena are byte for byte the keys of
// keys.go (the record formats of doc.go), stay intact while later keys
// are built (also across chunk boundaries and for keys longer than a
// chunk), and come from one allocation per chunk.
func TestTxnKeysMatchKeysGo(t *testing.T) {
	r := mrand.New(mrand.NewPCG(7, 11))
	bytesN := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	str := func(max int) string { return string(bytesN(r.IntN(max + 1))) }
	when := func() time.Time {
		if r.IntN(8) == 0 {
			return zeroTime
		}
		return time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)).UTC()
	}
	tx := &txn{}
	type pair struct{ got, want []byte }
	var all []pair
	for i := 0; i < 20000; i++ {
		serial := bytesN(1 + r.IntN(maxSerialLen))
		var kh KeyHash
		copy(kh[:], bytesN(len(kh)))
		at, seq := when(), r.Uint64()
		f, v, c, kind := Field(r.IntN(256)), str(255), str(255), str(255)
		if r.IntN(500) == 0 {
			c = strings.Repeat("x", 255) // with the rest, longer than what is left of a chunk
		}
		all = append(all,
			pair{tx.certKey(serial), certKey(serial)},
			pair{tx.intentKey(serial), intentKey(serial)},
			pair{tx.serialKey(serial), serialKey(serial)},
			pair{tx.ocspKey(serial), ocspKey(serial)},
			pair{tx.keyHashKey(kh), keyHashKey(kh)},
			pair{tx.requestKey(v), requestKey(v)},
			pair{tx.auditKey(seq), auditKey(seq)},
			pair{tx.outboxKey(seq), outboxKey(seq)},
			pair{tx.expiryKey(at, serial), expiryKey(at, serial)},
			pair{tx.ocspDueKey(at, serial), ocspDueKey(at, serial)},
			pair{tx.identKey(f, v, at, serial), identKey(f, v, at, serial)},
			pair{tx.centreKey(c, at, serial), centreKey(c, at, serial)},
			pair{tx.outboxDueKey(kind, at, seq), outboxDueKey(kind, at, seq)},
		)
	}
	for i, p := range all {
		if !bytes.Equal(p.got, p.want) {
			t.Fatalf("key %d (kind %d): %x, keys.go makes %x", i, i%13, p.got, p.want)
		}
	}
	big := tx.requestKey(strings.Repeat("r", 3*keyChunk))
	if !bytes.Equal(big, requestKey(strings.Repeat("r", 3*keyChunk))) {
		t.Fatal("a key longer than a chunk differs")
	}
	fresh := &txn{}
	allocs := testing.AllocsPerRun(100, func() {
		fresh.keys = nil
		for j := 0; j < 16; j++ {
			fresh.certKey([]byte("0123456789abcdef"))
			fresh.identKey(BySNILS, "11223344595", time.Unix(1e9, 0), []byte("0123456789abcdef"))
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations for 32 keys, want the one chunk", allocs)
	}
}
