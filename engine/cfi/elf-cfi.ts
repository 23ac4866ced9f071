// Finding a file's CFI: .eh_frame and .eh_frame_hdr by section name, or,
// in a file without section headers, through PT_GNU_EH_FRAME (the header's
// eh_frame_ptr then names .eh_frame), which is how glibc's unwinder finds
// them in a running process (dl_iterate_phdr).

import { PT_LOAD, type ElfImage } from "../os/elf.js";
import { DwarfReader } from "./dwarf-read.js";
import { EhFrame, type EhFrameSections } from "./eh-frame.js";

const PT_GNU_EH_FRAME = 0x6474e550;

/** A file's .eh_frame, or undefined when it has none. */
export function ehFrameOf(elf: ElfImage): EhFrame | undefined {
  const s = sectionsOf(elf);
  return s && new EhFrame(s);
}

function sectionsOf(elf: ElfImage): EhFrameSections | undefined {
  const addrSize = elf.bits === 64 ? 8 : 4;
  const sec = (name: string) => elf.sections.find((s) => s.name === name && s.size > 0 && s.offset + s.size <= elf.bytes.length);
  const eh = sec(".eh_frame");
  const hdr = sec(".eh_frame_hdr");
  const got = sec(".got.plt") ?? sec(".got");
  if (eh) {
    return {
      ehFrame: elf.bytes.subarray(eh.offset, eh.offset + eh.size),
      ehFrameAddr: eh.addr,
      hdr: hdr && elf.bytes.subarray(hdr.offset, hdr.offset + hdr.size),
      hdrAddr: hdr?.addr,
      gotAddr: got?.addr,
      addrSize,
    };
  }
  // no section headers: the program header, then the header's pointer to .eh_frame
  const ph = elf.phdrs.find((p) => p.type === PT_GNU_EH_FRAME);
  if (!ph || ph.offset + ph.filesz > elf.bytes.length || ph.filesz < 8) return undefined;
  const hdrBytes = elf.bytes.subarray(ph.offset, ph.offset + ph.filesz);
  try {
    const r = new DwarfReader(hdrBytes, 1, hdrBytes.length, addrSize);
    const enc = r.u8();
    r.pos = 4;
    const ehAddr = r.pointer(enc, { sectionAddr: ph.vaddr, dataRel: ph.vaddr });
    const load = elf.phdrs.find((p) => p.type === PT_LOAD && ehAddr >= p.vaddr && ehAddr < p.vaddr + p.filesz);
    if (!load) return undefined;
    const off = load.offset + (ehAddr - load.vaddr);
    const end = Math.min(load.offset + load.filesz, elf.bytes.length);
    return { ehFrame: elf.bytes.subarray(off, end), ehFrameAddr: ehAddr, hdr: hdrBytes, hdrAddr: ph.vaddr, addrSize };
  } catch {
    return undefined;
  }
}

/** The link-time address a file offset is loaded at (through the PT_LOAD that holds it), or undefined. */
export function linkAddressOf(elf: ElfImage, fileOffset: number): number | undefined {
  for (const p of elf.phdrs) if (p.type === PT_LOAD && fileOffset >= p.offset && fileOffset < p.offset + Math.max(p.filesz, p.memsz)) return p.vaddr + (fileOffset - p.offset);
  return undefined;
}
