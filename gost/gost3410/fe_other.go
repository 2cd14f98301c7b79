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

// fe255Mul sets z = x·y·2^−256 mod p.
func fe255Mul(z, x, y *fe255) { fe255MulGeneric(z, x, y) }

// fe255Sqr sets z = x²·2^−256 mod p.
func fe255Sqr(z, x *fe255) { fe255SqrGeneric(z, x) }

// fe256dMul sets z = x·y·2^−256 mod p.
func fe256dMul(z, x, y *fe256d) { fe256dMulGeneric(z, x, y) }

// fe256dSqr sets z = x²·2^−256 mod p.
func fe256dSqr(z, x *fe256d) { fe256dSqrGeneric(z, x) }

// fe511Mul sets z = x·y·2^−512 mod p.
func fe511Mul(z, x, y *fe511) { fe511MulGeneric(z, x, y) }

// fe511Sqr sets z = x²·2^−512 mod p.
func fe511Sqr(z, x *fe511) { fe511SqrGeneric(z, x) }
