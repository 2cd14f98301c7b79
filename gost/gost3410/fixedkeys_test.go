package gost3410

import (
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// verifyRFixed agrees with verifyR on random keys and scalars, including
// the scalar edge cases (0, 1, q − 1) and points whose x is at least q,
// and rejects a wrong r and the identity.
func TestFixedVerifyR(t *testing.T) {
	r := mrand.New(mrand.NewPCG(31, 32))
	n := 0
	for _, i := range fastCurves(t) {
		c := curves[i]
		fv, ok := c.impl.(fixedVerifier)
		if !ok {
			continue
		}
		n++
		rv := c.impl.(rVerifier)
		ref := newRefCurve(&paramSets[i])
		big1 := big.NewInt(1)
		qm1 := new(big.Int).Sub(ref.q, big1)
		keys := 12
		if raceOn {
			keys = 3
		}
		for k := range keys {
			q := ref.mul(randBelow(r, ref.q), ref.g)
			qx, qy := limbsFromBig(q.x), limbsFromBig(q.y)
			tab := fv.fixedTable(&qx, &qy)
			if tab == nil {
				t.Fatalf("%s: no table for a valid key", c.Name)
			}
			for j := range 8 {
				u1, u2 := randBelow(r, ref.q), randBelow(r, ref.q)
				switch j {
				case 0:
					u1 = big.NewInt(0)
				case 1:
					u2 = qm1
				case 2:
					u1, u2 = qm1, big1
				}
				l1, l2 := limbsFromBig(u1), limbsFromBig(u2)
				want := ref.add(ref.mul(u1, ref.g), ref.mul(u2, q))
				if want.x == nil {
					continue
				}
				xr := limbsFromBig(new(big.Int).Mod(want.x, ref.q))
				if !fv.verifyRFixed(tab, l1, l2, xr) || !rv.verifyR(l1, l2, &qx, &qy, xr) {
					t.Fatalf("%s key %d case %d: the right r is rejected", c.Name, k, j)
				}
				bad := limbsFromBig(new(big.Int).Mod(new(big.Int).Add(bigFromLimbs(&xr), big1), ref.q))
				if fv.verifyRFixed(tab, l1, l2, bad) {
					t.Fatalf("%s key %d case %d: a wrong r is accepted", c.Name, k, j)
				}
			}
			// Every digit of the width-7 verification comb, in u1 and u2.
			if k == 0 {
				pats := recodingPatterns(ref.q, c.Size*8, 7)
				for j, u1 := range pats {
					u2 := pats[len(pats)-1-j]
					want := ref.add(ref.mul(u1, ref.g), ref.mul(u2, q))
					if want.x == nil {
						continue
					}
					l1, l2 := limbsFromBig(u1), limbsFromBig(u2)
					xr := limbsFromBig(new(big.Int).Mod(want.x, ref.q))
					bad := limbsFromBig(new(big.Int).Mod(new(big.Int).Add(bigFromLimbs(&xr), big1), ref.q))
					if !fv.verifyRFixed(tab, l1, l2, xr) || fv.verifyRFixed(tab, l1, l2, bad) {
						t.Fatalf("%s: pattern %d: wrong answer", c.Name, j)
					}
				}
			}
			// u1·G + u2·Q with Q = m·G and u1 = −u2·m is the identity.
			if k == 0 {
				m := new(big.Int).Mod(new(big.Int).Sub(ref.q, big1), ref.q) // Q' = −G
				qq := ref.mul(m, ref.g)
				qqx, qqy := limbsFromBig(qq.x), limbsFromBig(qq.y)
				tt := fv.fixedTable(&qqx, &qqy)
				one := limbsFromBig(big1)
				if fv.verifyRFixed(tt, one, one, limbs{}) || fv.verifyRFixed(tt, one, one, one) {
					t.Fatalf("%s: the identity verifies", c.Name)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no curve builds fixed-key tables")
	}
}

// Verify through the public API switches to the table on a key's second
// verification and gives the same answers as before for good and bad
// signatures.
func TestVerifyFixedKeyPath(t *testing.T) {
	for _, name := range []string{"tc26-256-A", "tc26-256-B", "tc26-256-C", "tc26-256-D", "tc26-512-A", "tc26-512-B", "tc26-512-C"} {
		c, _ := CurveByName(name)
		if c.fixed == nil {
			t.Fatalf("%s: no fixed-key tables", name)
		}
		k, err := GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		digest := make([]byte, c.Size)
		for i := range digest {
			digest[i] = byte(i*7 + 1)
		}
		sig, err := k.Sign(nil, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), sig...)
		bad[len(bad)-1] ^= 1
		otherDigest := append([]byte(nil), digest...)
		otherDigest[0] ^= 0x80
		pub := k.PublicKey()
		for round := range 4 {
			// A fresh copy each time, as hsm's soft keys hand it out.
			p := k.PublicKey()
			if !Verify(p, digest, sig) {
				t.Fatalf("%s round %d: a good signature fails", name, round)
			}
			if Verify(p, digest, bad) || Verify(p, otherDigest, sig) {
				t.Fatalf("%s round %d: a bad signature verifies", name, round)
			}
		}
		if c.fixed.lookup(&pointKey{pub.x, pub.y}) == nil {
			t.Fatalf("%s: no table after repeated verifications", name)
		}
	}
}

// The table cache stays bounded, a busy key keeps its table while keys
// verified only twice come and go, and a new key still gets a table once
// the cache is full.
func TestFixedKeysEviction(t *testing.T) {
	c, _ := CurveByName("tc26-256-B")
	f := &fixedKeys{impl: c.impl.(fixedVerifier)}
	key := func() *PublicKey {
		k, err := GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return k.PublicKey()
	}
	twice := func(p *PublicKey) any {
		f.tableFor(&p.x, &p.y)
		return f.tableFor(&p.x, &p.y)
	}
	busy := key()
	if f.tableFor(&busy.x, &busy.y) != nil {
		t.Fatal("a table on the first sighting")
	}
	if twice(busy) == nil {
		t.Fatal("no table on the second sighting")
	}
	for range 100 {
		f.tableFor(&busy.x, &busy.y)
	}
	for i := range 3 * maxFixedKeys {
		if twice(key()) == nil {
			t.Fatalf("key %d: no table once the cache is full", i)
		}
		if n := len(*f.tables.Load()); n > maxFixedKeys {
			t.Fatalf("%d tables, bound %d", n, maxFixedKeys)
		}
		if f.lookup(&pointKey{busy.x, busy.y}) == nil {
			t.Fatalf("after key %d: the busy key lost its table", i)
		}
		f.tableFor(&busy.x, &busy.y)
	}
}

// Concurrent verifications while tables are built and replaced give the
// right answers (run with -race).
func TestFixedKeysConcurrent(t *testing.T) {
	c, _ := CurveByName("tc26-256-B")
	type case_ struct {
		pub         *PublicKey
		digest, sig []byte
	}
	var cases []case_
	for i := range 24 {
		k, err := GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]byte, c.Size)
		d[0], d[1] = byte(i), 1
		sig, err := k.Sign(nil, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, case_{k.PublicKey(), d, sig})
	}
	errs := make(chan string, 4)
	for g := range 4 {
		go func() {
			for i := range 120 {
				j := (i * (g + 1)) % len(cases)
				cs := cases[j]
				if !Verify(cs.pub, cs.digest, cs.sig) {
					errs <- "a good signature failed"
					return
				}
				bad := cases[(j+1)%len(cases)]
				if Verify(cs.pub, bad.digest, bad.sig) {
					errs <- "another key's signature verified"
					return
				}
			}
			errs <- ""
		}()
	}
	for range 4 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}

// Counting keys seen once allocates nothing, remembers the last
// maxSeenKeys of them (a key seen again within that many others gets its
// table, one seen again after more does not), and forgets a key once its
// table is built.
func TestFixedKeysSeenOnce(t *testing.T) {
	c, _ := CurveByName("tc26-256-B")
	f := &fixedKeys{impl: c.impl.(fixedVerifier)}
	keys := make([]pointKey, 2*maxSeenKeys+1)
	for i := range keys {
		k, err := GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := k.PublicKey()
		keys[i] = pointKey{p.x, p.y}
	}
	i := 0
	allocs := testing.AllocsPerRun(maxSeenKeys, func() {
		if f.tableFor(&keys[i].x, &keys[i].y) != nil {
			t.Fatal("a table on the first sighting")
		}
		i++
	})
	if allocs != 0 {
		t.Fatalf("counting a key seen once allocates %.1f times", allocs)
	}
	// AllocsPerRun ran once more than asked: keys[0 … maxSeenKeys] are in,
	// keys[0] already overwritten.
	if f.tableFor(&keys[0].x, &keys[0].y) != nil {
		t.Fatal("a key seen again after maxSeenKeys others got a table")
	}
	if f.tableFor(&keys[maxSeenKeys].x, &keys[maxSeenKeys].y) == nil {
		t.Fatal("a key seen again within maxSeenKeys others got no table")
	}
	for _, s := range f.seen {
		if s == f.fingerprint(&keys[maxSeenKeys]) {
			t.Fatal("a key with a table is still counted as seen")
		}
	}
}
