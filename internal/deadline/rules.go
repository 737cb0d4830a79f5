package deadline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"toandan/internal/errs"
)

// Stable rule codes. Other packages name rules by these; the values live in
// the deadline_rules table.
const (
	// Commune-level police transfer a source to the investigating body
	// (JC01 as amended by JC 01/2021).
	CommuneTransferUrgent = "commune_transfer_urgent"
	CommuneTransferRemote = "commune_transfer_remote"
	CommuneTransfer       = "commune_transfer"

	ProcuracyNotice        = "procuracy_notice"         // Art. 146(2)
	FileHandover           = "file_handover"            // Art. 146(2)
	Decision               = "decision"                 // Art. 147(1)
	DecisionExtended       = "decision_extended"        // Art. 147(2)
	ProcuracyExtension     = "procuracy_extension"      // Art. 147(2)
	SuspensionToProcuracy  = "suspension_to_procuracy"  // Art. 148(2)
	ResolveAfterCancel     = "resolve_after_cancel"     // Art. 148(2)
	ResolveAfterResumption = "resolve_after_resumption" // Art. 149(1)
	ResumptionNotice       = "resumption_notice"        // Art. 149(2)
	InitiationToProcuracy  = "initiation_to_procuracy"  // TT 28/2020 Art. 16
)

// Rules is the set of rule versions, looked up by code and date.
type Rules struct {
	byCode map[string][]Rule // each sorted by EffectiveFrom
}

// NewRules checks rs and indexes them.
func NewRules(rs []Rule) (*Rules, error) {
	x := &Rules{byCode: map[string][]Rule{}}
	for _, r := range rs {
		if err := r.check(); err != nil {
			return nil, err
		}
		x.byCode[r.Code] = append(x.byCode[r.Code], r)
	}
	for _, vs := range x.byCode {
		sort.Slice(vs, func(i, j int) bool { return vs[i].EffectiveFrom < vs[j].EffectiveFrom })
	}
	return x, nil
}

func (r Rule) check() error {
	if r.Code == "" || r.Version == "" {
		return fmt.Errorf("deadline: rule %q/%q: code and version are required", r.Code, r.Version)
	}
	if !r.Unit.Valid() {
		return fmt.Errorf("deadline: rule %s/%s: unknown unit %q", r.Code, r.Version, r.Unit)
	}
	if r.Amount <= 0 {
		return fmt.Errorf("deadline: rule %s/%s: amount must be positive", r.Code, r.Version)
	}
	if _, err := ParseDate(r.EffectiveFrom); err != nil {
		return fmt.Errorf("deadline: rule %s/%s: effective_from: %w", r.Code, r.Version, err)
	}
	if r.EffectiveTo != "" {
		if _, err := ParseDate(r.EffectiveTo); err != nil {
			return fmt.Errorf("deadline: rule %s/%s: effective_to: %w", r.Code, r.Version, err)
		}
		if r.EffectiveTo < r.EffectiveFrom {
			return fmt.Errorf("deadline: rule %s/%s: effective_to before effective_from", r.Code, r.Version)
		}
	}
	return nil
}

// LoadRules reads every rule version from deadline_rules; db is a
// *store.DB or a *store.Tx.
func LoadRules(ctx context.Context, db querier) (*Rules, error) {
	rows, err := db.Query(ctx, `SELECT code, version, name, amount, unit, basis, effective_from,
		COALESCE(effective_to, ''), receipt_day_is_day_one, day_off_moves, note
		FROM deadline_rules ORDER BY code, effective_from`)
	if err != nil {
		return nil, fmt.Errorf("deadline: load rules: %w", err)
	}
	defer rows.Close()
	var rs []Rule
	for rows.Next() {
		var r Rule
		var unit string
		var dayOne, moves int
		if err := rows.Scan(&r.Code, &r.Version, &r.Name, &r.Amount, &unit, &r.Basis, &r.EffectiveFrom,
			&r.EffectiveTo, &dayOne, &moves, &r.Note); err != nil {
			return nil, fmt.Errorf("deadline: load rules: %w", err)
		}
		r.Unit = Unit(unit)
		r.ReceiptDayIsDayOne = dayOne != 0
		r.DayOffMoves = moves != 0
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deadline: load rules: %w", err)
	}
	return NewRules(rs)
}

