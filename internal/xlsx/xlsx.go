// Package xlsx reads and writes Office Open XML spreadsheets (.xlsx) with
// the standard library only.
//
// The reader turns one worksheet into rows of strings, which is what the
// importers of province spreadsheets (festival points, plans) need: values
// as the user sees them, dates as YYYY-MM-DD, row numbers equal to the
// spreadsheet's line numbers. It is meant for files from outside, so every
// part is read through a size limit and the sheet through row, column and
// cell limits.
//
// The writer streams one worksheet straight into the zip entry with inline
// strings, so exporting a million rows takes the same memory as exporting
// ten.
package xlsx

import "errors"

// Limits on what the reader accepts. MaxRows and MaxCols are Excel's own
// limits; MaxPartSize and MaxCells keep a hostile file from exhausting
// memory.
const (
	MaxRows     = 1 << 20   // 1,048,576 rows
	MaxCols     = 1 << 14   // 16,384 columns (A..XFD)
	MaxPartSize = 200 << 20 // bytes of one uncompressed XML part
	// MaxCells bounds the cells a sheet may occupy once gaps are filled in
	// (each is a string header), about 270 MB of them at most.
	MaxCells = 1 << 24
)

// ErrTooLarge is wrapped by the errors that report a file exceeding one of
// the limits above, so callers can tell "too big" from "broken".
var ErrTooLarge = errors.New("file exceeds the size limits")

// appendColName appends the letters of the 0-based column col (0 → "A",
// 26 → "AA").
func appendColName(b []byte, col int) []byte {
	var tmp [3]byte
	i := len(tmp)
	for col >= 0 {
		i--
		tmp[i] = byte('A' + col%26)
		col = col/26 - 1
	}
	return append(b, tmp[i:]...)
}

// parseCol returns the 0-based column of a cell reference such as "C5" or
// "$C$5", ignoring the row part. ok is false when the reference has no
// letters or names a column past XFD.
func parseCol(ref string) (col int, ok bool) {
	i := 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	n := 0
	start := i
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case 'A' <= c && c <= 'Z':
			n = n*26 + int(c-'A') + 1
		case 'a' <= c && c <= 'z':
			n = n*26 + int(c-'a') + 1
		default:
			goto done
		}
		if n > MaxCols {
			return 0, false
		}
	}
done:
	if i == start {
		return 0, false
	}
	return n - 1, true
}
