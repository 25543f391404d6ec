/** A problem the page explains to its user in one sentence (never a stack trace). */
export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
  }
}
