// Pass: `config = { ... }` items (bpftrace's config_analyser).
//
// `print_maps_on_exit` takes true/false (or 1/0); `max_map_keys` a number of
// keys (1 to 1,000,000: a bound on host memory, as the kernel bounds a BPF map).
// Unknown top-level assignments and unknown settings are errors with "did you mean".

import type { ConfigItem, Setting } from "../ast.js";
import { didYouMean } from "../suggest.js";
import type { PassContext } from "./context.js";

const CONFIG_KEYS = ["print_maps_on_exit", "max_map_keys"];
const MAX_MAP_KEYS_LIMIT = 1_000_000;

export function analyseConfig(ctx: PassContext): void {
  for (const item of ctx.program.items) if (item.kind === "config") configItem(ctx, item);
}

function configItem(ctx: PassContext, item: ConfigItem): void {
  if (item.name !== "config") ctx.bag.error(item.nameSpan, `unknown top-level assignment to '${item.name}' (only 'config = { ... }' is allowed here)`);
  for (const st of item.settings) setting(ctx, st);
}

function setting(ctx: PassContext, st: Setting): void {
  if (st.name === "max_map_keys") {
    const n = st.valueKind === "number" ? Number(st.value.replace(/_/g, "")) : NaN;
    if (Number.isSafeInteger(n) && n >= 1 && n <= MAX_MAP_KEYS_LIMIT) ctx.config.maxMapKeys = n;
    else ctx.bag.error(st.valueSpan, `max_map_keys must be a number of keys from 1 to ${MAX_MAP_KEYS_LIMIT}`);
    return;
  }
  if (st.name !== "print_maps_on_exit") {
    ctx.bag.error(st.nameSpan, `unknown config setting '${st.name}'${didYouMean(st.name, CONFIG_KEYS)}`);
    return;
  }
  const v = st.value.toLowerCase();
  if (v === "true" || v === "1") ctx.config.printMapsOnExit = true;
  else if (v === "false" || v === "0") ctx.config.printMapsOnExit = false;
  else ctx.bag.error(st.valueSpan, "print_maps_on_exit must be true or false");
}
