package peers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// ParallelMode names the peer run of several `openssl ca -infiles`
// processes at once, each over its own share of the CSRs with its own
// database (index.txt, serial), all under the same CA key and profile:
// the way an operator would scale `openssl ca` to more cores, since two
// processes cannot share one index.txt.
func ParallelMode(procs int) string { return "-infiles × " + strconv.Itoa(procs) + " processes" }

// IssueParallel splits csrs into procs contiguous shares and runs one
// `openssl ca -infiles` per share at the same time, each in a directory of
// its own (database, serial file with a distinct prefix so serials never
// collide across databases). Throughput is all certificates over the wall
// time from the first start to the last exit.
func (p *Peer) IssueParallel(ctx context.Context, csrs []string, procs int) (load.Stats, error) {
	procs = max(1, min(procs, len(csrs)))
	s := load.Stats{Mode: ParallelMode(procs), Concurrency: procs, Requests: len(csrs)}
	dirs := make([]string, procs)
	for w := range procs {
		d, err := p.workerDir(w)
		if err != nil {
			return s, err
		}
		dirs[w] = d
	}
	var wg sync.WaitGroup
	errs := make([]error, procs)
	start := time.Now()
	for w := range procs {
		lo, hi := w*len(csrs)/procs, (w+1)*len(csrs)/procs
		wg.Go(func() {
			conf := filepath.Join(dirs[w], "ca.cnf")
			args := append([]string{"ca", "-batch", "-config", conf, "-notext", "-out", filepath.Join(dirs[w], "out.pem"), "-infiles"}, csrs[lo:hi]...)
			_, errs[w] = p.runIn(ctx, dirs[w], args...)
		})
	}
	wg.Wait()
	wall := time.Since(start)
	s.Seconds = wall.Seconds()
	for w, d := range dirs {
		if errs[w] != nil {
			return s, fmt.Errorf("process %d: %w", w, errs[w])
		}
		n, err := countLines(filepath.Join(d, "index.txt"))
		if err != nil {
			return s, err
		}
		s.OK += n
	}
	s.Throughput = float64(s.OK) / wall.Seconds()
	return s, nil
}

// workerDir makes (or resets) the w-th parallel CA directory: the peer's
// CA certificate and key, a configuration whose dir is this directory,
// an empty database and a serial starting at a per-worker prefix.
func (p *Peer) workerDir(w int) (string, error) {
	d := filepath.Join(p.Dir, "par", strconv.Itoa(w))
	if err := os.RemoveAll(d); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(d, "newcerts"), 0o700); err != nil {
		return "", err
	}
	for _, f := range []string{"ca.pem", "ca.key"} {
		if err := copyFile(filepath.Join(p.Dir, f), filepath.Join(d, f)); err != nil {
			return "", err
		}
	}
	files := map[string]string{
		"ca.cnf":         fmt.Sprintf(caConf, d),
		"index.txt":      "",
		"index.txt.attr": "unique_subject = no\n",
		// Serials are hex: worker w issues (w+1)0000001, (w+1)0000002, …
		"serial":    fmt.Sprintf("%X0000001\n", w+1),
		"crlnumber": "1000\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d, name), []byte(data), 0o600); err != nil {
			return "", err
		}
	}
	return d, nil
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n, nil
}
