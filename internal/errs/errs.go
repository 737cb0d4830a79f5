// Package errs is the project's one error scheme: a domain error carries a
// code, a message fit to show a citizen or an officer (Vietnamese), and for
// input errors the field at fault. Codes map to HTTP status in one place,
// Status, for both HTML pages and the JSON API.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies a domain error.
type Code string

const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	Conflict     Code = "conflict"
	TooMany      Code = "too_many_requests"
	Internal     Code = "internal"
)

// Error is a domain error.
type Error struct {
	Code    Code
	Field   string // the input field at fault, if any
	Message string // shown to the user as is
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// E builds a domain error.
func E(code Code, msg string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(msg, args...)}
}

// Field builds an Invalid error about one input field.
func Field(field, msg string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(msg, args...)}
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns err's code; errors that are not domain errors are Internal.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// Is reports whether err is a domain error with code c.
func Is(err error, c Code) bool { return err != nil && CodeOf(err) == c }

// Status maps err to its HTTP status.
func Status(err error) int {
	switch CodeOf(err) {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Message returns what a user may be shown about err: the domain message, or a
// generic one that reveals nothing of an internal failure.
func Message(err error) string {
	if e, ok := As(err); ok && e.Code != Internal {
		return e.Message
	}
	return "Hệ thống gặp sự cố. Vui lòng thử lại sau."
}
