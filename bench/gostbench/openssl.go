//go:build openssl

package main

/*
#cgo CFLAGS: -DOPENSSL_SUPPRESS_DEPRECATED -Wno-deprecated-declarations
#cgo LDFLAGS: -lcrypto
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <stdlib.h>

static ENGINE *gb_eng;

static int gb_init(void) {
	ENGINE_load_builtin_engines();
	gb_eng = ENGINE_by_id("gost");
	if (gb_eng == NULL) return -1;
	if (!ENGINE_init(gb_eng)) return -2;
	if (!ENGINE_set_default(gb_eng, ENGINE_METHOD_ALL)) return -3;
	return 0;
}

typedef struct {
	EVP_PKEY *key;
	EVP_PKEY_CTX *sctx, *vctx;
	unsigned char sig[128];
	size_t siglen;
} gb_signer;

// gb_new_signer generates a key on paramset of gost2012_256 (bits = 256)
// or gost2012_512 and prepares sign and verify contexts.
static gb_signer *gb_new_signer(int bits, const char *paramset) {
	int nid = bits == 256 ? NID_id_GostR3410_2012_256 : NID_id_GostR3410_2012_512;
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(nid, gb_eng);
	if (kctx == NULL) return NULL;
	EVP_PKEY *key = NULL;
	if (EVP_PKEY_keygen_init(kctx) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(kctx, "paramset", paramset) <= 0 ||
	    EVP_PKEY_keygen(kctx, &key) <= 0) {
		EVP_PKEY_CTX_free(kctx);
		return NULL;
	}
	EVP_PKEY_CTX_free(kctx);
	gb_signer *s = calloc(1, sizeof *s);
	s->key = key;
	s->sctx = EVP_PKEY_CTX_new(key, gb_eng);
	s->vctx = EVP_PKEY_CTX_new(key, gb_eng);
	if (s->sctx == NULL || s->vctx == NULL ||
	    EVP_PKEY_sign_init(s->sctx) <= 0 || EVP_PKEY_verify_init(s->vctx) <= 0) {
		return NULL;
	}
	return s;
}

static int gb_sign(gb_signer *s, const unsigned char *dgst, size_t n) {
	s->siglen = sizeof s->sig;
	return EVP_PKEY_sign(s->sctx, s->sig, &s->siglen, dgst, n) == 1;
}

static int gb_verify(gb_signer *s, const unsigned char *dgst, size_t n) {
	return EVP_PKEY_verify(s->vctx, s->sig, s->siglen, dgst, n) == 1;
}

static const EVP_MD *gb_md(int bits) {
	return ENGINE_get_digest(gb_eng, bits == 256 ? NID_id_GostR3411_2012_256 : NID_id_GostR3411_2012_512);
}

static int gb_digest(const EVP_MD *md, const unsigned char *buf, size_t n, unsigned char *out) {
	unsigned int outlen = 0;
	return EVP_Digest(buf, n, out, &outlen, md, gb_eng) == 1;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

type opensslSigner struct {
	s    *C.gb_signer
	size int
}

func opensslInit() error {
	if rc := C.gb_init(); rc != 0 {
		return fmt.Errorf("loading the gost engine failed (%d)", int(rc))
	}
	return nil
}

func newOpenSSLSigner(bits int, paramset string) (*opensslSigner, error) {
	cs := C.CString(paramset)
	defer C.free(unsafe.Pointer(cs))
	s := C.gb_new_signer(C.int(bits), cs)
	if s == nil {
		return nil, fmt.Errorf("openssl: key generation for %d/%s failed", bits, paramset)
	}
	return &opensslSigner{s: s, size: bits / 8}, nil
}

// C memory for the digest, so cgo does not have to check Go pointers.
func cBytes(b []byte) *C.uchar { return (*C.uchar)(C.CBytes(b)) }

func (o *opensslSigner) signer(digest []byte) (sign, verify func() error) {
	d := cBytes(digest)
	n := C.size_t(len(digest))
	sign = func() error {
		if C.gb_sign(o.s, d, n) != 1 {
			return errors.New("openssl: sign failed")
		}
		return nil
	}
	verify = func() error {
		if C.gb_verify(o.s, d, n) != 1 {
			return errors.New("openssl: verify failed")
		}
		return nil
	}
	return sign, verify
}

func opensslDigest(bits int, buf []byte) (func() error, error) {
	md := C.gb_md(C.int(bits))
	if md == nil {
		return nil, errors.New("openssl: no Streebog digest in the gost engine")
	}
	b := cBytes(buf)
	out := (*C.uchar)(C.malloc(64))
	n := C.size_t(len(buf))
	return func() error {
		if C.gb_digest(md, b, n, out) != 1 {
			return errors.New("openssl: digest failed")
		}
		return nil
	}, nil
}
