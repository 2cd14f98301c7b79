package gost3410

import (
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// feOps wraps one specialised field behind []uint64 so a single
// differential test against math/big covers both.
type feOps struct {
	name          string
	p             *big.Int
	n             int
	mul, add, sub func(z, x, y []uint64)
	sqr, neg, inv func(z, x []uint64)
	canon         func(z, x []uint64)
	mulSmall      func(z, x []uint64, s uint64)
	isZero        func(x []uint64) uint64
	equal         func(x, y []uint64) uint64
	selectFn      func(z, x, y []uint64, c uint64)
	condNeg       func(z, x []uint64, c uint64)
}

func a256(s []uint64) *fe256 { return (*fe256)(s) }
func a512(s []uint64) *fe512 { return (*fe512)(s) }

var feImpls = []feOps{
	{
		name: "2^256-617", p: bigFromWords(fe256P[:]), n: 4,
		mul:      func(z, x, y []uint64) { fe256Mul(a256(z), a256(x), a256(y)) },
		add:      func(z, x, y []uint64) { fe256Add(a256(z), a256(x), a256(y)) },
		sub:      func(z, x, y []uint64) { fe256Sub(a256(z), a256(x), a256(y)) },
		sqr:      func(z, x []uint64) { fe256Sqr(a256(z), a256(x)) },
		neg:      func(z, x []uint64) { fe256Neg(a256(z), a256(x)) },
		inv:      func(z, x []uint64) { fe256Inv(a256(z), a256(x)) },
		canon:    func(z, x []uint64) { fe256Canon(a256(z), a256(x)) },
		mulSmall: func(z, x []uint64, s uint64) { fe256MulSmall(a256(z), a256(x), s) },
		isZero:   func(x []uint64) uint64 { return fe256IsZero(a256(x)) },
		equal:    func(x, y []uint64) uint64 { return fe256Equal(a256(x), a256(y)) },
		selectFn: func(z, x, y []uint64, c uint64) { fe256Select(a256(z), a256(x), a256(y), c) },
		condNeg:  func(z, x []uint64, c uint64) { fe256CondNeg(a256(z), a256(x), c) },
	},
	{
		name: "2^512-569", p: bigFromWords(fe512P[:]), n: 8,
		mul:      func(z, x, y []uint64) { fe512Mul(a512(z), a512(x), a512(y)) },
		add:      func(z, x, y []uint64) { fe512Add(a512(z), a512(x), a512(y)) },
		sub:      func(z, x, y []uint64) { fe512Sub(a512(z), a512(x), a512(y)) },
		sqr:      func(z, x []uint64) { fe512Sqr(a512(z), a512(x)) },
		neg:      func(z, x []uint64) { fe512Neg(a512(z), a512(x)) },
		inv:      func(z, x []uint64) { fe512Inv(a512(z), a512(x)) },
		canon:    func(z, x []uint64) { fe512Canon(a512(z), a512(x)) },
		mulSmall: func(z, x []uint64, s uint64) { fe512MulSmall(a512(z), a512(x), s) },
		isZero:   func(x []uint64) uint64 { return fe512IsZero(a512(x)) },
		equal:    func(x, y []uint64) uint64 { return fe512Equal(a512(x), a512(y)) },
		selectFn: func(z, x, y []uint64, c uint64) { fe512Select(a512(z), a512(x), a512(y), c) },
		condNeg:  func(z, x []uint64, c uint64) { fe512CondNeg(a512(z), a512(x), c) },
	},
}

func bigFromWords(w []uint64) *big.Int {
	r := new(big.Int)
	for i := len(w) - 1; i >= 0; i-- {
		r.Lsh(r, 64).Or(r, new(big.Int).SetUint64(w[i]))
	}
	return r
}

func wordsFromBig(x *big.Int, n int) []uint64 {
	w := make([]uint64, n)
	t := new(big.Int).Set(x)
	mask := new(big.Int).SetUint64(^uint64(0))
	for i := range n {
		w[i] = new(big.Int).And(t, mask).Uint64()
		t.Rsh(t, 64)
	}
	return w
}

// feEdgeValues are the inputs where carries and folds break: small values,
// p − k, the non-canonical range [p, 2^bits), all-ones limbs and single set
// limbs.
func feEdgeValues(p *big.Int, n int) []*big.Int {
	one := big.NewInt(1)
	top := new(big.Int).Lsh(one, uint(64*n))
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(616), big.NewInt(617),
		new(big.Int).Sub(p, one), new(big.Int).Sub(p, big.NewInt(2)), new(big.Int).Set(p),
		new(big.Int).Add(p, one), new(big.Int).Sub(top, one), new(big.Int).Sub(top, big.NewInt(2)),
		new(big.Int).Rsh(top, 1), new(big.Int).Sub(new(big.Int).Rsh(top, 1), one),
	}
	for i := range n {
		w := make([]uint64, n)
		w[i] = ^uint64(0)
		vals = append(vals, bigFromWords(w))
		w[i] = 1
		vals = append(vals, bigFromWords(w))
	}
	return vals
}

