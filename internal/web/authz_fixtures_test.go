package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/deadline"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
	"toandan/internal/testutil"
	"toandan/internal/warning"
	"toandan/internal/web"
)

// The fixture of the authorization matrix: one server per engine holding the
// sample communes (T0101 and T0102 in Hà Nội 01, T7901 in Hồ Chí Minh 79),
// an officer of every role, and for every unit the objects that the routes'
// {id} and {code} parameters name.

// authzPDF is the attachment of every fixture source and self-assessment.
var authzPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// missingID is an id no fixture object has.
const missingID = 987654321

// missingUnit is a unit code that does not exist.
const missingUnit = "T9999"

// throwawayDay is the day off the calendar routes may delete.
const throwawayDay = "2031-01-02"

// scope says whose object or unit a request names.
type scope string

const (
	scopeOwn     scope = "own"     // the officer's unit, or one inside it
	scopeOwn79   scope = "own-79"  // nation-level officers: the other province, which is theirs too
	scopeOther   scope = "other"   // another commune or province
	scopeMissing scope = "missing" // an id or code that does not exist
)

// actor is an officer of the matrix, or the anonymous visitor (role "").
type actor struct {
	name     string
	role     account.Role
	unit     string
	password string
	user     account.User
	token    string
	// ownC and otherC are the communes whose objects count as the
	// officer's own and as another unit's; ownP and otherP the provinces.
	// Nation-level officers have no other unit.
	ownC, otherC, ownP, otherP string
}

func (a *actor) anon() bool   { return a.role == "" }
func (a *actor) nation() bool { return a.unit == geo.Nation }

// scopes are the scopes a request of a is tried in.
func (a *actor) scopes() []scope {
	switch {
	case a.anon():
		return []scope{scopeOwn}
	case a.nation():
		return []scope{scopeOwn, scopeOwn79, scopeMissing}
	}
	return []scope{scopeOwn, scopeOther, scopeMissing}
}

// marker is a text that appears only where one fixture object is shown, and
// who may see that object.
type marker struct {
	text     string
	commune  string // the commune the object belongs to; "" for a province's own object
	province string
	// source marks a crime source, seen by the police unit that received it
	// (receiver) and the one holding it (commune, or the province police).
	source   bool
	receiver string
}

func (m marker) visibleTo(a *actor) bool {
	switch {
	case a.anon():
		return false
	case a.nation():
		return true
	case a.role == account.Commune:
		return m.commune == a.unit || (m.source && m.receiver == a.unit)
	}
	return m.province == a.unit
}

// markText is the marker of kind for unit: letters only, so that it
// survives HTML escaping and no marker contains another.
func markText(kind, unit string) string { return "MK" + kind + unit + "Z" }

type authzFixture struct {
	srv    *testutil.Server
	client *http.Client
	actors []*actor // every officer, then the anonymous visitor

	// By commune: a residential area, a source held by the commune police
	// with its attachment, a festival point, a model and a recognition
	// cycle with criterion 1 assessed (with a file).
	areas, sources, files, points, models, cycles map[string]int64
	// By province: a source received by a commune police unit and
	// transferred to the province police, with its attachment; and a
	// draft security warning.
	provSources, provFiles, warnings map[string]int64
	markers                          []marker
	// publicWarning is a published nation-wide warning, which anyone may
	// read on the portal; it carries no marker.
	publicWarning int64
	// receipt is the receipt code of T0101's source, for the citizen's
	// follow-up routes.
	receipt string

	digestSQL map[string]string // table → SELECT ordered by every column
	cached    string            // the digest, while nothing may have changed since
}

var communeProvince = map[string]string{"T0101": "01", "T0102": "01", "T7901": "79"}

// receiverOf is the commune whose police received the source that its
// province's police now hold.
var receiverOf = map[string]string{"01": "T0101", "79": "T7901"}

