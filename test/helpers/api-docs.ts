// The public API as the package's entries export it, and which exports carry no doc comment. Used by
// test/docs/documented.test.ts; typedoc (npm run docs) renders the same comments.
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The source file of each entry in package.json's "exports" that has types. */
export const ENTRIES: readonly string[] = ['src/index.ts', 'src/datasets.ts', 'src/onnx.ts', 'src/node.ts', 'src/queue.ts', 'src/report/report.ts'];

export interface Undocumented { readonly entry: string; readonly name: string; readonly file: string; readonly line: number }

function documented(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  if (symbol.getDocumentationComment(checker).length > 0) return true;
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

/** Every export of every entry with no doc comment on its declaration. */
export function undocumentedExports(): Undocumented[] {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile.bind(ts.sys));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(ENTRIES.map((e) => join(root, e)), { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out: Undocumented[] = [];
  for (const entry of ENTRIES) {
    const sf = program.getSourceFile(join(root, entry))!;
    const moduleSymbol = checker.getSymbolAtLocation(sf)!;
    for (const exp of checker.getExportsOfModule(moduleSymbol)) {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (documented(target, checker)) continue;
      const decl = target.declarations?.[0];
      const file = decl?.getSourceFile();
      out.push({
        entry, name: exp.name,
        file: file === undefined ? '?' : file.fileName.slice(root.length),
        line: file === undefined || decl === undefined ? 0 : file.getLineAndCharacterOfPosition(decl.getStart()).line + 1,
      });
    }
  }
  return out;
}
