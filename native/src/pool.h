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
 * Runs run(ctx, part) for every part below `parts` (at most the threads asked for), on the calling thread
 * and the helpers, and returns once every part has finished. Returns 0, running nothing, when the helpers
 * are in use by another thread of the process or cannot be started: the caller then does the work alone.
 */
typedef void mlpkit_part_fn(void *ctx, int part);
int mlpkit_pool_run(mlpkit_part_fn *run, void *ctx, int parts);

#endif
