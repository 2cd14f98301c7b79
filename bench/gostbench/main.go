// Command gostbench compares GostCA's GOST R 34.10-2012 signatures and
// Streebog with OpenSSL 3 and the gost engine in one process, on one core.
//
//	go run ./bench/gostbench                 # our numbers only
//	go run -tags openssl ./bench/gostbench   # side by side with OpenSSL (cgo, libcrypto)
//
// Rows alternate between the two implementations in short slices so that
// noise from other load hits both alike.
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
)

// row is one operation measured on both sides.
type row struct {
	name  string
	bytes int // > 0: report MB/s over this many bytes per op
	ours  func() error
	ossl  func() error // nil without OpenSSL
	oErr  error
}

// sigSet pairs a parameter set with its OpenSSL algorithm and paramset.
type sigSet struct {
	curve    string
	bits     int
	paramset string
}

var mainSets = []sigSet{
	{"tc26-256-A", 256, "TCA"},
	{"tc26-256-B", 256, "A"}, // CryptoPro-A
	{"tc26-512-A", 512, "A"},
}

var extraSets = []sigSet{
	{"tc26-256-C", 256, "TCC"},
	{"tc26-256-D", 256, "TCD"},
	{"tc26-512-B", 512, "B"},
	{"tc26-512-C", 512, "C"},
}

func main() {
	dur := flag.Duration("time", 2*time.Second, "measuring time per implementation and row")
	slice := flag.Duration("slice", 100*time.Millisecond, "length of one alternating slice")
	all := flag.Bool("all", false, "also measure tc26-256-C/D and tc26-512-B/C")
	only := flag.String("run", "", "only rows whose name contains this string")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	osslErr := opensslInit()
	sets := mainSets
	if *all {
		sets = append(sets, extraSets...)
	}
	var rows []row
	for _, op := range []string{"sign", "verify", "verify once"} {
		for _, s := range sets {
			r, err := sigRow(op, s, osslErr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			rows = append(rows, r)
		}
	}
	rows = append(rows, digestRows(osslErr)...)

	fmt.Printf("GOMAXPROCS=1, %v per side and row in %v slices, %s/%s\n", *dur, *slice, runtime.GOOS, runtime.GOARCH)
	if osslErr != nil {
		fmt.Printf("OpenSSL: %v\n", osslErr)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tours\tOpenSSL\tratio\tmedian pair\tours allocs/op\t")
	for _, r := range rows {
		if *only != "" && !strings.Contains(r.name, *only) {
			continue
		}
		oursRate, osslRate, pairRatio, allocs, err := measure(&r, *dur, *slice)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", r.name, err)
			os.Exit(1)
		}
		unit := "/s"
		if r.bytes > 0 {
			unit = " MB/s"
			oursRate *= float64(r.bytes) / 1e6
			osslRate *= float64(r.bytes) / 1e6
		}
		o, ratio, pair := "-", "-", "-"
		if r.ossl != nil {
			o = fmt.Sprintf("%.0f%s", osslRate, unit)
			ratio = fmt.Sprintf("%.2f", oursRate/osslRate)
			pair = fmt.Sprintf("%.2f", pairRatio)
		}
		fmt.Fprintf(tw, "%s\t%.0f%s\t%s\t%s\t%s\t%.2f\t\n", r.name, oursRate, unit, o, ratio, pair, allocs)
		fmt.Fprintf(os.Stderr, "%s done\n", r.name)
	}
	tw.Flush()
}

func sigRow(op string, s sigSet, osslErr error) (row, error) {
	c, ok := gost3410.CurveByName(s.curve)
	if !ok {
		return row{}, fmt.Errorf("unknown curve %s", s.curve)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		return row{}, err
	}
	digest := make([]byte, c.Size)
	rand.Read(digest)
	sig, err := k.Sign(rand.Reader, digest, nil)
	if err != nil {
		return row{}, err
	}
	pub := k.PublicKey()
	r := row{name: fmt.Sprintf("%s %s", op, s.curve)}
	if op == "verify once" {
		return onceRow(r, c, s, osslErr)
	}
	if op == "sign" {
		r.ours = func() error {
			_, err := k.Sign(rand.Reader, digest, nil)
			return err
		}
	} else {
		r.ours = func() error {
			if !gost3410.Verify(pub, digest, sig) {
				return fmt.Errorf("verify %s failed", s.curve)
			}
			return nil
		}
	}
	if osslErr == nil {
		o, err := newOpenSSLSigner(s.bits, s.paramset)
		if err != nil {
			return row{}, err
		}
		sign, verify := o.signer(digest)
		if err := sign(); err != nil { // leaves a signature for verify
			return row{}, err
		}
		if op == "sign" {
			r.ossl = sign
		} else {
			r.ossl = verify
		}
	}
	return r, nil
}

// measure alternates slices of ours and OpenSSL until each has run for
// total, and returns operations per second over the whole time, the
// median over adjacent slice pairs of the ratio ours/OpenSSL, and our
// allocations per op. A burst of load from elsewhere that hits one slice
// moves the totals but barely the median pair ratio, which is the number
// to compare between runs on a shared machine.
func measure(r *row, total, slice time.Duration) (ours, ossl, pairRatio, allocs float64, err error) {
	if r.oErr != nil {
		return 0, 0, 0, 0, r.oErr
	}
	var oursN, osslN int
	var oursT, osslT time.Duration
	var pairs []float64
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	for oursT < total || (r.ossl != nil && osslT < total) {
		var oursRate float64
		if oursT < total {
			runtime.ReadMemStats(&ms0)
			n, d, err := runFor(r.ours, slice)
			runtime.ReadMemStats(&ms1)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			allocs += float64(ms1.Mallocs - ms0.Mallocs)
			oursN, oursT = oursN+n, oursT+d
			oursRate = float64(n) / d.Seconds()
		}
		if r.ossl != nil && osslT < total {
			n, d, err := runFor(r.ossl, slice)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			osslN, osslT = osslN+n, osslT+d
			if oursRate > 0 {
				pairs = append(pairs, oursRate/(float64(n)/d.Seconds()))
			}
		}
	}
	ours = float64(oursN) / oursT.Seconds()
	if r.ossl != nil {
		ossl = float64(osslN) / osslT.Seconds()
	}
	return ours, ossl, median(pairs), allocs / float64(oursN), nil
}

// median returns the middle value (the mean of the two middle ones for an
// even count), 0 for none; it sorts xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	m := len(xs) / 2
	if len(xs)%2 == 0 {
		return (xs[m-1] + xs[m]) / 2
	}
	return xs[m]
}

// runFor calls f until d has passed, checking the clock every few calls.
func runFor(f func() error, d time.Duration) (int, time.Duration, error) {
	start := time.Now()
	n := 0
	for {
		for range 4 {
			if err := f(); err != nil {
				return n, time.Since(start), err
			}
			n++
		}
		if el := time.Since(start); el >= d {
			return n, el, nil
		}
	}
}
