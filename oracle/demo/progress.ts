/** Live progress on stderr: phase lines, and one self-overwriting line for bars on a terminal. */
export class Progress {
  readonly #tty: boolean;
  readonly #quiet: boolean;
  #transient = false;

  constructor(options: { quiet?: boolean } = {}) {
    this.#tty = Boolean(process.stderr.isTTY);
    this.#quiet = options.quiet ?? false;
  }

  /** A line that stays. */
  line(text: string): void {
    if (this.#quiet) return;
    this.#clear();
    process.stderr.write(`${text}\n`);
  }

  /** A line that the next output replaces (a progress bar); dropped when stderr is not a terminal. */
  transient(text: string): void {
    if (this.#quiet || !this.#tty) return;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.#transient = true;
  }

  #clear(): void {
    if (this.#transient) process.stderr.write("\r\x1b[2K");
    this.#transient = false;
  }
}

/** `[#####-----]` of `done / total`. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}
