package command

import (
	"bytes"
	"reflect"
	"testing"
)

// TestSubcommands: no subcommand says what the command wants and gives
// no run; a subcommand gets a flag set named after it with the common
// and remote flags, parsing what follows it (flags after arguments
// too); an unknown one is said with or without the list of known ones,
// exit 2.
func TestSubcommands(t *testing.T) {
	cmd := Subcommands{Name: "thing", Want: "make ID or drop ID", Known: "make, drop"}
	var e bytes.Buffer
	if s := cmd.Start(nil, &e); s != nil || e.String() != "gostca thing: want make ID or drop ID\n" {
		t.Fatalf("no subcommand: %v, %q", s, e.String())
	}
	e.Reset()
	s := cmd.Start([]string{"make", "ID1", "--server", "http://127.0.0.1:1", "--data", "d"}, &e)
	if s == nil || s.Name != "make" || s.Flags.Name() != "thing make" || s.Common == nil || s.Remote == nil {
		t.Fatalf("start: %+v", s)
	}
	force := s.Flags.Bool("force", false, "")
	pos, err := s.Parse()
	if err != nil || !reflect.DeepEqual(pos, []string{"ID1"}) || !s.Remote.Enabled() || s.Common.data != "d" || *force || e.Len() != 0 {
		t.Fatalf("parse: %q %v remote %v data %q stderr %q", pos, err, s.Remote.Enabled(), s.Common.data, e.String())
	}
	if code := cmd.Unknown(&e, "fly"); code != 2 || e.String() != "gostca thing: unknown subcommand \"fly\" (make, drop)\n" {
		t.Fatalf("unknown: %d %q", code, e.String())
	}
	e.Reset()
	cmd.Known = ""
	if code := cmd.Unknown(&e, "fly"); code != 2 || e.String() != "gostca thing: unknown subcommand \"fly\"\n" {
		t.Fatalf("unknown, no list: %d %q", code, e.String())
	}
	e.Reset()
	s = cmd.Start([]string{"drop", "--bogus"}, &e)
	if _, err := s.Parse(); err == nil || !bytes.Contains(e.Bytes(), []byte("Usage of thing drop:")) {
		t.Fatalf("bad flag: %v %q", err, e.String())
	}
}
