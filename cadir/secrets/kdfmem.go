package secrets

import (
	"runtime/debug"

	"github.com/gostca/gostca/hsm"
)

// Soft key files are sealed under scrypt with N = 2^17, r = 8 by default:
// every encryption or decryption allocates a 128 MiB working buffer that
// is garbage the moment the KDF returns. Left to the runtime, the heap
// goal that buffer raised keeps the next ones from being collected early
// and the scavenger hands the pages back to the OS only minutes later, so
// a server that opened a few keys at start-up sat at 150–280 MB resident
// while idle. The helpers below run the KDF with its parameters
// unchanged, then force a collection and return the freed pages at once
// (debug.FreeOSMemory), so at most one buffer is ever resident and none
// stays after start-up. The cost is one collection of a small heap per
// key file, a few milliseconds, paid only when a key file is opened or
// written.

// releaseKDFMemory returns the freed scrypt buffer to the OS.
func releaseKDFMemory() { debug.FreeOSMemory() }

// OpenSoftKey is hsm.OpenSoftKey followed by releaseKDFMemory.
func OpenSoftKey(path string, src hsm.SecretSource) (*hsm.SoftKey, error) {
	defer releaseKDFMemory()
	return hsm.OpenSoftKey(path, src)
}

// OpenSoftSecret is hsm.OpenSoftSecret followed by releaseKDFMemory.
func OpenSoftSecret(path string, src hsm.SecretSource) ([]byte, error) {
	defer releaseKDFMemory()
	return hsm.OpenSoftSecret(path, src)
}

// WriteSoftKeyFile is hsm.WriteSoftKeyFile followed by releaseKDFMemory.
func WriteSoftKeyFile(path string, k *hsm.SoftKey, pass []byte, opts *hsm.SoftKeyFileOptions) error {
	defer releaseKDFMemory()
	return hsm.WriteSoftKeyFile(path, k, pass, opts)
}

// WriteSoftSecretFile is hsm.WriteSoftSecretFile followed by
// releaseKDFMemory.
func WriteSoftSecretFile(path string, secret, pass []byte, opts *hsm.SoftKeyFileOptions) error {
	defer releaseKDFMemory()
	return hsm.WriteSoftSecretFile(path, secret, pass, opts)
}

// EncryptSoftKey is hsm.EncryptSoftKey followed by releaseKDFMemory.
func EncryptSoftKey(k *hsm.SoftKey, pass []byte, opts *hsm.SoftKeyFileOptions) ([]byte, error) {
	defer releaseKDFMemory()
	return hsm.EncryptSoftKey(k, pass, opts)
}
