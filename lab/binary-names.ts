// Binaries known by a name in this process: what a notebook's %%c cell
// compiled ("push" -> /tmp/uprobe-lab-cells-XXXX/push). openRunBinary looks
// names up here first, and results name such a binary by its name, so a
// notebook's outputs do not carry a random temporary path.
//
// Worker threads have their own copy of this module: lab/pool.ts sends the
// table along with each spec (namedBinaries / adoptNamedBinaries).

const names = new Map<string, string>();
/** How each named binary was made (the compile command), for reports. */
const origins = new Map<string, string>();

/** Names are file-name-like words: no slash, no leading dash or dot. */
export function checkBinaryName(name: string): string | undefined {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(name)) return `'${name}' is not a usable name (letters, digits, _ . + -; no slash; not starting with - or .)`;
  return undefined;
}

export function nameBinary(name: string, absPath: string, origin?: string): void {
  names.set(name, absPath);
  if (origin !== undefined) origins.set(name, origin);
}

/** The command that built a named binary, if it was built here. */
export function binaryOrigin(name: string): string | undefined {
  return origins.get(name);
}

/** The path a name stands for, if it was given one in this process. */
export function namedBinaryPath(name: string): string | undefined {
  return names.get(name);
}

/** The whole table, to send to a worker. */
export function namedBinaries(): Record<string, string> {
  return Object.fromEntries(names);
}

export function adoptNamedBinaries(table: Record<string, string>): void {
  for (const [k, v] of Object.entries(table)) names.set(k, v);
}
