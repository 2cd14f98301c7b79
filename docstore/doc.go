// Package docstore keeps the document scans of applications (passports,
// signed applications, powers of attorney, …) as files outside Pebble,
// content-addressed by SHA-256. The store keeps the metadata
// (store.Document: id, type, SHA-256, size, content type); this package
// keeps the bytes and decides the content type.
//
// # Layout
//
//	DIR/                     0700
//	DIR/.tmp-NNNN            0600  an upload in progress (removed by New)
//	DIR/ab/                  0700  shard: the first two hex digits
//	DIR/ab/abcdef…(64 hex)   0600  one document, named by its SHA-256
//
// # Durability
//
// Put streams the body into a temporary file in DIR (same file system as
// the final name), hashing and counting as it goes, and refuses it past
// the size limit. It then decides the type from the content (below),
// fsyncs the file, renames it atomically to its SHA-256 name and fsyncs
// the shard directory (and DIR when the shard was created). A crash before
// the rename leaves only a .tmp- file, which New removes; a crash after
// it leaves a complete file whose name is its hash. A file therefore
// either exists complete under its hash or not at all, and the caller
// writes the metadata only after Put returned: metadata never points at a
// file that was not durable first. The reverse (a file without metadata,
// after a crash between Put and the store write) is harmless and found by
// Check as an orphan.
//
// Equal content is stored once. Two concurrent Puts of the same bytes
// both rename onto the same name; the result is the same file. Because
// files are shared, a file may be deleted only when no metadata refers to
// it any more (Check with the set of referenced hashes reports orphans;
// the CA's document sweep deletes those older than a grace period with
// DeleteStale, under the lock Put renames under: see gc.go).
//
// # Content types
//
// The type is decided by the content only — never by the file name or the
// declared type: JPEG, PNG, GIF, TIFF, BMP, HEIC (image/…) and PDF
// (application/pdf). Images are checked by their header only, never
// decoded: the width and height the header declares must be non-zero and
// their product at most Options.MaxPixels, so a small file claiming a
// giant image (a decompression bomb for whoever opens it) is refused. A
// PDF must start with "%PDF-" and end with "%%EOF". Anything else (an
// executable renamed .pdf, a zip, a text file) is refused with an error
// listing the accepted types.
//
// One document type takes more: the machine-readable power of attorney
// (МЧД) is an XML file with a detached CMS signature. PutExtra with
// AcceptXML and AcceptCMS (extra.go) accepts those too: XML read in full
// by internal/safexml (bounded size and depth, UTF-8 or windows-1251, no
// DOCTYPE and so no entities or external references), a signature that
// pkix/cms parses as SignedData with a signer. Put, used for every other
// document type, refuses both and names what it found.
//
// One writing Store per directory: New removes leftover temporary files,
// which would be the uploads in progress of another writer. A checker
// beside a running server opens the directory with Options.ReadOnly.
package docstore
