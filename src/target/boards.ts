/**
 * The five target CPUs: compiler flags, the QEMU 7.2 machine each runs on, its linker script
 * (src/target/boards/*.ld, memory regions explained there) and start-up options.
 *
 * Cortex-M0+: QEMU 7.2 has no Cortex-M0+ (its only ARMv6-M machine, "microbit", is a Cortex-M0
 * with 256 KB flash and 16 KB RAM, and mps2-an385 refuses `-cpu cortex-m0`), so the M0+ build
 * (-mcpu=cortex-m0plus: ARMv6-M, a subset of ARMv7-M) runs on the Cortex-M3 machine, with
 * CCR.UNALIGN_TRP set so that an unaligned word access faults as it would on an M0+. The
 * instruction stream, hence the count, is the M0+ code's.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetError } from './tools.js';

export type Cpu = 'cortex-m0plus' | 'cortex-m3' | 'cortex-m4' | 'cortex-m7' | 'cortex-m55';
export const CPUS: readonly Cpu[] = ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m55'];

export interface Board {
  readonly cpu: Cpu;
  /** qemu-system-arm -M value. */
  readonly machine: string;
  readonly linkerScript: string;
  /** CPU selection flags, for the compiler and the linker (they pick the newlib multilib). */
  readonly cpuFlags: readonly string[];
  /** Start-up options for startup.c. */
  readonly defines: readonly string[];
  /** What the CMSIS-NN build selects on this CPU (its predefined-macro logic, arm_nn_math_types.h). */
  readonly cmsisPath: 'plain C' | 'DSP' | 'MVE';
  /** arm-none-eabi-objdump -m value that decodes every instruction of this CPU (MVE needs it). */
  readonly objdumpArch: string;
  readonly note: string;
}

export const TARGET_DIR = dirname(fileURLToPath(import.meta.url));
export const BOARDS_DIR = join(TARGET_DIR, 'boards');

/** Same optimisation and strictness for every object we build (ours, the peer, the driver). */
export const COMMON_CFLAGS: readonly string[] = ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-ffunction-sections', '-fdata-sections'];
export const LINK_FLAGS: readonly string[] = ['-Wl,--gc-sections', '-nostartfiles', '--specs=nano.specs', '--specs=rdimon.specs'];

const BOARDS: Readonly<Record<Cpu, Board>> = {
  'cortex-m0plus': {
    cpu: 'cortex-m0plus',
    machine: 'mps2-an385',
    linkerScript: 'mps2_an385.ld',
    cpuFlags: ['-mcpu=cortex-m0plus', '-mthumb'],
    defines: ['-DTARGET_TRAP_UNALIGNED=1'],
    cmsisPath: 'plain C',
    objdumpArch: 'armv6s-m',
    note: 'ARMv6-M code run on the Cortex-M3 machine (QEMU 7.2 has no Cortex-M0+), unaligned accesses trapped',
  },
  'cortex-m3': {
    cpu: 'cortex-m3',
    machine: 'mps2-an385',
    linkerScript: 'mps2_an385.ld',
    cpuFlags: ['-mcpu=cortex-m3', '-mthumb'],
    defines: [],
    cmsisPath: 'plain C',
    objdumpArch: 'armv7-m',
    note: 'no DSP extension: CMSIS-NN plain C',
  },
  'cortex-m4': {
    cpu: 'cortex-m4',
    machine: 'mps2-an386',
    linkerScript: 'mps2_an386.ld',
    cpuFlags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft'],
    defines: ['-DTARGET_ENABLE_FPU=1'],
    cmsisPath: 'DSP',
    objdumpArch: 'armv7e-m',
    note: 'DSP extension (__ARM_FEATURE_DSP: SMLAD ...), soft-float ABI (no FP in int8 code)',
  },
  'cortex-m7': {
    cpu: 'cortex-m7',
    machine: 'mps2-an500',
    linkerScript: 'mps2_an500.ld',
    cpuFlags: ['-mcpu=cortex-m7', '-mthumb'],
    defines: ['-DTARGET_ENABLE_FPU=1'],
    cmsisPath: 'DSP',
    objdumpArch: 'armv7e-m',
    note: 'DSP extension; QEMU models no dual issue, caches or TCMs (instructions, not cycles)',
  },
  'cortex-m55': {
    cpu: 'cortex-m55',
    machine: 'mps3-an547',
    linkerScript: 'mps3_an547.ld',
    cpuFlags: ['-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard'],
    defines: ['-DTARGET_ENABLE_FPU=1'],
    cmsisPath: 'MVE',
    objdumpArch: 'armv8.1-m.main',
    note: 'MVE/Helium: gcc 12 defines __ARM_FEATURE_MVE=3 only with -mfloat-abi=hard (softfp also works, soft does not); no -mfpu needed',
  },
};

export function board(cpu: string): Board {
  const b = (BOARDS as Record<string, Board | undefined>)[cpu];
  if (!b) throw new TargetError(`unknown cpu '${cpu}' (one of ${CPUS.join(', ')})`);
  return b;
}
