package crimesource_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/app"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/media"
	"toandan/internal/objstore"
	"toandan/internal/objstore/objstoretest"
	"toandan/internal/testutil"
)

// photoNote is written into the uploaded photo as a JPEG comment: metadata
// that must be stripped before storage, and plaintext that must never
// reach the bucket.
const photoNote = "toandan GPS 21.028511,105.854167 Canon EOS bi-mat-nguoi-bao-tin"

// TestAttachmentsInObjectStorage runs the whole application with
// --s3-endpoint pointing at a real S3-compatible server: a report's photo
// is stored as one object in the bucket and nothing in the data folder;
// the object (fetched straight from the server, and read from the server's
// disk when the test can) holds neither the photo nor any 16 bytes of it
// in clear; the officer downloads exactly the stripped photo, and nothing
// from another report's object put in its place; /readyz checks the
// bucket; `toandan backup` says that the bucket is not in its archive; and
// the retention purge deletes the object.
func TestAttachmentsInObjectStorage(t *testing.T) {
	s3 := objstoretest.New(t)
	e, pw := newS3Env(t, s3)
	files, ok := e.svc.Files.(*objstore.S3)
	if !ok || e.srv.Main.Recognition.Files != e.svc.Files {
		t.Fatalf("with --s3-endpoint the file stores are %T and %T", e.svc.Files, e.srv.Main.Recognition.Files)
	}
	if files.Bucket != s3.Bucket || files.Prefix != s3.Prefix {
		t.Fatalf("store on bucket %q prefix %q, want %q %q", files.Bucket, files.Prefix, s3.Bucket, s3.Prefix)
	}

	upload := photoWithMetadata(t)
	var clean bytes.Buffer
	if err := media.Strip(media.JPEG, bytes.NewReader(upload), &clean); err != nil {
		t.Fatal(err)
	}
	stripped := clean.Bytes()
	if bytes.Contains(stripped, []byte(photoNote)) {
		t.Fatal("fixture: stripping left the comment")
	}

	in := report("T0101", "Lừa đảo qua mạng, kèm ảnh chụp tại hiện trường")
	in.Files = []crimesource.Upload{{Name: "hien-truong.jpg", Data: upload}}
	rec := e.submit(t, in)
	var attID int64
	var name string
	if err := e.db.QueryRow(e.ctx, "SELECT id, stored_name FROM attachments WHERE source_id = ?", rec.ID).Scan(&attID, &name); err != nil {
		t.Fatal(err)
	}

	objs, err := s3.List(e.ctx)
	if err != nil || len(objs) != 1 || objs[0].Name != name {
		t.Fatalf("objects in the bucket: %+v, %v; want one named %s", objs, err, name)
	}
	if n := e.filesOnDisk(t); n != 0 {
		t.Errorf("%d files in the data folder", n)
	}
	raw, err := s3.Get(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if objs[0].Size != int64(len(raw)) {
		t.Errorf("listed size %d, object %d bytes", objs[0].Size, len(raw))
	}
	assertSealed(t, "the object fetched from the server", raw, upload, stripped)
	if f := objstoretest.File(s3, name); f != "" {
		onDisk, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("the object on the server's disk: %v", err)
		}
		assertSealed(t, "the object on the server's disk", onDisk, upload, stripped)
	} else {
		t.Logf("%s not set: the server's disk is not checked", objstoretest.RootEnv)
	}

	officer := e.srv.Login(t, communeT0101, pw)
	status, body := e.srv.Get(t, officer, "/can-bo/tep/"+strconv.FormatInt(attID, 10))
	if status != http.StatusOK || body != string(stripped) {
		t.Fatalf("officer's download: status %d, %d bytes; want the %d stripped bytes", status, len(body), len(stripped))
	}

	// Another report's object put in this one's place does not open: each
	// is sealed to its own name.
	other := report("T0101", "Một tin báo khác có ảnh")
	other.Files = []crimesource.Upload{{Name: "khac.png", Data: tinyPNG(t)}}
	otherRec := e.submit(t, other)
	var otherName string
	if err := e.db.QueryRow(e.ctx, "SELECT stored_name FROM attachments WHERE source_id = ?", otherRec.ID).Scan(&otherName); err != nil {
		t.Fatal(err)
	}
	otherRaw, err := s3.Get(e.ctx, otherName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Put(e.ctx, name, otherRaw); err != nil {
		t.Fatal(err)
	}
	if status, body := e.srv.Get(t, officer, "/can-bo/tep/"+strconv.FormatInt(attID, 10)); status == http.StatusOK || strings.Contains(body, "PNG") {
		t.Errorf("download of a swapped object: status %d, %d bytes", status, len(body))
	}
	if err := s3.Put(e.ctx, name, raw); err != nil {
		t.Fatal(err)
	}

	if status, body := e.srv.Get(t, e.srv.NewClient(t), "/readyz"); status != http.StatusOK {
		t.Errorf("/readyz: %d %s", status, body)
	}
	wrong := *files
	wrong.SecretKey = "sai-" + files.SecretKey
	e.svc.Files = &wrong
	if status, body := e.srv.Get(t, e.srv.NewClient(t), "/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "attachment store unavailable") {
		t.Errorf("/readyz with a wrong secret key: %d %s", status, body)
	}
	e.svc.Files = files

	var out bytes.Buffer
	cli := &app.CLI{Stdout: &out, Stderr: io.Discard, Getenv: func(k string) string {
		return map[string]string{
			"TOANDAN_DATA": e.srv.Main.Config.DataDir, "TOANDAN_S3_ENDPOINT": s3.Endpoint, "TOANDAN_S3_BUCKET": s3.Bucket,
			"TOANDAN_S3_REGION": s3.Region, "TOANDAN_S3_PREFIX": s3.Prefix, "TOANDAN_S3_ACCESS_KEY": s3.AccessKey, "TOANDAN_S3_SECRET_KEY": s3.SecretKey,
		}[k]
	}}
	if code := cli.Run(e.ctx, []string{"backup", filepath.Join(t.TempDir(), "b.tar.gz")}); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "attachments are in object storage (bucket "+s3.Bucket) || !strings.Contains(out.String(), "NOT in this archive") ||
		strings.Contains(out.String(), "missing") {
		t.Errorf("backup output:\n%s", out.String())
	}

	// Retention: once the report is closed and past the period, the purge
	// deletes its object from the bucket.
	e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Quản lý thị trường"})
	res, err := e.svc.Purge(e.ctx, e.clk.Now().AddDate(0, 0, 1), "system")
	if err != nil || res.Sources != 1 || res.Files != 1 || len(res.FileErrors) != 0 {
		t.Fatalf("purge: %+v, %v", res, err)
	}
	if objs, err := s3.List(e.ctx); err != nil || len(objs) != 1 || objs[0].Name != otherName {
		t.Errorf("objects after the purge: %+v, %v; want only the open report's %s", objs, err, otherName)
	}
	if _, err := s3.Get(e.ctx, name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the purged object: %v", err)
	}
	if f := objstoretest.File(s3, name); f != "" {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the purged object is still on the server's disk: %v", err)
		}
	}
	if status, _ := e.srv.Get(t, officer, "/can-bo/tep/"+strconv.FormatInt(attID, 10)); status != http.StatusNotFound {
		t.Errorf("download after the purge: status %d", status)
	}
}

