package store

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// busy runs every kind of operation and returns a store Check must pass.
func busy(t *testing.T, s *Store) {
	t.Helper()
	for i := 1; i <= 40; i++ {
		ids := alice
		if i%3 == 0 {
			ids = Identifiers{SNILS: "11223344595", INN: "500100732259", OGRNIP: "304500116000157"}
		}
		c := issueN(t, s, i, ids, nil)
		switch i % 5 {
		case 1:
			mustSet(t, s, c.Serial, StatusChange{State: Revoked, Reason: 1, At: t0})
		case 2:
			mustSet(t, s, c.Serial, StatusChange{State: OnHold, At: t0})
		case 3:
			mustSet(t, s, c.Serial, StatusChange{State: OnHold, At: t0})
			mustSet(t, s, c.Serial, StatusChange{State: Valid})
		}
		if i%4 == 0 {
			got, _ := s.Certificate(ctx, c.Serial)
			if err := s.PutOCSPResponse(ctx, OCSPRecord{Serial: c.Serial, DER: []byte("r"), NextUpdate: t0.Add(time.Hour), StatusVersion: got.Status.Version}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustPut(t, s, intentN(100, "p100"), intentN(101, ""))
	mustPut(t, s, intentN(102, "p102"))
	if err := s.FailIntents(ctx, [][]byte{serialN(102)}, "test"); err != nil {
		t.Fatal(err)
	}
	rows, _ := s.OutboxPending(ctx, "esia", 10)
	for i, r := range rows {
		if i%2 == 0 {
			_ = s.OutboxDone(ctx, r.ID)
		} else {
			_ = s.OutboxRetry(ctx, r.ID, t0.Add(time.Hour), "timeout")
		}
	}
	if _, err := s.NextCRLNumber(ctx, "ca1"); err != nil {
		t.Fatal(err)
	}
}

func mustSet(t *testing.T, s *Store, serial []byte, ch StatusChange) {
	t.Helper()
	if err := s.SetStatus(ctx, serial, ch, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckClean(t *testing.T) {
	s := newStore(t)
	busy(t, s)
	rep := mustCheck(t, s)
	if rep.Certificates != 40 || rep.PendingIntents != 2 || rep.FailedIntents != 1 || rep.OutboxRows != 40 ||
		rep.OCSPResponses == 0 || rep.IndexEntries == 0 || rep.AuditEntries == 0 {
		t.Fatalf("report %+v", rep)
	}
}

// Each corruption is made with Pebble directly and must be reported.
func TestCheckDetects(t *testing.T) {
	cases := []struct {
		name string
		kind string
		do   func(db *pebble.DB) error
	}{
		{"deleted SNILS index entry", "missing-index", func(db *pebble.DB) error {
			return db.Delete(identKey(BySNILS, alice.SNILS, t0, serialN(1)), pebble.Sync)
		}},
		{"dangling identifier entry", "dangling-index", func(db *pebble.DB) error {
			return db.Set(identKey(ByINN, alice.INN, t0, serialN(999)), nil, pebble.Sync)
		}},
		{"dangling expiry entry", "dangling-index", func(db *pebble.DB) error {
			return db.Set(expiryKey(t0, serialN(999)), nil, pebble.Sync)
		}},
		{"dangling request entry", "dangling-index", func(db *pebble.DB) error {
			return db.Set(requestKey("ghost"), serialN(999), pebble.Sync)
		}},
		{"key index to another serial", "mismatch", func(db *pebble.DB) error {
			return db.Set(keyHashKey(keyN(1)), serialN(2), pebble.Sync)
		}},
		{"deleted expiry entry", "missing-index", func(db *pebble.DB) error {
			return db.Delete(expiryKey(t0.AddDate(1, 0, 0), serialN(4)), pebble.Sync)
		}},
		{"deleted revocation entry", "missing-index", func(db *pebble.DB) error {
			return db.Delete(revokedKey("ca1", serialN(1)), pebble.Sync)
		}},
		{"revocation entry of a valid cert", "mismatch", func(db *pebble.DB) error {
			return db.Set(revokedKey("ca1", serialN(4)), encodeRevEntry(Status{State: Revoked, At: t0}), pebble.Sync)
		}},
		{"deleted OCSP due entry", "missing-index", func(db *pebble.DB) error {
			return db.Delete(ocspDueKey(zeroTime, serialN(1)), pebble.Sync)
		}},
		{"deleted outbox due entry", "missing-index", func(db *pebble.DB) error {
			return db.DeleteRange([]byte{pOutboxDue}, []byte{pOutboxDue + 1}, pebble.Sync)
		}},
		{"pending intent's key released", "missing-index", func(db *pebble.DB) error {
			return db.Delete(keyHashKey(keyN(100)), pebble.Sync)
		}},
		{"garbled certificate", "decode", func(db *pebble.DB) error {
			return db.Set(certKey(serialN(7)), []byte{certV1, 1, 2}, pebble.Sync)
		}},
		{"unknown record version", "decode", func(db *pebble.DB) error {
			return db.Set(failedKey(serialN(102)), []byte{99}, pebble.Sync)
		}},
		{"serial registry entry of a certificate deleted", "missing-index", func(db *pebble.DB) error {
			return db.Delete(serialKey(serialN(3)), pebble.Sync)
		}},
		{"serial registry entry of a failed intent deleted", "missing-index", func(db *pebble.DB) error {
			return db.Delete(serialKey(serialN(102)), pebble.Sync)
		}},
		{"dangling serial registry entry", "dangling-index", func(db *pebble.DB) error {
			return db.Set(serialKey(serialN(999)), nil, pebble.Sync)
		}},
		{"status log row deleted (gap)", "mismatch", func(db *pebble.DB) error {
			return db.Delete(statusLogKey("ca1", 2), pebble.Sync)
		}},
		{"status log row disagrees with the certificate", "mismatch", func(db *pebble.DB) error {
			// Row 1 revoked serial 1 with reason 1; claim reason 4.
			row := &StatusLogEntry{Serial: serialN(1), From: Status{State: Valid},
				To: Status{State: Revoked, Reason: 4, At: t0, Version: 1}, ChangedAt: t0}
			return db.Set(statusLogKey("ca1", 1), encodeStatusLog(row), pebble.Sync)
		}},
		{"status log row of an unknown certificate", "dangling-index", func(db *pebble.DB) error {
			row := &StatusLogEntry{Serial: serialN(999), From: Status{State: Valid},
				To: Status{State: OnHold, Reason: ReasonCertificateHold, At: t0, Version: 1}, ChangedAt: t0}
			return db.Set(statusLogKey("ca1", 1000), encodeStatusLog(row), pebble.Sync)
		}},
		{"CRL base beyond the log head", "mismatch", func(db *pebble.DB) error {
			b := &CRLBase{Number: big.NewInt(1), LogSeq: 1 << 40, ThisUpdate: t0, NextUpdate: t0.Add(time.Hour)}
			return db.Set(crlBaseKey("ca1", "full"), encodeCRLBase(b), pebble.Sync)
		}},
		{"unknown prefix", "unknown-key", func(db *pebble.DB) error {
			return db.Set([]byte{0x7f, 1}, nil, pebble.Sync)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			busy(t, s)
			if err := tc.do(s.db); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("not detected")
			}
			var kinds []string
			for _, p := range rep.Problems {
				if p.Kind == tc.kind {
					return
				}
				kinds = append(kinds, p.String())
			}
			t.Fatalf("no %s problem among: %s", tc.kind, strings.Join(kinds, "; "))
		})
	}
}
