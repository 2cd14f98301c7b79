package gost3410

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// paramSet is a parameter set as published, hex without 0x.
type paramSet struct {
	name       string
	oids       []string
	bits       int
	cofactor   int
	test       bool
	p, a, b, q string
	x, y       string
}

// Curve is a GOST R 34.10-2012 parameter set. Curves are created once by
// the package and shared; compare them by pointer.
type Curve struct {
	// Name is the TC26 name, e.g. "tc26-256-A"; the two test sets of
	// GOST R 34.10-2012 Appendix A are "gost-2001-test" and "tc26-512-test".
	Name string
	// Size is the length in bytes of a coordinate, a scalar and a digest:
	// 32 for the 256-bit sets, 64 for the 512-bit ones.
	Size int
	// Cofactor is the ratio of the curve order to q: 1, or 4 for the sets
	// defined as twisted Edwards curves (tc26-256-A, tc26-512-C).
	Cofactor int
	// Test marks the sets of the standard's examples: never for real keys.
	Test bool

	oids []asn1.ObjectIdentifier
	p, q *big.Int
	fq   *field // scalars mod q
	impl curveImpl
	// generic is the portable implementation; impl is either it or a
	// specialised one (fast.go). Tests use generic as the reference.
	generic *weierstrass
	qBytes  int // bytes that hold q's bits (nonce sampling)
	// fixed holds the tables of often-verified keys (fixedkeys.go); nil
	// when impl cannot build them.
	fixed *fixedKeys
	// qInv inverts public scalars mod q without math/big (invvartime.go).
	qInv *byModulus
}

// curveImpl is the point arithmetic of one parameter set. Values cross this
// boundary as canonical little-endian limbs, so per-prime fast code can
// replace the generic implementation without touching keys or signatures.
type curveImpl interface {
	// baseMult returns the affine k·G for a secret k < q in constant time;
	// ok is 0 when the result is the identity. Scalars are passed by value
	// so that secrets stay on the caller's stack.
	baseMult(k limbs) (x, y limbs, ok uint64)
	// validPublic reports whether (x, y), both < p, is on the curve and of
	// order q.
	validPublic(x, y *limbs) bool
	// combinedMultX returns the affine x of u1·G + u2·Q for public inputs;
	// ok is false when the sum is the identity.
	combinedMultX(u1, u2 limbs, qx, qy *limbs) (x limbs, ok bool)
}

// OIDs returns every object identifier of the set: the TC26 one first,
// then CryptoPro aliases.
func (c *Curve) OIDs() []asn1.ObjectIdentifier {
	out := make([]asn1.ObjectIdentifier, len(c.oids))
	for i, o := range c.oids {
		out[i] = append(asn1.ObjectIdentifier(nil), o...)
	}
	return out
}

// OID returns the preferred object identifier of the set.
func (c *Curve) OID() asn1.ObjectIdentifier { return c.OIDs()[0] }

// P returns the field prime.
func (c *Curve) P() *big.Int { return new(big.Int).Set(c.p) }

// Q returns the order of the base point.
func (c *Curve) Q() *big.Int { return new(big.Int).Set(c.q) }

func (c *Curve) String() string { return c.Name }

var curves = func() []*Curve {
	out := make([]*Curve, len(paramSets))
	for i := range paramSets {
		out[i] = newCurve(&paramSets[i])
	}
	return out
}()

// Curves returns every supported parameter set, production sets first.
func Curves() []*Curve { return append([]*Curve(nil), curves...) }

// CurveByOID finds a parameter set by any of its object identifiers,
// including the CryptoPro aliases of RFC 4357.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, bool) {
	for _, c := range curves {
		for _, o := range c.oids {
			if o.Equal(oid) {
				return c, true
			}
		}
	}
	return nil, false
}

// CurveByName finds a parameter set by its Name.
func CurveByName(name string) (*Curve, bool) {
	for _, c := range curves {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

func mustHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost3410: bad parameter " + s)
	}
	return v
}

func mustOID(s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			panic(fmt.Sprintf("gost3410: bad OID %q", s))
		}
		oid = append(oid, n)
	}
	return oid
}

func newCurve(ps *paramSet) *Curve {
	n := ps.bits / 64
	c := &Curve{
		Name:     ps.name,
		Size:     ps.bits / 8,
		Cofactor: ps.cofactor,
		Test:     ps.test,
		p:        mustHex(ps.p),
		q:        mustHex(ps.q),
	}
	for _, o := range ps.oids {
		c.oids = append(c.oids, mustOID(o))
	}
	c.qBytes = (c.q.BitLen() + 7) / 8
	c.fq = newField(c.q, n)
	c.qInv = newByModulus(c.q)
	c.generic = newWeierstrass(ps, n)
	c.impl = fastImpl(ps, c.generic)
	if fv, ok := c.impl.(fixedVerifier); ok {
		c.fixed = &fixedKeys{impl: fv}
	}
	return c
}

func newWeierstrass(ps *paramSet, n int) *weierstrass {
	fp := newField(mustHex(ps.p), n)
	w := &weierstrass{fp: fp}
	a, b := limbsFromBig(mustHex(ps.a)), limbsFromBig(mustHex(ps.b))
	b3 := limbsFromBig(new(big.Int).Mod(new(big.Int).Mul(mustHex(ps.b), big.NewInt(3)), mustHex(ps.p)))
	fp.toMont(&w.a, &a)
	fp.toMont(&w.b, &b)
	fp.toMont(&w.b3, &b3)
	gx, gy := limbsFromBig(mustHex(ps.x)), limbsFromBig(mustHex(ps.y))
	w.gen = w.fromAffine(&gx, &gy)
	w.makeTable(&w.genTable, &w.gen)
	w.q = limbsFromBig(mustHex(ps.q))
	w.cofactor = ps.cofactor
	return w
}
