package account_test

import (
	"slices"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func TestAuthorize(t *testing.T) {
	const allowed errs.Code = ""
	tests := []struct {
		role   account.Role
		unit   string
		action account.Action
		target string
		want   errs.Code
	}{
		// A commune officer edits only their own commune.
		{account.Commune, "T0101", account.EditAreas, "T0101", allowed},
		{account.Commune, "T0101", account.EditAreas, "T0102", errs.NotFound},
		{account.Commune, "T0101", account.EditAreas, "T7901", errs.NotFound},
		{account.Commune, "T0101", account.EditAreas, "01", errs.NotFound},
		{account.Commune, "T0101", account.ViewGeography, "T0101", allowed},
		{account.Commune, "T0101", account.ViewGeography, "T0102", errs.NotFound},
		{account.Commune, "T0101", account.ViewGeography, "01", errs.NotFound},
		{account.Commune, "T0101", account.ManageUsers, "T0101", errs.Forbidden},
		{account.Commune, "T0101", account.ManagePolice, "T0101", errs.Forbidden},
		// Provincial staff see their province and nothing else.
		{account.Province, "01", account.ViewGeography, "01", allowed},
		{account.Province, "01", account.ViewGeography, "T0101", allowed},
		{account.Province, "01", account.ViewGeography, "T0102", allowed},
		{account.Province, "01", account.ViewGeography, "T7901", errs.NotFound},
		{account.Province, "01", account.ViewGeography, "79", errs.NotFound},
		{account.Province, "01", account.ViewGeography, "VN", errs.NotFound},
		{account.Province, "01", account.ViewGeography, "T9999", errs.NotFound},
		{account.Province, "01", account.ViewGeography, "", errs.NotFound},
		{account.Province, "01", account.EditAreas, "T0101", errs.Forbidden},
		{account.Province, "01", account.EditAreas, "T7901", errs.Forbidden},
		{account.Province, "01", account.ManageUsers, "01", errs.Forbidden},
		{account.Investigator, "79", account.ViewGeography, "T7901", allowed},
		{account.Investigator, "79", account.ViewGeography, "T0101", errs.NotFound},
		{account.Investigator, "79", account.EditAreas, "T7901", errs.Forbidden},
		// The administrator acts anywhere.
		{account.Admin, "VN", account.EditAreas, "T0101", allowed},
		{account.Admin, "VN", account.EditAreas, "T7901", allowed},
		{account.Admin, "VN", account.ViewGeography, "79", allowed},
		{account.Admin, "VN", account.ManageUsers, "01", allowed},
		{account.Admin, "VN", account.ManagePolice, "79", allowed},
		// The procuracy supervises: reads, never writes.
		{account.Procuracy, "01", account.ViewGeography, "T0102", allowed},
		{account.Procuracy, "01", account.ViewGeography, "T7901", errs.NotFound},
		{account.Procuracy, "01", account.EditAreas, "T0101", errs.Forbidden},
		{account.Procuracy, "VN", account.ViewGeography, "T7901", allowed},
		{account.Procuracy, "VN", account.EditAreas, "T7901", errs.Forbidden},
		// The ministry sees everything and changes nothing here.
		{account.Ministry, "VN", account.ViewGeography, "01", allowed},
		{account.Ministry, "VN", account.ViewGeography, "79", allowed},
		{account.Ministry, "VN", account.ViewGeography, "T0101", allowed},
		{account.Ministry, "VN", account.ViewGeography, "T7901", allowed},
		{account.Ministry, "VN", account.EditAreas, "T0101", errs.Forbidden},
		{account.Ministry, "VN", account.ManageUsers, "01", errs.Forbidden},
		// Remote communes: the administrator anywhere, provincial staff in
		// their own province; nobody else.
		{account.Admin, "VN", account.MarkRemote, "T7901", allowed},
		{account.Province, "01", account.MarkRemote, "T0102", allowed},
		{account.Province, "01", account.MarkRemote, "T7901", errs.NotFound},
		{account.Commune, "T0101", account.MarkRemote, "T0101", errs.Forbidden},
		{account.Investigator, "01", account.MarkRemote, "T0101", errs.Forbidden},
		{account.Procuracy, "01", account.MarkRemote, "T0101", errs.Forbidden},
		{account.Ministry, "VN", account.MarkRemote, "T0101", errs.Forbidden},
		// Police units: the administrator anywhere, provincial staff in
		// their own province; nobody else.
		{account.Admin, "VN", account.ManagePolice, "01", allowed},
		{account.Province, "01", account.ManagePolice, "01", allowed},
		{account.Province, "01", account.ManagePolice, "79", errs.NotFound},
		{account.Investigator, "01", account.ManagePolice, "01", errs.Forbidden},
		{account.Procuracy, "01", account.ManagePolice, "01", errs.Forbidden},
		{account.Ministry, "VN", account.ManagePolice, "01", errs.Forbidden},
		// An unknown action is allowed to nobody.
		{account.Admin, "VN", account.Action("everything"), "01", errs.Forbidden},
	}
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := map[string]account.User{}
		for _, tc := range tests {
			key := string(tc.role) + "@" + tc.unit
			if _, ok := users[key]; !ok {
				username := strings.ToLower(string(tc.role) + "." + tc.unit)
				users[key] = e.create(t, username, tc.role, tc.unit)
			}
		}
		for _, tc := range tests {
			name := string(tc.role) + "@" + tc.unit + "/" + string(tc.action) + "/" + tc.target
			t.Run(name, func(t *testing.T) {
				u := users[string(tc.role)+"@"+tc.unit]
				err := e.svc.Authorize(e.ctx, u, tc.action, tc.target)
				if tc.want == allowed {
					if err != nil {
						t.Fatalf("Authorize: %v, want allowed", err)
					}
					return
				}
				wantCode(t, "Authorize", err, tc.want)
				if tc.want == errs.NotFound && strings.Contains(errs.Message(err), tc.target) && tc.target != "" {
					t.Fatalf("NotFound message %q names the unit", errs.Message(err))
				}
			})
		}
	})
}

