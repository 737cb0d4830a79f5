package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"toandan/internal/geo"
)

// geoImportBoundaries imports province boundaries for the staff map.
func (c *CLI) geoImportBoundaries(ctx context.Context, args []string) error {
	fs, cfg := c.flags("geo import-boundaries")
	validFrom := fs.String("valid-from", "", "first day the boundaries hold (YYYY-MM-DD); every feature must be a province in force that day")
	path, err := datedFile(fs, args, "geo import-boundaries", "GeoJSON file", validFrom)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() > geo.MaxBoundaryFile {
		return fmt.Errorf("import failed, nothing was imported: %s is larger than %d MB", path, geo.MaxBoundaryFile>>20)
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
	fmt.Fprintf(c.Stdout, "importing boundaries %s (from %s)...\n", path, *validFrom)
	p := c.progress()
	res, err := m.Geo.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: filepath.Base(path), ValidFrom: *validFrom, Actor: "cli", Progress: p.rows}, data)
	p.end(err)
	if err != nil {
		var be *geo.BoundaryError
		if errors.As(err, &be) {
			return fmt.Errorf("import failed, nothing was imported: %w", err)
		}
		return err
	}
	fmt.Fprintf(c.Stdout, "%d provinces read: %d new, %d replaced, %d unchanged; %d KB stored\n",
		res.Features, res.Inserted, res.Updated, res.Unchanged, (res.Bytes+1023)/1024)
	if !res.Changed() {
		fmt.Fprintln(c.Stdout, "nothing changed: the database already holds these boundaries")
	}
	return nil
}
