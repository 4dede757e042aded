/**
 * What the command shows while it works, phase by phase: reading a file, caching it, training (epoch k/N),
 * scoring or predicting rows. Every phase tells its throughput (MB/s and rows/s while reading or caching,
 * rows/s while training, scoring or predicting) and an ETA: what is left divided by the throughput measured
 * so far in the phase. Four modes:
 *   tty    a live bar on stderr: the phase, its percentage, figures, throughput and ETA
 *   plain  occasional lines on stderr when stderr is not a terminal (logs, CI): one every few seconds and
 *          one at the end of each phase (a file under PLAIN_MIN_BYTES reads in silence); an epoch line
 *          about twenty times a run
 *   json   on stdout: {"event":"progress","phase":…} at most once a second per phase and once at its end
 *          (a phase over before its first second says nothing), one {"event":"epoch",…} per epoch, and a
 *          last {"event":"done",…}; nothing else there
 *   quiet  nothing but errors
 * Results (paths written, metrics) go to stdout in every mode but json and quiet.
 */

import { SingleBar } from 'cli-progress';
import type { BatchInfo, EpochRecord } from '../src/train/types.js';
import { err, out } from './output.js';

export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

export function outputMode(o: { quiet?: boolean; json?: boolean }): OutputMode {
  if (o.json === true) return 'json';
  if (o.quiet === true) return 'quiet';
  return process.stderr.isTTY === true ? 'tty' : 'plain';
}

/** The phases of a command's work. Reading and caching count bytes and rows; the others rows. */
export type PhaseName = 'reading' | 'caching' | 'training' | 'scoring' | 'predicting';

/** Where a phase is: bytes and rows so far, and their totals when known (null: unknown, as for stdin). */
export interface PhaseUpdate {
  readonly bytes?: number;
  readonly totalBytes?: number | null;
  readonly rows: number;
  readonly totalRows?: number | null;
}

export type PhaseUpdater = (p: PhaseUpdate) => void;

/** The clock and the pacing of the reports (the defaults but for tests). */
export interface ProgressOptions {
  /** Milliseconds on a monotonic clock (default performance.now). */
  readonly now?: () => number;
  /** The least time between two JSON progress events of a phase (default 1000, or MLPKIT_TEST_PROGRESS_INTERVAL_MS). */
  readonly jsonEveryMs?: number;
  /** The least time between two plain lines of a phase (default 5000). */
  readonly plainEveryMs?: number;
  /** A file smaller than this reads without plain lines (default PLAIN_MIN_BYTES). */
  readonly plainMinBytes?: number;
}

/** Files under 50 MiB read in a blink: no plain lines for them. */
export const PLAIN_MIN_BYTES = 50 * 1048576;
/** How often a tty bar is redrawn during training, at most (a batch can take microseconds). */
const BAR_EVERY_MS = 100;

const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));
const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A rate per second, null before any time has passed or anything was done. */
function perSecond(amount: number | null, seconds: number): number | null {
  return amount === null || amount <= 0 || seconds <= 0 ? null : amount / seconds;
}

/** The seconds left: what remains at the throughput measured so far (null when either is unknown). */
function etaSeconds(remaining: number | null, rate: number | null): number | null {
  return remaining === null || rate === null || rate <= 0 ? null : Math.max(0, remaining) / rate;
}

/** 4s, 3m 05s, 2h 07m; — when unknown. */
function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (t < 3600) return `${Math.floor(t / 60)}m ${pad(t % 60)}s`;
  return `${Math.floor(t / 3600)}h ${pad(Math.floor(t / 60) % 60)}m`;
}

/** A phase's figures at one moment: the JSON progress event without its "event" key. */
export interface PhaseFigures {
  readonly phase: PhaseName;
  readonly file?: string;
  readonly epoch?: number;
  readonly epochs?: number;
  readonly bytes?: number;
  readonly totalBytes?: number | null;
  readonly rows: number;
  readonly totalRows: number | null;
  readonly bytesPerSecond?: number | null;
  readonly rowsPerSecond?: number | null;
  readonly samplesPerSecond?: number | null;
  readonly etaSeconds: number | null;
  readonly seconds: number;
  /** True in the one event at the end of the phase. */
  readonly end: boolean;
}

