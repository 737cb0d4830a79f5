package geo

// Progress is told how far a long import has got, for a console: stage
// names the step in a few English words, done and total count its rows.
// A step with a total is reported when it starts (done 0), every
// ProgressEvery rows and when it ends (done == total); a step that only
// counts what it read has total 0; a step without rows has both 0.
//
// It is called on the import's goroutine, inside its transaction for the
// steps that write: it must be quick and must not use the database.
type Progress func(stage string, done, total int)

// ProgressEvery is how many rows pass between two reports within a step.
const ProgressEvery = 500

// Report calls p if it is set.
func (p Progress) Report(stage string, done, total int) {
	if p != nil {
		p(stage, done, total)
	}
}

// Row reports row done of total when it is the first, the last or a
// multiple of ProgressEvery.
func (p Progress) Row(stage string, done, total int) {
	if p != nil && (done == 0 || done == total || done%ProgressEvery == 0) {
		p(stage, done, total)
	}
}
