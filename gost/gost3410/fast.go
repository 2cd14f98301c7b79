package gost3410

//go:generate go run gen_fast.go
//go:generate go run gen_fe_amd64.go

import "math/big"

// fastImpl returns the specialised implementation of a parameter set, or
// generic for the sets without one (the two test sets).
// Fields: fe256 (2^256 − 617), fe512 (2^512 − 569), fe255 (2^255 + 3225),
// fe511 (2^511 + 111), fe256d (the tc26-256-D prime, no special form);
// point code for the last four is generated from the fe256 sources by
// gen_fast.go.
func fastImpl(ps *paramSet, generic *weierstrass) curveImpl {
	switch ps.name {
	case "tc26-256-A":
		return newEd256Curve(ps, edwardsD256A)
	case "tc26-256-B":
		return newWa256Curve(ps)
	case "tc26-256-C":
		return newWa255Curve(ps)
	case "tc26-256-D":
		return newWa256dCurve(ps)
	case "tc26-512-B":
		return newWa511Curve(ps)
	case "tc26-512-A":
		return newWa512Curve(ps)
	case "tc26-512-C":
		return newEd512Curve(ps, edwardsD512C)
	}
	return generic
}

// Edwards d of the twisted Edwards sets (e = 1), RFC 7836 Appendix A.1;
// newEd256Curve checks them against the Weierstrass a and b.
const (
	edwardsD256A = "0605f6b7c183fa81578bc39cfad518132b9df62897009af7e522c32d6dc7bffb"
	edwardsD512C = "9e4f5d8c017d8d9f13a5cf3cdf5bfe4dab402d54198e31ebde28a0621050439ca6b39e0a515c06b304e2ce43e79e369e91a0cfc2bc2a22b4ca302dbb33ee7550"
)

// edwardsConstants returns s, t and the Edwards coordinates of the base
// point for e = 1 and the given d, and panics if they do not reproduce
// the published Weierstrass a and b (a = s² − 3t², b = 2t³ − ts²).
func edwardsConstants(p, d *big.Int, ps *paramSet) (s, t, gu, gv *big.Int) {
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	inv := func(x int64) *big.Int { return new(big.Int).ModInverse(big.NewInt(x), p) }
	s = mod(new(big.Int).Mul(new(big.Int).Sub(big.NewInt(1), d), inv(4)))
	t = mod(new(big.Int).Mul(new(big.Int).Add(big.NewInt(1), d), inv(6)))
	s2 := new(big.Int).Mul(s, s)
	a := mod(new(big.Int).Sub(s2, new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(t, t))))
	b := new(big.Int).Mul(big.NewInt(2), new(big.Int).Exp(t, big.NewInt(3), p))
	b = mod(b.Sub(b, new(big.Int).Mul(t, s2)))
	if a.Cmp(mustHex(ps.a)) != 0 || b.Cmp(mustHex(ps.b)) != 0 {
		panic("gost3410: Edwards constants of " + ps.name + " do not match a, b")
	}
	x, y := mustHex(ps.x), mustHex(ps.y)
	xt := mod(new(big.Int).Sub(x, t))
	gu = mod(new(big.Int).Mul(xt, new(big.Int).ModInverse(y, p)))
	den := mod(new(big.Int).Add(xt, s))
	gv = mod(new(big.Int).Mul(new(big.Int).Sub(xt, s), den.ModInverse(den, p)))
	return s, t, gu, gv
}
