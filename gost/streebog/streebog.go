package streebog

import (
	"encoding/binary"
	"hash"
)

const (
	Size256   = 32 // bytes in a Streebog-256 digest
	Size512   = 64 // bytes in a Streebog-512 digest
	BlockSize = 64 // bytes in a message block
)

// digest is the running state of either variant; size tells them apart.
// Every 64-byte quantity is kept as little-endian words (see doc.go).
type digest struct {
	h     [8]uint64 // chaining value
	n     [8]uint64 // message length in bits, mod 2^512
	sigma [8]uint64 // sum of message blocks, mod 2^512
	buf   [BlockSize]byte
	nbuf  int // bytes waiting in buf, always < BlockSize between calls
	size  int // Size256 or Size512
}

// New256 returns a Streebog-256 hash.Hash. It also implements hash.Cloner,
// encoding.BinaryMarshaler, encoding.BinaryAppender and
// encoding.BinaryUnmarshaler.
func New256() hash.Hash { return newDigest(Size256) }

// New512 returns a Streebog-512 hash.Hash, with the same extras as New256.
func New512() hash.Hash { return newDigest(Size512) }

func newDigest(size int) *digest {
	d := &digest{size: size}
	d.Reset()
	return d
}

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) [Size256]byte {
	var d digest
	d.size = Size256
	d.Reset()
	d.Write(data)
	full := d.finish()
	return [Size256]byte(full[Size512-Size256:])
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	var d digest
	d.size = Size512
	d.Reset()
	d.Write(data)
	return d.finish()
}

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

// Reset loads the IV: all-zero bytes for Streebog-512, all 0x01 bytes for
// Streebog-256.
func (d *digest) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.nbuf = 0
}

func (d *digest) Clone() (hash.Cloner, error) {
	c := *d
	return &c, nil
}

// Write never fails. A full block is compressed as soon as it is complete:
// Streebog pads with a separate, possibly empty, final block, so there is
// no need to hold the last full block back.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		k := copy(d.buf[d.nbuf:], p)
		d.nbuf += k
		p = p[k:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.blocks(d.buf[:])
		d.nbuf = 0
	}
	if len(p) >= BlockSize {
		// Whole blocks straight from the caller's slice, no copying.
		k := len(p) &^ (BlockSize - 1)
		d.blocks(p[:k])
		p = p[k:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// Sum appends the digest to b; d itself is left unchanged.
func (d *digest) Sum(b []byte) []byte {
	c := *d
	full := c.finish()
	return append(b, full[Size512-d.size:]...)
}

// blocks compresses len(p)/BlockSize full blocks.
func (d *digest) blocks(p []byte) {
	var m [8]uint64
	for len(p) >= BlockSize {
		loadBlock(&m, p)
		compress(&d.h, &d.n, &m)
		addBits(&d.n, 8*BlockSize)
		add512(&d.sigma, &m)
		p = p[BlockSize:]
	}
}

var zero [8]uint64

// finish pads and compresses the last partial block, folds in N and Sigma,
// and returns the whole final state; it consumes d.
func (d *digest) finish() [Size512]byte {
	clear(d.buf[d.nbuf:])
	d.buf[d.nbuf] = 0x01
	var m [8]uint64
	loadBlock(&m, d.buf[:])
	compress(&d.h, &d.n, &m)
	addBits(&d.n, 8*uint64(d.nbuf))
	add512(&d.sigma, &m)
	compress(&d.h, &zero, &d.n)
	compress(&d.h, &zero, &d.sigma)

	var out [Size512]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return out
}
