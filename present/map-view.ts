// One map of a run, typed: `r.map("@lat")`. Scalars through value(),
// stats() through stats(), hist()/lhist() through buckets(), any keyed map
// as rows; shows itself as a table, charts itself, exports CSV and JSON.

import { UserError } from "../engine/index.js";
import { isNumericKind, type MapBucket, type MapData, type MapKind, type MapRow, type StatsValue } from "../lab/map-values.js";
import { mapChart } from "./map-charts.js";
import { Table } from "./mime.js";
import { TableView } from "./table-view.js";
import type { Chart } from "./plot.js";

/** A key: as printed ("1000,push-O0") or as its parts ([1000, "push-O0"]). */
export type MapKey = string | number | (string | number)[];

export class RunMap extends TableView implements MapData {
  readonly name: string;
  readonly kind: MapKind;
  readonly keyed: boolean;
  readonly rows: MapRow[];

  constructor(data: MapData) {
    super();
    this.name = data.name;
    this.kind = data.kind;
    this.keyed = data.keyed;
    this.rows = data.rows;
  }

  private row(key: MapKey | undefined, want: string): MapRow {
    if (key === undefined) {
      if (!this.keyed) return this.rows[0]!;
      throw new UserError(`${this.name} is keyed: name a key, e.g. ${this.name}.${want}(${JSON.stringify(this.rows[0]?.key ?? "key")}) (keys: ${this.keyList()})`);
    }
    const k = Array.isArray(key) ? key.join(",") : String(key);
    const r = this.rows.find((x) => x.key === k);
    if (!r) throw new UserError(`${this.name} has no key ${JSON.stringify(k)} (keys: ${this.keyList()})`);
    return r;
  }

  private keyList(): string {
    const ks = this.rows.map((r) => JSON.stringify(r.key));
    return ks.length > 8 ? `${ks.slice(0, 8).join(", ")}... ${ks.length} in all` : ks.join(", ") || "none";
  }

  private expect(ok: boolean, what: string): void {
    if (!ok) throw new UserError(`${this.name} is a ${this.kind} map: ${what}() does not apply (${isNumericKind(this.kind) ? "value()" : this.kind === "stats" ? "stats()" : this.kind === "string" ? "text()" : "buckets()"} does)`);
  }

  /** The number of a count, sum, avg, min, max or integer variable (of one key when keyed). */
  value(key?: MapKey): number {
    this.expect(isNumericKind(this.kind), "value");
    return this.row(key, "value").value as number;
  }

  /** The string of a string variable. */
  text(key?: MapKey): string {
    this.expect(this.kind === "string", "text");
    return this.row(key, "text").value as string;
  }

  /** count, avg and sum of a stats() variable. */
  stats(key?: MapKey): StatsValue {
    this.expect(this.kind === "stats", "stats");
    return this.row(key, "stats").value as StatsValue;
  }

  /** The non-empty buckets of a hist() or lhist(), first to last non-empty (as bpftrace prints them). */
  buckets(key?: MapKey): MapBucket[] {
    this.expect(this.kind === "hist" || this.kind === "lhist", "buckets");
    return this.row(key, "buckets").value as MapBucket[];
  }

  /** A numeric map as {key: value} (an unkeyed one as {name: value}). */
  toObject(): Record<string, number> {
    this.expect(isNumericKind(this.kind), "toObject");
    return Object.fromEntries(this.rows.map((r) => [this.keyed ? r.key : this.name, r.value as number]));
  }

  table(): Table {
    const keyCols = this.keyed ? Array.from({ length: Math.max(...this.rows.map((r) => r.keys.length)) }, (_, i) => (i ? `key ${i + 1}` : "key")) : [];
    const keys = (r: MapRow): string[] => keyCols.map((_, i) => r.keys[i] ?? "");
    const caption = `${this.name} (${this.kind}${this.keyed ? `, ${this.rows.length} key${this.rows.length === 1 ? "" : "s"}` : ""})`;
    if (this.kind === "hist" || this.kind === "lhist") {
      const rows = this.rows.flatMap((r) => (r.value as MapBucket[]).map((b) => [...keys(r), b.label, b.min, b.max, b.count]));
      return new Table([...keyCols, "bucket", "min", "max", "count"], rows, { caption, maxRows: 60 });
    }
    if (this.kind === "stats") {
      return new Table([...keyCols, "count", "avg", "sum"], this.rows.map((r) => { const s = r.value as StatsValue; return [...keys(r), s.count, s.avg, s.sum]; }), { caption });
    }
    return new Table([...keyCols, this.keyed ? "value" : this.name], this.rows.map((r) => [...keys(r), r.value as number | string]), { caption });
  }

  /** A chart of this map (bars per key; buckets for hist and lhist). */
  chart(title?: string): Chart {
    return mapChart(this, title);
  }

  toJSON(): MapData {
    return { name: this.name, kind: this.kind, keyed: this.keyed, rows: this.rows };
  }
}
