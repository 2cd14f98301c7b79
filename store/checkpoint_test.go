package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// keyedStoreWithCheckpoint makes a keyed store with 12 entries and a GOST
// checkpoint of entry 10, then closes it.
func keyedStoreWithCheckpoint(t *testing.T) (dir string, k AuditKey, cp *Checkpoint, verify VerifyFunc) {
	t.Helper()
	dir = t.TempDir()
	k = testAuditKey(t, 0x42)
	s := openAt(t, dir, Options{AuditKey: k})
	appendN(t, s, 10)
	sign, verify := gostCheckpointer(t)
	cp, err := s.Checkpoint(ctx, "gost256", sign)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 2)
	if rep, kinds := problemsOf(t, s, cp, verify); !rep.OK() || rep.CheckpointSeq != 10 {
		t.Fatalf("fresh store against its checkpoint: %v %v", kinds, rep.Problems)
	}
	if err := s.VerifyAuditCheckpoint(ctx, cp, verify); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, k, cp, verify
}

// Deleting the newest entries (here from entry 8 on, which the
// checkpoint of entry 10 covers) leaves a chain that verifies by itself;
// the checkpoint finds the truncation, in Check and in
// VerifyAuditCheckpoint.
func TestCheckpointFindsTruncation(t *testing.T) {
	dir, k, cp, verify := keyedStoreWithCheckpoint(t)
	forge(t, dir, nil, false, func(a *AuditEntry) bool { return a.Seq < 8 })
	s := openAt(t, dir, Options{AuditKey: k})
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("the truncated chain should verify on its own: %v", err)
	}
	mustCheck(t, s) // without the checkpoint, nothing to see
	rep, kinds := problemsOf(t, s, cp, verify)
	if kinds["checkpoint"] != 1 || !strings.Contains(rep.Problems[0].Detail, "truncated") {
		t.Fatalf("Check with the checkpoint: %v", rep.Problems)
	}
	err := s.VerifyAuditCheckpoint(ctx, cp, verify)
	wantErr(t, err, ErrCorrupt)
	if !strings.Contains(err.Error(), "ends at entry 7") {
		t.Fatalf("VerifyAuditCheckpoint: %v", err)
	}
}

// Someone who holds the audit key rewrites entry 3 and re-MACs the rest:
// the chain verifies, but not against the checkpoint.
func TestCheckpointFindsRewriteWithKey(t *testing.T) {
	dir, k, cp, verify := keyedStoreWithCheckpoint(t)
	forge(t, dir, keyedChain(t, k, 1), false, func(a *AuditEntry) bool {
		if a.Seq == 3 {
			a.Actor = "operator:9"
		}
		return true
	})
	s := openAt(t, dir, Options{AuditKey: k})
	mustCheck(t, s)
	rep, kinds := problemsOf(t, s, cp, verify)
	if kinds["checkpoint"] != 1 || !strings.Contains(rep.Problems[0].Detail, "rewritten") {
		t.Fatalf("Check with the checkpoint: %v", rep.Problems)
	}
	wantErr(t, s.VerifyAuditCheckpoint(ctx, cp, verify), ErrCorrupt)
}

