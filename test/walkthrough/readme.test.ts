import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { DEV_ACCOUNTS, readmeLines } from "../../scripts/walkthrough.ts";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** The fenced `sh` blocks of the README section titled `title`, each as its lines. */
async function shellBlocks(title: string): Promise<string[][]> {
  const text = await readFile(README, "utf8");
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? "").split("\n").filter((l) => l.trim() !== ""));
}

describe("README: Run a round by hand", function () {
  it("lists exactly the commands npm run walkthrough runs, in the same order", async function () {
    const blocks = await shellBlocks("Run a round by hand");
    expect(blocks[1]).to.deep.equal(readmeLines());
  });

  it("exports the key and address of every development account the walkthrough uses", async function () {
    const [settings] = await shellBlocks("Run a round by hand");
    for (const a of DEV_ACCOUNTS) expect(settings).to.include(`export ${a.role}_KEY=${a.key} ${a.role}_ADDRESS=${a.address}`);
  });
});
