package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// checkpointEvery is how often the checkpointer copies what the WAL holds
// into the database file.
const checkpointEvery = 100 * time.Millisecond

// walCheckpointFrames is the length of the WAL, in pages, past which the
// writer checkpoints itself after a commit (SQLite's default is 1,000).
const walCheckpointFrames = 4000

// walSizeLimit is the size the WAL file is cut back to when SQLite starts
// it over, after a burst of writes made it larger.
const walSizeLimit = 64 << 20

// checkpointer copies committed pages from SQLite's WAL into the database
// file on a connection of its own. SQLite's automatic checkpoint runs inside
// the commit that crosses its threshold, on the writer: under load, with the
// default threshold, every other group commit, each time writing a thousand
// pages and syncing the database file while every queued write waits. A
// passive checkpoint here runs beside the writer instead (it takes no lock
// the writer needs). It cannot start the WAL over, as new commits keep
// coming while it copies; the writer's own checkpoint, at a higher
// threshold, still does, with only the pages copied since the last pass
// left to copy, and so bounds the WAL. Durability does not depend on
// either: a commit is durable once in the WAL.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func startCheckpointer(ctx context.Context, path, pragmas string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// A checkpoint that fails (the disk, another process's
			// exclusive lock) leaves the pages in the WAL, where they are
			// safe and read from: the next tick tries again.
			var busy, frames, copied int
			_ = c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		}
	}
}

// close stops the checkpointer; it may be called again. The last
// connection to close checkpoints what is left.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
