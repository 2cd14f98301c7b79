package cadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/internal/atomicfile"
)

// RootCRLFile is where the root CRL an operator uploaded (the root key
// being offline) is kept, DER, relative to the data directory.
var RootCRLFile = filepath.Join(caDir, RootID+".crl")

// ReadRootCRL reads the uploaded root CRL; nil without error when there
// is none.
func ReadRootCRL(dataDir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, RootCRLFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cadir: root CRL: %w", err)
	}
	return b, nil
}

// WriteRootCRL replaces the uploaded root CRL (atomically, synced).
func WriteRootCRL(dataDir string, der []byte) error {
	if err := atomicfile.Write(filepath.Join(dataDir, RootCRLFile), der, 0o644, false); err != nil {
		return fmt.Errorf("cadir: root CRL: %w", err)
	}
	return nil
}
