//go:build !race

package gost3410

const raceOn = false
