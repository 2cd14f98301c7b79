package store

import (
	"encoding/binary"
	"time"
)

// enc appends the primitives of the record encodings (see doc.go):
// unsigned and zig-zag varints, length-prefixed byte strings, times as
// varint seconds + uvarint nanoseconds, and raw fixed-size fields.
type enc struct{ b []byte }

func (e *enc) byte(v byte)      { e.b = append(e.b, v) }
func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) bytes(p []byte)   { e.uvarint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) time(t time.Time) { e.varint(t.Unix()); e.uvarint(uint64(t.Nanosecond())) }
func (e *enc) uint32(v uint32)  { e.uvarint(uint64(v)) }
func (e *enc) flag(v bool)      { e.byte(boolByte(v)) }
func (e *enc) hash(h [32]byte)  { e.b = append(e.b, h[:]...) }
func (e *enc) strs(ss ...string) {
	for _, s := range ss {
		e.str(s)
	}
}
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// dec reads what enc wrote. Errors are sticky: after the first failure
// every read returns a zero value, and finish reports it. Byte strings
// are copied, so results outlive the Pebble buffer they came from.
type dec struct {
	b   []byte
	bad string // first failure, "" if none
	// alias: the caller owns b and keeps it unchanged, so byte fields
	// are slices of it rather than copies (decodeIntentOwned).
	alias bool
}

func (d *dec) fail(what string) {
	if d.bad == "" {
		d.bad = what
	}
	d.b = nil
}

func (d *dec) byte() byte {
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || (n > 1 && d.b[n-1] == 0) { // overlong forms are not canonical
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 || (n > 1 && d.b[n-1] == 0) {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) fixed(n int) []byte {
	if len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n:n]
	if !d.alias {
		v = append([]byte(nil), v...)
	}
	d.b = d.b[n:]
	return v
}

// raw returns n bytes without copying (for hashing in place).
func (d *dec) raw(n int) []byte {
	if len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) length(max int) int {
	n := d.uvarint()
	if n > uint64(max) {
		d.fail("length out of bounds")
		return 0
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated")
		return 0
	}
	return int(n)
}

func (d *dec) bytes(max int) []byte {
	n := d.length(max)
	if d.bad != "" {
		return nil
	}
	return d.fixed(n)
}

func (d *dec) str(max int) string {
	n := d.length(max)
	if d.bad != "" {
		return ""
	}
	v := string(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *dec) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail("bad nanoseconds")
		return time.Time{}
	}
	if d.bad != "" {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *dec) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("uint32 out of range")
		return 0
	}
	return uint32(v)
}

func (d *dec) flag() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad flag")
	return false
}

func (d *dec) hash() (h [32]byte) {
	copy(h[:], d.raw(32))
	return h
}

// version reads the leading version byte, checks it is one of known and
// returns it (0 after a failure).
func (d *dec) version(known ...byte) byte {
	v := d.byte()
	if d.bad != "" {
		return 0
	}
	for _, k := range known {
		if v == k {
			return v
		}
	}
	d.fail("unknown record version")
	return 0
}

// centre reads an optional service centre id: empty, or well-formed
// (the index keys embed it, so a malformed one is corruption).
func (d *dec) centre() string {
	s := d.str(MaxCentreIDLen)
	if s != "" && !ValidCentreID(s) {
		d.fail("bad service centre id")
		return ""
	}
	return s
}

// finish reports the first failure or trailing bytes.
func (d *dec) finish(what string) error {
	if d.bad == "" && len(d.b) != 0 {
		d.bad = "trailing bytes"
	}
	if d.bad != "" {
		return corrupt("decode %s: %s", what, d.bad)
	}
	return nil
}
