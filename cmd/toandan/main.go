// Command toandan runs the toandan system: the web application and API
// (serve) and the operator's commands (migrate, geo import, user, audit).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"toandan/internal/app"
	"toandan/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fi, err := os.Stdin.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	cli := &app.CLI{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, StdinIsTerminal: tty, Bench: bench.Command}
	os.Exit(cli.Run(ctx, os.Args[1:]))
}
