/**
 * onnxruntime's own log stays off stderr: a model it refuses gives our one line and nothing else
 * (checked in a child process, since onnxruntime writes to the process's stderr from C++).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../util/shared.js';
import { ortMessage } from './ort_session.js';

describe('createOrtSession', () => {
  it('a model onnxruntime refuses: one UserError line naming it, and no onnxruntime log on stderr', () => {
    // A model whose node reads a tensor nothing defines: onnxruntime logs an [E:onnxruntime:...] line by default.
    const script = `
      import { createOrtSession } from './src/onnx/ort_session.ts';
      import { modelBytes, node, valueInfo } from './src/onnx/proto/proto_builder.ts';
      const bytes = modelBytes({ nodes: [node('Add', ['x', 'ghost'], ['y'], {}, 'add')], inputs: [valueInfo('x', [1, 2])], outputs: [valueInfo('y', [1, 2])] });
      try { await createOrtSession(bytes, 'the test model'); console.log('loaded'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^UserError: onnxruntime cannot load the test model: /);
  });

  it('keeps the first line of a message and drops the C++ source location', () => {
    const raw = new Error('/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:360 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*) Failed to allocate memory\nmore');
    expect(ortMessage(raw)).toBe('Failed to allocate memory');
    expect(ortMessage(new Error('plain message\nsecond'))).toBe('plain message');
  });
});
