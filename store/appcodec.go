package store

import "math"

// Version bytes of the application record and of a history event.
const (
	appV1      byte = 1
	appEventV1 byte = 1
)

// Bounds of application records (bytes unless said otherwise). Text is
// bounded in bytes: 1 KiB holds 256 Cyrillic characters and more.
const (
	MaxAppIDLen     = 64
	maxAppText      = 1024 // names, places, addresses, reasons
	maxAppShort     = 64   // type names, codes, content types, cert type
	maxDocTypeLen   = 32
	maxAppDocuments = 256
	maxAppChecks    = 32
	maxAppReviews   = 256
	maxAppReasons   = 64
	maxAppEditors   = 64
	maxPhoneLen     = 12 // "+7" and 10 digits
)

// encodeApp writes an application record (doc.go lists the fields).
func encodeApp(a *Application) []byte {
	e := enc{b: make([]byte, 0, 512)}
	e.byte(appV1)
	e.str(a.ID)
	e.uvarint(a.Version)
	e.byte(byte(a.Kind))
	e.bytes(a.Replaces)
	e.strs(a.CertType, a.Centre, a.Phone, a.Recipient)
	e.byte(byte(a.State))
	e.time(a.StateSince)
	e.time(a.CreatedAt)
	e.str(a.CreatedBy)
	e.time(a.UpdatedAt)
	e.time(a.Deadline)
	e.str(a.Assignee)
	e.uint32(a.ReviewStep)
	e.uint32(a.Round)
	encodeOwner(&e, &a.Owner)
	encodeOrg(&e, &a.Org)
	e.uvarint(uint64(len(a.Documents)))
	for i := range a.Documents {
		d := &a.Documents[i]
		e.strs(d.ID, d.Type)
		e.hash(d.SHA256)
		e.uvarint(uint64(d.Size))
		e.strs(d.ContentType, d.AddedBy)
		e.time(d.AddedAt)
	}
	e.uvarint(uint64(len(a.Checks)))
	for i := range a.Checks {
		c := &a.Checks[i]
		e.str(c.Kind)
		e.byte(byte(c.Status))
		e.time(c.RequestedAt)
		e.time(c.AnsweredAt)
		e.str(c.Detail)
	}
	e.uvarint(uint64(len(a.Reviews)))
	for i := range a.Reviews {
		r := &a.Reviews[i]
		e.str(r.Step)
		e.uint32(r.Round)
		e.str(r.Reviewer)
		e.flag(r.Approved)
		e.time(r.At)
		e.uvarint(uint64(len(r.Reasons)))
		for _, rs := range r.Reasons {
			e.strs(rs.Target, rs.Code, rs.Text)
		}
	}
	id := &a.Identity
	e.byte(byte(id.Method))
	e.str(id.VerifiedBy)
	e.time(id.At)
	e.byte(byte(id.Presenter))
	e.strs(id.Representative, id.Document)
	e.bytes(id.CertSerial)
	e.uvarint(uint64(len(a.Editors)))
	e.strs(a.Editors...)
	e.uint32(a.IssueAttempt)
	e.bytes(a.Serial)
	return e.b
}

// encodeAppEvent writes a history event (its version is in the key).
func encodeAppEvent(h *AppEvent) []byte {
	e := enc{b: make([]byte, 0, 64+len(h.Actor)+len(h.Note))}
	e.byte(appEventV1)
	e.time(h.At)
	e.strs(h.Actor, h.Action)
	e.byte(byte(h.From))
	e.byte(byte(h.To))
	e.str(h.Note)
	return e.b
}

func decodeAppEvent(version uint64, b []byte) (*AppEvent, error) {
	d := dec{b: b}
	d.version(appEventV1)
	h := &AppEvent{Version: version}
	h.At = d.time()
	h.Actor = d.str(maxActorLen)
	h.Action = d.str(maxActionLen)
	h.From = AppState(d.byte())
	h.To = AppState(d.byte())
	if h.From > appStateMax || h.To < AppNew || h.To > appStateMax {
		d.fail("bad history state")
	}
	h.Note = d.str(maxAppText)
	if err := d.finish("application event"); err != nil {
		return nil, err
	}
	return h, nil
}

func encodeOwner(e *enc, o *Owner) {
	e.strs(o.Surname, o.GivenName, o.Patronymic)
	e.byte(byte(o.Sex))
	e.time(o.BirthDate)
	e.str(o.BirthPlace)
	d := &o.IDDoc
	e.byte(byte(d.Type))
	e.strs(d.Series, d.Number)
	e.time(d.IssuedOn)
	e.strs(d.Issuer, d.IssuerCode)
	e.strs(o.Citizenship, o.SNILS, o.INN, o.Email, o.Position)
}

func encodeOrg(e *enc, g *Organisation) {
	e.strs(g.Name, g.INN, g.KPP, g.OGRN, g.OGRNIP, g.Region, g.Locality, g.Street)
	e.time(g.UpdatedAt)
}

