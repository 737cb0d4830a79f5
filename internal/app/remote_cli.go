package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"toandan/internal/geo"
)

// geoRemote imports a list of remote communes (vùng sâu, vùng xa, biên
// giới, hải đảo), whose police have 48 hours rather than 24 to transfer
// urgent sources.
func (c *CLI) geoRemote(ctx context.Context, args []string) error {
	fs, cfg := c.flags("geo remote")
	validFrom := fs.String("valid-from", "", "first day the listed communes count as remote (YYYY-MM-DD): the decision's effective date")
	note := fs.String("note", "", "legal basis for rows whose note is empty (the decision's number and date)")
	path, err := datedFile(fs, args, "geo remote", "CSV file (commune_code[,note])", validFrom)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintf(c.Stdout, "importing remote communes %s (from %s)...\n", path, *validFrom)
	res, err := m.Geo.ImportRemote(ctx, geo.RemoteImportOptions{FileName: filepath.Base(path), ValidFrom: *validFrom, Basis: *note, Actor: "cli"}, data)
	if err != nil {
		var ie *geo.ImportError
		if errors.As(err, &ie) {
			return fmt.Errorf("import failed, nothing was imported: %w", err)
		}
		return err
	}
	fmt.Fprintf(c.Stdout, "%d communes read: %d newly listed, %d updated, %d unchanged\n", res.Rows, res.Inserted, res.Updated, res.Unchanged)
	if !res.Changed() {
		fmt.Fprintln(c.Stdout, "nothing changed: the database already holds this list")
	}
	return nil
}
