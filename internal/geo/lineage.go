package geo

import (
	"context"
	"fmt"
	"sort"

	"toandan/internal/errs"
)

// Successor is where an old unit's territory lies on a given date.
type Successor struct {
	Commune  Unit
	Province Unit
	// Partial is true when only part of the old unit went into Commune.
	Partial bool
	// Main is true for the one successor that counts the old unit's data
	// when it must be counted once (see chooseMain).
	Main bool
}

type hop struct {
	code    string
	since   string // changes on or before this date have been followed
	partial bool
	main    bool
}

// Resolve answers "which unit in force on date d contains old unit code",
// following the lineage through every change up to d. A unit still in force
// on d resolves to itself; a split unit resolves to all its successors, one of
// them marked Main. It returns NotFound when the code leads to no unit in
// force on d.
func (s *Service) Resolve(ctx context.Context, code, d string) ([]Successor, error) {
	frontier := []hop{{code: code, main: true}}
	var out []Successor
	seen := map[string]bool{}
	for steps := 0; len(frontier) > 0 && steps < 16; steps++ {
		var next []hop
		for _, h := range frontier {
			links, err := s.linksFrom(ctx, h.code, h.since, d)
			if err != nil {
				return nil, err
			}
			if len(links) == 0 {
				u, err := s.UnitAt(ctx, h.code, d)
				if errs.Is(err, errs.NotFound) {
					continue
				}
				if err != nil {
					return nil, err
				}
				if seen[u.Code] {
					// Reached through two paths: keep it once, main if
					// either path was main.
					for i := range out {
						if out[i].Commune.Code == u.Code {
							out[i].Main = out[i].Main || h.main
							out[i].Partial = out[i].Partial && h.partial
						}
					}
					continue
				}
				seen[u.Code] = true
				prov, err := s.ProvinceOf(ctx, u.Code, d)
				if err != nil && u.Level != LevelProvince {
					return nil, err
				}
				if u.Level == LevelProvince {
					prov = u
				}
				out = append(out, Successor{Commune: u, Province: prov, Partial: h.partial, Main: h.main})
				continue
			}
			for _, l := range links {
				next = append(next, hop{code: l.NewCode, since: l.changedOn, partial: h.partial || l.MergeType == "partial", main: h.main && l.Main == 1})
			}
		}
		frontier = next
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "Không xác định được đơn vị kế thừa mã %s vào ngày %s.", code, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Main != out[j].Main {
			return out[i].Main
		}
		return out[i].Commune.Code < out[j].Commune.Code
	})
	return out, nil
}

type link struct {
	lineageRow
	changedOn string
}

// linksFrom returns the lineage links leaving code that take effect after
// since and on or before d, taking only the earliest change (a later change is
// followed from the successor).
func (s *Service) linksFrom(ctx context.Context, code, since, d string) ([]link, error) {
	rows, err := s.DB.Query(ctx, `SELECT new_code, merge_type, is_main, changed_on FROM unit_lineage
		WHERE old_code = ? AND changed_on > ? AND changed_on <= ? ORDER BY changed_on, new_code`, code, since, d)
	if err != nil {
		return nil, fmt.Errorf("geo: lineage of %s: %w", code, err)
	}
	defer rows.Close()
	var ls []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.NewCode, &l.MergeType, &l.Main, &l.changedOn); err != nil {
			return nil, fmt.Errorf("geo: lineage of %s: %w", code, err)
		}
		if len(ls) > 0 && l.changedOn != ls[0].changedOn {
			break
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

// MainSuccessor is Resolve narrowed to the successor that counts the old
// unit's data.
func (s *Service) MainSuccessor(ctx context.Context, code, d string) (Successor, error) {
	ss, err := s.Resolve(ctx, code, d)
	if err != nil {
		return Successor{}, err
	}
	for _, x := range ss {
		if x.Main {
			return x, nil
		}
	}
	return ss[0], nil
}
