package recognition

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Automatic checks a criterion may name in its auto_check column, with an
// argument after a colon. They run only on a self-assessment of "met", and
// only for the subject kind they are about.
const (
	// checkEffectiveModels:N — the commune has at least N grassroots models
	// whose latest evaluation in the year says effective.
	checkEffectiveModels = "effective_models"
	// checkAreasRecognised:P — every residential area of the commune is
	// registered for the year, and at least P% of them are recognised.
	checkAreasRecognised = "areas_recognised_pct"
)

// contradictions returns, for every criterion self-assessed as met that the
// recorded data contradicts, a message saying why.
func (s *Service) contradictions(ctx context.Context, c Cycle, set CriteriaSet, assessed map[string]Assessment) ([]string, error) {
	var out []string
	for _, cr := range set.Criteria {
		a, ok := assessed[cr.Code]
		if !ok || !a.Met || cr.AutoCheck == "" {
			continue
		}
		msg, err := s.autoCheck(ctx, c, cr)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			out = append(out, msg)
		}
	}
	return out, nil
}

func (s *Service) autoCheck(ctx context.Context, c Cycle, cr Criterion) (string, error) {
	name, arg, _ := strings.Cut(cr.AutoCheck, ":")
	if c.SubjectKind != KindCommune {
		// Both checks are about a commune's own data.
		return "", nil
	}
	d := s.refDate(c.Year)
	switch name {
	case checkEffectiveModels:
		need, err := strconv.Atoi(arg)
		if err != nil || need < 1 {
			return "", fmt.Errorf("recognition: criterion %d: bad check %q", cr.ID, cr.AutoCheck)
		}
		n, err := s.EffectiveModels(ctx, c.CommuneCode, c.Year)
		if err != nil {
			return "", err
		}
		if n >= need {
			return "", nil
		}
		if n == 0 {
			return fmt.Sprintf("Tiêu chí %s: %s chưa có mô hình tự quản nào được đánh giá hoạt động hiệu quả trong năm %d, nên không thể tự đánh giá là đạt.",
				cr.Code, s.unitTitle(ctx, c.CommuneCode, d), c.Year), nil
		}
		return fmt.Sprintf("Tiêu chí %s: %s mới có %d mô hình tự quản được đánh giá hoạt động hiệu quả trong năm %d, cần ít nhất %d.",
			cr.Code, s.unitTitle(ctx, c.CommuneCode, d), n, c.Year, need), nil
	case checkAreasRecognised:
		pct, err := strconv.ParseFloat(arg, 64)
		if err != nil || pct < 0 || pct > 100 {
			return "", fmt.Errorf("recognition: criterion %d: bad check %q", cr.ID, cr.AutoCheck)
		}
		return s.checkAreas(ctx, c, cr, pct, d)
	}
	return "", fmt.Errorf("recognition: criterion %d: unknown check %q", cr.ID, cr.AutoCheck)
}

// checkAreas compares the commune's residential areas in force with the
// residential-area cycles of the year.
func (s *Service) checkAreas(ctx context.Context, c Cycle, cr Criterion, pct float64, d string) (string, error) {
	areas, err := s.Geo.Areas(ctx, c.CommuneCode, d)
	if err != nil {
		return "", err
	}
	title := s.unitTitle(ctx, c.CommuneCode, d)
	if len(areas) == 0 {
		return fmt.Sprintf("Tiêu chí %s: %s chưa khai báo khu dân cư nào trên hệ thống, nên chưa thể xác nhận 100%% khu dân cư đã đăng ký và ít nhất %s%% được công nhận.",
			cr.Code, title, formatPct(pct)), nil
	}
	rows, err := s.DB.Query(ctx, `SELECT subject_code, status FROM recognition_cycles
		WHERE subject_kind = ? AND year = ? AND commune_code = ?`, KindResidentialArea, c.Year, c.CommuneCode)
	if err != nil {
		return "", fmt.Errorf("recognition: area cycles: %w", err)
	}
	defer rows.Close()
	status := map[string]string{}
	for rows.Next() {
		var code, st string
		if err := rows.Scan(&code, &st); err != nil {
			return "", fmt.Errorf("recognition: area cycles: %w", err)
		}
		status[code] = st
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("recognition: area cycles: %w", err)
	}
	var unregistered []string
	registered, recognised := 0, 0
	for _, a := range areas {
		st, ok := status[strconv.FormatInt(a.ID, 10)]
		if !ok {
			unregistered = append(unregistered, a.Name)
			continue
		}
		registered++
		if st == StatusRecognised {
			recognised++
		}
	}
	if len(unregistered) > 0 {
		return fmt.Sprintf("Tiêu chí %s: còn %d/%d khu dân cư của %s chưa đăng ký xây dựng khu dân cư “An toàn về an ninh, trật tự” năm %d (%s); cần 100%% đăng ký.",
			cr.Code, len(unregistered), len(areas), title, c.Year, strings.Join(unregistered, ", ")), nil
	}
	if float64(recognised)*100 < pct*float64(registered) {
		return fmt.Sprintf("Tiêu chí %s: mới có %d/%d khu dân cư đã đăng ký của %s (%s%%) được công nhận đạt tiêu chuẩn năm %d, cần ít nhất %s%%.",
			cr.Code, recognised, registered, title, formatPct(float64(recognised)*100/float64(registered)), c.Year, formatPct(pct)), nil
	}
	return "", nil
}
