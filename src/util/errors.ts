/**
 * An error caused by the user's input (a bad model file, an unsupported op, a bad option).
 * The CLI prints its message as one line and exits non-zero, with no stack trace unless --verbose.
 * Messages name the file, node or field at fault.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
