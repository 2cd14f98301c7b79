//go:build ignore

// gen_fe_amd64.go writes fe_amd64.s: multiplication in GF(2^256 − 617)
// and GF(2^512 − 569) with MULX, ADCX and ADOX (BMI2 + ADX), the two
// carry chains of each row running side by side. The Go code in fe256.go
// and fe512mul.go stays the reference and the fallback (other CPUs, other
// architectures, the purego tag). Run with `go generate` in this directory.
//
// Product: operand scanning, one row per word of y. The row's n + 1
// accumulator words live in registers; each row's lowest word is final
// and goes to the stack frame, and the register that held it becomes the
// next row's top word. Reduction: the high half h is folded in as c·h
// (2^(64n) ≡ c), with the low halves of c·hⱼ on the CF chain and the
// high halves on the OF chain, then the top word (≤ c) once more, as the
// Go fold does. Every instruction runs whatever the values: no branches,
// no indexes from data.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"strings"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

// mul writes func name(z, x, y *[n]uint64) for p = 2^(64n) − c.
func mul(name string, n int, c int) {
	// SI = x, DI = y, DX = the multiplier word; L and H take MULX results.
	acc := []string{"AX", "BX", "CX", "R8", "R9", "R10", "R11", "R12", "R13"}[:n+1]
	const l, h = "R14", "R15"
	fmt.Fprintf(&out, "\n// func %s(z, x, y *[%d]uint64)\n", name, n)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-24\n", name, 8*n)
	p("MOVQ x+8(FP), SI")
	p("MOVQ y+16(FP), DI")
	// Row 0: acc = x·y₀ on one carry chain.
	p("MOVQ 0(DI), DX")
	p("MULXQ 0(SI), %s, %s", acc[0], acc[1])
	for j := 1; j < n; j++ {
		p("MULXQ %d(SI), %s, %s", 8*j, l, acc[j+1])
		if j == 1 {
			p("ADDQ %s, %s", l, acc[j])
		} else {
			p("ADCQ %s, %s", l, acc[j])
		}
	}
	p("ADCQ $0, %s", acc[n])
	p("MOVQ %s, 0(SP)", acc[0])
	acc = append(acc[1:], acc[0])
	// Rows 1 … n−1: acc[j] += lo(xⱼ·yᵢ) on OF, acc[j+1] += hi on CF.
	for i := 1; i < n; i++ {
		p("MOVQ %d(DI), DX", 8*i)
		p("XORQ %s, %s", acc[n], acc[n]) // the new top word; clears CF and OF
		for j := range n {
			p("MULXQ %d(SI), %s, %s", 8*j, l, h)
			p("ADOXQ %s, %s", l, acc[j])
			p("ADCXQ %s, %s", h, acc[j+1])
		}
		p("MOVQ $0, %s", l)
		p("ADOXQ %s, %s", l, acc[n])
		p("MOVQ %s, %d(SP)", acc[0], 8*i)
		acc = append(acc[1:], acc[0])
	}
	// acc[0 … n−1] is the high half; the low half is in the frame.
	reduce(acc[:n], acc[n], n, c)
}

// reduce folds the product whose high half is in the registers hi and
// whose low half is in the frame's first n words into z: r = lo + c·hi
// with lo(c·hⱼ) + loⱼ on CF and hi(c·hⱼ₋₁) on OF, then the top word
// (≤ c) times c once more. spare, R14, R15 and DX are scratch.
func reduce(hi []string, spare string, n, c int) {
	const l, h = "R14", "R15"
	hs := []string{spare, h}
	p("MOVQ $%d, DX", c)
	p("XORQ %s, %s", l, l)
	for j := range n {
		cur := hs[j%2]
		p("MULXQ %s, %s, %s", hi[j], l, cur)
		p("ADCXQ %d(SP), %s", 8*j, l)
		if j > 0 {
			p("ADOXQ %s, %s", hs[(j-1)%2], l)
		}
		p("MOVQ %s, %s", l, hi[j])
	}
	top := hs[(n-1)%2]
	p("MOVQ $0, %s", l)
	p("ADCXQ %s, %s", l, top)
	p("ADOXQ %s, %s", l, top) // top ≤ c
	p("IMULQ DX, %s", top)
	p("ADDQ %s, %s", top, hi[0])
	for j := 1; j < n; j++ {
		p("ADCQ $0, %s", hi[j])
	}
	// A carry leaves r < 2^20, so adding c cannot carry again.
	p("SBBQ %s, %s", l, l)
	p("ANDQ DX, %s", l)
	p("ADDQ %s, %s", l, hi[0])
	p("MOVQ z+0(FP), %s", l)
	for j := range n {
		p("MOVQ %s, %d(%s)", hi[j], 8*j, l)
	}
	p("RET")
}

