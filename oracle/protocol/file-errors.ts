import { InvalidInputError } from "../errors.ts";

/**
 * A model or update file breaks a rule of docs/protocol.md §1 (unparseable, not canonical, wrong
 * metadata, wrong tensors). Validation turns it into the reason code `malformed`.
 */
export class MalformedFileError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MalformedFileError";
  }
}
