/**
 * Bad TF.js models: each is a one-line UserError that names the file and the field or node at
 * fault, never a raw Node error, and never a hang (a FIFO given as a shard is refused at once).
 * Variants are made in a temp folder from a real fixture (model.json edited, shards truncated)
 * and from a tiny hand-made model.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../util/errors.js';
import { HAVE_SHARED, skipMessage } from '../util/shared.js';
import { TFJS_FIXTURES } from './fixtures.js';
import { importTfjs, isTfjsModelPath } from './import.js';
import type { GraphModelSpec, NodeJson } from './testing.js';
import { attr, constNode, convAttrs, floatWeight, placeholder, tfNode, writeGraphModel } from './testing.js';

skipMessage('bad variants of the real TF.js fixtures');

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-tfjs-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

/** The UserError importTfjs throws for `path`: one line, starting with `file`, containing every fragment. */
function importError(path: string, file: string, ...fragments: string[]): string {
  let caught: unknown;
  try {
    importTfjs(path);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a UserError').toBeInstanceOf(UserError);
  const msg = (caught as Error).message;
  expect(msg).not.toContain('\n');
  expect(msg.startsWith(file), msg).toBe(true);
  for (const f of fragments) expect(msg).toContain(f);
  return msg;
}

type ModelJson = {
  modelTopology: { node: NodeJson[] };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  [k: string]: unknown;
};

// ---------------------------------------------------------------- the tiny hand-made model

/** x [1,4,4,2] → Conv2D 3×3 SAME (filter 'w') → Relu → y. */
function tinySpec(): GraphModelSpec {
  return {
    nodes: [placeholder('x', [-1, 4, 4, 2]), constNode('w', 'float32', [3, 3, 2, 3]), tfNode('conv', 'Conv2D', ['x', 'w'], convAttrs('SAME', 1)), tfNode('y', 'Relu', ['conv'])],
    groups: [{ weights: [floatWeight('w', [3, 3, 2, 3], 1)] }],
    inputs: { x: 'x:0' },
    outputs: { y: 'y:0' },
  };
}

/** Writes the tiny model after `edit` changed its spec; returns [folder, model.json path]. */
function tiny(edit: (s: GraphModelSpec) => void = () => {}): [string, string] {
  const dir = join(tmp, `tiny${counter++}`);
  const s = tinySpec();
  edit(s);
  return [dir, writeGraphModel(dir, s)];
}

function editJson(file: string, edit: (j: ModelJson) => void): void {
  const j = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
  edit(j);
  writeFileSync(file, JSON.stringify(j));
}

describe('bad TF.js models (tiny hand-made model)', () => {
  it('the tiny model itself imports', () => {
    const [dir] = tiny();
    expect(importTfjs(dir).nodes.map((n) => n.op)).toEqual(['Transpose', 'Conv', 'Relu']);
    expect(isTfjsModelPath(dir)).toBe(true);
    expect(isTfjsModelPath(join(dir, 'model.json'))).toBe(true);
    expect(isTfjsModelPath(join(tmp, 'elsewhere.json'))).toBe(true);
    expect(isTfjsModelPath(tmp)).toBe(false);
    expect(isTfjsModelPath(join(dir, 'group1-shard1of1.bin'))).toBe(false);
  });

  it('a folder without model.json, a missing file, a directory as model.json', () => {
    const empty = join(tmp, `empty${counter++}`);
    mkdirSync(empty);
    importError(empty, empty, 'no model.json in this folder');
    importError(join(empty, 'model.json'), join(empty, 'model.json'), 'cannot read', 'ENOENT');
    const withDir = join(tmp, `dir${counter++}`);
    mkdirSync(join(withDir, 'model.json'), { recursive: true });
    importError(withDir, join(withDir, 'model.json'), 'not a regular file (a directory)');
  });

  it('malformed JSON and files that are not TF.js graph models', () => {
    const [, file] = tiny();
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 200));
    importError(file, file, 'malformed JSON');
    writeFileSync(file, JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Model', config: {} }, weightsManifest: [] }));
    importError(file, file, "format 'layers-model' is not a TF.js graph model", '--output_format=tfjs_graph_model');
    writeFileSync(file, JSON.stringify({ modelTopology: { class_name: 'Model', config: {} }, weightsManifest: [] }));
    importError(file, file, 'modelTopology.node is missing', 'Keras layers model');
    writeFileSync(file, JSON.stringify([1, 2]));
    importError(file, file, 'not a TF.js model');
    writeFileSync(file, JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } }));
    importError(file, file, 'weightsManifest is missing');
  });

  it('malformed nodes and manifest entries name the field', () => {
    const cases: [(j: ModelJson) => void, ...string[]][] = [
      [(j) => { delete (j.modelTopology.node[2] as Partial<NodeJson>).op; }, "modelTopology.node[2] 'conv': 'op' is missing"],
      [(j) => { j.modelTopology.node[3].name = 'conv'; }, "modelTopology.node[3]: node name 'conv' is used twice"],
      [(j) => { (j.modelTopology.node[2].input as unknown) = 'x'; }, "modelTopology.node[2] 'conv': 'input' is not a list"],
      [(j) => { (j.weightsManifest[0].weights[0].shape as unknown) = [3, -3]; }, "weightsManifest[0].weights[0] 'w': shape [3,-3]"],
      [(j) => { j.weightsManifest[0].weights[0].dtype = 'string'; }, "weightsManifest[0].weights[0] 'w': dtype 'string' is not supported"],
      [(j) => { (j.weightsManifest[0].weights[0] as Record<string, unknown>).quantization = { dtype: 'int4' }; }, "weightsManifest[0].weights[0] 'w': quantization dtype 'int4'"],
      [(j) => { (j.weightsManifest[0].weights[0] as Record<string, unknown>).quantization = { dtype: 'uint8' }; }, "'w': uint8 quantization needs numeric 'scale' and 'min'"],
      [(j) => { (j.weightsManifest[0].paths as unknown) = 'group1-shard1of1.bin'; }, 'weightsManifest[0].paths is not a list'],
      [(j) => { j.weightsManifest.push({ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }); }, "weightsManifest[1].weights[0] 'w': weight name 'w' is also used by weightsManifest[0].weights[0] 'w'"],
      [(j) => { j.modelTopology.node[2].input = ['x', 'nowhere']; }, "node 'conv' (Conv2D) input 1 'nowhere' names no node"],
      [(j) => { j.modelTopology.node[2].input = ['y', 'w']; }, "node 'conv' (Conv2D) is on a cycle"],
      [(j) => { (j.signature as { outputs: Record<string, unknown> }).outputs = { y: { name: 'missing:0' } }; }, "signature.outputs.y names 'missing:0', but there is no node 'missing'"],
      [(j) => { (j.signature as { inputs: Record<string, unknown> }).inputs = { x: { name: 'conv:0' } }; }, "signature.inputs.x names 'conv:0', a Conv2D node, not a Placeholder"],
    ];
    for (const [edit, ...fragments] of cases) {
      const [, file] = tiny();
      editJson(file, edit);
      importError(file, file, ...fragments);
    }
  });

  it('unknown ops: every one named with its nodes, in one line', () => {
    const [, file] = tiny((s) => {
      s.nodes[2] = tfNode('conv', 'Conv3D', ['x', 'w'], convAttrs('SAME', 1));
      s.nodes.push(tfNode('extra', 'Elu', ['y']), tfNode('extra2', 'Elu', ['extra']));
    });
    importError(file, file, "unsupported TF ops: Conv3D (node 'conv'); Elu (nodes 'extra', 'extra2')");
  });

  it('a Const without weight data, and a manifest weight no Const has', () => {
    const [, noData] = tiny((s) => { s.groups = [{ weights: [] }]; });
    importError(noData, noData, "node 'w' (Const): no weight data (no weightsManifest entry named 'w' and no inline value)");
    const [, extra] = tiny((s) => { s.groups.push({ weights: [floatWeight('orphan', [2], 3)] }); });
    importError(extra, extra, "weightsManifest names weight 'orphan', but no Const node of that name is in modelTopology.node");
  });

  it('weight shape and dtype must match the Const node', () => {
    const [, shape] = tiny((s) => { s.groups[0].weights[0].shape = [3, 3, 3, 2]; });
    importError(shape, shape, "node 'w' (Const): the weightsManifest entry is float32 [3, 3, 3, 2] but the node declares float32 [3, 3, 2, 3]");
    const [, dtype] = tiny((s) => { s.groups[0].weights[0] = { ...s.groups[0].weights[0], dtype: 'int32', values: new Array(54).fill(1) }; });
    importError(dtype, dtype, "node 'w' (Const): the weightsManifest entry is int32 [3, 3, 2, 3] but the node declares float32");
  });

  it('op-level problems name the node and op', () => {
    const bad: [(s: GraphModelSpec) => void, ...string[]][] = [
      [(s) => { s.nodes[2] = tfNode('conv', 'Conv2D', ['x', 'w'], convAttrs('SAME', 1, { data_format: attr.s('NCHW') })); }, "node 'conv' (Conv2D): data_format 'NCHW' is not supported"],
      [(s) => { s.nodes[2] = tfNode('conv', 'Conv2D', ['x', 'w'], convAttrs('FULL', 1)); }, "node 'conv' (Conv2D): padding 'FULL'"],
      [(s) => { s.nodes[2] = tfNode('conv', 'Conv2D', ['x', 'w'], convAttrs('SAME', 1, { strides: attr.ints([2, 1, 1, 1]) })); }, "node 'conv' (Conv2D): attribute 'strides' [2, 1, 1, 1] must be [1, h, w, 1]"],
      [(s) => { s.nodes[2] = tfNode('conv', '_FusedConv2D', ['x', 'w'], convAttrs('SAME', 1, { fused_ops: attr.strs(['Elu']), num_args: attr.i(0) })); }, "node 'conv' (_FusedConv2D): fused op 'Elu' is not supported"],
      [(s) => { s.nodes[2] = tfNode('conv', '_FusedConv2D', ['x', 'w', 'w'], convAttrs('SAME', 1, { fused_ops: attr.strs(['BiasAdd']), num_args: attr.i(1) })); }, "node 'conv' (_FusedConv2D): bias 'w' is float32 [3, 3, 2, 3], expected float32 [3]"],
      [(s) => { s.nodes[2] = tfNode('conv', '_FusedConv2D', ['x', 'w'], convAttrs('SAME', 1, { fused_ops: attr.strs(['BiasAdd']), num_args: attr.i(1) })); }, "node 'conv' (_FusedConv2D): 2 inputs, but num_args 1 needs 3"],
      [(s) => { s.nodes[2] = tfNode('conv', 'Conv2D', ['x', 'x'], convAttrs('SAME', 1)); }, "node 'conv' (Conv2D): input 1 'x' (filter) is computed at run time"],
      [(s) => { s.nodes[3] = tfNode('y', 'FusedBatchNormV3', ['conv', 'w', 'w', 'w', 'w'], { is_training: attr.b(true) }); }, "node 'y' (FusedBatchNormV3): is_training is true"],
      [(s) => { s.nodes[0] = placeholder('x', [-1, -1, 4, 2]); }, "node 'x' (Placeholder): dimension 1 of [-1, -1, 4, 2] is unknown"],
      [(s) => { s.nodes[3] = tfNode('y', 'StridedSlice', ['conv', 'conv', 'conv', 'conv']); }, "node 'y' (StridedSlice): input 0 'conv' (input) is computed at run time"],
      [(s) => { s.nodes[3] = tfNode('y', 'Reshape', ['conv', 'w']); }, "node 'y' (Reshape): shape 'w' is float32, expected int32 or int64"],
      [(s) => { s.nodes[2] = tfNode('conv', 'Conv2D', ['x', 'w'], convAttrs('VALID', 1)); s.nodes[0] = placeholder('x', [-1, 2, 2, 2]); }, "node 'conv' (Conv2D): output would be empty"],
    ];
    for (const [edit, ...fragments] of bad) {
      const [, file] = tiny(edit);
      importError(file, file, ...fragments);
    }
  });

  it('shard paths leaving the folder: ../, absolute, a symlink leading out', () => {
    const outside = join(tmp, `outside${counter++}.bin`);
    const [dir, file] = tiny();
    copyFileSync(join(dir, 'group1-shard1of1.bin'), outside);
    editJson(file, (j) => { j.weightsManifest[0].paths = [`../${outside.split('/').pop()}`]; });
    importError(file, file, 'weightsManifest[0].paths[0]', "is outside the model's folder");
    editJson(file, (j) => { j.weightsManifest[0].paths = [outside]; });
    importError(file, file, 'weightsManifest[0].paths[0]', 'is absolute');
    symlinkSync(outside, join(dir, 'link.bin'));
    editJson(file, (j) => { j.weightsManifest[0].paths = ['link.bin']; });
    importError(file, file, 'weightsManifest[0].paths[0]', "'link.bin' leads outside the model's folder");
    // A symlink that stays inside is fine.
    symlinkSync(join(dir, 'group1-shard1of1.bin'), join(dir, 'inside.bin'));
    editJson(file, (j) => { j.weightsManifest[0].paths = ['inside.bin']; });
    expect(importTfjs(file).nodes.length).toBe(3);
  });

  it('a FIFO or a directory as a shard is refused without blocking; so is a FIFO as model.json', () => {
    const [dir, file] = tiny();
    execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
    mkdirSync(join(dir, 'sub.bin'));
    editJson(file, (j) => { j.weightsManifest[0].paths = ['fifo.bin']; });
    importError(file, file, 'weightsManifest[0].paths[0]', 'is not a regular file (a FIFO)');
    editJson(file, (j) => { j.weightsManifest[0].paths = ['sub.bin']; });
    importError(file, file, 'weightsManifest[0].paths[0]', 'is not a regular file (a directory)');
    const fifoJson = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifoJson]);
    importError(fifoJson, fifoJson, 'is not a regular file (a FIFO)');
  });
});

