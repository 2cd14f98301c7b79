package store

import (
	"bytes"
	"testing"
	"time"
)

// TestCloudOperationCMS: an attached operation keeps its document while
// pending; SignCloudOperation stores the signature and the CMS and drops
// the document; a version 1 record (written before CAdES) still reads,
// as detached with no CMS; a document without the attached flag, or a
// new operation carrying a CMS, is refused.
func TestCloudOperationCMS(t *testing.T) {
	s := newStore(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	doc := []byte("акт приёмки")
	op := &CloudOperation{ID: [16]byte{9}, Key: "app-1", Phone: "+79161234567", Digest: bytes.Repeat([]byte{7}, 32),
		Description: "акт", Challenge: "00", Created: now, Expires: now.Add(5 * time.Minute), State: CloudOpPending,
		Attached: true, Document: doc, DocSize: uint64(len(doc))}
	if err := s.PutCloudOperation(ctx, op, AuditEntry{Actor: "t", Action: "cabinet.sign_request"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CloudOperation(ctx, op.ID)
	if err != nil || !got.Attached || !bytes.Equal(got.Document, doc) || got.CMS != nil {
		t.Fatalf("pending read back %+v, %v", got, err)
	}
	p7 := []byte{0x30, 0x03, 0x06, 0x01, 0x00}
	done, err := s.SignCloudOperation(ctx, op.ID, now.Add(time.Minute), []byte{1, 2}, p7, AuditEntry{Actor: "t", Action: "cabinet.sign"})
	if err != nil || done.State != CloudOpSigned || !bytes.Equal(done.CMS, p7) || done.Document != nil {
		t.Fatalf("signed %+v, %v", done, err)
	}
	if got, err = s.CloudOperation(ctx, op.ID); err != nil || !bytes.Equal(got.CMS, p7) || !bytes.Equal(got.Signature, []byte{1, 2}) || got.Document != nil || !got.Attached {
		t.Fatalf("signed read back %+v, %v", got, err)
	}
	mustCheck(t, s)

	// A version 1 record: the version 2 encoding of a detached operation
	// without the three trailing fields.
	old := *op
	old.Attached, old.Document = false, nil
	v2 := encodeCloudOp(&old)
	v1 := append([]byte{1}, v2[1:len(v2)-3]...)
	if got, err := decodeCloudOp(old.ID[:], v1); err != nil || got.Attached || got.CMS != nil || got.Description != "акт" {
		t.Fatalf("version 1: %+v, %v", got, err)
	}
	if _, err := decodeCloudOp(old.ID[:], append([]byte{3}, v2[1:]...)); err == nil {
		t.Fatal("version 3 read")
	}

	for name, bad := range map[string]func(o *CloudOperation){
		"document, not attached": func(o *CloudOperation) { o.Attached = false },
		"attached, no document":  func(o *CloudOperation) { o.Document = nil },
		"new with a CMS":         func(o *CloudOperation) { o.CMS = p7 },
	} {
		o := *op
		o.ID = [16]byte{10}
		bad(&o)
		if err := s.PutCloudOperation(ctx, &o, AuditEntry{Actor: "t", Action: "x"}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
