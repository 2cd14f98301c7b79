package store

import (
	"math"
	"math/big"
	"time"
)

// Record versions. A record starts with its version byte; a decoder that
// meets an unknown version reports ErrCorrupt rather than guessing, so a
// new version means a new decoder next to the old one. Certificates and
// intents are written as version 2 (which adds the service centre after
// the profile); version 1 records, written before schema 3, still decode
// (with no centre) and become version 2 when next rewritten.
const (
	certV1       byte = 1
	certV2       byte = 2
	intentV1     byte = 1
	intentV2     byte = 2
	intentV3     byte = 3 // adds the application link, the legacy flag and the MAC (schema 7)
	revokedV1    byte = 1
	ocspV1       byte = 1
	outboxV1     byte = 1
	outboxV2     byte = 2 // adds dead, cancelled and the attempt log (outboxadmin.go)
	outboxV3     byte = 3 // adds a polling receiver's ticket (outboxpoll.go); written only for a row with one
	auditV1      byte = 1
	crlNumberV1  byte = 1
	statusLogV1  byte = 1
	crlBaseV1    byte = 1
	crlPartsV1   byte = 1
	tokenV1      byte = 1
	intentActive byte = 1 // intent state byte: pending
	intentFailed byte = 2 // intent state byte: failed
)

func encodeCert(c *CertRecord) []byte {
	e := enc{b: make([]byte, 0, 160+len(c.DER))}
	e.byte(certV2)
	e.bytes(c.Serial)
	e.strs(c.IssuerID, c.RequestID, c.Profile, c.Centre)
	e.bytes(c.DER)
	e.time(c.NotBefore)
	e.time(c.NotAfter)
	e.hash(c.KeyHash)
	e.strs(c.Subject.SNILS, c.Subject.INN, c.Subject.INNLE, c.Subject.OGRN, c.Subject.OGRNIP)
	e.time(c.IssuedAt)
	encodeStatus(&e, c.Status)
	return e.b
}

func encodeStatus(e *enc, s Status) {
	e.byte(byte(s.State))
	e.uvarint(uint64(s.Reason))
	e.time(s.At)
	e.time(s.InvalidityDate)
	e.uint32(s.Version)
}

func decodeStatus(d *dec) Status {
	var s Status
	s.State = State(d.byte())
	if s.State < Valid || s.State > OnHold {
		d.fail("bad state")
	}
	r := d.uvarint()
	if r > 10 {
		d.fail("bad reason")
	}
	s.Reason = int(r)
	s.At = d.time()
	s.InvalidityDate = d.time()
	s.Version = d.uint32()
	return s
}

// decodeCert reads a version 1 or 2 certificate record.
func decodeCert(b []byte) (*CertRecord, error) {
	d := dec{b: b}
	v := d.version(certV1, certV2)
	c := &CertRecord{}
	c.Serial = d.bytes(maxSerialLen)
	c.IssuerID = d.str(maxIssuerLen)
	c.RequestID = d.str(maxRequestIDLen)
	c.Profile = d.str(maxProfileLen)
	if v == certV2 {
		c.Centre = d.centre()
	}
	c.DER = d.bytes(maxDERLen)
	c.NotBefore = d.time()
	c.NotAfter = d.time()
	c.KeyHash = d.hash()
	c.Subject.SNILS = d.str(32)
	c.Subject.INN = d.str(32)
	c.Subject.INNLE = d.str(32)
	c.Subject.OGRN = d.str(32)
	c.Subject.OGRNIP = d.str(32)
	c.IssuedAt = d.time()
	c.Status = decodeStatus(&d)
	if err := d.finish("certificate"); err != nil {
		return nil, err
	}
	return c, nil
}

// intentRec is a stored intent: pending, or failed with why and when.
type intentRec struct {
	Intent
	failed   bool
	failedAt time.Time
	reason   string
}

func encodeIntent(r *intentRec) []byte {
	e := enc{b: make([]byte, 0, 200+len(r.TBS))}
	e.byte(intentV3)
	if r.failed {
		e.byte(intentFailed)
	} else {
		e.byte(intentActive)
	}
	encodeIntentContent(&e, &r.Intent)
	e.bytes(r.MAC)
	if r.failed {
		e.time(r.failedAt)
		e.str(r.reason)
	}
	return e.b
}

// encodeIntentContent appends what an intent says — everything but its
// state, MAC and failure — in record order. The MAC covers exactly these
// bytes (intentMACInput).
func encodeIntentContent(e *enc, in *Intent) {
	e.bytes(in.Serial)
	e.strs(in.IssuerID, in.RequestID, in.Profile, in.Centre)
	e.hash(in.KeyHash)
	e.time(in.CreatedAt)
	e.bytes(in.TBS)
	if l := in.App; l != nil {
		e.byte(1)
		e.str(l.ID)
		e.uvarint(l.Version)
		e.uint32(l.Attempt)
		e.str(l.Actor)
	} else {
		e.byte(0)
	}
	e.flag(in.Legacy)
}

