package streebog

import (
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

var (
	_ hash.Cloner                = (*digest)(nil)
	_ encoding.BinaryMarshaler   = (*digest)(nil)
	_ encoding.BinaryAppender    = (*digest)(nil)
	_ encoding.BinaryUnmarshaler = (*digest)(nil)
)

// Saved state layout, version 1:
//
//	"stbg" | version (1) | digest size (1) | h (64) | N (64) | Sigma (64) |
//	len(buf) (1) | buf (len bytes)
//
// The 64-byte arrays are stored in their natural byte order (little-endian
// words). Only the buffered bytes are stored, so the total length pins
// down len(buf) and trailing garbage is rejected.
const (
	stateMagic     = "stbg"
	stateVersion   = 1
	stateHeaderLen = len(stateMagic) + 2
	stateFixedLen  = stateHeaderLen + 3*64 + 1
)

var (
	errStateMagic = errors.New("streebog: not a saved Streebog state (bad magic)")
	errStateLen   = errors.New("streebog: saved state has the wrong length")
	errStateN     = errors.New("streebog: saved state is inconsistent: bit counter is not a whole number of blocks")
)

func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, stateFixedLen+BlockSize))
}

func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, stateMagic...)
	b = append(b, stateVersion, byte(d.size))
	b = appendWords(b, &d.h)
	b = appendWords(b, &d.n)
	b = appendWords(b, &d.sigma)
	b = append(b, byte(d.nbuf))
	b = append(b, d.buf[:d.nbuf]...)
	return b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary of the same
// variant. On error d is left unchanged.
func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) < stateHeaderLen || string(b[:len(stateMagic)]) != stateMagic {
		return errStateMagic
	}
	if v := b[len(stateMagic)]; v != stateVersion {
		return fmt.Errorf("streebog: saved state has unsupported version %d (want %d)", v, stateVersion)
	}
	if size := int(b[len(stateMagic)+1]); size != d.size {
		return fmt.Errorf("streebog: saved state is for Streebog-%d, cannot restore into Streebog-%d", 8*size, 8*d.size)
	}
	if len(b) < stateFixedLen {
		return errStateLen
	}
	nbuf := int(b[stateFixedLen-1])
	if nbuf >= BlockSize {
		return fmt.Errorf("streebog: saved state buffers %d bytes, must be below %d", nbuf, BlockSize)
	}
	if len(b) != stateFixedLen+nbuf {
		return errStateLen
	}

	var s digest
	s.size = d.size
	p := b[stateHeaderLen:]
	p = loadWords(&s.h, p)
	p = loadWords(&s.n, p)
	p = loadWords(&s.sigma, p)
	// N only ever grows by 512 per full block before finalisation.
	if s.n[0]%(8*BlockSize) != 0 {
		return errStateN
	}
	s.nbuf = copy(s.buf[:], p[1:])
	*d = s
	return nil
}

func appendWords(b []byte, w *[8]uint64) []byte {
	for _, v := range w {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func loadWords(w *[8]uint64, p []byte) []byte {
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	return p[64:]
}
