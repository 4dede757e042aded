// The bundled data sets (`mlpkit/datasets`): the real tables (iris, wine, breast-cancer, diabetes) and the
// generated sets by name. An entry of its own, so the tables stay out of bundles that do not ask for them;
// the generators themselves (xor, twoSpirals, …) are also exported from `mlpkit`.

export { loadDataset, listDatasets, type Dataset, type DatasetInfo, type DatasetOptions } from './data/datasets.js';