// decodeApp reads an application record strictly: bounded lengths and
// counts, known enumeration values, no trailing bytes.
func decodeApp(b []byte) (*Application, error) {
	d := dec{b: b}
	d.version(appV1)
	a := &Application{}
	a.ID = d.str(MaxAppIDLen)
	a.Version = d.uvarint()
	a.Kind = AppKind(d.byte())
	if a.Kind != AppKindNew && a.Kind != AppKindReplacement {
		d.fail("bad application kind")
	}
	a.Replaces = d.bytes(maxSerialLen)
	a.CertType = d.str(maxAppShort)
	a.Centre = d.centre()
	a.Phone = d.str(maxPhoneLen)
	a.Recipient = d.str(maxAppText)
	a.State = AppState(d.byte())
	if a.State < AppNew || a.State > appStateMax {
		d.fail("bad application state")
	}
	a.StateSince = d.time()
	a.CreatedAt = d.time()
	a.CreatedBy = d.str(maxActorLen)
	a.UpdatedAt = d.time()
	a.Deadline = d.time()
	a.Assignee = d.str(maxActorLen)
	a.ReviewStep = d.uint32()
	a.Round = d.uint32()
	decodeOwner(&d, &a.Owner)
	decodeOrg(&d, &a.Org)
	a.Documents = makeN[Document](d.count(maxAppDocuments))
	for i := range a.Documents {
		x := &a.Documents[i]
		x.ID = d.str(MaxAppIDLen)
		x.Type = d.str(maxDocTypeLen)
		x.SHA256 = d.hash()
		size := d.uvarint()
		if size > math.MaxInt64 {
			d.fail("bad document size")
		}
		x.Size = int64(size)
		x.ContentType = d.str(maxAppShort)
		x.AddedBy = d.str(maxActorLen)
		x.AddedAt = d.time()
	}
	a.Checks = makeN[RegistryCheck](d.count(maxAppChecks))
	for i := range a.Checks {
		c := &a.Checks[i]
		c.Kind = d.str(maxDocTypeLen)
		c.Status = CheckStatus(d.byte())
		if c.Status < CheckPending || c.Status > checkStatusMax {
			d.fail("bad check status")
		}
		c.RequestedAt = d.time()
		c.AnsweredAt = d.time()
		c.Detail = d.str(maxAppText)
	}
	a.Reviews = makeN[Review](d.count(maxAppReviews))
	for i := range a.Reviews {
		r := &a.Reviews[i]
		r.Step = d.str(maxAppShort)
		r.Round = d.uint32()
		r.Reviewer = d.str(maxActorLen)
		r.Approved = d.flag()
		r.At = d.time()
		r.Reasons = makeN[ReviewReason](d.count(maxAppReasons))
		for j := range r.Reasons {
			r.Reasons[j] = ReviewReason{Target: d.str(maxAppShort), Code: d.str(maxAppShort), Text: d.str(maxAppText)}
		}
	}
	id := &a.Identity
	id.Method = IdentMethod(d.byte())
	if id.Method > identMethodMax {
		d.fail("bad identification method")
	}
	id.VerifiedBy = d.str(maxActorLen)
	id.At = d.time()
	id.Presenter = Presenter(d.byte())
	if id.Presenter > presenterMax {
		d.fail("bad presenter")
	}
	id.Representative = d.str(maxAppText)
	id.Document = d.str(maxAppText)
	id.CertSerial = d.bytes(maxSerialLen)
	a.Editors = makeN[string](d.count(maxAppEditors))
	for i := range a.Editors {
		a.Editors[i] = d.str(maxActorLen)
	}
	a.IssueAttempt = d.uint32()
	a.Serial = d.bytes(maxSerialLen)
	if err := d.finish("application"); err != nil {
		return nil, err
	}
	if !ValidAppID(a.ID) {
		return nil, corrupt("decode application: bad id")
	}
	return a, nil
}

func decodeOwner(d *dec, o *Owner) {
	o.Surname = d.str(maxAppText)
	o.GivenName = d.str(maxAppText)
	o.Patronymic = d.str(maxAppText)
	o.Sex = Sex(d.byte())
	if o.Sex > SexFemale {
		d.fail("bad sex")
	}
	o.BirthDate = d.time()
	o.BirthPlace = d.str(maxAppText)
	x := &o.IDDoc
	x.Type = IDDocType(d.byte())
	if x.Type > idDocTypeMax {
		d.fail("bad identity document type")
	}
	x.Series = d.str(maxAppShort)
	x.Number = d.str(maxAppShort)
	x.IssuedOn = d.time()
	x.Issuer = d.str(maxAppText)
	x.IssuerCode = d.str(maxAppShort)
	o.Citizenship = d.str(maxAppShort)
	o.SNILS = d.str(32)
	o.INN = d.str(32)
	o.Email = d.str(maxAppText)
	o.Position = d.str(maxAppText)
}

func decodeOrg(d *dec, g *Organisation) {
	g.Name = d.str(maxAppText)
	g.INN = d.str(32)
	g.KPP = d.str(32)
	g.OGRN = d.str(32)
	g.OGRNIP = d.str(32)
	g.Region = d.str(maxAppText)
	g.Locality = d.str(maxAppText)
	g.Street = d.str(maxAppText)
	g.UpdatedAt = d.time()
}

// count reads a list length of at most max elements. Each element takes
// at least one byte, so a count beyond the bytes left is corrupt too
// (and cannot make the decoder allocate more than the record's size).
func (d *dec) count(max int) int {
	n := d.uvarint()
	if n > uint64(max) || n > uint64(len(d.b)) {
		d.fail("list length out of bounds")
		return 0
	}
	return int(n)
}

// makeN is make([]T, n), nil for n == 0 (so a round trip keeps nil).
func makeN[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}
