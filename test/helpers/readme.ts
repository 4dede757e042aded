// The README's code blocks, classified for the tests that run them (test/readme.test.ts runs the JavaScript
// and TypeScript blocks against the sources; test/package/pack.test.ts runs them, the shell blocks and the
// HTML blocks against the packed package installed in a temporary project).
//
// The conventions a README author follows:
//   ```js / ```ts      a complete program; it is run, and a ```text block right after it is its exact output.
//   ```sh              commands run with bash -e in the temporary project (mlpkit installed, its bin on PATH);
//                      a ```text block right after it must appear in what the commands print.
//   ```html            a page served beside the installed package; it writes its result into the element
//                      with id "out", whose text must change from what the page starts with.
//   ```text            output or a listing: never run.
//   `# needs: WHAT` (or `// needs: WHAT`, `<!-- needs: WHAT -->`) on a block's first line: the block needs
//                      something the tests do not have (a clone of the repository, a service such as redis,
//                      the published package, a desktop browser), so it is listed as skipped, not run.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type BlockKind = 'program' | 'shell' | 'page' | 'output';

export interface ReadmeBlock {
  readonly kind: BlockKind;
  readonly lang: string;
  readonly code: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** What the block needs (from its `needs:` line), or null when the tests run it. */
  readonly needs: string | null;
  /** The output block right after it, or null. */
  readonly output: string | null;
}

const KINDS: Readonly<Record<string, BlockKind>> = {
  js: 'program', javascript: 'program', mjs: 'program', ts: 'program', typescript: 'program',
  sh: 'shell', bash: 'shell', shell: 'shell',
  html: 'page',
  text: 'output', console: 'output', output: 'output',
};

const NEEDS = /^\s*(?:#|\/\/|<!--)\s*needs:\s*(.+?)\s*(?:-->)?\s*$/;

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Every fenced block of a Markdown text; throws on a block with no language or an unknown one. */
export function readmeBlocks(markdown = readFileSync(README, 'utf8')): ReadmeBlock[] {
  const raw: { lang: string; code: string; line: number; endLine: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    raw.push({ lang: open[1]!, code: body.join('\n'), line: start + 1, endLine: i + 1 });
  }
  return raw.map((b, k) => {
    const kind = KINDS[b.lang];
    if (kind === undefined) throw new Error(`README.md line ${b.line}: the block's language '${b.lang}' is not one of ${Object.keys(KINDS).join(', ')} (tag output blocks \`\`\`text)`);
    const next = raw[k + 1];
    const adjacent = next !== undefined && KINDS[next.lang] === 'output' && lines.slice(b.endLine, next.line - 1).every((l) => l.trim() === '');
    return {
      kind, lang: b.lang, code: b.code, line: b.line,
      needs: NEEDS.exec(b.code.split('\n')[0] ?? '')?.[1] ?? null,
      output: kind !== 'output' && adjacent ? next.code : null,
    };
  });
}
