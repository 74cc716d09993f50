/** Entry point of `onnx2mcu` (bin/onnx2mcu.js runs this through tsx). */
import { runCli } from './app.js';

process.exitCode = await runCli(process.argv.slice(2));
