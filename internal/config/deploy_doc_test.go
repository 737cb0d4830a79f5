package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"toandan/internal/config"
)

// subcommandFlags are flags of single subcommands (internal/app/cli.go),
// not settings: docs/DEPLOY.md uses them on toandan command lines and
// names them in its text, and they are not in the configuration table.
var subcommandFlags = map[string]bool{
	"valid-from": true, "valid-to": true, "lineage": true, // geo import, geo import-boundaries
	"username": true, "role": true, "unit": true, "name": true, // user create, user passwd
	"files-only": true, // backup, restore
	"force":      true, // restore
}

var (
	envName = regexp.MustCompile(`TOANDAN_[A-Z0-9_]+`)
	flagRef = regexp.MustCompile(`--([a-z0-9][a-z0-9-]*)`)
	// A toandan command line, run directly, through a path or through the
	// admin wrapper the document describes. Lines running other programs
	// (pg_dump, useradd, nginx) are not checked: their flags are theirs.
	commandLine = regexp.MustCompile(`(?:^|[\s/])toandan(?:-admin)?\s+[a-z]`)
	codeSpan    = regexp.MustCompile("`([^`]+)`")
)

// docs/DEPLOY.md is the operators' reference: its configuration table must
// list exactly the settings config.Vars reads, each with its real default,
// and every setting, variable or flag it names anywhere else must exist.
func TestDeployDocMatchesSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "DEPLOY.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	byFlag := map[string]config.Var{}
	byEnv := map[string]config.Var{}
	for _, v := range config.Vars {
		byFlag[v.Flag] = v
		byEnv[v.Env] = v
	}

	rows := settingsTable(t, doc)
	seen := map[string]bool{}
	for _, r := range rows {
		flag, ok1 := strings.CutPrefix(unquote(r.flag), "--")
		env := unquote(r.env)
		v, ok2 := byFlag[flag]
		if !ok1 || !ok2 {
			t.Errorf("line %d: %s is not a setting of config.Vars", r.line, r.flag)
			continue
		}
		if seen[flag] {
			t.Errorf("line %d: --%s has a second row", r.line, flag)
		}
		seen[flag] = true
		if env != v.Env {
			t.Errorf("line %d: --%s is read from %s, the table says %s", r.line, flag, v.Env, r.env)
		}
		if v.Default == "" {
			// An empty default is written "(empty)", then what it means.
			if !strings.HasPrefix(r.def, "(empty)") {
				t.Errorf("line %d: --%s has no default, the table says %s (write \"(empty)\")", r.line, flag, r.def)
			}
		} else if r.def != "`"+v.Default+"`" {
			t.Errorf("line %d: --%s defaults to `%s`, the table says %s", r.line, flag, v.Default, r.def)
		}
		if r.meaning == "" {
			t.Errorf("line %d: --%s has no meaning", r.line, flag)
		}
	}
	for _, v := range config.Vars {
		if !seen[v.Flag] {
			t.Errorf("the configuration reference has no row for --%s / %s", v.Flag, v.Env)
		}
	}

	for _, name := range envName.FindAllString(doc, -1) {
		if _, ok := byEnv[name]; !ok {
			t.Errorf("%s is named in DEPLOY.md but is not a setting", name)
		}
	}
	for _, ref := range toandanFlags(doc) {
		if _, ok := byFlag[ref.name]; !ok && !subcommandFlags[ref.name] {
			t.Errorf("line %d: --%s is neither a setting nor a subcommand flag", ref.line, ref.name)
		}
	}
}

type settingsRow struct {
	line                    int
	flag, env, def, meaning string
}

// settingsTable reads the table under "## Configuration reference", which
// runs to the next heading of that level.
func settingsTable(t *testing.T, doc string) []settingsRow {
	t.Helper()
	var rows []settingsRow
	in, header := false, 0
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(line) == "## Configuration reference"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		if header < 2 { // the column names and the separator
			header++
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 4 {
			t.Errorf("line %d: a row of the configuration reference needs 4 cells, has %d", i+1, len(cells))
			continue
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, settingsRow{i + 1, cells[0], cells[1], cells[2], cells[3]})
	}
	if len(rows) == 0 {
		t.Fatal(`DEPLOY.md has no table under "## Configuration reference"`)
	}
	return rows
}

type flagUse struct {
	line int
	name string
}

// toandanFlags finds the flags given to toandan: on toandan command lines
// in code blocks (with their continuation lines) and in code spans of the
// text, where a span is either such a command or a lone flag (`--addr`).
func toandanFlags(doc string) []flagUse {
	var out []flagUse
	add := func(line int, s string) {
		for _, m := range flagRef.FindAllStringSubmatch(s, -1) {
			out = append(out, flagUse{line, m[1]})
		}
	}
	fenced, continued := false, false
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		code := fenced || strings.HasPrefix(line, "    ")
		switch {
		case code && continued:
			add(i+1, line)
		case code:
			if loc := commandLine.FindStringIndex(line); loc != nil {
				add(i+1, line[loc[0]:])
			}
		default:
			for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
				span := m[1]
				if loc := commandLine.FindStringIndex(span); loc != nil {
					add(i+1, span[loc[0]:])
				} else if strings.HasPrefix(span, "--") {
					add(i+1, span)
				}
			}
		}
		continued = code && (continued || commandLine.MatchString(line)) && strings.HasSuffix(strings.TrimSpace(line), `\`)
	}
	return out
}

func unquote(cell string) string {
	return strings.TrimSuffix(strings.TrimPrefix(cell, "`"), "`")
}
