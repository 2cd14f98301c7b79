// Package appform renders the filled application for the issuance of a
// qualified certificate as a PDF, for the applicant to print and sign in
// ink (the signed scan is then uploaded as the "signed application"
// document).
//
// The input is a Form, a plain struct the caller fills from its
// application record. Render lays out one A4 page (more when long
// values need them): the CA addressee, the title, the application id and
// kind, the owner's data (full name exactly as given — Ё kept —, sex,
// birth date and place, citizenship, identity document, SNILS, INN,
// e-mail, phone, position), the organisation's data when present, the
// certificate type and profile, the consent statement, a place for the
// signature and the date written by hand, and the SHA-256 of the data
// rendered.
//
// RenderRenewal renders the renewal application (RenewalForm): the same
// data blocks copied from the current certificate's application, the
// certificate being renewed (serial, issuer, validity), wording for a
// renewal without a visit, and in place of the ink signature a line
// saying which certificate signs it. The subscriber signs the PDF's bytes
// as a detached CAdES-BES signature with that certificate (package
// pkix/cms verifies it against the form rendered again). Its Data starts
// with its own layout version.
//
// # The data digest
//
// Form.Data is the canonical text of everything the form prints that
// comes from the application: one "key=value\n" line per field in a fixed
// order, the first line naming the layout version (which pins the fixed
// wording, such as the consent statement). Its SHA-256 (Result.DataSHA256)
// is printed on the form, so a signed paper copy can be matched to the
// data it was printed from.
//
// # Determinism
//
// The PDF depends only on the Form: its creation date is Form.Date, and
// nothing random is written. The caller may therefore record the hash of
// the PDF and render it again later to compare.
//
// # Font
//
// DejaVu Sans and DejaVu Sans Bold 2.37 (Bitstream Vera licence,
// fonts/LICENSE) are embedded in the binary and subset into each PDF
// (only the glyphs used).
package appform
