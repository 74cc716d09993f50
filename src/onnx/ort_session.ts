/**
 * The one way this project opens an onnxruntime session. onnxruntime logs its own errors to
 * stderr (coloured, with C++ source paths, several lines for one failure) before throwing the same
 * message to us: the CLI's contract is one line per error, so its log is limited to fatal errors
 * (logSeverityLevel 4) and a failure is rethrown as one line naming what was being run. Graph
 * optimizations are off everywhere: the values are the plain op semantics (and onnxruntime's fused
 * int8 kernels gave wrong results on this CPU, DESIGN.md).
 */
import * as ort from 'onnxruntime-node';
import { UserError } from '../util/errors.js';

/** onnxruntime's severity levels: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
const LOG_FATAL_ONLY = 4;

/** The first line of an onnxruntime message, without the C++ source location it starts with. */
export function ortMessage(e: unknown): string {
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const message = first.replace(/^.*?\/onnxruntime_src\/\S+\s+/, '').replace(/^[^()]*::[^()]*\([^)]*\)\s+/, '').trim();
  return message || first;
}

/** A session on `model` (bytes or a path); `what` names it in the one-line error if onnxruntime refuses it. */
export async function createOrtSession(model: Uint8Array | string, what: string, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model as Uint8Array, { graphOptimizationLevel: 'disabled', logSeverityLevel: LOG_FATAL_ONLY, ...options });
  } catch (e) {
    throw new UserError(`onnxruntime cannot load ${what}: ${ortMessage(e)}`);
  }
}

/** session.run with a failure as one line naming `what`. */
export async function runOrtSession(session: ort.InferenceSession, feeds: ort.InferenceSession.FeedsType, what: string): Promise<ort.InferenceSession.ReturnType> {
  try {
    return await session.run(feeds);
  } catch (e) {
    throw new UserError(`onnxruntime failed on ${what}: ${ortMessage(e)}`);
  }
}