/** A phase of reading, caching, scoring or predicting: bytes (if it reads) and rows. */
interface RowPhase {
  readonly kind: 'rows';
  readonly name: PhaseName;
  readonly file: string;
  readonly started: number;
  last: PhaseUpdate;
}

/** The training phase: epoch k of N, the rows of the epoch so far, the rows an epoch has (learned from the first one seen whole). */
interface TrainPhase {
  readonly kind: 'training';
  readonly name: 'training';
  readonly started: number;
  readonly epochs: number;
  /** The last epoch finished (0 before the first). */
  epoch: number;
  rowsInEpoch: number;
  rowsPerEpoch: number | null;
  /** Rows of training steps and epochs finished in this phase (a resumed run starts after its checkpoint). */
  samples: number;
  /**
   * When the first step ended, and its rows: throughput is measured from there, so that the time before
   * training proper (preprocessing, building the network) does not count as slow steps.
   */
  firstStep: { readonly at: number; readonly rows: number } | null;
  epochsSeen: number;
  /** The epochs are told after the fact (restarts on workers, the kept run's history): no ETA then. */
  readonly replayed: boolean;
  /** The first epoch of the phase seen from its first batch (rows per epoch are learned from it). */
  wholeEpoch: boolean;
  lastRecord: EpochRecord | null;
  lastRecordShown: boolean;
}

type Phase = RowPhase | TrainPhase;

/** Pacing and bar of the phase under way. */
interface Shown {
  lastJson: number;
  lastPlain: number;
  lastBar: number;
  reported: boolean;
  plainShown: boolean;
  bar: SingleBar | null;
}

/** The figures of a phase of bytes and rows, or of rows: throughput since it began, and what is left at that throughput. */
function rowFigures(p: { name: PhaseName; file: string; started: number; last: PhaseUpdate }, now: number, end: boolean): PhaseFigures {
  const seconds = (now - p.started) / 1000;
  const u = p.last;
  const totalRows = u.totalRows ?? null;
  const rowsPerSecond = perSecond(u.rows, seconds);
  if (u.bytes === undefined) {
    return { phase: p.name, file: p.file, rows: u.rows, totalRows, rowsPerSecond, etaSeconds: end ? 0 : etaSeconds(totalRows === null ? null : totalRows - u.rows, rowsPerSecond), seconds, end };
  }
  const totalBytes = u.totalBytes ?? null;
  const bytesPerSecond = perSecond(u.bytes, seconds);
  const eta = end ? 0 : etaSeconds(totalBytes === null ? null : totalBytes - u.bytes, bytesPerSecond);
  return { phase: p.name, file: p.file, bytes: u.bytes, totalBytes, rows: u.rows, totalRows, bytesPerSecond, rowsPerSecond, etaSeconds: eta, seconds, end };
}

/**
 * The figures of training: rows per second over the phase so far, and the time left for the rows left
 * (the rest of this epoch and the epochs after it); before the rows of an epoch are known, the epochs left
 * at the epochs per second so far.
 */
function trainFigures(t: TrainPhase, now: number, end: boolean): PhaseFigures {
  const seconds = (now - t.started) / 1000;
  const samplesPerSecond = t.firstStep === null ? null : perSecond(t.samples - t.firstStep.rows, (now - t.firstStep.at) / 1000);
  const left = Math.max(0, t.epochs - t.epoch);
  let eta: number | null;
  if (end) eta = 0;
  else if (t.replayed) eta = null;
  else if (t.rowsPerEpoch !== null && samplesPerSecond !== null) eta = etaSeconds(left * t.rowsPerEpoch - t.rowsInEpoch, samplesPerSecond);
  else eta = etaSeconds(left, perSecond(t.epochsSeen, seconds));
  return {
    phase: 'training', epoch: Math.min(t.epochs, t.epoch + (t.rowsInEpoch > 0 ? 1 : 0)), epochs: t.epochs,
    rows: t.rowsInEpoch, totalRows: t.rowsPerEpoch, samplesPerSecond, etaSeconds: eta, seconds, end,
  };
}