func newAuthzFixture(t *testing.T, e store.Engine) *authzFixture {
	t.Helper()
	srv := testutil.NewServer(t, e)
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	f := &authzFixture{
		srv:    srv,
		client: srv.NewClient(t),
		areas:  map[string]int64{}, sources: map[string]int64{}, files: map[string]int64{},
		points: map[string]int64{}, models: map[string]int64{}, cycles: map[string]int64{},
		provSources: map[string]int64{}, provFiles: map[string]int64{}, warnings: map[string]int64{},
	}
	f.client.Jar = nil // each request carries its officer's session itself
	ctx := context.Background()
	m := srv.Main

	for _, s := range []struct {
		name                       string
		role                       account.Role
		unit                       string
		ownC, otherC, ownP, otherP string
	}{
		{"quan-tri", account.Admin, geo.Nation, "T0101", "", "01", ""},
		{"bo-cong-an", account.Ministry, geo.Nation, "T0101", "", "01", ""},
		{"tinh-01", account.Province, "01", "T0101", "T7901", "01", "79"},
		{"tinh-79", account.Province, "79", "T7901", "T0101", "79", "01"},
		{"dtv-01", account.Investigator, "01", "T0101", "T7901", "01", "79"},
		{"dtv-79", account.Investigator, "79", "T7901", "T0101", "79", "01"},
		{"xa-T0101", account.Commune, "T0101", "T0101", "T0102", "01", "79"},
		{"xa-T0102", account.Commune, "T0102", "T0102", "T0101", "01", "79"},
		{"xa-T7901", account.Commune, "T7901", "T7901", "T0101", "79", "01"},
		{"vks-01", account.Procuracy, "01", "T0101", "T7901", "01", "79"},
	} {
		pw := srv.CreateUser(t, s.name, s.role, s.unit)
		token := signIn(t, srv, s.name, pw)
		u, err := m.Accounts.ByUsername(ctx, s.name)
		if err != nil {
			t.Fatal(err)
		}
		f.actors = append(f.actors, &actor{name: s.name, role: s.role, unit: s.unit, password: pw, user: u, token: token,
			ownC: s.ownC, otherC: s.otherC, ownP: s.ownP, otherP: s.otherP})
	}
	f.actors = append(f.actors, &actor{name: "anonymous", ownC: "T0101", ownP: "01"})

	admin := f.actor("quan-tri").user
	for _, c := range []string{"T0101", "T0102", "T7901"} {
		officer := f.actor("xa-" + c).user
		prov := communeProvince[c]
		area, err := m.Geo.CreateArea(ctx, c, geo.AreaInput{Name: "Thôn " + f.mark("AREA", c, prov), Kind: "thon"}, officer.ID, "test")
		if err != nil {
			t.Fatalf("area of %s: %v", c, err)
		}
		f.areas[c] = area.ID
		var receipt string
		f.sources[c], f.files[c], receipt = f.submit(t, c, f.markSource("SRC", c, c, prov, c))
		if c == "T0101" {
			f.receipt = receipt
		}
		p, err := m.Movement.RecordPoint(ctx, officer, movement.PointInput{Year: 2026, Commune: c, HeldOn: "2026-08-19",
			Place: "Nhà văn hóa " + f.mark("PT", c, prov), Participants: 120})
		if err != nil {
			t.Fatalf("festival point of %s: %v", c, err)
		}
		f.points[c] = p.ID
		md, err := m.Recognition.CreateModel(ctx, officer, c, recognition.ModelInput{Name: "Tổ tự quản " + f.mark("MD", c, prov),
			TypeCode: "to_tu_quan", StartedOn: "2026-01-15", Members: 9})
		if err != nil {
			t.Fatalf("model of %s: %v", c, err)
		}
		f.models[c] = md.ID
		cy, err := m.Recognition.Register(ctx, officer, 2026, recognition.KindCommune, c)
		if err != nil {
			t.Fatalf("recognition cycle of %s: %v", c, err)
		}
		if _, err := m.Recognition.Assess(ctx, officer, cy.ID, "1", true, "Biên bản "+f.mark("EV", c, prov),
			&recognition.File{Name: "bien-ban.pdf", Data: authzPDF}); err != nil {
			t.Fatalf("assess the cycle of %s: %v", c, err)
		}
		f.cycles[c] = cy.ID
		f.target(t, admin, c, f.mark("TG", c, prov))
	}
	for _, p := range []string{"01", "79"} {
		r := receiverOf[p]
		id, file, _ := f.submit(t, r, f.markSource("SRCP", p, "", p, r))
		officer := f.actor("xa-" + r).user
		if err := m.Sources.Act(ctx, crimesource.Actor{UserID: officer.ID, Role: string(officer.Role), Unit: officer.UnitCode}, id,
			crimesource.Action{Kind: crimesource.ActTransfer}); err != nil {
			t.Fatalf("transfer to the police of %s: %v", p, err)
		}
		f.provSources[p], f.provFiles[p] = id, file
		text := markText("TGP", p)
		f.markers = append(f.markers, marker{text: text, province: p})
		f.target(t, admin, p, text)
		wtext := markText("WRN", p)
		f.markers = append(f.markers, marker{text: wtext, province: p})
		wn, err := m.Warnings.Create(ctx, admin, warning.Input{Unit: p, Category: "lua_dao_qua_mang", Title: "Cảnh báo " + wtext,
			Body: "Thủ đoạn giả danh công an " + wtext + " gọi điện yêu cầu chuyển tiền."}, false)
		if err != nil {
			t.Fatalf("warning of %s: %v", p, err)
		}
		f.warnings[p] = wn.ID
	}
	pub, err := m.Warnings.Create(ctx, admin, warning.Input{Unit: geo.Nation, Category: "lua_dao_qua_mang", Title: "Cảnh báo toàn quốc thử nghiệm",
		Body: "Không cung cấp mã OTP cho bất kỳ ai."}, true)
	if err != nil {
		t.Fatalf("nation-wide warning: %v", err)
	}
	f.publicWarning = pub.ID
	if err := deadline.AddDayOff(ctx, m.DB, throwawayDay, "Ngày nghỉ thử", deadline.KindHoliday); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *authzFixture) actor(name string) *actor {
	for _, a := range f.actors {
		if a.name == name {
			return a
		}
	}
	panic("no actor " + name)
}

