package peers

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// GenCRL runs openssl ca -gencrl over the index at idx and returns how long
// it took, the process's sampled peak RSS in KiB and the PEM CRL's size.
func (p *Peer) GenCRL(ctx context.Context, idx string) (time.Duration, int64, int, error) {
	if err := copyFile(idx, filepath.Join(p.Dir, "index.txt")); err != nil {
		return 0, 0, 0, err
	}
	t := time.Now()
	peak, err := p.runPeak(ctx, "ca", "-batch", "-config", p.Conf, "-gencrl", "-out", filepath.Join(p.Dir, "crl.pem"))
	el := time.Since(t)
	if err != nil {
		return 0, 0, 0, err
	}
	fi, err := os.Stat(filepath.Join(p.Dir, "crl.pem"))
	if err != nil {
		return 0, 0, 0, err
	}
	return el, peak, int(fi.Size()), nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
