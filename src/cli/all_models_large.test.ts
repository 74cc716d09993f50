/** The 0.5/224 model of ../shared/models, converted and verified in C (see all_models_check.ts). */
import { describeConvertAndVerify } from './all_models_testing.js';

describeConvertAndVerify((file) => /^mobilenet_v1_0\.5_224/.test(file));