/** The figures as a line says them: "120.0 of 266.0 MB | 1,000,000 rows | 37.5 MB/s, 312,000 rows/s | ETA 4s" (at the end the seconds taken instead of the ETA). */
function figuresText(f: PhaseFigures): string {
  const parts: string[] = [];
  if (f.bytes !== undefined) parts.push(f.totalBytes == null ? mb(f.bytes) : `${mb(f.bytes)} of ${mb(f.totalBytes)}`);
  if (f.phase === 'training') {
    if (f.totalRows !== null && f.rows > 0 && !f.end) parts.push(`${count(f.rows)} of ${count(f.totalRows)} rows of the epoch`);
  } else {
    parts.push(f.totalRows === null ? `${count(f.rows)} rows` : `${count(f.rows)} of ${count(f.totalRows)} rows`);
  }
  const rates = [
    f.bytesPerSecond == null ? null : `${(f.bytesPerSecond / 1048576).toFixed(1)} MB/s`,
    f.rowsPerSecond == null ? null : `${count(f.rowsPerSecond)} rows/s`,
    f.samplesPerSecond == null ? null : `${count(f.samplesPerSecond)} rows/s`,
  ].filter((x) => x !== null);
  if (rates.length > 0) parts.push(rates.join(', '));
  parts.push(f.end ? `${f.seconds.toFixed(1)} s` : `ETA ${formatDuration(f.etaSeconds)}`);
  return parts.join(' | ');
}

/** The share of the phase done, when its total is known. */
function fractionOf(f: PhaseFigures): number | null {
  if (f.phase === 'training') {
    const e = f.epochs ?? 0;
    if (e <= 0) return null;
    const within = f.totalRows === null || f.totalRows === 0 ? 0 : f.rows / f.totalRows;
    return Math.min(1, (f.epoch! - (f.rows > 0 ? 1 : 0) + within) / e);
  }
  if (f.bytes !== undefined && f.totalBytes != null && f.totalBytes > 0) return Math.min(1, f.bytes / f.totalBytes);
  return f.totalRows === null || f.totalRows === 0 ? null : Math.min(1, f.rows / f.totalRows);
}

/** What the phase is called in a line: "reading iris.csv", "training: epoch 3/100". */
function phaseTitle(f: PhaseFigures): string {
  return f.phase === 'training' ? `training: epoch ${f.epoch}/${f.epochs}` : `${f.phase} ${f.file}`;
}

const testInterval = (): number | undefined => {
  const v = process.env.MLPKIT_TEST_PROGRESS_INTERVAL_MS;
  return v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
};

export class Progress {
  private readonly now: () => number;
  private readonly jsonEvery: number;
  private readonly plainEvery: number;
  private readonly plainMin: number;
  private current: Phase | null = null;
  private shown: Shown = Progress.freshShown(0);

  constructor(readonly mode: OutputMode, options: ProgressOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.jsonEvery = options.jsonEveryMs ?? testInterval() ?? 1000;
    this.plainEvery = options.plainEveryMs ?? 5000;
    this.plainMin = options.plainMinBytes ?? PLAIN_MIN_BYTES;
  }

  private static freshShown(t: number): Shown {
    return { lastJson: t, lastPlain: -Infinity, lastBar: -Infinity, reported: false, plainShown: false, bar: null };
  }

  /** A message for the user (stderr), shown in tty and plain modes. */
  note(message: string): void {
    if (this.mode === 'tty' || this.mode === 'plain') err(`${message}\n`);
  }

  /** A result line (stdout), shown unless quiet or json. */
  result(message: string): void {
    if (this.mode === 'tty' || this.mode === 'plain') out(`${message}\n`);
  }

  /**
   * Begin a phase of bytes and rows (reading, caching) or of rows (scoring, predicting) over `file` (a file
   * name, or what is scored); the updater is told where it is, `phaseDone()` ends it. A phase still under
   * way ends first.
   */
  phase(name: Exclude<PhaseName, 'training'>, file: string): PhaseUpdater {
    this.phaseDone();
    const p: RowPhase = { kind: 'rows', name, file, started: this.now(), last: { rows: 0 } };
    this.begin(p);
    return (u) => {
      if (this.current !== p) return;
      p.last = u;
      this.update();
    };
  }

