// The x87 status word's bits (Intel SDM vol. 1, 8.1.3), kept whole as the manual lists them:
// exception flags, stack fault, error summary and the condition codes.

export const FSW_IE = 0x1, FSW_DE = 0x2, FSW_ZE = 0x4, FSW_OE = 0x8, FSW_UE = 0x10, FSW_PE = 0x20, FSW_SF = 0x40, FSW_ES = 0x80;
export const FSW_C0 = 0x100, FSW_C1 = 0x200, FSW_C2 = 0x400, FSW_C3 = 0x4000;
