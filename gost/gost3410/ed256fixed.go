package gost3410

// Verification against a public key verified often (the CA's own key in
// verify-after-sign, an OCSP responder's key): the key gets the same
// signed-comb table as G, and u1·G + u2·Q becomes two runs of affine
// additions with no doubling at all, about a third of the interleaved
// wNAF's work. Public data only: table indexes depend on public scalars.

// Verification combs are wider than signing's (width 7 against 5): they
// are indexed directly instead of scanned, so a wider window only saves
// additions (37 per scalar instead of 52 on 256 bits, 74 instead of 103 on
// 512), for tables of 227 KB per key on 256 bits and 909 KB on 512 bits
// (152 and 606 KB on the Weierstrass sets), built once per key.
const (
	ed256VerifyCombW       = 7
	ed256VerifyCombWindows = (fe256Bits + ed256VerifyCombW) / ed256VerifyCombW // covers bits+1 bits
)

// ed256Comb is a verification comb, [i][j] = (j+1)·2^(ed256VerifyCombW·i)·P.
type ed256Comb = [ed256VerifyCombWindows][1 << (ed256VerifyCombW - 1)]ed256Affine

// verifyCombOf returns p's verification comb. Public data only.
func (c *ed256Curve) verifyCombOf(p *ed256Point) *ed256Comb {
	comb := new(ed256Comb)
	c.fillComb(p, len(comb), func(i int) []ed256Affine { return comb[i][:] })
	return comb
}

// fixedTable returns the comb table of the public key (qx, qy), or nil if
// it cannot be mapped to the Edwards form.
func (c *ed256Curve) fixedTable(qxl, qyl *limbs) any {
	var qx, qy fe256
	fe256FromLimbs(&qx, qxl)
	fe256FromLimbs(&qy, qyl)
	var q ed256Point
	if !c.fromWeierstrass(&q, &qx, &qy) {
		return nil
	}
	return c.verifyCombOf(&q)
}

// verifyRFixed is verifyR with the key's comb table from fixedTable.
func (c *ed256Curve) verifyRFixed(tab any, u1, u2 limbs, rq limbs) bool {
	qt, ok := tab.(*ed256Comb)
	if !ok {
		return false
	}
	c.vonce.Do(func() { c.vcomb = c.verifyCombOf(&c.g) })
	var r ed256Point
	r.setIdentity()
	ed256CombAddVartime(&r, c.vcomb, &u1)
	ed256CombAddVartime(&r, qt, &u2)
	return c.xIsR(&r, rq)
}

// ed256CombAddVartime adds k·P to r, t being P's comb table, for a public
// k < 2^256. Variable time.
func ed256CombAddVartime(r *ed256Point, t *ed256Comb, k *limbs) {
	s := widen(k)
	var neg ed256Affine
	for i := range ed256VerifyCombWindows {
		mag, sign := s.boothDigit(i, ed256VerifyCombW)
		if mag == 0 {
			continue
		}
		e := &t[i][mag-1]
		if sign != 0 {
			ed256CondNegAffine(&neg, e, 1)
			e = &neg
		}
		ed256AddAffine(r, r, e, true)
	}
}
