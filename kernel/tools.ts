// The kernel folder's one entry point for the command line: `uprobe-lab
// kernel install|spec|execute` registers this kernel, prints its kernelspec
// and executes notebooks with it. cli/kernel.ts loads it lazily, so the
// command line and the kernel stay siblings that do not import each other
// statically, and no other command loads any of it.

export { installKernelSpec, KERNEL_NAME, kernelSpec } from "./install.js";
export { executeNotebook } from "./nbexec.js";
