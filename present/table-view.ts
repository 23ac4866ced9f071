// A result that shows itself as its table: in a notebook (HTML), a terminal
// (text), a spreadsheet (CSV). RunMap and Comparison are such views.

import { inspect } from "node:util";
import type { Displayable, MimeBundle, Table } from "./mime.js";

export abstract class TableView implements Displayable {
  abstract table(): Table;

  /** Every row of the table as CSV. */
  toCSV(): string {
    return this.table().toCSV();
  }

  toMimeBundle(): MimeBundle {
    return this.table().toMimeBundle();
  }

  toString(): string {
    return this.table().toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
