import type { DemoSummary } from "../../../oracle/report/summary.ts";
import { sampleSummary } from "./sample-summary.ts";

/** A string that breaks out of text, attributes and script elements if any of them is not escaped. */
export const HOSTILE_TEXT = `"'><img src=x onerror=alert(1)></script><script>alert(2)</script><!--`;

/** The sample with hostile text in every free-form string field the report shows. */
export function hostileSummary(): DemoSummary {
  const summary = sampleSummary();
  const first = summary.contributors[0];
  if (first === undefined) throw new Error("sample has contributors");
  first.label = HOSTILE_TEXT;
  for (const round of summary.rounds) {
    for (const account of Object.keys(round.invalid)) round.invalid[account] = HOSTILE_TEXT;
    for (const slash of round.slashes) slash.reason = HOSTILE_TEXT;
  }
  for (const proposal of summary.governance) {
    proposal.description = HOSTILE_TEXT;
    proposal.state = HOSTILE_TEXT;
  }
  summary.machine.cpuModel = HOSTILE_TEXT;
  summary.config.network = HOSTILE_TEXT;
  return summary;
}
