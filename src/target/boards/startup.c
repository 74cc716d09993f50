/*
 * startup.c - bare-metal start-up shared by every emulated board (QEMU mps2-an385/an386/an500,
 * mps3-an547): vector table, reset handler, fault handler. Stdio goes through semihosting
 * (librdimon, --specs=rdimon.specs); the program ends with exit(), i.e. SYS_EXIT, so QEMU exits
 * with main's status.
 *
 * Reset handler, in order:
 *   1. TARGET_ENABLE_FPU: CPACR.CP10/CP11 = full access. The Cortex-M4/M7 FPU and the Cortex-M55
 *      FPU and MVE (Helium) registers are disabled at reset; the first VFP or MVE instruction
 *      faults (NOCP UsageFault) until this is done, so it comes before any other code. DSB + ISB
 *      make it take effect for the following instructions.
 *   2. TARGET_TRAP_UNALIGNED: CCR.UNALIGN_TRP = 1, for ARMv6-M code run on the Cortex-M3 board
 *      (QEMU 7.2 has no Cortex-M0+ machine): an M0+ faults on any unaligned LDR/STR, the M3 only
 *      does so with this bit set.
 *   3. copy .data from its load address, zero .bss, open the semihosting stdio handles, run main.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __data_start__, __data_end__, __data_load__, __bss_start__, __bss_end__, __stack_top;
extern int main(void);
extern void initialise_monitor_handles(void); /* librdimon: semihosting stdin/stdout/stderr */

void reset_handler(void);
void fault_handler(void);

#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void reset_handler(void)
{
#if defined(TARGET_ENABLE_FPU) && TARGET_ENABLE_FPU
    SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
#if defined(TARGET_TRAP_UNALIGNED) && TARGET_TRAP_UNALIGNED
    SCB_CCR |= 1u << 3; /* UNALIGN_TRP */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    memcpy(&__data_start__, &__data_load__, (size_t)((char *)&__data_end__ - (char *)&__data_start__));
    memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
    initialise_monitor_handles();
    exit(main());
}

void fault_handler(void)
{
    printf("FAULT: hard fault or unexpected exception\n");
    exit(99);
}

/*
 * Initial stack pointer, then reset, NMI, HardFault, MemManage, BusFault, UsageFault, SecureFault
 * (ARMv8-M), reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick: every exception other
 * than reset ends the program through fault_handler (no interrupt is enabled).
 */
__attribute__((section(".isr_vector"), used)) static const uintptr_t vectors[16] = {
    (uintptr_t)&__stack_top,
    (uintptr_t)reset_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    0,
    0,
    0,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    0,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
};