// For returns the version of rule code in force on the Vietnam date of on.
// Should versions overlap, the one that took effect last wins.
func (x *Rules) For(code string, on time.Time) (Rule, error) {
	day := DateOf(on).String()
	vs := x.byCode[code]
	for i := len(vs) - 1; i >= 0; i-- {
		r := vs[i]
		if r.EffectiveFrom <= day && (r.EffectiveTo == "" || day <= r.EffectiveTo) {
			return r, nil
		}
	}
	return Rule{}, errs.E(errs.NotFound, "Không có quy định thời hạn %q áp dụng cho ngày %s.", code, DateOf(on).display())
}

// Version returns version of rule code, the one a stored limit names.
func (x *Rules) Version(code, version string) (Rule, bool) {
	for _, r := range x.byCode[code] {
		if r.Version == version {
			return r, true
		}
	}
	return Rule{}, false
}

// All returns every rule version, by code and then by date in force.
func (x *Rules) All() []Rule {
	codes := make([]string, 0, len(x.byCode))
	for c := range x.byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var out []Rule
	for _, c := range codes {
		out = append(out, x.byCode[c]...)
	}
	return out
}

// display renders d as officers write dates, DD/MM/YYYY.
func (d Date) display() string { return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year) }

// DecisionDue returns when a decision on a crime source received at received
// is due (Art. 147): 20 days; 2 months when the case was extended as complex
// or multi-location; and when the procuracy has also extended once, the 2
// months plus the procuracy's extension (at most 2 more), counted together
// from receipt so that the limit never exceeds 4 months after receipt,
// whatever the lengths of the months in between. Rule versions are those in
// force on the day of receipt.
//
// A procuracy extension presupposes the 2-month extension; a second one is
// refused by CheckProcuracyExtension before it is recorded.
func DecisionDue(rules *Rules, received time.Time, extended, procuracyExtended bool, cal Calendar) (time.Time, error) {
	if procuracyExtended && !extended {
		return time.Time{}, errNoBaseExtension()
	}
	if !extended {
		r, err := rules.For(Decision, received)
		if err != nil {
			return time.Time{}, err
		}
		return Due(r, received, cal), nil
	}
	r, err := rules.For(DecisionExtended, received)
	if err != nil {
		return time.Time{}, err
	}
	if procuracyExtended {
		p, err := rules.For(ProcuracyExtension, received)
		if err != nil {
			return time.Time{}, err
		}
		if p.Unit != r.Unit {
			return time.Time{}, fmt.Errorf("deadline: rules %s and %s differ in unit (%s, %s)", r.Code, p.Code, r.Unit, p.Unit)
		}
		r.Amount += p.Amount
	}
	return Due(r, received, cal), nil
}

// CheckProcuracyExtension says whether the procuracy may extend the limit of
// a source now: only after the 2-month extension, and only once (Art.
// 147(2)).
func CheckProcuracyExtension(extended, procuracyExtended bool) error {
	if !extended {
		return errNoBaseExtension()
	}
	if procuracyExtended {
		return errs.E(errs.Conflict, "Viện kiểm sát chỉ được gia hạn thời hạn giải quyết nguồn tin một lần (khoản 2 Điều 147 BLTTHS).")
	}
	return nil
}

func errNoBaseExtension() error {
	return errs.E(errs.Invalid, "Viện kiểm sát chỉ gia hạn khi thời hạn giải quyết nguồn tin đã được kéo dài đến 2 tháng (khoản 2 Điều 147 BLTTHS).")
}
