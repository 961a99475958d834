/** An error the user can fix: printed as one line (what is wrong and how to fix it), then a non-zero exit. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
