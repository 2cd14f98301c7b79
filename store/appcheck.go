package store

import (
	"context"
	"encoding/binary"
	"errors"
)

// application checks one key of the application prefixes: a record has
// exactly its index entries (each present), and every index entry points
// to a record that still carries it. Only I/O errors are returned.
func (c *checker) application(k, v []byte) error {
	switch k[0] {
	case pAppEvent:
		return c.appEvent(k, v)
	case pAppIndex, pAppState:
		c.rep.IndexEntries++
		return c.appIndex(k)
	}
	c.rep.Applications++
	a, err := decodeApp(v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	if string(k[1:]) != a.ID {
		c.problem("mismatch", k, "record names application %s", a.ID)
		return nil
	}
	if err := checkApp(a); err != nil {
		c.problem("decode", k, "%v", err)
	}
	for _, ik := range appIndexKeys(a) {
		if err := c.want(k, ik, nil, "application index"); err != nil {
			return err
		}
	}
	// One event per version, 1 … Version: events of later versions are
	// reported by appEvent; here the count and the last one.
	n := 0
	err = scanPrefix(context.Background(), c.r, appEventPrefix(a.ID), func(_, _ []byte) (bool, error) {
		n++
		return true, nil
	})
	if err != nil {
		return err
	}
	if uint64(n) != a.Version {
		c.problem("mismatch", k, "application %s at version %d has %d history events", a.ID, a.Version, n)
	}
	return nil
}

// appEvent checks a history event: it decodes, and its application
// exists at that version or later.
func (c *checker) appEvent(k, v []byte) error {
	c.rep.IndexEntries++
	raw, rest, ok := cutLen(k[1:])
	if !ok || len(rest) != 8 || !ValidAppID(string(raw)) {
		c.problem("decode", k, "bad application event key")
		return nil
	}
	version := binary.BigEndian.Uint64(rest)
	if _, err := decodeAppEvent(version, v); err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	a, err := c.s.loadApp(c.r, string(raw))
	switch {
	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt):
		c.problem("dangling-index", k, "history event of a missing or unreadable application %s", raw)
		return nil
	case err != nil:
		return err
	}
	if version == 0 || version > a.Version {
		c.problem("mismatch", k, "history event %d of application %s at version %d", version, raw, a.Version)
	}
	return nil
}

func (c *checker) appIndex(k []byte) error {
	_, id, ok := appIndexTarget(k)
	if !ok {
		c.problem("decode", k, "bad application index key")
		return nil
	}
	a, err := c.s.loadApp(c.r, id)
	switch {
	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt):
		c.problem("dangling-index", k, "application %s missing or unreadable", id)
		return nil
	case err != nil:
		return err
	}
	for _, ik := range appIndexKeys(a) {
		if string(ik) == string(k) {
			return nil
		}
	}
	c.problem("dangling-index", k, "application %s does not carry this index entry", id)
	return nil
}
