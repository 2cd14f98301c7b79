package hsm

import (
	"fmt"
	"io/fs"
	"os"
)

// CheckPrivateFile refuses a secret file (a key, a PIN or passphrase
// file, a token file) that its group or others may read, write or
// execute: it must be mode 0600 or stricter. The error says how to fix it
// and holds no content of the file.
func CheckPrivateFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkPrivateMode(path, fi)
}

func checkPrivateMode(path string, fi fs.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is a secret file but its group or others may access it (mode %04o): chmod 600 %s", path, perm, path)
	}
	return nil
}
