//go:build !amd64 || purego

package gost3410

// fe256Mul sets z = x·y.
func fe256Mul(z, x, y *fe256) { fe256MulGeneric(z, x, y) }

// fe256Sqr sets z = x².
func fe256Sqr(z, x *fe256) { fe256SqrGeneric(z, x) }

// fe512Mul sets z = x·y.
func fe512Mul(z, x, y *fe512) { fe512MulGeneric(z, x, y) }

// fe512Sqr sets z = x².
func fe512Sqr(z, x *fe512) { fe512SqrGeneric(z, x) }
