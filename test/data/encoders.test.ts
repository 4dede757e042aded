import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelEncoder, OneHotEncoder } from '../../src/data/encoders.js';

test('LabelEncoder numbers classes in sorted label order', () => {
  const enc = new LabelEncoder();
  assert.deepEqual(Array.from(enc.fitTransform(['virginica', 'setosa', 'versicolor', 'setosa'])), [2, 0, 1, 0]);
  assert.deepEqual(enc.classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(enc.inverseTransform([1, 2, 0]), ['versicolor', 'virginica', 'setosa']);
  assert.deepEqual(Array.from(new LabelEncoder().fitTransform([10, -3, 10, 2])), [2, 0, 2, 1]);
});

test('LabelEncoder refuses a label unseen in training, naming row and label', () => {
  const enc = new LabelEncoder().fit(['cat', 'dog']);
  assert.throws(() => enc.transform(['dog', 'cow']), /y: row 1 has class "cow", not seen in training \(known: "cat", "dog"\)/);
});

test('LabelEncoder refuses a mix of label types, naming the row', () => {
  assert.throws(() => new LabelEncoder().fit([0, 1, '1']), /row 2 is the string "1" but row 0 is 0; class labels must be all numbers or all strings/);
  const enc = new LabelEncoder().fit([0, 1]);
  assert.throws(() => enc.transform(['0']), /labels are strings but the classes seen in training are numbers/);
});

test('LabelEncoder one-hot targets have a single 1 in the class column', () => {
  const m = new LabelEncoder().fit(['b', 'a', 'c']).oneHot(['c', 'a'], 'float32');
  assert.equal(m.cols, 3);
  assert.ok(m.data instanceof Float32Array);
  assert.deepEqual(Array.from(m.data), [0, 0, 1, 1, 0, 0]);
});

test('LabelEncoder survives JSON and fromJSON rejects unsorted classes', () => {
  const enc = new LabelEncoder().fit([3, 1, 2]);
  const back = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
  assert.deepEqual(back.classes, [1, 2, 3]);
  assert.deepEqual(Array.from(back.transform([3, 1])), [2, 0]);
  assert.throws(() => LabelEncoder.fromJSON({ kind: 'label', classes: [2, 1] }), /LabelEncoder\.classes: must be sorted and distinct, but entry 1 is 1/);
});

const TABLE = [
  [1.5, 'red', 10, 'S'],
  [2.5, 'green', 20, 'M'],
  [3.5, 'red', 30, 'L'],
];

test('OneHotEncoder expands string columns in place and passes numeric columns through', () => {
  const enc = new OneHotEncoder().fit(TABLE);
  assert.equal(enc.nFeaturesOut, 1 + 2 + 1 + 3);
  assert.deepEqual(enc.featureNamesOut(['size', 'colour', 'price', 'fit']),
    ['size', 'colour=green', 'colour=red', 'price', 'fit=L', 'fit=M', 'fit=S']);
  const z = enc.transform([[9, 'green', 7, 'L']]);
  assert.deepEqual(Array.from(z.data), [9, 1, 0, 7, 1, 0, 0]);
});

test('OneHotEncoder encodes numeric category codes when their column is listed', () => {
  const enc = new OneHotEncoder({ columns: [1] }).fit([[0.5, 3], [0.25, 1], [0.75, 3]]);
  assert.deepEqual(Array.from(enc.transform([[1, 1], [2, 3]]).data), [1, 1, 0, 2, 0, 1]);
});

test('an unseen category is an error naming row, column and category', () => {
  const enc = new OneHotEncoder().fit(TABLE);
  assert.throws(() => enc.transform([[1, 'blue', 5, 'S']]),
    /x: row 0, column 1 has category "blue", not seen in training \(known: "green", "red"\)/);
});

test("handleUnknown 'ignore' encodes an unseen category as all zeros", () => {
  const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(TABLE);
  assert.deepEqual(Array.from(enc.transform([[1, 'blue', 5, 'XL']]).data), [1, 0, 0, 5, 0, 0, 0]);
  assert.deepEqual(enc.inverseTransform(enc.transform([[1, 'blue', 5, 'M']])), [[1, null, 5, 'M']]);
});

test('OneHotEncoder inverseTransform recovers the table', () => {
  const enc = new OneHotEncoder().fit(TABLE);
  assert.deepEqual(enc.inverseTransform(enc.transform(TABLE)), TABLE);
});

test('OneHotEncoder refuses a non-number in a pass-through column and a wrong width', () => {
  const enc = new OneHotEncoder({ columns: [1] }).fit([[1, 'a'], [2, 'b']]);
  assert.throws(() => enc.transform([[Number.NaN, 'a']]), /x: row 0, column 0 is NaN; a numeric column must hold finite numbers/);
  assert.throws(() => enc.transform([[1, 'a', 3]]), /x: row 0 has 3 values, expected 2 \(the width seen in training\)/);
  assert.throws(() => new OneHotEncoder().fit([[1, 'a'], [2, 3]]), /column 1: row 1 is 3 but row 0 is the string "a"/);
});

test('OneHotEncoder survives JSON exactly', () => {
  const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(TABLE);
  const back = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
  assert.deepEqual(back.toJSON(), enc.toJSON());
  assert.deepEqual(Array.from(back.transform(TABLE).data), Array.from(enc.transform(TABLE).data));
  assert.throws(() => OneHotEncoder.fromJSON({ ...enc.toJSON(), categories: [{ column: 9, values: ['a'] }] }),
    /OneHotEncoder\.categories\[0\]\.column: expected an integer in 0\.\.3/);
});
