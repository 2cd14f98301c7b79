package command

import (
	"errors"
	"strings"
	"syscall"
)

// DataDirAdvice is the hint printed after an admin command failed to open
// the data directory. A directory locked by a running server (the store's
// lock file answers EWOULDBLOCK) gets the way to act through the server
// when the command has one (remote), else the advice to stop it.
func DataDirAdvice(err error, remote bool) string {
	// Another process holds the lock: EWOULDBLOCK from flock. The same
	// process (a server embedded next to the command, as in the tests):
	// Pebble's own message, which has no sentinel error.
	locked := errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) ||
		strings.Contains(err.Error(), "lock held by current process")
	switch {
	case locked && remote:
		return "the data directory is locked: a gostca server running on it holds it. Act through that server instead:\n" +
			"  --server URL --token-file F   (or GOSTCA_URL and GOSTCA_TOKEN_FILE; F holds an API token)"
	case locked:
		return "the data directory is locked: a gostca server running on it holds it; stop the server first"
	case remote:
		return "(if a server runs on this data directory, use --server URL --token-file F)"
	}
	return "(if a server runs on this data directory, stop it first)"
}
