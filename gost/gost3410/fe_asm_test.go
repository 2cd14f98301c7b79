package gost3410

// The dispatching fe256Mul/Sqr and fe512Mul/Sqr take the assembly of
// fe_amd64.s where the CPU has it; the Go code they fall back to gets the
// same differential tests against math/big under its own name.
func init() {
	for _, f := range feImpls[:2] {
		g := f
		g.name += " (Go mul/sqr)"
		switch f.n {
		case 4:
			g.mul = func(z, x, y []uint64) { fe256MulGeneric(a256(z), a256(x), a256(y)) }
			g.sqr = func(z, x []uint64) { fe256SqrGeneric(a256(z), a256(x)) }
		case 8:
			g.mul = func(z, x, y []uint64) { fe512MulGeneric(a512(z), a512(x), a512(y)) }
			g.sqr = func(z, x []uint64) { fe512SqrGeneric(a512(z), a512(x)) }
		}
		feImpls = append(feImpls, g)
	}
}
