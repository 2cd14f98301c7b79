package gost3410

// Verification against a public key verified often (see fixedkeys.go):
// the key gets the same signed-comb table as G, and u1·G + u2·Q becomes
// two runs of mixed additions with no doubling. Public data only: table
// indexes depend on public scalars.

// Verification combs are wider than signing's (width 7 against 5): they
// are indexed directly instead of scanned, so a wider window only saves
// additions (37 per scalar instead of 52 on 256 bits, 74 instead of 103 on
// 512), for tables of 152 KB per key on 256 bits and 606 KB on 512,
// built once per key.
const (
	wa256VerifyCombW       = 7
	wa256VerifyCombWindows = (fe256Bits + wa256VerifyCombW) / wa256VerifyCombW
)

// wa256Comb is a verification comb, [i][j] = (j+1)·2^(wa256VerifyCombW·i)·P.
type wa256Comb = [wa256VerifyCombWindows][1 << (wa256VerifyCombW - 1)]wa256Affine

// verifyCombOf returns p's verification comb. Public data only.
func (c *wa256Curve) verifyCombOf(p *wa256Point) *wa256Comb {
	comb := new(wa256Comb)
	c.fillComb(p, len(comb), func(i int) []wa256Affine { return comb[i][:] })
	return comb
}

// fixedTable returns the comb table of the public key (qx, qy).
func (c *wa256Curve) fixedTable(qxl, qyl *limbs) any {
	var q wa256Point
	fe256FromLimbs(&q.x, qxl)
	fe256FromLimbs(&q.y, qyl)
	q.z = fe256One
	return c.verifyCombOf(&q)
}

// verifyRFixed is verifyR with the key's comb table from fixedTable.
func (c *wa256Curve) verifyRFixed(tab any, u1, u2 limbs, rq limbs) bool {
	qt, ok := tab.(*wa256Comb)
	if !ok {
		return false
	}
	c.vonce.Do(func() { c.vcomb = c.verifyCombOf(&c.g) })
	var r wa256Jac // the identity
	wa256CombAddVartime(&r, c.vcomb, &u1)
	wa256CombAddVartime(&r, qt, &u2)
	return c.jacXIsR(&r, rq)
}

// wa256CombAddVartime adds k·P to r, t being P's comb table, for a public
// k < 2^256. Variable time.
func wa256CombAddVartime(r *wa256Jac, t *wa256Comb, k *limbs) {
	s := widen(k)
	var neg wa256Affine
	for i := range wa256VerifyCombWindows {
		mag, sign := s.boothDigit(i, wa256VerifyCombW)
		if mag == 0 {
			continue
		}
		e := &t[i][mag-1]
		if sign != 0 {
			neg.x = e.x
			fe256Neg(&neg.y, &e.y)
			e = &neg
		}
		jacAddAffine256(r, r, e)
	}
}
