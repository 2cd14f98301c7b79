// Package appdata is the data of an application for a certificate and
// its rules: application profiles (what each certificate type requires,
// forbids and allows), the formats of owner and organisation fields, the
// free-text and name rules, and the certificate subject an application
// leads to. It holds no state and no actor: package ra applies these
// rules when an application is created, saved, submitted and approved.
//
// # Applications and profiles
//
// An application is opened with its certificate type (the name of an
// application Profile), the subscriber's mobile phone (required, stored
// as +79XXXXXXXXX), optionally an e-mail and a recipient organisation,
// and, for a renewal, the serial of the certificate it replaces. A
// profile — loaded from configuration, DefaultProfiles otherwise —
// says which pkix certificate profile it issues under, which owner and
// organisation fields are required (checked at submission and approval)
// or forbidden (refused when saved), which documents are required (one
// file of any of a rule's types, or waived by a confirmed registry
// check), which identification methods are allowed, and its review
// steps. The defaults: natural person (qualified-person), employee with a
// paper power of attorney or an МЧД (qualified-employee, two review
// steps), individual entrepreneur (qualified-entrepreneur) and head of a
// legal entity (qualified-legal-entity-head, two steps, CN the
// organisation's name). Profile.Validate also checks that the required
// fields provide every subject attribute the pkix profile requires.
//
// # Owner and organisation data
//
// Names are kept exactly as the passport prints them: Russian letters
// with Ё as Ё, single hyphens and spaces between letters; an empty
// patronymic stays empty and "-" is refused. A foreign passport's name is
// written in Russian letters as in its notarised translation. Free text
// refuses control and invisible formatting characters (Unicode Cc and
// Cf: zero-width, bidi) and stray spaces. Identity documents follow
// their type: a Russian passport needs series, number and office code
// (pkix.ValidatePassportRU) and means citizenship RU; a foreign passport
// may lack a series and needs a foreign citizenship; a temporary ID has
// no series; a residence permit is for foreigners or the stateless.
// SNILS (normalised from its printed form), the person's INN, the
// organisation's INN, OGRN and OGRNIP are checked by pkix's checksum
// functions; a KPP is 4 digits, 2 digits or capitals, 3 digits.
//
// # Machine-readable power of attorney (МЧД)
//
// ParseMCHD reads the subset of the tax service's XML (root
// Доверенность, ВерсФорм EMCHD_1 or 003) the RA needs — number, dates,
// principal, the head who signed, representatives, powers (recorded
// only) — through internal/safexml (no DTD, no entities, bounded).
// CheckMCHD checks it against the application at a given time: in force
// today (Moscow days), a representative is the owner (SNILS and name),
// the principal is the organisation (INN, OGRN), and a detached
// CAdES-BES signature over the XML verifies (pkix/cms) with a signer
// certificate naming the head and the organisation. Problems name field
// "mchd". The registry check of the МЧД with the tax service is not done
// yet. docs/mchd.md describes the elements read and each check.
package appdata