func TestFastFieldMatchesBig(t *testing.T) {
	r := mrand.New(mrand.NewPCG(5, 6))
	for _, f := range feImpls {
		p, n := f.p, f.n
		top := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
		vals := feEdgeValues(p, n)
		for range 300 {
			vals = append(vals, randBelow(r, top))
		}
		mod := func(x *big.Int) *big.Int { return new(big.Int).Mod(x, p) }
		z := make([]uint64, n)
		check := func(what string, x, y *big.Int, got []uint64, want *big.Int) {
			t.Helper()
			g := bigFromWords(got)
			if g.Cmp(top) >= 0 || mod(g).Cmp(mod(want)) != 0 {
				t.Fatalf("%s: %s(%x, %x) = %x, want ≡ %x", f.name, what, x, y, g, mod(want))
			}
		}
		for i, x := range vals {
			for _, y := range []*big.Int{vals[(i*7+3)%len(vals)], vals[len(vals)-1-i], x} {
				xw, yw := wordsFromBig(x, n), wordsFromBig(y, n)
				f.mul(z, xw, yw)
				check("mul", x, y, z, new(big.Int).Mul(x, y))
				f.add(z, xw, yw)
				check("add", x, y, z, new(big.Int).Add(x, y))
				f.sub(z, xw, yw)
				check("sub", x, y, z, new(big.Int).Sub(x, y))
				eq := f.equal(xw, yw)
				if want := mod(x).Cmp(mod(y)) == 0; (eq == 1) != want {
					t.Fatalf("%s: equal(%x, %x) = %d", f.name, x, y, eq)
				}
				f.selectFn(z, xw, yw, 1)
				check("select1", x, y, z, x)
				f.selectFn(z, xw, yw, 0)
				check("select0", x, y, z, y)
			}
			xw := wordsFromBig(x, n)
			f.sqr(z, xw)
			check("sqr", x, x, z, new(big.Int).Mul(x, x))
			f.neg(z, xw)
			check("neg", x, x, z, new(big.Int).Neg(x))
			f.condNeg(z, xw, 1)
			check("condNeg1", x, x, z, new(big.Int).Neg(x))
			f.condNeg(z, xw, 0)
			check("condNeg0", x, x, z, x)
			for _, s := range []uint64{0, 1, 3, 0xa6, 0x1f2, 1<<32 - 1} {
				f.mulSmall(z, xw, s)
				check("mulSmall", x, new(big.Int).SetUint64(s), z, new(big.Int).Mul(x, new(big.Int).SetUint64(s)))
			}
			f.canon(z, xw)
			if bigFromWords(z).Cmp(mod(x)) != 0 {
				t.Fatalf("%s: canon(%x) = %x", f.name, x, bigFromWords(z))
			}
			if (f.isZero(xw) == 1) != (mod(x).Sign() == 0) {
				t.Fatalf("%s: isZero(%x) wrong", f.name, x)
			}
			f.inv(z, xw)
			want := new(big.Int)
			if mod(x).Sign() != 0 {
				want.ModInverse(mod(x), p)
			}
			check("inv", x, x, z, want)
		}
	}
}

// Long chains of operations stay loosely reduced and congruent.
func TestFastFieldChains(t *testing.T) {
	r := mrand.New(mrand.NewPCG(7, 8))
	for _, f := range feImpls {
		n := f.n
		top := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
		acc := wordsFromBig(new(big.Int).Sub(top, big.NewInt(1)), n)
		ref := bigFromWords(acc)
		for i := range 2000 {
			y := randBelow(r, top)
			if i%5 == 0 {
				y = new(big.Int).Sub(top, big.NewInt(int64(1+r.IntN(2000))))
			}
			yw := wordsFromBig(y, n)
			switch i % 4 {
			case 0:
				f.mul(acc, acc, yw)
				ref.Mul(ref, y)
			case 1:
				f.add(acc, acc, yw)
				ref.Add(ref, y)
			case 2:
				f.sub(acc, acc, yw)
				ref.Sub(ref, y)
			case 3:
				f.sqr(acc, acc)
				ref.Mul(ref, ref)
			}
			ref.Mod(ref, f.p)
			if new(big.Int).Mod(bigFromWords(acc), f.p).Cmp(ref) != 0 {
				t.Fatalf("%s: chain diverged at step %d", f.name, i)
			}
		}
	}
}

