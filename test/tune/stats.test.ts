import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, meanSd, pairedTTest, studentTwoSided, wilcoxonSignedRank } from '../../src/tune/stats.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('log Γ matches factorials and Γ(½) = √π', () => {
  close(logGamma(10), Math.log(362880), 1e-14, 'Γ(10)');
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'Γ(½)');
});

test('Student t two-sided p-values equal scipy.stats.t.sf·2', () => {
  // scipy 1.10: 2·t.sf(2.5, 7), 2·t.sf(0.3, 3), 2·t.sf(12, 29).
  close(studentTwoSided(2.5, 7), 0.040992218585752874, 1e-12, 't=2.5, df=7');
  close(studentTwoSided(-0.3, 3), 0.783763292039919, 1e-12, 't=−0.3, df=3');
  close(studentTwoSided(12, 29), 9.060708333137178e-13, 1e-9, 't=12, df=29');
});

test('the paired t-test equals scipy.stats.ttest_1samp on the differences', () => {
  const d = [0.012, -0.004, 0.02, 0.015, 0.008, 0, 0.011, -0.002, 0.017, 0.009];
  const r = pairedTTest(d);
  close(r.t, 3.31861963282516, 1e-12, 't');
  close(r.p, 0.008959997163403859, 1e-10, 'p');
  assert.equal(r.df, 9);
  assert.equal(pairedTTest([0, 0, 0]).p, 1);
});

test('Wilcoxon signed-rank: exact p equal to scipy without ties, and to full enumeration with ties', () => {
  // scipy.stats.wilcoxon(non-zero d, method='exact'): statistic 3, p = 0.01953125. The zero is dropped.
  const r = wilcoxonSignedRank([0.012, -0.004, 0.02, 0.015, 0.008, 0, 0.011, -0.002, 0.017, 0.009]);
  assert.equal(r.n, 9);
  assert.equal(r.wMinus, 3);
  assert.equal(r.p, 0.01953125);
  // Ties (average ranks): all 2⁸ sign patterns enumerated give 2·30/256.
  const t = wilcoxonSignedRank([1, 2, 2, -3, 4, 4, 4, -1]);
  assert.equal(t.wPlus, 29.5);
  assert.equal(t.p, 0.1171875);
  assert.equal(wilcoxonSignedRank([0, 0]).p, 1);
});

test('mean ± sample sd', () => {
  const { mean, sd } = meanSd([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  close(sd, Math.sqrt(5 / 3), 1e-15, 'sd');
});
