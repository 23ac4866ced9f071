// Pass: `config = { ... }` items (bpftrace's config_analyser).
//
// Only `print_maps_on_exit` exists; it takes true/false (or 1/0). Unknown
// top-level assignments and unknown settings are errors with "did you mean".

import type { ConfigItem, Setting } from "../ast.js";
import { didYouMean } from "../suggest.js";
import type { PassContext } from "./context.js";

const CONFIG_KEYS = ["print_maps_on_exit"];

export function analyseConfig(ctx: PassContext): void {
  for (const item of ctx.program.items) if (item.kind === "config") configItem(ctx, item);
}

function configItem(ctx: PassContext, item: ConfigItem): void {
  if (item.name !== "config") ctx.bag.error(item.nameSpan, `unknown top-level assignment to '${item.name}' (only 'config = { ... }' is allowed here)`);
  for (const st of item.settings) setting(ctx, st);
}

function setting(ctx: PassContext, st: Setting): void {
  if (st.name !== "print_maps_on_exit") {
    ctx.bag.error(st.nameSpan, `unknown config setting '${st.name}'${didYouMean(st.name, CONFIG_KEYS)}`);
    return;
  }
  const v = st.value.toLowerCase();
  if (v === "true" || v === "1") ctx.config.printMapsOnExit = true;
  else if (v === "false" || v === "0") ctx.config.printMapsOnExit = false;
  else ctx.bag.error(st.valueSpan, "print_maps_on_exit must be true or false");
}
