package load

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Progress prints one line per step on a terminal (or always with -v in
// tests); quiet otherwise.
type Progress struct {
	w     io.Writer
	start time.Time
}

// NewProgress writes to w when w is a terminal and quiet is false.
func NewProgress(w io.Writer, quiet bool) *Progress {
	if quiet {
		return &Progress{start: time.Now()}
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			return &Progress{start: time.Now()}
		}
	}
	return &Progress{w: w, start: time.Now()}
}

// Printf prints one line, prefixed by the seconds since NewProgress.
func (p *Progress) Printf(format string, a ...any) {
	if p == nil || p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, a...))
}
