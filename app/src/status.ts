// The one status line under the header: pending, done or failed, always in words.

/** How a status line reads. */
export type StatusKind = "pending" | "ok" | "error" | "info";

/** Shows `message` in the status line. */
export function showStatus(kind: StatusKind, message: string): void {
  const el = document.getElementById("status");
  if (el === null) return;
  el.hidden = false;
  el.className = `status status-${kind}`;
  el.dataset.kind = kind;
  el.textContent = message;
}

/** Runs `action`, showing its failure in the status line instead of leaving a dead button. */
export function guarded(action: () => Promise<void>, describe: (err: unknown) => string): (event: Event) => void {
  return (event: Event) => {
    event.preventDefault();
    const target = event.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
    if (target !== null) target.disabled = true;
    action()
      .catch((err: unknown) => showStatus("error", describe(err)))
      .finally(() => {
        if (target !== null) target.disabled = false;
      });
  };
}