describe.skipIf(!HAVE_SHARED)('bad variants of a real fixture (vww_96_mlcommons_fused)', () => {
  const fx = TFJS_FIXTURES.find((f) => f.name === 'vww_96_mlcommons_fused')!;
  /** A copy of the fixture in a temp folder: [folder, model.json, shard]. */
  function copy(): [string, string, string] {
    const dir = join(tmp, `real${counter++}`);
    mkdirSync(dir);
    for (const f of ['model.json', 'group1-shard1of1.bin']) copyFileSync(join(fx.dir, f), join(dir, f));
    return [dir, join(dir, 'model.json'), join(dir, 'group1-shard1of1.bin')];
  }

  it('the copy imports', () => {
    const [dir] = copy();
    expect(importTfjs(dir).nodes.length).toBeGreaterThan(50);
  });

  it('missing, truncated and overlong shards', () => {
    const [, file, shard] = copy();
    const size = readFileSync(shard).length;
    truncateSync(shard, size - 4);
    importError(file, file, `weightsManifest[0]: the shards hold ${size - 4} bytes`, `need ${size} bytes`, 'truncated');
    truncateSync(shard, size);
    appendFileSync(shard, Buffer.alloc(8));
    importError(file, file, `the shards hold ${size + 8} bytes`, 'longer than the manifest says');
    unlinkSync(shard);
    importError(file, file, "weightsManifest[0].paths[0] 'group1-shard1of1.bin': cannot read (ENOENT)");
  });

  it('edited model.json: an unknown op, a weight dtype or shape changed, a weight removed from the manifest', () => {
    const cases: [(j: ModelJson) => void, ...string[]][] = [
      [(j) => { j.modelTopology.node.find((n) => n.op === 'AvgPool')!.op = 'MaxPool3D'; }, "unsupported TF op: MaxPool3D (node 'StatefulPartitionedCall/model/average_pooling2d/AvgPool')"],
      [(j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; }, "node 'StatefulPartitionedCall/model/dense/MatMul/ReadVariableOp' (Const): the weightsManifest entry is int32 [256, 2] but the node declares float32 [256, 2]"],
      [(j) => { const w = j.weightsManifest[0].weights[1]; w.shape = [...w.shape].reverse(); }, 'the weightsManifest entry is float32 [2, 256] but the node declares float32 [256, 2]'],
      [(j) => { j.weightsManifest[0].weights.pop(); }, 'but its weights need', 'longer than the manifest says'],
      [(j) => { j.weightsManifest[0].weights[3].name = 'renamed'; }, "(Const): no weight data (no weightsManifest entry named"],
      [(j) => { j.format = 'layers-model'; }, "format 'layers-model'"],
    ];
    for (const [edit, ...fragments] of cases) {
      const [, file] = copy();
      editJson(file, edit);
      importError(file, file, ...fragments);
    }
  });
});