// decodeIntent reads a version 1, 2 or 3 intent record. Versions 1 and 2
// have no application link and no MAC (MAC nil).
func decodeIntent(b []byte) (*intentRec, error) {
	return decodeIntentFrom(dec{b: b})
}

// decodeIntentOwned is decodeIntent for a value the caller owns (a copy
// read from the store): serial, TBS and MAC point into b instead of
// copying it again.
func decodeIntentOwned(b []byte) (*intentRec, error) {
	return decodeIntentFrom(dec{b: b, alias: true})
}

func decodeIntentFrom(d dec) (*intentRec, error) {
	v := d.version(intentV1, intentV2, intentV3)
	r := &intentRec{}
	switch d.byte() {
	case intentActive:
	case intentFailed:
		r.failed = true
	default:
		d.fail("bad intent state")
	}
	r.Serial = d.bytes(maxSerialLen)
	r.IssuerID = d.str(maxIssuerLen)
	r.RequestID = d.str(maxRequestIDLen)
	r.Profile = d.str(maxProfileLen)
	if v >= intentV2 {
		r.Centre = d.centre()
	}
	r.KeyHash = d.hash()
	r.CreatedAt = d.time()
	r.TBS = d.bytes(maxDERLen)
	if v >= intentV3 {
		switch d.byte() {
		case 0:
		case 1:
			l := &AppLink{}
			l.ID = d.str(MaxAppIDLen)
			l.Version = d.uvarint()
			l.Attempt = d.uint32()
			l.Actor = d.str(maxActorLen)
			r.App = l
		default:
			d.fail("bad application link flag")
		}
		r.Legacy = d.flag()
		r.MAC = d.bytes(intentMACLen)
		if len(r.MAC) != 0 && len(r.MAC) != intentMACLen {
			d.fail("bad intent MAC length")
		}
		if len(r.MAC) == 0 {
			r.MAC = nil
		}
	}
	if r.failed {
		r.failedAt = d.time()
		r.reason = d.str(maxReasonLen)
	}
	if err := d.finish("intent"); err != nil {
		return nil, err
	}
	return r, nil
}

// revEntry is the value of a revocation-index entry (pRevoked).
type revEntry struct {
	state      State
	reason     int
	at         time.Time
	invalidity time.Time
}

func encodeRevEntry(s Status) []byte {
	e := enc{b: make([]byte, 0, 32)}
	e.byte(revokedV1)
	e.byte(byte(s.State))
	e.uvarint(uint64(s.Reason))
	e.time(s.At)
	e.time(s.InvalidityDate)
	return e.b
}

func decodeRevEntry(b []byte) (revEntry, error) {
	d := dec{b: b}
	d.version(revokedV1)
	var r revEntry
	r.state = State(d.byte())
	if r.state != Revoked && r.state != OnHold {
		d.fail("bad state")
	}
	reason := d.uvarint()
	if reason > 10 {
		d.fail("bad reason")
	}
	r.reason = int(reason)
	r.at = d.time()
	r.invalidity = d.time()
	return r, d.finish("revocation entry")
}

func encodeOCSP(r *OCSPRecord) []byte {
	e := enc{b: make([]byte, 0, 48+len(r.DER))}
	e.byte(ocspV1)
	e.time(r.NextUpdate)
	e.uint32(r.StatusVersion)
	e.time(r.StoredAt)
	e.bytes(r.DER)
	return e.b
}

func decodeOCSP(serial, b []byte) (*OCSPRecord, error) {
	d := dec{b: b}
	d.version(ocspV1)
	r := &OCSPRecord{Serial: append([]byte(nil), serial...)}
	r.NextUpdate = d.time()
	r.StatusVersion = d.uint32()
	r.StoredAt = d.time()
	r.DER = d.bytes(maxDERLen)
	return r, d.finish("OCSP response")
}

func encodeOutbox(r *OutboxRow) []byte {
	e := enc{b: make([]byte, 0, 64+len(r.Payload)+len(r.LastError)+40*len(r.Log))}
	v := outboxV2
	if r.Ticket != "" {
		v = outboxV3
	}
	e.byte(v)
	e.str(r.Kind)
	e.bytes(r.Serial)
	e.bytes(r.Payload)
	e.uvarint(uint64(r.Attempts))
	e.time(r.NextAttempt)
	e.str(r.LastError)
	e.time(r.CreatedAt)
	e.flag(r.Done)
	e.time(r.DoneAt)
	e.flag(r.Dead)
	e.flag(r.Cancelled)
	e.uvarint(uint64(len(r.Log)))
	for _, a := range r.Log {
		e.time(a.At)
		e.uvarint(uint64(a.Code))
		e.str(a.Error)
		e.uvarint(uint64(a.Took))
	}
	if v == outboxV3 {
		e.str(r.Ticket)
		e.time(r.TicketAt)
		e.time(r.PollDeadline)
		e.uvarint(uint64(r.Polls))
	}
	return e.b
}

