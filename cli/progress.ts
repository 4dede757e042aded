/**
 * What the command shows while it works. Four modes:
 *   tty    a live bar on stderr (reading: bytes and rows; training: epoch, loss, validation metric, ETA)
 *   plain  occasional lines on stderr when stderr is not a terminal (logs, CI)
 *   json   one JSON object per epoch on stdout ({"event":"epoch",…}) and a last {"event":"done",…}, nothing else there
 *   quiet  nothing but errors
 * Results (paths written, metrics) go to stdout in every mode but json and quiet.
 */

import { SingleBar } from 'cli-progress';
import type { EpochRecord } from '../src/train/types.js';
import { err, out } from './output.js';

export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

export function outputMode(o: { quiet?: boolean; json?: boolean }): OutputMode {
  if (o.json === true) return 'json';
  if (o.quiet === true) return 'quiet';
  return process.stderr.isTTY === true ? 'tty' : 'plain';
}

const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));

export class Progress {
  private bar: SingleBar | null = null;
  private lastLine = 0;
  private epochs = 0;

  constructor(readonly mode: OutputMode) {}

  /** A message for the user (stderr), shown in tty and plain modes. */
  note(message: string): void {
    if (this.mode === 'tty' || this.mode === 'plain') err(`${message}\n`);
  }

  /** A result line (stdout), shown unless quiet or json. */
  result(message: string): void {
    if (this.mode === 'tty' || this.mode === 'plain') out(`${message}\n`);
  }

  readProgress(file: string): (bytes: number, total: number, rows: number) => void {
    if (this.mode === 'tty') {
      return (bytes, total, rows) => {
        if (this.bar === null) {
          this.bar = new SingleBar({
            format: `reading ${file} [{bar}] {percentage}% | {mb} of {totalMb} | {rows} rows | ETA {eta_formatted}`,
            stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 20,
          });
          this.bar.start(Math.max(1, total), 0, { mb: mb(0), totalMb: mb(total), rows: 0 });
        }
        this.bar.update(bytes, { mb: mb(bytes), totalMb: mb(total), rows: rows.toLocaleString('en-US') });
      };
    }
    if (this.mode === 'plain') {
      return (bytes, total, rows) => {
        const now = Date.now();
        // Small files read in a blink; large ones report every few seconds.
        if (total < 50 * 1048576 || now - this.lastLine < 5000) return;
        this.lastLine = now;
        err(`reading ${file}: ${mb(bytes)} of ${mb(total)}, ${rows} rows\n`);
      };
    }
    return () => undefined;
  }

  readDone(): void {
    this.bar?.stop();
    this.bar = null;
  }

  trainStart(epochs: number): void {
    this.epochs = epochs;
    this.lastLine = 0;
    if (this.mode === 'tty') {
      this.bar = new SingleBar({
        format: 'epoch {value}/{total} [{bar}] loss {loss} | val loss {val} | {metric} | ETA {eta_formatted}',
        stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 10,
      });
      this.bar.start(epochs, 0, { loss: '—', val: '—', metric: '' });
    }
  }

  epoch(r: EpochRecord): void {
    const metric = Object.entries(r.valMetrics ?? r.metrics)[0];
    const metricText = metric === undefined ? '' : `${r.valMetrics ? 'val ' : ''}${metric[0]} ${fmt(metric[1])}`;
    switch (this.mode) {
      case 'json':
        out(`${JSON.stringify({ event: 'epoch', ...r })}\n`);
        return;
      case 'tty':
        this.bar?.update(r.epoch, { loss: fmt(r.trainLoss), val: fmt(r.valLoss), metric: metricText });
        return;
      case 'plain': {
        // About 20 lines for a whole run, plus the first epoch.
        const every = Math.max(1, Math.round(this.epochs / 20));
        if (r.epoch === 1 || r.epoch % every === 0 || r.epoch === this.epochs) {
          err(`epoch ${r.epoch}/${this.epochs}  loss ${fmt(r.trainLoss)}  val loss ${fmt(r.valLoss)}  ${metricText}\n`);
        }
        return;
      }
      case 'quiet':
        return;
    }
  }

  /** The last record of a --json run, `{ "event": "done", … }` (nothing in the other modes: they print results). */
  done(record: Readonly<Record<string, unknown>>): void {
    if (this.mode === 'json') out(`${JSON.stringify({ event: 'done', ...record })}\n`);
  }

  trainDone(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
