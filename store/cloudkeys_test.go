package store

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

func cloudKeyN(app string) *CloudKey {
	return &CloudKey{Application: app, Phone: "+79161234567", Curve: "tc26-256-A", SPKI: []byte{0x30, 1, 2},
		Sealed: []byte("sealed bytes"), CSR: []byte{0x30, 3, 4}, Created: time.Unix(1_800_000_000, 0).UTC(), Actor: "cabinet/session:ab"}
}

// TestCloudKeyRecords: a cloud key is written once per application with
// its audit entry and read back as written; a second key for the same
// application and malformed keys are refused writing nothing; Check
// decodes the records.
func TestCloudKeyRecords(t *testing.T) {
	s := newStore(t)
	k := cloudKeyN("app-1")
	if err := s.PutCloudKey(ctx, k, AuditEntry{Actor: "t", Action: "cabinet.cloud_key", Subject: "application:app-1"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CloudKey(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != k.Phone || !bytes.Equal(got.Sealed, k.Sealed) || !bytes.Equal(got.SPKI, k.SPKI) || !got.Created.Equal(k.Created) || got.Curve != k.Curve {
		t.Fatalf("read back %+v", got)
	}
	head := auditSeq(t, s)
	wantErr(t, s.PutCloudKey(ctx, cloudKeyN("app-1"), AuditEntry{Actor: "t", Action: "x"}), ErrConflict)
	both := cloudKeyN("app-2")
	both.TokenRef = "label"
	none := cloudKeyN("app-3")
	none.Sealed = nil
	for _, bad := range []*CloudKey{both, none} {
		if err := s.PutCloudKey(ctx, bad, AuditEntry{Actor: "t", Action: "x"}); err == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
	if auditSeq(t, s) != head {
		t.Fatal("a refusal wrote an audit entry")
	}
	_, err = s.CloudKey(ctx, "app-2")
	wantErr(t, err, ErrNotFound)
	mustCheck(t, s)
}

// TestCloudOperationFinishOnce: of many concurrent finishes of one
// operation exactly one succeeds (and writes one audit entry); an
// expired operation and a finished one are refused, writing nothing.
func TestCloudOperationFinishOnce(t *testing.T) {
	s := newStore(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	op := &CloudOperation{ID: [16]byte{1}, Key: "app-1", Phone: "+79161234567", Digest: bytes.Repeat([]byte{7}, 32),
		Description: "договор", Challenge: "00", Created: now, Expires: now.Add(5 * time.Minute), State: CloudOpPending}
	if err := s.PutCloudOperation(ctx, op, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
		t.Fatal(err)
	}
	head := auditSeq(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.FinishCloudOperation(ctx, op.ID, now.Add(time.Minute), CloudOpSigned, []byte{byte(i + 1)}, AuditEntry{Actor: "t", Action: "cabinet.sign"})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !bytesIs(err, ErrCloudOpDone) {
				t.Errorf("finish: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || auditSeq(t, s) != head+1 {
		t.Fatalf("%d finishes succeeded, %d audit entries", wins, auditSeq(t, s)-head)
	}
	got, err := s.CloudOperation(ctx, op.ID)
	if err != nil || got.State != CloudOpSigned || len(got.Signature) != 1 {
		t.Fatalf("after finish: %+v, %v", got, err)
	}
	_, err = s.FinishCloudOperation(ctx, op.ID, now.Add(time.Minute), CloudOpRefused, nil, AuditEntry{Actor: "t", Action: "x"})
	wantErr(t, err, ErrCloudOpDone)

	late := *op
	late.ID = [16]byte{2}
	if err := s.PutCloudOperation(ctx, &late, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
		t.Fatal(err)
	}
	head = auditSeq(t, s)
	_, err = s.FinishCloudOperation(ctx, late.ID, late.Expires, CloudOpSigned, []byte{1}, AuditEntry{Actor: "t", Action: "x"})
	wantErr(t, err, ErrCloudOpDone)
	if got, _ := s.CloudOperation(ctx, late.ID); got.State != CloudOpPending || auditSeq(t, s) != head {
		t.Fatal("an expired operation changed")
	}
	mustCheck(t, s)
}

func bytesIs(err, target error) bool { return errors.Is(err, target) }
