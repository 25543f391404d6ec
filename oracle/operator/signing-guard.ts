import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";

import { EquivocationRefusedError } from "../errors.ts";

export { EquivocationRefusedError };

const DIGEST = /^0x[0-9a-fA-F]{64}$/;

/**
 * Remembers, on local disk, the one digest this operator has signed per round, and refuses any
 * other. It lives outside Redis on purpose: a wiped or restarted Redis must never lead to a second,
 * different signature. The record is written atomically (temp file, fsync, rename, fsync of the
 * folder) before the signature is made, so a crash leaves either no record or the whole record; a
 * torn or empty file (from an older writer, or a disk that lied) reads as "nothing signed", which is
 * safe because no signature is made before a complete record exists.
 */
export class SigningGuard {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The digest recorded for `roundKey`, or undefined when none (or only a torn record) exists. */
  async signed(roundKey: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(roundKey), "utf8");
    } catch (err) {
      if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") return undefined;
      throw err;
    }
    const digest = text.trim();
    return DIGEST.test(digest) ? digest.toLowerCase() : undefined;
  }

  /**
   * Records `digest` as the one signed for `roundKey`, or confirms it was already.
   * @throws {EquivocationRefusedError} when a different digest was signed for the round.
   */
  async claim(roundKey: string, digest: string): Promise<void> {
    const existing = await this.signed(roundKey);
    if (existing !== undefined) {
      if (existing !== digest.toLowerCase()) throw new EquivocationRefusedError(`refusing to sign ${digest} for ${roundKey}: already signed ${existing}`);
      return;
    }
    await mkdir(this.#dir, { recursive: true });
    const temp = join(this.#dir, `.${roundKey}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      const handle = await open(temp, "wx");
      try {
        await handle.writeFile(digest.toLowerCase());
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.#install(temp, roundKey, digest);
    } finally {
      await rm(temp, { force: true });
    }
    const dir = await open(this.#dir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Puts the synced temp file in place: never over a complete record, only over a torn one. */
  async #install(temp: string, roundKey: string, digest: string): Promise<void> {
    try {
      await link(temp, this.#path(roundKey));
      return;
    } catch (err) {
      if (!(typeof err === "object" && err !== null && "code" in err && err.code === "EEXIST")) throw err;
    }
    const existing = await this.signed(roundKey);
    if (existing === undefined) await rename(temp, this.#path(roundKey));
    else if (existing !== digest.toLowerCase()) throw new EquivocationRefusedError(`refusing to sign ${digest} for ${roundKey}: already signed ${existing}`);
  }

  #path(roundKey: string): string {
    return join(this.#dir, `${roundKey}.digest`);
  }
}
