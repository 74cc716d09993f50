/**
 * The converter, for the tests that convert VWW themselves (run_target.test.ts): kept apart from
 * repo.ts so that only those tests depend on where the converter lives.
 */
export { convertModel } from '../cli/convert.js';
