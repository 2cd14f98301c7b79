package streebog_test

import (
	"fmt"

	"github.com/gostca/gostca/gost/streebog"
)

func ExampleSum256() {
	// RFC 6986 message M1. The digest is in OpenSSL's byte order; the RFC
	// prints it reversed.
	sum := streebog.Sum256([]byte("012345678901234567890123456789012345678901234567890123456789012"))
	fmt.Printf("%x\n", sum)
	// Output: 9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500
}

func ExampleNew512() {
	h := streebog.New512()
	h.Write([]byte("0123456789012345678901234567890"))
	h.Write([]byte("12345678901234567890123456789012"))
	fmt.Printf("%x\n", h.Sum(nil))
	// Output: 1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48
}
