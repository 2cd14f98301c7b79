package store

import (
	"bytes"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) // "no expiry" in X.509
	c := &CertRecord{
		Serial: serialN(1), IssuerID: "ca1", RequestID: "r", Profile: "qualified", DER: []byte{0x30, 0},
		NotBefore: t0, NotAfter: far, KeyHash: keyN(1), Subject: alice, IssuedAt: t0.Add(time.Nanosecond),
		Status: Status{State: Revoked, Reason: 10, At: t0, InvalidityDate: t0.Add(-time.Hour), Version: math.MaxUint32},
	}
	gotC, err := decodeCert(encodeCert(c))
	if err != nil || !reflect.DeepEqual(gotC, c) {
		t.Fatalf("cert: %+v, %v", gotC, err)
	}
	in := &intentRec{Intent: intentN(2, "r"), failed: true, failedAt: t0, reason: "why"}
	gotI, err := decodeIntent(encodeIntent(in))
	if err != nil || !reflect.DeepEqual(gotI, in) {
		t.Fatalf("intent: %+v, %v", gotI, err)
	}
	o := &OCSPRecord{Serial: serialN(3), DER: []byte("r"), NextUpdate: t0, StatusVersion: 4, StoredAt: t0}
	gotO, err := decodeOCSP(o.Serial, encodeOCSP(o))
	if err != nil || !reflect.DeepEqual(gotO, o) {
		t.Fatalf("ocsp: %+v, %v", gotO, err)
	}
	r := &OutboxRow{ID: 7, Kind: "esia", Serial: serialN(3), Payload: []byte("p"), Attempts: 3, NextAttempt: t0,
		LastError: "e", CreatedAt: t0, Done: true, DoneAt: t0}
	gotR, err := decodeOutbox(7, encodeOutbox(r))
	if err != nil || !reflect.DeepEqual(gotR, r) {
		t.Fatalf("outbox: %+v, %v", gotR, err)
	}
	a := AuditEntry{Seq: 9, At: t0, Actor: "a", Action: "b", Subject: "c", Details: "d"}
	a.Hash = chainHash([32]byte{}, encodeAuditV1(&a))
	gotA, _, err := decodeAudit(append(encodeAuditV1(&a), a.Hash[:]...))
	if err != nil || !reflect.DeepEqual(*gotA, a) {
		t.Fatalf("audit v1: %+v, %v", gotA, err)
	}
	a2 := AuditEntry{Seq: 10, At: t0, Actor: "a", Action: "revoke", Subject: "c", Serial: serialN(4),
		CertStatus: Status{State: Revoked, Reason: 1, At: t0, Version: 2}, Reason: "keyCompromise", Comment: "c\x1b",
		Attrs: []AuditAttr{{"role", "x"}, {"name", ""}}, Details: "d", Hash: [32]byte{7}}
	gotA, _, err = decodeAudit(append(encodeAudit(&a2), a2.Hash[:]...))
	if err != nil || !reflect.DeepEqual(*gotA, a2) {
		t.Fatalf("audit v2: %+v, %v", gotA, err)
	}
	st := Status{State: OnHold, Reason: 6, At: t0}
	e, err := decodeRevEntry(encodeRevEntry(st))
	if err != nil || e.state != OnHold || e.reason != 6 || !e.at.Equal(t0) || !e.invalidity.IsZero() {
		t.Fatalf("revocation: %+v, %v", e, err)
	}
	n, err := decodeCRLNumber(encodeCRLNumber([]byte{1, 0}))
	if err != nil || !bytes.Equal(n, []byte{1, 0}) {
		t.Fatalf("CRL number: %x, %v", n, err)
	}
}