  /** Do synchronous work as a phase: the updater for `work`, the phase ended when it returns or throws. */
  during<T>(name: Exclude<PhaseName, 'training'>, file: string, work: (report: PhaseUpdater) => T): T {
    const report = this.phase(name, file);
    try {
      const result = work(report);
      this.phaseDone();
      return result;
    } catch (e) {
      this.phaseDone('failed');
      throw e;
    }
  }

  /** End the phase under way: its last line or event (none when it failed: the error says why), and the bar put away. */
  phaseDone(how: 'done' | 'failed' = 'done'): void {
    const p = this.current;
    if (p === null) return;
    if (how === 'done') {
      if (p.kind === 'training') this.endTraining(p);
      else this.emit(rowFigures(p, this.now(), true));
    }
    this.shown.bar?.stop();
    this.current = null;
  }

  /** Begin training for `epochs` epochs; `replayed` when its epochs are told only after the runs (restarts). */
  trainStart(epochs: number, o: { readonly replayed?: boolean } = {}): void {
    this.phaseDone();
    this.begin({
      kind: 'training', name: 'training', started: this.now(), epochs, epoch: 0, rowsInEpoch: 0, rowsPerEpoch: null,
      samples: 0, firstStep: null, epochsSeen: 0, replayed: o.replayed === true, wholeEpoch: false, lastRecord: null, lastRecordShown: false,
    });
  }

  /** After each training step (fit's onBatchEnd): the rows so far, and a report when one is due. */
  batch(b: BatchInfo): void {
    const t = this.current;
    if (t === null || t.kind !== 'training') return;
    if (t.rowsInEpoch === 0 && b.batch === 1) t.wholeEpoch = true;
    t.rowsInEpoch += b.rows;
    t.samples += b.rows;
    if (t.firstStep === null) {
      // Nothing is said of training before its first step: the reports are paced from there.
      t.firstStep = { at: this.now(), rows: t.samples };
      this.shown.lastJson = t.firstStep.at;
    }
    this.update();
  }

  epoch(r: EpochRecord): void {
    const t = this.current;
    if (t === null || t.kind !== 'training') {
      if (this.mode === 'json') out(`${JSON.stringify({ event: 'epoch', ...r })}\n`);
      return;
    }
    if (t.wholeEpoch && t.rowsInEpoch > 0) t.rowsPerEpoch ??= t.rowsInEpoch;
    t.epoch = r.epoch;
    t.rowsInEpoch = 0;
    t.epochsSeen++;
    t.lastRecord = r;
    const f = trainFigures(t, this.now(), false);
    const metric = Object.entries(r.valMetrics ?? r.metrics)[0];
    const metricText = metric === undefined ? '' : `${r.valMetrics ? 'val ' : ''}${metric[0]} ${fmt(metric[1])}`;
    const line = `loss ${fmt(r.trainLoss)} | val loss ${fmt(r.valLoss)}${metricText === '' ? '' : ` | ${metricText}`}`;
    switch (this.mode) {
      case 'json':
        out(`${JSON.stringify({ event: 'epoch', ...r, phase: 'training', epochs: t.epochs, samplesPerSecond: f.samplesPerSecond, etaSeconds: f.etaSeconds })}\n`);
        // An epoch record is a report: the next progress event is a second after it.
        this.shown.lastJson = this.now();
        return;
      case 'tty':
        this.drawBar(f, line);
        return;
      case 'plain': {
        // About 20 lines for a whole run, plus the first epoch and the last.
        const every = Math.max(1, Math.round(t.epochs / 20));
        t.lastRecordShown = r.epoch === 1 || r.epoch % every === 0 || r.epoch === t.epochs;
        if (t.lastRecordShown) this.plainLine(`${phaseTitle(f)} | ${line} | ${figuresText(f)}`);
        return;
      }
      case 'quiet':
        return;
    }
  }

  trainDone(): void {
    if (this.current?.kind === 'training') this.phaseDone();
  }

