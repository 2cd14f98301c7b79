package store

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// testAuditKey is a fixed 32-byte key for tests.
func testAuditKey(t testing.TB, b byte) AuditKey {
	t.Helper()
	k, err := NewAuditKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// chainFunc computes a forged chain value of entry seq.
type chainFunc func(seq uint64, prev [32]byte, body []byte) [32]byte

// sha256Chain is what a forger without the key can compute: the old
// unkeyed chain.
func sha256Chain(_ uint64, prev [32]byte, body []byte) [32]byte { return chainHash(prev, body) }

// keyedChain is what a forger holding key k computes (SHA-256 before
// keyedFrom, as the store does).
func keyedChain(t testing.TB, k AuditKey, keyedFrom uint64) chainFunc {
	return func(seq uint64, prev [32]byte, body []byte) [32]byte {
		c := auditChain{key: k, rec: auditKeyRec{KeyedFrom: keyedFrom}}
		v, err := c.value(seq, prev, body)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// forge rewrites the audit chain of the (closed) store in dir directly
// in Pebble, as someone with write access to the database would: edit
// sees every entry in order and may change it or drop it (false).
// Entries are renumbered, re-encoded in their version (asV1: all as
// version 1) and re-chained with chain from the first change on; entries
// before it keep their stored values.
func forge(t testing.TB, dir string, chain chainFunc, asV1 bool, edit func(a *AuditEntry) bool) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	type stored struct {
		a    *AuditEntry
		body []byte
	}
	var old []stored
	err = scanPrefix(ctx, db, []byte{pAudit}, func(k, v []byte) (bool, error) {
		a, body, err := decodeAudit(v)
		if err != nil {
			return false, err
		}
		old = append(old, stored{a, bytes.Clone(body)})
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	if err := b.DeleteRange([]byte{pAudit}, []byte{pAudit + 1}, nil); err != nil {
		t.Fatal(err)
	}
	var prev [32]byte
	changed := false
	seq := uint64(0)
	for _, o := range old {
		a := *o.a
		keep := edit(&a)
		if !keep {
			changed = true
			continue
		}
		seq++
		a.Seq = seq
		var body []byte
		if asV1 || auditVersion(o.body) == auditV1 {
			body = encodeAuditV1(&a)
		} else {
			body = encodeAudit(&a)
		}
		if !bytes.Equal(body, o.body) {
			changed = true
		}
		if changed {
			a.Hash = chain(seq, prev, body)
		}
		if err := b.Set(auditKey(seq), append(body, a.Hash[:]...), nil); err != nil {
			t.Fatal(err)
		}
		prev = a.Hash
	}
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// gostCheckpointer signs and verifies checkpoints with a GOST R
// 34.10-2012 256-bit key through pkix, as the CA does with its keys.
func gostCheckpointer(t testing.TB) (SignFunc, VerifyFunc) {
	t.Helper()
	c, ok := gost3410.CurveByName("tc26-256-A")
	if !ok {
		t.Fatal("no curve")
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(msg []byte) ([]byte, error) { return pkix.Sign(rand.Reader, key, pkix.GOST256, msg) }
	verify := func(msg, sig []byte) error { return pkix.CheckSignature(key.Public(), pkix.GOST256, msg, sig) }
	return sign, verify
}

// problemsOf returns the kinds of problems Check (with cp, when set)
// reports, failing the test on an I/O error.
func problemsOf(t testing.TB, s *Store, cp *Checkpoint, verify VerifyFunc) (*CheckReport, map[string]int) {
	t.Helper()
	rep, err := s.CheckWith(ctx, CheckOptions{Checkpoint: cp, Verify: verify})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, p := range rep.Problems {
		kinds[p.Kind]++
	}
	return rep, kinds
}
