//go:build !openssl

package main

import (
	"errors"
	"time"
)

func opensslInit() error {
	return errors.New("streebogcpu compares with OpenSSL: build it with -tags openssl (cgo, libssl-dev, the gost engine)")
}

func threadCPU() int64 { return time.Now().UnixNano() }

func opensslDigester(int, []byte) (func(int) float64, error) { return nil, opensslInit() }
