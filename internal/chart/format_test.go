package chart_test

import (
	"math"
	"testing"

	"toandan/internal/chart"
)

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{0, 0, "0"},
		{7, 0, "7"},
		{999, 0, "999"},
		{1000, 0, "1.000"},
		{1234, 0, "1.234"},
		{1234.4, 0, "1.234"},
		{1234.5, 1, "1.234,5"},
		{1234567.891, 2, "1.234.567,89"},
		{5813, 0, "5.813"},
		{98.94, 1, "98,9"},
		{98.96, 1, "99"}, // no trailing ",0"
		{100, 1, "100"},
		{0.05, 2, "0,05"},
		{-1234.5, 1, "-1.234,5"},
		{-0.04, 1, "0"}, // no "-0"
		{12.5, 0, "13"},
		{math.NaN(), 1, "–"},
		{math.Inf(1), 0, "–"},
		{1e15, 0, "1.000.000.000.000.000"},
	} {
		if got := chart.Number(c.v, c.decimals); got != c.want {
			t.Errorf("Number(%v, %d) = %q, want %q", c.v, c.decimals, got, c.want)
		}
	}
}

func TestPercentAndShare(t *testing.T) {
	for _, c := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{98.94, 1, "98,9\u00a0%"},
		{100, 1, "100\u00a0%"},
		{66.666, 1, "66,7\u00a0%"},
		{0, 1, "0\u00a0%"},
		{1234.5, 1, "1.234,5\u00a0%"},
	} {
		if got := chart.Percent(c.v, c.decimals); got != c.want {
			t.Errorf("Percent(%v, %d) = %q, want %q", c.v, c.decimals, got, c.want)
		}
	}
	if got := chart.Share(2, 3); math.Abs(got-66.6667) > 1e-3 {
		t.Errorf("Share(2, 3) = %v", got)
	}
	if got := chart.Share(5, 0); got != 0 {
		t.Errorf("Share(5, 0) = %v, want 0", got)
	}
	if got := chart.Int(12345); got != "12.345" {
		t.Errorf("Int(12345) = %q", got)
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "1.234": true, "98,9\u00a0%": true, "-3": true, "1.234.567,89": true, "–": true,
		"1234": false, "12.34": false, "abc": false, "": false, "=1+1": false, "98,9 %": false,
	} {
		if got := chart.IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
