// Package seal protects the people who report crimes: it holds the server's
// secret keys and the primitives built on them.
//
//   - A master secret lives in a key file outside the database
//     (LoadOrCreateKeys). Separate subkeys are derived from it with HKDF, one
//     per purpose, so no two uses ever share a key.
//   - A reporter's identity is sealed with XChaCha20-Poly1305 (SealIdentity)
//     and bound to its record by associated data, so a copied ciphertext does
//     not open in another row, and a database dump alone reveals nothing.
//   - Receipt codes (NewReceiptCode) are the reporter's only credential for
//     following an anonymous report. The database stores ReceiptHash, an
//     HMAC under a key it does not hold, so a dump cannot be used to confirm
//     or guess codes offline.
//   - Tracking codes (NewTrackingCode) are public references.
//   - Form tokens (SignToken, VerifyToken) are short-lived signed values for
//     anti-abuse checks on citizen forms.
//
// Key material is never logged: Keys prints as a redacted placeholder, and
// Fingerprint gives a non-secret identifier for start-up logs.
//
// Errors other than ParseReceiptCode's are constants of type [Error],
// wrapped with %w and matched with errors.Is. ParseReceiptCode returns an
// errs.Field error whose message is shown to the citizen as is.
package seal

// Error is the type of the package's sentinel errors. It is a string type so
// the sentinels can be constants rather than package variables.
type Error string

// Error implements the error interface.
func (e Error) Error() string { return string(e) }
