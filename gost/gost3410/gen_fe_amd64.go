//go:build ignore

// gen_fe_amd64.go writes fe_amd64.s: multiplication and squaring in
// GF(2^256 − 617) and GF(2^512 − 569), and Montgomery multiplication and
// squaring in the fields of tc26-256-C (2^255 + 3225), tc26-256-D and
// tc26-512-B (2^511 + 111), with MULX, ADCX and ADOX (BMI2 + ADX), the two
// carry chains of each row running side by side. The Go code in fe256.go,
// fe512mul.go, fe255.go, fe256d.go and fe511.go stays the reference and
// the fallback (other CPUs, other architectures, the purego tag). Run
// with `go generate` in this directory.
//
// Product: operand scanning, one row per word of y. The row's n + 1
// accumulator words live in registers; each row's lowest word is final
// and goes to the stack frame, and the register that held it becomes the
// next row's top word. Reduction: the high half h is folded in as c·h
// (2^(64n) ≡ c), with the low halves of c·hⱼ on the CF chain and the
// high halves on the OF chain, then the top word (≤ c) once more, as the
// Go fold does; the Montgomery fields reduce word by word instead (see
// redc). Every instruction runs whatever the values: no branches, no
// indexes from data.
package main

import (
	"bytes"
	"fmt"
	"log"
	"math/big"
	"os"
	"strings"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

// mul writes func name(z, x, y *[n]uint64): the product, then finish
// with its high half in registers (the low half in the frame's first n
// words) and one spare register. frame is the frame size in bytes.
func mul(name string, n, frame int, finish func(hi []string, spare string)) {
	// SI = x, DI = y, DX = the multiplier word; L and H take MULX results.
	acc := []string{"AX", "BX", "CX", "R8", "R9", "R10", "R11", "R12", "R13"}[:n+1]
	const l, h = "R14", "R15"
	fmt.Fprintf(&out, "\n// func %s(z, x, y *[%d]uint64)\n", name, n)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $%d-24\n", name, frame)
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
	finish(acc[:n], acc[n])
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

// sqr writes func name(z, x *[n]uint64): the cross products xᵢ·xⱼ
// (i < j) once, by rows on the two carry chains, into the frame; then
// 2·cross + Σ xᵢ²·2^(128i) word by word (the doubling on CF, the squares
// on OF), and finish as for mul.
func sqr(name string, n int, finish func(hi []string, spare string)) {
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
	finish(hi, t)
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

// montField is a field of tc26-256-C, tc26-256-D or tc26-512-B: an odd
// prime p with 2^(64n−1) < p < 2^(64n), values in the Montgomery domain
// (x·2^(64n) mod p) and always below p.
type montField struct {
	name string // fe255, fe256d, fe511
	n    int
	p    string // hexadecimal
}

// words returns p's little-endian words and −p⁻¹ mod 2^64.
func (f montField) words() ([]uint64, uint64) {
	p, ok := new(big.Int).SetString(f.p, 16)
	if !ok || p.BitLen() != 64*f.n || p.Bit(0) != 1 {
		log.Fatalf("%s: p is not an odd %d-bit number", f.name, 64*f.n)
	}
	w := make([]uint64, f.n)
	for i := range w {
		w[i] = new(big.Int).Rsh(p, uint(64*i)).Uint64()
	}
	r := new(big.Int).Lsh(big.NewInt(1), 64)
	inv := new(big.Int).ModInverse(new(big.Int).Mod(p, r), r)
	inv.Sub(r, inv)
	// redc adds the previous round's carry (≤ 2) to hi(m·p_{n−1}) < p_{n−1}.
	if w[f.n-1] > 1<<64-3 {
		log.Fatalf("%s: top word of p too large for the carry of redc", f.name)
	}
	return w, inv.Uint64()
}

// data writes p as the read-only symbol name_p<>.
func (f montField) data() {
	w, _ := f.words()
	fmt.Fprintln(&out)
	for i, v := range w {
		fmt.Fprintf(&out, "DATA %s_p<>+%d(SB)/8, $0x%016x\n", f.name, 8*i, v)
	}
	fmt.Fprintf(&out, "GLOBL %s_p<>(SB), RODATA|NOPTR, $%d\n", f.name, 8*f.n)
}

// redc is the finish of a Montgomery multiplication or squaring: it stores
// the high half after the low half in the frame and sets z = t·2^(−64n)
// mod p, word by word. Round i takes m = tᵢ·(−p⁻¹) mod 2^64 and adds m·p
// at word i over an n + 1 word register window: the low halves of m·pⱼ on
// the CF chain, the high halves on the OF chain (a zero word of p adds the
// zero register, which word i is once its low half is in). The two carries
// out of the window make cc (≤ 2), added in the next round to the top high
// half, which lands on the same word. The result, window plus cc·2^(64n),
// is below 2p; p is subtracted, and CMOV takes back the value kept in the
// frame when that borrows. No branches, no indexes from data.
func (f montField) redc(hi []string) {
	n := f.n
	pw, pinv := f.words()
	for j, r := range hi {
		p("MOVQ %s, %d(SP)", r, 8*(n+j))
	}
	win := []string{"AX", "BX", "CX", "R8", "R9", "R10", "R11", "R12", "R13"}[:n+1]
	const l, h, cc = "R14", "R15", "SI"
	sym := f.name + "_p<>"
	for k := 0; k <= n; k++ {
		p("MOVQ %d(SP), %s", 8*k, win[k])
	}
	p("XORQ %s, %s", cc, cc)
	for i := range n {
		p("MOVQ $0x%016x, DX", pinv)
		p("IMULQ %s, DX", win[0])
		p("XORQ %s, %s", l, l) // clears CF and OF
		for j := range n {
			lo, hv := l, h
			if pw[j] == 0 && j > 0 {
				lo, hv = win[0], win[0]
			} else {
				p("MULXQ %s+%d(SB), %s, %s", sym, 8*j, l, h)
			}
			p("ADCXQ %s, %s", lo, win[j])
			if j == n-1 && i > 0 {
				p("LEAQ (%s)(%s*1), %s", h, cc, h)
			}
			p("ADOXQ %s, %s", hv, win[j+1])
		}
		p("MOVQ $0, %s", cc)
		p("ADCXQ %s, %s", cc, win[n])
		p("ADCXQ %s, %s", cc, cc)
		p("ADOXQ %s, %s", win[0], cc)
		win = append(win[1:], win[0])
		if i < n-1 {
			p("MOVQ %d(SP), %s", 8*(i+n+1), win[n])
		}
	}
	p("MOVQ z+0(FP), DI")
	for j := range n {
		p("MOVQ %s, %d(SP)", win[j], 8*j)
	}
	p("SUBQ %s+0(SB), %s", sym, win[0])
	for j := 1; j < n; j++ {
		p("SBBQ %s+%d(SB), %s", sym, 8*j, win[j])
	}
	p("SBBQ $0, %s", cc) // CF: the value was below p
	for j := range n {
		p("CMOVQCS %d(SP), %s", 8*j, win[j])
		p("MOVQ %s, %d(DI)", win[j], 8*j)
	}
	p("RET")
}

func main() {
	out.WriteString("// Code generated by gen_fe_amd64.go; DO NOT EDIT.\n\n")
	out.WriteString("//go:build amd64 && !purego\n\n")
	out.WriteString("#include \"textflag.h\"\n")
	fold := func(n, c int) func([]string, string) {
		return func(hi []string, spare string) { reduce(hi, spare, n, c) }
	}
	mul("fe256MulADX", 4, 32, fold(4, 617))
	mul("fe512MulADX", 8, 64, fold(8, 569))
	sqr("fe256SqrADX", 4, fold(4, 617))
	sqr("fe512SqrADX", 8, fold(8, 569))
	monts := []montField{
		{"fe255", 4, "8000000000000000000000000000000000000000000000000000000000000c99"},
		{"fe256d", 4, "9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759b"},
		{"fe511", 8, "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006f"},
	}
	for _, f := range monts {
		f.data()
		finish := func(hi []string, _ string) { f.redc(hi) }
		mul(f.name+"MulADX", f.n, 16*f.n, finish)
		sqr(f.name+"SqrADX", f.n, finish)
	}
	type fn struct{ name, args string }
	fns := []fn{
		{"fe256Mul", "z, x, y *[4]uint64"}, {"fe256Sqr", "z, x *[4]uint64"},
		{"fe512Mul", "z, x, y *[8]uint64"}, {"fe512Sqr", "z, x *[8]uint64"},
	}
	for _, f := range monts {
		fns = append(fns,
			fn{f.name + "Mul", fmt.Sprintf("z, x, y *[%d]uint64", f.n)},
			fn{f.name + "Sqr", fmt.Sprintf("z, x *[%d]uint64", f.n)})
	}
	for _, f := range fns {
		dispatch(f.name, f.args)
	}
	if err := os.WriteFile("fe_amd64.s", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
