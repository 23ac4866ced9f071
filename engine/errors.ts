// Errors that reach the user as one line (no stack trace): bad binaries, bad
// options, unreadable files. Anything else escaping the engine is a bug.

export class UserError extends Error {
  constructor(
    message: string,
    /** Process exit status for the command line (2: bad input). */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
