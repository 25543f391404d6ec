import { createHash } from "node:crypto";

/*
 * The only two ways data enters the report's HTML: as escaped text (or attribute values) and as JSON
 * inside a non-executed <script type="application/json">. Labels and reasons come from the demo's
 * data, so both are treated as hostile.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Serializes `value` for a `<script type="application/json">` element: `<`, `>` and `&` become
 * `\u003c`-style escapes, so no string in it can close the element or open a comment; U+2028/U+2029
 * are escaped for older parsers. `JSON.parse(element.textContent)` returns the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The CSP source expression (`'sha256-…'`) that allows exactly this inline script or style. */
export function cspHash(content: string): string {
  return `'sha256-${createHash("sha256").update(content, "utf8").digest("base64")}'`;
}