  /** The last record of a --json run, `{ "event": "done", … }` (nothing in the other modes: they print results). */
  done(record: Readonly<Record<string, unknown>>): void {
    if (this.mode === 'json') out(`${JSON.stringify({ event: 'done', ...record })}\n`);
  }

  private begin(p: Phase): void {
    this.current = p;
    this.shown = Progress.freshShown(p.started);
    if (p.kind === 'training' && this.mode === 'tty') this.drawBar(trainFigures(p, p.started, false), 'loss — | val loss —');
    // The tty bar of a reading-like phase is made at its first update.
  }

  /** The figures of the phase under way. */
  private figures(): PhaseFigures | null {
    const p = this.current;
    if (p === null) return null;
    return p.kind === 'training' ? trainFigures(p, this.now(), false) : rowFigures(p, this.now(), false);
  }

  /** A report of the phase under way when one is due in this mode. */
  private update(): void {
    if (this.mode === 'quiet') return;
    const t = this.now();
    const s = this.shown;
    if (this.mode === 'json' && t - s.lastJson < this.jsonEvery) return;
    if (this.mode === 'plain' && (t - s.lastPlain < this.plainEvery || !this.plainWanted())) return;
    if (this.mode === 'tty' && this.current?.kind === 'training' && t - s.lastBar < BAR_EVERY_MS) return;
    const f = this.figures();
    if (f !== null) this.emit(f);
  }

  /** A file under the plain minimum says nothing in plain mode; a phase without bytes only after its first interval. */
  private plainWanted(): boolean {
    const p = this.current;
    if (p === null) return false;
    if (p.kind === 'rows' && p.last.bytes !== undefined) return (p.last.totalBytes ?? p.last.bytes) >= this.plainMin;
    return this.now() - p.started >= this.plainEvery;
  }

  /** Show figures in this mode: the bar, a line, or a JSON event (an end only for a phase that was reported). */
  private emit(f: PhaseFigures): void {
    const s = this.shown;
    const t = this.now();
    switch (this.mode) {
      case 'json':
        if (f.end && !s.reported) return;
        s.reported = true;
        s.lastJson = t;
        out(`${JSON.stringify({ event: 'progress', ...f })}\n`);
        return;
      case 'plain':
        if (f.end && !s.plainShown) return;
        this.plainLine(`${phaseTitle(f)}${f.end ? ' done' : ''} | ${figuresText(f)}`);
        return;
      case 'tty':
        if (!f.end) this.drawBar(f, null);
        return;
      case 'quiet':
        return;
    }
  }

  private plainLine(text: string): void {
    this.shown.plainShown = true;
    this.shown.lastPlain = this.now();
    err(`${text}\n`);
  }

  /** The training phase's end: in plain mode the last epoch's line if it was not shown (an early stop). */
  private endTraining(t: TrainPhase): void {
    if (this.mode === 'plain' && t.lastRecord !== null && !t.lastRecordShown) {
      const r = t.lastRecord;
      this.plainLine(`training done after epoch ${r.epoch}/${t.epochs} | loss ${fmt(r.trainLoss)} | val loss ${fmt(r.valLoss)} | ${figuresText(trainFigures(t, this.now(), true))}`);
    }
  }

  /** Draw the tty bar (made on first use): the phase, its percentage, the figures; `extra` (the losses) kept until replaced. */
  private drawBar(f: PhaseFigures, extra: string | null): void {
    const s = this.shown;
    s.lastBar = this.now();
    const training = f.phase === 'training';
    const fraction = fractionOf(f);
    const value = fraction === null ? 0 : Math.round(fraction * 1000);
    const payload: Record<string, string> = { title: phaseTitle(f), pct: fraction === null ? '—' : `${Math.floor(fraction * 100)}%`, figures: figuresText(f) };
    if (extra !== null) payload.extra = `${extra} | `;
    if (s.bar === null) {
      s.bar = new SingleBar({
        format: '{title} [{bar}] {pct} | {extra}{figures}',
        stream: process.stderr, hideCursor: true, clearOnComplete: !training,
      });
      s.bar.start(1000, value, { extra: '', ...payload });
    } else {
      s.bar.update(value, payload);
    }
  }
}
