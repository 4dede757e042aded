/*
 * The native addon's helper threads. A job is cut into parts by its caller; the calling thread runs part 0
 * and then takes any part no helper has started, so a helper that the machine's other load keeps from
 * running costs a wait only for a part it has begun. Helpers spin a while after a part (in a training step
 * the next product follows within microseconds), then sleep on a condition variable. On Linux each helper is
 * pinned to a CPU the process may use other than the caller's when it started: unpinned, a spinning helper
 * and the caller shared one core in a tenth of the products (128×256×784 at two threads: 90th percentile
 * 443 µs, the one-thread time, against 240 pinned).
 *
 * One job at a time in the process: a second thread (a Node worker's) that finds the helpers busy is told
 * so and works alone.
 */
#define _GNU_SOURCE
#include "pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RELAX() _mm_pause()
#else
#define RELAX() ((void)0)
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#define HELPER_SPINS 40000 /* about 1 ms of pause instructions on a Zen 4 */

/*
 * One step of a spinning wait. Every 256th gives the core away: a thread spinning on a core that also holds
 * the thread it waits for (or one of V8's) would otherwise keep it from running for a whole time slice.
 */
static inline void spin_step(long spin) {
  RELAX();
  if ((spin & 255) == 255) sched_yield();
}

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static mlpkit_part_fn *job_run = NULL;
static void *job_ctx = NULL;
static atomic_uint_fast64_t published = 0; /* jobs published so far */
/* The current job's claims in one word: its part count above bit 32, the next part to take below it. A claim
 * below the count is of the current job: the next one is published only once every part of it has finished. */
static atomic_uint_fast64_t claims = 0;
static atomic_int finished = 0, sleepers = 0;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static int helpers = 0;
static atomic_int wanted = 1;

void mlpkit_pool_threads(int threads) {
  atomic_store(&wanted, threads < 1 ? 1 : threads > POOL_MAX_THREADS ? POOL_MAX_THREADS : threads);
}

int mlpkit_pool_wanted(void) { return atomic_load(&wanted); }

/* Claims and runs parts of the current job until none is left. */
static void take_parts(int thread) {
  for (;;) {
    const uint_fast64_t claim = atomic_fetch_add(&claims, 1);
    const uint32_t part = (uint32_t)claim;
    if (part >= (uint32_t)(claim >> 32)) return;
    job_run(job_ctx, (int)part, thread);
    atomic_fetch_add(&finished, 1);
  }
}

static void *helper_main(void *arg) {
  const int thread = (int)(intptr_t)arg;
  uint_fast64_t seen = atomic_load(&published);
  for (;;) {
    for (long spin = 0; spin < HELPER_SPINS && atomic_load(&published) == seen; spin++) spin_step(spin);
    if (atomic_load(&published) == seen) {
      pthread_mutex_lock(&wake_lock);
      atomic_fetch_add(&sleepers, 1);
      while (atomic_load(&published) == seen) pthread_cond_wait(&wake, &wake_lock);
      atomic_fetch_sub(&sleepers, 1);
      pthread_mutex_unlock(&wake_lock);
    }
    seen = atomic_load(&published);
    take_parts(thread);
  }
  return NULL;
}

#ifdef __linux__
/* Helper i onto the i-th CPU the process may use after the one the caller runs on. */
static void pin_helper(pthread_t t, int i) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  const int here = sched_getcpu();
  int seen = 0;
  for (int c = 0; c < CPU_SETSIZE; c++) {
    if (!CPU_ISSET(c, &allowed) || c == here) continue;
    if (++seen == i) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(c, &one);
      pthread_setaffinity_np(t, sizeof one, &one);
      return;
    }
  }
}
#endif

/* Helpers up to `threads` − 1 (started once, kept for the process's life); how many there are. */
static int ensure_helpers(int threads) {
  while (helpers + 1 < threads) {
    pthread_t t;
    if (pthread_create(&t, NULL, helper_main, (void *)(intptr_t)(helpers + 1)) != 0) break;
    pthread_detach(t);
    helpers++;
#ifdef __linux__
    pin_helper(t, helpers);
#endif
  }
  return helpers;
}

int mlpkit_pool_run(mlpkit_part_fn *run, void *ctx, int parts) {
  if (parts < 2 || parts > POOL_MAX_PARTS || atomic_flag_test_and_set(&busy)) return 0;
  if (ensure_helpers(atomic_load(&wanted)) == 0) {
    atomic_flag_clear(&busy);
    return 0;
  }
  job_run = run;
  job_ctx = ctx;
  atomic_store(&finished, 0);
  atomic_store(&claims, (uint_fast64_t)parts << 32);
  atomic_fetch_add(&published, 1);
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&wake_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&wake_lock);
  }
  take_parts(0);
  for (long spin = 0; atomic_load(&finished) < parts; spin++) spin_step(spin);
  atomic_flag_clear(&busy);
  return 1;
}
