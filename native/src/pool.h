/*
 * The native addon's helper threads (pool.c): a job cut into parts, run by the calling thread and the
 * helpers together.
 */
#ifndef MLPKIT_POOL_H
#define MLPKIT_POOL_H

/* The threads a job may use, the calling thread included (1 to POOL_MAX_THREADS). */
#define POOL_MAX_THREADS 8
void mlpkit_pool_threads(int threads);
int mlpkit_pool_wanted(void);

/*
 * Runs run(ctx, part, thread) for every part below `parts` (at most POOL_MAX_PARTS), on the calling thread
 * (thread 0) and the helpers (1 .. threads − 1), and returns once every part has finished. Cut a job into
 * more parts than threads: a helper that the machine or V8 keeps from running then delays the job by one
 * part, not by its share. Returns 0, running nothing, when the helpers are in use by another thread of the
 * process or cannot be started: the caller then does the work alone.
 */
#define POOL_MAX_PARTS 64
typedef void mlpkit_part_fn(void *ctx, int part, int thread);
int mlpkit_pool_run(mlpkit_part_fn *run, void *ctx, int parts);

#endif
