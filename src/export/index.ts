// Export as code: a trained pipeline as plain JavaScript, C99 or PyTorch, with its preprocessing inside.

export { exportJs } from './js.js';
export { exportC, type CExport, type CExportOptions } from './c.js';
export { exportTorch } from './torch.js';
export type { ExportSource } from './plan.js';
