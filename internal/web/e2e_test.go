package web_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// signIn opens a fully signed-in session for a user through the account
// service, enrolling TOTP when the role needs it, and returns its token.
func signIn(t *testing.T, srv *testutil.Server, username, password string) string {
	t.Helper()
	ctx := context.Background()
	token, sess, err := srv.Main.Accounts.Login(ctx, username, password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if sess.MFA == account.MFAEnrol {
		u, err := srv.Main.Accounts.ByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		key, _, err := srv.Main.Accounts.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := secret.DecodeSecret(key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Main.Accounts.ConfirmTOTP(ctx, u.ID, token, secret.TOTPCode(raw, srv.Clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	return token
}

// TestBrowserReportToDecision walks the whole path of a crime report in a
// real browser: an anonymous citizen reports with a photo carrying GPS
// metadata, a commune officer registers and transfers it, an investigator
// decides and writes to the reporter, and the citizen reads the outcome with
// the receipt code.
func TestBrowserReportToDecision(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			b := testutil.NewBrowser(t)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			srv.Main.Guard.PoW.Difficulty = 10 // the form's script must solve it
			officerPW := srv.CreateUser(t, "canbo-xa", account.Commune, "T0101")
			investigatorPW := srv.CreateUser(t, "dieutra-hn", account.Investigator, "01")

			photo := filepath.Join(t.TempDir(), "hien-truong.jpg")
			if err := os.WriteFile(photo, testutil.PhotoWithGPS(t), 0o600); err != nil {
				t.Fatal(err)
			}

			// The citizen reports.
			b.Do(
				chromedp.Navigate(srv.URL+"/to-giac"),
				chromedp.WaitVisible(chromedp.ID("category")),
				chromedp.SetValue(chromedp.ID("category"), "cong_nghe_cao"),
				chromedp.SetValue(chromedp.ID("province_code"), "01"), // fires "change", as a person's choice does
				chromedp.WaitReady(chromedp.CSS(`#commune_code option[value="T0101"]`)),
				chromedp.SetValue(chromedp.ID("commune_code"), "T0101"),
				chromedp.SendKeys(chromedp.ID("description"), "Lừa đảo qua mạng: một người giả danh công an gọi điện yêu cầu chuyển tiền."),
				chromedp.Click(chromedp.CSS(`input[name=time_unknown]`)),
				chromedp.SetUploadFiles(chromedp.ID("attachments"), []string{photo}),
			)
			b.Follow(chromedp.Click(chromedp.CSS(`#report button[type=submit]:not(.secondary)`)))
			b.Do(chromedp.WaitVisible(chromedp.ID("receipt-code")))
			receipt := strings.TrimSpace(b.Text("#receipt-code"))
			tracking := strings.TrimSpace(b.Text("#tracking-code"))
			if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`).MatchString(receipt) {
				t.Fatalf("receipt code %q has the wrong form", receipt)
			}
			if loc := testutil.Eval[string](b, `location.href`); strings.Contains(loc, receipt) {
				t.Fatalf("receipt code in the address bar: %s", loc)
			}

			// The commune officer registers and transfers it.
			b.SetSession(srv.URL, signIn(t, srv, "canbo-xa", officerPW))
			b.Do(
				chromedp.Navigate(srv.URL+"/can-bo/nguon-tin"),
				chromedp.WaitVisible(chromedp.CSS(`td a[href^="/can-bo/nguon-tin/"]`)), // a row, not the menu
			)
			if !strings.Contains(b.Text("table"), tracking) {
				t.Fatalf("inbox does not list %s", tracking)
			}
			b.Follow(chromedp.Click(chromedp.CSS(`td a[href^="/can-bo/nguon-tin/"]`)))
			b.Do(openAction("register"))
			b.Follow(chromedp.Click(actionButton("register")))
			b.Do(chromedp.WaitVisible(chromedp.CSS(`p.flash`)), openAction("transfer_investigation"))
			b.Follow(chromedp.Click(actionButton("transfer_investigation")))
			b.Do(chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
			if got := b.Text("dl.facts"); !strings.Contains(got, "Công an thành phố Hà Nội") {
				t.Fatalf("after transfer the source is not with the province police: %s", got)
			}
			sourceURL := testutil.Eval[string](b, `location.pathname`)

			// The investigator decides and writes to the reporter.
			b.SetSession(srv.URL, signIn(t, srv, "dieutra-hn", investigatorPW))
			b.Do(
				chromedp.Navigate(srv.URL+sourceURL),
				chromedp.WaitVisible(chromedp.CSS(`details.action`)),
				openAction("decide"),
				chromedp.Click(chromedp.CSS(`form:has(input[value=decide]) input[value=not_prosecute]`)),
			)
			b.Follow(chromedp.Click(actionButton("decide")))
			b.Do(
				chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
				openAction("message"),
				chromedp.SendKeys(chromedp.CSS(`form:has(input[value=message]) textarea[name=message]`), "Sự việc không có dấu hiệu tội phạm. Cảm ơn bạn đã báo tin."),
			)
			b.Follow(chromedp.Click(actionButton("message")))
			b.Do(chromedp.WaitVisible(chromedp.CSS(`p.flash`)))

			// The citizen follows up with the receipt code.
			b.SetSession(srv.URL, "")
			b.Do(
				chromedp.Navigate(srv.URL+"/theo-doi"),
				chromedp.WaitVisible(chromedp.ID("receipt_code")),
				chromedp.SendKeys(chromedp.ID("receipt_code"), receipt),
			)
			b.Follow(chromedp.Submit(chromedp.ID("receipt_code")))
			b.Do(chromedp.WaitVisible(chromedp.ID("status")))
			if got := b.Text("#status"); !strings.Contains(got, "không khởi tố") {
				t.Errorf("citizen status = %q, want the decision not to prosecute", got)
			}
			if got := b.Text("ul.messages"); !strings.Contains(got, "Cảm ơn bạn đã báo tin") {
				t.Errorf("citizen does not see the message: %q", got)
			}
			b.Screenshot("follow-up")

			// The stored photo carries no EXIF.
			ctx := context.Background()
			var attID int64
			if err := srv.Main.DB.QueryRow(ctx, "SELECT a.id FROM attachments a JOIN sources s ON s.id = a.source_id WHERE s.tracking_code = ?", tracking).Scan(&attID); err != nil {
				t.Fatalf("no attachment stored: %v", err)
			}
			inv, err := srv.Main.Accounts.ByUsername(ctx, "dieutra-hn")
			if err != nil {
				t.Fatal(err)
			}
			data, ct, err := srv.Main.Sources.File(ctx, crimesource.Actor{UserID: inv.ID, Role: "investigator", Unit: "01"}, attID)
			if err != nil {
				t.Fatal(err)
			}
			if ct != "image/jpeg" {
				t.Errorf("stored type %s, want image/jpeg", ct)
			}
			for _, bad := range []string{"Exif", "GPSLatitude", "Pixel 9"} {
				if bytes.Contains(data, []byte(bad)) {
					t.Errorf("stored photo still contains %q", bad)
				}
			}
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("stored photo does not decode: %v", err)
			}
		})
	}
}

func openAction(kind string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector('form input[name=action][value=` + kind + `]').closest('details').open = true`)
}

// actionButton selects the submit button of an action's form.
func actionButton(kind string) chromedp.CSS {
	return chromedp.CSS(`form:has(input[name=action][value=` + kind + `]) button`)
}
