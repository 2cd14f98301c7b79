package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
)

// The audit key's reused HMAC states give what a fresh HMAC-SHA256 gives,
// message after message and from many goroutines at once.
func TestAuditKeyMACReuse(t *testing.T) {
	secret := bytes.Repeat([]byte{0x5a}, 40)
	k, err := NewAuditKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	want := func(msg []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(msg)
		return m.Sum(nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				msg := []byte(fmt.Sprint("entry ", g, " ", i, string(bytes.Repeat([]byte{'x'}, i))))
				got, err := k.MAC(msg)
				if err != nil || !bytes.Equal(got, want(msg)) || len(got) != 32 {
					errs <- fmt.Errorf("goroutine %d message %d: %x, %v", g, i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Another key gives other values, and the secret is copied in.
	other, _ := NewAuditKey(bytes.Repeat([]byte{0xa5}, 40))
	a, _ := k.MAC([]byte("m"))
	b, _ := other.MAC([]byte("m"))
	secret[0] ^= 1
	c, _ := k.MAC([]byte("m"))
	if bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("MAC depends on the wrong key")
	}
}
