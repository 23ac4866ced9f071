// The order of names where output lists or picks among them (symbols at one address, syscall counts): one fixed
// collation, not the host's locale (String.prototype.localeCompare follows LANG, and some locales order even
// ASCII differently: Estonian puts z after s, Lithuanian y with i), so the same inputs print the same bytes
// on every machine. "en" is the order the default (and C/POSIX) environments gave before.

const collator = new Intl.Collator("en");

/** Compare two names in the fixed collation (negative, zero or positive, as localeCompare). */
export const compareNames: (a: string, b: string) => number = collator.compare;
