/**
 * Running the CLI from tests, in a given working folder: as a child process (`node
 * bin/onnx2mcu.js`, where exit codes and the process's own streams are under test) or in this
 * process through runCli (all that bin/onnx2mcu.js does), which spares a second of Node and module
 * start-up per call.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../util/shared.js';
import { runCli } from './app.js';

export interface CliResult { code: number; stdout: string; stderr: string }

const BIN = join(PROJECT_ROOT, 'bin', 'onnx2mcu.js');

/** `node bin/onnx2mcu.js ...args` in `cwd`. */
export function cliChild(cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** runCli(args) in this process with `cwd` as the working folder for the call. */
export async function cliInProcess(cwd: string, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runCli(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; } });
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}
