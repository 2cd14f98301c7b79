//go:build !openssl

package main

import "errors"

type opensslSigner struct{}

var errNoOpenSSL = errors.New("built without -tags openssl")

func opensslInit() error { return errNoOpenSSL }

func newOpenSSLSigner(int, string) (*opensslSigner, error) { return nil, errNoOpenSSL }

func (*opensslSigner) signer([]byte) (sign, verify func() error) { return nil, nil }

func opensslDigest(int, []byte) (func() error, error) { return nil, errNoOpenSSL }