// mark records the marker of a commune's object and returns its text.
func (f *authzFixture) mark(kind, commune, province string) string {
	text := markText(kind, commune)
	f.markers = append(f.markers, marker{text: text, commune: commune, province: province})
	return text
}

func (f *authzFixture) markSource(kind, unit, holder, province, receiver string) string {
	text := markText(kind, unit)
	f.markers = append(f.markers, marker{text: text, commune: holder, province: province, source: true, receiver: receiver})
	return text
}

// submit receives a citizen's report for commune with an attachment and
// returns the source's and the attachment's ids and the receipt code.
func (f *authzFixture) submit(t *testing.T, commune, text string) (int64, int64, string) {
	t.Helper()
	ctx := context.Background()
	rec, err := f.srv.Main.Sources.Submit(ctx, crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: commune, Address: "Số 1 ngõ Thử",
		Description: "Tin báo thử nghiệm " + text + " về lừa đảo qua mạng.", Anonymous: true,
		Files: []crimesource.Upload{{Name: "bien-ban.pdf", Data: authzPDF}}}, crimesource.Actor{})
	if err != nil {
		t.Fatalf("report for %s: %v", commune, err)
	}
	var file int64
	if err := f.srv.Main.DB.QueryRow(ctx, "SELECT id FROM attachments WHERE source_id = ?", rec.ID).Scan(&file); err != nil {
		t.Fatalf("attachment of %s: %v", rec.TrackingCode, err)
	}
	return rec.ID, file, rec.ReceiptCode
}

