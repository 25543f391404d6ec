import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { OracleError } from "../errors.ts";

/** Refused: signing this digest would make the operator equivocate (and be slashed). */
export class EquivocationRefusedError extends OracleError {
  constructor(message: string) {
    super("INVARIANT", message);
    this.name = "EquivocationRefusedError";
  }
}

/**
 * Remembers, on local disk, the one digest this operator has signed per round, and refuses any
 * other. It lives outside Redis on purpose: a wiped or restarted Redis must never lead to a second,
 * different signature. The record is written (and synced) before the signature is made.
 */
export class SigningGuard {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Records `digest` as the one signed for `roundKey`, or confirms it was already.
   * @throws {EquivocationRefusedError} when a different digest was signed for the round.
   */
  async claim(roundKey: string, digest: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const path = join(this.#dir, `${roundKey}.digest`);
    try {
      await writeFile(path, digest, { flag: "wx", flush: true });
      return;
    } catch (err) {
      if (!(typeof err === "object" && err !== null && "code" in err && err.code === "EEXIST")) throw err;
    }
    const signed = (await readFile(path, "utf8")).trim();
    if (signed.toLowerCase() !== digest.toLowerCase()) {
      throw new EquivocationRefusedError(`refusing to sign ${digest} for ${roundKey}: already signed ${signed}`);
    }
  }
}
