package store

import "errors"

// application checks one key of the application prefixes: a record has
// exactly its index entries (each present), and every index entry points
// to a record that still carries it. Only I/O errors are returned.
func (c *checker) application(k, v []byte) error {
	if k[0] != pApp {
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
