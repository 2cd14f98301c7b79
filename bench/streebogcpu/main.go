// Command streebogcpu compares the CPU time of one Streebog digest, ours
// against OpenSSL 3's gost engine (cgo, libcrypto), on the message sizes
// the CA hashes.
//
//	go run -tags openssl ./bench/streebogcpu
//	go run -tags openssl,purego ./bench/streebogcpu   # the portable Go table code
//
// Both sides run on one locked OS thread and are timed with that thread's
// CPU clock (CLOCK_THREAD_CPUTIME_ID), in alternating slices of a fixed
// count, so time the thread spends waiting for a core on a busy machine
// counts for neither side: gostbench's wall-clock slices swing with the
// load, this ratio does not. It prints, per size and variant, the median
// CPU time per digest of each side and the median, smallest and largest
// per-slice ratio OpenSSL/ours (> 1 means ours is faster).
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/gostca/gostca/gost/streebog"
)

func main() {
	slices := flag.Int("slices", 15, "alternating slices per side, size and variant")
	sliceMS := flag.Float64("slice", 20, "CPU milliseconds of one slice of ours (OpenSSL runs the same count)")
	sizes := flag.String("sizes", "1200,2048,8192", "message lengths in bytes, comma-separated")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()

	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "-sizes: %q is not a length in bytes\n", f)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	if err := opensslInit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("CPU time per digest (thread clock), %d slices of ~%.0f ms, %s/%s, compression %s\n",
		*slices, *sliceMS, runtime.GOOS, runtime.GOARCH, streebog.Implementation())
	for _, n := range ns {
		msg := make([]byte, n)
		rand.Read(msg)
		for _, bits := range []int{256, 512} {
			ossl, err := opensslDigester(bits, msg)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			ours := oursDigester(bits, msg)
			count := max(10, int(*sliceMS*1e6/(ours(50)/50)))
			var o, s, r []float64
			for range *slices {
				a := ours(count) / float64(count)
				b := ossl(count) / float64(count)
				o, s, r = append(o, a), append(s, b), append(r, b/a)
			}
			sort.Float64s(r)
			fmt.Printf("Streebog-%d %6d B: ours %7.0f ns  OpenSSL %7.0f ns  ratio %.2f  (slices %.2f-%.2f)\n",
				bits, n, median(o), median(s), median(r), r[0], r[len(r)-1])
		}
	}
	// Printed so the compiler keeps every digest it computed.
	fmt.Printf("(xor of the first bytes of our digests: %02x)\n", sink)
}

// sink takes a byte of every digest of ours.
var sink byte

// oursDigester returns a function that hashes msg count times and returns
// the thread CPU time it took in nanoseconds.
func oursDigester(bits int, msg []byte) func(count int) float64 {
	return func(count int) float64 {
		t0 := threadCPU()
		if bits == 256 {
			for range count {
				d := streebog.Sum256(msg)
				sink ^= d[0]
			}
		} else {
			for range count {
				d := streebog.Sum512(msg)
				sink ^= d[0]
			}
		}
		return float64(threadCPU() - t0)
	}
}

// median returns the middle value of xs (sorting it).
func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}