// newS3Env starts the application on SQLite with the object storage
// settings of s3 and the sample communes, and one commune officer of
// T0101, whose password it returns.
func newS3Env(t *testing.T, s3 *objstore.S3) (*env, string) {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		S3Endpoint: s3.Endpoint, S3Bucket: s3.Bucket, S3Region: s3.Region, S3Prefix: s3.Prefix,
		S3AccessKey: s3.AccessKey, S3SecretKey: s3.SecretKey}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(testutil.DefaultNow)
	m, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clk)
	if err != nil {
		t.Fatal(err)
	}
	m.Accounts.Settings.PasswordParams = secret.FastParams()
	hs := httptest.NewServer(m.Handler())
	t.Cleanup(func() {
		hs.Close()
		m.Close()
	})
	srv := &testutil.Server{Server: hs, Main: m, Clock: clk}
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	pw := srv.CreateUser(t, communeT0101, account.Commune, "T0101")
	return &env{ctx: context.Background(), srv: srv, svc: m.Sources, db: m.DB, clk: clk}, pw
}

// photoWithMetadata is a small JPEG photo with photoNote in a comment
// segment right after its start marker, as cameras and editors write one.
func photoWithMetadata(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 96; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	plain := b.Bytes()
	n := len(photoNote) + 2
	com := append([]byte{0xFF, 0xFE, byte(n >> 8), byte(n)}, photoNote...)
	return append(append(append([]byte{}, plain[:2]...), com...), plain[2:]...)
}

// assertSealed fails unless data holds none of the photo in clear: not the
// comment, not the JPEG start, and no 16-byte block of the upload or of
// the stripped photo.
func assertSealed(t *testing.T, what string, data, upload, stripped []byte) {
	t.Helper()
	if bytes.Contains(data, []byte(photoNote)) || bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}) {
		t.Errorf("%s holds the photo's metadata or starts as a JPEG", what)
	}
	for _, plain := range [][]byte{upload, stripped} {
		for i := 0; i+16 <= len(plain); i += 16 {
			if bytes.Contains(data, plain[i:i+16]) {
				t.Errorf("%s holds bytes %d..%d of the photo in clear", what, i, i+16)
				return
			}
		}
	}
	if len(data) < len(stripped) {
		t.Errorf("%s is %d bytes, shorter than the %d-byte photo", what, len(data), len(stripped))
	}
}
