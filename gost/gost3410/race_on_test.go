//go:build race

package gost3410

// raceOn: the race detector slows the field arithmetic about tenfold, so
// the randomised comparisons with the math/big reference run fewer rounds
// under it (the full count runs in every build without -race and in the
// fuzz targets).
const raceOn = true