func (f *authzFixture) target(t *testing.T, by account.User, unit, text string) {
	t.Helper()
	_, err := f.srv.Main.Recognition.CreateTarget(context.Background(), by, recognition.Target{Indicator: recognition.ActiveModelsCount,
		ScopeKind: recognition.ScopeUnit, Scope: unit, Year: 2026, Comparator: ">=", Value: 1, LegalSource: "Văn bản " + text})
	if err != nil {
		t.Fatalf("target of %s: %v", unit, err)
	}
}

// patterns lists the routes of the router the application serves, built as
// the application builds it.
func (f *authzFixture) patterns() []string {
	m := f.srv.Main
	s := &web.Server{DB: m.DB, Geo: m.Geo, Accounts: m.Accounts, Sources: m.Sources, Movement: m.Movement, Recognition: m.Recognition,
		Guard: m.Guard, Metrics: m.Metrics, Clock: m.Clock, Log: m.Log}
	return s.Routes().Patterns
}

// commune is the commune a request of a names in sc.
func (f *authzFixture) commune(a *actor, sc scope) string {
	switch sc {
	case scopeOwn:
		return a.ownC
	case scopeOwn79:
		return "T7901"
	case scopeOther:
		return a.otherC
	}
	return missingUnit
}

// province is the province a request of a names in sc.
func (f *authzFixture) province(a *actor, sc scope) string {
	switch sc {
	case scopeOwn:
		return a.ownP
	case scopeOwn79:
		return "79"
	case scopeOther:
		return a.otherP
	}
	return missingUnit
}

// unit is the unit a request of a names in sc: a commune for commune
// officers, a province for everyone else.
func (f *authzFixture) unit(a *actor, sc scope) string {
	if a.role == account.Commune {
		return f.commune(a, sc)
	}
	return f.province(a, sc)
}

// id is the id of the object of kind that a request of a names in sc.
func (f *authzFixture) id(kind string, a *actor, sc scope) string {
	if sc == scopeMissing {
		return strconv.Itoa(missingID)
	}
	var id int64
	switch kind {
	case "source", "file":
		// A commune officer's own source is one their police unit holds;
		// everyone else's is one their province's police hold.
		bySource, byFile, key := f.sources, f.files, f.commune(a, sc)
		if a.role != account.Commune {
			bySource, byFile, key = f.provSources, f.provFiles, f.province(a, sc)
		}
		id = bySource[key]
		if kind == "file" {
			id = byFile[key]
		}
	case "area":
		id = f.areas[f.commune(a, sc)]
	case "point":
		id = f.points[f.commune(a, sc)]
	case "model":
		id = f.models[f.commune(a, sc)]
	case "cycle":
		id = f.cycles[f.commune(a, sc)]
	case "warning":
		id = f.warnings[f.province(a, sc)]
	default:
		panic("no object kind " + kind)
	}
	if id == 0 {
		panic(fmt.Sprintf("no %s for %s in scope %s", kind, a.name, sc))
	}
	return strconv.FormatInt(id, 10)
}

// marker returns the marker of the object of kind that a request of a names
// in sc.
func (f *authzFixture) marker(kind string, a *actor, sc scope) string {
	switch kind {
	case "source":
		if a.role == account.Commune {
			return markText("SRC", f.commune(a, sc))
		}
		return markText("SRCP", f.province(a, sc))
	case "area":
		return markText("AREA", f.commune(a, sc))
	case "point":
		return markText("PT", f.commune(a, sc))
	case "model":
		return markText("MD", f.commune(a, sc))
	case "cycle":
		return markText("EV", f.commune(a, sc))
	case "warning":
		return markText("WRN", f.province(a, sc))
	}
	panic("no marker kind " + kind)
}

// freshSession signs a in once more, for a request that ends its session.
// The session may still wait for a second factor; logging out ends it all
// the same.
func (f *authzFixture) freshSession(t *testing.T, a *actor) string {
	t.Helper()
	token, _, err := f.srv.Main.Accounts.Login(context.Background(), a.name, a.password, "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("sign %s in again: %v", a.name, err)
	}
	return token
}

