/** The emit stage's check and text dump: the files a runner needs are there and the manifest lists them all. */
import { sha256 } from '../artifacts/manifest.js';
import type { Artifacts } from './emit.js';
import { cNames } from './model_c.js';

export function checkArtifacts(a: Artifacts): void {
  const n = cNames(a.manifest.prefix);
  for (const f of [n.header, n.source, n.weightsHeader, n.weightsSource, 'weights.bin', 'manifest.json']) {
    if (!a.files.has(f)) throw new Error(`emit: ${f} missing from the artifacts`);
  }
  for (const [name, data] of a.files) {
    if (name === 'manifest.json') continue;
    const m = a.manifest.files[name];
    if (!m || m.bytes !== data.length || m.sha256 !== sha256(data)) throw new Error(`emit: manifest.json does not describe ${name} as written`);
  }
}

export function dumpArtifacts(a: Artifacts): string {
  const lines = [`${a.files.size} files (prefix ${a.manifest.prefix}), arena ${a.manifest.arena.bytes} bytes, flash constants ${a.manifest.flash.total} bytes`, ''];
  for (const [name, data] of a.files) lines.push(`${String(data.length).padStart(9)}  ${name === 'manifest.json' ? '(this manifest)' : sha256(data).slice(0, 16)}  ${name}`);
  return lines.join('\n') + '\n';
}
