// time() and strftime() on the virtual clock.
//
// bpftrace formats wall-clock time: strftime(fmt, nsecs) turns nanoseconds
// since boot into the date by adding the boot time, and time(fmt) prints now.
// Here the clock is the emulator's: it reads 0 at boot, and boot is the
// documented VIRTUAL_BOOT_EPOCH (2026-01-01 00:00:00 UTC), so the same run
// prints the same dates on any host. Time zone: UTC.
//
// The conversions are C strftime's common ones: %Y %y %m %d %e %H %I %M %S
// %p %j %a %A %b %B %h %T %D %F %R %s %n %t %%; anything else is printed as
// written.

/** Seconds since the Unix epoch at the emulated machine's boot. */
const VIRTUAL_BOOT_EPOCH = Date.UTC(2026, 0, 1) / 1000;

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const pad = (n: number, w = 2, c = "0"): string => String(n).padStart(w, c);

/** C's strftime(fmt) of the moment `nsecs` after the virtual boot, in UTC. */
export function virtualStrftime(fmt: string, nsecs: bigint): string {
  const ms = VIRTUAL_BOOT_EPOCH * 1000 + Number(nsecs / 1_000_000n);
  const d = new Date(ms);
  const day0 = Date.UTC(d.getUTCFullYear(), 0, 1);
  const conv = (c: string): string => {
    switch (c) {
      case "Y": return String(d.getUTCFullYear());
      case "y": return pad(d.getUTCFullYear() % 100);
      case "m": return pad(d.getUTCMonth() + 1);
      case "d": return pad(d.getUTCDate());
      case "e": return pad(d.getUTCDate(), 2, " ");
      case "H": return pad(d.getUTCHours());
      case "I": return pad(((d.getUTCHours() + 11) % 12) + 1);
      case "M": return pad(d.getUTCMinutes());
      case "S": return pad(d.getUTCSeconds());
      case "p": return d.getUTCHours() < 12 ? "AM" : "PM";
      case "j": return pad(Math.floor((ms - day0) / 86_400_000) + 1, 3);
      case "a": return DAYS[d.getUTCDay()]!.slice(0, 3);
      case "A": return DAYS[d.getUTCDay()]!;
      case "b": case "h": return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case "B": return MONTHS[d.getUTCMonth()]!;
      case "T": return `${conv("H")}:${conv("M")}:${conv("S")}`;
      case "R": return `${conv("H")}:${conv("M")}`;
      case "D": return `${conv("m")}/${conv("d")}/${conv("y")}`;
      case "F": return `${conv("Y")}-${conv("m")}-${conv("d")}`;
      case "s": return String(Math.floor(ms / 1000));
      case "n": return "\n";
      case "t": return "\t";
      case "%": return "%";
      default: return "%" + c;
    }
  };
  return fmt.replace(/%(.)/gs, (_m, c: string) => conv(c));
}
