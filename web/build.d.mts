/** Build the playground into `outdir` (default dist/web); resolves to the folder written. */
export function buildWeb(outdir?: string): Promise<string>;
