package crimesource_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/audit"
	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// The identity of the reporter in these tests: distinctive enough that
// finding any of it in the database is no accident.
var tipster = crimesource.Reporter{
	FullName: "Nguyễn Văn Tốgiác",
	IDNumber: "001099012345",
	Phone:    "0912345678",
	Address:  "Ngõ Bímật 77, Hàng Bạc",
	Email:    "togiac.bimat@example.vn",
}

// needles are the forms in which the identity must not be found at rest:
// each value as typed (NFC), in NFD, and hex-encoded as PostgreSQL dumps
// bytea.
func needles() map[string][]byte {
	out := map[string][]byte{}
	for _, v := range []string{tipster.FullName, tipster.IDNumber, tipster.Phone, tipster.Address, tipster.Email, "Tốgiác", "Bímật"} {
		for _, form := range []string{norm.NFC.String(v), norm.NFD.String(v)} {
			out[form] = []byte(form)
			out["hex "+form] = []byte(hex.EncodeToString([]byte(form)))
		}
	}
	return out
}

// submitIdentified receives an online report carrying tipster's identity,
// with a canary phrase in the plain description.
func (e *env) submitIdentified(t *testing.T, canary string) crimesource.Receipt {
	t.Helper()
	r := tipster
	in := crimesource.Intake{Category: "ma_tuy", CommuneCode: "T0101", Description: "Mua bán ma túy tại quán nước. " + canary, Reporter: &r}
	return e.submit(t, in)
}

func TestIdentitySealedAtRest(t *testing.T) {
	// The canary is stored in clear on purpose: finding it proves the scan
	// reads the data the identity would be in.
	const canary = "Chimcanhbáo Hoạtđộng"
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submitIdentified(t, canary)
		var sealed []byte
		var anon int
		if err := e.db.QueryRow(e.ctx, "SELECT identity_sealed, anonymous FROM sources WHERE id = ?", rec.ID).Scan(&sealed, &anon); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || anon != 0 {
			t.Fatalf("identified report stored with %d sealed bytes, anonymous=%d", len(sealed), anon)
		}
		// Revealing and viewing must not leave a copy behind either.
		if _, err := e.svc.Reveal(e.ctx, e.actor(t, investig01), rec.ID, "Cần liên hệ người tố giác để xác minh"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.ctx, e.actor(t, investig01), rec.ID); err != nil {
			t.Fatal(err)
		}

		var dumps map[string][]byte
		switch e.db.Engine {
		case store.SQLite:
			// Read the files as they are, with the database open: the WAL
			// holds what has not been checkpointed yet.
			dumps = map[string][]byte{}
			for _, p := range []string{e.db.Path, e.db.Path + "-wal"} {
				b, err := os.ReadFile(p)
				if err != nil && !(os.IsNotExist(err) && strings.HasSuffix(p, "-wal")) {
					t.Fatal(err)
				}
				dumps[p] = b
			}
		case store.Postgres:
			pgDump, err := exec.LookPath("pg_dump")
			if err != nil {
				t.Skip("pg_dump not installed: cannot read the PostgreSQL database as a backup would")
			}
			out, err := exec.Command(pgDump, "--data-only", "--dbname="+e.srv.Main.Config.DB).Output()
			if err != nil {
				t.Fatalf("pg_dump: %v", err)
			}
			dumps = map[string][]byte{"pg_dump --data-only": out}
		}
		all := bytes.Join(func() [][]byte {
			var bs [][]byte
			for _, b := range dumps {
				bs = append(bs, b)
			}
			return bs
		}(), nil)
		if !bytes.Contains(all, []byte(norm.NFC.String(canary))) {
			t.Fatalf("the canary %q is not in %d bytes of database: the scan does not see the data", canary, len(all))
		}
		for name, dump := range dumps {
			for form, needle := range needles() {
				if bytes.Contains(dump, needle) {
					t.Errorf("%s holds the reporter's identity (%q)", name, form)
				}
			}
		}
	})
}

