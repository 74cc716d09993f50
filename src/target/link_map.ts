/**
 * Reads a GNU ld link map (-Wl,-Map=FILE): every input section that was linked (after
 * --gc-sections), with the output section it went to, its size and the object or archive member it
 * came from; and which archive members were pulled in by which object for which symbol. The sizes
 * the benchmark reports are sums over these, so they count exactly what is in the linked image.
 */

export interface LinkedSection {
  /** Output section: .text, .rodata, .data, .bss, ... */
  readonly output: string;
  /** Input section name, e.g. .text.run_layers or .rodata.conv2d_weights. */
  readonly input: string;
  readonly address: number;
  readonly size: number;
  /** Object file as given to the linker, or "lib.a(member.o)". */
  readonly file: string;
}

export interface ArchiveReference {
  /** "lib.a(member.o)" */
  readonly member: string;
  /** The object (or member) whose reference pulled it in. */
  readonly by: string;
  readonly symbol: string;
}

export interface LinkMap {
  readonly sections: readonly LinkedSection[];
  readonly archiveReferences: readonly ArchiveReference[];
}

const INPUT_FULL = /^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/;
const INPUT_NAME = /^ (\S+)$/;
const INPUT_REST = /^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/;
const OUTPUT_HEAD = /^(\.\S*|\/DISCARD\/)(?:\s.*)?$/;

export function parseLinkMap(text: string): LinkMap {
  const lines = text.split('\n');
  const archiveReferences: ArchiveReference[] = [];
  const sections: LinkedSection[] = [];
  let i = 0;
  // "Archive member included to satisfy reference by file (symbol)": member line, then "   by (symbol)".
  const arStart = lines.findIndex((l) => l.startsWith('Archive member included'));
  if (arStart >= 0) {
    for (i = arStart + 1; i < lines.length && !/^(Discarded input sections|Memory Configuration|Allocating common symbols)/.test(lines[i]); i++) {
      const member = lines[i];
      if (!member.trim() || /^\s/.test(member)) continue;
      const m = /^\s+(\S.*)\s+\((.+)\)$/.exec(lines[i + 1] ?? '');
      if (m) {
        archiveReferences.push({ member: member.trim(), by: m[1].trim(), symbol: m[2] });
        i++;
      }
    }
  }
  const start = lines.findIndex((l) => l.startsWith('Linker script and memory map'));
  if (start < 0) throw new Error('link map: no "Linker script and memory map" part');
  let output = '';
  for (i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith(' ')) {
      const h = OUTPUT_HEAD.exec(line);
      if (h) output = h[1];
      continue;
    }
    if (line.startsWith(' *') || line.startsWith('  ')) continue; // patterns, *fill*, symbol and assignment lines
    let m = INPUT_FULL.exec(line);
    if (m) {
      sections.push({ output, input: m[1], address: parseInt(m[2], 16), size: parseInt(m[3], 16), file: m[4].trim() });
      continue;
    }
    m = INPUT_NAME.exec(line);
    const rest = m ? INPUT_REST.exec(lines[i + 1] ?? '') : null;
    if (m && rest) {
      sections.push({ output, input: m[1], address: parseInt(rest[1], 16), size: parseInt(rest[2], 16), file: rest[3].trim() });
      i++;
    }
  }
  return { sections: sections.filter((s) => s.size > 0 && s.output !== '/DISCARD/'), archiveReferences };
}

export interface SizeByKind {
  /** Input sections in .text (code). */
  readonly code: number;
  /** In .rodata (constants: weights, parameter structs, tables). */
  readonly rodata: number;
  /** Initialised data (.data: in RAM, with a copy in flash). */
  readonly data: number;
  /** Zero-initialised data (.bss: the arenas). */
  readonly bss: number;
}

/** Sums the linked sections whose file matches `select`, by kind. */
export function sizeOf(map: LinkMap, select: (file: string) => boolean): SizeByKind {
  const acc = { code: 0, rodata: 0, data: 0, bss: 0 };
  for (const s of map.sections) {
    if (!select(s.file)) continue;
    if (s.output === '.text') acc.code += s.size;
    else if (s.output === '.rodata') acc.rodata += s.size;
    else if (s.output === '.data') acc.data += s.size;
    else if (s.output === '.bss') acc.bss += s.size;
  }
  return acc;
}

/** Library members (libgcc, newlib) that the selected objects pulled in directly, with their code size. */
export function libraryHelpers(map: LinkMap, select: (file: string) => boolean): { member: string; symbol: string; code: number }[] {
  const seen = new Map<string, { member: string; symbol: string; code: number }>();
  for (const r of map.archiveReferences) {
    if (!select(r.by) || select(r.member) || seen.has(r.member)) continue; // the runner's own archive members are its code
    const code = map.sections.filter((s) => s.file === r.member && s.output === '.text').reduce((a, s) => a + s.size, 0);
    seen.set(r.member, { member: r.member, symbol: r.symbol, code });
  }
  return [...seen.values()];
}