// nextLoginWindow moves the clock past the login rate limit's window, so
// that the login routes answer for what they are sent, not with 429.
func (f *authzFixture) nextLoginWindow(*testing.T) { f.srv.Clock.Advance(61 * time.Second) }

// unpublishWarnings puts the fixture's province warnings back to drafts,
// after the route that publishes one has published it.
func (f *authzFixture) unpublishWarnings(t *testing.T, _ *actor) {
	t.Helper()
	for p, id := range f.warnings {
		if _, err := f.srv.Main.DB.Exec(context.Background(), "UPDATE warnings SET status = 'draft', published_at = '' WHERE id = ?", id); err != nil {
			t.Fatalf("warning of %s back to draft: %v", p, err)
		}
	}
}

// restoreDay puts the throwaway day off back, for the route that deletes
// it.
func (f *authzFixture) restoreDay(t *testing.T) {
	t.Helper()
	if err := deadline.AddDayOff(context.Background(), f.srv.Main.DB, throwawayDay, "Ngày nghỉ thử", deadline.KindHoliday); err != nil {
		t.Fatal(err)
	}
}

func (f *authzFixture) hasDay(t *testing.T) bool {
	t.Helper()
	var n int
	if err := f.srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM days_off WHERE day = ?", throwawayDay).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// listRemote lists every fixture commune as remote, for the route that
// unmarks one.
func (f *authzFixture) listRemote(t *testing.T) {
	t.Helper()
	for c := range communeProvince {
		if _, err := f.srv.Main.DB.Exec(context.Background(), `INSERT INTO remote_communes (commune_code, note, valid_from)
			VALUES (?, 'Quyết định thử', '2025-07-01') ON CONFLICT (commune_code) DO NOTHING`, c); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *authzFixture) isRemote(t *testing.T, commune string) bool {
	t.Helper()
	var n int
	if err := f.srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM remote_communes WHERE commune_code = ?", commune).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// digestTables are the tables whose rows a refused request must leave as
// they were: everything an officer can change. Sessions and the audit log
// are left out: a refused request may touch a session and may be logged.
var digestTables = []string{
	"users", "recovery_codes", "residential_areas", "days_off", "remote_communes",
	"sources", "source_events", "source_messages", "source_deadlines", "attachments", "reminders",
	"festival_plans", "festival_points", "grassroots_models", "model_evaluations",
	"recognition_cycles", "recognition_assessments", "recognition_events", "targets",
	"warnings", "province_boundaries", "police_units", "police_jurisdiction",
}

// digest hashes every row of the digest tables.
func (f *authzFixture) digest(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := f.srv.Main.DB
	if f.digestSQL == nil {
		f.digestSQL = map[string]string{}
		for _, table := range digestTables {
			rows, err := db.Query(ctx, "SELECT * FROM "+table+" WHERE 1 = 0")
			if err != nil {
				t.Fatalf("columns of %s: %v", table, err)
			}
			cols, err := rows.Columns()
			rows.Close()
			if err != nil {
				t.Fatal(err)
			}
			order := make([]string, len(cols))
			for i := range cols {
				order[i] = strconv.Itoa(i + 1)
			}
			f.digestSQL[table] = "SELECT * FROM " + table + " ORDER BY " + strings.Join(order, ", ")
		}
	}
	h := sha256.New()
	for _, table := range digestTables {
		if err := digestRows(ctx, db, f.digestSQL[table], table, h); err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func digestRows(ctx context.Context, db *store.DB, q, table string, w interface{ Write([]byte) (int, error) }) error {
	rows, err := db.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("digest %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("digest %s: %w", table, err)
		}
		fmt.Fprintf(w, "%s", table)
		for _, v := range vals {
			fmt.Fprintf(w, "|%T:%q", v, fmt.Sprint(v))
		}
		w.Write([]byte{'\n'})
	}
	return rows.Err()
}