func TestReveal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submitIdentified(t, "")
		anon := e.submit(t, report("T0101", "Tin báo ẩn danh về đánh bạc"))
		const reason = "Xác minh lời khai của người tố giác"

		auditBefore := e.count(t, "audit_log", "action = 'identity.reveal'")
		eventsBefore := e.count(t, "source_events", "kind = 'identity_reveal'")
		refusals := []struct {
			name    string
			officer string
			reason  string
			code    errs.Code
			field   string
		}{
			{"commune officer", communeT0101, reason, errs.Forbidden, ""},
			{"provincial movement staff", province01, reason, errs.Forbidden, ""},
			{"procuracy", procuracy01, reason, errs.Forbidden, ""},
			{"investigator of another province", investig79, reason, errs.NotFound, ""},
			{"short reason", investig01, "xem thử", errs.Invalid, "reason"},
			{"blank reason", investig01, "     \n  ", errs.Invalid, "reason"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				r, err := e.svc.Reveal(e.ctx, e.actor(t, tc.officer), rec.ID, tc.reason)
				wantErr(t, err, tc.code, tc.field)
				if r != nil {
					t.Errorf("refused reveal returned %+v", r)
				}
			})
		}
		if n := e.count(t, "audit_log", "action = 'identity.reveal'"); n != auditBefore {
			t.Errorf("refused reveals logged %d reveals", n-auditBefore)
		}
		if n := e.count(t, "source_events", "kind = 'identity_reveal'"); n != eventsBefore {
			t.Errorf("refused reveals added %d events", n-eventsBefore)
		}

		// An anonymous report has nothing to reveal.
		_, err := e.svc.Reveal(e.ctx, e.actor(t, investig01), anon.ID, reason)
		wantErr(t, err, errs.NotFound, "")

		inv := e.actor(t, investig01)
		for i, why := range []string{reason, "Mời người tố giác đến làm việc"} {
			got, err := e.svc.Reveal(e.ctx, inv, rec.ID, why)
			if err != nil {
				t.Fatalf("reveal %d: %v", i, err)
			}
			if *got != tipster {
				t.Errorf("revealed %+v, want %+v", *got, tipster)
			}
			if n := e.count(t, "audit_log", "action = 'identity.reveal' AND actor = ? AND object = ? AND detail = ?",
				audit.Actor(inv.UserID), "source:"+rec.TrackingCode, why); n != 1 {
				t.Errorf("reveal %d: %d audit rows with its reason, want 1", i, n)
			}
			if n := e.count(t, "source_events", "source_id = ? AND kind = 'identity_reveal' AND user_id = ? AND note LIKE ?",
				rec.ID, inv.UserID, "%"+why+"%"); n != 1 {
				t.Errorf("reveal %d: %d timeline events with its reason, want 1", i, n)
			}
		}
		if n := e.count(t, "audit_log", "action = 'identity.reveal'") - auditBefore; n != 2 {
			t.Errorf("%d reveals logged, want 2", n)
		}

		// The officer's page says there is an identity but does not show it.
		d, err := e.svc.Get(e.ctx, inv, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !d.HasIdentity || d.Anonymous {
			t.Errorf("HasIdentity=%v Anonymous=%v, want true/false", d.HasIdentity, d.Anonymous)
		}
		seen := 0
		for _, ev := range d.Events {
			if ev.Kind == "identity_reveal" {
				seen++
			}
			if strings.Contains(ev.Note, tipster.FullName) || strings.Contains(ev.Note, tipster.IDNumber) {
				t.Errorf("timeline shows the identity: %q", ev.Note)
			}
		}
		if seen != 2 {
			t.Errorf("timeline shows %d reveals, want 2", seen)
		}

		n, problem, err := audit.Verify(e.ctx, e.db)
		if err != nil || problem != nil {
			t.Fatalf("audit chain of %d entries: %v %v", n, problem, err)
		}
	})
}
