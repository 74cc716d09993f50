/**
 * Every model in ../shared/models except the 0.5/224 one (all_models_large.test.ts), converted
 * and verified in C against the TypeScript integer reference (issue 5); see all_models_check.ts.
 */
import { describeConvertAndVerify } from './all_models_testing.js';

describeConvertAndVerify((file) => !/^mobilenet_v1_0\.5_224/.test(file));
