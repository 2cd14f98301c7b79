//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

var errNoNetNS = errors.New("the OpenSSL OCSP responder listens on every interface and is run only in a private network namespace, which needs Linux")

func inNewNetNS(*exec.Cmd) error { return errNoNetNS }

func loopbackUp() error { return errNoNetNS }
