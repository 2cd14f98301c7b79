//go:build amd64 && !purego

package gost3410

import "golang.org/x/sys/cpu"

// useADX selects the MULX/ADCX/ADOX multiplication and squaring of
// fe_amd64.s for fe256 and fe512; fe256Mul and the others (assembly that
// only jumps) take the Go code on CPUs without BMI2 and ADX.
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