func decodeOutbox(id uint64, b []byte) (*OutboxRow, error) {
	d := dec{b: b}
	v := d.version(outboxV1, outboxV2, outboxV3)
	r := &OutboxRow{ID: id}
	r.Kind = d.str(maxKindLen)
	r.Serial = d.bytes(maxSerialLen)
	r.Payload = d.bytes(maxPayloadLen)
	a := d.uvarint()
	if a > math.MaxInt32 {
		d.fail("bad attempts")
	}
	r.Attempts = int(a)
	r.NextAttempt = d.time()
	r.LastError = d.str(maxErrorLen)
	r.CreatedAt = d.time()
	r.Done = d.flag()
	r.DoneAt = d.time()
	if v >= outboxV2 {
		r.Dead = d.flag()
		r.Cancelled = d.flag()
		n := d.uvarint()
		if n > MaxOutboxLog || n > uint64(len(d.b)) {
			d.fail("bad attempt log count")
			n = 0
		}
		for range n {
			var at OutboxAttempt
			at.At = d.time()
			c := d.uvarint()
			if c > 999 {
				d.fail("bad status code")
			}
			at.Code = int(c)
			at.Error = d.str(maxErrorLen)
			took := d.uvarint()
			if took > math.MaxInt64 {
				d.fail("bad duration")
			}
			at.Took = time.Duration(took)
			if d.bad != "" {
				break
			}
			r.Log = append(r.Log, at)
		}
	}
	if v == outboxV3 {
		r.Ticket = d.str(maxTicketLen)
		r.TicketAt = d.time()
		r.PollDeadline = d.time()
		n := d.uvarint()
		if n > math.MaxInt32 {
			d.fail("bad poll count")
		}
		r.Polls = int(n)
		if r.Ticket == "" {
			d.fail("version 3 row without a ticket")
		}
	}
	if (r.Done && (r.Dead || r.Cancelled)) || (r.Dead && r.Cancelled) {
		d.fail("more than one final state")
	}
	return r, d.finish("outbox row")
}

func encodeCRLNumber(n []byte) []byte {
	e := enc{}
	e.byte(crlNumberV1)
	e.bytes(n)
	return e.b
}

func decodeCRLNumber(b []byte) ([]byte, error) {
	d := dec{b: b}
	d.version(crlNumberV1)
	n := d.bytes(maxSerialLen)
	return n, d.finish("CRL number")
}

// encodeStatusLog: serial, status before, status after, store time.
func encodeStatusLog(r *StatusLogEntry) []byte {
	e := enc{b: make([]byte, 0, 80)}
	e.byte(statusLogV1)
	e.bytes(r.Serial)
	encodeStatus(&e, r.From)
	encodeStatus(&e, r.To)
	e.time(r.ChangedAt)
	return e.b
}

func decodeStatusLog(seq uint64, b []byte) (*StatusLogEntry, error) {
	d := dec{b: b}
	d.version(statusLogV1)
	r := &StatusLogEntry{Seq: seq}
	r.Serial = d.bytes(maxSerialLen)
	r.From = decodeStatus(&d)
	r.To = decodeStatus(&d)
	r.ChangedAt = d.time()
	if err := d.finish("status log row"); err != nil {
		return nil, err
	}
	if len(r.Serial) == 0 || r.Serial[0] == 0 {
		return nil, corrupt("decode status log row: serial %x not normalised", r.Serial)
	}
	return r, nil
}

// encodeCRLBase: number (magnitude), log position, thisUpdate, nextUpdate.
func encodeCRLBase(b *CRLBase) []byte {
	e := enc{b: make([]byte, 0, 48)}
	e.byte(crlBaseV1)
	e.bytes(b.Number.Bytes())
	e.uvarint(b.LogSeq)
	e.time(b.ThisUpdate)
	e.time(b.NextUpdate)
	return e.b
}

func decodeCRLBase(b []byte) (*CRLBase, error) {
	d := dec{b: b}
	d.version(crlBaseV1)
	r := &CRLBase{}
	r.Number = new(big.Int).SetBytes(d.bytes(maxSerialLen))
	r.LogSeq = d.uvarint()
	r.ThisUpdate = d.time()
	r.NextUpdate = d.time()
	return r, d.finish("CRL base")
}

func encodeCRLParts(n int) []byte {
	e := enc{}
	e.byte(crlPartsV1)
	e.uvarint(uint64(n))
	return e.b
}

func decodeCRLParts(b []byte) (int, error) {
	d := dec{b: b}
	d.version(crlPartsV1)
	n := d.uvarint()
	if n == 0 || n > MaxCRLPartitions {
		d.fail("partition count out of range")
	}
	return int(n), d.finish("CRL partition count")
}
