/** The same context with its clock stopped at `now`: for driving a process as if it ran then. */
export const at = <C extends { clock: () => Date }>(context: C, now: Date): C => ({ ...context, clock: () => now });