// sqr writes func name(z, x *[n]uint64) for p = 2^(64n) − c: the cross
// products xᵢ·xⱼ (i < j) once, by rows on the two carry chains, into the
// frame; then 2·cross + Σ xᵢ²·2^(128i) word by word (the doubling on CF,
// the squares on OF), and the fold of reduce.
func sqr(name string, n int, c int) {
	const l, h = "R14", "R15"
	free := []string{"AX", "BX", "CX", "DI", "R8", "R9", "R10", "R11", "R12", "R13"}
	alloc := func() string {
		r := free[0]
		free = free[1:]
		return r
	}
	fmt.Fprintf(&out, "\n// func %s(z, x *[%d]uint64)\n", name, n)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-16\n", name, 16*n)
	p("MOVQ x+8(FP), SI")
	loc := map[int]string{}
	for i := 0; i < n-1; i++ {
		p("MOVQ %d(SI), DX", 8*i)
		first := i + n
		if i == 0 {
			first = 1
		}
		for k := first; k <= i+n; k++ {
			loc[k] = alloc()
			p("XORQ %s, %s", loc[k], loc[k]) // also clears CF and OF
		}
		for j := i + 1; j < n; j++ {
			p("MULXQ %d(SI), %s, %s", 8*j, l, h)
			p("ADOXQ %s, %s", l, loc[i+j])
			p("ADCXQ %s, %s", h, loc[i+j+1])
		}
		p("MOVQ $0, %s", l)
		p("ADOXQ %s, %s", l, loc[i+n])
		// Words below 2i + 3 are final: the next row starts there.
		last := 2*i + 2
		if i == n-2 {
			last = i + n
		}
		for k := 2*i + 1; k <= last; k++ {
			if r, ok := loc[k]; ok {
				p("MOVQ %s, %d(SP)", r, 8*k)
				free = append(free, r)
				delete(loc, k)
			}
		}
	}
	var hi []string
	t := alloc()
	p("XORQ %s, %s", h, h) // clears CF and OF
	for i := range n {
		p("MOVQ %d(SI), DX", 8*i)
		p("MULXQ DX, %s, %s", l, h)
		for _, kv := range []struct {
			k int
			v string
		}{{2 * i, l}, {2*i + 1, h}} {
			w := t
			if kv.k >= n {
				w = alloc()
				hi = append(hi, w)
			}
			if kv.k == 0 || kv.k == 2*n-1 {
				p("MOVQ $0, %s", w) // no cross product there
			} else {
				p("MOVQ %d(SP), %s", 8*kv.k, w)
			}
			p("ADCXQ %s, %s", w, w)
			p("ADOXQ %s, %s", kv.v, w)
			if kv.k < n {
				p("MOVQ %s, %d(SP)", w, 8*kv.k)
			}
		}
	}
	reduce(hi, t, n, c)
}

// dispatch writes func name(args), which jumps to nameADX when the CPU
// has BMI2 and ADX and to the Go nameGeneric otherwise. Being assembly
// without a frame, it costs the caller one call and a predicted branch,
// where a Go wrapper calling either would not be inlined (too costly).
func dispatch(name, args string) {
	size := 16
	if strings.Count(args, ",") == 2 {
		size = 24
	}
	fmt.Fprintf(&out, "\n// func %s(%s)\n", name, args)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, size)
	p("CMPB ·useADX(SB), $0")
	p("JEQ generic")
	p("JMP ·%sADX(SB)", name)
	fmt.Fprintf(&out, "generic:\n")
	p("JMP ·%sGeneric(SB)", name)
}

func main() {
	out.WriteString("// Code generated by gen_fe_amd64.go; DO NOT EDIT.\n\n")
	out.WriteString("//go:build amd64 && !purego\n\n")
	out.WriteString("#include \"textflag.h\"\n")
	mul("fe256MulADX", 4, 617)
	mul("fe512MulADX", 8, 569)
	sqr("fe256SqrADX", 4, 617)
	sqr("fe512SqrADX", 8, 569)
	for _, f := range []struct{ name, args string }{
		{"fe256Mul", "z, x, y *[4]uint64"}, {"fe256Sqr", "z, x *[4]uint64"},
		{"fe512Mul", "z, x, y *[8]uint64"}, {"fe512Sqr", "z, x *[8]uint64"},
	} {
		dispatch(f.name, f.args)
	}
	if err := os.WriteFile("fe_amd64.s", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
