package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/crimesource"
	"toandan/internal/geo"
)

// fastParams hash the passwords of the accounts nobody signs in with (their
// passwords are random and thrown away); a login rehashes them anyway.
var fastParams = secret.FastParams()

// acct is a staff account of the history: planned, then created at its time.
type acct struct {
	username, display string
	role              account.Role
	unit              string
	featured          bool // handed out with its password
	event             int  // index of the event that creates it
	user              account.User
	password          string
	totpSecret        string
	recovery          []string
}

func (a *acct) actor() crimesource.Actor {
	return crimesource.Actor{UserID: a.user.ID, Role: string(a.user.Role), Unit: a.user.UnitCode}
}

// account plans an account made at t, or returns the one planned already
// under that username, made no later than t.
func (sd *seeder) account(t time.Time, username, display string, role account.Role, unit string, featured bool) *acct {
	if a, ok := sd.accts[username]; ok {
		if e := &sd.events[a.event]; t.Before(e.at) {
			e.at = t
		}
		return a
	}
	a := &acct{username: username, display: display, role: role, unit: unit, featured: featured, event: len(sd.events)}
	sd.accts[username] = a
	sd.acctOrder = append(sd.acctOrder, a)
	sd.at(t, "account "+username, func(ctx context.Context) error { return sd.create(ctx, a) })
	return a
}

func (sd *seeder) create(ctx context.Context, a *acct) error {
	svc := sd.bg
	pw := secret.GeneratePassword()
	if a.featured {
		svc = sd.s.Accounts
	}
	by := "demo"
	if admin := sd.accts["quantri"]; admin != nil && admin.user.ID != 0 {
		by = audit.Actor(admin.user.ID)
	}
	u, err := svc.Create(ctx, account.NewUser{Username: a.username, DisplayName: a.display, Role: a.role, UnitCode: a.unit, Password: pw}, by)
	if err != nil {
		return err
	}
	a.user = u
	if !a.featured {
		return nil
	}
	a.password = pw
	if !account.RequiresTOTP(u.Role) {
		return nil
	}
	key, _, err := sd.s.Accounts.BeginTOTP(ctx, u.ID)
	if err != nil {
		return err
	}
	raw, err := secret.DecodeSecret(key)
	if err != nil {
		return err
	}
	codes, err := sd.s.Accounts.ConfirmTOTP(ctx, u.ID, "", secret.TOTPCode(raw, sd.s.Clock.Now()))
	if err != nil {
		return err
	}
	a.totpSecret, a.recovery = key, codes
	return nil
}

// accountsStart is when the system was set up, with the first accounts.
var accountsStart = vnTime(2022, 1, 4, 8, 0)

// planAccounts plans the accounts that exist from the start: national,
// provincial, and the investigators and movement staff of every province.
func (sd *seeder) planAccounts() {
	rng := sd.rng("accounts")
	t := accountsStart
	next := func() time.Time { t = t.Add(3 * time.Minute); return t }
	name := func() string { return newPerson(rng).name }
	sd.account(next(), "quantri", name(), account.Admin, geo.Nation, true)
	sd.account(next(), "bocongan", name(), account.Ministry, geo.Nation, true)
	sd.account(next(), "vks.toicao", name(), account.Procuracy, geo.Nation, true)
	for _, p := range featuredProvinces {
		s := slug(sd.provinceName(p))
		sd.account(next(), "phongtrao."+s, name(), account.Province, p, true)
		sd.account(next(), "dieutra."+s, name(), account.Investigator, p, true)
		sd.account(next(), "vks."+s, name(), account.Procuracy, p, true)
	}
	// Every province code of today existed before the reform too, so its
	// investigators date from the start.
	for _, p := range sd.g.provinces {
		if !isFeatured(p.Code) {
			sd.account(next(), "dtv."+p.Code, name(), account.Investigator, p.Code, false)
		}
	}
	for _, p := range sd.g.oldProvinces {
		if !isFeatured(p.Code) {
			sd.account(next(), "pt."+p.Code, name(), account.Province, p.Code, false)
		}
	}
}

func isFeatured(province string) bool {
	for _, p := range featuredProvinces {
		if p == province {
			return true
		}
	}
	return false
}

func (sd *seeder) provinceName(code string) string {
	for _, p := range sd.g.provinces {
		if p.Code == code {
			return p.Name
		}
	}
	for _, p := range sd.g.oldProvinces {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}

func (sd *seeder) provinceTitle(code string) string {
	for _, p := range sd.g.provinces {
		if p.Code == code {
			return p.title()
		}
	}
	for _, p := range sd.g.oldProvinces {
		if p.Code == code {
			return p.title()
		}
	}
	return code
}

func (sd *seeder) admin() *acct    { return sd.accts["quantri"] }
func (sd *seeder) ministry() *acct { return sd.accts["bocongan"] }

// staff is the movement staff of a province (of either geography).
func (sd *seeder) staff(province string) *acct {
	if isFeatured(province) {
		return sd.accts["phongtrao."+slug(sd.provinceName(province))]
	}
	return sd.accts["pt."+province]
}

// investigator is the investigation body's officer of a province of today.
func (sd *seeder) investigator(province string) *acct {
	if isFeatured(province) {
		return sd.accts["dieutra."+slug(sd.provinceName(province))]
	}
	return sd.accts["dtv."+province]
}

// officer plans the police officer of a commune, made at t unless planned
// already: a commune has one officer in the demo, and a ward that kept its
// code through the reform keeps its officer.
func (sd *seeder) officer(t time.Time, c unit, featured bool) *acct {
	if a, ok := sd.officerOf[c.Code]; ok {
		if e := &sd.events[a.event]; t.Before(e.at) {
			e.at = t
		}
		return a
	}
	if sd.officerOf == nil {
		sd.officerOf = map[string]*acct{}
	}
	display := newPerson(sd.rng("officer " + c.Code)).name
	var a *acct
	if featured {
		name := "ca." + slug(strings.TrimPrefix(c.Name, "Mẫu "))
		if len(name) > 32 {
			name = name[:32]
		}
		if _, taken := sd.accts[name]; taken {
			name = "ca." + strings.ToLower(c.Code)
		}
		a = sd.account(t, name, display, account.Commune, c.Code, true)
	} else {
		a = sd.account(t, "cb."+strings.ToLower(c.Code), display, account.Commune, c.Code, false)
	}
	sd.officerOf[c.Code] = a
	return a
}

// users lists the handed-out accounts, and counts the others.
func (sd *seeder) users() ([]User, int) {
	var out []User
	others := 0
	for _, a := range sd.acctOrder {
		if a.user.ID == 0 {
			continue // planned after the end
		}
		if !a.featured {
			others++
			continue
		}
		out = append(out, User{Username: a.username, DisplayName: a.display, Role: a.role, Unit: a.unit, UnitName: sd.unitName(a.unit),
			Password: a.password, TOTPSecret: a.totpSecret, RecoveryCodes: a.recovery})
	}
	return out, others
}

func (sd *seeder) unitName(code string) string {
	if code == geo.Nation {
		return "Toàn quốc"
	}
	if c, ok := sd.g.byCode[code]; ok {
		return fmt.Sprintf("%s, %s", c.title(), sd.provinceTitle(c.Province))
	}
	return sd.provinceTitle(code)
}
