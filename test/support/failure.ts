/** The error `run` throws, or undefined when it returns: lets a test assert on the error's type and fields. */
export function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}
