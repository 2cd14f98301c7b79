package gost3410

// Verification against a public key verified often (see fixedkeys.go):
// the key gets the same signed-comb table as G, and u1·G + u2·Q becomes
// two runs of mixed additions with no doubling. Public data only: table
// indexes depend on public scalars.

// wa256Comb is a signed-comb table, [i][j] = (j+1)·2^(wa256CombW·i)·P.
type wa256Comb = [wa256CombWindows][1 << (wa256CombW - 1)]wa256Affine

// fixedTable returns the comb table of the public key (qx, qy).
func (c *wa256Curve) fixedTable(qxl, qyl *limbs) any {
	var q wa256Point
	fe256FromLimbs(&q.x, qxl)
	fe256FromLimbs(&q.y, qyl)
	q.z = fe256One
	return c.combOf(&q)
}

// verifyRFixed is verifyR with the key's comb table from fixedTable.
func (c *wa256Curve) verifyRFixed(tab any, u1, u2 limbs, rq limbs) bool {
	qt, ok := tab.(*wa256Comb)
	if !ok {
		return false
	}
	c.tables()
	var r wa256Jac // the identity
	wa256CombAddVartime(&r, c.comb, &u1)
	wa256CombAddVartime(&r, qt, &u2)
	return c.jacXIsR(&r, rq)
}

// wa256CombAddVartime adds k·P to r, t being P's comb table, for a public
// k < 2^256. Variable time.
func wa256CombAddVartime(r *wa256Jac, t *wa256Comb, k *limbs) {
	s := widen(k)
	var neg wa256Affine
	for i := range wa256CombWindows {
		mag, sign := s.boothDigit(i, wa256CombW)
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