// Key encodings order like the values they encode.
func TestKeyOrdering(t *testing.T) {
	times := []time.Time{{}, time.Unix(-1, 0), time.Unix(0, 0), time.Unix(0, 1), t0, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 1; i < len(times); i++ {
		a, b := appendTime(nil, times[i-1]), appendTime(nil, times[i])
		if bytes.Compare(a, b) >= 0 {
			t.Fatalf("time key %v ≥ %v", times[i-1], times[i])
		}
		if got, _, ok := cutTime(b); !ok || !got.Equal(times[i]) {
			t.Fatalf("cutTime %v = %v", times[i], got)
		}
	}
	serials := [][]byte{{1}, {0xff}, {1, 0}, {0xff, 0xff}, bytes.Repeat([]byte{0xff}, 20)}
	for i := 1; i < len(serials); i++ {
		if bytes.Compare(certKey(serials[i-1]), certKey(serials[i])) >= 0 {
			t.Fatalf("serial key %x ≥ %x", serials[i-1], serials[i])
		}
	}
	if !bytes.Equal(prefixEnd([]byte{1, 0xff}), []byte{2}) || prefixEnd([]byte{0xff}) != nil {
		t.Fatal("prefixEnd")
	}
}

// Decoders reject every truncation and never panic on arbitrary bytes.
func FuzzDecodeRecords(f *testing.F) {
	c := &CertRecord{Serial: serialN(1), IssuerID: "ca1", DER: []byte{1}, KeyHash: keyN(1), Subject: alice, Status: Status{State: Valid}}
	seeds := [][]byte{
		encodeCert(c),
		encodeIntent(&intentRec{Intent: intentN(1, "r")}),
		encodeCert(&CertRecord{Serial: serialN(2), IssuerID: "ca1", DER: []byte{1}, KeyHash: keyN(2), Centre: "sc-1", Status: Status{State: Valid}}),
		encodeCertV1(c),
		encodeIntentV1(&intentRec{Intent: intentN(3, "r")}),
		encodeOCSP(&OCSPRecord{DER: []byte{1}}),
		encodeOutbox(&OutboxRow{Kind: "esia"}),
		append(encodeAudit(&AuditEntry{Seq: 1, Actor: "a", Action: "b"}), make([]byte, 32)...),
		append(encodeAuditV1(&AuditEntry{Seq: 1, Actor: "a", Action: "b"}), make([]byte, 32)...),
		append(encodeAudit(&AuditEntry{Seq: 1, Actor: "a", Action: "b", Serial: []byte{1}, CertStatus: Status{State: Valid},
			Attrs: []AuditAttr{{"k", "v"}}}), make([]byte, 32)...),
		encodeRevEntry(Status{State: Revoked}),
		encodeCRLNumber([]byte{1}),
		encodeAuditKeyRec(auditKeyRec{KeyedFrom: 3, ID: AuditKeyID{1}}),
	}
	for _, s := range seeds {
		for i := range s {
			f.Add(s[:i])
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := decodeCert(b); err == nil {
			enc := encodeCert
			if b[0] == certV1 {
				enc = encodeCertV1
			}
			if !bytes.Equal(enc(c), b) {
				t.Fatal("certificate encoding is not canonical")
			}
		}
		if r, err := decodeIntent(b); err == nil {
			enc := encodeIntent
			switch b[0] {
			case intentV1:
				enc = encodeIntentV1
			case intentV2:
				enc = encodeIntentV2
			}
			if !bytes.Equal(enc(r), b) {
				t.Fatal("intent encoding is not canonical")
			}
		}
		_, _ = decodeOCSP(nil, b)
		_, _ = decodeOutbox(0, b)
		if a, body, err := decodeAudit(b); err == nil {
			enc := encodeAudit
			if body[0] == auditV1 {
				enc = encodeAuditV1
			}
			if !bytes.Equal(enc(a), body) {
				t.Fatal("audit encoding is not canonical")
			}
		}
		if r, err := decodeAuditKeyRec(b); err == nil && !bytes.Equal(encodeAuditKeyRec(r), b) {
			t.Fatal("audit key record encoding is not canonical")
		}
		_, _ = decodeRevEntry(b)
		_, _ = decodeCRLNumber(b)
	})
}

func TestDecodeRejectsTruncation(t *testing.T) {
	b := encodeCert(&CertRecord{Serial: serialN(1), IssuerID: "ca1", DER: []byte{1}, Status: Status{State: Valid}})
	for i := range b {
		if _, err := decodeCert(b[:i]); err == nil {
			t.Fatalf("truncation at %d accepted", i)
		}
	}
	if _, err := decodeCert(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

func TestDecodeRejectsOverlongVarint(t *testing.T) {
	d := dec{b: []byte{0x80, 0x00}}
	d.uvarint()
	if d.finish("x") == nil {
		t.Fatal("overlong uvarint accepted")
	}
	d = dec{b: []byte{0x81, 0x00}}
	d.varint()
	if d.finish("x") == nil {
		t.Fatal("overlong varint accepted")
	}
}
