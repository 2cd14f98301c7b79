//go:build openssl

package main

/*
#cgo CFLAGS: -DOPENSSL_SUPPRESS_DEPRECATED -Wno-deprecated-declarations
#cgo LDFLAGS: -lcrypto
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <time.h>

static ENGINE *sc_eng;

static int sc_init(void) {
	ENGINE_load_builtin_engines();
	sc_eng = ENGINE_by_id("gost");
	if (sc_eng == NULL) return -1;
	if (!ENGINE_init(sc_eng)) return -2;
	return 0;
}

static const EVP_MD *sc_md(int bits) {
	return ENGINE_get_digest(sc_eng, bits == 256 ? NID_id_GostR3411_2012_256 : NID_id_GostR3411_2012_512);
}

static long long sc_thread_cpu(void) {
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

// sc_run digests buf count times and returns the thread CPU time in ns,
// or -1 when a digest fails.
static long long sc_run(const EVP_MD *md, const unsigned char *buf, size_t n, int count, unsigned char *out) {
	unsigned int outlen;
	long long t0 = sc_thread_cpu();
	for (int i = 0; i < count; i++) {
		if (EVP_Digest(buf, n, out, &outlen, md, sc_eng) != 1) return -1;
	}
	return sc_thread_cpu() - t0;
}
*/
import "C"

import (
	"errors"
	"fmt"
)

func opensslInit() error {
	if rc := C.sc_init(); rc != 0 {
		return fmt.Errorf("loading the gost engine failed (%d)", int(rc))
	}
	return nil
}

func threadCPU() int64 { return int64(C.sc_thread_cpu()) }

// opensslDigester is oursDigester for EVP_Digest; msg is copied to C
// memory once.
func opensslDigester(bits int, msg []byte) (func(count int) float64, error) {
	md := C.sc_md(C.int(bits))
	if md == nil {
		return nil, errors.New("openssl: no Streebog digest in the gost engine")
	}
	buf := (*C.uchar)(C.CBytes(append([]byte{0}, msg...)))
	out := (*C.uchar)(C.malloc(64))
	n := C.size_t(len(msg))
	return func(count int) float64 {
		ns := C.sc_run(md, buf, n, C.int(count), out)
		if ns < 0 {
			panic("openssl: EVP_Digest failed")
		}
		return float64(ns)
	}, nil
}
