/**
 * Command line for the target benchmark (the product CLI integrates it later):
 *
 *   npx tsx src/target/main.ts OUT_DIR [--cpu cortex-m4|...|all] [--peer cmsis-nn] [--images DIR|CSV]
 *                              [--random N] [--seed S] [--json FILE] [--work DIR] [--no-layers]
 *
 * OUT_DIR is a converted folder (onnx2mcu convert ... --out OUT_DIR). Prints the side-by-side
 * table per CPU; --cpu all runs the five CPUs and ends with a summary. Errors: one line, exit 1.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { CPUS, type Cpu } from './boards.js';
import { benchTarget, formatBenchSummary, formatBenchTarget, type BenchTargetResult } from './bench_target.js';
import { TargetError } from './tools.js';

const USAGE = 'usage: npx tsx src/target/main.ts OUT_DIR [--cpu cortex-m0plus|cortex-m3|cortex-m4|cortex-m7|cortex-m55|all] [--peer cmsis-nn] [--images DIR|CSV] [--random N] [--seed S] [--json FILE] [--work DIR] [--no-layers]';

export async function main(argv: readonly string[]): Promise<number> {
  const o: Record<string, string> = {};
  const positional: string[] = [];
  let perLayer = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-layers') perLayer = false;
    else if (a.startsWith('--') && i + 1 < argv.length) o[a.slice(2)] = argv[++i];
    else if (a.startsWith('--')) {
      console.error(`${USAGE}\n(option ${a} needs a value)`);
      return 2;
    } else positional.push(a);
  }
  const known = new Set(['cpu', 'peer', 'images', 'random', 'seed', 'json', 'work']);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (positional.length !== 1 || unknown.length || (o.peer && o.peer !== 'cmsis-nn')) {
    console.error(`${USAGE}${unknown.length ? `\n(unknown option --${unknown[0]})` : ''}`);
    return 2;
  }
  const cpus: Cpu[] = o.cpu === 'all' ? [...CPUS] : [(o.cpu ?? 'cortex-m4') as Cpu];
  const results: BenchTargetResult[] = [];
  try {
    for (const cpu of cpus) {
      const r = await benchTarget(resolve(positional[0]), {
        cpu, peer: o.peer as 'cmsis-nn' | undefined, images: o.images, random: o.random === undefined ? undefined : Number(o.random),
        seed: o.seed === undefined ? undefined : Number(o.seed), work: o.work,
      });
      results.push(r);
      console.log(formatBenchTarget(r, { perLayer }) + '\n');
    }
  } catch (e) {
    // Tool, build, run and input errors (TargetError, the converter's UserError) are one line; others keep their stack.
    if (e instanceof TargetError || (e instanceof Error && e.name === 'UserError')) {
      console.error(`onnx2mcu target: ${e.message}`);
      return 1;
    }
    throw e;
  }
  if (results.length > 1) {
    process.stdout.write(formatBenchSummary(results, !!o.peer));
  }
  if (o.json) writeFileSync(o.json, JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  return results.every((r) => r.bitExact && (!r.peer || r.peer.bitExact)) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
