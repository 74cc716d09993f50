/*
 * startup.c - minimal Cortex-M4 startup for QEMU mps2-an386 with semihosting (bench only):
 * vector table, reset handler (copy .data, zero .bss, open the semihosting stdio handles, run
 * main, exit through semihosting so QEMU ends with main's status), faults reported and exited.
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

void reset_handler(void)
{
    memcpy(&__data_start__, &__data_load__, (size_t)((char *)&__data_end__ - (char *)&__data_start__));
    memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
    initialise_monitor_handles();
    exit(main());
}

void fault_handler(void)
{
    printf("FAULT: hard fault / unexpected exception\n");
    exit(99);
}

/* Initial stack pointer, then the exception handlers (reset, NMI, HardFault, MemManage, BusFault, UsageFault). */
__attribute__((section(".isr_vector"), used)) static const uintptr_t vectors[] = {
    (uintptr_t)&__stack_top,
    (uintptr_t)reset_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,
};