// Downgrade: the forger turns the whole chain into version 1 SHA-256
// entries, deletes the audit key record and sets schema 5, so that the
// next open "migrates" and keys the chain from the end. The checkpoint
// finds both the moved start of the keyed chain and the rewritten head.
func TestCheckpointFindsDowngrade(t *testing.T) {
	dir, k, cp, verify := keyedStoreWithCheckpoint(t)
	forge(t, dir, sha256Chain, true, func(a *AuditEntry) bool {
		if a.Seq == 2 {
			a.Details = "nothing happened"
		}
		return true
	})
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Delete(keyAuditKey, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Set(keySchema, []byte{5}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, dir, Options{AuditKey: k})
	rep, kinds := problemsOf(t, s, cp, verify)
	if kinds["checkpoint"] != 2 {
		t.Fatalf("Check with the checkpoint: %v", rep.Problems)
	}
	found := strings.Join([]string{rep.Problems[0].Detail, rep.Problems[1].Detail}, "\n")
	if !strings.Contains(found, "downgraded") || !strings.Contains(found, "rewritten") {
		t.Fatalf("findings: %s", found)
	}
}

// The exported form round-trips; a changed field or signature, another
// signer's key, or sloppy JSON is refused.
func TestCheckpointExport(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{AuditKey: testAuditKey(t, 3)})
	appendN(t, s, 4)
	sign, verify := gostCheckpointer(t)
	cp, err := s.Checkpoint(ctx, "gost256", sign)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(`{"format":"gostca-audit-checkpoint/1","seq":4,"head":"`)) {
		t.Fatalf("export %s", data)
	}
	got, err := ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != cp.Seq || got.Head != cp.Head || !got.At.Equal(cp.At) || got.KeyedFrom != 1 || got.KeyID != cp.KeyID ||
		got.Signer != "gost256" || !bytes.Equal(got.Signature, cp.Signature) {
		t.Fatalf("round trip %+v, want %+v", got, cp)
	}
	if err := got.Verify(verify); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyAuditCheckpoint(ctx, got, verify); err != nil {
		t.Fatal(err)
	}

	bumped := *got
	bumped.Seq = 3 // a forger moves the checkpoint back to hide entry 4
	wantErr(t, bumped.Verify(verify), ErrCorrupt)
	_, otherVerify := gostCheckpointer(t)
	wantErr(t, got.Verify(otherVerify), ErrCorrupt)
	rep, kinds := problemsOf(t, s, &bumped, verify)
	if kinds["checkpoint"] < 2 { // bad signature, and head ≠ entry 3
		t.Fatalf("forged checkpoint: %v", rep.Problems)
	}
	if _, err := s.CheckWith(ctx, CheckOptions{Checkpoint: got}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("checkpoint without verifier: %v", err)
	}

	for _, bad := range []string{
		strings.Replace(string(data), `"format":"gostca-audit-checkpoint/1"`, `"format":"x"`, 1),
		strings.Replace(string(data), `"seq":4`, `"seq":4,"extra":1`, 1),
		strings.Replace(string(data), `"seq":4`, `"seq":0`, 1),
		strings.Replace(string(data), `"signer":"gost256"`, `"signer":"a\u001b[2Jb"`, 1),
		string(data) + "{}",
		`{}`,
		strings.Repeat(" ", 5000),
	} {
		if _, err := ParseCheckpoint([]byte(bad)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("ParseCheckpoint(%.60q…) = %v", bad, err)
		}
	}
	if _, err := s.Checkpoint(ctx, "bad name", sign); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("signer name with a space: %v", err)
	}
	empty := openAt(t, t.TempDir(), Options{})
	if _, err := empty.Checkpoint(ctx, "gost256", sign); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("checkpoint of an empty chain: %v", err)
	}
}

// With RequireKeyedAudit (the key existed before this start), the same
// downgrade is refused at open instead of being keyed afresh.
func TestRequireKeyedAuditRefusesDowngrade(t *testing.T) {
	dir, k, _, _ := keyedStoreWithCheckpoint(t)
	forge(t, dir, sha256Chain, true, func(*AuditEntry) bool { return true })
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set(keyAuditKey, encodeAuditKeyRec(auditKeyRec{KeyedFrom: 1, ID: unkeyedID}), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{Logger: quiet(), AuditKey: k, RequireKeyedAudit: true})
	wantErr(t, err, ErrAuditKey)
	// A genuine keyed store opens with the flag.
	s := openAt(t, t.TempDir(), Options{AuditKey: k, RequireKeyedAudit: true})
	appendN(t, s, 1)
	mustCheck(t, s)
}
