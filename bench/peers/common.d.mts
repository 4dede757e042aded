// Types of the parts of common.mjs that bench/mlpkit.ts shares with the JavaScript peers' harnesses.

/** Over a timed section: cores other processes used, the hypervisor's steal, and this process's own cores. */
export function cpuWindow(): () => { foreign_cores: number; steal_cores: number; own_cores: number };

/** How this process runs, as it sees itself: allowed cores, V8's flags, the OpenBLAS variables it started with. */
export function processFacts(): { cpus_allowed: string | null; node_flags: string[]; openblas_env_seen: Record<string, string | null> };

/** Peak resident memory of this process in MB (Linux's VmHWM, which starts afresh at exec). */
export function peakRssMb(): number;
