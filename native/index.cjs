'use strict';
// Loads the addon built by install.mjs. When it was not built, the error says why (build/skipped.txt).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const addon = join(__dirname, 'build', 'Release', 'mlpkit_native.node');
if (!existsSync(addon)) {
  const skipped = join(__dirname, 'build', 'skipped.txt');
  const why = existsSync(skipped) ? readFileSync(skipped, 'utf8').trim() : 'the addon was never built';
  const err = new Error(`@mlpkit/native is not built: ${why}`);
  err.code = 'MLPKIT_NATIVE_NOT_BUILT';
  throw err;
}
module.exports = require(addon);
