package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"toandan/internal/account"
	"toandan/internal/app"
	"toandan/internal/backup"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/media"
	"toandan/internal/testutil"
)

const (
	commune = "xa-t0101"
	investi = "dieutra-01"
)

// filed is a report as the test submitted it.
type filed struct {
	id       int64
	tracking string
	receipt  string // "" for an officer's entry
	reporter string // full name, "" when anonymous
	files    [][]byte
}

// world is a running installation with reports, attachments and messages.
type world struct {
	ctx     context.Context
	srv     *testutil.Server
	reports []filed
}

func newWorld(t *testing.T, srv *testutil.Server) *world {
	t.Helper()
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	srv.CreateUser(t, commune, account.Commune, "T0101")
	srv.CreateUser(t, investi, account.Investigator, "01")
	return &world{ctx: context.Background(), srv: srv}
}

func (w *world) actor(t testing.TB, m *app.Main, username string) crimesource.Actor {
	t.Helper()
	u, err := m.Accounts.ByUsername(w.ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	return crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode}
}

// fill submits a mix of reports: anonymous with photos, one with identity,
// one officer's entry, a reply with a photo, a transfer to the
// investigation body.
func (w *world) fill(t *testing.T) {
	t.Helper()
	svc := w.srv.Main.Sources
	add := func(in crimesource.Intake, a crimesource.Actor, name string) *filed {
		rec, err := svc.Submit(w.ctx, in, a)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		f := filed{id: rec.ID, tracking: rec.TrackingCode, receipt: rec.ReceiptCode, reporter: name}
		for _, u := range in.Files {
			f.files = append(f.files, u.Data)
		}
		w.reports = append(w.reports, f)
		return &w.reports[len(w.reports)-1]
	}
	add(crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: "T0101", Description: "Lừa đảo qua điện thoại, giả danh công an", Anonymous: true,
		Files: []crimesource.Upload{{Name: "a.png", Data: photo(t, 1)}, {Name: "b.png", Data: photo(t, 2)}}}, crimesource.Actor{}, "")
	add(crimesource.Intake{Category: "ma_tuy", CommuneCode: "T0101", Description: "Có người bán ma túy ở đầu ngõ", Anonymous: false,
		Reporter: &crimesource.Reporter{FullName: "Nguyễn Văn An", IDNumber: "001090123456", Phone: "0912345678", Address: "Số 1, Phường Mẫu Một"},
		Files:    []crimesource.Upload{{Name: "c.png", Data: photo(t, 3)}}}, crimesource.Actor{}, "Nguyễn Văn An")
	add(crimesource.Intake{Category: "khac", CommuneCode: "T0102", Description: "Trộm xe máy trước chợ", Anonymous: true}, crimesource.Actor{}, "")
	add(crimesource.Intake{Category: "kinh_te", CommuneCode: "T0101", Description: "Báo tin trực tiếp tại trụ sở về buôn hàng giả", Channel: "walk_in", Anonymous: true},
		w.actor(t, w.srv.Main, commune), "")
	first := &w.reports[0]
	reply := photo(t, 4)
	if _, err := svc.Reply(w.ctx, first.receipt, "Tôi gửi thêm ảnh", []crimesource.Upload{{Name: "d.png", Data: reply}}); err != nil {
		t.Fatalf("reply: %v", err)
	}
	first.files = append(first.files, reply)
	if err := svc.Act(w.ctx, w.actor(t, w.srv.Main, commune), first.id, crimesource.Action{Kind: crimesource.ActTransfer}); err != nil {
		t.Fatalf("transfer: %v", err)
	}
}

// photo is a small PNG carrying a text chunk (metadata the intake strips).
func photo(t testing.TB, seed int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 5, 4))
	for x := range 5 {
		for y := range 4 {
			m.Set(x, y, color.RGBA{uint8(40*x + seed), uint8(50*y + seed), uint8(seed * 30), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	text := "Comment\x00GPS 21.0285 105.8542"
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, "tEXt"+text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	ihdrEnd := 8 + 12 + 13
	return append(append(append([]byte{}, plain[:ihdrEnd]...), chunk...), plain[ihdrEnd:]...)
}

// stripped is what the intake stores of an upload.
func stripped(t testing.TB, data []byte) []byte {
	t.Helper()
	ct, ok := media.Sniff(data)
	if !ok {
		t.Fatal("test file not recognised")
	}
	var out bytes.Buffer
	if err := media.Strip(ct, bytes.NewReader(data), &out); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(out.Bytes(), data) {
		t.Fatal("test photo has nothing to strip: the comparison would prove nothing")
	}
	return out.Bytes()
}

// keepKey copies the identity key out of the data folder.
func keepKey(t testing.TB, m *app.Main) string {
	t.Helper()
	src := m.Config.KeyFile
	if src == "" {
		src = filepath.Join(m.Config.DataDir, "identity.key")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "kept.key")
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// reopen starts the application on a data folder and database.
func reopen(t testing.TB, dataDir, dsn, keyFile string, srv *testutil.Server) *app.Main {
	t.Helper()
	m, err := app.Open(context.Background(), config.Config{Addr: "127.0.0.1:0", DataDir: dataDir, DB: dsn, KeyFile: keyFile},
		slog.New(slog.NewTextHandler(io.Discard, nil)), srv.Clock)
	if err != nil {
		t.Fatalf("open restored installation: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// entry is one tar entry.
type entry struct {
	hdr  tar.Header
	body []byte
}

func readArchive(t testing.TB, data []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{*h, b})
	}
	return out
}

func writeArchive(t testing.TB, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range es {
		h := e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if len(e.body) > 0 {
			if _, err := tw.Write(e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func names(es []entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.hdr.Name)
	}
	return out
}

func manifestOf(t testing.TB, es []entry) backup.Manifest {
	t.Helper()
	for _, e := range es {
		if e.hdr.Name == backup.ManifestEntry {
			var m backup.Manifest
			if err := json.Unmarshal(e.body, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatal("no manifest in archive")
	return backup.Manifest{}
}

// tree lists every file under dir with its content, to show a folder was
// left as it was.
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contextWithCancel(w *world) (context.Context, context.CancelFunc) {
	return context.WithCancel(w.ctx)
}
