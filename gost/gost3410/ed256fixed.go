package gost3410

// Verification against a public key verified often (the CA's own key in
// verify-after-sign, an OCSP responder's key): the key gets the same
// signed-comb table as G, and u1·G + u2·Q becomes two runs of affine
// additions with no doubling at all, about a third of the interleaved
// wNAF's work. Public data only: table indexes depend on public scalars.

// ed256Comb is a signed-comb table, [i][j] = (j+1)·2^(ed256CombW·i)·P.
type ed256Comb = [ed256CombWindows][1 << (ed256CombW - 1)]ed256Affine

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
	return c.combOf(&q)
}

// verifyRFixed is verifyR with the key's comb table from fixedTable.
func (c *ed256Curve) verifyRFixed(tab any, u1, u2 limbs, rq limbs) bool {
	qt, ok := tab.(*ed256Comb)
	if !ok {
		return false
	}
	c.tables()
	var r ed256Point
	r.setIdentity()
	ed256CombAddVartime(&r, c.comb, &u1)
	ed256CombAddVartime(&r, qt, &u2)
	return c.xIsR(&r, rq)
}

// ed256CombAddVartime adds k·P to r, t being P's comb table, for a public
// k < 2^256. Variable time.
func ed256CombAddVartime(r *ed256Point, t *ed256Comb, k *limbs) {
	s := widen(k)
	var neg ed256Affine
	for i := range ed256CombWindows {
		mag, sign := s.boothDigit(i, ed256CombW)
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