func BenchmarkFastField(b *testing.B) {
	var x, y fe256
	for i := range x {
		x[i], y[i] = ^uint64(i*12345), uint64(i)*0x9e3779b97f4a7c15
	}
	b.Run("256/mul", func(b *testing.B) {
		for b.Loop() {
			fe256Mul(&x, &x, &y)
		}
	})
	b.Run("256/sqr", func(b *testing.B) {
		for b.Loop() {
			fe256Sqr(&x, &x)
		}
	})
	b.Run("256/mulGo", func(b *testing.B) {
		for b.Loop() {
			fe256MulGeneric(&x, &x, &y)
		}
	})
	b.Run("256/sqrGo", func(b *testing.B) {
		for b.Loop() {
			fe256SqrGeneric(&x, &x)
		}
	})
	b.Run("256/add", func(b *testing.B) {
		for b.Loop() {
			fe256Add(&x, &x, &y)
		}
	})
	b.Run("256/inv", func(b *testing.B) {
		for b.Loop() {
			fe256Inv(&x, &x)
		}
	})
	var a, c fe255
	for i := range a {
		a[i], c[i] = ^uint64(i*12345)>>1, uint64(i)*0x9e3779b97f4a7c15>>1
	}
	b.Run("255/mul", func(b *testing.B) {
		for b.Loop() {
			fe255Mul(&a, &a, &c)
		}
	})
	b.Run("255/sqr", func(b *testing.B) {
		for b.Loop() {
			fe255Sqr(&a, &a)
		}
	})
	var d, g fe256d
	for i := range d {
		d[i], g[i] = ^uint64(i*12345)>>1, uint64(i)*0x9e3779b97f4a7c15>>1
	}
	b.Run("256d/mul", func(b *testing.B) {
		for b.Loop() {
			fe256dMul(&d, &d, &g)
		}
	})
	b.Run("256d/sqr", func(b *testing.B) {
		for b.Loop() {
			fe256dSqr(&d, &d)
		}
	})
	b.Run("256d/mulSmall", func(b *testing.B) {
		for b.Loop() {
			fe256dMulSmall(&d, &d, 0x805a)
		}
	})
	b.Run("256d/inv", func(b *testing.B) {
		for b.Loop() {
			fe256dInv(&d, &d)
		}
	})
	var e, f fe511
	for i := range e {
		e[i], f[i] = ^uint64(i*12345)>>1, uint64(i)*0x9e3779b97f4a7c15>>1
	}
	b.Run("511/mul", func(b *testing.B) {
		for b.Loop() {
			fe511Mul(&e, &e, &f)
		}
	})
	b.Run("511/sqr", func(b *testing.B) {
		for b.Loop() {
			fe511Sqr(&e, &e)
		}
	})
	var u, v fe512
	for i := range u {
		u[i], v[i] = ^uint64(i*12345), uint64(i)*0x9e3779b97f4a7c15
	}
	b.Run("512/mul", func(b *testing.B) {
		for b.Loop() {
			fe512Mul(&u, &u, &v)
		}
	})
	b.Run("512/sqr", func(b *testing.B) {
		for b.Loop() {
			fe512Sqr(&u, &u)
		}
	})
	b.Run("512/mulGo", func(b *testing.B) {
		for b.Loop() {
			fe512MulGeneric(&u, &u, &v)
		}
	})
	b.Run("512/sqrGo", func(b *testing.B) {
		for b.Loop() {
			fe512SqrGeneric(&u, &u)
		}
	})
	b.Run("512/add", func(b *testing.B) {
		for b.Loop() {
			fe512Add(&u, &u, &v)
		}
	})
	b.Run("512/inv", func(b *testing.B) {
		for b.Loop() {
			fe512Inv(&u, &u)
		}
	})
}

func TestInvPublic(t *testing.T) {
	r := mrand.New(mrand.NewPCG(17, 18))
	for _, c := range curves {
		m := c.q
		vals := []*big.Int{big.NewInt(1), big.NewInt(2), new(big.Int).Sub(m, big.NewInt(1)), new(big.Int).Rsh(m, 1)}
		for range 50 {
			if x := randBelow(r, m); x.Sign() != 0 {
				vals = append(vals, x)
			}
		}
		for _, x := range vals {
			// z·x = 1, checked with the package's own Montgomery product.
			var z, xm, zm, p limbs
			xl := limbsFromBig(x)
			c.invPublic(&z, &xl)
			f := c.fq
			f.toMont(&xm, &xl)
			f.toMont(&zm, &z)
			f.mul(&p, &xm, &zm)
			f.fromMont(&p, &p)
			if p != (limbs{1}) || f.less(&z) == 0 {
				t.Fatalf("%s: invPublic(%x) = %x is not the inverse", c.Name, x, bigFromLimbs(&z))
			}
		}
	}
}

