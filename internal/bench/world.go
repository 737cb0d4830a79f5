package bench

import "context"

type world struct{}

func (b *runner) world(ctx context.Context) (*world, error)                 { return &world{}, nil }
func (b *runner) dashboard(ctx context.Context, w *world) ([]Result, error) { return nil, nil }
func (b *runner) inbox(ctx context.Context, w *world) (Result, error)       { return Result{}, nil }
func (b *runner) search(ctx context.Context, w *world) (Result, error)      { return Result{}, nil }
func (b *runner) export(ctx context.Context, w *world) ([]Result, error)    { return nil, nil }
