package web_test

import (
	"strings"
	"testing"

	"toandan/internal/store"
)

// The inbox's CSV and next-page links keep the filters as typed.
func TestInboxLinksKeepFilters(t *testing.T) {
	s := newSampleServer(t, store.SQLite)
	r := get(t, s.Server, s.A, "/can-bo/nguon-tin?q=lua+dao&trang-thai=received")
	if r.Status != 200 {
		t.Fatalf("inbox: %d", r.Status)
	}
	want := `href="/can-bo/nguon-tin?trang-thai=received&amp;q=lua&#43;dao&amp;dinh-dang=csv"`
	alt := `href="/can-bo/nguon-tin?trang-thai=received&amp;q=lua%2bdao&amp;dinh-dang=csv"`
	if !strings.Contains(r.Body, want) && !strings.Contains(r.Body, alt) && !strings.Contains(r.Body, `href="/can-bo/nguon-tin?trang-thai=received&amp;q=lua+dao&amp;dinh-dang=csv"`) {
		i := strings.Index(r.Body, "dinh-dang=csv")
		t.Fatalf("CSV link lost the filters: %s", r.Body[max(0, i-120):i+20])
	}
}