func TestList(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, u := range []struct {
			name string
			role account.Role
			unit string
		}{
			{"quan.tri", account.Admin, "VN"},
			{"bo.ca", account.Ministry, "VN"},
			{"vks.toi.cao", account.Procuracy, "VN"},
			{"tinh.hn", account.Province, "01"},
			{"dieu.tra.hn", account.Investigator, "01"},
			{"vks.hn", account.Procuracy, "01"},
			{"xa.mau.mot", account.Commune, "T0101"},
			{"xa.mau.hai", account.Commune, "T0102"},
			{"tinh.hcm", account.Province, "79"},
			{"xa.mau.ba", account.Commune, "T7901"},
		} {
			e.create(t, u.name, u.role, u.unit)
		}
		tests := []struct {
			scope string
			want  []string
		}{
			{"VN", []string{"bo.ca", "dieu.tra.hn", "quan.tri", "tinh.hcm", "tinh.hn", "vks.hn", "vks.toi.cao", "xa.mau.ba", "xa.mau.hai", "xa.mau.mot"}},
			{"01", []string{"dieu.tra.hn", "tinh.hn", "vks.hn", "xa.mau.hai", "xa.mau.mot"}},
			{"79", []string{"tinh.hcm", "xa.mau.ba"}},
			{"T0101", []string{"xa.mau.mot"}},
			{"T0102", []string{"xa.mau.hai"}},
			{"04", nil},
			{"", nil},
		}
		for _, tc := range tests {
			t.Run("scope "+tc.scope, func(t *testing.T) {
				us, err := e.svc.List(e.ctx, tc.scope)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, u := range us {
					got = append(got, u.Username)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("List(%q) = %q, want %q", tc.scope, got, tc.want)
				}
			})
		}
	})
}
