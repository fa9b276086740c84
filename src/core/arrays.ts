/**
 * Appending one array to another without spreading it into arguments: `push(...items)` passes
 * every item as an argument on the stack, and an array of a few hundred thousand items (a file of
 * rejects, a day's state changes) ends with "Maximum call stack size exceeded".
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
