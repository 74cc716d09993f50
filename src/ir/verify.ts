/** Temporary re-export while src/tfjs and src/target are written against the old path; removed when they are integrated. */
export * from '../graph/verify.js';
