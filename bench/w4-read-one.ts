// One W4 read in a fresh process: readTableFile on the file named on the command line; prints one JSON line.
import { readTableFile } from '../src/node.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: w4-read-one.ts FILE');
const c0 = process.cpuUsage();
const t0 = performance.now();
const table = await readTableFile(path);
const seconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
process.stdout.write(`${JSON.stringify({
  reader: 'mlpkit', rows: table.rows, seconds, cpu_seconds: (c.user + c.system) / 1e6,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), types: table.columns.map((x) => x.type).join(','),
})}\n`);
