// npm run gradcheck: every layer, activation and loss against float64 finite differences.
// The last line is one JSON object {"checked": N, "maxRelError": x} over all components checked.
import { runGradCheckSuite } from '../src/gradcheck-suite.js';

const summary = runGradCheckSuite();
const width = Math.max(...summary.cases.map((c) => c.name.length));
for (const c of summary.cases) {
  const flag = c.maxRelError <= 1e-6 ? 'ok  ' : 'FAIL';
  console.log(`${flag} ${c.name.padEnd(width)}  ${String(c.checked).padStart(4)} components  max rel. error ${c.maxRelError.toExponential(2)}${c.skippedAtKinks > 0 ? `  (${c.skippedAtKinks} at kinks)` : ''}`);
}
console.log(JSON.stringify({ checked: summary.checked, maxRelError: summary.maxRelError, skippedAtKinks: summary.skippedAtKinks, cases: summary.cases.length }));
process.exitCode = summary.maxRelError <= 1e-6 ? 0 : 1;
