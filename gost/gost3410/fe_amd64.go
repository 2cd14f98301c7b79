//go:build amd64 && !purego

package gost3410

import "golang.org/x/sys/cpu"

// useADX selects the MULX/ADCX/ADOX multiplication and squaring of
// fe_amd64.s for fe256, fe512 and the Montgomery fields fe255, fe256d and
// fe511; fe256Mul and the others (assembly that only jumps) take the Go
// code on CPUs without BMI2 and ADX.
var useADX = cpu.X86.HasBMI2 && cpu.X86.HasADX

// fe256Mul sets z = x·y.
//
//go:noescape
func fe256Mul(z, x, y *fe256)

// fe256Sqr sets z = x².
//
//go:noescape
func fe256Sqr(z, x *fe256)

// fe512Mul sets z = x·y.
//
//go:noescape
func fe512Mul(z, x, y *fe512)

// fe512Sqr sets z = x².
//
//go:noescape
func fe512Sqr(z, x *fe512)

//go:noescape
func fe256MulADX(z, x, y *fe256)

//go:noescape
func fe256SqrADX(z, x *fe256)

//go:noescape
func fe512MulADX(z, x, y *fe512)

//go:noescape
func fe512SqrADX(z, x *fe512)

// fe255Mul sets z = x·y·2^−256 mod p.
//
//go:noescape
func fe255Mul(z, x, y *fe255)

// fe255Sqr sets z = x²·2^−256 mod p.
//
//go:noescape
func fe255Sqr(z, x *fe255)

//go:noescape
func fe255MulADX(z, x, y *fe255)

//go:noescape
func fe255SqrADX(z, x *fe255)

// fe256dMul sets z = x·y·2^−256 mod p.
//
//go:noescape
func fe256dMul(z, x, y *fe256d)

// fe256dSqr sets z = x²·2^−256 mod p.
//
//go:noescape
func fe256dSqr(z, x *fe256d)

//go:noescape
func fe256dMulADX(z, x, y *fe256d)

//go:noescape
func fe256dSqrADX(z, x *fe256d)

// fe511Mul sets z = x·y·2^−512 mod p.
//
//go:noescape
func fe511Mul(z, x, y *fe511)

// fe511Sqr sets z = x²·2^−512 mod p.
//
//go:noescape
func fe511Sqr(z, x *fe511)

//go:noescape
func fe511MulADX(z, x, y *fe511)

//go:noescape
func fe511SqrADX(z, x *fe511)
