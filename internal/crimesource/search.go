package crimesource

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"toandan/internal/store"
)

// A search term matches a source whose search_text holds it anywhere (LIKE
// '%term%'), and a search matches when every term does. Each engine keeps
// an index of the trigrams of search_text (migration 0010) to find the
// candidates; the LIKE stays on every row, so the index decides how fast
// the answer comes, never what it is.

// searchDay returns the day (UTC, counted from 2020-01-01) that the keys of
// SQLite's sources_search give a source received at t: a key is that day
// times 2^32, plus the source's id (migration 0010 computes the same).
func searchDay(t time.Time) int64 { return (t.Unix() - 1577836800) / 86400 }

// searchPlan is how an inbox query finds the sources matching a search.
type searchPlan struct {
	from  string // replaces "sources s"
	where []string
	args  []any
	// walk: the rows come from SQLite's index newest day first (by id
	// within a day), without LIMIT, and the caller reads only as far as its
	// page needs: past its last row only to the end of that row's day,
	// where a row received later with a smaller id may still be, since every
	// row of an older day is older than the whole page. It then sorts what
	// it read (newestFirst).
	walk bool
}

// planSearch returns the plan for terms, for an officer whose scope is one
// police unit (narrow) or wider, and a page that starts after a row
// received at after (a stored time, or "" for the first page; the caller
// adds the exact keyset condition).
func (s *Service) planSearch(ctx context.Context, terms []string, narrow bool, after string) (searchPlan, error) {
	// One police unit's sources are few, and reading them all through the
	// unit's indexes beats going through the matches of the whole country
	// for the few in the unit: the text is then no index's business. On
	// PostgreSQL that takes an expression the pg_trgm index does not cover,
	// or the planner adds the index to the unit's, and reads it whole.
	like := "s.search_text LIKE ?"
	if narrow && s.DB.Engine == store.Postgres {
		like = "(s.search_text || '') LIKE ?"
	}
	p := searchPlan{from: "sources s"}
	for _, t := range terms {
		p.where = append(p.where, like)
		p.args = append(p.args, "%"+t+"%")
	}
	// Otherwise PostgreSQL's planner uses the pg_trgm index for the LIKE by
	// itself, weighed against reading sources in date order with its
	// statistics of how common the words are (the inbox sends the query
	// with QueryCustomPlan, so that it is planned for these words).
	if s.DB.Engine != store.SQLite || len(terms) == 0 || narrow {
		return p, nil
	}
	match, err := s.rareTrigrams(ctx, terms)
	if err != nil || match == "" {
		return p, err
	}
	p.from = "sources_search CROSS JOIN sources s ON s.id = (sources_search.rowid & 4294967295)"
	p.where = append([]string{"sources_search MATCH ?"}, p.where...)
	p.args = append([]any{match}, p.args...)
	p.walk = true
	if after != "" {
		// Start the walk at the keys of the day of the previous page's last
		// row: the keyset condition sorts out that day.
		t, err := store.ParseTime(after)
		if err != nil {
			return p, err
		}
		p.where = append(p.where, "sources_search.rowid < ?")
		p.args = append(p.args, (searchDay(t)+1)<<32)
	}
	return p, nil
}

// Trigram selection. The cost of an FTS5 query grows with the length of the
// list of sources of each trigram it names, and in Vietnamese most trigrams
// are common: "tran quoc khai" is in a few reports, but its trigram "an "
// is in nearly all. The query therefore names only the rarest few trigrams
// of the terms: any of them narrows to a superset of the matches, and LIKE
// does the rest. How rare a trigram is comes from its newest sources: the
// older the probeDepth-th newest one, the rarer the trigram.
const (
	probeDepth    = 500
	keptTrigrams  = 4
	probeTrigrams = 48
)

// rareTrigrams returns the FTS5 query naming the rarest trigrams of the
// terms, or "" when no term has one (terms of two letters).
func (s *Service) rareTrigrams(ctx context.Context, terms []string) (string, error) {
	type trigram struct {
		text string
		// key of the probeDepth-th newest source holding the trigram
		// (smaller is rarer), or rare when fewer hold it.
		key int64
	}
	const rare = math.MinInt64
	var grams []trigram
	seen := map[string]bool{}
	for _, t := range terms {
		r := []rune(t)
		for i := 0; i+3 <= len(r) && len(grams) < probeTrigrams; i++ {
			g := string(r[i : i+3])
			if !seen[g] {
				seen[g] = true
				grams = append(grams, trigram{text: g})
			}
		}
	}
	for i := range grams {
		// ParseQuery leaves no double quote in a term, so a quoted
		// trigram is one FTS5 string, never an operator.
		err := s.DB.QueryRow(ctx, "SELECT rowid FROM sources_search WHERE sources_search MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
			`"`+grams[i].text+`"`, probeDepth-1).Scan(&grams[i].key)
		if isNoRows(err) {
			grams[i].key = rare
		} else if err != nil {
			return "", fmt.Errorf("crimesource: search: %w", err)
		}
	}
	slices.SortStableFunc(grams, func(a, b trigram) int { return cmp.Compare(a.key, b.key) })
	var b strings.Builder
	for i, g := range grams {
		// All the rare ones (their lists are short), and at least
		// keptTrigrams.
		if i >= keptTrigrams && g.key != rare {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + g.text + `"`)
	}
	return b.String(), nil
}

// orderBy returns the end of the query that asks for a page of limit rows
// (the caller reads one more to know whether another page follows).
func (p searchPlan) orderBy(limit int) string {
	if p.walk {
		return " ORDER BY sources_search.rowid DESC"
	}
	return " ORDER BY s.received_at DESC, s.id DESC LIMIT " + strconv.Itoa(limit+1)
}

// newestFirst sorts rows as an inbox lists them.
func newestFirst(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}
