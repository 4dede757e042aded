// The kernels the command runs on: importing this first makes a test process compile the WebAssembly
// kernels as `mlpkit` does (relaxed SIMD where V8 has it), so a local reference run and the runs of
// `mlpkit worker` processes are computed by the same instructions and can be compared bit for bit.
import { enableRelaxedSimd } from '../../src/node/native.js';

enableRelaxedSimd();