func a255(s []uint64) *fe255   { return (*fe255)(s) }
func a511(s []uint64) *fe511   { return (*fe511)(s) }
func a256d(s []uint64) *fe256d { return (*fe256d)(s) }

// The Montgomery fields for p = 2^(64n−1) + c keep values fully reduced, so
// they get their own differential test: mul is x·y·R⁻¹, add/sub exact mod p.
func TestMontFieldMatchesBig(t *testing.T) {
	type montOps struct {
		feOps
		one, rr []uint64
		from    func(z []uint64, x *limbs)
		to      func(x []uint64) limbs
		valid   func(x *limbs) bool
	}
	impls := []montOps{
		{
			feOps: feOps{name: "2^255+3225", p: bigFromWords(fe255P[:]), n: 4,
				mul:      func(z, x, y []uint64) { fe255Mul(a255(z), a255(x), a255(y)) },
				add:      func(z, x, y []uint64) { fe255Add(a255(z), a255(x), a255(y)) },
				sub:      func(z, x, y []uint64) { fe255Sub(a255(z), a255(x), a255(y)) },
				sqr:      func(z, x []uint64) { fe255Sqr(a255(z), a255(x)) },
				neg:      func(z, x []uint64) { fe255Neg(a255(z), a255(x)) },
				inv:      func(z, x []uint64) { fe255Inv(a255(z), a255(x)) },
				mulSmall: func(z, x []uint64, s uint64) { fe255MulSmall(a255(z), a255(x), s) },
				isZero:   func(x []uint64) uint64 { return fe255IsZero(a255(x)) },
				equal:    func(x, y []uint64) uint64 { return fe255Equal(a255(x), a255(y)) },
				condNeg:  func(z, x []uint64, c uint64) { fe255CondNeg(a255(z), a255(x), c) },
			},
			one: fe255One[:], rr: fe255RR[:],
			from:  func(z []uint64, x *limbs) { fe255FromLimbs(a255(z), x) },
			to:    func(x []uint64) limbs { return fe255ToLimbs(a255(x)) },
			valid: fe255Valid,
		},
		{
			feOps: feOps{name: "tc26-256-D p", p: bigFromWords(fe256dP[:]), n: 4,
				mul:      func(z, x, y []uint64) { fe256dMul(a256d(z), a256d(x), a256d(y)) },
				add:      func(z, x, y []uint64) { fe256dAdd(a256d(z), a256d(x), a256d(y)) },
				sub:      func(z, x, y []uint64) { fe256dSub(a256d(z), a256d(x), a256d(y)) },
				sqr:      func(z, x []uint64) { fe256dSqr(a256d(z), a256d(x)) },
				neg:      func(z, x []uint64) { fe256dNeg(a256d(z), a256d(x)) },
				inv:      func(z, x []uint64) { fe256dInv(a256d(z), a256d(x)) },
				mulSmall: func(z, x []uint64, s uint64) { fe256dMulSmall(a256d(z), a256d(x), s) },
				isZero:   func(x []uint64) uint64 { return fe256dIsZero(a256d(x)) },
				equal:    func(x, y []uint64) uint64 { return fe256dEqual(a256d(x), a256d(y)) },
				condNeg:  func(z, x []uint64, c uint64) { fe256dCondNeg(a256d(z), a256d(x), c) },
			},
			one: fe256dOne[:], rr: fe256dRR[:],
			from:  func(z []uint64, x *limbs) { fe256dFromLimbs(a256d(z), x) },
			to:    func(x []uint64) limbs { return fe256dToLimbs(a256d(x)) },
			valid: fe256dValid,
		},
		{
			feOps: feOps{name: "2^511+111", p: bigFromWords(fe511P[:]), n: 8,
				mul:      func(z, x, y []uint64) { fe511Mul(a511(z), a511(x), a511(y)) },
				add:      func(z, x, y []uint64) { fe511Add(a511(z), a511(x), a511(y)) },
				sub:      func(z, x, y []uint64) { fe511Sub(a511(z), a511(x), a511(y)) },
				sqr:      func(z, x []uint64) { fe511Sqr(a511(z), a511(x)) },
				neg:      func(z, x []uint64) { fe511Neg(a511(z), a511(x)) },
				inv:      func(z, x []uint64) { fe511Inv(a511(z), a511(x)) },
				mulSmall: func(z, x []uint64, s uint64) { fe511MulSmall(a511(z), a511(x), s) },
				isZero:   func(x []uint64) uint64 { return fe511IsZero(a511(x)) },
				equal:    func(x, y []uint64) uint64 { return fe511Equal(a511(x), a511(y)) },
				condNeg:  func(z, x []uint64, c uint64) { fe511CondNeg(a511(z), a511(x), c) },
			},
			one: fe511One[:], rr: fe511RR[:],
			from:  func(z []uint64, x *limbs) { fe511FromLimbs(a511(z), x) },
			to:    func(x []uint64) limbs { return fe511ToLimbs(a511(x)) },
			valid: fe511Valid,
		},
	}
	r := mrand.New(mrand.NewPCG(19, 20))
	for _, f := range impls {
		p, n := f.p, f.n
		R := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
		Rinv := new(big.Int).ModInverse(R, p)
		if bigFromWords(f.one).Cmp(new(big.Int).Mod(R, p)) != 0 || bigFromWords(f.rr).Cmp(new(big.Int).Mod(new(big.Int).Mul(R, R), p)) != 0 {
			t.Fatalf("%s: constants wrong", f.name)
		}
		var vals []*big.Int
		for _, v := range feEdgeValues(p, n) {
			if v.Cmp(p) < 0 {
				vals = append(vals, v)
			}
		}
		vals = append(vals, new(big.Int).Rsh(R, 1), new(big.Int).Sub(new(big.Int).Rsh(R, 1), big.NewInt(1)))
		for range 300 {
			vals = append(vals, randBelow(r, p))
		}
		z := make([]uint64, n)
		check := func(what string, got []uint64, want *big.Int) {
			t.Helper()
			if g := bigFromWords(got); g.Cmp(new(big.Int).Mod(want, p)) != 0 {
				t.Fatalf("%s: %s = %x, want %x", f.name, what, g, new(big.Int).Mod(want, p))
			}
		}
		for i, x := range vals {
			xw := wordsFromBig(x, n)
			for _, y := range []*big.Int{vals[(i*7+3)%len(vals)], vals[len(vals)-1-i], x} {
				yw := wordsFromBig(y, n)
				f.mul(z, xw, yw)
				check("mul", z, new(big.Int).Mul(new(big.Int).Mul(x, y), Rinv))
				f.add(z, xw, yw)
				check("add", z, new(big.Int).Add(x, y))
				f.sub(z, xw, yw)
				check("sub", z, new(big.Int).Sub(x, y))
				if (f.equal(xw, yw) == 1) != (x.Cmp(y) == 0) {
					t.Fatalf("%s: equal wrong", f.name)
				}
			}
			f.sqr(z, xw)
			check("sqr", z, new(big.Int).Mul(new(big.Int).Mul(x, x), Rinv))
			f.neg(z, xw)
			check("neg", z, new(big.Int).Neg(x))
			f.condNeg(z, xw, 1)
			check("condNeg", z, new(big.Int).Neg(x))
			for _, s := range []uint64{0, 1, 3, 0x1f2, 0x805a, 1<<32 - 1} {
				f.mulSmall(z, xw, s)
				check("mulSmall", z, new(big.Int).Mul(x, new(big.Int).SetUint64(s)))
			}
			if (f.isZero(xw) == 1) != (x.Sign() == 0) {
				t.Fatalf("%s: isZero wrong", f.name)
			}
			f.inv(z, xw) // (aR)⁻¹ in the domain is a⁻¹R = R²/(aR)
			want := new(big.Int)
			if x.Sign() != 0 {
				want.ModInverse(x, p).Mul(want, R).Mul(want, R)
			}
			check("inv", z, want)
			xl := limbsFromBig(x)
			f.from(z, &xl)
			check("toMont", z, new(big.Int).Mul(x, R))
			if back := f.to(z); back != xl {
				t.Fatalf("%s: Montgomery round trip of %x gave %x", f.name, x, bigFromLimbs(&back))
			}
			if !f.valid(&xl) {
				t.Fatalf("%s: valid(%x) = false", f.name, x)
			}
		}
		for _, bad := range []*big.Int{p, new(big.Int).Add(p, big.NewInt(1)), new(big.Int).Sub(R, big.NewInt(1))} {
			if f.valid(ptr(limbsFromBig(bad))) {
				t.Fatalf("%s: valid(%x) = true", f.name, bad)
			}
		}
	}
}
