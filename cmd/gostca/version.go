package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// versionString is what `gostca version` prints: the module version and
// the VCS revision (with its time, and "+dirty" for a modified tree) that
// the Go toolchain records in the binary; the -ldflags version wins when
// one was given.
func versionString(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "gostca " + version + " (no build information)"
	}
	v := version
	if v == "dev" && bi.Main.Version != "" {
		v = bi.Main.Version // "(devel)" when built from a checkout
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	out := fmt.Sprintf("gostca %s %s", v, bi.GoVersion)
	if rev == "" {
		return out + ", revision unknown (built without VCS information)"
	}
	out += ", revision " + rev
	if dirty {
		out += "+dirty"
	}
	if at != "" {
		out += " (" + at + ")"
	}
	return out
}

func runVersion(w io.Writer) int {
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(w, versionString(bi, ok))
	return 0
}
