// Names both sides of the queue agree on.

/** The BullMQ queue of trials. */
export const QUEUE = 'mlpkit-trials';
/** Prefix of the data bundles' keys. */
export const DATA_PREFIX = 'mlpkit:';
/** Attempts of one trial when a worker cannot fetch its data (a failure of the trial itself is not retried). */
export const ATTEMPTS = 5;
/** Times a trial may lose its worker (killed, machine gone) and be given to another before it fails. */
export const MAX_STALLS = 3;
