// Package secret provides the credential primitives used for staff
// accounts: argon2id password hashing and verification, the password
// policy, generated passwords, RFC 6238 TOTP second factors, recovery codes
// and opaque session tokens.
//
// Everything here is a pure function over its inputs plus crypto/rand; the
// package performs no I/O and keeps no state. Persisting hashes, TOTP
// secrets, the last accepted TOTP step and token digests is the caller's
// job.
//
// Errors are constants of type [Error] and are wrapped with %w, so callers
// match them with errors.Is. The password policy errors carry a Vietnamese
// message that is safe to show to the user as is.
package secret

// Error is the type of the package's sentinel errors. It is a string type so
// the sentinels can be constants rather than package variables.
type Error string

// Error implements the error interface.
func (e Error) Error() string { return string(e) }
