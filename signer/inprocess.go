package signer

import "github.com/gostca/gostca/hsm"

// inProcess reports whether every job's issuer signs with a key held in
// this process (hsm.SoftKey): pure computation that returns in
// microseconds and cannot hang, so the batch's goroutine may sign
// itself instead of only waiting for workers under BatchTimeout.
func inProcess(jobs []*job) bool {
	for _, j := range jobs {
		if _, ok := j.issuer.Key.(*hsm.SoftKey); !ok {
			return false
		}
	}
	return true
}
