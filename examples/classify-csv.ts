// Tabular classification from a CSV file: read the rows, hold out a stratified test set, train an
// MLPClassifier (scikit-learn's options), score it, and save the model file that `mlpkit predict` reads.
// Run: npx tsx examples/classify-csv.ts [data.csv] [target-column]   (default: the iris file beside this one)
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MLPClassifier, Rng, accuracy, confusionMatrix, trainTestSplit, takeRows } from 'mlpkit';
import { saveModelFile } from 'mlpkit/node';

const file = process.argv[2] ?? fileURLToPath(new URL('data/iris.csv', import.meta.url));
const target = process.argv[3] ?? 'species';

// A plain numeric CSV with one label column (the `mlpkit train` command reads any CSV, with categories
// and missing cells; this keeps the example to the library).
const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
const names = header!.split(',');
const t = names.indexOf(target);
if (t < 0) throw new Error(`${file}: no column '${target}' (columns: ${names.join(', ')})`);
const rows = lines.map((line) => line.split(','));
const x = rows.map((r) => r.filter((_, j) => j !== t).map(Number));
const y = rows.map((r) => r[t]!);

const split = trainTestSplit(x.length, new Rng(0), { testSize: 0.25, stratify: y });
const clf = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 300, learningRateInit: 0.01, randomState: 0 });
await clf.fit(takeRows(x, split.train), takeRows(y, split.train));

const xTest = takeRows(x, split.test);
const yTest = takeRows(y, split.test);
const predicted = clf.predict(xTest);
console.log(`${file}: ${x.length} rows, ${x[0]!.length} features, target '${target}'`);
console.log(`test accuracy ${accuracy(yTest, predicted).toFixed(3)} on ${yTest.length} rows`);
const cm = confusionMatrix(yTest, predicted);
console.log('confusion matrix (rows: true, columns: predicted)');
for (const [i, row] of cm.matrix.entries()) console.log(`  ${String(cm.labels[i]).padEnd(12)} ${row.map((c) => String(c).padStart(3)).join(' ')}`);

const out = join(tmpdir(), 'mlpkit-example-classifier.json');
await saveModelFile(out, clf.toJSON());
console.log(`model written to ${out} (try: npx mlpkit info ${out})`);
