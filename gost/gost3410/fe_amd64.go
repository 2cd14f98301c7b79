//go:build amd64 && !purego

package gost3410

import "golang.org/x/sys/cpu"

//go:generate go run gen_fe_amd64.go

// useADX selects the MULX/ADCX/ADOX multiplication of fe_amd64.s for
// fe256 and fe512; the Go code is used on CPUs without BMI2 and ADX.
var useADX = cpu.X86.HasBMI2 && cpu.X86.HasADX

//go:noescape
func fe256MulADX(z, x, y *fe256)

//go:noescape
func fe512MulADX(z, x, y *fe512)

//go:noescape
func fe256SqrADX(z, x *fe256)

//go:noescape
func fe512SqrADX(z, x *fe512)

// fe256Mul sets z = x·y.
func fe256Mul(z, x, y *fe256) {
	if useADX {
		fe256MulADX(z, x, y)
		return
	}
	fe256MulGeneric(z, x, y)
}

// fe256Sqr sets z = x².
func fe256Sqr(z, x *fe256) {
	if useADX {
		fe256SqrADX(z, x)
		return
	}
	fe256SqrGeneric(z, x)
}

// fe512Mul sets z = x·y.
func fe512Mul(z, x, y *fe512) {
	if useADX {
		fe512MulADX(z, x, y)
		return
	}
	fe512MulGeneric(z, x, y)
}

// fe512Sqr sets z = x².
func fe512Sqr(z, x *fe512) {
	if useADX {
		fe512SqrADX(z, x)
		return
	}
	fe512SqrGeneric(z, x)
}
