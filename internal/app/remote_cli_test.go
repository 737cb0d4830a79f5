package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/testutil"
)

// TestCLIGeoRemote: a list of remote communes is imported whole or not at
// all, with the bad line named, and a second run changes nothing.
func TestCLIGeoRemote(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			dir := t.TempDir()
			write := func(name, data string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			units := write("units.csv", "code,name,type,parent_code,full_name\n"+strings.SplitN(testutil.SampleCommunes, "\n", 2)[1])
			if code, _, errOut := v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", units); code != 0 {
				t.Fatalf("geo import: %s", errOut)
			}
			listed := func() int { return v.count(t, "SELECT COUNT(*) FROM remote_communes") }

			// The second line is good, the third names no commune: nothing
			// is imported.
			bad := write("bad.csv", "commune_code,note\nT0102,Quyết định 1\nT9999,Quyết định 1\n")
			code, out, errOut := v.run(t, "", "geo", "remote", "--valid-from", "2026-12-01", bad)
			if code != 1 || !strings.Contains(errOut, "bad.csv:3:") || !strings.Contains(errOut, "nothing was imported") || !strings.Contains(errOut, "T9999") {
				t.Errorf("bad list: exit %d, stdout %q, stderr %q; want exit 1 naming bad.csv:3: and T9999", code, out, errOut)
			}
			if n := listed(); n != 0 {
				t.Errorf("%d communes listed after a refused file, want 0", n)
			}

			for _, args := range [][]string{
				{"geo", "remote", bad},
				{"geo", "remote", "--valid-from", "2026-12-01"},
			} {
				if code, _, errOut := v.run(t, "", args...); code != 2 || !strings.Contains(errOut, "geo remote needs") {
					t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
				}
			}

			good := write("vung-xa.csv", "commune_code,note\nT0102,\nT7901,Quyết định 2 (xã đảo)\n")
			code, out, errOut = v.run(t, "", "geo", "remote", "--valid-from", "2026-12-01", "--note", "Quyết định 861/QĐ-TTg", good)
			if code != 0 || !strings.Contains(out, "2 communes read: 2 newly listed, 0 updated, 0 unchanged") {
				t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM remote_communes WHERE commune_code = 'T0102' AND note = 'Quyết định 861/QĐ-TTg' AND valid_from = '2026-12-01'"); n != 1 {
				t.Error("T0102 not listed with the --note basis from 2026-12-01")
			}
			if n := v.count(t, "SELECT COUNT(*) FROM remote_communes WHERE commune_code = 'T7901' AND note = 'Quyết định 2 (xã đảo)'"); n != 1 {
				t.Error("T7901 not listed with its own note")
			}
			code, out, _ = v.run(t, "", "geo", "remote", "--valid-from", "2026-12-01", "--note", "Quyết định 861/QĐ-TTg", good)
			if code != 0 || !strings.Contains(out, "nothing changed") {
				t.Errorf("second import: exit %d, stdout %q; want nothing changed", code, out)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'geo.remote.import' AND actor = 'cli'"); n != 1 {
				t.Errorf("%d audit entries for two runs of one list, want 1", n)
			}
		})
	}
}
